"""The Generate page's output column: a run drawn while its answer streams in, and once it has ended.

While a run streams, a worker thread reads the answer (:mod:`lib.ollama.stream`) and this
script thread draws it, a status line above saying whether the model is loading, thinking or
writing. Once it has ended, whatever the way, the run is drawn again from its record: what went
wrong or why it stopped, the thinking, the answer (checked against the JSON schema when one was
asked for) with its raw text, its tokens tinted by probability (when asked for) and a download,
and the server's figures.
"""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from lib import server_data, state
from lib.generate import history, logprobs, tokens_view
from lib.generate.form import JSON, SCHEMA, Draft, GenerateForm, GenerateRequest
from lib.generate.record import RunRecord
from lib.generate.schema import check_output, parse_schema
from lib.i18n import t
from lib.ollama.client import OllamaClient
from lib.ollama.errors import ResponseError
from lib.ollama.stream import CONTENT, ENDED, THINKING, WAITING, Event, Streams
from lib.ui import widgets
from lib.ui.errors import error_text
from lib.ui.live_markdown import LiveMarkdown, render_markdown
from lib.ui.stats import stat_rows

LIVE_KEY = "generate_live"
# A run starts from the button under a form that can be taller than the window: when the answer's
# top is above the window, it is brought into view once (the reader may scroll away again).
_INTO_VIEW = (
    "<script>requestAnimationFrame(() => {"
    f"const live = document.querySelector('.st-key-{LIVE_KEY}');"
    "const main = document.querySelector('[data-testid=\"stMain\"]');"
    "if (!live || !main) return;"
    "const top = live.getBoundingClientRect().top;"
    "if (top < 60) main.scrollBy({top: top - 80, behavior: 'smooth'});"
    "});</script>"
)


def into_view_script() -> str:
    """Our constant script that brings a starting run's answer into view (holds no text of anyone's)."""
    return _INTO_VIEW


# Seconds without a word after which the status line says the model is probably loading.
SLOW_START = 3
# Seconds without a new word, once the answer has begun, after which the status line says the model paused.
PAUSE = 2
PAUSED = "paused"


def draw(client: OllamaClient, draft: Draft, starting: bool, named: str = "") -> RunRecord | None:
    """The run starting now (when ``starting``), else the last run; returns the run shown, if any.

    ``named`` is the model as the status line names it (``qwen3:0.6b · gpu``); the model alone by default.
    """
    shown_run = (
        stream_run(client, draft.request, draft.form, named)
        if starting and draft.request is not None
        else state.get(state.GENERATE_LAST)
    )
    if shown_run is None:
        st.caption(t("generate.answer_appears"))
    else:
        show_run(shown_run)
    return shown_run


def stream_run(client: OllamaClient, request: GenerateRequest, form: GenerateForm, named: str = "") -> RunRecord:
    """Send the request to ``client``'s server and draw the answer as it arrives; the caller then draws
    the finished run. The run keeps that client (a copy per thread) whatever is picked meanwhile.

    Kept in the history from the first moment, so Stop, a failure or a page switch never loses
    the text that already arrived.
    """
    number = (state.get(state.GENERATE_RUN_COUNT) or 0) + 1
    state.put(state.GENERATE_RUN_COUNT, number)
    record = RunRecord(number, datetime.now(), form, request.body())
    history.keep(record)
    streams = Streams(client, [request.streamed()], [record.result])
    state.put(state.GENERATE_JOB, streams)
    with widgets.live_area(streams.stop):
        top = st.container(horizontal=True, vertical_alignment="center", key=LIVE_KEY)
        status = top.empty()
        status.caption(t("generate.sending", model=named or request.model))
        # Run and Stop sit under the form, out of view when the parameters are open: a Stop here too.
        top.button(t("generate.stop"), icon=":material/stop:", key="generate_stop_live", width="content")
        st.html(into_view_script(), unsafe_allow_javascript=True)
        thinking_slot = st.container()
        answer = LiveMarkdown(st.container(key="generate_answer"))  # the benchmark watches it by this key
        thinking: LiveMarkdown | None = None
        line = StatusLine(named or request.model)
        for event in streams.events():
            said = line.after(event)
            if said is not None:
                status.caption(said)
            if event.kind == THINKING:
                if thinking is None:
                    thinking = LiveMarkdown(
                        thinking_slot.expander(t("generate.thinking"), icon=":material/psychology:")
                    )
                thinking.append(event.text)
            elif event.kind == CONTENT:
                answer.append(event.text)
        # The whole text at once, without the cursor, before the finished run is drawn in its place: the last
        # words are on screen as soon as they arrive, not after the tabs and figures are built.
        if thinking is not None:
            thinking.finish()
        answer.finish()
    if state.get(state.GENERATE_JOB) is streams:
        state.put(state.GENERATE_JOB, None)
    server_data.note_request(request.model, record.result.error)
    return record


