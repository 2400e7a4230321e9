"""Models: what is installed and loaded, and pull, create, copy, delete, load and unload."""

import pandas as pd
import streamlit as st

from lib import access, api_bodies, model_inventory, modelfile, server_data, state, widgets
from lib.client import OllamaClient
from lib.markdown_safety import escape_markdown
from lib.errors import OllamaError, ResponseError
from lib.formatting import human_seconds, human_size
from lib.model_options import KEEP_ALIVE_HELP, OPTION_SPECS, STOP_HELP, build_options, parse_keep_alive
from lib.pull_job import Outcome, PullJob
from lib.pull_progress import PullProgress, step_label

TABS = ("Installed", "Running", "Pull", "Create")
POLL_SECONDS = 1.0


def notify(kind: str, text: str) -> None:
    """Keep a message for the next run, which redraws the page with fresh lists."""
    state.put(state.MODELS_NOTICE, (kind, text))


def refresh() -> None:
    server_data.forget_models()
    st.rerun()


def pull_panel() -> None:
    """The current pull, if any; reruns itself every second while the download runs."""
    job: PullJob | None = state.get(state.MODELS_PULL_JOB)
    if job is None:
        return
    view = job.view()
    if view.finished and job.acknowledge():
        refresh()
    snap = view.progress
    with st.container(border=True):
        heading = "Pulling" if view.outcome is Outcome.RUNNING else "Pull of"
        st.markdown(f"**{heading} `{view.model}`**")
        if snap.total or not view.finished:
            st.progress(snap.fraction, text=f"{snap.fraction:.0%} · {step_label(snap.status)}")
            figures = [f"{human_size(snap.completed)} of {human_size(snap.total)}" if snap.total else "size not known yet"]
            if not view.finished and snap.speed is not None:
                figures.append(f"{human_size(snap.speed)}/s")
            if not view.finished and snap.seconds_left is not None:
                figures.append(f"{human_seconds(snap.seconds_left)} left")
            st.caption(" · ".join(figures))
        if view.outcome is Outcome.RUNNING:
            if view.cancel_requested:
                st.caption("Stopping the download…")
            elif st.button("Cancel", icon=":material/cancel:", key="models_pull_cancel"):
                job.cancel()
                st.rerun(scope="fragment")
            return
        if view.outcome is Outcome.SUCCEEDED:
            st.success(f"{view.model} is installed.", icon=":material/check_circle:")
        elif view.outcome is Outcome.CANCELLED:
            st.warning(f"The pull of {view.model} was cancelled. Pulling it again resumes the download.",
                       icon=":material/cancel:")
        else:
            st.error(view.error or f"The pull of {view.model} failed.", icon=":material/error:")
        if st.button("Dismiss", key="models_pull_dismiss"):
            state.put(state.MODELS_PULL_JOB, None)
            st.rerun()


def edit_as_new(name: str, shown_modelfile: str, installed_names: list[str]) -> None:
    """Button callback: the Create tab, pre-filled with this model's Modelfile built on its name."""
    state.put(state.MODELS_MODELFILE, modelfile.edit_as_new(shown_modelfile, name))
    state.put(state.MODELS_CREATE_NAME, model_inventory.derived_name(name, "custom", set(installed_names)))
    st.session_state.pop(state.MODELS_MODELFILE_INPUT, None)
    st.session_state.pop(state.MODELS_CREATE_NAME_INPUT, None)
    st.session_state[state.MODELS_TAB] = "Create"


def stream_create(client: OllamaClient, name: str, fields: dict) -> None:
    """Send the create request and show its status lines as they arrive."""
    with st.status(f"Creating {name}…", expanded=True) as status:
        download, bar, last = PullProgress(), None, None
        try:
            for chunk in client.create(name, **fields):
                line = str(chunk.get("status") or "")
                if chunk.get("total"):
                    download.update(chunk)
                    bar = bar or st.progress(0.0)
                    bar.progress(download.fraction(), text=step_label(line))
                elif line != last:
                    st.text(line)
                last = line
        except OllamaError as error:
            status.update(label=f"Could not create {name}", state="error")
            widgets.show_error(error)
            return
        status.update(label=f"Created {name}", state="complete", expanded=False)
    notify("success", f"Created {name}.")
    refresh()


def copy_model(client: OllamaClient, source: str, destination: str) -> None:
    problem = model_inventory.name_problem(destination)
    if problem:
        st.error(problem)
        return
    try:
        client.copy(source, destination)
    except OllamaError as error:
        widgets.show_error(error)
        return
    notify("success", f"Copied {source} to {destination}.")
    refresh()


