"""Models: what is installed and loaded, and pull, create, copy, delete, load and unload."""

import pandas as pd
import streamlit as st

from lib import server_data, state
from lib.access import locked as access
from lib.formatting import human_seconds, human_size, whole_number
from lib.i18n import t
from lib.models import inventory as model_inventory
from lib.models import modelfile
from lib.models.pull import Outcome, PullJob
from lib.models.pull_progress import PullProgress, step_label
from lib.ollama import bodies as api_bodies
from lib.ollama.client import OllamaClient
from lib.ollama.errors import OllamaError, ResponseError
from lib.parameters.catalog import OPTION_SPECS, build_options, keep_alive_help, parse_keep_alive, stop_help
from lib.ui import widgets
from lib.ui.markdown_safety import escape_markdown

TABS = {
    "installed": "models.tab_installed",
    "running": "models.tab_running",
    "pull": "models.tab_pull",
    "create": "models.tab_create",
}
POLL_SECONDS = 1.0
EXAMPLE_PULL = "qwen2.5:0.5b"
EXAMPLE_NEW_NAME = "my-assistant"


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
        if view.outcome is Outcome.RUNNING:
            st.markdown(t("models.pulling_heading", model=view.model))
        else:
            st.markdown(t("models.pulled_heading", model=view.model))
        if snap.total or not view.finished:
            st.progress(snap.fraction, text=f"{snap.fraction:.0%} · {step_label(snap.status)}")
            if snap.total:
                figures = [t("models.pull_size", done=human_size(snap.completed), total=human_size(snap.total))]
            else:
                figures = [t("models.size_unknown")]
            if not view.finished and snap.speed is not None:
                figures.append(t("models.speed", size=human_size(snap.speed)))
            if not view.finished and snap.seconds_left is not None:
                figures.append(t("models.time_left", time=human_seconds(snap.seconds_left)))
            st.caption(" · ".join(figures))
        if view.outcome is Outcome.RUNNING:
            if view.cancel_requested:
                st.caption(t("models.stopping_pull"))
            elif st.button(t("models.cancel"), icon=":material/cancel:", key="models_pull_cancel"):
                job.cancel()
                st.rerun(scope="fragment")
            return
        if view.outcome is Outcome.SUCCEEDED:
            st.success(t("models.pull_succeeded", model=view.model), icon=":material/check_circle:")
        elif view.outcome is Outcome.CANCELLED:
            st.warning(t("models.pull_cancelled", model=view.model), icon=":material/cancel:")
        else:
            st.error(view.error or t("models.pull_failed", model=view.model), icon=":material/error:")
        if st.button(t("models.dismiss"), key="models_pull_dismiss"):
            state.put(state.MODELS_PULL_JOB, None)
            st.rerun()


def edit_as_new(name: str, shown_modelfile: str, installed_names: list[str]) -> None:
    """Button callback: the Create tab, pre-filled with this model's Modelfile built on its name."""
    state.put(state.MODELS_MODELFILE, modelfile.edit_as_new(shown_modelfile, name))
    state.put(state.MODELS_CREATE_NAME, model_inventory.derived_name(name, "custom", set(installed_names)))
    st.session_state.pop(state.MODELS_MODELFILE_INPUT, None)
    st.session_state.pop(state.MODELS_CREATE_NAME_INPUT, None)
    st.session_state[state.MODELS_TAB] = t(TABS["create"])


def stream_create(client: OllamaClient, name: str, fields: dict) -> None:
    """Send the create request and show its status lines as they arrive."""
    with st.status(t("models.creating", name=name), expanded=True) as status:
        download, bar, last = PullProgress(), None, None
        try:
            for chunk in client.create(name, **fields):
                line = str(chunk.get("status") or "")
                if chunk.get("total"):
                    download.update(chunk)
                    bar = bar or st.progress(0.0)
                    bar.progress(download.fraction(), text=step_label(line))
                elif line != last:
                    st.text(step_label(line))
                last = line
        except OllamaError as error:
            status.update(label=t("models.create_failed", name=name), state="error")
            widgets.show_error(error)
            return
        status.update(label=t("models.created_label", name=name), state="complete", expanded=False)
    notify("success", t("models.created", name=name))
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
    notify("success", t("models.copied", source=source, destination=destination))
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
        notify("warning", t("models.already_gone", name=name))
    except OllamaError as error:
        widgets.show_error(error)
        return
    else:
        notify("success", t("models.deleted", name=name))
    refresh()


