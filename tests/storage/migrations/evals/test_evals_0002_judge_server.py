"""Evals revision 2 adds ``runs.judge_server`` on both databases: "" for every run saved before, every row and id
kept as it was."""

from __future__ import annotations

from lib.evals.store import EvalStore
from lib.storage import migrate
from tests.storage.backends import Backend
from tests.storage.migrations.evals.test_evals_0001_runs import store_at
from tests.storage.schema import columns, differences

RUNS = "SELECT id, owner, set_id, prompt_set, candidates, judge, rubric, created_at, finished_at FROM runs ORDER BY id"
ANSWERS = "SELECT run_id, prompt_index, candidate_index, content, verdict FROM answers ORDER BY run_id"


def test_revision_2_gives_every_run_an_empty_judge_server_and_keeps_the_rest(backend: Backend, tmp_path, monkeypatch):
    older = store_at("evals_0001", tmp_path / "revisions")
    for judge in ("'gemma3:4b'", "NULL", "'qwen3:0.6b'"):
        backend.execute(
            older,
            "INSERT INTO runs (owner, set_id, prompt_set, prompt_count, candidates, candidate_count, judge, rubric, "
            f"created_at, finished_at) VALUES ('alice', 1, '{{}}', 1, "
            f'\'[{{"model": "m", "server": "http://gpu:11434"}}]\', 1, {judge}, \'Right.\', 1.5, 2.5)',
        )
    backend.execute(
        older, "INSERT INTO answers (run_id, prompt_index, candidate_index, content, saved_at) VALUES (1, 0, 0, 'A', 2)"
    )
    backend.execute(older, "DELETE FROM runs WHERE id = 3")  # ids up to 3 were used
    before = (backend.execute(older, RUNS), backend.execute(older, ANSWERS))

    monkeypatch.setattr(migrate, "_done", set())  # this process took the database to revision 1 only
    store = EvalStore(owner="alice")
    assert differences(store) == []
    assert (backend.execute(EvalStore, RUNS), backend.execute(EvalStore, ANSWERS)) == before
    assert backend.execute(EvalStore, "SELECT id, judge_server FROM runs ORDER BY id") == [(1, ""), (2, "")]
    assert ("judge_server", "TEXT", False) in columns(store, "runs")
    assert backend.execute(EvalStore, "SELECT version_num FROM alembic_version_evals") == [("evals_0002",)]
    assert [run.judge_server for run in store.runs()] == ["", ""]
    new = backend.execute(
        EvalStore,
        "INSERT INTO runs (prompt_count, candidate_count, created_at) VALUES (1, 1, 3) RETURNING id, judge_server",
    )
    assert new == [(4, "")]  # no id used before is given again; the column's default
