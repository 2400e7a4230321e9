"""The Chat page's pieces of screen: settings, messages with their actions, the streaming answer, the sidebar.

Model output is untrusted: it is always drawn through :mod:`lib.ui.live_markdown`.
"""

from __future__ import annotations

import base64
import binascii
import functools
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import streamlit as st

from lib import i18n, server_data, state
from lib.access import visitor
from lib.chat import export as chat_export
from lib.chat import session as chat_session
from lib.chat.history import (
    ASSISTANT,
    FAILED,
    STOPPED,
    USER,
    Conversation,
    Message,
    api_messages,
    describe_stats,
    error_record,
    needs_answer,
    pair_ids,
    saved_error_text,
)
from lib.chat.session import Settings
from lib.chat.store import ChatStore, StoreFailed, Summary
from lib.chat.turn import CONTENT, THINKING, WAITING, Turn
from lib.formatting import date_time, human_seconds, whole_number
from lib.i18n import t
from lib.ollama.client import OllamaClient
from lib.ollama.errors import OllamaError
from lib.parameters import panel as options_panel
from lib.ui import navigation, widgets
from lib.ui.errors import error_text
from lib.ui.live_markdown import LiveMarkdown, render_markdown
from lib.ui.markdown_safety import escape_markdown

if TYPE_CHECKING:
    from streamlit.delta_generator import DeltaGenerator

AVATARS = {USER: ":material/person:", ASSISTANT: ":material/smart_toy:"}
THUMBNAIL_WIDTH = 160
SIDEBAR_LIST_LENGTH = 30


# Settings


def settings_panel(client: OllamaClient, conversation: Conversation | None) -> tuple[Settings | None, set[str] | None]:
    """Model, think toggle, system prompt and parameters. Returns the settings (None when no model
    can be used) and the installed chat models (None when the server cannot be asked)."""
    try:
        installed: set[str] | None = set(server_data.models_with(client, "completion"))
        problem = None
    except OllamaError as error:
        installed, problem = None, error
    names = sorted(installed or [])
    saved = conversation.model if conversation else ""
    if saved and saved not in names:
        names.append(saved)
    if problem is not None:
        st.warning(t("chat.offline", problem=error_text(problem)), icon=":material/cloud_off:")
    elif not names:
        st.info(t("chat.no_models"), icon=":material/info:")
        return None, installed
    if not names:
        return None, installed
    widgets.ensure_choice(state.CHAT_MODEL_INPUT, names)
    capabilities = server_data.capabilities_of(client, st.session_state[state.CHAT_MODEL_INPUT])
    top = st.columns([3, 1], vertical_alignment="bottom")
    model = top[0].selectbox(t("chat.model"), names, key=state.CHAT_MODEL_INPUT, help=t("chat.model_help"))
    thinks = "thinking" in capabilities
    think = top[1].toggle(
        t("chat.think"),
        key=state.CHAT_THINK_INPUT,
        disabled=not thinks,
        help=t("chat.think_help") if thinks else t("chat.think_unavailable"),
    )
    if installed is not None and model not in installed:
        st.warning(t("chat.not_installed", model=escape_markdown(model)), icon=":material/warning:")
        models_link(model)
    with st.expander(t("chat.settings"), icon=":material/tune:"):
        system = st.text_area(
            t("chat.system"),
            key=state.CHAT_SYSTEM_INPUT,
            height=80,
            placeholder=t("chat.system_placeholder"),
            help=t("chat.system_help"),
        )
        chosen = options_panel.render(chat_session.OPTIONS_PREFIX)
    if chosen.error:
        st.warning(t("chat.fix_parameter"), icon=":material/tune:")
        return None, installed
    return Settings(model, system or "", chosen.options, chosen.keep_alive, bool(think) and thinks), installed


def prompt_placeholder(client: OllamaClient, settings: Settings | None) -> str:
    """What the chat box says before typing: the model, and whether images can be attached for it."""
    if settings is None:
        return t("chat.choose_model_first")
    capabilities = server_data.capabilities_of(client, settings.model)
    if capabilities and "vision" not in capabilities:
        return t("chat.placeholder_text_only", model=settings.model)
    if "vision" in capabilities:
        return t("chat.placeholder_images", model=settings.model)
    return t("chat.placeholder", model=settings.model)


