"""The evals' store, on SQLite and on PostgreSQL: sets and runs round trip, owners never meet, answers are
replaced, never doubled, and a kill mid-run loses no saved answer; an evals file of the SQLite-only app upgraded
without loss."""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest

from lib.chat import store as chat_store
from lib.evals.records import (
    CONTAINS,
    JSON_SCHEMA,
    MAX_TOKENS,
    Answer,
    Candidate,
    Check,
    CheckResult,
    JudgeVerdict,
    Prompt,
    PromptSet,
    Run,
)
from lib.evals.store import UNREADABLE, EvalStore, NotFound, StoreFailed, StoreUnavailable
from lib.ollama.stats import RunStats
from tests.storage import make_fixtures
from tests.storage.backends import SQLITE, Backend
from tests.storage.schema import differences

ROOT = Path(__file__).resolve().parents[2]
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
FIXTURE = ROOT / "tests" / "storage" / "fixtures" / "v_current" / "evals.sqlite3"


@pytest.fixture
def alice(backend: Backend) -> EvalStore:
    return EvalStore(owner="alice")


@pytest.fixture
def bob(backend: Backend) -> EvalStore:
    return EvalStore(owner="bob")


def clock(monkeypatch: pytest.MonkeyPatch, now) -> None:
    """The store's clock only (``now()`` is the time): the database's connection pool reads the time too."""
    monkeypatch.setattr("lib.evals.store.time", SimpleNamespace(time=now))


def a_set(name: str = "Capitals", set_id: int | None = None) -> PromptSet:
    return PromptSet(
        name,
        (
            Prompt(
                "Capital of France? One word.",
                tags=("geo", "中文"),
                system="Be brief.",
                checks=(Check(CONTAINS, "Paris"), Check(MAX_TOKENS, 20)),
            ),
            Prompt(
                "Describe the picture as JSON.",
                images=(PNG,),
                schema={"type": "object", "properties": {"colour": {"type": "string"}}, "required": ["colour"]},
                checks=(Check(JSON_SCHEMA),),
            ),
            Prompt("法国的首都是哪里？"),
        ),
        description="Three prompts",
        id=set_id,
    )


def a_run(prompt_set: PromptSet, **kw) -> Run:
    candidates = (
        Candidate("qwen2.5", {"temperature": 0}, label="cold"),
        Candidate("llama3.2", {"temperature": 0.8, "num_ctx": 4096}, system="Answer in French.", think=True),
    )
    return Run(prompt_set, candidates, judge="judge-model", rubric="Correct and short.", **kw)


def an_answer(prompt: int, candidate: int, content: str = "Paris.", **kw) -> Answer:
    return Answer(
        prompt,
        candidate,
        content=content,
        thinking="hmm",
        stats=RunStats(time_to_first_token=0.25, output_tokens=3, output_tokens_per_second=42.5, load_time=1.5),
        seconds=0.8,
        checks=(
            CheckResult(Check(CONTAINS, "Paris"), True),
            CheckResult(Check(MAX_TOKENS, 20), False, "too_long", {"tokens": 30, "limit": 20}),
        ),
        verdict=JudgeVerdict("judge-model", {"model": "judge-model", "messages": []}, "Good.", score=8.0),
        **kw,
    )


