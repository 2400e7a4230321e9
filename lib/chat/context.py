"""How much of the model's context window a chat fills, and which messages Ollama left out of the last answer.

Pure logic, no Streamlit and no HTTP, so it is tested with tables; :mod:`lib.chat.context_view` asks the
server and draws.

**The window.** What the next answer runs with: the chat's own ``num_ctx`` when it sets one (a model
loaded with another size is loaded again for it), else the context the loaded model really has
(``/api/ps`` ``context_length``), else the model's ``num_ctx`` parameter (``/api/show``), else Ollama's
default of 4096, which a server may change (``OLLAMA_CONTEXT_LENGTH``, or more on a large GPU): then the
page says "about". Never more than the length the model was trained for
(``model_info["<arch>.context_length"]``): Ollama caps a larger ``num_ctx`` there.

**In use.** The last answer's ``prompt_eval_count`` + ``eval_count``: the prompt as the server counted it
and the answer it wrote, which together are the next prompt, but for the next question.

**Truncation.** Ollama's ``chatPrompt`` keeps the system messages and the last message, and drops the
oldest other messages until the rest fits the window; ``prompt_eval_count`` then counts only what was
kept. So an answer whose prompt is smaller than everything that was sent had its oldest messages cut.
What was sent is known from the recorded figures: every answer's ``prompt_eval_count`` measures the
conversation up to its question exactly (when nothing was cut), and an answer's ``eval_count`` measures
the answer when it goes back in the next prompt; only the newest messages are estimated from their text
(:func:`estimate_tokens`, plus :data:`PER_MESSAGE` for the chat template's markers around each message).
The messages dropped are then the oldest ones whose tokens make up the difference. For a real server this
is an estimate (its tokenizer and template are not known here), and the page words it so.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lib.chat.history import ASSISTANT, USER, Message
from lib.ollama.stream import DONE

DEFAULT_NUM_CTX = 4096
"""Ollama's default context window when neither the request nor the model sets one."""

PER_MESSAGE = 5
"""Tokens a chat template adds around one message (Llama 3: a header of 4 and an end marker; Qwen: 5)."""

CHARS_PER_TOKEN = 4
"""Latin-script text: about four characters a token, as tokenizers of English-trained models cut it."""

NEARLY_FULL = 0.9
"""The window counts as nearly full past this share, and a question that would not fit is warned of."""

TYPICAL_QUESTION = 100
"""Tokens a next question and the start of its answer take, for the warning shown before anything is typed."""

# Window sources, for the screen to word.
OPTION, LOADED, PARAMETER, DEFAULT = "option", "loaded", "parameter", "default"


@dataclass(frozen=True)
class Window:
    """The context window the next answer runs with: ``tokens``, where the figure comes from, and the trained length."""

    tokens: int
    source: str
    trained: int | None = None
    capped: bool = False  # a larger size was asked for, and cut to the trained length

    @property
    def approximate(self) -> bool:
        """Ollama's default: a server may be configured otherwise, so the page says "about"."""
        return self.source == DEFAULT


def positive_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value if isinstance(value, int) and value > 0 else None


def trained_length(details: dict[str, Any]) -> int | None:
    """``model_info["<architecture>.context_length"]`` of ``/api/show``; None when the server does not say."""
    info = details.get("model_info")
    if not isinstance(info, dict):
        return None
    architecture = info.get("general.architecture")
    if isinstance(architecture, str) and (length := positive_int(info.get(f"{architecture}.context_length"))):
        return length
    return next(
        (length for key, value in info.items() if key.endswith(".context_length") and (length := positive_int(value))),
        None,
    )


def parameter_num_ctx(details: dict[str, Any]) -> int | None:
    """The model's ``num_ctx`` parameter (its Modelfile's ``PARAMETER num_ctx``), from ``/api/show``'s text."""
    text = details.get("parameters")
    if not isinstance(text, str):
        return None
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "num_ctx" and parts[1].isascii() and parts[1].isdigit():
            return positive_int(int(parts[1]))
    return None


def loaded_length(running: Sequence[dict[str, Any]], model: str) -> int | None:
    """The ``context_length`` the server loaded ``model`` with (``/api/ps``); None when not loaded or not said."""
    for entry in running:
        if model in (entry.get("name"), entry.get("model")):
            return positive_int(entry.get("context_length"))
    return None


def window(
    *, option: Any = None, loaded: int | None = None, parameter: int | None = None, trained: int | None = None
) -> Window:
    """The window from what is known, in the order explained in the module's docstring."""
    known = [
        (source, value)
        for source, value in ((OPTION, positive_int(option)), (LOADED, loaded), (PARAMETER, parameter))
        if value
    ]
    source, value = known[0] if known else (DEFAULT, DEFAULT_NUM_CTX)
    if trained and value > trained:
        return Window(trained, source, trained, capped=True)
    return Window(value, source, trained)


def _counts_as_one(char: str) -> bool:
    """A character most tokenizers give a token of its own: CJK ideographs, kana, hangul, and symbols beyond ASCII."""
    if ord(char) < 0x2E80:
        return False
    name = unicodedata.name(char, "")
    return not name.startswith(("LATIN", "GREEK", "CYRILLIC"))


