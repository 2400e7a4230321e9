"""lib/models/pull_panel.py: the pull in progress above the tabs, its figures, Cancel, and how it ended."""

from __future__ import annotations

from dataclasses import replace

import pytest

from lib import state
from lib.models import pull_panel
from lib.models.pull import JobView, Outcome
from lib.models.pull_progress import Snapshot
from lib.ollama.errors import ResponseError
from tests.models.conftest import MODELS_PAGE, bodies, installed_names, pull_job, start_pull, texts

GB = 1_000_000_000


def view(
    outcome: Outcome = Outcome.RUNNING,
    *,
    completed: int = GB,
    total: int = 4 * GB,
    speed: float | None = 50_000_000.0,
    seconds_left: float | None = 60.0,
    status: str = "pulling 6a0746a1ec1a",
    failure: ResponseError | None = None,
    crash: str | None = None,
    cancel_requested: bool = False,
) -> JobView:
    fraction = completed / total if total else 0.0
    snapshot = Snapshot(status, completed, total, fraction, speed, seconds_left, 1, outcome is Outcome.SUCCEEDED)
    return JobView("tinyllama:latest", outcome, snapshot, failure, crash, cancel_requested)


class FrozenPull:
    """A pull that stays in one state, so the panel can be drawn without a worker thread."""

    def __init__(self, shown: JobView) -> None:
        self.shown = shown
        self.cancelled = False
        self.acknowledged = False

    def view(self) -> JobView:
        return self.shown

    def acknowledge(self) -> bool:
        first = self.shown.finished and not self.acknowledged
        self.acknowledged = self.acknowledged or self.shown.finished
        return first

    def cancel(self) -> None:
        self.cancelled = True

    def wait(self, timeout: float | None = None) -> bool:
        return True


def panel_page() -> None:
    from lib import state
    from lib.models import pull_panel

    state.init()
    pull_panel.show()


def panel_with(script, job: FrozenPull | None):
    at = script(panel_page)
    at.session_state[state.MODELS_PULL_JOB] = job
    return at.run()


# The figures under the bar


def test_a_running_pull_shows_bytes_speed_and_time_left():
    assert pull_panel.figures(view()) == ["1.0 GB of 4.0 GB", "50.0 MB/s", "1 min left"]


def test_a_finished_pull_shows_only_its_bytes():
    assert pull_panel.figures(view(Outcome.SUCCEEDED, completed=4 * GB)) == ["4.0 GB of 4.0 GB"]


def test_before_the_first_layer_the_size_is_not_known_and_unknown_rates_are_left_out():
    assert pull_panel.figures(view(completed=0, total=0, speed=None, seconds_left=None)) == ["size not known yet"]


# The panel


def test_no_pull_no_panel(script):
    at = panel_with(script, None)
    assert not at.markdown and not at.button and not at.get("progress")


def test_a_running_pull_has_its_bar_and_cancel(script):
    job = FrozenPull(view())
    at = panel_with(script, job)
    assert "**Pulling `tinyllama:latest`**" in texts(at.markdown)
    assert at.get("progress")[0].proto.text == "25% · Downloading layer 6a0746a1ec1a"
    assert "1.0 GB of 4.0 GB · 50.0 MB/s · 1 min left" in texts(at.caption)
    at.button(key="models_pull_cancel").click().run()
    assert job.cancelled


def test_a_status_line_the_server_made_up_shows_literally_in_the_bar(script):
    """The bar's text is Markdown: a hostile server's status must not fetch an image or draw bold."""
    at = panel_with(script, FrozenPull(view(status="![i](http://tracker.invalid/s.png) **bold**")))
    assert at.get("progress")[0].proto.text == "25% · !\\[i\\](http://tracker.invalid/s.png) \\*\\*bold\\*\\*"


def test_a_model_name_shows_literally_in_the_panel(script, studio_env):
    at = panel_with(script, FrozenPull(replace(view(Outcome.SUCCEEDED, completed=4 * GB), model="**x**](http://t/)")))
    assert "**Pull of `**x**](http://t/)`**" in texts(at.markdown)
    # the scripted pull installed nothing on the fake, so the panel says it is not in the list, naming it literally
    assert "\\*\\*x\\*\\*\\](http://t/) succeeded, but" in texts(at.warning)


def test_a_cancel_on_its_way_replaces_the_button(script):
    at = panel_with(script, FrozenPull(view(cancel_requested=True)))
    assert "Stopping the download…" in texts(at.caption)
    assert not at.button


