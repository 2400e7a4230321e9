"""The run in progress above the Evals page's tabs (lib/evals/progress_view.py): its bar and figures,
the answer being written, Stop, Resume, Dismiss, and a job that goes on while another page is open."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from lib import state
from lib.evals import judge
from lib.evals.records import Answer, Candidate, Run
from lib.evals.store import EvalStore
from lib.fleet.models import ModelRef
from tests.conftest import pick_model
from tests.evals.screens import (
    button,
    buttons,
    finish_job,
    job_of,
    open_evals,
    open_tab,
    small_set,
    stop_job,
    store_of,
    texts,
)
from tests.fake_ollama import FakeOllama
from tests.fake_ollama.names import parse_name


@pytest.fixture
def store(studio_env) -> EvalStore:
    return store_of(studio_env)


@pytest.fixture
def started(open_app, store, fake) -> Iterator:
    """A run of the small set over two candidates, started from the New run tab, answering slowly."""
    store.save_set(small_set())
    fake.token_delay = 0.01
    at = open_evals(open_app, tab="run")
    button(at, "Start").click().run()
    assert not at.exception
    yield at
    stop_job(at)


def wait_until(predicate, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline
        time.sleep(0.02)


def test_the_panel_shows_the_bar_the_answer_being_written_and_stop(started):
    tracked = job_of(started)
    wait_until(lambda: tracked.job.view().text)
    started.run()
    assert "**Running Capitals**" in texts(started.markdown)
    [bar] = started.get("progress")
    assert " / 6" in bar.proto.text
    assert "Prompt " in texts(started.caption) and "A · " in texts(started.caption)
    assert "Stop" in buttons(started)


def test_stop_keeps_the_finished_answers_and_resume_asks_only_the_rest(started, store, fake):
    tracked = job_of(started)
    wait_until(lambda: tracked.job.view().done >= 2)
    started.run()
    button(started, "Stop").click().run()
    assert tracked.job.wait(10)
    started.run()
    [run] = store.runs()
    kept = {(answer.prompt_index, answer.candidate_index): answer.content for answer in run.answers}
    assert 2 <= len(kept) < 6 and run.finished_at is None
    assert "Stopped. Every finished answer is saved" in texts(started.warning)
    assert "**Capitals: not finished**" in texts(started.markdown)
    asked_before = len(fake.requests_to("/api/chat"))
    fake.token_delay = 0
    started.button(key=state.EVALS_RESUME_BUTTON).click().run()
    finish_job(started)
    [run] = store.runs()
    assert run.finished_at is not None and len(run.answers) == 6
    again = {(answer.prompt_index, answer.candidate_index): answer.content for answer in run.answers}
    assert {pair: again[pair] for pair in kept} == kept  # the finished answers were not asked again
    assert len(fake.requests_to("/api/chat")) - asked_before == 6 - len(kept)
    assert "Every answer is in (0 failed)." in texts(started.success)


def test_the_run_goes_on_on_another_page_and_is_there_on_return(started, store):
    started.switch_page("app_pages/models.py").run()
    assert not started.exception
    assert job_of(started).job.wait(60)
    started.switch_page("app_pages/evals.py").run()
    assert not started.exception
    assert "**Capitals: finished**" in texts(started.markdown)
    assert "Finished: 6 of 6 answers." in texts(started.caption)
    assert store.runs()[0].finished_at is not None


def test_dismiss_takes_the_panel_away(started):
    finish_job(started)
    button(started, "Dismiss").click().run()
    assert job_of(started) is None
    assert "**Capitals: finished**" not in texts(started.markdown)


def test_a_job_that_breaks_off_says_so_and_offers_resume(open_app, store, monkeypatch):
    store.save_set(small_set())
    at = open_evals(open_app, tab="run")

    def broken(self, run_id, answer):
        raise RuntimeError("boom")

    monkeypatch.setattr(EvalStore, "save_answer", broken)
    button(at, "Start").click().run()
    finish_job(at)
    assert "The run stopped unexpectedly (RuntimeError)." in texts(at.error)
    assert at.button(key=state.EVALS_RESUME_BUTTON)


def test_the_set_being_run_cannot_be_deleted_until_its_run_stops(started):
    open_tab(started, "sets")
    delete = started.button(key="evals_delete_set")
    assert delete.disabled and "stop it before deleting" in delete.proto.help
    stop_job(started)
    started.run()
    assert not started.button(key="evals_delete_set").disabled


def test_a_model_that_fails_mid_run_fails_its_cells_with_a_sentence_and_the_run_goes_on(open_app, store, fake):
    store.save_set(small_set())
    at = open_evals(open_app, tab="run")
    pick_model(at.selectbox(key=f"{state.EVALS_MODEL_INPUT}_0"), "llava:7b")
    pick_model(at.selectbox(key=f"{state.EVALS_MODEL_INPUT}_1"), "llama3.2:latest")
    at.run()
    fake.break_model("llava:7b", "the runner crashed")
    button(at, "Start").click().run()
    finish_job(at)
    [run] = store.runs()
    assert run.finished_at is not None and len(run.answers) == 6
    failed = [answer for answer in run.answers if answer.status == "failed"]
    assert {answer.candidate_index for answer in failed} == {0} and len(failed) == 3
    assert "Every answer is in (3 failed)." in texts(at.success)
    assert list(at.dataframe[0].value["c0"]) == ["⚠", "⚠", "⚠"]
    assert "the runner crashed" in texts(at.error)  # the first cell, its sentence


def test_a_run_saved_before_servers_were_recorded_resumes_on_the_sidebars_server(open_app, store, monkeypatch, fake):
    set_id = store.save_set(small_set())
    prompt_set = store.get_set(set_id)
    old = Run(prompt_set, (Candidate("llama3.2:latest"), Candidate("qwen3:0.6b")), answers=(Answer(0, 0, "Paris."),))
    run_id = store.start_run(old)
    with FakeOllama() as gpu:
        monkeypatch.setenv("OLLAMA_HOST", f"laptop={fake.url},gpu={gpu.url}")  # the sidebar's server: the first
        at = open_evals(open_app, tab="results")
        assert "A · llama3.2:latest · laptop" in at.selectbox(key=state.EVALS_CANDIDATE_INPUT).options
        at.button(key=f"{state.EVALS_RESUME_BUTTON}_{run_id}").click().run()
        at.run()
        finish_job(at)
        resumed = store.run(run_id)
        assert resumed is not None and resumed.finished_at is not None and len(resumed.answers) == 6
        assert len(fake.requests_to("/api/chat")) == 5 and gpu.requests_to("/api/chat") == []
        assert [c.server for c in resumed.candidates] == ["", ""]  # the saved run is as it was


def test_a_resumed_runs_judge_grades_on_a_server_that_has_the_judge_model(open_app, store, monkeypatch, fake):
    set_id = store.save_set(small_set())
    candidates = (Candidate("llama3.2:latest", server=fake.url),)
    run_id = store.start_run(Run(store.get_set(set_id), candidates, judge="qwen3:0.6b", rubric="Right."))
    assert fake.store.remove(parse_name("qwen3:0.6b"))  # only the GPU box has the judge model
    with FakeOllama() as gpu:
        monkeypatch.setenv("OLLAMA_HOST", f"laptop={fake.url},gpu={gpu.url}")
        at = open_evals(open_app, tab="results")
        at.button(key=f"{state.EVALS_RESUME_BUTTON}_{run_id}").click().run()
        at.run()
        finish_job(at)
        assert [r.body["model"] for r in fake.requests_to("/api/chat")] == ["llama3.2:latest"] * 3
        assert [r.body["model"] for r in gpu.requests_to("/api/chat")] == ["qwen3:0.6b"] * 3


def start_judged_on_gpu(open_app, store, monkeypatch, fake, gpu) -> int:
    """In one session: a run of the small set, llama3.2 on the laptop judged by qwen3:0.6b on the GPU box (both
    servers have qwen3:0.6b), stopped before its first answer is in; its id."""
    monkeypatch.setenv("OLLAMA_HOST", f"laptop={fake.url},gpu={gpu.url}")
    store.save_set(small_set())
    fake.token_delay = 0.05
    at = open_evals(open_app, tab="run")
    at.segmented_control(key=state.EVALS_COUNT_INPUT).set_value(1).run()
    pick_model(at.selectbox(key=f"{state.EVALS_MODEL_INPUT}_0"), ModelRef("llama3.2:latest", fake.url))
    at.toggle(key=state.EVALS_JUDGE_INPUT).set_value(True).run()
    pick_model(at.selectbox(key=state.EVALS_JUDGE_MODEL_INPUT), ModelRef("qwen3:0.6b", gpu.url))
    at.run()
    button(at, "Start").click().run()
    assert not at.exception and not at.error
    stop_job(at)
    fake.token_delay = 0.0
    [run] = store.runs()
    assert run.finished_at is None and gpu.requests_to("/api/chat") == []  # nothing graded yet
    assert run.judge == "qwen3:0.6b" and run.judge_server == gpu.url  # saved with the run
    assert run.id is not None
    return run.id


def judge_requests(server: FakeOllama) -> list[dict]:
    """The bodies of the judge's requests to ``server`` (a grade is asked for with the judge's schema)."""
    return [r.body for r in server.requests_to("/api/chat") if r.body.get("format") == judge.SCORE_FORMAT]


def test_a_run_judged_on_gpu_is_judged_on_gpu_when_another_session_resumes_it(open_app, store, monkeypatch, fake):
    with FakeOllama() as gpu:
        run_id = start_judged_on_gpu(open_app, store, monkeypatch, fake, gpu)
        at = open_evals(open_app, tab="results")  # a new session: nothing of the first is in its state
        at.button(key=f"{state.EVALS_RESUME_BUTTON}_{run_id}").click().run()
        at.run()
        finish_job(at)
        resumed = store.run(run_id)
        assert resumed is not None and resumed.finished_at is not None and resumed.judge_server == gpu.url
        assert judge_requests(fake) == []  # the sidebar's server has the judge model too, and was not asked
        assert [body["model"] for body in judge_requests(gpu)] == ["qwen3:0.6b"] * 3
        assert {r.body["model"] for r in fake.requests_to("/api/chat")} == {"llama3.2:latest"}
        assert all(answer.verdict is not None and not answer.verdict.error for answer in resumed.answers)
        # Where the judge is named, its server is too.
        assert "The judge's scores (qwen3:0.6b · gpu), apart from the checks" in [e.label for e in at.expander]
        assert "The judge qwen3:0.6b · gpu gives" in texts(at.markdown)


def test_a_resumed_runs_judge_on_a_server_that_fails_says_so_and_grades_nowhere_else(
    open_app, store, monkeypatch, fake
):
    with FakeOllama() as gpu:
        run_id = start_judged_on_gpu(open_app, store, monkeypatch, fake, gpu)
        gpu.add_fault("/api/chat", "http", times=0, status=502, message="bad gateway")
        at = open_evals(open_app, tab="results")
        at.button(key=f"{state.EVALS_RESUME_BUTTON}_{run_id}").click().run()
        at.run()
        finish_job(at)
        resumed = store.run(run_id)
        assert resumed is not None and judge_requests(fake) == []
        errors = [answer.verdict.error for answer in resumed.answers if answer.verdict is not None]
        assert len(errors) == 3 and all(error.startswith("On gpu: ") for error in errors), errors
        assert "The judge qwen3:0.6b · gpu gave no grade: On gpu: " in texts(at.warning)
