"""The Evals page's Results tab: one run's grid, a cell's answer and checks, the candidates' figures,
charts, downloads, and the history of the runs of its set.

The run is read from the store on every draw. The run a job of this session is answering is
drawn in a fragment that reruns every second, so its grid fills in as answers are saved; the
fragment stops polling once the job has ended (the progress panel then runs the whole page).
Answers are model output and are drawn with :func:`~lib.ui.live_markdown.render_markdown`,
never as HTML; the judge's reasoning too. A run is shown as this session places it
(:func:`lib.evals.labels.in_session`): candidates saved without a server on the sidebar's server,
and each candidate, and the judge, named with its server when there are several.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import streamlit as st

from lib import i18n, state
from lib.evals import charts, labels, progress_view, report, scoring, tables
from lib.evals.checks import check_text, reason_text
from lib.evals.labels import Places
from lib.evals.records import Answer, JudgeVerdict, Run
from lib.evals.store import EvalStore, StoreFailed
from lib.fleet import session
from lib.formatting import human_seconds
from lib.i18n import message_of, t
from lib.ollama.stream import FAILED
from lib.ui.live_markdown import render_markdown
from lib.ui.stats import stat_rows

POLL_SECONDS = 1.0
ROW_PIXELS = 35  # Streamlit's dataframe row height
SHOWN_ROWS = 25  # rows the grid shows without scrolling
MARK_STYLES = {
    tables.PASS: "background-color: rgba(33, 195, 84, 0.22); text-align: center",
    tables.FAIL: "background-color: rgba(255, 75, 75, 0.22); text-align: center",
    tables.ERROR: "background-color: rgba(255, 164, 33, 0.28); text-align: center",
    tables.UNCHECKED: "text-align: center",
    tables.PENDING: "",
}


def draw(store: EvalStore) -> None:
    try:
        runs = store.runs()
    except StoreFailed as error:
        st.error(message_of(error), icon=":material/database:")
        return
    if not runs:
        st.info(t("evals.no_runs"), icon=":material/science:")
        return
    runs = [run.placed(session.current().url) for run in runs]
    run = choose_run(runs)
    live = run.id == progress_view.running_run()
    st.fragment(run_results, run_every=POLL_SECONDS if live else None)(store, run.id or 0)
    history(runs, run)
    delete_run(store, run)


def choose_run(runs: list[Run]) -> Run:
    """The run to show: the one asked for (a new run, a history row), else the one picked, else the newest."""
    by_id = {run.id: run for run in runs}
    wanted = state.get(state.EVALS_RUN)
    if wanted in by_id:
        st.session_state[state.EVALS_RUN_INPUT] = wanted
        state.put(state.EVALS_RUN, None)
    if st.session_state.get(state.EVALS_RUN_INPUT) not in by_id:
        st.session_state[state.EVALS_RUN_INPUT] = runs[0].id
    chosen = st.selectbox(
        t("evals.run_pick"),
        list(by_id),
        format_func=labels.run_names(runs).__getitem__,
        key=state.EVALS_RUN_INPUT,
    )
    return by_id[chosen]


def run_results(store: EvalStore, run_id: int) -> None:
    """Everything about one run, read afresh from the store."""
    if state.get(state.EVALS_WHOLE_PAGE):
        state.put(state.EVALS_WHOLE_PAGE, None)
        st.rerun(scope="app")
    try:
        run = store.run(run_id)
    except StoreFailed as error:
        st.error(message_of(error), icon=":material/database:")
        return
    if run is None:
        st.info(t("evals.run_gone"), icon=":material/info:")
        return
    run, where = labels.in_session(run)
    status(store, run)
    prompt, candidate = grid(run, where)
    cell(run, prompt, candidate, where)
    scores = scoring.scores(run)
    candidate_table(run, scores, where)
    chart_section(run, scores, where)
    downloads(run, scores, where)


def status(store: EvalStore, run: Run) -> None:
    """Finished, being answered, or unfinished with Resume."""
    total = len(run.prompt_set.prompts) * len(run.candidates)
    answered = len(run.answers)
    if run.finished_at is not None:
        st.caption(t("evals.run_finished", answered=answered, total=total))
        return
    if run.id == progress_view.running_run():
        st.caption(t("evals.run_running", answered=answered, total=total))
        return
    note, button = st.columns([8, 2], vertical_alignment="center")
    note.warning(t("evals.run_unfinished", answered=answered, total=total), icon=":material/pending:")
    button.button(
        t("evals.resume"),
        icon=":material/play_arrow:",
        key=f"{state.EVALS_RESUME_BUTTON}_{run.id}",
        on_click=resume,
        args=(store, run.id),
        disabled=progress_view.running(),
        width="stretch",
    )


def resume(store: EvalStore, run_id: int) -> None:
    """Resume's on_click. The click reruns only this fragment, so the next run of it runs the whole page,
    which then shows the job's panel and polls it (else the page stood still at "being answered")."""
    progress_view.resume(store, run_id)
    state.put(state.EVALS_WHOLE_PAGE, True)


