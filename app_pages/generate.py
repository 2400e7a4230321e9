"""Generate: one prompt, one answer, every /api/generate option, and the exact request it sends."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from lib import compare_view, generate_widgets, options_panel, server_data, state, widgets
from lib.errors import ResponseError
from lib.generate_form import (
    FORMAT_LABELS,
    JSON,
    PLAIN,
    SCHEMA,
    FormProblem,
    GenerateForm,
    GenerateRequest,
    build_request,
    decode_image,
)
from lib.generate_job import THINKING, WAITING, GenerateJob
from lib.generate_run import HISTORY_LIMIT, RunRecord, remember
from lib.host import join_url
from lib.json_schema_check import InvalidSchema, check_output, parse_schema
from lib.live_markdown import LiveMarkdown, render_markdown
from lib.request_snippets import body_json, curl_command, python_code, shorten_images
from lib.run_stats import stat_rows

IMAGE_TYPES = ["png", "jpg", "jpeg", "webp"]
SINGLE, COMPARE = "single", "compare"
MODES = {SINGLE: "One model", COMPARE: "Compare side by side"}


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
        status.caption(f"Sending to {request.model}…")
        thinking_slot = st.container()
        answer = LiveMarkdown(st.container())
        thinking: LiveMarkdown | None = None
        phase = ""
        for event in job.events():
            if event.kind == WAITING:
                slow = " A model that is not in memory yet takes a while to load." if event.seconds > 3 else ""
                status.caption(f"Waiting for {request.model}… {event.seconds:.0f} s.{slow}")
                phase = WAITING
                continue
            if event.kind != phase:
                phase = event.kind
                status.caption("Thinking…" if phase == THINKING else "Writing…")
            if event.kind == THINKING:
                if thinking is None:
                    thinking = LiveMarkdown(thinking_slot.expander("Thinking", icon=":material/psychology:"))
                thinking.append(event.text)
            else:
                answer.append(event.text)
    if state.get(state.GENERATE_JOB) is job:
        state.put(state.GENERATE_JOB, None)
    return record


def show_run(record: RunRecord) -> None:
    result = record.result
    if result.error:
        st.error(str(result.error), icon=":material/error:")
        if isinstance(result.error, ResponseError) and result.error.model_missing:
            st.caption("The model is not installed on this server. Pull it on the Models page, or pick another model.")
        if result.output or result.thinking:
            st.caption("The part of the answer that arrived before the error is kept below.")
    elif result.stopped:
        kept = " The part of the answer that arrived is kept below." if result.output or result.thinking else ""
        st.warning(f"Stopped before the answer was complete.{kept}", icon=":material/stop_circle:")
    elif result.done_reason == "length":
        st.info("The answer reached the maximum answer length and was cut off. Raise it under Parameters.",
                icon=":material/content_cut:")
    if result.thinking:
        with st.expander("Thinking", icon=":material/psychology:"):
            render_markdown(result.thinking)
    if result.output:
        show_output(record)
    elif result.complete:
        st.info("The model's answer is empty.", icon=":material/info:")
    stats = result.stats()
    if stats is not None:
        figures = st.container(horizontal=True, gap="medium")
        for label, value, help_text in stat_rows(stats):
            figures.metric(label, value, help=help_text, width="content")


def show_output(record: RunRecord) -> None:
    result, form = record.result, record.form
    text = result.output
    if form.output_format in (JSON, SCHEMA):
        schema = parse_schema(form.schema_text) if form.output_format == SCHEMA else None
        check = check_output(text, schema)
        if not check.is_json:
            cut = "" if result.complete else " It ended before the model finished."
            st.warning(f"{check.problems[0]}{cut}", icon=":material/data_object:")
        elif schema is not None and check.problems:
            st.warning("The answer does not match the schema:", icon=":material/rule:")
            st.code("\n".join(check.problems), language=None, wrap_lines=True)
        elif schema is not None:
            st.success("The answer matches the schema.", icon=":material/check_circle:")
        shown, raw = st.tabs(["JSON", "Raw text"])
        with shown:
            if check.is_json:
                st.code(check.pretty, language="json", wrap_lines=True)
            else:
                st.code(text, language=None, wrap_lines=True)
        file_name, mime, data = f"generate-{record.number}.json", "application/json", check.pretty or text
    else:
        shown, raw = st.tabs(["Answer", "Raw text"])
        with shown:
            render_markdown(text)
        file_name, mime, data = f"generate-{record.number}.md", "text/markdown", text
    with raw:
        st.code(text, language=None, wrap_lines=True)
    st.download_button("Download the answer", data=data, file_name=file_name, mime=mime, icon=":material/download:",
                       on_click="ignore")


def show_request(body: dict, note: str) -> None:
    url = join_url(client.base_url, "/api/generate")
    shown = shorten_images(body)
    st.caption(note)
    as_json, as_curl, as_python = st.tabs(["JSON body", "curl", "Python (requests)"])
    with as_json:
        st.code(body_json(shown), language="json", wrap_lines=True)
    with as_curl:
        st.code(curl_command(url, shown, with_api_key=client.has_api_key), language="bash", wrap_lines=True)
    with as_python:
        st.code(python_code(url, shown, with_api_key=client.has_api_key), language="python", wrap_lines=True)
    if body.get("images"):
        st.caption("Images are shortened here. The download holds the exact body: "
                   "`curl -d @generate-request.json` sends it.")
    if client.has_api_key:
        st.caption("The API key is not shown: the commands read it from the `OLLAMA_API_KEY` environment variable.")
    st.download_button("Download the JSON body", data=body_json(body), file_name="generate-request.json",
                       mime="application/json", icon=":material/download:", on_click="ignore")


def bring_back(number: int, run_again: bool) -> None:
    """History button callback: put a run's form back (and ask for a run), before the page draws."""
    record = next((r for r in state.get(state.GENERATE_HISTORY) or [] if r.number == number), None)
    if record is None:
        return
    generate_widgets.restore(record.form)
    state.put(state.GENERATE_LAST, record)
    state.put(state.GENERATE_PENDING, record.form.model if run_again else None)


