"""The run in progress, above the Evals page's tabs: its bar, the answer being written, Stop, Resume.

The run itself is a :class:`~lib.evals.runner.EvalJob` in its own thread, kept in session state
with the run it works on (:class:`Tracked`), so it goes on while the user is on another page.
This panel is a fragment that reruns itself every second while the job runs, as the Models
page's pull panel does (:mod:`lib.models.pull_panel`): a fragment's rerun runs only the
fragment, so :func:`draw` reads the job from session state. When the job ends, the whole page
runs once more, so the results and the history show the run as it ended.

A job is given a client for each server of its run when it starts (:func:`start`): a candidate
saved without a server, as every run before there were several servers, runs on the sidebar's. The
judge grades on the server saved with the run, wherever the run is resumed (:func:`judged_where_it_is`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import streamlit as st

from lib import i18n, server_data, state
from lib.evals import labels
from lib.evals.records import Run
from lib.evals.runner import EvalJob, EvalView
from lib.evals.store import EvalStore, StoreFailed
from lib.fleet import session
from lib.formatting import human_seconds
from lib.i18n import message_of, t
from lib.ollama.client import OllamaClient
from lib.ollama.errors import OllamaError
from lib.ui.live_markdown import render_markdown

POLL_SECONDS = 1.0
LIVE_HEIGHT = 220


@dataclass(frozen=True)
class Tracked:
    """The session's job and the run it answers (as it was when the job started)."""

    job: EvalJob
    run: Run


def current() -> Tracked | None:
    return state.get(state.EVALS_JOB)


def running() -> bool:
    tracked = current()
    return tracked is not None and not tracked.job.view().finished


def running_run() -> int | None:
    """The id of the run a job of this session is answering right now, if any."""
    tracked = current()
    return tracked.job.run_id if tracked is not None and not tracked.job.view().finished else None


def running_set() -> int | None:
    """The id of the set whose run a job of this session is answering right now, if any."""
    tracked = current()
    return tracked.run.prompt_set.id if tracked is not None and not tracked.job.view().finished else None


def start(store: EvalStore, run_id: int, run: Run) -> None:
    """Answer what ``run`` (saved as ``run_id``) is missing, in a job of this session; shown under Results.

    Each server of the run gets its own client (a copy: the job's thread keeps using it whatever the
    sidebar does meanwhile); a server the session no longer has gets none, and the job fails its
    candidates' answers with a sentence naming it.
    """
    run, where = labels.in_session(run)
    clients: dict[str, OllamaClient] = {}
    for url in {*run.servers, run.judge_server}:
        try:
            clients[url] = session.client_for(url).clone()
        except session.UnknownServer:
            continue
    language = i18n.language()
    job = EvalJob(server_data.client().clone(), store, run_id, run, language, servers=clients, names=where).start()
    state.put(state.EVALS_JOB, Tracked(job, run))
    state.put(state.EVALS_RUN, run_id)


def resume(store: EvalStore, run_id: int) -> None:
    """A new job on the stored run: its finished answers stay, the missing ones are asked (a button's callback)."""
    if running():
        state.put(state.EVALS_NOTICE, ("warning", t("evals.one_run_at_a_time")))
        return
    try:
        run = store.run(run_id)
    except StoreFailed as error:
        state.put(state.EVALS_NOTICE, ("error", message_of(error)))
        return
    if run is None:
        state.put(state.EVALS_NOTICE, ("error", t("evals.run_gone")))
        return
    start(store, run_id, judged_where_it_is(run))


def judged_where_it_is(run: Run) -> Run:
    """``run`` with its judge on a server: the one saved with the run, asked nothing (the job says so in each grade
    when it is down or not the session's). A run saved before the judge's server was (revision evals_0002) has
    none: its judge runs on the sidebar's server when that has the judge model, else on the first that does."""
    if not run.judge or run.judge_server:
        return run
    ordered = sorted(session.servers(), key=lambda server: server.url != session.current().url)
    for server in ordered:
        try:
            names = {str(entry.get("name")) for entry in server_data.models(session.client_for(server.url))}
        except OllamaError:
            continue
        if run.judge in names:
            return replace(run, judge_server=server.url)
    return run


def show(store: EvalStore) -> None:
    """The panel, polling every :data:`POLL_SECONDS` while the job runs and still otherwise."""
    st.fragment(draw, run_every=POLL_SECONDS if running() else None)(store)


def draw(store: EvalStore) -> None:
    tracked = current()
    if tracked is None:
        return
    view = tracked.job.view()
    if view.finished and tracked.job.acknowledge():
        st.rerun()  # the whole page once: the results, the history and the set-up see the run as it ended
    run = tracked.run
    with st.container(border=True, key="evals_progress"):
        st.markdown(heading(view, run))
        st.progress(view.fraction, text=figures(view))
        if not view.finished:
            under_way(tracked.job, view, run)
            return
        ending(view)
        actions = st.container(horizontal=True, gap="small")
        if not view.completed:
            actions.button(
                t("evals.resume"),
                icon=":material/play_arrow:",
                key=state.EVALS_RESUME_BUTTON,
                on_click=resume,
                args=(store, tracked.job.run_id),
            )
        if actions.button(t("evals.dismiss"), key="evals_dismiss"):
            state.put(state.EVALS_JOB, None)
            st.rerun()


def heading(view: EvalView, run: Run) -> str:
    name = run.prompt_set.name or t("evals.unnamed_set")
    if not view.finished:
        return t("evals.running_heading", name=name)
    if view.completed:
        return t("evals.finished_heading", name=name)
    return t("evals.stopped_heading", name=name)


def figures(view: EvalView) -> str:
    """``37 / 60 · about 2 min left · 1 failed``, the text on the bar."""
    shown = [t("evals.done_of", done=view.done, total=view.total)]
    if not view.finished and view.eta_seconds is not None:
        shown.append(t("evals.time_left", time=human_seconds(view.eta_seconds)))
    if view.failures:
        shown.append(t("evals.failed_count", n=view.failures))
    return " · ".join(shown)


def under_way(job: EvalJob, view: EvalView, run: Run) -> None:
    """What is being asked right now, the answer as it arrives, and Stop."""
    if view.current is not None:
        prompt_index, candidate_index = view.current
        where = labels.places(run, session.servers())
        candidate = labels.candidate_name(run.candidates[candidate_index], candidate_index, where)
        prompt = labels.short(run.prompt_set.prompts[prompt_index].text, 120)
        key = "evals.judging_now" if view.judging else "evals.answering_now"
        st.caption(t(key, number=prompt_index + 1, candidate=candidate, prompt=prompt))
        with st.container(height=LIVE_HEIGHT, key="evals_live"):
            if view.thinking and not view.text:
                st.caption(t("evals.thinking_now"))
            if view.text:
                render_markdown(view.text)
    if st.button(t("evals.stop"), icon=":material/stop:", key=state.EVALS_STOP_BUTTON, help=t("evals.stop_help")):
        job.stop()
        st.rerun(scope="fragment")


def ending(view: EvalView) -> None:
    """How the job ended: every answer in, stopped, or the job broke off (with its sentence)."""
    if view.crash:
        st.error(i18n.escape(view.crash), icon=":material/error:")
    elif view.completed:
        st.success(t("evals.run_complete", failed=view.failures), icon=":material/check_circle:")
    else:
        st.warning(t("evals.run_stopped"), icon=":material/stop_circle:")