def grid_key(run: Run) -> str:
    return f"{state.EVALS_GRID_INPUT}_{run.id}"


def pick_cell(key: str) -> None:
    """The cell clicked in the grid, into the prompt and candidate select boxes (the grid's callback)."""
    selection: Any = st.session_state.get(key)
    cells = (selection or {}).get("selection", {}).get("cells") or []
    if not cells:
        return
    row, column = cells[0]
    candidate = tables.candidate_of(str(column))
    if candidate is not None:
        st.session_state[state.EVALS_PROMPT_INPUT] = int(row)
        st.session_state[state.EVALS_CANDIDATE_INPUT] = candidate


def grid(run: Run, where: Places) -> tuple[int, int]:
    """The prompts × candidates grid, then the cell shown below it, picked in the grid or the select boxes."""
    st.subheader(t("evals.grid"), anchor=False)
    counted = tables.counts(run)
    st.caption(
        t(
            "evals.grid_legend",
            passed=counted[tables.PASS],
            failed=counted[tables.FAIL],
            errors=counted[tables.ERROR],
            unchecked=counted[tables.UNCHECKED],
            pending=counted[tables.PENDING],
        )
    )
    frame = tables.grid_frame(run)
    columns = [tables.column_of(candidate) for candidate in range(len(run.candidates))]
    config: dict[str, Any] = {
        tables.PROMPT: st.column_config.TextColumn(t("evals.col_prompt"), width="large"),
        tables.TAGS: st.column_config.TextColumn(t("evals.col_tags")),
    }
    for index, candidate in enumerate(run.candidates):
        config[tables.column_of(index)] = st.column_config.TextColumn(
            labels.candidate_name(candidate, index, where), help=labels.candidate_settings(candidate)
        )
    if not any(prompt.tags for prompt in run.prompt_set.prompts):
        config[tables.TAGS] = None
    styled = frame.style.map(lambda value: MARK_STYLES.get(value, ""), subset=pd.Index(columns))
    key = grid_key(run)
    st.dataframe(
        styled,
        hide_index=True,
        height=(min(len(frame), SHOWN_ROWS) + 1) * ROW_PIXELS + 3,
        column_config=config,
        on_select=lambda: pick_cell(key),
        selection_mode="single-cell",
        key=key,
    )
    prompts, candidates = range(len(run.prompt_set.prompts)), range(len(run.candidates))
    if st.session_state.get(state.EVALS_PROMPT_INPUT) not in prompts:
        st.session_state[state.EVALS_PROMPT_INPUT] = 0
    if st.session_state.get(state.EVALS_CANDIDATE_INPUT) not in candidates:
        st.session_state[state.EVALS_CANDIDATE_INPUT] = 0
    left, right = st.columns(2)
    prompt = left.selectbox(
        t("evals.cell_prompt_pick"),
        list(prompts),
        format_func=lambda index: labels.prompt_name(run.prompt_set, index),
        key=state.EVALS_PROMPT_INPUT,
    )
    picked = right.selectbox(
        t("evals.cell_candidate_pick"),
        list(candidates),
        format_func=lambda index: labels.candidate_name(run.candidates[index], index, where),
        key=state.EVALS_CANDIDATE_INPUT,
    )
    if run.judge:
        judge_grid(run, where)
    return int(prompt or 0), int(picked or 0)


def judge_grid(run: Run, where: Places) -> None:
    """The judge's scores, apart from the checks: they are a model's opinion, not a rule."""
    with st.expander(t("evals.judge_scores", model=report.judge_name(run, where)), icon=":material/gavel:"):
        config: dict[str, Any] = {tables.PROMPT: st.column_config.TextColumn(t("evals.col_prompt"), width="large")}
        for index, candidate in enumerate(run.candidates):
            config[tables.column_of(index)] = st.column_config.NumberColumn(
                labels.candidate_name(candidate, index, where), format="%.0f"
            )
        st.dataframe(tables.judge_frame(run), hide_index=True, column_config=config)


