"""Conversations as data: messages, answer statistics, titles and the ``messages`` list we send.

Pure functions and dataclasses, no Streamlit and no HTTP, so they are tested with tables.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lib import i18n, model_choice
from lib.formatting import human_seconds, whole_number
from lib.i18n import t
from lib.ollama.errors import OllamaError
from lib.ollama.stats import RunStats
from lib.ollama.stream import CUT_OFF, DONE, FAILED, STOPPED, Answer
from lib.thinking import Think
from lib.tools import steps
from lib.tools.choice import ToolChoice
from lib.tools.steps import Round
from lib.ui.errors import error_text

if TYPE_CHECKING:
    from lib.chat.sources import Grounding
    from lib.chat.validation import Problem

USER = "user"
ASSISTANT = "assistant"
# An answer paused on a call of the user's own tool, until they type its result (lib/tools/steps.py).
AWAITING = "awaiting"

Format = str | dict[str, Any] | None
"""An answer's ``format``: None (free text), ``"json"``, or a JSON schema."""

TITLE_LENGTH = 60


@dataclass
class Message:
    role: str
    content: str
    thinking: str = ""
    images: list[str] = field(default_factory=list)
    stats: RunStats | None = None
    status: str = DONE
    error: str = ""
    model: str = ""
    created_at: float = field(default_factory=time.time)
    id: int | None = None
    # The server that answered (its base URL), "" when not known (saved before servers were kept).
    server: str = ""
    # An answer from the chat's documents: its sources and what was sent (lib/chat/sources.py).
    grounding: Grounding | None = None
    # An answer that called tools: each round's calls and results, before the final text (lib/tools/steps.py).
    tools: list[Round] = field(default_factory=list)
    # The ``format`` the answer was asked in, to check and show it as JSON.
    format: Format = None
    # What of a saved message could not be read and was left out (lib/chat/validation.py); shown in its place.
    damaged: list[Problem] = field(default_factory=list, compare=False)


@dataclass
class Conversation:
    """A conversation's settings; its messages are read separately (there can be thousands)."""

    id: int | None = None
    title: str = ""
    model: str = ""
    # The server the chat's model runs on (its base URL); "" for chats saved before servers were kept.
    server: str = ""
    system: str = ""
    options: dict[str, Any] = field(default_factory=dict)
    keep_alive: str | int | None = None
    think: Think | None = False  # a level, on/off, or None: the model cannot think
    # The tools the model may call (lib/tools/choice.py) and the answers' format.
    tools: ToolChoice = field(default_factory=ToolChoice)
    format: Format = None
    created_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)
    # Saved settings that could not be used and were left out (lib/chat/validation.py); the page says so.
    damaged: list[Problem] = field(default_factory=list, compare=False)

    @property
    def saved_id(self) -> int:
        """The id of a conversation the store has saved; one that is not saved yet has none to give."""
        if self.id is None:
            raise ValueError("This conversation is not saved yet.")
        return self.id


def answer_message(answer: Answer, model: str, rounds: list[Round] | None = None, format: Format = None) -> Message:
    """The assistant message to save for a streamed answer, whatever ended it: done, stopped, failed, or
    cut off at the length limit (of the answer, or of the context window). ``rounds``: the tool rounds
    before it (its own calls, if it made any and was not stopped, are the last round's); an answer
    whose last round waits for the user's result is :data:`AWAITING`."""
    rounds = list(rounds or [])
    if answer.error is not None:
        status = FAILED
    elif answer.stopped or answer.final is None:
        status = STOPPED
    elif answer.done_reason == CUT_OFF:
        status = CUT_OFF
    elif steps.waiting(rounds):
        status = AWAITING
    else:
        status = DONE
    return Message(
        ASSISTANT,
        answer.content,
        thinking=answer.thinking,
        stats=answer.stats(),
        status=status,
        error=error_record(answer.error) if answer.error else "",
        model=model,
        tools=rounds,
        format=format,
    )


def describe_stats(stats: RunStats | None) -> str:
    """One caption line: first token, tokens, rate, and the load time only when a load happened."""
    if stats is None:
        return ""
    parts = []
    if stats.time_to_first_token is not None:
        parts.append(t("chat.stat_first_token", time=human_seconds(stats.time_to_first_token)))
    if stats.output_tokens is not None:
        tokens = stats.output_tokens
        parts.append(t("chat.stat_tokens", n=1 if tokens == 1 else whole_number(tokens)))
    if stats.output_tokens_per_second is not None:
        parts.append(t("chat.stat_rate", rate=f"{stats.output_tokens_per_second:.1f}"))
    if stats.load_time and stats.load_time >= 0.001:
        parts.append(t("chat.stat_load", time=human_seconds(stats.load_time)))
    return " · ".join(parts)


