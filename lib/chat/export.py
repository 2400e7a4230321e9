"""Conversations to and from files: JSON (exact, re-importable) and Markdown (for reading).

An import is checked completely before anything is saved: a file that is not ours, or that is
damaged, raises :class:`ImportRejected` with a sentence saying what is wrong, in the session's
language (imports run in the script thread).

JSON is for tools and for importing again: its keys and values stay as they are in every
language; a failed answer's ``error`` is the sentence in the language of the export. Markdown
is for people: its headings and notes are in the language of the export. Streamlit makes
the files in a thread of its own when the download is clicked, where :func:`lib.i18n.t` would
read English, so the exports take the language as an argument.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from lib import i18n
from lib.chat import validation
from lib.chat.history import DONE, STOPPED, USER, Conversation, Message, saved_error_text, title_from
from lib.chat.sources import Grounding
from lib.chat.validation import FORMAT, VERSION
from lib.fleet.servers import host_name
from lib.i18n import t
from lib.tools import steps
from lib.tools.steps import Round
from lib.ui.markdown_safety import keep_line_breaks


class ImportRejected(ValueError):
    """The file cannot be imported; ``str()`` says why."""


def to_json(
    conversation: Conversation,
    messages: list[Message],
    lang: str = i18n.DEFAULT,
    names: Mapping[str, str] | None = None,
) -> str:
    """The file to import again. ``names``: the session's servers' names by address; a chat's and each answer's
    server is written as its address and name (never its key)."""
    names = names or {}
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "title": conversation.title,
        "model": conversation.model,
        "system": conversation.system,
        "options": conversation.options,
        "keep_alive": conversation.keep_alive,
        "think": conversation.think,
        "created_at": validation.sane_time(conversation.created_at),
        "messages": [_message_document(message, lang, names) for message in messages],
    }
    if conversation.server:
        document["server"] = _server(conversation.server, names)
    if conversation.tools:
        document["tools"] = conversation.tools.to_data()
    if conversation.format is not None:
        document["answer_format"] = conversation.format
    return json.dumps(document, ensure_ascii=False, indent=2, default=str)


def _server(url: str, names: Mapping[str, str]) -> dict[str, str]:
    return {"url": url, "name": names.get(url) or host_name(url)}


def _message_document(message: Message, lang: str, names: Mapping[str, str]) -> dict[str, Any]:
    document: dict[str, Any] = {"role": message.role, "content": message.content}
    if message.thinking:
        document["thinking"] = message.thinking
    if message.images:
        document["images"] = message.images
    if message.stats:
        document["stats"] = message.stats.to_dict()
    if message.status != DONE:
        document["status"] = message.status
    if message.error:
        document["error"] = saved_error_text(message.error, lang)
    if message.model:
        document["model"] = message.model
    if message.server:
        document["server"] = _server(message.server, names)
    if message.tools:
        document["tools"] = steps.to_data(message.tools)
    if message.format is not None:
        document["format"] = message.format
    document["created_at"] = validation.sane_time(message.created_at)
    return document


def to_markdown(
    conversation: Conversation,
    messages: list[Message],
    lang: str = i18n.DEFAULT,
    names: Mapping[str, str] | None = None,
) -> str:
    """A transcript in ``lang``; the date is written as ``2026-11-25 14:03 UTC``, the same for every reader.

    ``names``: the session's servers' names by address; with several, the header names the chat's server.
    """

    def say(key: str, **values: Any) -> str:
        return i18n.render(i18n.catalog()[key], lang, values)

    created = validation.sane_time(conversation.created_at)
    if created is None:
        when = say("chat_export.md_unknown_date")
    else:
        when = datetime.fromtimestamp(created, UTC).strftime("%Y-%m-%d %H:%M UTC")
    header = say("chat_export.md_header", model=conversation.model or say("chat_export.md_no_model"), when=when)
    lines = [f"# {conversation.title or say('chat_export.md_title')}", "", f"*{header}*", ""]
    if names and len(names) > 1 and conversation.server:
        server = names.get(conversation.server) or host_name(conversation.server)
        lines += [f"*{say('chat_fleet.md_server', server=server)}*", ""]
    if conversation.system.strip():
        lines += [f"**{say('chat_export.md_system')}**", "", _quote(conversation.system), ""]
    for message in messages:
        lines += [f"## {say('chat_export.md_you') if message.role == USER else say('chat_export.md_assistant')}", ""]
        for each in message.tools:
            lines += _round_lines(each, say)
        if message.thinking:
            lines += [f"*{say('chat_export.md_thinking')}*", "", _quote(message.thinking), ""]
        if message.content:
            lines += [keep_line_breaks(message.content), ""]  # a poem's lines stay lines when the file is read
        if message.images:
            lines += [f"*{say('chat_export.md_images', n=len(message.images))}*", ""]
        if message.status == STOPPED:
            lines += [f"*{say('chat_export.md_stopped')}*", ""]
        if message.error:
            lines += [f"*{say('chat_export.md_error', error=saved_error_text(message.error, lang))}*", ""]
        if message.grounding is not None:
            lines += _grounding_lines(message.grounding, say)
    return "\n".join(lines).rstrip() + "\n"


def _round_lines(each: Round, say: Callable[..., str]) -> list[str]:
    """A tool round: what the model thought and said with its calls, then each call, its arguments and result."""
    lines: list[str] = []
    if each.thinking:
        lines += [f"*{say('chat_export.md_thinking')}*", "", _quote(each.thinking), ""]
    if each.content:
        lines += [keep_line_breaks(each.content), ""]
    for step in each.steps:
        lines += [f"*{say('tools.md_call', name=step.name)}*", "", _fenced(_arguments_text(step.arguments), "json")]
        if each.not_run:
            lines += ["", f"*{say('tools.md_not_run')}*", ""]
        elif step.result is None:
            lines += ["", f"*{say('tools.md_waiting')}*", ""]
        else:
            lines += ["", f"*{say('tools.result')}*", "", _fenced(step.result, ""), ""]
    if each.not_run:
        lines += [f"*{say('tools.round_limit', limit=steps.MAX_ROUNDS)}*", ""]
    return lines


def _arguments_text(arguments: object) -> str:
    return json.dumps(arguments, ensure_ascii=False, indent=2, default=str)


def _fenced(text: str, language: str) -> str:
    """``text`` in a code fence longer than any run of backticks inside it, so it cannot close early."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text}\n{fence}"