def test_a_pull_that_crashed_says_so_and_can_be_dismissed(script):
    at = panel_with(script, FrozenPull(view(Outcome.FAILED, crash="KeyError")))
    assert "**Pull of `tinyllama:latest`**" in texts(at.markdown)
    assert "The pull of tinyllama:latest stopped unexpectedly (KeyError)." in texts(at.error)
    at.button(key="models_pull_dismiss").click().run()
    assert at.session_state[state.MODELS_PULL_JOB] is None
    assert not at.markdown


def test_a_finished_pull_without_a_size_has_no_bar(script):
    at = panel_with(script, FrozenPull(view(Outcome.CANCELLED, completed=0, total=0)))
    assert not at.get("progress")
    assert "was cancelled" in texts(at.warning)


@pytest.mark.parametrize(("outcome", "running"), [(Outcome.RUNNING, True), (Outcome.SUCCEEDED, False)])
def test_running(script, outcome, running):
    def check() -> None:
        import streamlit as st

        from lib.models import pull_panel

        st.session_state["running"] = pull_panel.running()

    at = script(check)
    at.session_state[state.MODELS_PULL_JOB] = FrozenPull(view(outcome))
    assert at.run().session_state["running"] is running


# A real pull, on the page


def test_pull_reaches_success_and_refreshes_the_list(page, fake):
    start_pull(page, "qwen2.5:0.5b")
    assert pull_job(page).wait(20)
    page.run()
    assert "qwen2.5:0.5b is installed" in texts(page.success)
    assert "100%" in page.get("progress")[0].proto.text
    assert bodies(fake, "/api/pull") == [{"model": "qwen2.5:0.5b", "stream": True}]
    assert "qwen2.5:0.5b" in installed_names(page)
    page.button(key="models_pull_dismiss").click().run()
    assert page.session_state[state.MODELS_PULL_JOB] is None


def test_pull_of_an_unknown_model_says_so(page, fake):
    start_pull(page, "no-such-model:1b")
    assert pull_job(page).wait(20)
    page.run()
    assert pull_job(page).view().outcome is Outcome.FAILED
    assert "the registry has no model by that name" in texts(page.error)
    assert "no-such-model:1b" not in installed_names(page)


def test_pull_failing_mid_stream_says_so(page, fake):
    fake.add_fault("/api/pull", "error_line", after=3, message="max retries exceeded: connection reset")
    start_pull(page, "tinyllama:latest")
    assert pull_job(page).wait(20)
    page.run()
    assert "max retries exceeded" in texts(page.error)
    assert "resumes" in texts(page.error)


def test_cancel_closes_the_stream(page, fake):
    fake.token_delay = 0.3
    start_pull(page, "mxbai-embed-large:latest")
    assert fake.wait_for(lambda f: any(r.chunks_sent >= 2 for r in f.requests_to("/api/pull")), 10)
    page.run()
    page.button(key="models_pull_cancel").click().run()
    assert pull_job(page).wait(10)
    assert fake.wait_for(lambda f: f.requests_to("/api/pull")[-1].client_disconnected, 10)
    page.run()
    assert pull_job(page).view().outcome is Outcome.CANCELLED
    assert "was cancelled" in texts(page.warning)
    assert "mxbai-embed-large:latest" not in installed_names(page)


def test_pull_keeps_running_and_stays_visible_across_a_page_switch(page, fake):
    fake.token_delay = 0.05
    start_pull(page, "gemma3:270m")
    page.switch_page("app_pages/home.py").run()
    assert not page.exception
    page.switch_page(MODELS_PAGE).run()
    assert "`gemma3:270m`**" in texts(page.markdown)  # "Pulling" or, on a slow machine, already "Pull of"
    assert page.get("progress")
    assert pull_job(page).wait(30)
    page.switch_page("app_pages/home.py").run()
    page.switch_page(MODELS_PAGE).run()
    assert "gemma3:270m is installed" in texts(page.success)
    assert "gemma3:270m" in installed_names(page)


def test_a_pull_the_server_did_not_install_is_not_reported_as_installed(page, fake):
    fake.store.inert = True
    start_pull(page, "qwen2.5:0.5b")
    assert pull_job(page).wait(20)
    page.run()
    assert not page.success
    assert "but qwen2.5:0.5b is not in its list of models: it was not installed" in texts(page.warning)
