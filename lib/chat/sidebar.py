"""The Chat page's sidebar: the saved chats with search, New chat, Import, and the open chat's panel.

The panel ("This chat") renames, exports, clears and deletes the open chat. A chat started by this
run's question is drawn into :class:`Places` kept for it, so the page needs no rerun.
"""

from __future__ import annotations

import functools
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import streamlit as st

from lib import i18n, state
from lib.access import visitor
from lib.chat import export as chat_export
from lib.chat import session as chat_session
from lib.chat import validation
from lib.chat.history import Conversation
from lib.chat.store import ChatStore, Summary
from lib.fleet import session as fleet
from lib.fleet.models import server_name
from lib.fleet.servers import Server
from lib.formatting import date_time, whole_number
from lib.i18n import escape, t
from lib.ui import shortcuts
from lib.ui.markdown_safety import escape_markdown

if TYPE_CHECKING:
    from streamlit.delta_generator import DeltaGenerator

LIST_LENGTH = 30


@dataclass(frozen=True)
class Places:
    """Places kept empty in the sidebar for the chat that this run's question starts.

    :func:`show_started` draws into them what the next run would draw, so the page needs no rerun
    (which would re-send it whole, the answer included) once the new chat's first answer is in.
    """

    entry: DeltaGenerator
    manage: DeltaGenerator


def draw(store: ChatStore, conversation: Conversation | None, *, starting: bool = False) -> Places | None:
    """The chat list and the current chat's panel.

    ``starting``: this run's question starts a new chat; "New chat" is then no longer the current
    one, and the places kept for the started chat are returned.
    """
    with st.sidebar:
        st.divider()
        st.markdown(f"**{t('chat.chats')}**", help=visitor.where_saved())
        st.button(
            t("chat.new_chat"),
            icon=":material/add_comment:",
            key="chat_new",
            shortcut=shortcuts.NEW_CHAT,
            width="stretch",
            on_click=chat_session.new_chat,
            type="primary" if conversation is None and not starting else "secondary",
        )
        search = st.text_input(
            t("chat.search"),
            key=state.CHAT_SEARCH_INPUT,
            placeholder=t("chat.search_placeholder"),
            label_visibility="collapsed",
        )
        found = store.summaries(search, limit=LIST_LENGTH)
        if search.strip() and not found:
            st.caption(t("chat.search_nothing"))
        entry = st.empty() if starting else None
        servers = fleet.servers()
        for summary in found:
            is_open = conversation is not None and summary.id == conversation.id
            _entry(summary, current=is_open, server=server_label(summary.server, servers))
        manage = st.empty() if starting else None
        if conversation is not None:
            _manage(store, conversation)
        with st.expander(t("chat.import"), icon=":material/upload_file:"):
            st.file_uploader(
                t("chat.import_label"),
                type=["json"],
                key=state.CHAT_IMPORT_INPUT,
                on_change=chat_session.import_file,
                args=(store,),
            )
    return Places(entry, manage) if entry is not None and manage is not None else None


def show_started(store: ChatStore, conversation_id: int, title: DeltaGenerator, places: Places) -> None:
    """Show a chat started in this run as the next run would: its title (named by its first question),
    the chat at the top of the list, and its panel."""
    conversation = store.get(conversation_id)
    if conversation is None:
        return
    title.title(escape_markdown(conversation.title) or t("chat.title"))
    newest = store.summaries(limit=1)
    if newest and newest[0].id == conversation.id and not st.session_state.get(state.CHAT_SEARCH_INPUT, "").strip():
        with places.entry.container():
            _entry(newest[0], current=True, server=server_label(newest[0].server, fleet.servers()))
    with places.manage.container():
        _manage(store, conversation)


def server_label(url: str, servers: list[Server]) -> str:
    """The name of the server a chat is on, for its line in the list; "" with one server (nothing to tell apart)
    and for a chat saved before servers were kept (it runs on the sidebar's)."""
    if len(servers) <= 1 or not url:
        return ""
    return server_name(url, servers)


