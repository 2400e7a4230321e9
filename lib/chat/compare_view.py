"""The Chat page's compare mode on screen: the columns to compare, their columns, and the streaming answers.

Each column is a model on a server (``model · server``) and how much it thinks, so one model can be compared
with itself at two levels, or on the laptop and on the GPU box; each column streams from its own server.
Every column shares the system prompt, the parameters, the output format (its answers are checked and
pretty-printed), token probabilities (each latest answer can then be shown tinted by token, with where it
parts from the first column, as Generate's Compare shows them) and the image attached to a message (a
column whose model cannot see gets the text only).

Model output is untrusted: it is drawn through :mod:`lib.ui.live_markdown` (streaming),
:func:`lib.chat.messages.draw_message` (saved messages) and :mod:`lib.generate.tokens_view` (tokens,
escaped by :mod:`lib.generate.logprobs`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import streamlit as st

from lib import server_data, state
from lib import thinking as think_values
from lib.chat import compare as chat_compare
from lib.chat import dock as chat_dock
from lib.chat import messages as chat_messages
from lib.chat import session as chat_session
from lib.chat import settings_panel
from lib.chat.history import ASSISTANT, DONE, Conversation, Message, answer_message, api_messages
from lib.chat.messages import failure_text
from lib.chat.store import ChatStore, StoreFailed
from lib.fleet import catalog, picker
from lib.fleet import session as fleet
from lib.fleet.models import ModelRef, server_name
from lib.fleet.servers import by_url
from lib.fleet.session import UnknownServer
from lib.formatting import human_seconds, whole_number
from lib.generate import logprobs, tokens_view
from lib.generate.form import DEFAULT_ALTERNATIVES, alternatives
from lib.generate.logprobs import Token
from lib.i18n import t, t_plain
from lib.ollama.client import OllamaClient
from lib.ollama.stream import ALL_COLUMNS, CHAT, CONTENT, ENDED, THINKING, WAITING, Request, Streams
from lib.thinking import Think
from lib.ui import format_control, think_control
from lib.ui.format_control import OutputFormat
from lib.ui.live_markdown import LiveMarkdown, render_markdown
from lib.ui.markdown_safety import escape_markdown

if TYPE_CHECKING:
    from streamlit.elements.widgets.chat import ChatInputValue

# how the latest answers are shown: as text, or tinted by token probability
TEXT, TOKENS = "text", "tokens"


def mode_label(mode: str) -> str:
    return t("chat_compare.mode_compare") if mode == chat_compare.COMPARE else t("chat_compare.mode_single")


def mode_switch() -> str:
    """The switch between one chat and compare mode; returns the mode chosen."""
    chosen = st.segmented_control(
        t("chat_compare.mode"),
        [chat_compare.SINGLE, chat_compare.COMPARE],
        format_func=mode_label,
        required=True,
        key=state.CHAT_MODE_INPUT,
        label_visibility="collapsed",
    )
    state.put(state.CHAT_MODE, chosen)
    return str(chosen)


def draw(store: ChatStore) -> None:
    """Everything below the page's mode switch."""
    if chat_session.QUERY_KEY in st.query_params:
        del st.query_params[chat_session.QUERY_KEY]
    columns = chat_compare.open_columns(store)
    conversation_area = st.container()  # above the chat box, the last element the page draws
    with conversation_area:
        setup = choose() if columns is None else None
        gone = columns is not None and not servers_known(columns)
        output_format = format_control.draw(state.CHAT_COMPARE_FORMAT_INPUT, state.CHAT_COMPARE_SCHEMA_INPUT)
        top_logprobs = token_fields()
    ready = (columns is not None or setup is not None) and output_format is not None and not gone
    with chat_dock.dock():
        chat_dock.prompt_library(compare=True)
        prompt = st.chat_input(
            t("chat_compare.prompt_first")
            if columns is None
            else t_plain("chat_compare.prompt", n=whole_number(len(columns))),
            key=state.CHAT_COMPARE_PROMPT_INPUT,
            submit_mode="stop",
            accept_file=True,
            file_type=list(chat_session.IMAGE_TYPES),
            disabled=not ready,
        )
        prompt = prompt or chat_dock.sent(compare=True)
    if not ready or output_format is None:
        return
    with conversation_area:
        _draw_columns(store, columns, setup, output_format, prompt, top_logprobs)