def code_span(text: str) -> str:
    """Server text as inline code, where Markdown is not read; text that could end the span is escaped instead."""
    return f"`{text}`" if "`" not in text and "\n" not in text else escape_markdown(text)


def show_request(name: str, fields: dict) -> None:
    st.caption(t("models.request_sent"))
    st.json(api_bodies.create_body(name, **fields), expanded=True)


st.title(t("models.title"))
st.caption(t("models.intro"))

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
    st.caption(t("models.locked"))
shown_tabs = TABS if manage else {tab: TABS[tab] for tab in ("installed", "running")}
tabs = widgets.tabs(shown_tabs, state.MODELS_TAB, on_change="rerun")

if tabs["installed"].open:
    with tabs["installed"]:
        columns = st.columns(3)
        columns[0].metric(t("models.installed_models"), whole_number(len(installed)))
        columns[1].metric(t("models.disk_used"), human_size(model_inventory.disk_used(installed)))
        columns[2].metric(t("models.loaded_in_memory"), whole_number(len(loaded)))
        if not installed:
            st.info(t("models.none_installed"), icon=":material/inventory_2:")
        else:
            try:
                caps = {m["name"]: server_data.capabilities(client, m) for m in installed}
            except OllamaError as error:
                widgets.show_error(error)
                caps = {}
            rows = model_inventory.installed_rows(installed, caps)
            every_capability = sorted({c for row in rows for c in row.capabilities})
            left, right = st.columns([3, 1])
            text = left.text_input(
                t("models.filter"), placeholder=t("models.filter_placeholder"), key=state.MODELS_FILTER_INPUT
            )
            capability = right.selectbox(
                t("models.capability"),
                every_capability,
                index=None,
                format_func=model_inventory.capability_label,
                placeholder=t("models.any_capability"),
                key=state.MODELS_CAPABILITY_INPUT,
            )
            shown = model_inventory.filter_rows(rows, text, capability)
            table = pd.DataFrame([row.as_dict() for row in shown], columns=list(rows[0].as_dict()))
            st.dataframe(
                # Sizes drawn as `ollama list` words them, sorted by bytes: Streamlit's "bytes" format
                # follows the browser's locale and gives "20.2亿 B" in Chinese.
                table.style.format({t("models.col_size"): human_size}),
                hide_index=True,
                column_config={
                    t("models.col_modified"): st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
                    t("models.col_capabilities"): st.column_config.ListColumn(),
                },
            )
            st.caption(t("models.shown_of", shown=whole_number(len(shown)), n=len(rows)))

            st.subheader(t("models.details"))
            chosen = st.selectbox(t("models.model"), names, key=state.MODELS_DETAILS_INPUT)
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
                cells[0].metric(t("models.parameter_size"), details.get("parameter_size") or "—")
                cells[1].metric(t("models.quantisation"), details.get("quantization_level") or "—")
                cells[2].metric(t("models.context_length"), whole_number(facts.context_length))
                cells[3].metric(t("models.embedding_length"), whole_number(facts.embedding_length))
                capabilities = shown_model.get("capabilities") or []
                listed = " ".join(code_span(model_inventory.capability_label(str(c))) for c in capabilities)
                st.markdown(t("models.capabilities_line", capabilities=listed or t("models.not_reported")))
                if shown_model.get("parameters"):
                    st.markdown(t("models.parameters"))
                    st.code(shown_model["parameters"], language=None)
                if shown_model.get("system"):
                    st.markdown(t("models.system_prompt_heading"))
                    st.code(shown_model["system"], language=None, wrap_lines=True)
                with st.expander(t("models.template")):
                    st.code(shown_model.get("template") or t("models.none"), language=None)
                if shown_model.get("license"):
                    with st.expander(t("models.license")):
                        st.code(shown_model["license"], language=None, wrap_lines=True)
                with st.expander(t("models.modelfile")):
                    st.code(shown_model.get("modelfile") or t("models.none"), language=None)
                with st.expander(t("models.raw_json")):
                    st.json(shown_model, expanded=False)

            if shown_model is not None and manage:
                st.markdown(t("models.actions"))
                field, buttons = st.columns([2, 3], vertical_alignment="bottom")
                copy_default = model_inventory.derived_name(chosen, "copy", set(names))
                copy_name = field.text_input(
                    t("models.copy_as"),
                    key=state.MODELS_COPY_NAME_INPUT,
                    placeholder=t("models.copy_as_placeholder", name=copy_default),
                )
                row = buttons.container(horizontal=True)
                if row.button(t("models.copy"), icon=":material/content_copy:", key="models_copy"):
                    copy_model(client, chosen, copy_name.strip() or copy_default)
                row.button(
                    t("models.edit_as_new"),
                    icon=":material/edit_note:",
                    key="models_edit_as_new",
                    on_click=edit_as_new,
                    args=(chosen, shown_model.get("modelfile") or "", names),
                )
                if row.button(t("models.delete"), icon=":material/delete:", key="models_delete"):
                    state.put(state.MODELS_PENDING_DELETE, chosen)

            pending = state.get(state.MODELS_PENDING_DELETE)
            if pending and manage:
                with st.container(border=True):
                    st.warning(t("models.confirm_delete", name=escape_markdown(pending)), icon=":material/warning:")
                    buttons = st.container(horizontal=True)
                    confirmed = buttons.button(
                        t("models.delete_named", name=escape_markdown(pending)),
                        type="primary",
                        key="models_delete_confirm",
                    )
                    if buttons.button(t("models.keep_it"), key="models_delete_cancel"):
                        state.put(state.MODELS_PENDING_DELETE, None)
                        st.rerun()
                    if confirmed:
                        delete_model(client, pending)

