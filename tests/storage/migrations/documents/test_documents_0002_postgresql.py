"""Documents revision 2: sizes and stamps 64-bit on PostgreSQL, the attachments' order in a column (a SQLite file's
from its rowids), the changes' owner never NULL."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy as sa

from lib.documents.store import DocumentStore
from lib.storage import migrate
from tests.storage.backends import POSTGRESQL, Backend
from tests.storage.make_fixtures import ALICE
from tests.storage.migrations.documents.revision_1 import revision_1_store
from tests.storage.schema import columns, differences

FIXTURE = Path(__file__).parents[2] / "fixtures" / "v_current" / "documents.sqlite3"


def column_type(store: DocumentStore, table: str, name: str) -> str:
    return next(kind for column, kind, _ in columns(store, table) if column == name)


def test_sizes_and_stamps_are_bigint_on_postgresql_and_stay_sqlites_64_bit_integer(backend: Backend):
    store = DocumentStore()
    store.ready()
    expected = "BIGINT" if backend.name == POSTGRESQL else "INTEGER"
    assert (column_type(store, "documents", "size"), column_type(store, "vectors", "stamp")) == (expected, expected)
    assert backend.execute(DocumentStore, "SELECT version_num FROM alembic_version_documents") == [("documents_0003",)]


def test_a_database_at_revision_1_keeps_its_rows_and_the_order_of_its_attachments(
    backend: Backend, tmp_path, monkeypatch
):
    old = revision_1_store(tmp_path / "revisions")
    old().ready()
    backend.execute(
        old,
        "INSERT INTO documents (id, owner, name, kind, size, sha256, model, added_at) VALUES "
        "(1, 'a', 'one.pdf', 'pdf', 1, 's1', 'm', 1.0), (2, 'a', 'two.pdf', 'pdf', 2, 's2', 'm', 2.0), "
        "(3, 'a', 'three.pdf', 'pdf', 3, 's3', 'm', 3.0)",
    )
    # Attached at one moment, in the order 3, 1, 2 (on SQLite: rowids 1, 2, 3).
    for document_id in (3, 1, 2):
        backend.execute(
            old,
            "INSERT INTO attachments (conversation_id, document_id, owner, attached_at) VALUES (7, :d, 'a', 5.0)",
            d=document_id,
        )
    backend.execute(old, "INSERT INTO changes (owner, generation) VALUES ('a', 4)")
    monkeypatch.setattr(migrate, "_done", set())  # this process upgraded the database to revision 1 only
    store = DocumentStore(owner="a")
    names = [d.name for d in store.attached(7)]
    if backend.name == POSTGRESQL:
        # No PostgreSQL database of the SQLite-only app exists; rows there would have had no order but the time.
        assert names == ["one.pdf", "two.pdf", "three.pdf"]
    else:
        assert names == ["three.pdf", "one.pdf", "two.pdf"]  # the rowid order, kept
    store.attach(7, 3)  # already attached: keeps its place
    assert [d.name for d in store.attached(7)] == names
    assert store.generation() == 4
    assert differences(store) == []


def test_the_owner_of_a_change_is_never_null(backend: Backend):
    DocumentStore().ready()
    with pytest.raises(sa.exc.IntegrityError):
        backend.execute(DocumentStore, "INSERT INTO changes (owner, generation) VALUES (NULL, 1)")


def test_a_file_of_the_sqlite_only_app_with_a_null_owner_among_its_changes_is_upgraded(tmp_path):
    """SQLite let the app's ``owner TEXT PRIMARY KEY`` hold NULL; the app never wrote one, but a file edited by hand
    may have: that row (a counter no store reads) goes, the rest is kept."""
    path = tmp_path / "documents.sqlite3"
    shutil.copy(FIXTURE, path)
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("INSERT INTO changes (owner, generation) VALUES (NULL, 3)")
    assert DocumentStore(path, owner=ALICE).generation() == 1
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT owner, generation FROM changes ORDER BY owner").fetchall() == [("", 1), (ALICE, 1)]
