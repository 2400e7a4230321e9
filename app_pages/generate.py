"""Generate: one prompt, one answer, every /api/generate option, and the exact request it sends."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from lib import server_data, state
from lib.generate import form_state
from lib.generate.compare import view as compare_view
from lib.generate.form import (
    JSON,
    PLAIN,
    SCHEMA,
    FormProblem,
    GenerateForm,
    GenerateRequest,
    build_request,
    decode_image,
    format_label,
)
from lib.generate.job import THINKING, WAITING, GenerateJob
from lib.generate.record import HISTORY_LIMIT, RunRecord, remember
from lib.generate.schema import InvalidSchema, check_output, parse_schema
from lib.generate.snippets import body_json, curl_command, python_code, shorten_images
from lib.i18n import t
from lib.ollama.errors import ResponseError
from lib.ollama.host import join_url
from lib.parameters import panel as options_panel
from lib.run_stats import stat_rows
from lib.ui import widgets
from lib.ui.errors import error_text
from lib.ui.live_markdown import LiveMarkdown, render_markdown
from lib.ui.markdown_safety import escape_markdown

IMAGE_TYPES = ["png", "jpg", "jpeg", "webp"]
SINGLE, COMPARE = "single", "compare"


def keep(record: RunRecord) -> None:
    state.put(state.GENERATE_LAST, record)
    state.put(state.GENERATE_HISTORY, remember(state.get(state.GENERATE_HISTORY) or [], record))


def start_run(request: GenerateRequest, form: GenerateForm) -> RunRecord:
    """Send the request and draw the answer as it arrives; the caller then draws the finished run.

    Kept in the history from the first moment, so Stop, a failure or a page switch never loses
    the text that already arrived.
    """
    number = (state.get(state.GENERATE_RUN_COUNT) or 0) + 1
    state.put(state.GENERATE_RUN_COUNT, number)
    record = RunRecord(number, datetime.now(), form, request.body())
    keep(record)
    job = GenerateJob(client, request, record.result)
    state.put(state.GENERATE_JOB, job)
    with widgets.live_area(job.stop):
        status = st.empty()
        status.caption(t("generate.sending", model=request.model))
        thinking_slot = st.container()
        answer = LiveMarkdown(st.container())
        thinking: LiveMarkdown | None = None
        phase = ""
        for event in job.events():
            if event.kind == WAITING:
                waited = t("units.seconds", value=f"{event.seconds:.0f}")
                status.caption(
                    t("generate.waiting_slow", model=request.model, time=waited)
                    if event.seconds > 3
                    else t("generate.waiting", model=request.model, time=waited)
                )
                phase = WAITING
                continue
            if event.kind != phase:
                phase = event.kind
                status.caption(t("generate.thinking_now") if phase == THINKING else t("generate.writing_now"))
            if event.kind == THINKING:
                if thinking is None:
                    thinking = LiveMarkdown(
                        thinking_slot.expander(t("generate.thinking"), icon=":material/psychology:")
                    )
                thinking.append(event.text)
            else:
                answer.append(event.text)
    if state.get(state.GENERATE_JOB) is job:
        state.put(state.GENERATE_JOB, None)
    return record


def show_run(record: RunRecord) -> None:
    result = record.result
    if result.error:
        st.error(error_text(result.error), icon=":material/error:")
        if isinstance(result.error, ResponseError) and result.error.model_missing:
            st.caption(t("generate.model_missing"))
        if result.output or result.thinking:
            st.caption(t("generate.kept_before_error"))
    elif result.stopped:
        st.warning(
            t("generate.stopped_kept") if result.output or result.thinking else t("generate.stopped"),
            icon=":material/stop_circle:",
        )
    elif result.done_reason == "length":
        st.info(t("generate.cut_off"), icon=":material/content_cut:")
    if result.thinking:
        with st.expander(t("generate.thinking"), icon=":material/psychology:"):
            render_markdown(result.thinking)
    if result.output:
        show_output(record)
    elif result.complete:
        st.info(t("generate.empty_answer"), icon=":material/info:")
    stats = result.stats()
    if stats is not None:
        figures = st.container(horizontal=True, gap="medium")
        for row in stat_rows(stats):
            figures.metric(row.label, row.value, help=row.help, width="content")


def show_output(record: RunRecord) -> None:
    result, form = record.result, record.form
    text = result.output
    if form.output_format in (JSON, SCHEMA):
        schema = parse_schema(form.schema_text) if form.output_format == SCHEMA else None
        check = check_output(text, schema)
        if not check.is_json:
            problem = check.problems[0] if result.complete else t("generate.json_unfinished", problem=check.problems[0])
            st.warning(problem, icon=":material/data_object:")
        elif schema is not None and check.problems:
            st.warning(t("generate.schema_mismatch"), icon=":material/rule:")
            st.code("\n".join(check.problems), language=None, wrap_lines=True)
        elif schema is not None:
            st.success(t("generate.schema_match"), icon=":material/check_circle:")
        shown, raw = st.tabs(["JSON", t("generate.raw_text")])
        with shown:
            if check.is_json:
                st.code(check.pretty, language="json", wrap_lines=True)
            else:
                st.code(text, language=None, wrap_lines=True)
        file_name, mime, data = f"generate-{record.number}.json", "application/json", check.pretty or text
    else:
        shown, raw = st.tabs([t("generate.answer"), t("generate.raw_text")])
        with shown:
            render_markdown(text)
        file_name, mime, data = f"generate-{record.number}.md", "text/markdown", text
    with raw:
        st.code(text, language=None, wrap_lines=True)
    st.download_button(
        t("generate.download_answer"),
        data=data,
        file_name=file_name,
        mime=mime,
        icon=":material/download:",
        on_click="ignore",
    )


def show_request(body: dict, note: str) -> None:
    url = join_url(client.base_url, "/api/generate")
    shown = shorten_images(body)
    st.caption(note)
    as_json, as_curl, as_python = st.tabs([t("generate.json_body"), t("generate.curl_tab"), t("generate.python_tab")])
    with as_json:
        st.code(body_json(shown), language="json", wrap_lines=True)
    with as_curl:
        st.code(curl_command(url, shown, with_api_key=client.has_api_key), language="bash", wrap_lines=True)
    with as_python:
        st.code(python_code(url, shown, with_api_key=client.has_api_key), language="python", wrap_lines=True)
    if body.get("images"):
        st.caption(t("generate.images_shortened"))
    if client.has_api_key:
        st.caption(t("generate.api_key_hidden"))
    st.download_button(
        t("generate.download_body"),
        data=body_json(body),
        file_name="generate-request.json",
        mime="application/json",
        icon=":material/download:",
        on_click="ignore",
    )


def bring_back(number: int, run_again: bool) -> None:
    """History button callback: put a run's form back (and ask for a run), before the page draws."""
    record = next((r for r in state.get(state.GENERATE_HISTORY) or [] if r.number == number), None)
    if record is None:
        return
    form_state.restore(record.form)
    state.put(state.GENERATE_LAST, record)
    state.put(state.GENERATE_PENDING, record.form.model if run_again else None)