def delete_model(client: OllamaClient, name: str) -> None:
    """Delete after confirmation; a model that is already gone (404) is reported, and the list refreshed."""
    state.put(state.MODELS_PENDING_DELETE, None)
    try:
        client.delete(name)
    except ResponseError as error:
        if error.status_code != 404:
            widgets.show_error(error)
            return
        notify("warning", f"{name} was already gone from the server. The list is refreshed.")
    except OllamaError as error:
        widgets.show_error(error)
        return
    else:
        notify("success", f"Deleted {name}.")
    refresh()


def code_span(text: str) -> str:
    """Server text as inline code, where Markdown is not read; text that could end the span is escaped instead."""
    return f"`{text}`" if "`" not in text and "\n" not in text else escape_markdown(text)


def show_request(name: str, fields: dict) -> None:
    st.caption("The request we send to `/api/create`:")
    st.json(api_bodies.create_body(name, **fields), expanded=True)


st.title("Models")
st.caption("What is on the server: inspect, pull, create, copy, delete, load and unload models.")

client = server_data.client()
job = state.get(state.MODELS_PULL_JOB)
if job is not None and job.acknowledge():
    server_data.forget_models()
try:
    installed = server_data.models(client)
    loaded = server_data.running(client)
except OllamaError as error:
    widgets.stop_with_connection_help(error, client.base_url)

notice = state.get(state.MODELS_NOTICE)
if notice:
    state.put(state.MODELS_NOTICE, None)
    kind, text = notice
    (st.success if kind == "success" else st.warning)(text)

running_job = job is not None and not job.view().finished
st.fragment(pull_panel, run_every=POLL_SECONDS if running_job else None)()

names = sorted(m.get("name", "") for m in installed)
manage = access.can_manage_models()
if not manage:
    st.caption("Pulling, creating, copying and deleting models are turned off on this demo.")
shown_tabs = TABS if manage else TABS[:2]
if st.session_state.get(state.MODELS_TAB) not in shown_tabs:
    st.session_state[state.MODELS_TAB] = shown_tabs[0]
tabs = dict(zip(shown_tabs, st.tabs(shown_tabs, key=state.MODELS_TAB, on_change="rerun"), strict=True))

