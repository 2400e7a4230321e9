"""Migrations: a legacy SQLite file through its old steps, stamped and upgraded; a new database to the newest
revision; on failure, the database as it was."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from typing import ClassVar

import pytest

from lib.storage import migrate
from tests.storage.backends import Backend
from tests.storage.notes import NotesStore, Unavailable, write_legacy
from tests.storage.schema import differences


def versions(path) -> tuple[int, list[str]]:
    with closing(sqlite3.connect(path)) as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        stamped = (
            [row[0] for row in db.execute("SELECT version_num FROM alembic_version_notes")]
            if "alembic_version_notes" in tables
            else []
        )
        return db.execute("PRAGMA user_version").fetchone()[0], stamped


def test_a_legacy_file_takes_its_old_steps_then_is_stamped_and_upgraded(tmp_path):
    path = tmp_path / "notes.sqlite3"
    write_legacy(path, "old", "older")
    store = NotesStore(path)
    assert store.texts() == ["old", "older"]
    # The old step ran (step = 'legacy'), revision 1 was only stamped (no second creation), revision 2 ran.
    assert store.steps() == {"old": "legacy r2", "older": "legacy r2"}
    assert versions(path) == (2, ["notes_0002"])
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT COUNT(*) FROM creations").fetchone()[0] == 1
        assert db.execute("SELECT owner FROM notes").fetchall() == [("",), ("",)]  # revision 2 filled them
    assert differences(store) == []


def test_a_file_at_the_last_legacy_version_is_stamped_without_old_steps(tmp_path):
    path = tmp_path / "notes.sqlite3"
    write_legacy(path, "old")
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("ALTER TABLE notes ADD COLUMN step TEXT")
        db.execute("PRAGMA user_version = 2")
    assert NotesStore(path).steps() == {"old": " r2"}
    assert versions(path) == (2, ["notes_0002"])


def test_a_new_database_runs_every_revision(backend: Backend):
    store = NotesStore()
    store.add("new")
    assert store.steps() == {"new": None}
    assert backend.execute(NotesStore, "SELECT version_num FROM alembic_version_notes") == [("notes_0002",)]
    assert backend.execute(NotesStore, "SELECT COUNT(*) FROM creations") == [(1,)]


def test_a_failed_old_step_leaves_the_legacy_file_whole(tmp_path):
    path = tmp_path / "notes.sqlite3"
    write_legacy(path, "old")

    class Broken(NotesStore):
        LEGACY_STEPS: ClassVar = {1: "ALTER TABLE notes ADD COLUMN step TEXT; UPDATE no_such_table SET x = 1"}

    with pytest.raises(Unavailable):
        Broken(path).ready()
    assert versions(path) == (1, [])
    with closing(sqlite3.connect(path)) as db:
        assert [row[1] for row in db.execute("PRAGMA table_info(notes)")] == ["id", "owner", "text"]


def test_an_upgraded_database_is_not_checked_again_in_this_process(tmp_path, monkeypatch):
    store = NotesStore(tmp_path / "notes.sqlite3")
    store.ready()
    calls: list[object] = []
    monkeypatch.setattr(migrate, "upgrade", lambda *arguments: calls.append(arguments))
    NotesStore(tmp_path / "notes.sqlite3").add("x")
    assert calls == []
    (tmp_path / "notes.sqlite3").unlink()  # a file gone (deleted by hand) is made again
    (tmp_path / "notes.sqlite3-wal").unlink(missing_ok=True)
    (tmp_path / "notes.sqlite3-shm").unlink(missing_ok=True)
    NotesStore(tmp_path / "notes.sqlite3").ready()
    assert len(calls) == 1


def test_each_store_has_its_own_lock():
    assert migrate.lock_key("notes") != migrate.lock_key("library")
    assert migrate.lock_key("notes") == migrate.lock_key("notes")
    assert -(2**63) <= migrate.lock_key("chats") < 2**63