st.title(t("generate.title"))
client = server_data.client()
interrupted: GenerateJob | None = state.get(state.GENERATE_JOB)
if interrupted is not None:
    # The run this one interrupted may still be unwinding (fast reruns): settle it before drawing it.
    interrupted.stop()
    state.put(state.GENERATE_JOB, None)
compare_view.settle_interrupted()

st.session_state.setdefault(state.GENERATE_MODE_INPUT, state.get(state.GENERATE_MODE) or SINGLE)
# Labels worded now, in the script run: AppTest calls format_func outside it too.
mode_labels = {SINGLE: t("generate.mode_single"), COMPARE: t("generate.mode_compare")}
mode = st.segmented_control(
    t("generate.mode"),
    list(mode_labels),
    format_func=mode_labels.get,
    required=True,
    key=state.GENERATE_MODE_INPUT,
    label_visibility="collapsed",
)
state.put(state.GENERATE_MODE, mode)
if mode == COMPARE:
    st.caption(t("generate.compare_intro"))
    compare_view.draw(client)
    st.stop()

st.caption(t("generate.intro"))
form_state.seed()
form_column, output_column = st.columns([5, 6], gap="large")

with form_column:
    model = widgets.model_picker(
        t("generate.model"), "completion", state.GENERATE_MODEL_INPUT, help=t("generate.model_help")
    )
    if model is None:
        st.stop()
    capabilities = server_data.capabilities_of(client, model)
    saved = form_state.saved()
    prompt = st.text_area(
        t("generate.prompt"), key=state.GENERATE_PROMPT_INPUT, height=150, placeholder=t("generate.prompt_placeholder")
    )
    system = st.text_area(
        t("generate.system"),
        key=state.GENERATE_SYSTEM_INPUT,
        height=68,
        placeholder=t("generate.models_own"),
        help=t("generate.system_help"),
    )
    can_see = not capabilities or "vision" in capabilities
    if can_see:
        st.file_uploader(
            t("generate.images"),
            type=IMAGE_TYPES,
            accept_multiple_files=True,
            key=form_state.uploader_key(),
            on_change=form_state.take_uploads,
            help=t("generate.images_help"),
        )
    images = form_state.saved().images
    if images and not (can_see and st.session_state.get(form_state.uploader_key())):
        st.caption(t("generate.images_kept", n=len(images)))
        st.image([data for data in map(decode_image, images) if data], width=96)
        st.button(
            t("generate.remove_images"),
            icon=":material/delete:",
            key=state.GENERATE_CLEAR_IMAGES_BUTTON,
            on_click=form_state.drop_images,
        )
    think = saved.think
    if "thinking" in capabilities:
        think = st.toggle(t("generate.think"), key=state.GENERATE_THINK_INPUT, help=t("generate.think_help"))
    with st.expander(t("generate.fill_in_middle"), icon=":material/vertical_align_center:"):
        if capabilities and "insert" not in capabilities:
            st.caption(t("generate.no_insert", model=escape_markdown(model)))
        suffix = st.text_area(
            t("generate.suffix"), key=state.GENERATE_SUFFIX_INPUT, height=68, help=t("generate.suffix_help")
        )
    with st.expander(t("generate.advanced"), icon=":material/tune:"):
        template = st.text_area(
            t("generate.template"),
            key=state.GENERATE_TEMPLATE_INPUT,
            height=100,
            placeholder=t("generate.models_own"),
            help=t("generate.template_help"),
        )
        raw = st.toggle(t("generate.raw_mode"), key=state.GENERATE_RAW_INPUT, help=t("generate.raw_mode_help"))
    with st.expander(t("generate.parameters"), icon=":material/settings:"):
        chosen = options_panel.render(form_state.OPTIONS_PREFIX)
    format_labels = {name: format_label(name) for name in (PLAIN, JSON, SCHEMA)}
    output_format = st.radio(
        t("generate.output_format"),
        list(format_labels),
        format_func=format_labels.get,
        key=state.GENERATE_FORMAT_INPUT,
        horizontal=True,
        help=t("generate.output_format_help"),
    )
    schema_text = saved.schema_text
    if output_format == SCHEMA:
        schema_text = st.text_area(
            t("generate.schema"), key=state.GENERATE_SCHEMA_INPUT, height=240, help=t("generate.schema_help")
        )
        try:
            parse_schema(schema_text)
        except InvalidSchema as error:
            st.error(str(error), icon=":material/data_object:")
    stream = st.toggle(t("generate.stream"), key=state.GENERATE_STREAM_INPUT, help=t("generate.stream_help"))

    form = GenerateForm(
        model=model,
        prompt=prompt,
        system=system,
        suffix=suffix,
        template=template,
        raw=raw,
        think=think,
        stream=stream,
        output_format=output_format,
        schema_text=schema_text,
        images=images,
        options=chosen.options,
        keep_alive=chosen.keep_alive,
    )
    form_state.save(form)
    problem = chosen.error
    request: GenerateRequest | None = None
    try:
        request = build_request(form, capabilities)
    except FormProblem as error:
        problem = problem or str(error)
    if chosen.error:
        request = None

    run_column, stop_column = st.columns(2)
    asked = run_column.button(
        t("generate.run"), type="primary", icon=":material/play_arrow:", key=state.GENERATE_RUN_BUTTON, width="stretch"
    )
    rerun_model = state.get(state.GENERATE_PENDING)
    state.put(state.GENERATE_PENDING, None)
    asked = asked or bool(rerun_model)
    if rerun_model and rerun_model != model:
        request = None
        problem = t("generate.rerun_model_gone", model=rerun_model)
    starting = asked and request is not None
    stop_column.button(
        t("generate.stop"),
        icon=":material/stop:",
        key=state.GENERATE_STOP_BUTTON,
        disabled=not starting,
        width="stretch",
        help=t("generate.stop_help"),
    )
    if asked and request is None:
        st.error(t("generate.nothing_sent", problem=problem), icon=":material/block:")