def cell(run: Run, prompt_index: int, candidate_index: int, where: Places) -> None:
    """One answer: its text, each check with its reason, its figures, and the judge's verdict."""
    answer = tables.answers_by_cell(run).get((prompt_index, candidate_index))
    prompt = run.prompt_set.prompts[prompt_index]
    name = labels.candidate_name(run.candidates[candidate_index], candidate_index, where)
    with st.container(border=True, key="evals_cell"):
        st.markdown(t("evals.cell_heading", number=prompt_index + 1, candidate=name))
        st.caption(t("evals.cell_prompt", prompt=prompt.text))
        if answer is None:
            st.info(t("evals.cell_pending"), icon=":material/hourglass_empty:")
            return
        if answer.status == FAILED:
            st.error(failure_text(answer.error), icon=":material/error:")
        if answer.thinking:
            with st.expander(t("evals.thinking"), icon=":material/psychology:"):
                render_markdown(answer.thinking)
        if answer.content:
            render_markdown(answer.content, st.container(key="evals_answer"))
        elif answer.status != FAILED:
            st.info(t("evals.empty_answer"), icon=":material/info:")
        checks(answer)
        figures(answer)
        if answer.verdict is not None:
            verdict(answer.verdict, report.judge_name(run, where, answer.verdict.judge_model))


def failure_text(saved: str) -> str:
    """A failed answer's saved sentence (plain text: its values are the server's words), for Markdown."""
    if not saved.strip():
        return t("evals.answer_failed")
    return i18n.escape(report.error_text(saved, i18n.language()))


def checks(answer: Answer) -> None:
    if not answer.checks:
        if answer.status != FAILED:
            st.caption(t("evals.no_checks"))
        return
    lines = []
    for result in answer.checks:
        if result.passed:
            lines.append(t("evals.check_passed", check=check_text(result.check)))
        else:
            lines.append(t("evals.check_failed", check=check_text(result.check), reason=reason_text(result)))
    st.markdown(i18n.markdown("\n".join(f"- {line}" for line in lines)))


def figures(answer: Answer) -> None:
    if answer.stats is None:
        return
    shown = [t("evals.figure", label=row.label, value=row.value) for row in stat_rows(answer.stats)]
    if answer.seconds is not None:
        shown.append(t("evals.figure", label=t("evals.seconds_taken"), value=human_seconds(answer.seconds)))
    st.caption(i18n.markdown(" · ".join(shown)))


def verdict(found: JudgeVerdict, judge: str) -> None:
    """The judge's grade and reasoning, and the exact request it was sent; ``judge`` names it (with its server
    when the run names servers: :func:`lib.evals.report.judge_name`)."""
    with st.container(border=True):
        if found.error:
            st.warning(t("evals.judge_failed", model=judge, error=found.error), icon=":material/gavel:")
        elif found.score is not None:
            st.markdown(t("evals.judge_score", model=judge, score=f"{found.score:g}"))
        if found.reasoning:
            st.caption(t("evals.judge_reasoning"))
            render_markdown(found.reasoning)
        with st.expander(t("evals.judge_request"), icon=":material/api:"):
            st.code(json.dumps(found.request, indent=2, ensure_ascii=False), language="json", wrap_lines=True)


def candidate_table(run: Run, scores: list[scoring.CandidateScore], where: Places) -> None:
    st.subheader(t("evals.candidates_table"), anchor=False)
    frame = tables.candidate_frame(run, scores, where)
    config: dict[str, Any] = {
        tables.CANDIDATE: st.column_config.TextColumn(t("evals.col_candidate")),
        tables.SETTINGS: st.column_config.TextColumn(t("evals.col_settings")),
        tables.PASS_RATE: st.column_config.ProgressColumn(
            t("evals.col_pass_rate"), min_value=0.0, max_value=1.0, format="percent", help=t("evals.col_pass_rate_help")
        ),
        tables.PASSED: st.column_config.TextColumn(t("evals.col_passed"), help=t("evals.col_passed_help")),
        tables.FAILED_ANSWERS: st.column_config.NumberColumn(t("evals.col_failed"), help=t("evals.col_failed_help")),
        tables.SPEED: st.column_config.NumberColumn(t("evals.col_speed"), format="%.1f"),
        tables.SPEED_P90: st.column_config.NumberColumn(t("evals.col_speed_p90"), format="%.1f"),
        tables.FIRST_TOKEN: st.column_config.NumberColumn(t("evals.col_first_token"), format="%.2f"),
        tables.FIRST_TOKEN_P90: st.column_config.NumberColumn(t("evals.col_first_token_p90"), format="%.2f"),
        tables.TOKENS: st.column_config.NumberColumn(t("evals.col_tokens"), format="%d"),
        tables.LOAD: st.column_config.NumberColumn(t("evals.col_load"), format="%.2f"),
        tables.JUDGE: st.column_config.NumberColumn(t("evals.col_judge"), format="%.1f", help=t("evals.col_judge_help"))
        if run.judge
        else None,
    }
    st.dataframe(frame, hide_index=True, column_config=config)


