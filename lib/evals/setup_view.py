"""The Evals page's New run tab: a prompt set, up to eight candidates, an optional judge, and Start.

A candidate is a model with its own parameters, thinking switch and system prompt, set up as a
column of Generate's Compare mode is (:mod:`lib.generate.compare.view`). Start checks that the
server answers and has every model before anything is saved, so a run that cannot work is not
started; then the run is saved and a job answers it (:mod:`lib.evals.progress_view`).

The tabs are drawn only when open, and Streamlit drops the value of every widget a run does not
draw: the set-up's values are kept under :data:`state.EVALS_FORM` and given back to each widget
right before it is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from lib import server_data, state
from lib.evals import labels, progress_view
from lib.evals.records import Candidate, PromptSet, Run
from lib.evals.store import EvalStore, StoreFailed
from lib.i18n import message_of, t
from lib.ollama.client import OllamaClient
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


def draw(store: EvalStore, client: OllamaClient) -> None:
    try:
        sets = store.sets()
    except StoreFailed as error:
        st.error(message_of(error), icon=":material/database:")
        return
    if not sets:
        st.info(t("evals.no_sets_to_run"), icon=":material/playlist_add:")
        return
    try:
        names = server_data.models_with(client, "completion")
    except OllamaError as error:  # said once here, not by every candidate's model picker
        widgets.show_error(error)
        widgets.retry_button()
        return
    if not names:
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
                chosen, problem = candidate_setup(client, candidate, names)
            candidates.append(chosen)
            if problem:
                problems.append(t("evals.candidate_problem", letter=labels.letter(candidate), problem=problem))
    judge_model, rubric = judge_setup(client)
    setup = build(prompt_set, candidates, judge_model, rubric, problems)
    start_button(store, client, setup)


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


def candidate_setup(client: OllamaClient, candidate: int, names: list[str]) -> tuple[Candidate | None, str | None]:
    """One candidate's model and settings, and what is wrong with them (or None); ``names``: the chat models."""
    st.markdown(t("evals.candidate_heading", letter=labels.letter(candidate)))
    model_key = slot_key(state.EVALS_MODEL_INPUT, candidate)
    # A candidate never set up starts on a different installed model than the ones before it.
    restore(model_key, names[candidate % len(names)])
    model = widgets.model_picker(t("evals.model"), "completion", model_key, help=t("evals.model_help"))
    keep(model_key)
    if model is None:
        return None, t("evals.no_model")
    think: Think | None = None
    offered = server_data.think_choices(client, model)
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
    result = Candidate(model=model, options=chosen.options, system=system.strip(), think=think)
    st.caption(escape_markdown(labels.candidate_settings(result)))
    return result, chosen.error


def judge_setup(client: OllamaClient) -> tuple[str | None, str]:
    """The judge model and rubric when the answers are to be judged, else (None, "")."""
    with st.container(border=True):
        restore(state.EVALS_JUDGE_INPUT, False)
        judged = st.toggle(t("evals.judge"), key=state.EVALS_JUDGE_INPUT, help=t("evals.judge_help"))
        keep(state.EVALS_JUDGE_INPUT)
        if not judged:
            return None, ""
        restore(state.EVALS_JUDGE_MODEL_INPUT)
        model = widgets.model_picker(
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
    prompt_set: PromptSet, candidates: list[Candidate | None], judge: str | None, rubric: str, problems: list[str]
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
    return Setup(Run(prompt_set=prompt_set, candidates=tuple(chosen), judge=judge, rubric=rubric))


def start_button(store: EvalStore, client: OllamaClient, setup: Setup) -> None:
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
    problem = start(store, client, setup.run)
    if problem is not None:
        st.error(t("evals.not_started", problem=problem), icon=":material/block:")
        return
    state.put(state.EVALS_OPEN_TAB, "results")
    st.rerun()


def start(store: EvalStore, client: OllamaClient, run: Run) -> str | None:
    """Save ``run`` and start its job; why it could not start, as a sentence, else None.

    The server is asked afresh (not from the page's cache): it may have gone away, or lost a
    model, since the pickers were filled.
    """
    try:
        listed = {model.get("name") for model in client.list_models()}
    except OllamaError as error:
        return t("evals.server_down", error=error_text(error))
    wanted = [candidate.model for candidate in run.candidates] + ([run.judge] if run.judge else [])
    missing = [model for model in dict.fromkeys(wanted) if model not in listed]
    if missing:
        server_data.forget_models()  # the pickers offer what the server has now
        return t("evals.models_missing", models=", ".join(missing), n=len(missing))
    try:
        run_id = store.start_run(run)
    except StoreFailed as error:
        return message_of(error)
    progress_view.start(client, store, run_id, run)
    return None
