"""The chat's context window on screen: a thin bar of how full it is, the warning before it overflows, and
the notice when Ollama left the oldest messages out of the last answer (:mod:`lib.chat.context`).

The server is asked for the loaded model's context (``/api/ps``) and the model's details (``/api/show``),
both cached briefly (:mod:`lib.server_data`); a server that cannot be asked leaves the bar out, the chat
goes on. The conversation's figures are worked out again only when it changes (kept in the session).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import streamlit as st

from lib import server_data, state
from lib.chat import context
from lib.chat.context import Truncation, Use, Window
from lib.chat.history import Conversation
from lib.chat.session import Settings
from lib.chat.store import ChatStore
from lib.formatting import whole_number
from lib.i18n import t
from lib.ollama.client import OllamaClient
from lib.ollama.errors import OllamaError

if TYPE_CHECKING:
    from streamlit.delta_generator import DeltaGenerator


@dataclass(frozen=True)
class Fill:
    """What the page shows of the context: the window, how full it is, and the last answer's cut (if any)."""

    window: Window
    use: Use | None
    truncation: Truncation | None

    @property
    def unseen(self) -> frozenset[int]:
        return frozenset(self.truncation.unseen) if self.truncation else frozenset()


def context_window(client: OllamaClient, model: str, options: dict[str, Any], *, fresh: bool = False) -> Window | None:
    """The window the next answer runs with; None when the server cannot be asked.

    ``fresh``: right after an answer, which may have loaded the model, the loaded models are asked again (so
    they are when the app's short-lived copy does not list the model).
    """
    try:
        entry = next((m for m in server_data.models(client) if model in (m.get("name"), m.get("model"))), {})
        details = server_data.details(client, model, str(entry.get("digest") or ""))
        running = client.running_models() if fresh else server_data.running(client)
        if not fresh and context.loaded_length(running, model) is None:
            running = client.running_models()  # the copy may predate the answer that loaded it
    except OllamaError:
        return None
    return context.window(
        option=options.get("num_ctx"),
        loaded=context.loaded_length(running, model),
        parameter=context.parameter_num_ctx(details),
        trained=context.trained_length(details),
    )


def fill(
    store: ChatStore,
    client: OllamaClient,
    conversation: Conversation | None,
    settings: Settings | None,
    *,
    fresh: bool = False,
) -> Fill | None:
    """The context figures of the open chat with the model chosen; None before a chat or without a server."""
    if conversation is None or conversation.id is None or settings is None:
        return None
    window = context_window(client, settings.model, settings.options, fresh=fresh)
    if window is None:
        return None
    total = store.count(conversation.id)
    last = store.messages(conversation.id, last=1)
    # The last message's status and figures too: an answer paused for a tool's result goes on in place
    # (same id, same count) with new figures.
    tail = (last[0].id, last[0].status, last[0].stats) if last else None
    key = (conversation.id, total, tail, window.tokens)
    kept = state.get(state.CHAT_CONTEXT)
    if kept is not None and kept[0] == key:
        used, truncation = kept[1]
    else:
        history = store.messages(conversation.id)
        used, truncation = context.tokens_in_use(history), context.truncation(history, window.tokens)
        state.put(state.CHAT_CONTEXT, (key, (used, truncation)))
    return Fill(window, Use(used, window) if used is not None else None, truncation)


def window_words(window: Window) -> str:
    """The window's size as a phrase: "4,096", or "about 4,096" when it is Ollama's default."""
    return t("chat_context.about" if window.approximate else "chat_context.exact", n=whole_number(window.tokens))


def draw_bar(slot: DeltaGenerator, shown: Fill | None) -> None:
    """In ``slot`` (an ``st.empty``), the thin bar: "1,234 of 4,096 tokens (30%)", and the warning when the next
    question likely overflows; nothing before a counted answer."""
    if shown is None or shown.use is None:
        slot.empty()
        return
    use = shown.use
    box = slot.container()
    box.progress(
        min(use.share, 1.0),
        text=t(
            "chat_context.in_use",
            used=whole_number(use.used),
            window=window_words(shown.window),
            percent=use.percent,
        ),
    )
    if use.would_overflow():
        box.warning(t("chat_context.nearly_full"), icon=":material/data_usage:")


def draw_truncation(shown: Fill | None) -> None:
    """Said plainly, under the conversation: the last answer did not see the oldest messages (which are marked)."""
    if shown is None or shown.truncation is None:
        return
    cut = shown.truncation
    count = len(cut.unseen)
    st.warning(
        t(
            "chat_context.truncated",
            n=1 if count == 1 else whole_number(count),
            window=window_words(shown.window),
            kept=whole_number(cut.kept),
            sent=whole_number(cut.sent),
        ),
        icon=":material/content_cut:",
    )


def warn_before_answer(shown: Fill | None, question: str) -> None:
    """Right before a question is sent: say so when it likely does not fit with the whole conversation."""
    if shown is None or shown.use is None or not shown.use.would_overflow(question):
        return
    st.warning(
        t(
            "chat_context.question_overflows",
            needed=whole_number(shown.use.used + context.message_tokens(question)),
            window=window_words(shown.window),
        ),
        icon=":material/data_usage:",
    )