class StatusLine:
    """What the line above a streaming answer says, event by event.

    Before the first word: waiting for the model, with the time since the request and, after a
    few seconds, that a model not yet in memory takes a while to load. Once words came: thinking
    or writing, and when the words stop for a while, how long they have stopped (not since the
    request, and not a load: the model is in memory by then).
    """

    def __init__(self, model: str) -> None:
        self.model = model
        self.phase = ""
        self.last_word = 0.0  # seconds from the request to the latest text

    def after(self, event: Event) -> str | None:
        """The line's new text after ``event``, or ``None`` to leave it as it is."""
        if event.kind == ENDED:
            return None
        if event.kind == WAITING:
            if self.phase in (THINKING, CONTENT, PAUSED):
                quiet = event.seconds - self.last_word
                if quiet <= PAUSE:
                    return None
                self.phase = PAUSED
                return t("generate.paused", time=t("units.seconds", value=f"{quiet:.0f}"))
            self.phase = WAITING
            waited = t("units.seconds", value=f"{event.seconds:.0f}")
            key = "generate.waiting_slow" if event.seconds > SLOW_START else "generate.waiting"
            return t(key, model=self.model, time=waited)
        self.last_word = event.seconds
        if event.kind == self.phase:
            return None
        self.phase = event.kind
        return t("generate.thinking_now") if event.kind == THINKING else t("generate.writing_now")


def show_run(record: RunRecord) -> None:
    """A run that has ended: how, its thinking, its answer and its figures."""
    result = record.result
    if result.error:
        st.error(error_text(result.error), icon=":material/error:")
        if isinstance(result.error, ResponseError) and result.error.model_missing:
            st.caption(t("generate.model_missing"))
        if result.content or result.thinking:
            st.caption(t("generate.kept_before_error"))
    elif result.stopped:
        st.warning(
            t("generate.stopped_kept") if result.content or result.thinking else t("generate.stopped"),
            icon=":material/stop_circle:",
        )
    elif result.done_reason == "length":
        if result.content.strip() or result.thinking.strip():
            st.info(t("generate.cut_off"), icon=":material/content_cut:")
        else:
            prompt = stats.prompt_tokens if (stats := result.stats()) else None
            st.warning(
                t("generate.context_full", n=prompt) if prompt else t("generate.context_full_unknown"),
                icon=":material/content_cut:",
            )
    if result.thinking:
        with st.expander(t("generate.thinking"), icon=":material/psychology:"):
            render_markdown(result.thinking)
    if result.content:
        show_answer(record)
    elif result.complete and result.done_reason != "length":
        st.info(t("generate.empty_answer"), icon=":material/info:")
    stats = result.stats()
    if stats is not None:
        figures = st.container(horizontal=True, gap="medium")
        for row in stat_rows(stats):
            figures.metric(row.label, row.value, help=row.help, width="content")


def show_answer(record: RunRecord) -> None:
    """The answer's tabs, rendered (or as JSON, checked), raw and by token probability, and its download."""
    result, form = record.result, record.form
    text = result.content
    tokens_tab = [t("generate.tokens_tab")] if result.logprobs else []
    if form.output_format in (JSON, SCHEMA):
        schema = parse_schema(form.schema_text) if form.output_format == SCHEMA else None
        check = check_output(text, schema)
        if not check.is_json:
            problem = check.problems[0] if result.complete else t("generate.json_unfinished", problem=check.problems[0])
            st.warning(problem, icon=":material/data_object:")
        elif check.not_checked:
            st.warning(check.not_checked, icon=":material/rule:")
        elif schema is not None and check.problems:
            st.warning(t("generate.schema_mismatch"), icon=":material/rule:")
            st.markdown("\n".join(f"- {problem}" for problem in check.problems))
        elif schema is not None:
            st.success(t("generate.schema_match"), icon=":material/check_circle:")
        shown, raw, *by_token = st.tabs(["JSON", t("generate.raw_text"), *tokens_tab])
        with shown:
            if check.is_json:
                st.code(check.pretty, language="json", wrap_lines=True)
            else:
                st.code(text, language=None, wrap_lines=True)
        file_name, mime, data = f"generate-{record.number}.json", "application/json", check.pretty or text
    else:
        shown, raw, *by_token = st.tabs([t("generate.answer"), t("generate.raw_text"), *tokens_tab])
        with shown:
            render_markdown(text, st.container(key="generate_result"))  # the benchmark watches it by this key
        file_name, mime, data = f"generate-{record.number}.md", "text/markdown", text
    with raw:
        st.code(text, language=None, wrap_lines=True)
    for tab in by_token:
        with tab:
            tokens_view.draw(logprobs.tokens(result.logprobs), f"{state.GENERATE_TOKEN_INPUT}_{record.number}")
    if form.logprobs and not result.logprobs and result.complete:
        st.caption(t("generate.no_logprobs"))
    st.download_button(
        t("generate.download_answer"),
        data=data,
        file_name=file_name,
        mime=mime,
        icon=":material/download:",
        on_click="ignore",
    )
