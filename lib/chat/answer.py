"""The single chat's answer: sent, streamed into its bubble, saved whatever happens, and finished in place.

Model output is untrusted: it is always drawn through :mod:`lib.ui.live_markdown`.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, replace
from typing import Any

import streamlit as st

from lib import i18n, server_data, state
from lib.chat import retrieval
from lib.chat import session as chat_session
from lib.chat.history import (
    ASSISTANT,
    AWAITING,
    DONE,
    FAILED,
    STOPPED,
    USER,
    Conversation,
    Message,
    answer_message,
    api_messages,
    error_record,
    strip_data_url,
)
from lib.chat.messages import AVATARS, draw_actions, draw_footer, draw_json_answer
from lib.chat.session import Settings
from lib.chat.sources import Grounding
from lib.chat.store import AnswerExists, ChatStore, StoreFailed
from lib.documents import attach_view
from lib.documents.records import Document
from lib.documents.store import DocumentStore
from lib.formatting import human_seconds
from lib.i18n import t
from lib.ollama.client import OllamaClient
from lib.ollama.errors import ConnectionDropped, OllamaError, ServerUnreachable
from lib.ollama.stream import CHAT, CONTENT, ENDED, THINKING, WAITING, Request, Streams
from lib.tools import registry, steps, steps_view
from lib.tools.choice import ToolChoice
from lib.tools.lookup import Library
from lib.tools.steps import Round
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

    ``client``: the chat's own server's (``settings.server``); every answer is saved with that server.
    A conversation with ``documents`` attached is answered from their passages
    (:mod:`lib.chat.retrieval`), each searched on its own server (where it was indexed); a question that cannot
    be searched in any of them gets a failed answer that says why.
    An answer paused on the user's own tool goes on once every call has its result. Returns the
    answer's bubble, or None when only a refusal was saved or there is nothing to answer (nothing drawn).
    """
    settings = replace(settings, server=settings.server or client.base_url)  # as saved with the answers
    history = store.messages(conversation.saved_id)
    resumed: Message | None = None
    if history and history[-1].role == ASSISTANT and history[-1].status == AWAITING:
        if steps.waiting(history[-1].tools):
            return None  # still waiting for the user's result
        resumed, history = history[-1], history[:-1]
    if not history or history[-1].role != USER:
        return None  # answered meanwhile (another tab, or a click that raced this one): never a second answer
    capabilities = server_data.capabilities_of(client, settings.model)
    sees = not capabilities or "vision" in capabilities
    if resumed is None and history[-1].images and not sees:
        refusal = OllamaError("chat.no_vision", {"model": settings.model})
        store.add(
            conversation.saved_id,
            Message(
                ASSISTANT, "", status=FAILED, model=settings.model, error=error_record(refusal), server=settings.server
            ),
        )
        return None
    think = settings.think if "thinking" in capabilities else None
    messages = api_messages(settings.system, history, images=sees)
    grounding: Grounding | None = None
    attached = attach_view.placed(documents.attached(conversation.saved_id)) if documents is not None else []
    searchers = attach_view.clients_of(attached)
    if resumed is not None:
        grounding = resumed.grounding
        if grounding is not None and grounding.sent:
            messages = [dict(message) for message in grounding.sent]
    elif documents is not None and attached:
        grounded = _grounded(store, searchers, documents, attached, conversation, settings, history, sees)
        if grounded is None:
            return None
        messages, grounding = grounded
    toolbox: Toolbox | None = None
    if "tools" in capabilities and settings.tools:
        library = (
            Library(searchers, documents, attached, attach_view.search_settings()) if documents and attached else None
        )
        toolbox = Toolbox(settings.tools, registry.Context(library=library))
    fields = {
        "messages": messages,
        "options": settings.options or None,
        "keep_alive": settings.keep_alive,
        "think": think,
        "format": settings.format,
        "tools": toolbox.declarations() if toolbox else None,
    }
    return stream_answer(
        store,
        conversation,
        settings,
        Turn(client, fields, toolbox, resumed),
        stop_button=stop_button,
        grounding=grounding,
    )


@dataclass(frozen=True)
class Toolbox:
    """The tools a request offers and what running their calls may use."""

    choice: ToolChoice
    context: registry.Context

    def declarations(self) -> list[dict[str, Any]] | None:
        return registry.offered(self.choice, documents=self.context.library is not None) or None


@dataclass(frozen=True)
class Turn:
    """What an answer is asked with: the request's fields (its first ``messages``), the tools, and the answer
    it goes on from (paused on the user's tool), if any."""

    client: OllamaClient
    fields: dict[str, Any]
    toolbox: Toolbox | None = None
    resumed: Message | None = None


def _grounded(
    store: ChatStore,
    clients: retrieval.Clients,
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
                clients,
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
            server=settings.server,
        )
        store.add(conversation.saved_id, failed)
        return None
    if grounding.nothing_found:
        # Nothing close enough: the app answers itself, worded when shown (lib/documents/grounding.py,
        # NOTHING_FOUND), and no model is asked.
        store.add(conversation.saved_id, Message(ASSISTANT, "", grounding=grounding, server=settings.server))
        return None
    return messages, grounding