def title_from(text: str, images: int = 0) -> str:
    """A conversation title from its first message: the first line, shortened at a word.

    A message without text is named in the interface's language of the moment; from then on
    the title is the user's to change, like any other.
    """
    line = " ".join(text.split())
    if not line:
        return t("chat.image_title") if images else t("chat.new_chat")
    if len(line) <= TITLE_LENGTH:
        return line
    cut = line[:TITLE_LENGTH].rsplit(" ", 1)[0] or line[:TITLE_LENGTH]
    return cut.rstrip(" ,.;:") + "…"


def api_messages(system: str, history: list[Message], *, images: bool = True) -> list[dict[str, Any]]:
    """The ``messages`` of a ``/api/chat`` request: the whole conversation, every turn.

    Answers that failed before any text arrived are left out, and so is earlier thinking
    (chat templates drop it anyway). Images go as raw base64, without a ``data:`` prefix;
    ``images=False`` leaves them out, for a model without vision. An answer that called tools
    brings its calls and their results first (:func:`lib.tools.steps.replayed`), so the model
    sees what it asked and got.
    """
    sent: list[dict[str, Any]] = []
    if system.strip():
        sent.append({"role": "system", "content": system})
    for message in history:
        if message.role == ASSISTANT:
            sent += steps.replayed(message.tools)
        if message.role == ASSISTANT and not message.content:
            continue
        item: dict[str, Any] = {"role": message.role, "content": message.content}
        if message.images and images:
            item["images"] = [strip_data_url(image) for image in message.images]
        sent.append(item)
    return sent


_DATA_URL = re.compile(r"^data:[^,]*;base64,")


def strip_data_url(image: str) -> str:
    """Ollama wants plain base64; a ``data:image/png;base64,`` prefix makes it reject the image."""
    return _DATA_URL.sub("", image.strip())


def needs_answer(history: list[Message]) -> bool:
    """True when the last message is the user's: an answer is missing (e.g. the app stopped mid-request)."""
    return bool(history) and history[-1].role == USER


def pair_ids(history: list[Message], user_id: int) -> list[int]:
    """The ids of a user message and the answer right after it (if any): what "delete" removes."""
    for index, message in enumerate(history):
        if message.id == user_id:
            ids = [user_id]
            answer = history[index + 1] if index + 1 < len(history) else None
            if answer is not None and answer.role == ASSISTANT and answer.id is not None:
                ids.append(answer.id)
            return ids
    return []


# A failed answer's error, as saved with the message. The client's errors are a catalog key and
# values (lib/ollama/errors.py); saving those, not the sentence, lets a saved error be read in
# the language of whoever opens the chat later. ``text`` (the sentence when it was saved) is
# shown when the key no longer exists. Errors without a key (imported files) are saved and shown
# as plain text. Records with ``"raw": true`` keep the values as they came, escaped when shown;
# older records kept them escaped already.
_ERROR_RECORD = '{"error_key": '


def error_record(error: OllamaError) -> str:
    """What to save in a message's ``error`` for ``error``."""
    record = {
        "error_key": error.key,
        "values": error.values,
        "text": error_text(error),
        "raw": True,
        "status_code": error.status_code,
    }
    return json.dumps(record, ensure_ascii=False, default=str)


def _escaped_already(values: dict[str, Any]) -> dict[str, Any]:
    return {name: i18n.markdown(value) if isinstance(value, str) else value for name, value in values.items()}


def failed_for_its_model(saved: str) -> bool:
    """Whether a saved ``error`` is the server refusing or failing this model (the status is kept since
    December 2026), not the server being unreachable or the connection dropping."""
    if not saved.startswith(_ERROR_RECORD):
        return False
    try:
        status = json.loads(saved).get("status_code")
    except (ValueError, AttributeError):
        return False
    return isinstance(status, int) and model_choice.model_failure_status(status)


def saved_error_text(saved: str, lang: str | None = None) -> str:
    """A saved ``error`` as a sentence in ``lang`` (default: the session's language)."""
    if not saved.startswith(_ERROR_RECORD):
        return saved
    try:
        record = json.loads(saved)
        entry = i18n.catalog().get(record["error_key"])
        if entry is None or not isinstance(record["values"], dict):
            return str(record.get("text", ""))
        values = record["values"] if record.get("raw") else _escaped_already(record["values"])
        return i18n.render(entry, lang or i18n.language(), values)
    except (ValueError, KeyError, TypeError):
        return saved
