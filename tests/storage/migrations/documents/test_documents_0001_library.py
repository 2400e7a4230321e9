"""Documents revision 1 makes, on both databases, the tables the SQLite-only app made."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from tests.storage.backends import POSTGRESQL, Backend
from tests.storage.migrations.documents.revision_1 import revision_1_store
from tests.storage.schema import columns

FIXTURE = Path(__file__).parents[2] / "fixtures" / "v_current" / "documents.sqlite3"
TABLES = ("documents", "passages", "vectors", "attachments", "changes")
# What PostgreSQL calls the SQLite-only app's types.
ON_POSTGRESQL = {"INTEGER": "INTEGER", "TEXT": "TEXT", "REAL": "DOUBLE_PRECISION", "BLOB": "BYTEA"}


def legacy_columns(table: str) -> list[tuple[str, str, bool]]:
    """The table's columns in a file of the SQLite-only app: name, declared type and whether it may be NULL (a key
    column may not)."""
    with closing(sqlite3.connect(FIXTURE)) as db:
        return [(row[1], row[2], not row[3] and not row[5]) for row in db.execute(f"PRAGMA table_info({table})")]


def test_revision_1_makes_the_tables_of_the_sqlite_only_app(backend: Backend, tmp_path):
    store_class = revision_1_store(tmp_path / "revisions")
    store = store_class()
    store.ready()
    for table in TABLES:
        expected = [
            (name, ON_POSTGRESQL[kind] if backend.name == POSTGRESQL else kind, nullable)
            for name, kind, nullable in legacy_columns(table)
        ]
        assert columns(store, table) == expected, table
    assert backend.execute(store_class, "SELECT version_num FROM alembic_version_documents") == [("documents_0001",)]
    new = backend.execute(
        store_class,
        "INSERT INTO documents (name, kind, size, sha256, model, added_at) VALUES ('a', 'pdf', 1, 's', 'm', 1.5) "
        "RETURNING id, passages",
    )
    assert new == [(1, 0)]  # ids from 1, the passages' default
    backend.execute(store_class, "INSERT INTO passages (document_id, position, text) VALUES (1, 0, 't')")
    assert backend.execute(store_class, "SELECT id, heading FROM passages") == [(1, "")]
    backend.execute(store_class, "DELETE FROM documents")
    assert backend.execute(store_class, "SELECT COUNT(*) FROM passages") == [(0,)]  # deleted with their document
