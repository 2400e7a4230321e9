"""Conversations to and from files: JSON (exact, re-importable) and Markdown (for reading).

An import is checked completely before anything is saved: a file that is not ours, or that is
damaged, raises :class:`ImportRejected` with a sentence saying what is wrong.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from datetime import UTC, datetime
from typing import Any

from lib.chat_history import (
    ASSISTANT,
    DONE,
    FAILED,
    STOPPED,
    USER,
    Conversation,
    Message,
    Stats,
    strip_data_url,
    title_from,
)

FORMAT = "ollama-studio.conversation"
VERSION = 1
_STATUSES = (DONE, STOPPED, FAILED)


class ImportRejected(ValueError):
    """The file cannot be imported; ``str()`` says why."""


def to_json(conversation: Conversation, messages: list[Message]) -> str:
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
        "messages": [_message_document(message) for message in messages],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def _message_document(message: Message) -> dict[str, Any]:
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
        document["error"] = message.error
    if message.model:
        document["model"] = message.model
    document["created_at"] = message.created_at
    return document


def to_markdown(conversation: Conversation, messages: list[Message]) -> str:
    when = datetime.fromtimestamp(conversation.created_at, UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"# {conversation.title or 'Chat'}", "", f"*Model: {conversation.model or 'not chosen'} · started {when}*", ""]
    if conversation.system.strip():
        lines += ["**System prompt:**", "", _quote(conversation.system), ""]
    for message in messages:
        lines += [f"## {'You' if message.role == USER else 'Assistant'}", ""]
        if message.thinking:
            lines += ["*Thinking:*", "", _quote(message.thinking), ""]
        if message.content:
            lines += [message.content, ""]
        if message.images:
            lines += [f"*({len(message.images)} image{'s' if len(message.images) > 1 else ''} attached)*", ""]
        if message.status == STOPPED:
            lines += ["*(stopped before the end)*", ""]
        if message.error:
            lines += [f"*Error: {message.error}*", ""]
    return "\n".join(lines).rstrip() + "\n"


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


def from_json(data: bytes | str) -> tuple[Conversation, list[Message]]:
    """Read a file written by :func:`to_json`; raises :class:`ImportRejected` for anything else."""
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, ValueError):
        raise ImportRejected("This file is not JSON. Choose a conversation exported from Ollama Studio as JSON.") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ImportRejected(
            "This JSON file is not an Ollama Studio conversation (it has no "
            f'"format": "{FORMAT}"). Only conversations exported from this app can be imported.'
        )
    if document.get("version") != VERSION:
        raise ImportRejected(f"This conversation was exported in format version {document.get('version')!r}; "
                             f"this app reads version {VERSION}.")
    conversation = Conversation(
        title=_text(document, "title", "the title"),
        model=_text(document, "model", "the model"),
        system=_text(document, "system", "the system prompt"),
        options=_options(document.get("options")),
        keep_alive=_keep_alive(document.get("keep_alive")),
        think=bool(document.get("think", False)),
        created_at=_number(document.get("created_at"), "created_at", time.time()),
        updated_at=time.time(),
    )
    raw_messages = document.get("messages")
    if not isinstance(raw_messages, list):
        raise ImportRejected('The file has no "messages" list.')
    messages = [_message(item, number) for number, item in enumerate(raw_messages, start=1)]
    if not conversation.title:
        first = next((message for message in messages if message.role == USER), None)
        conversation.title = title_from(first.content, len(first.images)) if first else "Imported chat"
    return conversation, messages


def _text(document: dict[str, Any], key: str, what: str) -> str:
    value = document.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ImportRejected(f"In this file {what} is not text.")
    return value


def _number(value: Any, what: str, default: float) -> float:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ImportRejected(f"In this file {what} is not a number.")
    return float(value)


def _options(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ImportRejected('In this file "options" is not an object.')
    return value


def _keep_alive(value: Any) -> str | int | None:
    if value is None or (isinstance(value, (str, int)) and not isinstance(value, bool)):
        return value
    raise ImportRejected('In this file "keep_alive" is neither a duration nor a number of seconds.')


def _message(item: Any, number: int) -> Message:
    where = f"Message {number}"
    if not isinstance(item, dict):
        raise ImportRejected(f"{where} is not an object.")
    role = item.get("role")
    if role not in (USER, ASSISTANT):
        raise ImportRejected(f'{where} has the role {role!r}; only "user" and "assistant" can be imported.')
    content = item.get("content", "")
    thinking = item.get("thinking", "")
    if not isinstance(content, str) or not isinstance(thinking, str):
        raise ImportRejected(f"{where} has content that is not text.")
    status = item.get("status", DONE)
    if status not in _STATUSES:
        raise ImportRejected(f"{where} has an unknown status {status!r}.")
    stats = item.get("stats")
    if stats is not None and not isinstance(stats, dict):
        raise ImportRejected(f"{where} has statistics that are not an object.")
    return Message(
        role=role,
        content=content,
        thinking=thinking,
        images=_images(item.get("images"), where),
        stats=_stats(stats, where) if stats else None,
        status=status,
        error=str(item.get("error") or ""),
        model=str(item.get("model") or ""),
        created_at=_number(item.get("created_at"), f"the time of {where.lower()}", time.time()),
    )


def _images(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ImportRejected(f'{where} has "images" that is not a list.')
    images = []
    for image in value:
        if not isinstance(image, str):
            raise ImportRejected(f"{where} has an image that is not base64 text.")
        plain = strip_data_url(image)
        try:
            base64.b64decode(plain, validate=True)
        except (binascii.Error, ValueError):
            raise ImportRejected(f"{where} has an image that is not valid base64.") from None
        images.append(plain)
    return images


def _stats(value: dict[str, Any], where: str) -> Stats:
    numbers = {}
    for key in Stats.__dataclass_fields__:
        if value.get(key) is None:
            continue
        if isinstance(value[key], bool) or not isinstance(value[key], (int, float)):
            raise ImportRejected(f"{where} has a statistic ({key}) that is not a number.")
        numbers[key] = value[key]
    return Stats(**numbers)
