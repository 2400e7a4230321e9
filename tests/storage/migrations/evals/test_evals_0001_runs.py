"""Evals revision 1 makes, on both databases, the tables the SQLite-only app made."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

from lib.evals.store import EvalStore
from lib.storage import migrate
from tests.storage.backends import Backend
from tests.storage.schema import columns

FIXTURE = Path(__file__).parents[2] / "fixtures" / "v_current" / "evals.sqlite3"


def store_at(revision: str, folder: Path) -> type[EvalStore]:
    """An evals store whose newest revision is ``revision`` (its revisions copied into ``folder``)."""
    folder.mkdir()
    for file in sorted((migrate.MIGRATIONS / "evals").glob("evals_*.py")):
        shutil.copy(file, folder)
        if file.stem.startswith(revision):
            break

    class Older(EvalStore):
        REVISIONS = folder

    return Older


def legacy_columns(table: str) -> list[tuple[str, bool]]:
    """A table's columns in a file of the SQLite-only app: name and whether it may be NULL."""
    with closing(sqlite3.connect(FIXTURE)) as db:
        return [(row[1], not row[3] and not row[5]) for row in db.execute(f"PRAGMA table_info({table})")]


def test_revision_1_makes_the_tables_of_the_sqlite_only_app(backend: Backend, tmp_path):
    older = store_at("evals_0001", tmp_path / "revisions")
    store = older()
    store.ready()
    for table in ("sets", "runs", "answers"):
        assert [(name, nullable) for name, _type, nullable in columns(store, table)] == legacy_columns(table), table
    assert backend.execute(older, "SELECT version_num FROM alembic_version_evals") == [("evals_0001",)]
    new = backend.execute(
        older,
        "INSERT INTO runs (prompt_count, candidate_count, created_at) VALUES (2, 1, 1.5) "
        "RETURNING id, prompt_set, candidates, rubric",
    )
    assert new == [(1, "{}", "[]", "")]  # ids from 1, the defaults
    backend.execute(older, "INSERT INTO answers (run_id, prompt_index, candidate_index, saved_at) VALUES (1, 0, 0, 2)")
    backend.execute(older, "DELETE FROM runs")
    assert backend.execute(older, "SELECT COUNT(*) FROM answers") == [(0,)]  # a run's answers go with it