def _entry(summary: Summary, *, current: bool, server: str = "") -> None:
    title = escape_markdown(summary.title) or t("chat.new_chat")
    st.button(
        f"{title} · {escape(server)}" if server else title,
        key=f"chat_open_{summary.id}",
        width="stretch",
        type="secondary" if current else "tertiary",
        icon=":material/chat_bubble:" if current else None,
        help=summary_help(summary),
        on_click=chat_session.switch_to,
        args=(summary.id,),
    )


def summary_help(summary: Summary) -> str:
    """A saved chat's tooltip in the list: its model, its length and when it last changed."""
    n = 1 if summary.messages == 1 else whole_number(summary.messages)
    updated = validation.sane_time(summary.updated_at)  # a saved time can be anything, even 1e300
    when = t("chat.unknown_time") if updated is None else date_time(datetime.fromtimestamp(updated, UTC))
    if summary.model:
        return t("chat.summary_help", model=summary.model, n=n, when=when)
    return t("chat.summary_help_no_model", n=n, when=when)


def _manage(store: ChatStore, conversation: Conversation) -> None:
    with st.expander(t("chat.manage"), icon=":material/settings:"):
        # The key follows the title, so the box shows a title set meanwhile (e.g. by the first message).
        key = f"{state.CHAT_RENAME_INPUT}_{conversation.id}_{zlib.crc32(conversation.title.encode())}"
        st.text_input(
            t("chat.rename"),
            value=conversation.title,
            key=key,
            on_change=chat_session.rename,
            args=(store, conversation.id, key),
        )
        # Streamlit makes the file in a thread of its own when clicked: the language and server names go along.
        lang = i18n.language()
        names = {server.url: server.name for server in fleet.servers()}
        row = st.container(horizontal=True)
        row.download_button(
            t("chat.export_json"),
            data=functools.partial(export, store, conversation.saved_id, "json", lang, names),
            file_name=file_name(conversation, "json"),
            mime="application/json",
            icon=":material/download:",
            on_click="ignore",
            key="chat_export_json",
        )
        row.download_button(
            t("chat.export_markdown"),
            data=functools.partial(export, store, conversation.saved_id, "md", lang, names),
            file_name=file_name(conversation, "md"),
            mime="text/markdown",
            icon=":material/download:",
            on_click="ignore",
            key="chat_export_md",
        )
        confirm = state.get(state.CHAT_CONFIRM)
        if confirm and confirm[1] == conversation.id:
            deleting = confirm[0] == "delete"
            st.warning(t("chat.confirm_delete") if deleting else t("chat.confirm_clear"), icon=":material/warning:")
            row = st.container(horizontal=True)
            row.button(
                t("chat.yes_delete") if deleting else t("chat.yes_clear"),
                type="primary",
                key="chat_confirm_yes",
                on_click=chat_session.confirmed,
                args=(store,),
            )
            row.button(t("chat.cancel"), key="chat_confirm_no", on_click=chat_session.cancel_confirm)
        else:
            row = st.container(horizontal=True)
            row.button(
                t("chat.clear"),
                icon=":material/clear_all:",
                key="chat_clear",
                on_click=chat_session.ask_to_confirm,
                args=("clear", conversation.id),
            )
            row.button(
                t("chat.delete"),
                icon=":material/delete:",
                key="chat_delete",
                on_click=chat_session.ask_to_confirm,
                args=("delete", conversation.id),
            )


def export(store: ChatStore, conversation_id: int, kind: str, lang: str, names: dict[str, str] | None = None) -> str:
    """A saved chat as the file an export button downloads: ``kind`` "json" or "md", in ``lang``; ``names``:
    the session's servers' names by address."""
    conversation = store.get(conversation_id) or Conversation(id=conversation_id)
    messages = store.messages(conversation_id)
    if kind == "json":
        return chat_export.to_json(conversation, messages, lang, names)
    return chat_export.to_markdown(conversation, messages, lang, names)


def file_name(conversation: Conversation, extension: str) -> str:
    """The downloaded file's name: the title in lower case, anything but letters and digits as dashes,
    cut to 40 characters ("chat" when nothing is left)."""
    stem = "".join(c if c.isalnum() else "-" for c in conversation.title.lower()).strip("-")[:40] or "chat"
    return f"{stem}.{extension}"
