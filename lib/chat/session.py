"""The Chat page's session logic: which conversation is open, its settings, and the button actions.

No drawing here, but for a toast when the address names a chat that cannot be opened. Button
actions are ``on_click`` callbacks: they change the database and the session state before the
page runs again, and set :data:`state.CHAT_PENDING` when the page must stream a new answer
(retry, regenerate, edit and resend).
"""

from __future__ import annotations

import base64
import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ParamSpec

import streamlit as st

from lib import state
from lib.chat.export import ImportRejected, from_json
from lib.chat.history import Conversation, Format
from lib.chat.store import ChatStore, StoreFailed
from lib.documents import store as documents_store
from lib.documents.store import DocumentStore
from lib.formatting import whole_number
from lib.i18n import message_of, t
from lib.parameters import panel as options_panel
from lib.thinking import Think
from lib.tools.choice import ToolChoice

OPTIONS_PREFIX = "chat"
QUERY_KEY = "chat"
SHOWN_AT_FIRST = 40
SHOW_MORE = 40
IMAGE_TYPES = ("png", "jpg", "jpeg", "webp")
MAX_ID = 2**63 - 1  # SQLite's largest integer: a larger id overflows in the query instead of finding nothing


@dataclass(frozen=True)
class Settings:
    """What the next request uses, as set on the page."""

    model: str
    system: str
    options: dict[str, Any]
    keep_alive: str | int | None
    think: Think | None  # what the request sends: fitted to the model, None for a model that cannot think
    tools: ToolChoice = field(default_factory=ToolChoice)
    format: Format = None

    def applied_to(self, conversation: Conversation) -> Conversation:
        conversation.model, conversation.system, conversation.options = self.model, self.system, self.options
        # A model that cannot think saves "off", as before levels: the choice comes back for a model that can.
        conversation.keep_alive, conversation.think = self.keep_alive, False if self.think is None else self.think
        conversation.tools, conversation.format = self.tools, self.format
        return conversation


def open_conversation(store: ChatStore) -> Conversation | None:
    """The open conversation, or None for a new chat.

    A new browser session (a reload) starts from the ``?chat=`` id in the address, so a refresh
    keeps the conversation; an id that cannot be opened (not a number, deleted, someone else's) is
    dropped from the address with a notice. One deleted later (e.g. in another tab) closes quietly.
    """
    from_address = state.CHAT_CONVERSATION not in st.session_state and QUERY_KEY in st.query_params
    if state.CHAT_CONVERSATION not in st.session_state:
        state.put(state.CHAT_CONVERSATION, parse_id(st.query_params.get(QUERY_KEY, "")))
    conversation_id = state.get(state.CHAT_CONVERSATION)
    conversation = store.get(conversation_id) if conversation_id is not None else None
    if conversation is None and conversation_id is not None:
        select(None)
    if from_address and conversation is None:
        st.toast(t("chat.address_ignored"), icon=":material/link_off:", duration="long")
    _sync_address(conversation.id if conversation else None)
    return conversation


def parse_id(text: str) -> int | None:
    """A conversation id from the address, else None.

    ASCII digits only: ``str.isdigit`` also accepts "²", which ``int()`` refuses, and ``int()``
    reads other scripts' digits ("١٢"), which no link of this app holds. At most SQLite's largest integer.
    """
    if not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


def _sync_address(conversation_id: int | None) -> None:
    if conversation_id is None:
        if QUERY_KEY in st.query_params:
            del st.query_params[QUERY_KEY]
    elif st.query_params.get(QUERY_KEY) != str(conversation_id):
        st.query_params[QUERY_KEY] = str(conversation_id)


def select(conversation_id: int | None) -> None:
    """Open a conversation (None: a new chat) and forget the per-conversation view state."""
    state.put(state.CHAT_CONVERSATION, conversation_id)
    state.put(state.CHAT_LOADED, None)
    state.put(state.CHAT_SAVED_SETTINGS, None)
    state.put(state.CHAT_SHOWN, SHOWN_AT_FIRST)
    state.put(state.CHAT_EDITING, None)
    state.put(state.CHAT_CONFIRM, None)
    state.put(state.CHAT_PENDING, False)