def models_link(model: str) -> None:
    st.page_link(
        navigation.MODELS,
        label=t("chat.pull_link"),
        icon=":material/download:",
        help=t("chat.pull_link_help", model=escape_markdown(model)),
    )


# Messages


def history(store: ChatStore, conversation: Conversation, installed: set[str] | None, *, asking: bool = False) -> bool:
    """Draw the latest messages, with "show earlier" above them when there are more.

    ``asking``: a new question follows in this run, so the last messages get no Edit, Regenerate
    or Answer buttons (they would act on a turn that is no longer the last). Returns whether the
    conversation was waiting for an answer.
    """
    total = store.count(conversation.saved_id)
    window = store.messages(conversation.saved_id, last=chat_session.shown())
    hidden = total - len(window)
    if hidden > 0:
        st.button(
            t("chat.show_earlier", n=whole_number(hidden)),
            icon=":material/expand_less:",
            key="chat_show_earlier",
            on_click=chat_session.show_earlier,
        )
    last_user = None if asking else max((index for index, m in enumerate(window) if m.role == USER), default=None)
    for index, message in enumerate(window):
        if message.id == state.get(state.CHAT_EDITING):
            _edit_box(store, conversation, message)
            continue
        draw_message(
            message,
            installed,
            actions=functools.partial(_actions, store, window, index, index == last_user, not asking),
        )
    waiting = needs_answer(window)
    if waiting and not asking and not state.get(state.CHAT_PENDING):
        st.button(
            t("chat.answer"),
            icon=":material/send:",
            key="chat_answer",
            on_click=chat_session.answer_again,
            args=(store, []),
        )
    return waiting


def draw_message(message: Message, installed: set[str] | None = None, actions: Callable[[], None] | None = None) -> Any:
    """A saved message in its bubble; returns the bubble, so a turn drawn before it was saved can finish it."""
    bubble = st.chat_message(message.role, avatar=AVATARS[message.role])
    with bubble:
        if message.thinking:
            with st.expander(t("chat.thinking"), icon=":material/psychology:"):
                render_markdown(message.thinking)
        if message.content:
            render_markdown(message.content)
        if message.images:
            thumbnails(message.images)
        draw_footer(message, installed, actions)
    return bubble


def draw_footer(message: Message, installed: set[str] | None, actions: Callable[[], None] | None) -> None:
    """Below a message's text: stopped or failed, the figures, the buttons."""
    if message.status == STOPPED:
        st.caption(f":material/stop_circle: {t('chat.stopped')}")
    if message.status == FAILED:
        st.error(saved_error_text(message.error) or t("chat.failed"), icon=":material/error:")
        if installed is not None and message.model and message.model not in installed:
            models_link(message.model)
        elif message.content or message.thinking:
            st.caption(t("chat.partial_kept"))
    line = describe_stats(message.stats)
    if line:
        st.caption(f"{escape_markdown(message.model) + ' · ' if message.model else ''}{line}")
    if actions is not None:
        actions()


def thumbnails(images: list[str]) -> None:
    decoded = []
    for image in images:
        try:
            decoded.append(base64.b64decode(image))
        except (binascii.Error, ValueError):
            continue
    if decoded:
        st.image(decoded, width=THUMBNAIL_WIDTH)


def _actions(store: ChatStore, window: list[Message], index: int, last_user: bool, last_turn: bool = True) -> None:
    """Edit (the last question only) and Delete under a question; Retry or Regenerate under the last answer."""
    message = window[index]
    is_last = last_turn and index == len(window) - 1
    if message.role == USER:
        row = st.container(horizontal=True, gap="small")
        if last_user:
            row.button(
                t("chat.edit"),
                icon=":material/edit:",
                key=f"chat_edit_{message.id}",
                type="tertiary",
                help=t("chat.edit_help"),
                on_click=chat_session.start_editing,
                args=(message.id, message.content),
            )
        row.button(
            t("chat.delete"),
            icon=":material/delete:",
            key=f"chat_delete_{message.id}",
            type="tertiary",
            help=t("chat.delete_pair_help"),
            on_click=chat_session.delete_pair,
            args=(store, pair_ids(window, message.id) if message.id is not None else []),
        )
    elif is_last:
        failed = message.status == FAILED
        st.button(
            t("chat.retry") if failed else t("chat.regenerate"),
            icon=":material/replay:" if failed else ":material/refresh:",
            key=f"chat_again_{message.id}",
            type="tertiary",
            help=t("chat.again_help"),
            on_click=chat_session.answer_again,
            args=(store, [message.id]),
        )