def token_fields() -> int | None:
    """The token probabilities switch and how many alternatives a token, for every column's next answers;
    the ``top_logprobs`` to ask for, None while the switch is off."""
    st.session_state.setdefault(state.CHAT_COMPARE_TOP_LOGPROBS_INPUT, DEFAULT_ALTERNATIVES)
    on, count = tokens_view.fields(
        state.CHAT_COMPARE_LOGPROBS_INPUT,
        state.CHAT_COMPARE_TOP_LOGPROBS_INPUT,
        t("chat_compare.logprobs_help"),
        side_by_side=True,
    )
    return alternatives(count) if on else None


def servers_known(columns: list[Conversation]) -> bool:
    """Whether every column's server is one of the session's; says which is not (such a column cannot answer)."""
    servers = fleet.servers()
    known = True
    for number, conversation in enumerate(columns, start=1):
        url = chat_compare.column_ref(conversation).server
        if by_url(servers, url) is None:
            st.warning(
                t("chat_fleet.column_server_gone", number=number, server=server_name(url, servers)),
                icon=":material/cloud_off:",
            )
            known = False
    return known


@dataclass(frozen=True)
class Setup:
    """A new comparison's columns (a model on a server and how much it thinks, each) and what every column shares."""

    refs: list[ModelRef]
    thinks: list[Think | None]
    system: str
    options: dict[str, Any]
    keep_alive: str | int | None


def choose() -> Setup | None:
    """The columns, the system prompt and the parameters; None (after saying why) while they cannot be sent."""
    refs, thinks = choose_models()
    same = chat_compare.same_columns(refs, thinks)
    if same is not None:
        st.warning(t("chat_compare.same_columns", first=same[0], second=same[1]), icon=":material/content_copy:")
    chosen = settings_panel.system_and_parameters(
        state.CHAT_COMPARE_SYSTEM_INPUT, chat_compare.OPTIONS_PREFIX, t("chat_compare.system_help")
    )
    if chosen is None or same is not None:
        return None
    system, options = chosen
    return Setup(refs, thinks, system, options.options, options.keep_alive)


def _draw_columns(
    store: ChatStore,
    columns: list[Conversation] | None,
    setup: Setup | None,
    output_format: OutputFormat,
    prompt: ChatInputValue | None,
    top_logprobs: int | None = None,
) -> None:
    """The comparison's columns, or the hint before the first question; then the columns' answers to ``prompt``
    (with ``top_logprobs`` alternatives a token, when token probabilities are asked for)."""
    if columns is None:
        if not prompt or setup is None:
            st.caption(t("chat_compare.start_hint"))
            return
        columns = chat_compare.start(
            store, setup.refs, setup.thinks, prompt.text, setup.system, setup.options, setup.keep_alive
        )
    else:
        heading, again = st.columns([8, 2], vertical_alignment="center")
        heading.caption(t("chat_compare.columns_hint"))
        again.button(
            t("chat_compare.new"),
            icon=":material/add_comment:",
            key="chat_compare_new",
            width="stretch",
            on_click=chat_compare.new_comparison,
        )
    if prompt:
        chat_compare.add_message(store, columns, prompt.text, chat_session.encode_images(prompt.files))
    labels = chat_compare.column_labels(
        [chat_compare.column_ref(conversation) for conversation in columns], [c.think for c in columns]
    )
    latest = latest_answers(store, columns, labels)
    panes = st.columns(len(columns), gap="medium")
    for pane, conversation, label, answer in zip(panes, columns, labels, latest, strict=True):
        with pane:
            st.subheader(escape_markdown(label), anchor=False)
            draw_history(store, conversation, can_continue=not prompt, label=label, latest=answer)
    if prompt:
        respond_all(store, columns, panes, output_format, top_logprobs)
        st.rerun()


@dataclass(frozen=True)
class LatestAnswer:
    """What a column's latest answer, asked with token probabilities, shows besides its text: its tokens
    (None: not asked for, so nothing), whether it is shown by token, and where it parts from the first column
    (a sentence, the token to mark and that token's note)."""

    tokens: list[Token] | None = None
    by_token: bool = False
    note: str = ""
    marked: int | None = None
    mark_note: str = ""


def latest_answers(store: ChatStore, columns: list[Conversation], labels: list[str]) -> list[LatestAnswer]:
    """Every column's :class:`LatestAnswer`, after the switch between text and tokens (shown when an answer has
    tokens). Each column's tokens are compared with the first column's, as Generate's Compare does."""
    kept = [chat_compare.latest_tokens(store, conversation) for conversation in columns]
    tokens = [logprobs.tokens(entries) if entries is not None else None for entries in kept]
    by_token = view_switch() == TOKENS if any(tokens) else False
    reference = tokens[0] or []
    mark_note = t_plain("compare.diverges_here", column=labels[0])
    answers = [LatestAnswer(tokens[0], by_token)]
    for shown in tokens[1:]:
        note, marked = tokens_view.divergence_note(reference, shown or [], labels[0])
        answers.append(LatestAnswer(shown, by_token, note, marked, mark_note))
    return answers


