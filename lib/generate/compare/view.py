"""The Generate page's Compare mode: one prompt, up to four (model, parameters) columns, streamed side by side.

Drawn top to bottom like the screen: the prompt, the shared settings, one set-up column per
(model, parameters) pair, Compare and Stop, then the answers in columns, the summary table and
the export. While a comparison runs, every column's worker thread reads its own stream
(:mod:`lib.ollama.stream`); only this script thread draws, each column with its own
:class:`~lib.ui.live_markdown.LiveMarkdown`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
import streamlit as st

from lib import server_data, state
from lib.formatting import human_seconds
from lib.generate.compare import export as compare_export
from lib.generate.compare import stats as compare_stats
from lib.generate.compare.form import (
    LETTERS,
    MAX_COLUMNS,
    MIN_COLUMNS,
    ColumnSetup,
    CompareForm,
    build_requests,
    column_options,
    settings_summary,
)
from lib.generate.compare.record import CompareRecord, shuffled_order
from lib.generate.form import FormProblem, GenerateRequest
from lib.generate.record import status_text
from lib.generate.snippets import body_json
from lib.i18n import markdown, message_of, t
from lib.ollama.client import OllamaClient
from lib.ollama.errors import OllamaError, ResponseError
from lib.ollama.stream import ALL_COLUMNS, ENDED, THINKING, WAITING, Streams
from lib.parameters import panel as options_panel
from lib.ui import widgets
from lib.ui.errors import error_text
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


def seed_column(column: int, installed: list[str]) -> None:
    """The same for one column's widgets, right before they draw.

    Only then: a value put under a widget's key in a run that does not draw the widget
    comes back after the widget is dropped. A column never set up starts on a different
    installed model than the columns before it.
    """
    form = saved()
    setup = form.columns[column] if column < len(form.columns) else ColumnSetup()
    model = setup.model or (installed[column % len(installed)] if installed else None)
    if model is not None:
        st.session_state.setdefault(f"{state.COMPARE_MODEL_INPUT}_{column}", model)


def installed_models(client: OllamaClient) -> list[str]:
    try:
        return server_data.models_with(client, "completion")
    except OllamaError:
        return []  # the model picker explains the failure


def draw(client: OllamaClient) -> None:
    """The whole Compare mode, below the page's title and mode switch (after :func:`settle_interrupted`)."""
    seed_widgets()
    prompt = st.text_area(
        t("generate.prompt"),
        key=state.COMPARE_PROMPT_INPUT,
        height=110,
        placeholder=t("generate.prompt_placeholder"),
        help=t("compare.prompt_help"),
    )
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

    capabilities: dict[str, frozenset[str]] = {}
    setups: list[ColumnSetup] = []
    problems: list[str] = []
    for column, slot in enumerate(st.columns(count or MIN_COLUMNS, gap="medium")):
        with slot.container(border=True):
            setup, problem = column_setup(client, column, shared_seed, capabilities)
        setups.append(setup)
        if problem:
            problems.append(t("compare.column_problem", letter=LETTERS[column], problem=problem))

    form = CompareForm(prompt=prompt, system=system, columns=tuple(setups), shared_seed=shared_seed, blind=blind)
    state.put(state.COMPARE_FORM, form)
    requests: list[GenerateRequest] | None = None
    try:
        requests = build_requests(form, capabilities)
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
        record: CompareRecord | None = run_comparison(client, requests, form)
    else:
        record = state.get(state.COMPARE_LAST)
    if record is None:
        st.caption(t("compare.answers_appear"))
        return
    show_comparison(record)


def column_setup(
    client: OllamaClient, column: int, shared_seed: int | None, capabilities: dict[str, frozenset[str]]
) -> tuple[ColumnSetup, str | None]:
    """One column's model and parameters, and what is wrong with them (or None)."""
    st.markdown(t("compare.column_heading", letter=LETTERS[column]))
    seed_column(column, installed_models(client))
    model = widgets.model_picker(
        t("generate.model"), "completion", f"{state.COMPARE_MODEL_INPUT}_{column}", help=t("generate.model_help")
    )
    if model is None:
        st.stop()
    capabilities[model] = server_data.capabilities_of(client, model)
    think = True
    if "thinking" in capabilities[model]:
        saved_columns = saved().columns
        st.session_state.setdefault(
            f"{state.COMPARE_THINK_INPUT}_{column}",
            saved_columns[column].think if column < len(saved_columns) else True,
        )
        think = st.toggle(t("compare.think"), key=f"{state.COMPARE_THINK_INPUT}_{column}", help=t("compare.think_help"))
    with st.popover(t("generate.parameters"), icon=":material/settings:", width="stretch"):
        chosen = options_panel.render(options_prefix(column))
    setup = ColumnSetup(model, chosen.options, chosen.keep_alive, think)
    options = column_options(CompareForm(shared_seed=shared_seed), setup)
    st.caption(
        escape_markdown(
            settings_summary(options, chosen.keep_alive, think if "thinking" in capabilities[model] else None)
        )
    )
    return setup, chosen.error


def run_comparison(client: OllamaClient, requests: list[GenerateRequest], form: CompareForm) -> CompareRecord:
    """Send every column and draw their answers as they arrive; the caller then draws the finished comparison.

    Kept in session state from the first moment, so Stop or a failure never loses text that arrived.
    """
    number = (state.get(state.COMPARE_RUN_COUNT) or 0) + 1
    state.put(state.COMPARE_RUN_COUNT, number)
    record = CompareRecord(
        number,
        datetime.now(),
        form,
        tuple(request.body() for request in requests),
        order=shuffled_order(len(requests), form.blind),
    )
    state.put(state.COMPARE_LAST, record)
    streams = Streams(client, [request.streamed() for request in requests], record.results)
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
    panes = st.columns(len(record.order), gap="medium")
    for position, column in enumerate(record.order):
        with panes[position].container(border=True, height="stretch"):
            show_column(record, column)
    show_summary(record)
    show_export(record)
    with st.expander(t("compare.api_requests"), icon=":material/api:"):
        if record.hidden:
            st.caption(t("compare.requests_hidden"))
        else:
            tabs = st.tabs([escape_markdown(record.label(column)) for column in record.order])
            for tab, column in zip(tabs, record.order, strict=True):
                tab.code(body_json(record.bodies[column]), language="json", wrap_lines=True)


def reveal_models(record: CompareRecord) -> None:
    record.revealed = True


def show_column(record: CompareRecord, column: int) -> None:
    result = record.results[column]
    st.subheader(escape_markdown(record.label(column)), anchor=False)
    if not record.hidden:
        st.caption(escape_markdown(record.settings(column)))
    if result.error:
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
    if result.content:
        render_markdown(result.content, st.container(key=f"compare_result_{column}"))  # watched by the benchmark
    elif result.complete:
        st.info(t("generate.empty_answer"), icon=":material/info:")
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
    return pd.DataFrame(rows), compare_stats.best(rows, answered)


def column_title(name: str) -> str:
    """A summary column's title in the session's language."""
    titles = {
        COLUMN: t("compare.table_column"),
        SETTINGS: t("compare.table_settings"),
        STATUS: t("compare.table_status"),
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
        (compare_stats.TIME_TO_FIRST_TOKEN, compare_stats.LOAD_TIME, compare_stats.TOTAL_TIME), _seconds_text
    )
    formats = {**seconds, compare_stats.TOKENS_PER_SECOND: _rate_text, compare_stats.OUTPUT_TOKENS: _count_text}
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