def stream_answer(
    store: ChatStore,
    conversation: Conversation,
    settings: Settings,
    turn: Turn,
    *,
    stop_button: bool,
    grounding: Grounding | None = None,
) -> Any:
    """Show the answer as it streams and save it, whatever happens.

    An answer that calls tools takes rounds: each call is run and shown as a step as it happens, the
    results go back (:func:`lib.tools.steps.replayed`) and the model is asked again, at most
    :data:`lib.tools.steps.MAX_ROUNDS` times; a call of the user's own tool pauses the answer
    (saved as :data:`AWAITING`) until they type its result.

    Stop (the chat box's stop button, or ``stop_button`` for turns started by other buttons),
    a rerun or a closed tab interrupts the script at its next Streamlit call, while streaming or
    between rounds; the ``finally`` then closes the request and saves what arrived, marked as
    stopped. No Streamlit call may run in that ``finally``: the interrupted script would be
    interrupted again. A rerun may already be running meanwhile (``fastReruns``): it waits for the
    ``answering`` event. ``grounding``: the documents' passages the request was built on, saved
    with the answer.
    """
    saved = chat_session.answering()
    finished = False
    rounds: list[Round] = [*turn.resumed.tools] if turn.resumed is not None else []
    streams: Streams | None = None
    ended = STOPPED  # how an answer whose last streamed part became a round ended, once known
    last_stats = None
    try:
        bubble = st.chat_message(ASSISTANT, avatar=AVATARS[ASSISTANT])
        with bubble:
            body = st.container()
            if stop_button:
                st.button(t("chat.stop"), icon=":material/stop:", key=state.CHAT_STOP_BUTTON, help=t("chat.stop_help"))
            with body:
                for each in rounds:
                    steps_view.draw_round(each)
            while True:
                messages = turn.fields["messages"] + steps.replayed(rounds, thinking=True)
                request = Request(CHAT, settings.model, {**turn.fields, "messages": messages})
                streams = Streams(turn.client, [request])
                with body:
                    shown = _show_stream(streams, settings)
                streamed = streams.answers[0]
                if turn.toolbox is None or not streamed.tool_calls or not streamed.complete:
                    break
                last_stats = streamed.stats()
                streams = None  # its text and calls are the round's now
                calls = streamed.tool_calls
                if len(rounds) >= steps.MAX_ROUNDS:
                    rounds.append(Round(streamed.content, streamed.thinking, registry.not_run(calls), not_run=True))
                    with body:
                        for step in rounds[-1].steps:
                            steps_view.draw_step(step, not_run=True)
                        steps_view.limit_reached()
                    ended = DONE
                    break
                current = Round(streamed.content, streamed.thinking)
                rounds.append(current)
                with body:
                    for call in calls[: registry.MAX_CALLS]:
                        with st.spinner(t("tools.running", name=_call_name(call))):
                            step = registry.run_call(call, turn.toolbox.choice, turn.toolbox.context)
                            current.steps.append(step)  # kept even if a Stop comes as the spinner ends
                        steps_view.draw_step(step)
                    for step in registry.too_many(calls):
                        current.steps.append(step)
                        steps_view.draw_step(step)
                if steps.waiting(rounds):  # the boxes for the user's results come with the answer's buttons
                    ended = AWAITING
                    break
            if streams is not None and settings.format is not None:
                with shown.container():
                    draw_json_answer(streams.answers[0].content, settings.format, streams.answers[0].complete)
        failure = streams.answers[0].error if streams is not None else None
        server_data.note_request(settings.model, failure)
        if isinstance(failure, (ServerUnreachable, ConnectionDropped)):
            server_data.forget_models()  # the server may have gone away: the model box asks every server again
        finished = True
    finally:
        try:
            if streams is not None:
                streams.stop()
                message = answer_message(streams.answers[0], settings.model, rounds, settings.format)
            else:
                message = Message(
                    ASSISTANT,
                    "",
                    stats=last_stats,
                    status=ended,
                    model=settings.model,
                    tools=rounds,
                    format=settings.format,
                )
            message.grounding = grounding
            message.server = settings.server
            if turn.resumed is not None and turn.resumed.id is not None:
                if not store.replace_answer(turn.resumed.id, message):
                    logger.warning("A paused answer was gone before it could go on (conversation %s)", conversation.id)
            else:
                store.add(conversation.saved_id, message)
        except AnswerExists:
            logger.warning("A second answer to one question was not saved (conversation %s)", conversation.saved_id)
        except StoreFailed as error:
            chat_session.keep_failure(error, finished)
        finally:
            saved.set()
    return bubble


def _call_name(call: Any) -> str:
    function = call.get("function") if isinstance(call, dict) else None
    name = function.get("name") if isinstance(function, dict) else None
    return name[:60] if isinstance(name, str) else "?"


def _show_stream(streams: Streams, settings: Settings) -> Any:
    """One request's thinking and text as they arrive, in the current container; returns the slot of the
    text (a JSON answer is shown there again, checked, once it is in)."""
    thinking_slot = st.empty()
    thinking_note = st.empty()
    answer_begun = False
    slot = st.empty()
    answer = LiveMarkdown(slot.container())
    waiting = st.empty()
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
                thinking = LiveMarkdown(thinking_slot.expander(t("chat.thinking"), icon=":material/psychology:"))
                # The thoughts stream folded away: a line says the model is at work until its answer begins.
                thinking_note.caption(f":material/psychology: {t('chat.thinking_now')}")
            thinking.append(event.text)
        elif event.kind == CONTENT:
            if thinking is not None and not answer_begun:
                thinking_note.empty()
            answer_begun = True
            answer.append(event.text)
    if waiting_shown and streamed.tool_calls:
        waiting.empty()
    if thinking is not None:
        thinking.finish()
        if not answer_begun:
            thinking_note.empty()
    answer.finish()
    return slot


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
