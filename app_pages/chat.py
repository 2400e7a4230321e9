"""Chat: talk with a model; answers stream in, can be stopped, and every conversation is saved."""

import streamlit as st

from lib import server_data, state
from lib.access import visitor
from lib.chat import answer as chat_answer
from lib.chat import compare as chat_compare
from lib.chat import compare_view as chat_compare_view
from lib.chat import dock as chat_dock
from lib.chat import messages as chat_messages
from lib.chat import session as chat_session
from lib.chat import settings_panel
from lib.chat import sidebar as chat_sidebar
from lib.chat.history import USER, Message
from lib.chat.store import StoreUnavailable
from lib.i18n import t
from lib.ui.markdown_safety import escape_markdown

store = visitor.chat_store()
try:
    store.ready()
except StoreUnavailable as error:
    st.error(str(error), icon=":material/database:")
    st.stop()
chat_session.wait_for_answer_in_flight()
client = server_data.client()
if chat_compare.mode() == chat_compare.COMPARE:
    st.title(t("chat.title"))
    chat_compare_view.mode_switch()
    chat_compare_view.draw(store, client)
    st.stop()

chat_compare.leave_address()
conversation = chat_session.open_conversation(store)
chat_session.load_settings(conversation)
places = chat_sidebar.draw(store, conversation, starting=conversation is None and chat_session.question_sent())

title = st.empty()
title.title(escape_markdown(conversation.title) if conversation and conversation.title else t("chat.title"))
chat_compare_view.mode_switch()
chat_sidebar.notice()
settings, installed = settings_panel.draw(client, conversation)
if conversation is not None and settings is not None:
    chat_session.save_changes(store, conversation, settings)

conversation_area = st.container()  # above the chat box, the last element the page draws
with chat_dock.dock():
    prompt = st.chat_input(
        settings_panel.prompt_placeholder(client, settings),
        key=state.CHAT_PROMPT_INPUT,
        submit_mode="stop",
        accept_file="multiple",
        file_type=list(chat_session.IMAGE_TYPES),
        disabled=settings is None,
    )
with conversation_area:
    waiting = conversation is not None and chat_messages.draw_history(
        store, conversation, installed, asking=bool(prompt)
    )
    if conversation is None and settings is not None and not prompt:
        st.caption(t("chat.start_hint"))

    pending = state.get(state.CHAT_PENDING)
    state.put(state.CHAT_PENDING, False)

    if prompt and settings is not None:
        if conversation is None:
            conversation = chat_session.start(store, settings)
        message = Message(USER, prompt.text, images=chat_session.encode_images(prompt.files))
        store.add(conversation.id, message)
        if places is not None:
            chat_sidebar.show_started(store, conversation.id, title, places)
        question = chat_messages.draw_message(message)
        answer = chat_answer.respond(store, client, conversation, settings, stop_button=False)
        # The answer finishes in place, instead of re-sending the whole page and the answer once more.
        if waiting or answer is None or not chat_answer.finish_turn(store, conversation, question, answer, installed):
            st.rerun()
    elif pending and conversation is not None and settings is not None:
        chat_answer.respond(store, client, conversation, settings, stop_button=True)
        st.rerun()