def estimate_tokens(text: str) -> int:
    """Tokens ``text`` likely takes: one per CJK character, about one per four other characters."""
    if not text:
        return 0
    wide = sum(1 for char in text if _counts_as_one(char))
    rest = len(text) - wide
    return wide + math.ceil(rest / CHARS_PER_TOKEN)


def message_tokens(text: str) -> int:
    """A message's likely tokens in a prompt: its text and the template's markers around it."""
    return estimate_tokens(text) + PER_MESSAGE


@dataclass(frozen=True)
class Use:
    """How full the window is after the last answer."""

    used: int
    window: Window

    @property
    def share(self) -> float:
        return self.used / self.window.tokens

    @property
    def percent(self) -> int:
        return round(100 * self.share)

    @property
    def full(self) -> bool:
        return self.used >= self.window.tokens

    def would_overflow(self, next_text: str | None = None) -> bool:
        """Whether the next question likely does not fit with the whole conversation.

        With ``next_text`` (a question being sent), its estimate; without, a typical question: the
        warning shown before anything is typed, so nobody learns of it only after the answer.
        """
        coming = message_tokens(next_text) if next_text is not None else TYPICAL_QUESTION
        return self.used + coming > self.window.tokens * (1.0 if next_text is not None else NEARLY_FULL)


def tokens_in_use(history: Sequence[Message]) -> int | None:
    """The last answer's prompt plus its output, as the server counted them; None before any counted answer."""
    for message in reversed(history):
        if message.role != ASSISTANT:
            continue
        stats = message.stats
        if stats is None or (stats.prompt_tokens is None and stats.output_tokens is None):
            return None
        return (stats.prompt_tokens or 0) + (stats.output_tokens or 0)
    return None


@dataclass(frozen=True)
class Truncation:
    """The last answer's prompt lost its oldest messages: which ones, and the figures that tell it."""

    answer_id: int | None
    unseen: tuple[int, ...]  # ids of the messages the model did not see, oldest first
    sent: int  # tokens of everything sent, as worked out
    kept: int  # the server's prompt_eval_count


def _sent(message: Message) -> bool:
    """Whether a saved message goes into a request (:func:`lib.chat.history.api_messages` leaves out empty answers)."""
    return message.role == USER or (message.role == ASSISTANT and bool(message.content))


def _answer_tokens(message: Message) -> int:
    """An answer's tokens when it goes back in the next prompt.

    Its ``eval_count`` when it ended normally without thinking (thinking is counted there, and not sent
    back); else an estimate from its text.
    """
    stats = message.stats
    if stats is not None and stats.output_tokens is not None and message.status == DONE and not message.thinking:
        return stats.output_tokens + PER_MESSAGE
    return message_tokens(message.content)


def _cost(message: Message) -> int:
    return _answer_tokens(message) if message.role == ASSISTANT else message_tokens(message.content)


@dataclass
class _Turn:
    """One answer and the messages its request sent (system prompt apart)."""

    answer: Message
    sent: list[Message]


def _turns(history: Sequence[Message]) -> list[_Turn]:
    turns: list[_Turn] = []
    for index, message in enumerate(history):
        if message.role == ASSISTANT and message.stats is not None and message.stats.prompt_tokens:
            turns.append(_Turn(message, [m for m in history[:index] if _sent(m)]))
    return turns


def _dropped(sent: list[Message], gap: int) -> int:
    """How many of the oldest ``sent`` messages make up ``gap`` tokens best (the last one is never dropped)."""
    best, best_error, total = 0, gap, 0
    for count, message in enumerate(sent[:-1], start=1):
        total += _cost(message)
        error = abs(total - gap)
        if error < best_error:
            best, best_error = count, error
        if total > gap:
            break
    return best


def truncation(history: Sequence[Message], window_tokens: int | None = None) -> Truncation | None:
    """Whether Ollama cut the oldest messages from the last answer's prompt, and which; None when it did not.

    ``history``: the whole conversation, oldest first. ``window_tokens``: the context window, when known;
    Ollama cuts only a prompt larger than it, so a smaller one is not taken for a cut (a server that counts
    only the tokens it did not have cached would otherwise look as if it had cut every prompt). Answers from
    the chat's documents are left out: their requests held passages that are not part of the history.
    """
    turns = _turns(history)
    last_answer = next((m for m in reversed(history) if m.role == ASSISTANT), None)
    if not turns or last_answer is not turns[-1].answer or last_answer.grounding is not None:
        return None
    full = 0  # everything the current turn's request sent, as worked out
    previous: _Turn | None = None
    verdict: Truncation | None = None
    for turn in turns:
        kept = turn.answer.stats.prompt_tokens if turn.answer.stats else None
        if kept is None:
            continue
        if previous is None or previous.answer.grounding is not None or turn.answer.grounding is not None:
            full = kept  # the first figure: taken as whole (a first prompt is rarely cut)
            verdict = None
        else:
            full += sum(_cost(message) for message in turn.sent[len(previous.sent) :])
            dropped = _dropped(turn.sent, full - kept) if kept < full else 0
            fits = window_tokens is None or full > window_tokens * NEARLY_FULL
            if dropped and fits:
                unseen = tuple(m.id for m in turn.sent[:dropped] if m.id is not None)
                verdict = Truncation(turn.answer.id, unseen, full, kept)
            else:
                full, verdict = kept, None  # nothing cut: the server's count is exact
        previous = turn
    return verdict