def load_settings(conversation: Conversation | None) -> None:
    """Put a conversation's model, system prompt, think choice and parameters into the widgets, once.

    Called before the widgets are drawn. A new chat keeps whatever is set.
    """
    if conversation is None or state.get(state.CHAT_LOADED) == conversation.id:
        return
    if conversation.model:
        st.session_state[state.CHAT_MODEL_INPUT] = conversation.model
    st.session_state[state.CHAT_SYSTEM_INPUT] = conversation.system
    if conversation.think is not None:
        st.session_state[state.CHAT_THINK_INPUT] = conversation.think  # fitted to the model when drawn
    options_panel.load(OPTIONS_PREFIX, conversation.options, conversation.keep_alive)
    state.put(state.CHAT_LOADED, conversation.id)


def save_changes(store: ChatStore, conversation: Conversation, settings: Settings) -> None:
    """Save the settings when this session changed them.

    Compared with what this session last loaded or saved, not with the database: two tabs on one
    conversation then do not overwrite each other's choices on every rerun, only when someone
    actually changes something.
    """
    last = state.get(state.CHAT_SAVED_SETTINGS)
    if last is not None and last[0] == conversation.id and last[1] != settings:
        store.save_settings(settings.applied_to(conversation))
    state.put(state.CHAT_SAVED_SETTINGS, (conversation.id, settings))


def question_sent() -> bool:
    """Whether this run brings a question from the chat box; readable before the box is drawn."""
    return bool(st.session_state.get(state.CHAT_PROMPT_INPUT))


def start(store: ChatStore, settings: Settings) -> Conversation:
    """Save a new conversation with the current settings (when its first message is sent)."""
    conversation = settings.applied_to(Conversation())
    conversation.id = store.create(conversation)
    state.put(state.CHAT_CONVERSATION, conversation.id)
    state.put(state.CHAT_LOADED, conversation.id)
    state.put(state.CHAT_SAVED_SETTINGS, (conversation.id, settings))
    _sync_address(conversation.id)
    return conversation


def answering() -> threading.Event:
    """Mark an answer as in flight; the streaming run sets the event once the answer is saved."""
    saved = threading.Event()
    state.put(state.CHAT_ANSWERING, saved)
    return saved


def wait_for_answer_in_flight(timeout: float = 5.0) -> None:
    """Let an interrupted answer finish saving before this run reads the conversation.

    With Streamlit's ``fastReruns`` (on by default) a click during streaming starts the next run
    at once, while the interrupted run is still unwinding; without this wait the new run could
    draw the conversation before the stopped answer is in it.
    """
    saved: threading.Event | None = state.get(state.CHAT_ANSWERING)
    if saved is not None:
        saved.wait(timeout)


def shown() -> int:
    return int(state.get(state.CHAT_SHOWN) or SHOWN_AT_FIRST)


def encode_images(files: list[Any]) -> list[str]:
    """Uploaded files as the plain base64 Ollama wants (no ``data:`` prefix)."""
    return [base64.b64encode(file.getvalue()).decode("ascii") for file in files]


# Button actions (on_click callbacks). They run in the script thread, in the session's language: the
# notices they leave are worded here, and shown once, in the run that follows the click.


def show_earlier() -> None:
    state.put(state.CHAT_SHOWN, shown() + SHOW_MORE)


def new_chat() -> None:
    select(None)


def switch_to(conversation_id: int) -> None:
    select(conversation_id)


P = ParamSpec("P")


def keep_failure(error: StoreFailed, finished: bool) -> None:
    """An answer could not be saved: raised for the entry script to show, if the answer ``finished``; else
    a Stop or a rerun is on its way out and must go on, and the next run shows the failure as its notice."""
    if finished:
        raise error
    _notice_failure(error)