def view_switch() -> str:
    """The latest answers as text or tinted by token probability."""
    view_labels = {TEXT: t("compare.view_text"), TOKENS: t("compare.view_tokens")}
    return str(
        st.segmented_control(
            t("compare.view"),
            list(view_labels),
            format_func=view_labels.__getitem__,
            default=TEXT,
            required=True,
            key=state.CHAT_COMPARE_VIEW_INPUT,
            help=t("chat_compare.view_help"),
        )
    )


def choose_models() -> tuple[list[ModelRef], list[Think | None]]:
    """How many columns, and in each a model on a server (``model · server``) and how much it thinks (a thinking
    model thinks at first).

    The same model may fill several columns, each on another server or thinking at another level.
    """
    count = st.segmented_control(
        t("chat_compare.count"),
        list(range(chat_compare.MIN_COLUMNS, chat_compare.MAX_COLUMNS + 1)),
        required=True,
        default=chat_compare.MIN_COLUMNS,
        key=state.CHAT_COMPARE_COUNT_INPUT,
    )
    offered = catalog.refs_with("completion")
    refs: list[ModelRef] = []
    thinks: list[Think | None] = []
    for column, slot in enumerate(st.columns(count or chat_compare.MIN_COLUMNS, gap="medium")):
        key = f"{state.CHAT_COMPARE_MODEL_INPUT}_{column}"
        if offered:
            st.session_state.setdefault(key, offered[column % len(offered)])
        with slot:
            ref = picker.model_picker(t("chat_compare.model", number=column + 1), "completion", key)
            if ref is None:
                st.stop()
            think = think_control.draw(
                server_data.think_choices(fleet.client_for(ref.server), ref.model),
                f"{state.CHAT_COMPARE_THINK_INPUT}_{column}",
            )
        refs.append(ref)
        thinks.append(think)
    return refs, thinks


def sees_images(client: OllamaClient | None, model: str) -> bool:
    """Whether a column's model is sent images: it has vision, or its server does not say what it can do."""
    capabilities = server_data.capabilities_of(client, model) if client is not None else frozenset()
    return not capabilities or "vision" in capabilities


def column_client(conversation: Conversation) -> OllamaClient | None:
    """The client of a column's own server; None when that server is not one of the session's."""
    try:
        return fleet.client_for(chat_compare.column_ref(conversation).server)
    except UnknownServer:
        return None


def draw_history(
    store: ChatStore,
    conversation: Conversation,
    *,
    can_continue: bool,
    label: str = "",
    latest: LatestAnswer | None = None,
) -> None:
    """A column's latest messages; an answer asked for as JSON checked against the format it was asked in.
    ``label``: the column's heading ("gpt-oss:20b · High"), which its Continue button names too; ``latest``:
    what its latest answer shows of its token probabilities."""
    if conversation.id is None:
        return
    messages = store.messages(conversation.id, last=chat_session.shown())
    if any(message.images for message in messages) and not sees_images(column_client(conversation), conversation.model):
        st.caption(f":material/hide_image: {t('chat_compare.no_vision', model=conversation.model)}")
    asked = latest if latest is not None and latest.tokens is not None else None
    for index, message in enumerate(messages):
        if asked is not None and index == len(messages) - 1 and message.role == ASSISTANT:
            draw_latest(message, asked)
        else:
            chat_messages.draw_message(message)  # an answer asked for as JSON is checked against the format asked
    if can_continue and messages and messages[-1].role == ASSISTANT and messages[-1].content:
        st.button(
            t("chat_compare.continue", model=label or conversation.model),
            icon=":material/arrow_forward:",
            key=f"chat_compare_continue_{conversation.id}",
            width="stretch",
            help=t("chat_compare.continue_help"),
            on_click=chat_compare.continue_with,
            args=(conversation.id,),
        )


def draw_latest(message: Message, latest: LatestAnswer) -> None:
    """A column's latest answer, asked with token probabilities: as text, or tinted by token with the picker and
    the alternatives table (:mod:`lib.generate.tokens_view`), with where it parts from the first column; a
    finished answer that came without probabilities says so."""
    if latest.by_token and latest.tokens and message.content and not message.damaged:
        with st.chat_message(ASSISTANT, avatar=chat_messages.AVATARS[ASSISTANT]):
            if message.thinking:
                with st.expander(t("chat.thinking"), icon=":material/psychology:"):
                    render_markdown(message.thinking)
            if latest.note:
                st.caption(latest.note)
            tokens_view.draw(
                latest.tokens,
                f"{state.CHAT_COMPARE_TOKEN_INPUT}_{message.id}",
                marked=latest.marked,
                mark_note=latest.mark_note,
            )
            chat_messages.draw_footer(message, None, None)
        return
    with chat_messages.draw_message(message):
        if latest.note:
            st.caption(latest.note)
        if not latest.tokens and message.status == DONE:
            st.caption(t("generate.no_logprobs"))