def chart_section(run: Run, scores: list[scoring.CandidateScore], where: Places) -> None:
    frame = tables.candidate_frame(run, scores, where)
    tags = tables.tag_frame(run, scores, where)
    if frame[tables.PASS_RATE].isna().all():
        return
    speed_column, tag_column = st.columns(2, gap="large")
    with speed_column:
        st.markdown(t("evals.chart_speed_heading"))
        st.altair_chart(charts.speed_chart(frame), width="stretch")
    with tag_column:
        if tags.empty:
            st.caption(t("evals.no_tags"))
        else:
            st.markdown(t("evals.chart_tags_heading"))
            st.altair_chart(charts.tag_chart(tags), width="stretch")


def downloads(run: Run, scores: list[scoring.CandidateScore], where: Places) -> None:
    """The self-contained HTML report, and the answers as CSV and JSON."""
    html_column, csv_column, json_column, _rest = st.columns([2, 2, 2, 4])
    stem = f"eval-run-{run.id}"
    html_column.download_button(
        t("evals.download_report"),
        report.html_report(run, scores, i18n.language(), where),
        file_name=f"{stem}.html",
        mime="text/html",
        icon=":material/description:",
        key=f"evals_report_{run.id}",
        width="stretch",
    )
    csv_column.download_button(
        t("evals.download_csv"),
        report.runs_csv(run, i18n.language(), where),
        file_name=f"{stem}.csv",
        mime="text/csv",
        icon=":material/table:",
        key=f"evals_csv_{run.id}",
        width="stretch",
    )
    json_column.download_button(
        t("evals.download_json"),
        report.run_json(run, i18n.language(), where),
        file_name=f"{stem}.json",
        mime="application/json",
        icon=":material/data_object:",
        key=f"evals_json_{run.id}",
        width="stretch",
    )


def history(runs: list[Run], run: Run) -> None:
    """The runs of this run's set, newest first, and what changed against the run before this one."""
    if run.prompt_set.id is None:
        return
    same = [other for other in runs if other.prompt_set.id == run.prompt_set.id]
    st.subheader(t("evals.history"), anchor=False)
    position = next(index for index, other in enumerate(same) if other.id == run.id)
    if position + 1 < len(same):
        previous = same[position + 1]
        st.markdown(t("evals.change_heading", run=labels.run_name(previous)))
        where = labels.places(run, session.servers())
        changes = scoring.change(previous, run)
        lines = [report.change_text(change, run, where=where) for change in changes]  # names escaped
        st.markdown(i18n.markdown("\n".join(f"- {line}" for line in lines)))
    if len(same) < 2:
        st.caption(t("evals.history_first"))
        return
    rows = [history_row(other) for other in same]
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        column_config={
            "when": st.column_config.TextColumn(t("evals.col_when")),
            "candidates": st.column_config.TextColumn(t("evals.col_candidates"), width="large"),
            "passed": st.column_config.TextColumn(t("evals.col_passed")),
            "state": st.column_config.TextColumn(t("evals.col_state")),
        },
    )


def history_row(run: Run) -> dict[str, str]:
    counted = tables.counts(run)
    checked = counted[tables.PASS] + counted[tables.FAIL]
    where = labels.places(run, session.servers())
    names = ", ".join(labels.candidate_name(c, index, where) for index, c in enumerate(run.candidates))
    return {
        "when": labels.run_name(run),
        "candidates": names,
        "passed": f"{counted[tables.PASS]} / {checked}",
        "state": i18n.t_plain("evals.state_finished") if run.finished_at else i18n.t_plain("evals.state_unfinished"),
    }


def delete_run(store: EvalStore, run: Run) -> None:
    """Delete this run, once confirmed; not while it is being answered."""
    confirm = state.get(state.EVALS_CONFIRM)
    if confirm == ("run", run.id):
        st.warning(t("evals.delete_run_confirm", run=labels.run_name(run)), icon=":material/delete:")
        yes, no, _rest = st.columns([2, 2, 6])
        if yes.button(t("evals.delete"), type="primary", key="evals_delete_run_yes", width="stretch"):
            state.put(state.EVALS_CONFIRM, None)
            try:
                store.delete_run(run.id or 0)
            except StoreFailed as error:
                state.put(state.EVALS_NOTICE, ("error", message_of(error)))
            else:
                state.put(state.EVALS_NOTICE, ("success", t("evals.run_deleted", run=labels.run_name(run))))
            st.rerun()
        if no.button(t("evals.cancel"), key="evals_delete_run_no", width="stretch"):
            state.put(state.EVALS_CONFIRM, None)
            st.rerun()
        return
    if st.button(
        t("evals.delete_run"),
        icon=":material/delete:",
        key="evals_delete_run",
        disabled=run.id == progress_view.running_run(),
        type="tertiary",
    ):
        state.put(state.EVALS_CONFIRM, ("run", run.id))
        st.rerun()
