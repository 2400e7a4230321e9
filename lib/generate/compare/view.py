"""The Generate page's Compare mode: one prompt, up to four (model, parameters) columns, streamed side by side.

Each column's model may be on any of the session's servers (``model · server``), so the same model
on the laptop and on the GPU box is one comparison: every column streams from its own server, is
named with it when there are several, and one that cannot be reached says so in its column while
the others finish.

Drawn top to bottom like the screen: the prompt, the shared settings (the image, token
probabilities), one set-up column per (model, thinking, parameters), Compare and Stop, then the
answers in columns (as text, or tinted by token probability with where each parts from the first
column), the summary table and the export. While a comparison runs, every column's worker thread reads its own stream
(:mod:`lib.ollama.stream`); only this script thread draws, each column with its own
:class:`~lib.ui.live_markdown.LiveMarkdown`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
import streamlit as st

from lib import server_data, state
from lib.fleet import catalog, picker, session
from lib.fleet.models import ModelRef, server_name
from lib.formatting import human_seconds
from lib.generate import logprobs, tokens_view
from lib.generate.compare import export as compare_export
from lib.generate.compare import stats as compare_stats
from lib.generate.compare.form import (
    LETTERS,
    MAX_COLUMNS,
    MIN_COLUMNS,
    ColumnSetup,
    CompareForm,
    build_requests,
    can_see,
    column_options,
    settings_summary,
)
from lib.generate.compare.record import CompareRecord, shuffled_order
from lib.generate.form import (
    JSON,
    PLAIN,
    SCHEMA,
    FormProblem,
    GenerateRequest,
    decode_image,
    encode_image,
)
from lib.generate.form_view import IMAGE_TYPES
from lib.generate.record import status_text
from lib.generate.schema import parse_schema
from lib.generate.snippets import body_json, shorten_images
from lib.i18n import markdown, message_of, t, t_plain
from lib.ollama.errors import ConnectionDropped, RequestTimedOut, ResponseError, ServerUnreachable
from lib.ollama.stream import ALL_COLUMNS, CONTENT, ENDED, THINKING, WAITING, Streams
from lib.parameters import panel as options_panel
from lib.prompts import picker as prompts_picker
from lib.ui import format_control, think_control, widgets
from lib.ui.errors import error_text
from lib.ui.format_control import OutputFormat
from lib.ui.live_markdown import LiveMarkdown, render_markdown
from lib.ui.markdown_safety import escape_markdown
from lib.ui.stats import figure_label, stat_rows

COLUMN_FIGURES = (
    compare_stats.TIME_TO_FIRST_TOKEN,
    compare_stats.OUTPUT_TOKENS,
    compare_stats.TOKENS_PER_SECOND,
    compare_stats.LOAD_TIME,
)
BEST_STYLE = "background-color: rgba(33, 195, 84, 0.22); font-weight: 600"
# the summary table's own columns, besides the figures
COLUMN, SETTINGS, STATUS = "column", "settings", "status"
# how the answers are shown: as text, or tinted by token probability
TEXT, TOKENS = "text", "tokens"
# a column's error that means its server is not answering (the others, on other servers, go on)
SERVER_GONE = (ServerUnreachable, ConnectionDropped, RequestTimedOut)


def options_prefix(column: int) -> str:
    return f"compare_{column}"


def saved() -> CompareForm:
    return state.get(state.COMPARE_FORM) or CompareForm()


def settle_interrupted() -> None:
    """Stop the comparison an earlier script run left streaming (Stop or any click during it)."""
    interrupted: Streams | None = state.get(state.COMPARE_JOB)
    if interrupted is not None:
        interrupted.stop()
        state.put(state.COMPARE_JOB, None)


def seed_widgets() -> None:
    """Give the shared widgets that lost their value (after a page switch) the saved one."""
    form = saved()
    st.session_state.setdefault(state.COMPARE_PROMPT_INPUT, form.prompt)
    st.session_state.setdefault(state.COMPARE_SYSTEM_INPUT, form.system)
    st.session_state.setdefault(state.COMPARE_COUNT_INPUT, len(form.columns))
    st.session_state.setdefault(state.COMPARE_SEED_INPUT, form.shared_seed)
    st.session_state.setdefault(state.COMPARE_BLIND_INPUT, form.blind)
    st.session_state.setdefault(state.COMPARE_FORMAT_INPUT, form.output_format)
    if form.schema_text:
        st.session_state.setdefault(state.COMPARE_SCHEMA_INPUT, form.schema_text)
    st.session_state.setdefault(state.COMPARE_LOGPROBS_INPUT, form.logprobs)
    st.session_state.setdefault(state.COMPARE_TOP_LOGPROBS_INPUT, form.top_logprobs)


def seed_column(column: int, installed: list[ModelRef]) -> None:
    """The same for one column's widgets, right before they draw.

    Only then: a value put under a widget's key in a run that does not draw the widget
    comes back after the widget is dropped. A column never set up starts on a different
    installed model than the columns before it (the first server's models first).
    """
    form = saved()
    setup = form.columns[column] if column < len(form.columns) else ColumnSetup()
    ref = ModelRef(setup.model, setup.server or session.current().url) if setup.model else None
    if ref is None and installed:
        ref = installed[column % len(installed)]
    if ref is not None:
        st.session_state.setdefault(f"{state.COMPARE_MODEL_INPUT}_{column}", ref)
    st.session_state.setdefault(f"{state.COMPARE_THINK_INPUT}_{column}", setup.think)


def draw() -> None:
    """The whole Compare mode, below the page's title and mode switch (after :func:`settle_interrupted`)."""
    seed_widgets()
    prompts_picker.popover(prompts_picker.USER, state.COMPARE_PROMPT_INPUT, state.COMPARE_PROMPT_INPUT)
    prompt = st.text_area(
        t("generate.prompt"),
        key=state.COMPARE_PROMPT_INPUT,
        height=110,
        placeholder=t("generate.prompt_placeholder"),
        help=t("compare.prompt_help"),
    )
    prompts_picker.popover(prompts_picker.SYSTEM, state.COMPARE_SYSTEM_INPUT, state.COMPARE_SYSTEM_INPUT)
    system = st.text_area(
        t("generate.system"),
        key=state.COMPARE_SYSTEM_INPUT,
        height=68,
        placeholder=t("compare.system_placeholder"),
        help=t("compare.system_help"),
    )
    count_slot, seed_slot, blind_slot = st.columns([3, 3, 2], vertical_alignment="bottom", gap="medium")
    count = count_slot.segmented_control(
        t("compare.columns"),
        list(range(MIN_COLUMNS, MAX_COLUMNS + 1)),
        required=True,
        key=state.COMPARE_COUNT_INPUT,
        help=t("compare.columns_help"),
    )
    shared_seed = seed_slot.number_input(
        t("compare.shared_seed"),
        min_value=0,
        max_value=2**31 - 1,
        step=1,
        value=None,
        key=state.COMPARE_SEED_INPUT,
        placeholder=t("compare.shared_seed_placeholder"),
        help=t("compare.shared_seed_help"),
    )
    blind = blind_slot.toggle(t("compare.blind"), key=state.COMPARE_BLIND_INPUT, help=t("compare.blind_help"))
    image_slot, tokens_slot = st.columns([3, 2], gap="medium")
    with image_slot:
        images = image_field()
    with tokens_slot:
        logprobs_on, top_logprobs = tokens_view.fields(
            state.COMPARE_LOGPROBS_INPUT,
            state.COMPARE_TOP_LOGPROBS_INPUT,
            t("compare.logprobs_help"),
            side_by_side=False,
        )
    chosen_format = format_control.draw(state.COMPARE_FORMAT_INPUT, state.COMPARE_SCHEMA_INPUT)

    capabilities: dict[ModelRef, frozenset[str]] = {}
    families: dict[ModelRef, str] = {}
    setups: list[ColumnSetup] = []
    problems: list[str] = []
    installed = catalog.refs_with("completion")
    for column, slot in enumerate(st.columns(count or MIN_COLUMNS, gap="medium")):
        with slot.container(border=True):
            setup, problem = column_setup(column, installed, shared_seed, capabilities, families, bool(images))
        setups.append(setup)
        if problem:
            problems.append(t("compare.column_problem", letter=LETTERS[column], problem=problem))

    form = CompareForm(
        prompt=prompt,
        system=system,
        columns=tuple(setups),
        shared_seed=shared_seed,
        blind=blind,
        logprobs=logprobs_on,
        top_logprobs=top_logprobs,
        images=images,
        output_format=chosen_format.kind if chosen_format is not None else PLAIN,
        schema_text=str(st.session_state.get(state.COMPARE_SCHEMA_INPUT) or "") if chosen_format is not None else "",
    )
    if chosen_format is None:  # the schema's mistake is said under it
        problems.append(t("compare.problem_schema"))
    state.put(state.COMPARE_FORM, form)
    requests: list[GenerateRequest] | None = None
    try:
        versions = {ref.server: server_data.version_or_unknown(session.client_for(ref.server)) for ref in capabilities}
        requests = build_requests(form, capabilities, families, versions)
    except FormProblem as error:
        problems.insert(0, message_of(error))
    if problems:
        requests = None

    run_slot, stop_slot, _rest = st.columns([2, 2, 6])
    asked = run_slot.button(
        t("compare.run"), type="primary", icon=":material/play_arrow:", key=state.COMPARE_RUN_BUTTON, width="stretch"
    )
    starting = asked and requests is not None
    stop_slot.button(
        t("generate.stop"),
        icon=":material/stop:",
        key=state.COMPARE_STOP_BUTTON,
        disabled=not starting,
        width="stretch",
        help=t("compare.stop_help"),
    )
    if asked and requests is None:
        st.error(t("generate.nothing_sent", problem=problems[0]), icon=":material/block:")

    if starting and requests is not None:
        record: CompareRecord | None = run_comparison(requests, form)
    else:
        record = state.get(state.COMPARE_LAST)
    if record is None:
        st.caption(t("compare.answers_appear"))
        return
    show_comparison(record)


def image_field() -> tuple[str, ...]:
    """The one image every column that can see is sent, kept across page switches; the form's images.

    An uploader cannot be given a file back, so after a page switch the kept image is shown
    below it, with a button to remove it, until another is uploaded.
    """
    key = f"{state.COMPARE_IMAGE_INPUT}_{state.get(state.COMPARE_UPLOAD_ROUND) or 0}"
    st.file_uploader(
        t("compare.image"), type=IMAGE_TYPES, key=key, on_change=take_upload, args=(key,), help=t("compare.image_help")
    )
    images = saved().images
    if images and not st.session_state.get(key):
        kept = decode_image(images[0])
        thumbnail, remove = st.columns([1, 3], vertical_alignment="center")
        if kept:
            thumbnail.image(kept, width=64)
        remove.button(
            t("compare.remove_image"),
            icon=":material/delete:",
            key=state.COMPARE_CLEAR_IMAGE_BUTTON,
            on_click=drop_image,
        )
    return images


def take_upload(key: str) -> None:
    """Uploader callback: the uploaded file becomes the shared image (none once it is removed)."""
    upload = st.session_state.get(key)
    state.put(state.COMPARE_FORM, saved().with_values(images=(encode_image(upload.getvalue()),) if upload else ()))


def drop_image() -> None:
    state.put(state.COMPARE_FORM, saved().with_values(images=()))
    state.put(state.COMPARE_UPLOAD_ROUND, (state.get(state.COMPARE_UPLOAD_ROUND) or 0) + 1)


def column_setup(
    column: int,
    installed: list[ModelRef],
    shared_seed: int | None,
    capabilities: dict[ModelRef, frozenset[str]],
    families: dict[ModelRef, str],
    with_image: bool,
) -> tuple[ColumnSetup, str | None]:
    """One column's model on its server, thinking and parameters, and what is wrong with them (or None).

    What the model can do is asked of its own server. A column whose model cannot see says that
    the shared image is not sent to it.
    """
    st.markdown(t("compare.column_heading", letter=LETTERS[column]))
    seed_column(column, installed)
    ref = picker.model_picker(
        t("generate.model"), "completion", f"{state.COMPARE_MODEL_INPUT}_{column}", help=t("generate.model_help")
    )
    if ref is None:
        st.stop()
    client = session.client_for(ref.server)
    capabilities[ref] = server_data.capabilities_of(client, ref.model)
    families[ref] = server_data.family_of(client, ref.model)
    think_key = f"{state.COMPARE_THINK_INPUT}_{column}"
    chosen_think = think_control.draw(server_data.think_choices(client, ref.model), think_key)
    with st.popover(t("generate.parameters"), icon=":material/settings:", width="stretch"):
        chosen = options_panel.render(options_prefix(column))
    kept_think = saved().columns[column].think if column < len(saved().columns) else True
    setup = ColumnSetup(
        ref.model,
        chosen.options,
        chosen.keep_alive,
        kept_think if chosen_think is None else chosen_think,
        server=ref.server,
    )
    options = column_options(CompareForm(shared_seed=shared_seed), setup)
    st.caption(escape_markdown(settings_summary(options, chosen.keep_alive, chosen_think)))
    if with_image and not can_see(capabilities[ref]):
        st.caption(t("compare.no_vision", model=ref.model))
    return setup, chosen.error


def server_names(form: CompareForm) -> tuple[str, ...]:
    """Each column's server as named now, to name it in the comparison; none when the session has one server."""
    servers = session.servers()
    if len(servers) <= 1:
        return ()
    return tuple(server_name(setup.server or session.current().url, servers) for setup in form.columns)


def run_comparison(requests: list[GenerateRequest], form: CompareForm) -> CompareRecord:
    """Send every column to its server and draw their answers as they arrive; the caller then draws the
    finished comparison.

    Kept in session state from the first moment, so Stop or a failure never loses text that arrived.
    Each column keeps the client of its server for the whole run, whatever is picked meanwhile.
    """
    number = (state.get(state.COMPARE_RUN_COUNT) or 0) + 1
    state.put(state.COMPARE_RUN_COUNT, number)
    record = CompareRecord(
        number,
        datetime.now(),
        form,
        tuple(request.body() for request in requests),
        order=shuffled_order(len(requests), form.blind),
        server_names=server_names(form),
    )
    state.put(state.COMPARE_LAST, record)
    clients = [session.client_for(setup.server or session.current().url) for setup in form.columns]
    streams = Streams(clients, [request.streamed() for request in requests], record.results)
    state.put(state.COMPARE_JOB, streams)
    with widgets.live_area(streams.stop):
        stream_columns(record, streams)
    if state.get(state.COMPARE_JOB) is streams:
        state.put(state.COMPARE_JOB, None)
    return record


def stream_columns(record: CompareRecord, streams: Streams) -> None:
    """Draw every column's text as it streams in, until all have ended."""
    panes = st.columns(len(record.order), gap="medium")
    statuses, thinking_slots, answers = {}, {}, {}
    thinking: dict[int, LiveMarkdown] = {}
    for position, shown in enumerate(record.order):
        with panes[position].container(border=True):
            st.subheader(escape_markdown(record.label(shown)), anchor=False)
            statuses[shown] = st.empty()
            statuses[shown].caption(t("compare.sending"))
            thinking_slots[shown] = st.container()
            answers[shown] = LiveMarkdown(st.container(key=f"compare_answer_{position}"))  # watched by the benchmark
    shown_status: dict[int, str] = {}

    def show_status(column: int, text: str) -> None:
        if shown_status.get(column) != text:
            shown_status[column] = text
            statuses[column].caption(text)

    for event in streams.events():
        # A column the server queued stays silent while the others stream: its wait is counted on every event.
        waited = int(streams.elapsed())
        for silent, result in enumerate(record.results):
            if not (result.content or result.thinking or streams.column_finished(silent)):
                show_status(silent, t("compare.waiting", time=t("units.seconds", value=waited)))
        column = event.column
        if column == ALL_COLUMNS or event.kind == WAITING:
            continue
        result = record.results[column]
        if event.kind == ENDED:
            show_status(
                column, t("compare.failed") if result.error else t("compare.done_in", time=human_seconds(event.seconds))
            )
            answers[column].finish()
            continue
        if event.kind == THINKING:
            show_status(column, t("generate.thinking_now"))
            if column not in thinking:
                thinking[column] = LiveMarkdown(
                    thinking_slots[column].expander(t("generate.thinking"), icon=":material/psychology:")
                )
            thinking[column].append(event.text)
        else:
            show_status(column, t("generate.writing_now"))
            if event.kind == CONTENT and record.answer_started[column] is None:
                record.answer_started[column] = event.seconds
            answers[column].append(event.text)


def show_comparison(record: CompareRecord) -> None:
    """The finished (or stopped) comparison: answers side by side, figures, summary, export."""
    if record.hidden:
        info, reveal = st.columns([8, 2], vertical_alignment="center")
        info.info(t("compare.blind_info"), icon=":material/visibility_off:")
        reveal.button(
            t("compare.reveal"),
            icon=":material/visibility:",
            key=state.COMPARE_REVEAL_BUTTON,
            on_click=reveal_models,
            args=(record,),
            width="stretch",
        )
    view = TEXT
    if any(result.logprobs for result in record.results):
        view_labels = {TEXT: t("compare.view_text"), TOKENS: t("compare.view_tokens")}
        view = st.segmented_control(
            t("compare.view"),
            list(view_labels),
            format_func=view_labels.__getitem__,
            default=TEXT,
            required=True,
            key=state.COMPARE_VIEW_INPUT,
            help=t("compare.view_help"),
        )
    elif record.form.logprobs and any(result.complete for result in record.results):
        st.caption(t("generate.no_logprobs"))
    tokens = [logprobs.tokens(result.logprobs) for result in record.results]
    panes = st.columns(len(record.order), gap="medium")
    for position, column in enumerate(record.order):
        with panes[position].container(border=True, height="stretch"):
            show_column(record, column, tokens, by_token=view == TOKENS)
    show_summary(record)
    show_export(record)
    with st.expander(t("compare.api_requests"), icon=":material/api:"):
        if record.hidden:
            st.caption(t("compare.requests_hidden"))
        else:
            tabs = st.tabs([escape_markdown(record.label(column)) for column in record.order])
            for tab, column in zip(tabs, record.order, strict=True):
                tab.code(body_json(shorten_images(record.bodies[column])), language="json", wrap_lines=True)
                if record.bodies[column].get("images"):
                    tab.caption(t("generate.images_shortened"))


def reveal_models(record: CompareRecord) -> None:
    record.revealed = True


def divergence_note(record: CompareRecord, column: int, tokens: list[list[logprobs.Token]]) -> tuple[str, int | None]:
    """Where ``column``'s answer parts from the first column shown, token by token: a sentence (empty
    for the first column, or without tokens on either side) and the token to mark (None: none)."""
    reference = record.order[0]
    if column == reference:
        return "", None
    return tokens_view.divergence_note(tokens[reference], tokens[column], record.short_label(reference))


def show_column(record: CompareRecord, column: int, tokens: list[list[logprobs.Token]], *, by_token: bool) -> None:
    result = record.results[column]
    st.subheader(escape_markdown(record.label(column)), anchor=False)
    if not record.hidden:
        st.caption(escape_markdown(record.settings(column)))
        if record.bodies[column].get("images"):
            st.caption(t("compare.image_sent"))
        elif record.form.images:
            st.caption(t("compare.image_not_sent"))
    if result.error:
        if record.server_name(column) and isinstance(result.error, SERVER_GONE):
            st.warning(t("compare.server_gone", server=record.server_name(column)), icon=":material/power_off:")
        st.error(error_text(result.error), icon=":material/error:")
        if isinstance(result.error, ResponseError) and result.error.model_missing:
            st.caption(t("compare.model_missing"))
    elif result.stopped:
        st.warning(t("generate.stopped"), icon=":material/stop_circle:")
    elif result.done_reason == "length":
        st.info(t("compare.cut_off"), icon=":material/content_cut:")
    if result.thinking:
        with st.expander(t("generate.thinking"), icon=":material/psychology:"):
            render_markdown(result.thinking)
    note, marked = divergence_note(record, column, tokens)
    if note:
        st.caption(note)
    if by_token and result.content:
        mark_note = t_plain("compare.diverges_here", column=record.short_label(record.order[0]))
        tokens_view.draw(
            tokens[column],
            f"{state.COMPARE_TOKEN_INPUT}_{record.number}_{column}",
            marked=marked,
            mark_note=mark_note,
        )
    elif result.content and record.form.output_format in (JSON, SCHEMA):
        schema = parse_schema(record.form.schema_text) if record.form.output_format == SCHEMA else None
        format_control.show_answer(
            result.content, OutputFormat(record.form.output_format, schema), complete=result.complete
        )
    elif result.content:
        render_markdown(result.content, st.container(key=f"compare_result_{column}"))  # watched by the benchmark
    elif result.complete:
        st.info(t("generate.empty_answer"), icon=":material/info:")
    thought = compare_stats.thinking(result, record.answer_started[column])
    if thought[compare_stats.THINKING_LENGTH] is not None:
        st.caption(thinking_line(thought))
    stats = result.stats()
    if stats is None:
        return
    rows = [row for row in stat_rows(stats) if row.figure in COLUMN_FIGURES]
    if len(record.order) <= MIN_COLUMNS:
        figures = st.container(horizontal=True, gap="small")
        for row in rows:
            figures.metric(row.label, row.value, help=row.help, width="content")
        return
    # Three or four columns are too narrow for metrics' large numbers (Chinese units are longer still).
    for row in rows:
        st.markdown(t("compare.figure_line", label=row.label, value=row.value), help=row.help)


def summary_frame(record: CompareRecord) -> tuple[pd.DataFrame, dict[str, int]]:
    """The summary table, one row per column as shown, and ``{figure: row of the best value}`` among the
    columns that answered.

    Its columns are named by figure (:mod:`lib.ollama.stats`); :func:`show_summary` titles them.
    """
    rows: list[dict[str, Any]] = []
    answered: set[int] = set()
    for column in record.order:
        result = record.results[column]
        if result.error is None and not result.stopped and result.content.strip():
            answered.add(len(rows))
        row: dict[str, Any] = {COLUMN: record.label(column)}
        if not record.hidden:
            row[SETTINGS] = record.settings(column)
        row[STATUS] = status_text(result)
        row.update(compare_stats.figures(result.stats()))
        if row[compare_stats.TIME_TO_FIRST_TOKEN] is None:
            row[compare_stats.TIME_TO_FIRST_TOKEN] = result.first_token  # a stopped or failed column's
        rows.append(row)
    if any(record.results[column].thinking for column in record.order):
        for row, column in zip(rows, record.order, strict=True):
            row.update(compare_stats.thinking(record.results[column], record.answer_started[column]))
    return pd.DataFrame(rows), compare_stats.best(rows, answered)


def thinking_line(thought: dict[str, float | int | None]) -> str:
    """``Thought for 3.2 s, 1,204 characters`` (the time only when measured)."""
    length = thought[compare_stats.THINKING_LENGTH] or 0
    seconds = thought[compare_stats.THINKING_TIME]
    if seconds is None:
        return t("compare.thought_length", n=f"{length:,}")
    return t("compare.thought_for", time=human_seconds(seconds), n=f"{length:,}")


def column_title(name: str) -> str:
    """A summary column's title in the session's language."""
    titles = {
        COLUMN: t("compare.table_column"),
        SETTINGS: t("compare.table_settings"),
        STATUS: t("compare.table_status"),
        compare_stats.THINKING_TIME: t("compare.table_thinking_time"),
        compare_stats.THINKING_LENGTH: t("compare.table_thinking_length"),
    }
    return titles[name] if name in titles else figure_label(name)


def show_summary(record: CompareRecord) -> None:
    st.subheader(t("compare.summary"), anchor=False)
    frame, winners = summary_frame(record)

    def highlight(data: pd.DataFrame) -> pd.DataFrame:
        styles = pd.DataFrame("", index=data.index, columns=data.columns)
        for name, row in winners.items():
            styles.loc[row, column_title(name)] = BEST_STYLE
        return styles

    seconds = dict.fromkeys(
        (
            compare_stats.TIME_TO_FIRST_TOKEN,
            compare_stats.LOAD_TIME,
            compare_stats.TOTAL_TIME,
            compare_stats.THINKING_TIME,
        ),
        _seconds_text,
    )
    counts = dict.fromkeys((compare_stats.OUTPUT_TOKENS, compare_stats.THINKING_LENGTH), _count_text)
    formats = {**seconds, **counts, compare_stats.TOKENS_PER_SECOND: _rate_text}
    formats = {name: format_text for name, format_text in formats.items() if name in frame.columns}
    titles = {name: column_title(name) for name in frame.columns}
    styled = (
        frame.rename(columns=titles)
        .style.apply(highlight, axis=None)
        .format({titles[name]: format_text for name, format_text in formats.items()})
    )
    st.dataframe(styled, hide_index=True, width="stretch", placeholder="—")
    fastest = [
        t(
            "compare.best_item",
            figure=figure_label(name).lower(),
            column=record.label(record.order[row]),
        )
        for name, row in winners.items()
    ]
    if fastest:
        st.caption(t("compare.best", items=markdown(t("compare.best_separator").join(fastest))))
    labels = [record.label(column) for column in range(len(record.order))]
    st.caption(compare_stats.wall_time_sentence(record.timings(), labels))


def show_export(record: CompareRecord) -> None:
    if record.hidden:
        st.caption(t("compare.export_hidden"))
        return
    markdown_slot, json_slot, _rest = st.columns([3, 3, 4])
    name = f"comparison-{record.number}"
    markdown_slot.download_button(
        t("compare.export_markdown"),
        data=compare_export.to_markdown(record),
        file_name=f"{name}.md",
        mime="text/markdown",
        icon=":material/download:",
        on_click="ignore",
        width="stretch",
    )
    json_slot.download_button(
        t("compare.export_json"),
        data=compare_export.to_json(record),
        file_name=f"{name}.json",
        mime="application/json",
        icon=":material/download:",
        on_click="ignore",
        width="stretch",
    )


def _seconds_text(value: Any) -> str:
    return "—" if pd.isna(value) else human_seconds(value)


def _rate_text(value: Any) -> str:
    return "—" if pd.isna(value) else f"{value:,.1f}"


def _count_text(value: Any) -> str:
    return "—" if pd.isna(value) else f"{int(value):,}"
