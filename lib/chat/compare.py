"""Chat's compare mode: 2 to 4 models answer each message side by side, each column a saved conversation.

Every column is an ordinary conversation in the chats database, with its own model and its own
history: the user's messages are added to each, and each model only ever sees its own earlier
answers. So a comparison is saved like any chat (each column appears in the chat list, titled
with its model), and "continue with this answer" simply opens that column's conversation.
The columns of the comparison on screen are kept in the session and in the address
(``?compare=3,4,5``), so a reload keeps them. The token probabilities of the latest answers, when
they were asked for, are kept in the session only (:class:`LatestTokens`): they are not saved
with the chats.

No drawing here, but for a toast when the address names a comparison that cannot be opened:
the page draws with :mod:`lib.chat.compare_view`.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

from lib import state
from lib.chat import session as chat_session
from lib.chat.history import USER, Conversation, Message, title_from
from lib.chat.store import ChatStore
from lib.fleet import session as fleet
from lib.fleet.models import ModelRef, label
from lib.i18n import t, t_plain
from lib.thinking import LEVELS, Think
from lib.ui import think_control

OPTIONS_PREFIX = "chat_compare"  # where the comparison's parameters panel keeps its values
QUERY_KEY = "compare"
MIN_COLUMNS = 2
MAX_COLUMNS = 4
SINGLE, COMPARE = "single", "compare"


def parse_ids(text: str) -> list[int] | None:
    """``"3,4,5"`` from the address as conversation ids; None unless it names 2 to 4 different ones."""
    ids = [chat_session.parse_id(part.strip()) for part in text.split(",")]
    if not MIN_COLUMNS <= len(ids) <= MAX_COLUMNS or None in ids or len(set(ids)) < len(ids):
        return None
    return [conversation_id for conversation_id in ids if conversation_id is not None]


def column_title(text: str, label: str) -> str:
    """The saved title of one column: the first message's title, then the column's label (:func:`column_label`)."""
    return f"{title_from(text)} · {label}"


def column_label(model: str, think: Think | None, models: Sequence[str] = ()) -> str:
    """A column's name, plain text: its model (``model · server`` when there are several servers, see
    :func:`column_ref`), and how much it thinks where that tells the columns apart.

    A level always ("gpt-oss:20b · High"); on or off only when another column has the same model on the same server.
    """
    if isinstance(think, str) and think in LEVELS:
        return t_plain("chat_compare.column_label", model=model, think=think_control.label(think))
    if isinstance(think, bool) and list(models).count(model) > 1:
        return t_plain(
            "chat_compare.column_label",
            model=model,
            think=t_plain("chat_compare.thinking_on" if think else "chat_compare.thinking_off"),
        )
    return model


def same_columns(models: Sequence[Hashable], thinks: Sequence[Think | None]) -> tuple[int, int] | None:
    """The first two columns that would ask the same model the same way (numbered from 1); None when all differ.

    ``models``: each column's model, or its :class:`ModelRef`, as the same model on two servers is two columns
    ("laptop vs gpu"). The same model may fill several columns when they think differently ("how much better is
    high than low?").
    """
    seen: dict[tuple[Hashable, Any], int] = {}
    for number, column in enumerate(zip(models, thinks, strict=True), start=1):
        key = (column[0], repr(column[1]))
        if key in seen:
            return seen[key], number
        seen[key] = number
    return None


def open_columns(store: ChatStore) -> list[Conversation] | None:
    """The conversations compared on screen, or None before the first message.

    A new browser session (a reload) starts from ``?compare=`` in the address; one that cannot be
    opened (not 2 to 4 different ids, or a chat deleted or someone else's) is dropped from the
    address with a notice. When one of the conversations is deleted later, the comparison closes.
    """
    from_address = state.CHAT_COMPARE not in st.session_state and QUERY_KEY in st.query_params
    if state.CHAT_COMPARE not in st.session_state:
        state.put(state.CHAT_COMPARE, parse_ids(st.query_params.get(QUERY_KEY, "")))
    ids: list[int] | None = state.get(state.CHAT_COMPARE)
    columns = [store.get(conversation_id) for conversation_id in ids or []]
    if ids and not all(columns):
        state.put(state.CHAT_COMPARE, None)
        columns = []
    if from_address and not columns:
        st.toast(t("chat_compare.address_ignored"), icon=":material/link_off:", duration="long")
    _sync_address(ids if columns else None)
    return [column for column in columns if column is not None] or None


def mode() -> str:
    """Single chat or compare mode: as last chosen, else compare when the address names a comparison."""
    chosen = state.get(state.CHAT_MODE) or (COMPARE if QUERY_KEY in st.query_params else SINGLE)
    st.session_state.setdefault(state.CHAT_MODE_INPUT, chosen)
    return str(st.session_state[state.CHAT_MODE_INPUT])


def leave_address() -> None:
    """Single chat mode: the address no longer names a comparison."""
    _sync_address(None)


def _sync_address(ids: list[int] | None) -> None:
    if ids is None:
        if QUERY_KEY in st.query_params:
            del st.query_params[QUERY_KEY]
        return
    wanted = ",".join(map(str, ids))
    if st.query_params.get(QUERY_KEY) != wanted:
        st.query_params[QUERY_KEY] = wanted


def column_ref(conversation: Conversation) -> ModelRef:
    """A column's ``model · server`` (a column saved before servers were kept is on the sidebar's server)."""
    return ModelRef(conversation.model, conversation.server or fleet.current().url)


def column_labels(refs: Sequence[ModelRef], thinks: Sequence[Think | None]) -> list[str]:
    """Every column's name (:func:`column_label`), each model named with its server when there are several."""
    servers = fleet.servers()
    names = [label(ref, servers) for ref in refs]
    return [column_label(name, think, names) for name, think in zip(names, thinks, strict=True)]


def start(
    store: ChatStore,
    refs: Sequence[ModelRef],
    thinks: Sequence[Think | None],
    first_message: str,
    system: str = "",
    options: dict[str, Any] | None = None,
    keep_alive: str | int | None = None,
) -> list[Conversation]:
    """Save one new conversation per column (when the first message is sent) and show them.

    Every column gets the same system prompt and parameters, so only the model, its server and its thinking differ.
    """
    columns = []
    for ref, think, name in zip(refs, thinks, column_labels(refs, thinks), strict=True):
        conversation = Conversation(
            title=column_title(first_message, name),
            model=ref.model,
            server=ref.server,
            think=False if think is None else think,
            system=system,
            options=dict(options or {}),
            keep_alive=keep_alive,
        )
        conversation.id = store.create(conversation)
        columns.append(conversation)
    ids = [conversation.id for conversation in columns if conversation.id is not None]
    state.put(state.CHAT_COMPARE, ids)
    _sync_address(ids)
    return columns


def add_message(store: ChatStore, columns: Sequence[Conversation], text: str, images: Sequence[str] = ()) -> None:
    """The user's message goes into every column's history, with its image (a column whose model cannot see is
    sent the text only, and says so)."""
    for conversation in columns:
        if conversation.id is not None:
            store.add(conversation.id, Message(USER, text, images=list(images)))


@dataclass(frozen=True)
class LatestTokens:
    """The ``logprobs`` entries that came with a column's latest answer (the message ``message_id``), as the
    server sent them: one ``{token, logprob, top_logprobs?}`` a token, none when it sent no probabilities."""

    message_id: int
    entries: tuple[dict[str, Any], ...] = ()


def keep_tokens(kept: dict[int, LatestTokens]) -> None:
    """The token probabilities of the latest answers, by conversation id; they replace the earlier answers'."""
    state.put(state.CHAT_COMPARE_TOKENS, kept)


def latest_tokens(store: ChatStore, conversation: Conversation) -> tuple[dict[str, Any], ...] | None:
    """The token probabilities of a column's latest answer; None when that answer was not asked for them,
    or another message has come after it."""
    kept: dict[int, LatestTokens] = state.get(state.CHAT_COMPARE_TOKENS) or {}
    found = kept.get(conversation.id) if conversation.id is not None else None
    if found is None or conversation.id is None:
        return None
    latest = store.messages(conversation.id, last=1)
    return found.entries if latest and latest[-1].id == found.message_id else None


# Button actions (on_click callbacks)


def continue_with(conversation_id: int) -> None:
    """Leave the comparison and go on in one column's conversation, with that model alone."""
    state.put(state.CHAT_COMPARE, None)
    state.put(state.CHAT_MODE, SINGLE)
    st.session_state[state.CHAT_MODE_INPUT] = SINGLE
    chat_session.switch_to(conversation_id)


def new_comparison() -> None:
    state.put(state.CHAT_COMPARE, None)
