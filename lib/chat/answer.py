"""The single chat's answer: sent, streamed into its bubble, saved whatever happens, and finished in place.

Model output is untrusted: it is always drawn through :mod:`lib.ui.live_markdown`.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

import streamlit as st

from lib import i18n, server_data, state
from lib.chat import retrieval
from lib.chat import session as chat_session
from lib.chat.history import (
    ASSISTANT,
    FAILED,
    USER,
    Conversation,
    Message,
    answer_message,
    api_messages,
    error_record,
    strip_data_url,
)
from lib.chat.messages import AVATARS, draw_actions, draw_footer
from lib.chat.session import Settings
from lib.chat.sources import Grounding
from lib.chat.store import AnswerExists, ChatStore, StoreFailed
from lib.documents import attach_view
from lib.documents.records import Document
from lib.documents.store import DocumentStore
from lib.formatting import human_seconds
from lib.i18n import t
from lib.ollama.client import OllamaClient
from lib.ollama.errors import OllamaError
from lib.ollama.stream import CHAT, CONTENT, ENDED, THINKING, WAITING, Request, Streams
from lib.ui.live_markdown import LiveMarkdown

logger = logging.getLogger(__name__)


def respond(
    store: ChatStore,
    client: OllamaClient,
    conversation: Conversation,
    settings: Settings,
    *,
    stop_button: bool,
    documents: DocumentStore | None = None,
) -> Any | None:
    """Answer the conversation's last message, or say why it cannot be sent (images to a model without vision).

    A conversation with ``documents`` attached is answered from their passages
    (:mod:`lib.chat.retrieval`); a question that cannot be searched gets a failed answer that says why.
    Returns the answer's bubble, or None when only a refusal was saved or the last message is
    already answered (nothing drawn).
    """
    history = store.messages(conversation.saved_id)
    if not history or history[-1].role != USER:
        return None  # answered meanwhile (another tab, or a click that raced this one): never a second answer
    capabilities = server_data.capabilities_of(client, settings.model)
    sees = not capabilities or "vision" in capabilities
    if history and history[-1].images and not sees:
        refusal = OllamaError("chat.no_vision", {"model": settings.model})
        store.add(
            conversation.saved_id,
            Message(ASSISTANT, "", status=FAILED, model=settings.model, error=error_record(refusal)),
        )
        return None
    think = settings.think if "thinking" in capabilities else None
    messages = api_messages(settings.system, history, images=sees)
    grounding: Grounding | None = None
    attached = documents.attached(conversation.saved_id) if documents is not None else []
    if documents is not None and attached:
        grounded = _grounded(store, client, documents, attached, conversation, settings, history, sees)
        if grounded is None:
            return None
        messages, grounding = grounded
    request = Request(
        CHAT,
        settings.model,
        {
            "messages": messages,
            "options": settings.options or None,
            "keep_alive": settings.keep_alive,
            "think": think,
        },
    )
    return stream_answer(
        store, conversation, settings, Streams(client, [request]), stop_button=stop_button, grounding=grounding
    )


def _grounded(
    store: ChatStore,
    client: OllamaClient,
    documents: DocumentStore,
    attached: list[Document],
    conversation: Conversation,
    settings: Settings,
    history: list[Message],
    sees: bool,
) -> tuple[list[dict[str, Any]], Grounding] | None:
    """The request's messages built on the passages that answer the last question, and the grounding to save
    with the answer; None when the app has answered already: the question could not be searched (a failed
    answer says why), or no passage was close enough (the app's own answer, no model asked)."""
    question = history[-1]
    try:
        with st.spinner(attach_view.searching(attached)):
            messages, grounding = retrieval.ground(
                client,
                documents,
                attached,
                question.content,
                api_messages(settings.system, history[:-1], images=sees),
                i18n.language(),
                attach_view.search_settings(),
                images=[strip_data_url(image) for image in question.images] if sees else None,
            )
    except OllamaError as error:
        failed = Message(
            ASSISTANT,
            "",
            status=FAILED,
            model=settings.model,
            error=error_record(error),
            grounding=retrieval.failed(attached),
        )
        store.add(conversation.saved_id, failed)
        return None
    if grounding.nothing_found:
        # Nothing close enough: the app answers itself, worded when shown (lib/documents/grounding.py,
        # NOTHING_FOUND), and no model is asked.
        store.add(conversation.saved_id, Message(ASSISTANT, "", grounding=grounding))
        return None
    return messages, grounding


def stream_answer(
    store: ChatStore,
    conversation: Conversation,
    settings: Settings,
    streams: Streams,
    *,
    stop_button: bool,
    grounding: Grounding | None = None,
) -> Any:
    """Show the answer as it streams and save it, whatever happens.

    Stop (the chat box's stop button, or ``stop_button`` for turns started by other buttons),
    a rerun or a closed tab interrupts the script at its next Streamlit call; the ``finally``
    then closes the request and saves what arrived, marked as stopped. No Streamlit call may
    run in that ``finally``: the interrupted script would be interrupted again. A rerun may
    already be running meanwhile (``fastReruns``): it waits for the ``answering`` event.
    ``grounding``: the documents' passages the request was built on, saved with the answer.
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
            streamed = streams.answers[0]
            for event in streams.events():
                if event.kind == WAITING:
                    if not (streamed.content or streamed.thinking):
                        waiting.caption(
                            ":material/hourglass_top: "
                            + t("chat.waiting", model=settings.model, time=human_seconds(event.seconds))
                        )
                        waiting_shown = True
                    continue
                if event.kind == ENDED:
                    continue  # a failure is shown by the run that follows; the waiting line stays till then
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
        server_data.note_request(settings.model, streams.answers[0].error)
        finished = True
    finally:
        try:
            streams.stop()
            message = answer_message(streams.answers[0], settings.model)
            message.grounding = grounding
            store.add(conversation.saved_id, message)
        except AnswerExists:
            logger.warning("A second answer to one question was not saved (conversation %s)", conversation.saved_id)
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
        draw_actions(store, window, 0)
    with answer:
        draw_footer(window[1], installed, functools.partial(draw_actions, store, window, 1))
    return True