def respond_all(
    store: ChatStore,
    columns: list[Conversation],
    panes: list,
    output_format: OutputFormat | None = None,
    top_logprobs: int | None = None,
) -> None:
    """Stream every column's answer at once, each on its own connection to its own server, and save each (with
    that server), whatever happens. Every column's server is one of the session's (:func:`servers_known`).
    With ``top_logprobs``, every column is asked for token probabilities with that many alternatives a token;
    they are kept for the session with the answers they came with (:func:`lib.chat.compare.keep_tokens`).

    As on the single chat, Stop (the chat box's stop button), a rerun or a closed tab
    interrupts the script at its next Streamlit call; the ``finally`` then closes every
    request and saves what arrived, marked as stopped, without any Streamlit call.
    """
    servers = fleet.servers()
    urls = [chat_compare.column_ref(conversation).server for conversation in columns]
    clients = [fleet.client_for(url) for url in urls]
    requests = []
    for conversation, client in zip(columns, clients, strict=True):
        history = store.messages(conversation.id) if conversation.id is not None else []
        fields = {
            "messages": api_messages(conversation.system, history, images=sees_images(client, conversation.model)),
            "think": think_values.request_value(
                conversation.think, server_data.think_choices(client, conversation.model)
            ),
            "options": conversation.options or None,
            "keep_alive": conversation.keep_alive,
            "format": output_format.request_value() if output_format else None,
            "logprobs": True if top_logprobs else None,
            "top_logprobs": top_logprobs,
        }
        requests.append(Request(CHAT, conversation.model, fields))
    streams = Streams(clients, requests)
    saved = chat_session.answering()
    finished = False
    try:
        answers, thinking_slots, waiting = [], [], []
        thinking: dict[int, LiveMarkdown] = {}
        for pane in panes:
            with pane, st.chat_message(ASSISTANT, avatar=chat_messages.AVATARS[ASSISTANT]):
                thinking_slots.append(st.empty())
                answers.append(LiveMarkdown(st.container()))
                waiting.append(st.empty())
        shown_seconds: dict[int, int] = {}
        for event in streams.events():
            # A column the server queued stays silent while the others stream: its wait is counted on every event.
            seconds = int(streams.elapsed())
            for silent, streamed in enumerate(streams.answers):
                if streamed.content or streamed.thinking or streams.column_finished(silent):
                    continue
                if shown_seconds.get(silent) != seconds:
                    shown_seconds[silent] = seconds
                    waiting[silent].caption(
                        ":material/hourglass_top: "
                        + t(
                            "chat_compare.waiting",
                            model=columns[silent].model,
                            time=human_seconds(seconds),
                        )
                    )
            column = event.column
            if event.kind == ENDED:
                # A column that failed says so at once, under the others still streaming; saved below.
                shown_seconds.pop(column, None)
                failure = streams.answers[column].error
                if failure is not None:
                    waiting[column].error(failure_text(failure, urls[column], servers), icon=":material/error:")
                else:
                    waiting[column].empty()
                continue
            if column == ALL_COLUMNS or event.kind == WAITING:
                continue
            if column in shown_seconds:
                del shown_seconds[column]
                waiting[column].empty()
            if event.kind == THINKING:
                if column not in thinking:
                    thinking[column] = LiveMarkdown(
                        thinking_slots[column].expander(t("chat.thinking"), icon=":material/psychology:")
                    )
                thinking[column].append(event.text)
            elif event.kind == CONTENT:
                answers[column].append(event.text)
        finished = True
    finally:
        kept: dict[int, chat_compare.LatestTokens] = {}
        try:
            streams.stop()
            for conversation, streamed, url in zip(columns, streams.answers, urls, strict=True):
                if conversation.id is not None:
                    asked = output_format.request_value() if output_format else None
                    message = answer_message(streamed, conversation.model, format=asked)
                    message.server = url
                    message_id = store.add(conversation.id, message)
                    if top_logprobs:
                        kept[conversation.id] = chat_compare.LatestTokens(message_id, tuple(streamed.logprobs))
        except StoreFailed as error:
            chat_session.keep_failure(error, finished)
        finally:
            chat_compare.keep_tokens(kept)
            saved.set()
