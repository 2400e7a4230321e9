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

import base64
import binascii
import json
import time
from datetime import UTC, datetime
from typing import Any

from lib import i18n
from lib.chat.history import (
    ASSISTANT,
    DONE,
    FAILED,
    STOPPED,
    USER,
    Conversation,
    Message,
    saved_error_text,
    strip_data_url,
    title_from,
)
from lib.i18n import t
from lib.ollama.stats import STAT_NAMES, RunStats
from lib.ui.markdown_safety import escape_markdown

FORMAT = "ollama-studio.conversation"
VERSION = 1
_STATUSES = (DONE, STOPPED, FAILED)


class ImportRejected(ValueError):
    """The file cannot be imported; ``str()`` says why."""


def to_json(conversation: Conversation, messages: list[Message], lang: str = i18n.DEFAULT) -> str:
    document = {
        "format": FORMAT,
        "version": VERSION,
        "title": conversation.title,
        "model": conversation.model,
        "system": conversation.system,
        "options": conversation.options,
        "keep_alive": conversation.keep_alive,
        "think": conversation.think,
        "created_at": conversation.created_at,
        "messages": [_message_document(message, lang) for message in messages],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def _message_document(message: Message, lang: str) -> dict[str, Any]:
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
    document["created_at"] = message.created_at
    return document


def to_markdown(conversation: Conversation, messages: list[Message], lang: str = i18n.DEFAULT) -> str:
    """A transcript in ``lang``; the date is written as ``2026-11-25 14:03 UTC``, the same for every reader."""

    def say(key: str, **values: Any) -> str:
        return i18n.render(i18n.catalog()[key], lang, values)

    when = datetime.fromtimestamp(conversation.created_at, UTC).strftime("%Y-%m-%d %H:%M UTC")
    header = say("chat_export.md_header", model=conversation.model or say("chat_export.md_no_model"), when=when)
    lines = [f"# {conversation.title or say('chat_export.md_title')}", "", f"*{header}*", ""]
    if conversation.system.strip():
        lines += [f"**{say('chat_export.md_system')}**", "", _quote(conversation.system), ""]
    for message in messages:
        lines += [f"## {say('chat_export.md_you') if message.role == USER else say('chat_export.md_assistant')}", ""]
        if message.thinking:
            lines += [f"*{say('chat_export.md_thinking')}*", "", _quote(message.thinking), ""]
        if message.content:
            lines += [message.content, ""]
        if message.images:
            lines += [f"*{say('chat_export.md_images', n=len(message.images))}*", ""]
        if message.status == STOPPED:
            lines += [f"*{say('chat_export.md_stopped')}*", ""]
        if message.error:
            lines += [f"*{say('chat_export.md_error', error=saved_error_text(message.error, lang))}*", ""]
    return "\n".join(lines).rstrip() + "\n"


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


def from_json(data: bytes | str) -> tuple[Conversation, list[Message]]:
    """Read a file written by :func:`to_json`; raises :class:`ImportRejected` for anything else."""
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, ValueError):
        raise ImportRejected(t("chat_export.not_json")) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ImportRejected(t("chat_export.not_ours", format=FORMAT))
    if document.get("version") != VERSION:
        raise ImportRejected(t("chat_export.wrong_version", found=repr(document.get("version")), version=VERSION))
    conversation = Conversation(
        title=_text(document, "title", t("chat_export.title_not_text")),
        model=_text(document, "model", t("chat_export.model_not_text")),
        system=_text(document, "system", t("chat_export.system_not_text")),
        options=_options(document.get("options")),
        keep_alive=_keep_alive(document.get("keep_alive")),
        think=bool(document.get("think", False)),
        created_at=_number(document.get("created_at"), time.time(), t("chat_export.not_a_number", field="created_at")),
        updated_at=time.time(),
    )
    raw_messages = document.get("messages")
    if not isinstance(raw_messages, list):
        raise ImportRejected(t("chat_export.no_messages"))
    messages = [_message(item, number) for number, item in enumerate(raw_messages, start=1)]
    if not conversation.title:
        first = next((message for message in messages if message.role == USER), None)
        conversation.title = title_from(first.content, len(first.images)) if first else t("chat_export.imported_title")
    return conversation, messages


def _text(document: dict[str, Any], key: str, problem: str) -> str:
    value = document.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ImportRejected(problem)
    return value


def _number(value: Any, default: float, problem: str) -> float:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ImportRejected(problem)
    return float(value)


def _options(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ImportRejected(t("chat_export.options_not_object"))
    return value


def _keep_alive(value: Any) -> str | int | None:
    if value is None or (isinstance(value, (str, int)) and not isinstance(value, bool)):
        return value
    raise ImportRejected(t("chat_export.keep_alive_invalid"))


def _message(item: Any, number: int) -> Message:
    if not isinstance(item, dict):
        raise ImportRejected(t("chat_export.message_not_object", number=number))
    role = item.get("role")
    if role not in (USER, ASSISTANT):
        raise ImportRejected(t("chat_export.message_role", number=number, role=repr(role)))
    content = item.get("content", "")
    thinking = item.get("thinking", "")
    if not isinstance(content, str) or not isinstance(thinking, str):
        raise ImportRejected(t("chat_export.message_not_text", number=number))
    status = item.get("status", DONE)
    if status not in _STATUSES:
        raise ImportRejected(t("chat_export.message_status", number=number, status=repr(status)))
    stats = item.get("stats")
    if stats is not None and not isinstance(stats, dict):
        raise ImportRejected(t("chat_export.message_stats_not_object", number=number))
    return Message(
        role=role,
        content=content,
        thinking=thinking,
        images=_images(item.get("images"), number),
        stats=_stats(stats, number) if stats else None,
        status=status,
        error=escape_markdown(str(item.get("error") or "")),
        model=str(item.get("model") or ""),
        created_at=_number(
            item.get("created_at"), time.time(), t("chat_export.message_time_not_a_number", number=number)
        ),
    )


def _images(value: Any, number: int) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ImportRejected(t("chat_export.message_images_not_list", number=number))
    images = []
    for image in value:
        if not isinstance(image, str):
            raise ImportRejected(t("chat_export.message_image_not_text", number=number))
        plain = strip_data_url(image)
        try:
            base64.b64decode(plain, validate=True)
        except (binascii.Error, ValueError):
            raise ImportRejected(t("chat_export.message_image_invalid", number=number)) from None
        images.append(plain)
    return images


def _stats(value: dict[str, Any], number: int) -> RunStats:
    """Figures under today's names or the older ones (:meth:`RunStats.from_dict`); each must be a number."""
    numbers: dict[str, Any] = {}
    for key, figure in value.items():
        if figure is None or key not in STAT_NAMES:
            continue
        if key == "first_token_measured":
            if not isinstance(figure, bool):
                raise ImportRejected(t("chat_export.message_stat_not_a_number", number=number, field=key))
        elif isinstance(figure, bool) or not isinstance(figure, (int, float)):
            raise ImportRejected(t("chat_export.message_stat_not_a_number", number=number, field=key))
        numbers[key] = figure
    return RunStats.from_dict(numbers)
