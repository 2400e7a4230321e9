"""Library revision 1 makes, on both databases, the table the SQLite-only app made."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from lib.library.store import LibraryStore
from tests.storage.backends import Backend
from tests.storage.schema import columns

FIXTURE = Path(__file__).parents[2] / "fixtures" / "v_current" / "library.sqlite3"


def legacy_columns() -> list[tuple[str, bool]]:
    """The items table's columns in a file of the SQLite-only app: name and whether it may be NULL."""
    with closing(sqlite3.connect(FIXTURE)) as db:
        return [(row[1], not row[3] and not row[5]) for row in db.execute("PRAGMA table_info(items)")]


def test_revision_1_makes_the_items_table_of_the_sqlite_only_app(backend: Backend):
    store = LibraryStore()
    store.ready()
    assert [(name, nullable) for name, _type, nullable in columns(store, "items")] == legacy_columns()
    assert backend.execute(LibraryStore, "SELECT version_num FROM alembic_version_library") == [("library_0001",)]
    new = backend.execute(
        LibraryStore, "INSERT INTO items (kind, name, updated_at) VALUES ('preset', 'p', 1.5) RETURNING id, body"
    )
    assert new == [(1, "{}")]  # ids from 1, the body's default