if tabs["running"].open:
    with tabs["running"]:
        if loaded:
            running_rows = model_inventory.running_rows(loaded)
            st.dataframe(pd.DataFrame([row.as_dict() for row in running_rows]), hide_index=True)
            for row in running_rows:
                if st.button(
                    t("models.unload_named", name=escape_markdown(row.name)),
                    icon=":material/eject:",
                    key=f"models_unload_{row.name}",
                ):
                    try:
                        client.unload(row.name)
                    except OllamaError as error:
                        widgets.show_error(error)
                    else:
                        notify("success", t("models.unloaded", name=row.name))
                        refresh()
        else:
            st.info(t("models.none_loaded"), icon=":material/memory:")
        st.subheader(t("models.warm_up"))
        st.caption(t("models.warm_up_intro"))
        if names:
            left, right = st.columns(2)
            widgets.ensure_choice(state.MODELS_WARM_MODEL_INPUT, names)
            warm = left.selectbox(t("models.model"), names, key=state.MODELS_WARM_MODEL_INPUT)
            keep_text = right.text_input(
                t("models.keep_loaded_for"),
                placeholder=t("models.server_default_keep_alive"),
                help=keep_alive_help(),
                key=state.MODELS_KEEP_ALIVE_INPUT,
            )
            try:
                keep_alive = parse_keep_alive(keep_text or "")
            except ValueError as error:
                st.error(str(error))
            else:
                if st.button(t("models.load"), icon=":material/play_arrow:", type="primary", key="models_load"):
                    with st.spinner(t("models.loading", name=warm)):
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
                            if took:
                                notify("success", t("models.loaded_took", name=warm, time=human_seconds(took)))
                            else:
                                notify("success", t("models.loaded", name=warm))
                            refresh()

if "pull" in tabs and tabs["pull"].open:
    with tabs["pull"]:
        st.caption(t("models.pull_intro"))
        busy = job is not None and not job.view().finished
        st.session_state.setdefault(state.MODELS_PULL_NAME_INPUT, state.get(state.MODELS_PULL_NAME))
        with st.form("models_pull_form", border=False):
            wanted = st.text_input(
                t("models.model_name"),
                placeholder=t("models.for_example", example=EXAMPLE_PULL),
                key=state.MODELS_PULL_NAME_INPUT,
            )
            submitted = st.form_submit_button(
                t("models.pull"), icon=":material/download:", type="primary", disabled=busy, key="models_pull_submit"
            )
        if busy:
            st.caption(t("models.one_pull_at_a_time"))
        if submitted:
            state.put(state.MODELS_PULL_NAME, wanted)
            problem = model_inventory.name_problem(wanted)
            if problem:
                st.error(problem)
            else:
                state.put(state.MODELS_PULL_JOB, PullJob(client.clone(), wanted.strip()).start())
                st.rerun()