if tabs["Installed"].open:
    with tabs["Installed"]:
        columns = st.columns(3)
        columns[0].metric("Installed models", len(installed))
        columns[1].metric("Disk used", human_size(model_inventory.disk_used(installed)))
        columns[2].metric("Loaded in memory", len(loaded))
        if not installed:
            st.info("No models are installed yet. Pull one in the Pull tab, e.g. `qwen2.5:0.5b`.",
                    icon=":material/inventory_2:")
        else:
            try:
                caps = {m["name"]: server_data.capabilities(client, m) for m in installed}
            except OllamaError as error:
                widgets.show_error(error)
                caps = {}
            rows = model_inventory.installed_rows(installed, caps)
            every_capability = sorted({c for row in rows for c in row.capabilities})
            left, right = st.columns([3, 1])
            text = left.text_input("Filter", placeholder="name, family, size or quantisation",
                                   key=state.MODELS_FILTER_INPUT)
            capability = right.selectbox("Capability", every_capability, index=None, placeholder="any",
                                         key=state.MODELS_CAPABILITY_INPUT)
            shown = model_inventory.filter_rows(rows, text, capability)
            st.dataframe(
                pd.DataFrame([row.as_dict() for row in shown], columns=list(rows[0].as_dict())),
                hide_index=True,
                column_config={
                    "Size": st.column_config.NumberColumn("Size", format="bytes"),
                    "Modified": st.column_config.DatetimeColumn("Modified", format="YYYY-MM-DD HH:mm"),
                    "Capabilities": st.column_config.ListColumn("Capabilities"),
                },
            )
            st.caption(f"{len(shown)} of {len(rows)} models · click a column header to sort.")

            st.subheader("Details")
            chosen = st.selectbox("Model", names, key=state.MODELS_DETAILS_INPUT)
            entry = next(m for m in installed if m.get("name") == chosen)
            try:
                shown_model = server_data.details(client, chosen, entry.get("digest", ""))
            except OllamaError as error:
                widgets.show_error(error)
                shown_model = None
            if shown_model is not None:
                facts = model_inventory.model_facts(shown_model)
                details = shown_model.get("details") or {}
                cells = st.columns(4)
                cells[0].metric("Parameters", details.get("parameter_size") or "—")
                cells[1].metric("Quantisation", details.get("quantization_level") or "—")
                cells[2].metric("Context length", f"{facts.context_length:,}" if facts.context_length else "—")
                cells[3].metric("Embedding length", f"{facts.embedding_length:,}" if facts.embedding_length else "—")
                capabilities = shown_model.get("capabilities") or []
                st.markdown("**Capabilities:** " + (" ".join(code_span(str(c)) for c in capabilities) or "not reported"))
                if shown_model.get("parameters"):
                    st.markdown("**Parameters**")
                    st.code(shown_model["parameters"], language=None)
                if shown_model.get("system"):
                    st.markdown("**System prompt**")
                    st.code(shown_model["system"], language=None, wrap_lines=True)
                with st.expander("Template"):
                    st.code(shown_model.get("template") or "(none)", language=None)
                if shown_model.get("license"):
                    with st.expander("License"):
                        st.code(shown_model["license"], language=None, wrap_lines=True)
                with st.expander("Modelfile"):
                    st.code(shown_model.get("modelfile") or "(none)", language=None)
                with st.expander("Raw /api/show JSON"):
                    st.json(shown_model, expanded=False)

            if shown_model is not None and manage:
                st.markdown("**Actions**")
                actions = st.columns([2, 1, 1, 1], vertical_alignment="bottom")
                copy_name = actions[0].text_input(
                    "Copy as", key=state.MODELS_COPY_NAME_INPUT,
                    placeholder=model_inventory.derived_name(chosen, "copy", set(names)))
                if actions[1].button("Copy", icon=":material/content_copy:", key="models_copy"):
                    copy_model(client, chosen, copy_name.strip() or model_inventory.derived_name(chosen, "copy", set(names)))
                actions[2].button("Edit as new model", icon=":material/edit_note:", key="models_edit_as_new",
                                  on_click=edit_as_new, args=(chosen, shown_model.get("modelfile") or "", names))
                if actions[3].button("Delete…", icon=":material/delete:", key="models_delete"):
                    state.put(state.MODELS_PENDING_DELETE, chosen)

            pending = state.get(state.MODELS_PENDING_DELETE)
            if pending and manage:
                with st.container(border=True):
                    st.warning(f"Delete **{escape_markdown(pending)}** from the server? Its files are removed from disk; "
                               "layers shared with other models stay.", icon=":material/warning:")
                    buttons = st.container(horizontal=True)
                    confirmed = buttons.button(f"Delete {escape_markdown(pending)}", type="primary", key="models_delete_confirm")
                    if buttons.button("Keep it", key="models_delete_cancel"):
                        state.put(state.MODELS_PENDING_DELETE, None)
                        st.rerun()
                    if confirmed:
                        delete_model(client, pending)

if tabs["Running"].open:
    with tabs["Running"]:
        if loaded:
            st.dataframe(pd.DataFrame(model_inventory.running_rows(loaded)), hide_index=True)
            for row in model_inventory.running_rows(loaded):
                if st.button(f"Unload {escape_markdown(row['Model'])}", icon=":material/eject:", key=f"models_unload_{row['Model']}"):
                    try:
                        client.unload(row["Model"])
                    except OllamaError as error:
                        widgets.show_error(error)
                    else:
                        notify("success", f"Unloaded {row['Model']}: its memory is free.")
                        refresh()
        else:
            st.info("No model is loaded in memory. The first answer from a model waits for it to load.",
                    icon=":material/memory:")
        st.subheader("Load or warm up")
        st.caption("Load a model ahead of time so the first answer of a demo is fast.")
        if names:
            left, right = st.columns(2)
            widgets.ensure_choice(state.MODELS_WARM_MODEL_INPUT, names)
            warm = left.selectbox("Model", names, key=state.MODELS_WARM_MODEL_INPUT)
            keep_text = right.text_input("Keep loaded for", placeholder="server default (5m)",
                                         help=KEEP_ALIVE_HELP, key=state.MODELS_KEEP_ALIVE_INPUT)
            try:
                keep_alive = parse_keep_alive(keep_text or "")
            except ValueError as error:
                st.error(str(error))
            else:
                if st.button("Load", icon=":material/play_arrow:", type="primary", key="models_load"):
                    with st.spinner(f"Loading {warm}…"):
                        try:
                            entry = next(m for m in installed if m.get("name") == warm)
                            if model_inventory.embeds_only(server_data.capabilities(client, entry)):
                                answer = client.embed(warm, ["warm-up"], keep_alive=keep_alive)
                            else:
                                answer = client.load(warm, keep_alive)
                        except OllamaError as error:
                            widgets.show_error(error)
                        else:
                            took = (answer.get("load_duration") or answer.get("total_duration") or 0) / 1e9
                            notify("success", f"{warm} is loaded" + (f" (took {human_seconds(took)})." if took else "."))
                            refresh()