def _edit_box(store: ChatStore, conversation: Conversation, message: Message) -> None:
    with st.chat_message(USER, avatar=AVATARS[USER]):
        st.text_area(t("chat.edit_label"), key=state.CHAT_EDIT_INPUT, height=100)
        if message.images:
            thumbnails(message.images)
        row = st.container(horizontal=True, gap="small")
        row.button(
            t("chat.send"),
            icon=":material/send:",
            type="primary",
            key="chat_edit_send",
            on_click=chat_session.send_edit,
            args=(store, conversation.id, message.id),
        )
        row.button(t("chat.cancel"), key="chat_edit_cancel", on_click=chat_session.cancel_editing)


# Streaming


def respond(
    store: ChatStore, client: OllamaClient, conversation: Conversation, settings: Settings, *, stop_button: bool
) -> Any | None:
    """Answer the conversation's last message, or say why it cannot be sent (images to a model without vision).

    Returns the answer's bubble, or None when only a refusal was saved (nothing drawn).
    """
    history = store.messages(conversation.saved_id)
    capabilities = server_data.capabilities_of(client, settings.model)
    sees = not capabilities or "vision" in capabilities
    if history and history[-1].images and not sees:
        refusal = OllamaError("chat.no_vision", {"model": settings.model})
        store.add(
            conversation.saved_id,
            Message(ASSISTANT, "", status=FAILED, model=settings.model, error=error_record(refusal)),
        )
        return None
    think: bool | None = settings.think if "thinking" in capabilities else None
    turn = Turn(
        client,
        settings.model,
        api_messages(settings.system, history, images=sees),
        options=settings.options or None,
        keep_alive=settings.keep_alive,
        think=think,
    )
    return stream_answer(store, conversation, settings, turn, stop_button=stop_button)


def stream_answer(
    store: ChatStore, conversation: Conversation, settings: Settings, turn: Turn, *, stop_button: bool
) -> Any:
    """Show the answer as it streams and save it, whatever happens.

    Stop (the chat box's stop button, or ``stop_button`` for turns started by other buttons),
    a rerun or a closed tab interrupts the script at its next Streamlit call; the ``finally``
    then closes the request and saves what arrived, marked as stopped. No Streamlit call may
    run in that ``finally``: the interrupted script would be interrupted again. A rerun may
    already be running meanwhile (``fastReruns``): it waits for the ``answering`` event.
    """
    saved = chat_session.answering()
    finished = False
    try:
        bubble = st.chat_message(ASSISTANT, avatar=AVATARS[ASSISTANT])
        with bubble:
            thinking_slot = st.empty()
            answer = LiveMarkdown(st.container())
            waiting = st.empty()
            if stop_button:
                st.button(t("chat.stop"), icon=":material/stop:", key=state.CHAT_STOP_BUTTON, help=t("chat.stop_help"))
            thinking: LiveMarkdown | None = None
            waiting_shown = False
            for event in turn.events():
                if event.kind == WAITING:
                    if not (turn.outcome.content or turn.outcome.thinking):
                        waiting.caption(
                            ":material/hourglass_top: "
                            + t(
                                "chat.waiting", model=escape_markdown(settings.model), time=human_seconds(event.seconds)
                            )
                        )
                        waiting_shown = True
                    continue
                if waiting_shown:
                    waiting.empty()
                    waiting_shown = False
                if event.kind == THINKING:
                    if thinking is None:
                        thinking = LiveMarkdown(
                            thinking_slot.expander(t("chat.thinking"), icon=":material/psychology:")
                        )
                    thinking.append(event.text)
                elif event.kind == CONTENT:
                    answer.append(event.text)
            if thinking is not None:
                thinking.finish()
            answer.finish()
        finished = True
    finally:
        try:
            turn.cancel()
            outcome = turn.outcome
            store.add(
                conversation.saved_id,
                Message(
                    ASSISTANT,
                    outcome.content,
                    thinking=outcome.thinking,
                    stats=outcome.stats,
                    status=outcome.status,
                    error=error_record(outcome.error) if outcome.error else "",
                    model=settings.model,
                ),
            )
        except StoreFailed as error:
            chat_session.keep_failure(error, finished)
        finally:
            saved.set()
    return bubble