def test_the_database_is_in_wal_mode_in_the_data_dir_at_the_newest_revision(monkeypatch, tmp_path):
    monkeypatch.setenv("OLLAMA_STUDIO_DATA_DIR", str(tmp_path / "nested" / "dir"))
    store = EvalStore(owner="alice")
    store.save_set(a_set())
    assert store.path == tmp_path / "nested" / "dir" / "evals.sqlite3"
    with closing(sqlite3.connect(store.path)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT version_num FROM alembic_version_evals").fetchall() == [("evals_0002",)]


def test_a_set_round_trips_with_unicode_images_schema_and_checks(alice):
    set_id = alice.save_set(a_set())
    saved = alice.get_set(set_id)
    assert saved is not None and saved.id == set_id and saved.updated_at > 0
    assert saved.prompts == a_set().prompts
    assert (saved.name, saved.description) == ("Capitals", "Three prompts")
    assert alice.sets() == [saved]


def test_saving_a_set_with_its_id_replaces_it(alice):
    set_id = alice.save_set(a_set())
    replaced = PromptSet("Renamed", (Prompt("Only this"),), id=set_id)
    assert alice.save_set(replaced) == set_id
    saved = alice.get_set(set_id)
    assert saved is not None and saved.name == "Renamed" and saved.prompts == (Prompt("Only this"),)
    assert len(alice.sets()) == 1


def test_sets_are_listed_the_latest_changed_first(alice, monkeypatch):
    times = iter([100.0, 200.0, 300.0])
    clock(monkeypatch, lambda: next(times))
    first = alice.save_set(a_set("first"))
    second = alice.save_set(a_set("second"))
    alice.save_set(a_set("first again", first))
    assert [s.id for s in alice.sets()] == [first, second]


def test_an_owner_never_sees_or_changes_another_owners_sets_runs_or_answers(alice, bob):
    set_id = alice.save_set(a_set())
    run_id = alice.start_run(a_run(alice.get_set(set_id)))
    alice.save_answer(run_id, an_answer(0, 0))

    assert bob.sets() == [] and bob.get_set(set_id) is None
    assert bob.run(run_id) is None and bob.runs() == [] and bob.runs(set_id) == []
    with pytest.raises(NotFound):
        bob.save_set(a_set("taken", set_id))
    with pytest.raises(NotFound):
        bob.save_answer(run_id, an_answer(1, 0))
    bob.delete_set(set_id)
    bob.delete_run(run_id)
    bob.finish_run(run_id)
    # A run bob starts on alice's set is his, and belongs to no set of his.
    bobs_run = bob.start_run(a_run(a_set(set_id=set_id)))
    assert bob.run(bobs_run).prompt_set.id is None and alice.run(bobs_run) is None

    assert alice.get_set(set_id).name == "Capitals"
    kept = alice.run(run_id)
    assert kept is not None and kept.finished_at is None and len(kept.answers) == 1
    assert [run.id for run in alice.runs(set_id)] == [run_id]
    # Without an owner (maintenance), a store sees everything.
    assert {run.id for run in EvalStore().runs()} == {run_id, bobs_run}


def test_a_run_round_trips_with_its_copy_of_the_set_candidates_judge_and_answers(alice):
    set_id = alice.save_set(a_set())
    run_id = alice.start_run(a_run(alice.get_set(set_id)))
    answers = [an_answer(0, 0), an_answer(2, 1, content="巴黎", status="done"), an_answer(1, 1)]
    for answer in answers:
        alice.save_answer(run_id, answer)
    run = alice.run(run_id)
    assert run is not None and run.id == run_id and run.created_at > 0
    assert run.prompt_set.id == set_id and run.prompt_set.prompts == a_set().prompts
    assert run.prompt_set.name == "Capitals" and run.prompt_set.description == "Three prompts"
    assert run.candidates == a_run(a_set()).candidates
    assert (run.judge, run.rubric) == ("judge-model", "Correct and short.")
    assert run.answers == (answers[0], answers[2], answers[1])  # by candidate, then prompt
    assert run.missing() == [(1, 0), (2, 0), (0, 1)]


def test_a_failed_answer_without_stats_or_verdict_round_trips(alice):
    run_id = alice.start_run(a_run(a_set()))
    failed = Answer(0, 1, status="failed", error="The model qwen9 is not installed.")
    alice.save_answer(run_id, failed)
    assert alice.run(run_id).answers == (failed,)


def test_the_run_keeps_the_set_as_it_was_when_it_started(alice):
    set_id = alice.save_set(a_set())
    run_id = alice.start_run(a_run(alice.get_set(set_id)))
    alice.save_set(PromptSet("Changed", (Prompt("new"),), id=set_id))
    run = alice.run(run_id)
    assert run.prompt_set.name == "Capitals" and len(run.prompt_set.prompts) == 3


def test_saving_the_same_prompt_and_candidate_again_replaces_the_answer(alice, backend):
    run_id = alice.start_run(a_run(a_set()))
    alice.save_answer(run_id, Answer(0, 0, status="failed", error="gone"))
    alice.save_answer(run_id, an_answer(0, 0, content="Paris"))
    assert [(a.content, a.status) for a in alice.run(run_id).answers] == [("Paris", "done")]
    assert backend.execute(EvalStore, "SELECT COUNT(*) FROM answers") == [(1,)]


@pytest.mark.parametrize(("prompt", "candidate"), [(3, 0), (0, 2), (-1, 0)])
def test_an_answer_to_a_prompt_or_candidate_the_run_does_not_have_is_refused(alice, prompt, candidate):
    run_id = alice.start_run(a_run(a_set()))
    with pytest.raises(ValueError, match="3 prompts and 2 candidates"):
        alice.save_answer(run_id, Answer(prompt, candidate))
    assert alice.run(run_id).answers == ()


def test_answers_given_with_the_run_are_saved_with_it(alice):
    run_id = alice.start_run(a_run(a_set(), answers=(an_answer(1, 0),)))
    assert alice.run(run_id).answers == (an_answer(1, 0),)


def test_finish_run_marks_the_time(alice, monkeypatch):
    run_id = alice.start_run(a_run(a_set()))
    clock(monkeypatch, lambda: 1234.5)
    alice.finish_run(run_id)
    assert alice.run(run_id).finished_at == 1234.5


def test_runs_are_newest_first_and_filtered_by_set(alice):
    first_set = alice.save_set(a_set("one"))
    second_set = alice.save_set(a_set("two"))
    old = alice.start_run(a_run(alice.get_set(first_set), created_at=100.0))
    other = alice.start_run(a_run(alice.get_set(second_set), created_at=150.0))
    new = alice.start_run(a_run(alice.get_set(first_set), created_at=200.0))
    alice.save_answer(old, an_answer(0, 0))
    alice.save_answer(new, an_answer(1, 1))
    assert [run.id for run in alice.runs(first_set)] == [new, old]
    assert [run.id for run in alice.runs()] == [new, other, old]
    by_id = {run.id: run for run in alice.runs()}
    assert by_id[old].answers == (an_answer(0, 0),) and by_id[new].answers == (an_answer(1, 1),)
    assert by_id[other].answers == ()


def test_deleting_a_run_deletes_its_answers_and_deleting_a_set_its_runs(alice, backend):
    set_id = alice.save_set(a_set())
    kept_set = alice.save_set(a_set("kept"))
    first = alice.start_run(a_run(alice.get_set(set_id)))
    second = alice.start_run(a_run(alice.get_set(set_id)))
    kept = alice.start_run(a_run(alice.get_set(kept_set)))
    for run_id in (first, second, kept):
        alice.save_answer(run_id, an_answer(0, 0))
    alice.delete_run(first)
    assert alice.run(first) is None and [run.id for run in alice.runs(set_id)] == [second]
    alice.delete_set(set_id)
    assert alice.get_set(set_id) is None and alice.run(second) is None
    assert [run.id for run in alice.runs()] == [kept]
    assert backend.execute(EvalStore, "SELECT run_id FROM answers") == [(kept,)]


def test_take_over_moves_a_visitors_sets_and_runs_to_the_signed_in_owner(alice):
    visitor = EvalStore(owner="browser:abc")
    set_id = visitor.save_set(a_set())
    run_id = visitor.start_run(a_run(visitor.get_set(set_id)))
    assert alice.take_over("browser:abc") == 2
    assert alice.get_set(set_id) is not None and alice.run(run_id) is not None
    assert visitor.sets() == [] and alice.take_over("browser:abc") == 0


KILLED_WRITER = textwrap.dedent(
    """
    import sys
    from lib.evals.records import Answer
    from lib.evals.store import EvalStore
    store = EvalStore(owner="alice")  # the test's database: the environment names it
    run_id = int(sys.argv[1])
    for index in range(10_000):
        store.save_answer(run_id, Answer(index, 0, content="answer %d" % index))
        print(index, flush=True)
    """
)


def test_a_kill_mid_run_loses_no_saved_answer(alice):
    prompts = PromptSet("many", tuple(Prompt(f"p{index}") for index in range(10_000)))
    run_id = alice.start_run(Run(prompts, (Candidate("m"),)))
    writer = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(run_id)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    saved = []
    try:
        assert writer.stdout is not None
        while len(saved) < 40:
            line = writer.stdout.readline()
            assert line, "the writer ended before saving forty answers"
            saved.append(int(line))
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
    assert writer.returncode == -signal.SIGKILL
    answers = {answer.prompt_index: answer.content for answer in alice.run(run_id).answers}
    assert all(answers.get(index) == f"answer {index}" for index in saved)
    assert set(answers) >= set(saved)


def test_a_database_that_cannot_be_opened_says_where_and_what_to_do(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    store = EvalStore(blocker / "evals.sqlite3", owner="alice")
    with pytest.raises(StoreUnavailable) as unavailable:
        store.ready()
    assert str(blocker) in str(unavailable.value) and "OLLAMA_STUDIO_DATA_DIR" in str(unavailable.value)
    with pytest.raises(StoreFailed) as failed:
        store.sets()
    assert str(failed.value).startswith("The saved prompt sets and runs")
    assert isinstance(unavailable.value, chat_store.StoreUnavailable)
    assert isinstance(failed.value, chat_store.StoreFailed)


def test_a_write_that_fails_is_a_sentence_and_saves_nothing(alice, backend):
    run_id = alice.start_run(a_run(a_set()))
    if backend.name == SQLITE:
        full = "SELECT RAISE(ABORT, 'database or disk is full');"
        backend.execute(EvalStore, f"CREATE TRIGGER full BEFORE INSERT ON answers BEGIN {full} END")
    else:
        backend.execute(
            EvalStore,
            "CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'database or disk is full'; END $$",
        )
        backend.execute(
            EvalStore, "CREATE TRIGGER disk_full BEFORE INSERT ON answers FOR EACH ROW EXECUTE FUNCTION disk_full()"
        )
    with pytest.raises(StoreFailed, match=r"\(database or disk is full"):
        alice.save_answer(run_id, an_answer(0, 0))
    with pytest.raises(StoreFailed):
        alice.start_run(a_run(a_set(), answers=(an_answer(0, 0),)))
    assert [run.id for run in alice.runs()] == [run_id]  # the run whose answer failed was rolled back
    assert alice.run(run_id).answers == ()


def test_columns_written_by_hand_are_read_without_failing_and_unreadable_checks_fail(alice, backend):
    set_id = alice.save_set(a_set())
    run_id = alice.start_run(a_run(a_set()))
    alice.save_answer(run_id, an_answer(0, 0))
    # A column of SQLite holds anything (text in a number's column, bytes that are not UTF-8); PostgreSQL's numbers
    # hold numbers, of which the reader takes only finite ones.
    created, seconds, content = (
        ("'x'", "'slow'", "X'FF41'") if backend.name == SQLITE else ("'NaN'", "'Infinity'", "'A'")
    )
    backend.execute(
        EvalStore, 'UPDATE sets SET prompts = \'[{"prompt": 3, "tags": "x", "checks": [1, {"kind": 2}]}, 5]\''
    )
    backend.execute(
        EvalStore,
        f"UPDATE runs SET prompt_set = 'not json', candidates = '[{{\"model\": 1}}, 7]', created_at = {created}",
    )
    backend.execute(
        EvalStore,
        f'UPDATE answers SET stats = \'{{"output_tokens": -1, "load_time": 2}}\', seconds = {seconds}, '
        f'checks = \'[{{"kind": "contains", "passed": "yes"}}, 4]\', verdict = \'[1]\', content = {content}',
    )
    prompt_set = alice.get_set(set_id)
    assert prompt_set.prompts == (Prompt("", checks=(Check(""),)),)
    run = alice.run(run_id)
    assert run.prompt_set.prompts == () and run.candidates == (Candidate(""), Candidate(""))
    assert run.created_at == 0.0
    (answer,) = run.answers
    assert answer.content == ("\ufffdA" if backend.name == SQLITE else "A")
    assert answer.seconds is None and answer.verdict is None
    assert answer.stats == RunStats(load_time=2.0)
    assert [(r.check.kind, r.passed, r.reason) for r in answer.checks] == [
        ("contains", False, UNREADABLE),
        ("", False, UNREADABLE),
    ]
    assert answer.passed is False


def test_writers_saving_one_answer_at_once_keep_one(alice):
    """A retried cell saved by several jobs at the same moment: one answer, the last saved, and no error."""
    run_id = alice.start_run(a_run(a_set()))
    start = threading.Barrier(6)
    errors: list[BaseException] = []

    def save(number: int) -> None:
        store = EvalStore(owner="alice")
        start.wait()
        try:
            store.save_answer(run_id, Answer(1, 1, content=f"answer {number}"))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=save, args=(number,)) for number in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    (answer,) = alice.run(run_id).answers
    assert answer.content in {f"answer {number}" for number in range(6)}


def test_the_database_equals_the_declared_tables(alice):
    assert differences(alice) == []


# An evals file of the SQLite-only app

TABLES = {
    "sets": "id, owner, name, description, prompts, created_at, updated_at",
    "runs": "id, owner, set_id, prompt_set, prompt_count, candidates, candidate_count, judge, rubric, created_at, "
    "finished_at",
    "answers": "run_id, prompt_index, candidate_index, content, thinking, status, error, stats, seconds, checks, "
    "verdict, saved_at",
}


def raw_rows(path: Path) -> dict[str, list[tuple]]:
    """Every column of every row of every table."""
    with closing(sqlite3.connect(path)) as db:
        return {
            table: db.execute(f"SELECT {columns} FROM {table} ORDER BY 1, 2, 3").fetchall()
            for table, columns in TABLES.items()
        }


def test_an_evals_file_of_the_sqlite_only_app_is_upgraded_in_place_without_loss(tmp_path):
    path = tmp_path / "evals.sqlite3"  # the same file name as ever, in the data folder (the test's)
    shutil.copy(FIXTURE, path)
    before = raw_rows(path)
    alice = EvalStore(owner=make_fixtures.ALICE)
    (basics,) = alice.sets()
    assert (basics.name, basics.description) == ("Basics", "Two small prompts.")
    first, second = basics.prompts
    assert (first.text, first.tags, first.checks) == (
        "What is 2+2?",
        ("maths",),
        (Check("contains", "4"), Check("max_tokens", 20)),
    )
    assert (second.system, second.images, second.schema) == (
        "Answer in JSON.",
        (make_fixtures.IMAGE,),
        make_fixtures.SCHEMA,
    )
    (run,) = alice.runs(basics.id)
    assert run.prompt_set.prompts == basics.prompts and run.prompt_set.id == basics.id
    assert run.candidates == (
        Candidate("qwen3:0.6b", {"temperature": 0.0}, "Be exact.", "medium", "qwen low temp"),
        Candidate("llama3.2:1b", think=None),
    )
    assert (run.judge, run.rubric, run.created_at, run.finished_at is not None) == (
        "gemma3:4b",
        "Correct and short.",
        1.76e9,
        True,
    )
    assert [(a.prompt_index, a.candidate_index, a.content, a.status) for a in run.answers] == [
        (0, 0, "4", "done"),
        (1, 0, '{"answer": 1}', "done"),
        (0, 1, "", "failed"),
    ]
    judged = run.answers[0]
    assert (judged.thinking, judged.stats, judged.seconds) == ("2+2", make_fixtures.STATS, 1.25)
    assert judged.checks == (CheckResult(Check("contains", "4"), True, "", {"at": 0}),)
    assert judged.verdict == JudgeVerdict(
        "gemma3:4b", {"model": "gemma3:4b", "prompt": "Judge"}, "A is right.", score=8.5, winner=0
    )
    assert run.answers[2].error == "The model is not on the server."
    assert [s.name for s in EvalStore(owner=make_fixtures.BROWSER).sets()] == ["Browser's"]
    assert run.judge_server == ""  # judged on the sidebar's server, as every run before the judge's server was saved
    assert raw_rows(path) == before  # every column of every row, as it was
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT version_num FROM alembic_version_evals").fetchall() == [("evals_0002",)]
        assert db.execute("SELECT judge_server FROM runs").fetchall() == [("",)] * len(before["runs"])
    assert differences(EvalStore()) == []
    # And it goes on: an answer saved again replaces the old one, a new run goes in.
    alice.save_answer(run.id, Answer(0, 1, "4"))
    assert [a.content for a in alice.run(run.id).answers] == ["4", '{"answer": 1}', "4"]
    alice.start_run(a_run(a_set()))
    assert len(raw_rows(path)["runs"]) == len(before["runs"]) + 1


def test_a_candidates_server_is_kept_with_it_and_a_run_saved_before_servers_reads_as_none(alice, backend):
    on_two = Run(
        a_set(),
        (Candidate("qwen3:0.6b", server="http://laptop:11434"), Candidate("qwen3:0.6b", server="http://gpu:11434")),
    )
    run_id = alice.start_run(on_two)
    saved = alice.run(run_id)
    assert saved is not None and [c.server for c in saved.candidates] == ["http://laptop:11434", "http://gpu:11434"]
    before = '[{"model": "qwen3:0.6b", "options": {}, "system": "", "think": null, "label": ""}]'
    # the candidates as the code before servers wrote them
    backend.execute(EvalStore, "UPDATE runs SET candidates = :c, candidate_count = 1", c=before)
    old = alice.run(run_id)
    assert old is not None and old.candidates == (Candidate("qwen3:0.6b"),) and old.candidates[0].server == ""


def test_the_judges_server_is_saved_with_the_run_and_a_run_saved_before_reads_as_the_sidebars(alice, backend):
    judged_on_gpu = replace(a_run(a_set()), judge_server="http://gpu:11434")
    run_id = alice.start_run(judged_on_gpu)
    saved = alice.run(run_id)
    assert saved is not None and saved.judge_server == "http://gpu:11434"
    assert [run.judge_server for run in alice.runs()] == ["http://gpu:11434"]
    assert saved.placed("http://laptop:11434").judge_server == "http://gpu:11434"  # not moved to the sidebar's
    # A run without a judge keeps no judge's server.
    unjudged = alice.start_run(Run(a_set(), (Candidate("m"),), judge_server="http://gpu:11434"))
    assert alice.run(unjudged).judge_server == ""
    # A run saved before the judge's server was: "", the sidebar's server.
    backend.execute(EvalStore, "UPDATE runs SET judge_server = '' WHERE id = :id", id=run_id)
    old = alice.run(run_id)
    assert old is not None and old.judge_server == ""
    assert old.placed("http://laptop:11434").judge_server == "http://laptop:11434"
