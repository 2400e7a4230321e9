"""The Evals page's New run tab: a prompt set, up to eight candidates, an optional judge, and Start.

A candidate is a model on a server (``model · server``, :func:`lib.fleet.picker.model_picker`) with
its own parameters, thinking switch and system prompt, set up as a column of Generate's Compare
mode is (:mod:`lib.generate.compare.view`); the same model on the laptop and on the GPU box are two
candidates. Start checks that every server of the run answers and has its models before anything
is saved, so a run that cannot work is not started; then the run is saved and a job answers it
(:mod:`lib.evals.progress_view`).

The tabs are drawn only when open, and Streamlit drops the value of every widget a run does not
draw: the set-up's values are kept under :data:`state.EVALS_FORM` and given back to each widget
right before it is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import streamlit as st

from lib import server_data, state
from lib.evals import labels, progress_view
from lib.evals.records import Candidate, PromptSet, Run
from lib.evals.store import EvalStore, StoreFailed
from lib.fleet import catalog, session
from lib.fleet.models import ModelRef, label
from lib.fleet.picker import model_picker
from lib.i18n import message_of, t
from lib.ollama.errors import OllamaError
from lib.parameters import panel as options_panel
from lib.thinking import Think
from lib.ui import think_control, widgets
from lib.ui.errors import error_text
from lib.ui.markdown_safety import escape_markdown

PER_ROW = 4


@dataclass(frozen=True)
class Setup:
    """What Start would start: the run, or the sentences that say why it cannot start."""

    run: Run | None
    problems: tuple[str, ...] = ()


def slot_key(key: str, candidate: int) -> str:
    return f"{key}_{candidate}"


def options_prefix(candidate: int) -> str:
    return f"evals_{candidate}"


def restore(key: str, default: Any = None) -> None:
    """Right before ``key``'s widget is drawn: the value it had when it was last drawn, else ``default``."""
    if key in st.session_state:
        return
    saved: dict[str, Any] = state.get(state.EVALS_FORM)
    if key in saved:
        st.session_state[key] = saved[key]
    elif default is not None:
        st.session_state[key] = default


def keep(key: str) -> None:
    """After ``key``'s widget is drawn: its value, for the next time it is drawn."""
    if key in st.session_state:
        state.get(state.EVALS_FORM)[key] = st.session_state[key]


def draw(store: EvalStore) -> None:
    try:
        sets = store.sets()
    except StoreFailed as error:
        st.error(message_of(error), icon=":material/database:")
        return
    if not sets:
        st.info(t("evals.no_sets_to_run"), icon=":material/playlist_add:")
        return
    states = catalog.survey()
    names = catalog.refs_with("completion", states)
    if not names:
        down = [entry for entry in states if entry.error is not None]
        if down and len(down) == len(states) and down[0].error is not None:  # said once, not by every picker
            widgets.show_error(down[0].error)
            widgets.retry_button()
        else:
            st.info(t("evals.no_chat_models"), icon=":material/inventory_2:")
        return
    prompt_set = choose_set(sets)
    count = candidate_count()
    candidates: list[Candidate | None] = []
    problems: list[str] = []
    for row_start in range(0, count, PER_ROW):
        slots = st.columns(PER_ROW, gap="small")
        for candidate in range(row_start, min(row_start + PER_ROW, count)):
            with slots[candidate - row_start].container(border=True, key=f"evals_candidate_{candidate}"):
                chosen, problem = candidate_setup(candidate, names)
            candidates.append(chosen)
            if problem:
                problems.append(t("evals.candidate_problem", letter=labels.letter(candidate), problem=problem))
    judge_model, rubric = judge_setup()
    setup = build(prompt_set, candidates, judge_model, rubric, problems)
    start_button(store, setup)


def choose_set(sets: list[PromptSet]) -> PromptSet:
    by_id = {prompt_set.id: prompt_set for prompt_set in sets}
    if st.session_state.get(state.EVALS_RUN_SET_INPUT) not in by_id:
        st.session_state.pop(state.EVALS_RUN_SET_INPUT, None)
    restore(state.EVALS_RUN_SET_INPUT, sets[0].id)
    if st.session_state.get(state.EVALS_RUN_SET_INPUT) not in by_id:
        st.session_state[state.EVALS_RUN_SET_INPUT] = sets[0].id
    chosen = st.selectbox(
        t("evals.run_set"),
        list(by_id),
        format_func=labels.set_names(list(by_id.values())).__getitem__,
        key=state.EVALS_RUN_SET_INPUT,
        help=t("evals.run_set_help"),
    )
    keep(state.EVALS_RUN_SET_INPUT)
    return by_id[chosen]


def candidate_count() -> int:
    restore(state.EVALS_COUNT_INPUT, 2)
    count = st.segmented_control(
        t("evals.candidates"),
        list(range(1, labels.MAX_CANDIDATES + 1)),
        required=True,
        key=state.EVALS_COUNT_INPUT,
        help=t("evals.candidates_help"),
    )
    keep(state.EVALS_COUNT_INPUT)
    return int(count or 1)