st.title("Generate")
client = server_data.client()
interrupted: GenerateJob | None = state.get(state.GENERATE_JOB)
if interrupted is not None:
    # The run this one interrupted may still be unwinding (fast reruns): settle it before drawing it.
    interrupted.stop()
    state.put(state.GENERATE_JOB, None)
compare_view.settle_interrupted()

st.session_state.setdefault(state.GENERATE_MODE_INPUT, state.get(state.GENERATE_MODE) or SINGLE)
mode = st.segmented_control("Mode", list(MODES), format_func=MODES.get, required=True, key=state.GENERATE_MODE_INPUT,
                            label_visibility="collapsed")
state.put(state.GENERATE_MODE, mode)
if mode == COMPARE:
    st.caption("One prompt answered side by side by up to four models, or by one model at different settings, "
               "all streaming at once.")
    compare_view.draw(client)
    st.stop()

st.caption("One prompt, one answer, with every option of Ollama's `/api/generate` "
           "and the exact request this page sends.")
generate_widgets.seed()
form_column, output_column = st.columns([5, 6], gap="large")

with form_column:
    model = widgets.model_picker("Model", "completion", state.GENERATE_MODEL_INPUT,
                                 help="Installed models that can write text.")
    if model is None:
        st.stop()
    capabilities = server_data.capabilities_of(client, model)
    saved = generate_widgets.saved()
    prompt = st.text_area("Prompt", key=state.GENERATE_PROMPT_INPUT, height=150,
                          placeholder="Why is the sky blue?")
    system = st.text_area("System prompt", key=state.GENERATE_SYSTEM_INPUT, height=68,
                          placeholder="The model's own (leave empty)",
                          help="Instructions that frame the answer. Empty uses the system prompt the model came with.")
    can_see = not capabilities or "vision" in capabilities
    if can_see:
        st.file_uploader("Images", type=IMAGE_TYPES, accept_multiple_files=True, key=generate_widgets.uploader_key(),
                         on_change=generate_widgets.take_uploads,
                         help="For models that can see. Sent as raw base64 in `images`.")
    images = generate_widgets.saved().images
    if images and not (can_see and st.session_state.get(generate_widgets.uploader_key())):
        st.caption(f"{len(images)} image(s) kept from before:")
        st.image([data for data in map(decode_image, images) if data], width=96)
        st.button("Remove these images", icon=":material/delete:", key=state.GENERATE_CLEAR_IMAGES_BUTTON,
                  on_click=generate_widgets.drop_images)
    think = saved.think
    if "thinking" in capabilities:
        think = st.toggle("Think before answering", key=state.GENERATE_THINK_INPUT,
                          help="The model reasons first (sent as `think`); the reasoning is shown apart, collapsed.")
    with st.expander("Fill in the middle", icon=":material/vertical_align_center:"):
        if capabilities and "insert" not in capabilities:
            st.caption(f"{model} was not trained for this (it lacks the \"insert\" capability).")
        suffix = st.text_area("Suffix", key=state.GENERATE_SUFFIX_INPUT, height=68,
                              help="Text that comes after the answer: the model writes what goes between the "
                                   "prompt and this. Only models trained for it (e.g. code models) use it.")
    with st.expander("Advanced: template and raw mode", icon=":material/tune:"):
        template = st.text_area("Template override", key=state.GENERATE_TEMPLATE_INPUT, height=100,
                                placeholder="The model's own (leave empty)",
                                help="A Go template that replaces the model's prompt template for this request, "
                                     "e.g. `{{ .System }} {{ .Prompt }}`.")
        raw = st.toggle("Raw mode", key=state.GENERATE_RAW_INPUT,
                        help="Send the prompt exactly as typed: no template and no system prompt are applied.")
    with st.expander("Parameters", icon=":material/settings:"):
        chosen = options_panel.render(generate_widgets.OPTIONS_PREFIX)
    output_format = st.radio("Output format", [PLAIN, JSON, SCHEMA], format_func=FORMAT_LABELS.get,
                             key=state.GENERATE_FORMAT_INPUT, horizontal=True,
                             help="JSON makes the model answer with JSON; a schema also fixes its shape.")
    schema_text = saved.schema_text
    if output_format == SCHEMA:
        schema_text = st.text_area("JSON schema", key=state.GENERATE_SCHEMA_INPUT, height=240,
                                   help="Sent as `format`. The answer is made to follow it, then checked against it.")
        try:
            parse_schema(schema_text)
        except InvalidSchema as error:
            st.error(str(error), icon=":material/data_object:")
    stream = st.toggle("Stream the answer", key=state.GENERATE_STREAM_INPUT,
                       help="Show the answer as it is written. Off asks for one response when it is complete "
                            "(`stream: false`).")

    form = GenerateForm(model=model, prompt=prompt, system=system, suffix=suffix, template=template, raw=raw,
                        think=think, stream=stream, output_format=output_format, schema_text=schema_text,
                        images=images, options=chosen.options, keep_alive=chosen.keep_alive)
    generate_widgets.save(form)
    problem = chosen.error
    request: GenerateRequest | None = None
    try:
        request = build_request(form, capabilities)
    except FormProblem as error:
        problem = problem or str(error)
    if chosen.error:
        request = None

    run_column, stop_column = st.columns(2)
    asked = run_column.button("Generate", type="primary", icon=":material/play_arrow:", key=state.GENERATE_RUN_BUTTON,
                              width="stretch")
    rerun_model = state.get(state.GENERATE_PENDING)
    state.put(state.GENERATE_PENDING, None)
    asked = asked or bool(rerun_model)
    if rerun_model and rerun_model != model:
        request = None
        problem = f"{rerun_model} is no longer installed, so the run was not repeated with another model."
    starting = asked and request is not None
    stop_column.button("Stop", icon=":material/stop:", key=state.GENERATE_STOP_BUTTON, disabled=not starting,
                       width="stretch", help="Stop the answer and keep what arrived. While streaming, the server stops "
                                             "generating; a non-streamed answer is only no longer waited for.")
    if asked and request is None:
        st.error(f"Nothing was sent. {problem}", icon=":material/block:")