with output_column:
    shown_run = start_run(request, form) if starting and request is not None else state.get(state.GENERATE_LAST)
    if shown_run is None:
        st.caption(t("generate.answer_appears"))
    else:
        show_run(shown_run)

with st.expander(t("generate.api_request"), icon=":material/api:"):
    if request is not None:
        show_request(request.body(), t("generate.request_now"))
    elif shown_run is not None:
        show_request(shown_run.body, t("generate.request_last", problem=problem))
    else:
        st.caption(t("generate.request_blocked", problem=problem))

st.subheader(t("generate.history"))
history: list[RunRecord] = state.get(state.GENERATE_HISTORY) or []
if not history:
    st.caption(t("generate.history_empty", limit=HISTORY_LIMIT))
for past in history:
    label_column, restore_column, rerun_column = st.columns([8, 2, 2], vertical_alignment="center")
    label_column.text(past.label())
    restore_column.button(
        t("generate.restore"),
        icon=":material/edit_note:",
        key=f"{state.GENERATE_RESTORE_BUTTON}_{past.number}",
        on_click=bring_back,
        args=(past.number, False),
        width="stretch",
        help=t("generate.restore_help"),
    )
    rerun_column.button(
        t("generate.rerun"),
        icon=":material/replay:",
        key=f"{state.GENERATE_RERUN_BUTTON}_{past.number}",
        on_click=bring_back,
        args=(past.number, True),
        width="stretch",
        help=t("generate.rerun_help"),
    )
