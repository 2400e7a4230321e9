"""Saved messages on screen: the latest of a conversation, each in its bubble with its footer and buttons.

Model output is untrusted: it is always drawn through :mod:`lib.ui.live_markdown`.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import logging
from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from lib import state
from lib.chat import session as chat_session
from lib.chat import validation
from lib.chat.history import (
    ASSISTANT,
    AWAITING,
    CUT_OFF,
    DONE,
    FAILED,
    STOPPED,
    USER,
    Conversation,
    Format,
    Message,
    describe_stats,
    needs_answer,
    pair_ids,
    saved_error_text,
    strip_data_url,
)
from lib.chat.store import ChatStore, StoreFailed
from lib.chat.validation import Problem
from lib.documents import sources_view
from lib.fleet import session as fleet
from lib.fleet.models import ModelRef, label, server_name
from lib.fleet.servers import Server
from lib.formatting import whole_number
from lib.i18n import Markdown, escape, markdown, t
from lib.ollama.errors import OllamaError
from lib.tools import steps, steps_view
from lib.ui import format_control, navigation, shortcuts
from lib.ui.errors import error_text
from lib.ui.format_control import OutputFormat
from lib.ui.live_markdown import render_markdown

AVATARS = {USER: ":material/person:", ASSISTANT: ":material/smart_toy:"}
THUMBNAIL_WIDTH = 160
logger = logging.getLogger(__name__)


def draw_history(
    store: ChatStore,
    conversation: Conversation,
    installed: set[str] | None,
    *,
    asking: bool = False,
    unseen: frozenset[int] = frozenset(),
) -> bool:
    """Draw the latest messages, with "show earlier" above them when there are more.

    ``asking``: a new question follows in this run, so the last messages get no Edit, Regenerate
    or Answer buttons (they would act on a turn that is no longer the last). ``unseen``: ids of the messages
    the last answer's prompt left out (:mod:`lib.chat.context`), marked so. Returns whether the
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
    if conversation.damaged:
        st.warning(
            t("chat_import.stored_settings", problem=validation.first_problem(conversation.damaged)),
            icon=":material/tune:",
        )
    for index, message in enumerate(window):
        if index == len(window) - 1 and resuming(message):
            continue  # this run goes on with it, in a bubble of its own
        if message.id == state.get(state.CHAT_EDITING):
            _edit_box(store, conversation, message)
            continue
        try:
            draw_message(
                message,
                installed,
                actions=functools.partial(draw_actions, store, window, index, not asking),
                unseen=message.id in unseen,
            )
        except Exception:  # a saved message no check foresaw: a sentence in its place, the page goes on
            logger.exception("Saved message %s could not be drawn", message.id)
            st.error(t("chat_import.message_not_shown"), icon=":material/broken_image:")
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


def draw_message(
    message: Message,
    installed: set[str] | None = None,
    actions: Callable[[], None] | None = None,
    *,
    unseen: bool = False,
) -> Any:
    """A saved message in its bubble; returns the bubble, so a turn drawn before it was saved can finish it.

    What of a saved message cannot be shown (an image that does not decode, figures that are not
    numbers) is left out, with a sentence in its place.
    """
    bubble = st.chat_message(message.role, avatar=AVATARS[message.role])
    with bubble:
        if unseen:
            st.caption(f":material/visibility_off: {t('chat_context.unseen')}")
        for each in message.tools:
            steps_view.draw_round(each)
        if message.thinking:
            with st.expander(t("chat.thinking"), icon=":material/psychology:"):
                render_markdown(message.thinking)
        if message.content and message.format is not None:
            draw_json_answer(message.content, message.format, message.status == DONE)
        elif message.content:
            render_markdown(message.content)
        damaged = [*message.damaged, *(thumbnails(message.images) if message.images else [])]
        if damaged:
            st.caption(
                f":material/broken_image: {t('chat_import.stored_part', problem=validation.first_problem(damaged))}"
            )
        draw_footer(message, installed, actions)
    return bubble


def resuming(message: Message) -> bool:
    """Whether this run goes on with ``message``: an answer paused on the user's tool, now given every result."""
    return (
        bool(state.get(state.CHAT_PENDING))
        and message.role == ASSISTANT
        and message.status == AWAITING
        and not steps.waiting(message.tools)
    )


def draw_json_answer(text: str, output_format: Format, complete: bool) -> None:
    """An answer asked for as JSON, shown as every chat shows one (:func:`lib.ui.format_control.show_answer`)."""
    format_control.show_answer(text, OutputFormat.of(output_format), complete=complete)


def draw_footer(message: Message, installed: set[str] | None, actions: Callable[[], None] | None) -> None:
    """Below a message's text: stopped or failed, the figures, the buttons."""
    if message.status == STOPPED:
        st.caption(f":material/stop_circle: {t('chat.stopped')}")
    reason = why_short(message)
    if reason is not None:
        st.caption(markdown(":material/content_cut: " + reason))
    if message.status == FAILED:
        said = markdown(saved_error_text(message.error)) if message.error else t("chat.failed")
        st.error(on_server(said, message.server, fleet.servers()), icon=":material/error:")
        if installed is not None and message.model and message.model not in installed:
            models_link(message.model)
        elif message.content or message.thinking:
            st.caption(t("chat.partial_kept"))
    sources_view.draw(message)
    line = describe_stats(message.stats)
    if line:
        servers = fleet.servers()
        named = escape(message.model)
        if message.model and message.server and len(servers) > 1:
            named = escape(label(ModelRef(message.model, message.server), servers))
        st.caption(" · ".join([named, line] if message.model else [line]))
    if actions is not None:
        actions()


