"""The Results tab on the fake server (lib/evals/results_view.py): the grid, a cell's answer and checks,
the candidates' figures, downloads, the set's history, Resume and Delete."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from lib import state
from lib.evals import report, scoring
from lib.evals.records import Answer, Candidate, JudgeVerdict, Run
from lib.evals.store import EvalStore, StoreFailed
from lib.ollama.stats import RunStats
from tests.evals.screens import (
    button,
    failed,
    finish_job,
    open_evals,
    passed,
    recording_downloads,
    small_set,
    stop_job,
    store_of,
    texts,
)

STATS = RunStats(time_to_first_token=0.25, output_tokens=12, output_tokens_per_second=48.0, load_time=1.5)
CANDIDATES = (Candidate("llama3.2:latest"), Candidate("qwen3:0.6b", options={"temperature": 0}))


@pytest.fixture
def store(studio_env) -> EvalStore:
    return store_of(studio_env)


def save_run(store: EvalStore, answers: tuple[Answer, ...], *, finished: bool = True, **fields) -> int:
    set_id = fields.pop("set_id", None)
    if set_id is None:
        set_id = store.save_set(small_set())
    prompt_set = store.get_set(set_id)
    run = Run(prompt_set, CANDIDATES, answers=answers, finished_at=1.0 if finished else None, **fields)
    return store.start_run(run)


def all_answers() -> tuple[Answer, ...]:
    return (
        Answer(0, 0, "Paris is lovely.", stats=STATS, seconds=0.9, checks=(passed("contains", "Paris"),)),
        Answer(1, 0, "Sushi.", stats=STATS, checks=(failed("contains", "zebra"),)),
        Answer(2, 0, "Lima is grey.", stats=STATS, checks=(failed("not_contains", "Lima", "found"),)),
        Answer(
            0, 1, status="failed", error="qwen3:0.6b is not installed on this server, so this prompt was not answered."
        ),
        Answer(1, 1, "Tokyo food is great.", stats=STATS, checks=(failed("contains", "zebra"),)),
        Answer(2, 1, "Cloudy.", stats=STATS, checks=(passed("not_contains", "Lima"),)),
    )


@pytest.fixture
def results(open_app, store) -> Iterator:
    save_run(store, all_answers())
    at = open_evals(open_app, tab="results")
    yield at
    stop_job(at)


def pick(at, prompt: int, candidate: int):
    at.selectbox(key=state.EVALS_PROMPT_INPUT).select(prompt)
    at.selectbox(key=state.EVALS_CANDIDATE_INPUT).select(candidate)
    return at.run()


def test_without_runs_the_tab_says_how_to_start_one(open_app):
    at = open_evals(open_app, tab="results")
    assert "No runs yet: start one under New run." in texts(at.info)


def test_the_grid_marks_each_answer_and_counts_them(results):
    grid = results.dataframe[0].value
    assert list(grid["c0"]) == ["✓", "✗", "✗"]
    assert list(grid["c1"]) == ["⚠", "✗", "✓"]
    assert list(grid["prompt"]) == ["1. Paris landmarks", "2. Tokyo food", "3. Lima weather"]
    legend = texts(results.caption)
    assert "✓ every check passed: 2 · ✗ a check failed: 3 · ⚠ the answer failed: 1" in legend
    assert "Finished: 6 of 6 answers." in legend


def test_a_cell_shows_its_answer_each_check_with_its_reason_and_its_figures(results):
    pick(results, 2, 0)
    shown = texts(results.markdown)
    assert "**Prompt 3 · A · llama3.2:latest**" in shown
    assert "Lima is grey." in shown
    assert "✗ does not contain “Lima”: The answer contains “Lima”." in shown
    assert "Output tokens: 12" in texts(results.caption) and "Load time: 1.5 s" in texts(results.caption)


def test_a_failed_cell_says_why_in_a_sentence(results):
    pick(results, 0, 1)
    assert "qwen3:0.6b is not installed on this server" in texts(results.error)


def test_the_candidates_table_has_pass_rates_and_speeds(results):
    table = results.dataframe[1].value
    assert list(table["candidate"]) == ["A · llama3.2:latest", "B · qwen3:0.6b"]
    assert list(table["passed"]) == ["1 / 3", "1 / 2"]
    assert list(table["failed"]) == [0, 1]
    assert table["pass_rate"].round(3).tolist() == [0.333, 0.5]
    assert list(table["tps_median"]) == [48.0, 48.0]
    assert list(table["settings"]) == ["model defaults", "temperature 0"]


def test_the_downloads_are_the_report_and_the_answers(open_app, store, monkeypatch, fake):
    run_id = save_run(store, all_answers())
    downloads = recording_downloads(monkeypatch)
    open_evals(open_app, tab="results")
    given = {download["file_name"]: download["data"] for download in downloads}
    saved = store.run(run_id)
    assert saved is not None
    run = saved.placed(fake.url)  # saved without servers: it ran on the sidebar's, which the files say
    assert given[f"eval-run-{run_id}.html"] == report.html_report(run, scoring.scores(run), "en")
    assert given[f"eval-run-{run_id}.csv"] == report.runs_csv(run, "en")
    assert json.loads(given[f"eval-run-{run_id}.json"])["format"] == report.FORMAT


def test_the_history_says_how_each_candidate_changed_since_the_previous_run(open_app, store):
    set_id = store.save_set(small_set())
    save_run(store, all_answers()[:3], set_id=set_id, created_at=1_790_000_000)
    better = (
        Answer(0, 0, "Paris", checks=(passed(),)),
        Answer(1, 0, "zebra", checks=(passed(),)),
        Answer(2, 0, "x", checks=(failed(),)),
    )
    save_run(store, better, set_id=set_id, created_at=1_790_000_600)
    at = open_evals(open_app, tab="results")
    shown = texts(at.markdown)
    assert "llama3.2:latest: 1/3 → 2/3" in shown
    assert "qwen3:0.6b at temperature 0: 0/0 → 0/0" in shown
    history = at.dataframe[-1].value
    assert len(history) == 2 and list(history["passed"]) == ["2 / 3", "1 / 3"]


def test_a_judged_cell_shows_the_score_apart_with_the_reasoning_and_the_request(open_app, store):
    request = {"model": "judge-model", "messages": [{"role": "user", "content": "grade"}], "format": {}}
    verdict = JudgeVerdict("judge-model", request, "It names the city.", score=9)
    save_run(store, (Answer(0, 0, "Paris", checks=(passed(),), verdict=verdict),), judge="judge-model")
    at = open_evals(open_app, tab="results")
    shown = texts(at.markdown)
    assert "The judge judge-model gives **9 / 10**." in shown
    assert "It names the city." in shown
    assert json.loads(at.code[0].value) == request
    assert any("judge-model" in expander.label for expander in at.expander)


def test_model_output_is_drawn_safely(open_app, store):
    hostile = 'See ![t](http://tracker.invalid/a.png) and <img src="http://tracker.invalid/b.png"> <script>x()</script>'
    save_run(store, (Answer(0, 0, hostile, checks=(passed(),)),))
    at = open_evals(open_app, tab="results")
    drawn = [element for element in at.markdown if "tracker.invalid" in element.value]
    assert drawn
    for element in drawn:
        assert not element.proto.allow_html
        assert "![t](http" not in element.value


def test_an_unfinished_run_resumes_and_asks_only_what_is_missing(open_app, store, fake):
    run_id = save_run(store, all_answers()[:2], finished=False)
    at = open_evals(open_app, tab="results")
    assert "Not finished: 2 of 6 answers." in texts(at.warning)
    button(at, "Resume").click().run()
    assert not at.exception
    finish_job(at)
    run = store.run(run_id)
    assert run.finished_at is not None and len(run.answers) == 6
    assert [answer.content for answer in run.answers[:2]] == ["Paris is lovely.", "Sushi."]  # kept, not asked again
    asked = [
        (request.body["model"], request.body["messages"][-1]["content"]) for request in fake.requests_to("/api/chat")
    ]
    assert asked == [
        ("llama3.2:latest", "Lima weather"),
        ("qwen3:0.6b", "Paris landmarks"),
        ("qwen3:0.6b", "Tokyo food"),
        ("qwen3:0.6b", "Lima weather"),
    ]
    assert "Finished: 6 of 6 answers." in texts(at.caption)


def test_of_two_runs_started_in_the_same_minute_the_one_picked_stays_on_screen(open_app, store):
    set_id = store.save_set(small_set())
    older = save_run(store, all_answers()[:3], set_id=set_id, finished=False, created_at=1_790_000_000)
    newer = save_run(store, all_answers()[3:], set_id=set_id, created_at=1_790_000_010)
    at = open_evals(open_app, tab="results")
    assert at.selectbox(key=state.EVALS_RUN_INPUT).value == newer
    at.run()  # the select box sends back the option shown, by its text: two runs, one text, and the older won
    assert at.selectbox(key=state.EVALS_RUN_INPUT).value == newer
    assert "Finished: 3 of 6 answers." in texts(at.caption)
    at.selectbox(key=state.EVALS_RUN_INPUT).select(older).run()
    assert at.selectbox(key=state.EVALS_RUN_INPUT).value == older
    assert "Not finished: 3 of 6 answers." in texts(at.warning)


def test_delete_asks_first(results, store):
    button(results, "Delete this run…").click().run()
    assert "and its answers? This cannot be undone." in texts(results.warning)
    button(results, "Cancel").click().run()
    assert len(store.runs()) == 1
    button(results, "Delete this run…").click().run()
    button(results, "Delete").click().run()
    assert store.runs() == []
    assert "Deleted the run" in texts(results.success)
    assert "No runs yet" in texts(results.info)


def test_a_store_that_cannot_be_read_says_so(open_app, store, monkeypatch):
    save_run(store, all_answers())

    def failing(self, set_id=None):
        raise StoreFailed("The saved prompt sets and runs could not be read or written (database is locked).")

    monkeypatch.setattr(EvalStore, "runs", failing)
    at = open_evals(open_app, tab="results")
    assert "could not be read or written (database is locked)" in texts(at.error)