if "create" in tabs and tabs["create"].open:
    with tabs["create"]:
        from_file, from_form = st.tabs([t("models.from_modelfile"), t("models.simple_form")])
        with from_file:
            written = state.get(state.MODELS_MODELFILE)
            st.session_state.setdefault(
                state.MODELS_MODELFILE_INPUT, t("models.example_modelfile") if written is None else written
            )
            st.session_state.setdefault(state.MODELS_CREATE_NAME_INPUT, state.get(state.MODELS_CREATE_NAME))
            new_name = st.text_input(
                t("models.new_model_name"),
                placeholder=t("models.for_example", example=EXAMPLE_NEW_NAME),
                key=state.MODELS_CREATE_NAME_INPUT,
            )
            text = st.text_area(
                t("models.modelfile"), height=260, key=state.MODELS_MODELFILE_INPUT, help=t("models.modelfile_help")
            )
            state.put(state.MODELS_MODELFILE, text)
            state.put(state.MODELS_CREATE_NAME, new_name)
            try:
                parsed = modelfile.parse(text)
            except modelfile.ModelfileError as error:
                st.error(
                    t("models.modelfile_cannot_be_sent") + "\n\n" + "\n".join(f"- {p}" for p in error.problems),
                    icon=":material/error:",
                )
                parsed = None
            if parsed is not None:
                for warning in parsed.warnings:
                    st.warning(str(warning), icon=":material/info:")
                fields = parsed.create_fields()
                show_request(new_name.strip() or t("models.new_name_stand_in"), fields)
                if st.button(t("models.create"), icon=":material/add_circle:", type="primary", key="models_create"):
                    problem = model_inventory.name_problem(new_name)
                    if problem:
                        st.error(problem)
                    else:
                        stream_create(client, new_name.strip(), fields)
        with from_form:
            if not names:
                st.info(t("models.install_first"), icon=":material/info:")
            else:
                base = st.selectbox(t("models.base_model"), names, key=state.MODELS_FORM_BASE_INPUT)
                form_name = st.text_input(
                    t("models.new_model_name"),
                    placeholder=t("models.for_example", example=EXAMPLE_NEW_NAME),
                    key=state.MODELS_FORM_NAME_INPUT,
                )
                system = st.text_area(
                    t("models.system_prompt"),
                    height=120,
                    key=state.MODELS_FORM_SYSTEM_INPUT,
                    placeholder=t("models.system_prompt_placeholder"),
                )
                values = {}
                cells = st.columns(2)
                for index, spec in enumerate(OPTION_SPECS):
                    values[spec.name] = cells[index % 2].number_input(
                        spec.label,
                        min_value=spec.kind(spec.minimum),
                        max_value=spec.kind(spec.maximum),
                        step=spec.kind(spec.step),
                        value=None,
                        placeholder=t("models.base_model_value"),
                        help=spec.help,
                        key=state.MODELS_FORM_OPTION_PREFIX + spec.name,
                    )
                stop_text = st.text_area(
                    t("models.stop_sequences"), height=68, help=stop_help(), key=state.MODELS_FORM_STOP_INPUT
                )
                form_fields = model_inventory.form_create_fields(base, system, build_options(values, stop_text))
                show_request(form_name.strip() or t("models.new_name_stand_in"), form_fields)
                if st.button(
                    t("models.create"), icon=":material/add_circle:", type="primary", key="models_form_create"
                ):
                    problem = model_inventory.name_problem(form_name)
                    if problem:
                        st.error(problem)
                    else:
                        stream_create(client, form_name.strip(), form_fields)

if st.button(t("models.refresh"), icon=":material/refresh:", key="models_refresh"):
    refresh()
