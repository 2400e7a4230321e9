"""The Chat page once its saved chats can be read: compare mode, or one conversation and its chat box.

The page is tuned for speed, so the order of its elements matters:

* the conversation is drawn into a container made before the chat box, which must stay the
  page's last element to stay docked at the bottom (:mod:`lib.chat.dock`);
* a new chat's first question has the chat's title, list entry and panel drawn in places kept
  for them (:class:`lib.chat.sidebar.Places`), and a question's answer is finished in place
  (:func:`lib.chat.answer.finish_turn`): neither needs a rerun, which would re-send the whole page.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import streamlit as st

from lib import state
from lib.chat import answer as chat_answer
from lib.chat import compare as chat_compare
from lib.chat import compare_view as chat_compare_view
from lib.chat import context_view, model_box, settings_panel
from lib.chat import dock as chat_dock
from lib.chat import messages as chat_messages
from lib.chat import servers as chat_servers
from lib.chat import session as chat_session
from lib.chat import sidebar as chat_sidebar
from lib.chat.history import USER, Conversation, Message
from lib.chat.session import Settings
from lib.chat.store import ChatStore
from lib.documents import attach_view, library_view
from lib.documents.store import DocumentStore
from lib.fleet import session as fleet
from lib.i18n import t
from lib.ui.markdown_safety import escape_markdown

if TYPE_CHECKING:
    from streamlit.delta_generator import DeltaGenerator
    from streamlit.elements.widgets.chat import ChatInputValue


def draw(store: ChatStore) -> None:
    """Everything the Chat page shows below the shared frame, in compare mode or for one conversation."""
    chat_session.wait_for_answer_in_flight()
    if chat_compare.mode() == chat_compare.COMPARE:
        st.title(t("chat.title"))
        chat_compare_view.mode_switch()
        chat_compare_view.draw(store)
        # Stopped rather than returned: a stopped run keeps the values of widgets it did not draw,
        # so the single chat's model, system prompt and parameters are still set on the way back.
        st.stop()
    _single_chat(store)


def _single_chat(store: ChatStore) -> None:
    """One conversation. Its answers come from its own server's client (the model box's choice); each of its
    documents is searched on the server it was indexed on."""
    chat_compare.leave_address()
    conversation = chat_session.open_conversation(store)
    chat_session.load_settings(conversation)
    documents = library_view.visitor_store()
    places = chat_sidebar.draw(store, conversation, starting=conversation is None and chat_session.question_sent())

    title = st.empty()
    title.title(escape_markdown(conversation.title) if conversation and conversation.title else t("chat.title"))
    chat_compare_view.mode_switch()
    notice()
    panel = settings_panel.draw(conversation)
    settings, installed = panel.settings, panel.installed
    client = panel.client  # the chosen server's, for what the page shows about the model
    if conversation is not None:
        chat_session.save_changes(store, conversation, settings)

    if state.get(state.CHAT_PENDING) and conversation is not None:
        # Retry, regenerate or edit: the click may have raced an answer that was still being saved (the
        # wait above let it finish), so the last question's answers go now, before the history is drawn.
        store.drop_answers_after_last_question(conversation.saved_id)
    conversation_area = st.container()  # above the chat box, the last element the page draws
    # A question sent as the chat's server went away: the box is drawn disabled below, and a disabled box drops it.
    typed = st.session_state.get(state.CHAT_PROMPT_INPUT) if settings is None else None
    context = context_view.fill(store, client, conversation, settings) if client is not None else None
    with chat_dock.dock():
        bar = st.empty()
        context_view.draw_bar(bar, context)
        chat_dock.prompt_library()
        attach_view.draw(store, documents, conversation, settings)
        prompt = st.chat_input(
            settings_panel.prompt_placeholder(panel),
            key=state.CHAT_PROMPT_INPUT,
            submit_mode="stop",
            accept_file="multiple",
            file_type=list(chat_session.IMAGE_TYPES),
            disabled=settings is None,
        )
        prompt = prompt or chat_dock.sent()
    with conversation_area:
        waiting = conversation is not None and chat_messages.draw_history(
            store, conversation, installed, asking=bool(prompt), unseen=context.unseen if context else frozenset()
        )
        if not prompt:
            context_view.draw_truncation(context)
        if conversation is None and settings is not None and not prompt:
            st.caption(t("chat.start_hint"))

        pending = state.get(state.CHAT_PENDING)
        state.put(state.CHAT_PENDING, False)
        sent = typed or prompt
        if sent and settings is None and (conversation is not None or panel.held is not None):
            _keep_unanswered(store, conversation, panel.held, sent)

        if prompt and settings is not None:
            _ask(
                store,
                documents,
                conversation,
                settings,
                prompt,
                (title, panel.route_slot),
                places,
                installed,
                (bar, context),
                waiting=waiting,
            )
        elif pending and conversation is not None and settings is not None:
            chat_answer.respond(
                store,
                chat_servers.client_of(settings.server),
                conversation,
                settings,
                stop_button=True,
                documents=documents,
            )
            st.rerun()


def _keep_unanswered(
    store: ChatStore, conversation: Conversation | None, held: Settings | None, sent: ChatInputValue
) -> None:
    """A question sent as the chat's server went away: kept with the chat (a new one is started on that server),
    where "Answer this message" answers it once a server can."""
    kept = Message(USER, sent.text, images=chat_session.encode_images(sent.files))
    if conversation is None:
        assert held is not None
        conversation = chat_session.start(store, held)
        store.add(conversation.saved_id, kept)
        st.rerun()  # the new chat's title, list entry and address
    store.add(conversation.saved_id, kept)
    chat_messages.draw_message(kept)


def _ask(
    store: ChatStore,
    documents: DocumentStore,
    conversation: Conversation | None,
    settings: Settings,
    prompt: ChatInputValue,
    slots: tuple[DeltaGenerator, DeltaGenerator | None],
    places: chat_sidebar.Places | None,
    installed: set[str] | None,
    context: tuple[DeltaGenerator, context_view.Fill | None],
    *,
    waiting: bool,
) -> None:
    """Save the question from the chat box (starting the chat if it is new), draw it and stream its answer.

    ``slots``: the page's title, and where a chat on "any server" says which server it was sent to. ``context``:
    the slot of the context bar and the figures before the question; the bar is drawn again with the answer's.
    ``waiting``: the conversation already ended with a question left unanswered; the page is then drawn again,
    as finishing in place covers only the new question and its answer. So is a chat saved before its first
    question (by adding documents to it): the question names it, and the title and the sidebar's list show
    that name.
    """
    untitled = conversation is not None and not conversation.title
    title, route_slot = slots
    if conversation is None:
        conversation = chat_session.start(store, settings)
        settings = replace(settings, server=conversation.server)  # where a chat on "any server" was routed
        routed = state.get(state.CHAT_ROUTE)
        if route_slot is not None and routed is not None and routed[0] == conversation.id:
            model_box.show_route(route_slot, routed[1], fleet.servers())
    client = chat_servers.client_of(settings.server)
    message = Message(USER, prompt.text, images=chat_session.encode_images(prompt.files))
    store.add(conversation.saved_id, message)
    if places is not None:
        chat_sidebar.show_started(store, conversation.saved_id, title, places)
    question = chat_messages.draw_message(message)
    bar, before = context
    context_view.warn_before_answer(before, prompt.text)
    answer = chat_answer.respond(
        store,
        client,
        conversation,
        settings,
        stop_button=False,
        documents=documents,
    )
    # The answer finishes in place, instead of re-sending the whole page and the answer once more.
    if untitled or waiting or answer is None:
        st.rerun()
    if not chat_answer.finish_turn(store, conversation, question, answer, installed):
        st.rerun()
    after = context_view.fill(store, client, conversation, settings, fresh=True)
    if after is not None and after.truncation is not None:
        st.rerun()  # rare: the messages the answer did not see are marked, all through the conversation
    context_view.draw_bar(bar, after)


def notice() -> None:
    """The one-time message an action left for this run (an import's result, a refusal), worded by the action."""
    shown: Any = state.get(state.CHAT_NOTICE)
    if not shown:
        return
    state.put(state.CHAT_NOTICE, None)
    kind, text = shown
    {"success": st.success, "warning": st.warning, "error": st.error}[kind](text)