def finish_turn(
    store: ChatStore, conversation: Conversation, question: Any, answer: Any, installed: set[str] | None
) -> bool:
    """Add to a question and answer drawn while streaming what a rerun would draw under them.

    Saves re-sending the whole page after every answer. Returns False, drawing nothing, when the
    conversation does not end with that turn (e.g. another tab added to it meanwhile).
    """
    window = store.messages(conversation.saved_id, last=2)
    if [m.role for m in window] != [USER, ASSISTANT]:
        return False
    with question:
        _actions(store, window, 0, True)
    with answer:
        draw_footer(window[1], installed, functools.partial(_actions, store, window, 1, False))
    return True


# Sidebar


@dataclass(frozen=True)
class Places:
    """Places kept empty in the sidebar for the chat that this run's question starts.

    :func:`show_started` draws into them what the next run would draw, so the page needs no rerun
    (which would re-send it whole, the answer included) once the new chat's first answer is in.
    """

    entry: DeltaGenerator
    manage: DeltaGenerator


def sidebar(store: ChatStore, conversation: Conversation | None, *, starting: bool = False) -> Places | None:
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
        found = store.summaries(search, limit=SIDEBAR_LIST_LENGTH)
        if search.strip() and not found:
            st.caption(t("chat.search_nothing"))
        entry = st.empty() if starting else None
        for summary in found:
            _entry(summary, current=conversation is not None and summary.id == conversation.id)
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
            _entry(newest[0], current=True)
    with places.manage.container():
        _manage(store, conversation)


def _entry(summary: Summary, *, current: bool) -> None:
    st.button(
        escape_markdown(summary.title) or t("chat.new_chat"),
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
    when = date_time(datetime.fromtimestamp(summary.updated_at, UTC))
    if summary.model:
        return t("chat.summary_help", model=escape_markdown(summary.model), n=n, when=when)
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
        # Streamlit makes the file in a thread of its own when clicked: the language goes along.
        lang = i18n.language()
        row = st.container(horizontal=True)
        row.download_button(
            t("chat.export_json"),
            data=functools.partial(_export, store, conversation.saved_id, "json", lang),
            file_name=_file_name(conversation, "json"),
            mime="application/json",
            icon=":material/download:",
            on_click="ignore",
            key="chat_export_json",
        )
        row.download_button(
            t("chat.export_markdown"),
            data=functools.partial(_export, store, conversation.saved_id, "md", lang),
            file_name=_file_name(conversation, "md"),
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


def _export(store: ChatStore, conversation_id: int, kind: str, lang: str) -> str:
    conversation = store.get(conversation_id) or Conversation(id=conversation_id)
    messages = store.messages(conversation_id)
    if kind == "json":
        return chat_export.to_json(conversation, messages, lang)
    return chat_export.to_markdown(conversation, messages, lang)


def _file_name(conversation: Conversation, extension: str) -> str:
    stem = "".join(c if c.isalnum() else "-" for c in conversation.title.lower()).strip("-")[:40] or "chat"
    return f"{stem}.{extension}"


def notice() -> None:
    """The one-time message an action left for this run (an import's result, a refusal), worded by the action."""
    shown: Any = state.get(state.CHAT_NOTICE)
    if not shown:
        return
    state.put(state.CHAT_NOTICE, None)
    kind, text = shown
    {"success": st.success, "warning": st.warning, "error": st.error}[kind](text)