def _grounding_lines(grounding: Grounding, say: Callable[..., str]) -> list[str]:
    """Under an answer from the chat's documents: the app's answer when nothing was found, and the sources."""
    lines: list[str] = []
    if grounding.nothing_found:
        score = grounding.min_score if grounding.min_score is not None else 0.0
        lines += [say("documents_core.nothing_found", score=f"{score:.2f}"), ""]
    if grounding.sources:
        lines += [f"*{say('documents.md_sources')}*", ""]
    for source in grounding.sources:
        if source.page is not None and source.heading:
            where = say("documents.page_and_heading", page=source.page, heading=source.heading)
        elif source.page is not None:
            where = say("documents.page", page=source.page)
        else:
            where = i18n.escape(source.heading) if source.heading else say("documents.whole_document")
        line = say(
            "documents.source_heading",
            number=source.number,
            document=source.document,
            where=where,
            score=f"{source.score:.2f}",
        )
        lines += [line, "", _quote(source.text), ""]
    return lines


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in keep_line_breaks(text).splitlines())


def from_json(data: bytes | str) -> tuple[Conversation, list[Message]]:
    """Read a file written by :func:`to_json`; raises :class:`ImportRejected` naming the first problem.

    The whole file is checked against :mod:`lib.chat.validation`'s schema before anything is saved.
    """
    try:
        conversation, messages = validation.conversation_file(validation.parse(data))
    except validation.Invalid as error:
        raise ImportRejected(validation.describe(error.problem)) from None
    if not conversation.title:
        first = next((message for message in messages if message.role == USER), None)
        conversation.title = title_from(first.content, len(first.images)) if first else t("chat_export.imported_title")
    return conversation, messages