def _notice_failure(error: StoreFailed) -> None:
    state.put(state.CHAT_NOTICE, ("error", str(error)))


def _reports_store_failure(action: Callable[P, None]) -> Callable[P, None]:
    """A button's action on the saved chats, whose database failure becomes the next run's notice.

    Streamlit runs these callbacks before the entry script, which handles the failures of the page itself.
    """

    @functools.wraps(action)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            action(*args, **kwargs)
        except StoreFailed as error:
            _notice_failure(error)

    return run


@_reports_store_failure
def answer_again(store: ChatStore, remove_ids: list[int]) -> None:
    """Retry or regenerate: drop the last answer (if any) and stream a new one."""
    if remove_ids:
        store.remove(remove_ids)
    state.put(state.CHAT_EDITING, None)
    state.put(state.CHAT_PENDING, True)


def start_editing(message_id: int, content: str) -> None:
    state.put(state.CHAT_EDITING, message_id)
    st.session_state[state.CHAT_EDIT_INPUT] = content


def cancel_editing() -> None:
    state.put(state.CHAT_EDITING, None)


@_reports_store_failure
def send_edit(store: ChatStore, conversation_id: int, message_id: int) -> None:
    text = st.session_state.get(state.CHAT_EDIT_INPUT, "")
    if not text.strip():
        state.put(state.CHAT_NOTICE, ("warning", t("chat.empty_edit")))
        return
    store.edit(message_id, text)
    store.remove_after(conversation_id, message_id)
    state.put(state.CHAT_EDITING, None)
    state.put(state.CHAT_PENDING, True)


@_reports_store_failure
def delete_pair(store: ChatStore, message_ids: list[int]) -> None:
    store.remove(message_ids)
    state.put(state.CHAT_EDITING, None)


def documents(store: ChatStore) -> DocumentStore:
    """The document library beside the saved chats (their folder's, or the shared database), as their owner sees it."""
    path = store.path.with_name(documents_store.FILE_NAME) if store.path is not None else None
    return DocumentStore(path, owner=store.owner)


def ask_to_confirm(action: str, conversation_id: int) -> None:
    state.put(state.CHAT_CONFIRM, (action, conversation_id))


def cancel_confirm() -> None:
    state.put(state.CHAT_CONFIRM, None)


@_reports_store_failure
def confirmed(store: ChatStore) -> None:
    action, conversation_id = state.get(state.CHAT_CONFIRM)
    state.put(state.CHAT_CONFIRM, None)
    if action == "delete":
        conversation = store.get(conversation_id)
        title = conversation.title if conversation and conversation.title else t("chat.the_chat")
        store.delete(conversation_id)
        documents(store).forget_conversation(conversation_id)
        select(None)
        state.put(state.CHAT_NOTICE, ("success", t("chat.deleted", title=title)))
    elif action == "clear":
        store.clear(conversation_id)
        select(conversation_id)


@_reports_store_failure
def rename(store: ChatStore, conversation_id: int, key: str) -> None:
    try:
        store.rename(conversation_id, st.session_state.get(key, ""))
    except ValueError as error:
        state.put(state.CHAT_NOTICE, ("warning", str(error)))


@_reports_store_failure
def import_file(store: ChatStore) -> None:
    uploaded = st.session_state.get(state.CHAT_IMPORT_INPUT)
    if uploaded is None:
        return
    try:
        conversation, messages = from_json(uploaded.getvalue())
    except ImportRejected as error:
        state.put(
            state.CHAT_NOTICE,
            ("error", t("chat_export.not_imported", name=uploaded.name, reason=message_of(error))),
        )
        return
    conversation_id = store.import_conversation(conversation, messages)
    select(conversation_id)
    count = len(messages)
    state.put(
        state.CHAT_NOTICE,
        (
            "success",
            t(
                "chat_export.imported",
                title=conversation.title,
                n=1 if count == 1 else whole_number(count),
            ),
        ),
    )
