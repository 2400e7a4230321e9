"""Saved messages on screen: the latest of a conversation, each in its bubble with its footer and buttons.

Model output is untrusted: it is always drawn through :mod:`lib.ui.live_markdown`.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import logging
from collections.abc import Callable
from typing import Any

import streamlit as st

from lib import state
from lib.chat import session as chat_session
from lib.chat import validation
from lib.chat.history import (
    ASSISTANT,
    CUT_OFF,
    DONE,
    FAILED,
    STOPPED,
    USER,
    Conversation,
    Message,
    describe_stats,
    needs_answer,
    pair_ids,
    saved_error_text,
    strip_data_url,
)
from lib.chat.store import ChatStore
from lib.chat.validation import Problem
from lib.documents import sources_view
from lib.formatting import whole_number
from lib.i18n import escape, markdown, t
from lib.ui import navigation, shortcuts
from lib.ui.live_markdown import render_markdown

AVATARS = {USER: ":material/person:", ASSISTANT: ":material/smart_toy:"}
THUMBNAIL_WIDTH = 160
logger = logging.getLogger(__name__)


def draw_history(
    store: ChatStore, conversation: Conversation, installed: set[str] | None, *, asking: bool = False
) -> bool:
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
    if conversation.damaged:
        st.warning(
            t("chat_import.stored_settings", problem=validation.first_problem(conversation.damaged)),
            icon=":material/tune:",
        )
    for index, message in enumerate(window):
        if message.id == state.get(state.CHAT_EDITING):
            _edit_box(store, conversation, message)
            continue
        try:
            draw_message(
                message,
                installed,
                actions=functools.partial(draw_actions, store, window, index, not asking),
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


def draw_message(message: Message, installed: set[str] | None = None, actions: Callable[[], None] | None = None) -> Any:
    """A saved message in its bubble; returns the bubble, so a turn drawn before it was saved can finish it.

    What of a saved message cannot be shown (an image that does not decode, figures that are not
    numbers) is left out, with a sentence in its place.
    """
    bubble = st.chat_message(message.role, avatar=AVATARS[message.role])
    with bubble:
        if message.thinking:
            with st.expander(t("chat.thinking"), icon=":material/psychology:"):
                render_markdown(message.thinking)
        if message.content:
            render_markdown(message.content)
        damaged = [*message.damaged, *(thumbnails(message.images) if message.images else [])]
        if damaged:
            st.caption(
                f":material/broken_image: {t('chat_import.stored_part', problem=validation.first_problem(damaged))}"
            )
        draw_footer(message, installed, actions)
    return bubble


def draw_footer(message: Message, installed: set[str] | None, actions: Callable[[], None] | None) -> None:
    """Below a message's text: stopped or failed, the figures, the buttons."""
    if message.status == STOPPED:
        st.caption(f":material/stop_circle: {t('chat.stopped')}")
    reason = why_short(message)
    if reason is not None:
        st.caption(markdown(":material/content_cut: " + reason))
    if message.status == FAILED:
        st.error(saved_error_text(message.error) or t("chat.failed"), icon=":material/error:")
        if installed is not None and message.model and message.model not in installed:
            models_link(message.model)
        elif message.content or message.thinking:
            st.caption(t("chat.partial_kept"))
    sources_view.draw(message)
    line = describe_stats(message.stats)
    if line:
        st.caption(" · ".join([escape(message.model), line] if message.model else [line]))
    if actions is not None:
        actions()


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