def failure_text(error: OllamaError, url: str, servers: Sequence[Server]) -> Markdown:
    """A failed request's sentence; with several servers it names the server asked (:func:`on_server`)."""
    return on_server(error_text(error), url, servers)


def on_server(said: Markdown, url: str, servers: Sequence[Server]) -> Markdown:
    """``said`` (a failure's sentence) beginning with the server's name when there are several servers: which one
    failed matters then ("On **gpu**: Nothing is answering at …")."""
    if len(servers) <= 1 or not url:
        return said
    return t("chat_fleet.failed_on", server=server_name(url, servers), error=said)


def why_short(message: Message) -> str | None:
    """Why a finished answer is empty or cut short, when it can be known; ``None`` for a whole answer."""
    empty = not message.content.strip() and not message.thinking.strip()
    if message.status == CUT_OFF:
        if empty:
            prompt = message.stats.prompt_tokens if message.stats else None
            return t("chat.context_full", n=prompt) if prompt else t("chat.context_full_unknown")
        return t("chat.cut_off")
    if message.status == DONE and empty and not (message.grounding and message.grounding.nothing_found):
        return t("chat.empty_answer")
    return None


def thumbnails(images: list[str]) -> list[Problem]:
    """The attached images, small. One that is not a PNG, JPEG or WebP picture that decodes (a saved
    chat can hold anything) is left out; returns a problem for each left out, to say so in its place."""
    pictures: list[bytes] = []
    problems: list[Problem] = []
    for index, image in enumerate(images):
        try:
            pictures.append(_checked_image(image))
        except validation.Invalid as error:
            problems.append(Problem(("images", index), error.problem.key, error.problem.values))
    if pictures:
        st.image(pictures, width=THUMBNAIL_WIDTH)
    return problems


# Checking an image means decoding it: each image's verdict is remembered by its digest, so drawing
# a chat again (every rerun) does not decode its images twice each time.
_VERDICTS: dict[bytes, Problem | None] = {}
_VERDICTS_KEPT = 1024


def _checked_image(image: str) -> bytes:
    """The picture's bytes, once :func:`lib.chat.validation.image_bytes` has found it decodes."""
    digest = hashlib.sha256(image.encode("utf-8", "surrogatepass")).digest()
    if digest in _VERDICTS:
        problem = _VERDICTS[digest]
        if problem is not None:
            raise validation.Invalid(problem)
        return base64.b64decode(strip_data_url(image))
    if len(_VERDICTS) >= _VERDICTS_KEPT:
        _VERDICTS.clear()
    try:
        data = validation.image_bytes(image)
    except validation.Invalid as error:
        _VERDICTS[digest] = error.problem
        raise
    _VERDICTS[digest] = None
    return data


def models_link(model: str) -> None:
    """A link to the Models page, to pull a model this server does not have."""
    st.page_link(
        navigation.MODELS,
        label=t("chat.pull_link"),
        icon=":material/download:",
        help=t("chat.pull_link_help", model=model),
    )


def draw_actions(store: ChatStore, window: list[Message], index: int, last_turn: bool = True) -> None:
    """Edit and Delete under every question (sending an edit replaces the answers after it); Retry or
    Regenerate under the last answer, unless a new question follows (``last_turn`` false)."""
    message = window[index]
    is_last = last_turn and index == len(window) - 1
    if message.status == AWAITING and message.id is not None:
        if is_last:
            _result_form(store, message)
        elif steps.waiting(message.tools):
            st.caption(t("tools.not_answered"))
    if message.role == USER:
        row = st.container(horizontal=True, gap="small")
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
            shortcut=shortcuts.REGENERATE,
            type="tertiary",
            help=t("chat.again_help"),
            on_click=chat_session.answer_again,
            args=(store, [message.id]),
        )


def _result_form(store: ChatStore, message: Message) -> None:
    """Under an answer paused on the user's own tool: a box per call for its result, and Send."""
    waiting = steps.waiting(message.tools)
    if not waiting:
        return
    st.info(t("tools.waiting_for_you"), icon=":material/keyboard:")
    for index, step in enumerate(waiting):
        st.text_area(
            t("tools.result_label", name=step.name),
            key=f"{state.CHAT_TOOL_RESULT_INPUT}_{message.id}_{index}",
            height=80,
            help=t("tools.result_help"),
        )
    st.button(
        t("tools.send_result"),
        icon=":material/send:",
        type="primary",
        key=f"chat_tool_result_send_{message.id}",
        on_click=give_results,
        args=(store, message),
    )


def give_results(store: ChatStore, message: Message) -> None:
    """Send's action: the typed results into the paused answer's calls, saved, and the answer goes on."""
    waiting = steps.waiting(message.tools)
    typed = [
        str(st.session_state.get(f"{state.CHAT_TOOL_RESULT_INPUT}_{message.id}_{n}") or "") for n in range(len(waiting))
    ]
    if message.id is None or not all(text.strip() for text in typed):
        state.put(state.CHAT_NOTICE, ("warning", t("tools.result_empty")))
        return
    for step, text in zip(waiting, typed, strict=True):
        step.result = text
    try:
        waited = store.save_rounds(message.id, message.tools)
    except StoreFailed as error:
        state.put(state.CHAT_NOTICE, ("error", str(error)))
        return
    if not waited:  # given in another tab meanwhile, and the answer went on there
        state.put(state.CHAT_NOTICE, ("warning", t("tools.results_given_elsewhere")))
        return
    state.put(state.CHAT_EDITING, None)
    state.put(state.CHAT_PENDING, True)


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