if "Pull" in tabs and tabs["Pull"].open:
    with tabs["Pull"]:
        st.caption("Download a model from the Ollama library, e.g. `qwen2.5:0.5b`, `llama3.2` or `nomic-embed-text`. "
                   "The download continues if you open another page.")
        busy = job is not None and not job.view().finished
        st.session_state.setdefault(state.MODELS_PULL_NAME_INPUT, state.get(state.MODELS_PULL_NAME))
        with st.form("models_pull_form", border=False):
            wanted = st.text_input("Model name", placeholder="qwen2.5:0.5b", key=state.MODELS_PULL_NAME_INPUT)
            submitted = st.form_submit_button("Pull", icon=":material/download:", type="primary", disabled=busy,
                                              key="models_pull_submit")
        if busy:
            st.caption("One pull at a time: wait for the current one or cancel it.")
        if submitted:
            state.put(state.MODELS_PULL_NAME, wanted)
            problem = model_inventory.name_problem(wanted)
            if problem:
                st.error(problem)
            else:
                state.put(state.MODELS_PULL_JOB, PullJob(client.clone(), wanted.strip()).start())
                st.rerun()

if "Create" in tabs and tabs["Create"].open:
    with tabs["Create"]:
        from_file, from_form = st.tabs(["From a Modelfile", "Simple form"])
        with from_file:
            st.session_state.setdefault(state.MODELS_MODELFILE_INPUT, state.get(state.MODELS_MODELFILE))
            st.session_state.setdefault(state.MODELS_CREATE_NAME_INPUT, state.get(state.MODELS_CREATE_NAME))
            new_name = st.text_input("New model name", placeholder="my-assistant", key=state.MODELS_CREATE_NAME_INPUT)
            text = st.text_area("Modelfile", height=260, key=state.MODELS_MODELFILE_INPUT,
                                help="FROM, PARAMETER, SYSTEM, TEMPLATE, MESSAGE and LICENSE, as for `ollama create`.")
            state.put(state.MODELS_MODELFILE, text)
            state.put(state.MODELS_CREATE_NAME, new_name)
            try:
                parsed = modelfile.parse(text)
            except modelfile.ModelfileError as error:
                st.error("This Modelfile cannot be sent:\n\n" + "\n".join(f"- {p}" for p in error.problems),
                         icon=":material/error:")
                parsed = None
            if parsed is not None:
                for warning in parsed.warnings:
                    st.warning(str(warning), icon=":material/info:")
                fields = parsed.create_fields()
                show_request(new_name.strip() or "<new name>", fields)
                if st.button("Create", icon=":material/add_circle:", type="primary", key="models_create"):
                    problem = model_inventory.name_problem(new_name)
                    if problem:
                        st.error(problem)
                    else:
                        stream_create(client, new_name.strip(), fields)
        with from_form:
            if not names:
                st.info("Install a model first: the form builds on an installed model.", icon=":material/info:")
            else:
                base = st.selectbox("Base model", names, key=state.MODELS_FORM_BASE_INPUT)
                form_name = st.text_input("New model name", placeholder="my-assistant", key=state.MODELS_FORM_NAME_INPUT)
                system = st.text_area("System prompt", height=120, key=state.MODELS_FORM_SYSTEM_INPUT,
                                      placeholder="You are a helpful assistant who answers briefly.")
                values = {}
                cells = st.columns(2)
                for index, spec in enumerate(OPTION_SPECS):
                    values[spec.name] = cells[index % 2].number_input(
                        spec.label, min_value=spec.kind(spec.minimum), max_value=spec.kind(spec.maximum),
                        step=spec.kind(spec.step), value=None, placeholder="base model's value", help=spec.help,
                        key=state.MODELS_FORM_OPTION_PREFIX + spec.name)
                stop_text = st.text_area("Stop sequences", height=68, help=STOP_HELP, key=state.MODELS_FORM_STOP_INPUT)
                form_fields = model_inventory.form_create_fields(base, system, build_options(values, stop_text))
                show_request(form_name.strip() or "<new name>", form_fields)
                if st.button("Create", icon=":material/add_circle:", type="primary", key="models_form_create"):
                    problem = model_inventory.name_problem(form_name)
                    if problem:
                        st.error(problem)
                    else:
                        stream_create(client, form_name.strip(), form_fields)

if st.button("Refresh", icon=":material/refresh:", key="models_refresh"):
    refresh()