def candidate_setup(candidate: int, names: list[ModelRef]) -> tuple[Candidate | None, str | None]:
    """One candidate's model and settings, and what is wrong with them (or None); ``names``: the chat models
    of every server."""
    st.markdown(t("evals.candidate_heading", letter=labels.letter(candidate)))
    model_key = slot_key(state.EVALS_MODEL_INPUT, candidate)
    # A candidate never set up starts on a different installed model than the ones before it (the sidebar's
    # server's first).
    here = session.current().url
    ordered = sorted(names, key=lambda ref: ref.server != here)
    restore(model_key, ordered[candidate % len(ordered)])
    model = model_picker(t("evals.model"), "completion", model_key, help=t("evals.model_help"))
    keep(model_key)
    if model is None:
        return None, t("evals.no_model")
    think: Think | None = None
    offered = think_choices(model)
    if offered:  # off/on, or a gpt-oss model's levels; nothing for a model that cannot think
        think_key = slot_key(state.EVALS_THINK_INPUT, candidate)
        restore(think_key, True)
        think = think_control.draw(offered, think_key)
        keep(think_key)
    system_key = slot_key(state.EVALS_SYSTEM_INPUT, candidate)
    restore(system_key, "")
    system = st.text_area(
        t("evals.system"),
        key=system_key,
        height=68,
        placeholder=t("evals.system_placeholder"),
        help=t("evals.system_help"),
    )
    keep(system_key)
    with st.popover(t("evals.parameters"), icon=":material/settings:", width="stretch"):
        chosen = options_panel.render(options_prefix(candidate), keep_alive=False)
    result = Candidate(
        model=model.model, options=chosen.options, system=system.strip(), think=think, server=model.server
    )
    st.caption(escape_markdown(labels.candidate_settings(result)))
    return result, chosen.error


def think_choices(model: ModelRef) -> tuple[Think, ...]:
    """What ``model`` offers for thinking, as its own server says (nothing when it cannot say)."""
    try:
        return server_data.think_choices(session.client_for(model.server), model.model)
    except (OllamaError, session.UnknownServer):
        return ()


def judge_setup() -> tuple[ModelRef | None, str]:
    """The judge model (on its server) and rubric when the answers are to be judged, else (None, "")."""
    with st.container(border=True):
        restore(state.EVALS_JUDGE_INPUT, False)
        judged = st.toggle(t("evals.judge"), key=state.EVALS_JUDGE_INPUT, help=t("evals.judge_help"))
        keep(state.EVALS_JUDGE_INPUT)
        if not judged:
            return None, ""
        restore(state.EVALS_JUDGE_MODEL_INPUT)
        model = model_picker(
            t("evals.judge_model"), "completion", state.EVALS_JUDGE_MODEL_INPUT, help=t("evals.judge_model_help")
        )
        keep(state.EVALS_JUDGE_MODEL_INPUT)
        restore(state.EVALS_RUBRIC_INPUT, "")
        rubric = st.text_area(
            t("evals.rubric"),
            key=state.EVALS_RUBRIC_INPUT,
            height=90,
            placeholder=t("evals.rubric_placeholder"),
            help=t("evals.rubric_help"),
        )
        keep(state.EVALS_RUBRIC_INPUT)
        st.caption(t("evals.judge_apart"))
    return model, rubric.strip()


def build(
    prompt_set: PromptSet, candidates: list[Candidate | None], judge: ModelRef | None, rubric: str, problems: list[str]
) -> Setup:
    """The run Start would start, or why it cannot."""
    found = list(problems)
    if not prompt_set.prompts:
        found.insert(0, t("evals.set_empty", name=prompt_set.name))
    if st.session_state.get(state.EVALS_JUDGE_INPUT) and judge is None:
        found.append(t("evals.no_judge_model"))
    chosen = [candidate for candidate in candidates if candidate is not None]
    if found or len(chosen) != len(candidates):
        return Setup(None, tuple(found))
    run = Run(prompt_set=prompt_set, candidates=tuple(chosen), rubric=rubric)
    if judge is not None:
        run = replace(run, judge=judge.model, judge_server=judge.server)
    return Setup(run)


def start_button(store: EvalStore, setup: Setup) -> None:
    busy = progress_view.running()
    if busy:
        st.caption(t("evals.one_run_at_a_time"))
    if not st.button(
        t("evals.start"), type="primary", icon=":material/play_arrow:", key=state.EVALS_START_BUTTON, disabled=busy
    ):
        return
    if setup.run is None:
        st.error(t("evals.not_started", problem=setup.problems[0]), icon=":material/block:")
        return
    problem = start(store, setup.run)
    if problem is not None:
        st.error(t("evals.not_started", problem=problem), icon=":material/block:")
        return
    state.put(state.EVALS_OPEN_TAB, "results")
    st.rerun()


def start(store: EvalStore, run: Run) -> str | None:
    """Save ``run`` and start its job; why it could not start, as a sentence, else None.

    Each server of the run is asked afresh (not from the page's cache): it may have gone away, or
    lost a model, since the pickers were filled.
    """
    wanted = [ModelRef(candidate.model, candidate.server) for candidate in run.candidates]
    if run.judge:
        wanted.append(ModelRef(run.judge, run.judge_server))
    fleet = session.servers()
    listed: dict[str, set[str]] = {}
    for url in dict.fromkeys(ref.server for ref in wanted):
        try:
            listed[url] = {str(model.get("name")) for model in session.client_for(url).list_models()}
        except session.UnknownServer:
            listed[url] = set()
        except OllamaError as error:
            if len(fleet) > 1:
                return t("evals.server_down_named", server=session.server(url).name, error=error_text(error))
            return t("evals.server_down", error=error_text(error))
    missing = [ref for ref in dict.fromkeys(wanted) if ref.model not in listed[ref.server]]
    if missing:
        server_data.forget_models()  # the pickers offer what the servers have now
        names = ", ".join(label(ref, fleet) for ref in missing)
        return t("evals.models_missing", models=names, n=len(missing))
    try:
        run_id = store.start_run(run)
    except StoreFailed as error:
        return message_of(error)
    progress_view.start(store, run_id, run)
    return None