with output_column:
    if starting and request is not None:
        shown_run = start_run(request, form)
    else:
        shown_run = state.get(state.GENERATE_LAST)
    if shown_run is None:
        st.caption("The answer appears here.")
    else:
        show_run(shown_run)

with st.expander("API request", icon=":material/api:"):
    if request is not None:
        show_request(request.body(), "What Generate sends for the form as it is now.")
    elif shown_run is not None:
        show_request(shown_run.body, f"The form cannot be sent as it is: {problem} Shown: the last request sent.")
    else:
        st.caption(f"The form cannot be sent as it is: {problem}")

st.subheader("This session's runs")
history: list[RunRecord] = state.get(state.GENERATE_HISTORY) or []
if not history:
    st.caption(f"Your last {HISTORY_LIMIT} runs appear here, to compare, restore into the form or run again.")
for past in history:
    label_column, restore_column, rerun_column = st.columns([8, 2, 2], vertical_alignment="center")
    label_column.text(past.label())
    restore_column.button("Restore", icon=":material/edit_note:", key=f"{state.GENERATE_RESTORE_BUTTON}_{past.number}",
                          on_click=bring_back, args=(past.number, False), width="stretch",
                          help="Put this run's inputs back into the form and show its answer.")
    rerun_column.button("Re-run", icon=":material/replay:", key=f"{state.GENERATE_RERUN_BUTTON}_{past.number}",
                        on_click=bring_back, args=(past.number, True), width="stretch",
                        help="Run these inputs again.")
