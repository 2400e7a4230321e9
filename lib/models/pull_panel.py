"""The pull in progress, above the Models page's tabs: its bar, figures, Cancel, and how it ended.

The panel is a fragment that reruns itself every second while the download runs (:func:`show`).
A fragment's rerun runs only the fragment, so :func:`draw` reads the job from session state,
never the page's variables. The job itself (:mod:`lib.models.pull`) runs in its own thread and
outlives page switches; the panel shows it, and Cancel asks it to stop.
"""

from __future__ import annotations

import streamlit as st

from lib import server_data, state
from lib.fleet import session
from lib.fleet.models import server_name
from lib.formatting import human_seconds, human_size
from lib.i18n import t
from lib.models import inventory, notices
from lib.models.pull import JobView, Outcome, PullJob, not_in_registry
from lib.models.pull_progress import step_label
from lib.ollama.client import OllamaClient
from lib.ollama.errors import OllamaError

POLL_SECONDS = 1.0


def current() -> PullJob | None:
    """The session's pull, running or finished and not yet dismissed."""
    return state.get(state.MODELS_PULL_JOB)


def running() -> bool:
    job = current()
    return job is not None and not job.view().finished


def newly_finished() -> bool:
    """True on the first call after the pull ended: the lists must then be fetched again."""
    job = current()
    return job is not None and job.acknowledge()


def show() -> None:
    """The panel, polling every :data:`POLL_SECONDS` while a pull runs and still otherwise."""
    st.fragment(draw, run_every=POLL_SECONDS if running() else None)()


def draw() -> None:
    """The current pull, if any; the page's lists are refreshed once, when it has finished."""
    job = current()
    if job is None:
        return
    view = job.view()
    if view.finished and job.acknowledge():
        notices.refresh()
    snap = view.progress
    with st.container(border=True):
        st.markdown(heading(view))
        if snap.total or not view.finished:
            st.progress(snap.fraction, text=f"{snap.fraction:.0%} · {step_label(snap.status)}")
            st.caption(" · ".join(figures(view)))
        if view.outcome is Outcome.RUNNING:
            if view.cancel_requested:
                st.caption(t("models.stopping_pull"))
            elif st.button(t("models.cancel"), icon=":material/cancel:", key="models_pull_cancel"):
                job.cancel()
                st.rerun(scope="fragment")
            return
        ending(view)
        if st.button(t("models.dismiss"), key="models_pull_dismiss"):
            state.put(state.MODELS_PULL_JOB, None)
            st.rerun()


def heading(view: JobView) -> str:
    """What is pulled, and, with several servers, onto which (and from whose list, for a copy)."""
    running = view.outcome is Outcome.RUNNING
    servers = session.servers()
    if len(servers) <= 1 or not view.server:
        return t("models.pulling_heading" if running else "models.pulled_heading", model=view.model)
    onto = server_name(view.server, servers)
    if view.copied_from:
        source = server_name(view.copied_from, servers)
        key = "models.copying_heading" if running else "models.copied_heading"
        return t(key, model=view.model, source=source, server=onto)
    return t("models.pulling_onto_heading" if running else "models.pulled_onto_heading", model=view.model, server=onto)


def _client_of(view: JobView) -> OllamaClient:
    """The client of the server the job pulled onto (the sidebar's for a job that does not say)."""
    return session.client_for(view.server) if view.server else server_data.client()


def _listed(view: JobView) -> bool:
    """Whether the job's server now lists a model it said it pulled; ``True`` when that cannot be read."""
    try:
        return inventory.is_listed(server_data.models(_client_of(view)), view.model)
    except (OllamaError, session.UnknownServer):
        return True


def figures(view: JobView) -> list[str]:
    """What the caption under the bar says: bytes done of the total, then speed and time left while it runs."""
    snap = view.progress
    if snap.total:
        shown: list[str] = [t("models.pull_size", done=human_size(snap.completed), total=human_size(snap.total))]
    else:
        shown = [t("models.size_unknown")]
    if not view.finished and snap.speed is not None:
        shown.append(t("models.speed", size=human_size(snap.speed)))
    if not view.finished and snap.seconds_left is not None:
        shown.append(t("models.time_left", time=human_seconds(snap.seconds_left)))
    return shown


def ending(view: JobView) -> None:
    """How a finished pull ended: installed, cancelled, or why it failed."""
    if view.outcome is Outcome.SUCCEEDED:
        if _listed(view):
            st.success(t("models.pull_succeeded", model=view.model), icon=":material/check_circle:")
        else:
            st.warning(t("models.pull_not_done", model=view.model), icon=":material/report:")
    elif view.outcome is Outcome.CANCELLED:
        st.warning(t("models.pull_cancelled", model=view.model), icon=":material/cancel:")
    elif view.copied_from and view.failure is not None and not_in_registry(view.failure):
        servers = session.servers()
        st.error(
            t(
                "models.copy_not_pullable",
                model=view.model,
                source=server_name(view.copied_from, servers),
                server=server_name(view.server, servers),
            ),
            icon=":material/error:",
        )
    else:
        st.error(view.error or t("models.pull_failed", model=view.model), icon=":material/error:")
