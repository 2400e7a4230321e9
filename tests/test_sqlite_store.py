"""What every store shares, tested once on a small store of its own."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

import pytest

from lib.i18n import t
from lib.sqlite_store import DATA_DIR_ENV, SqliteStore


class Unavailable(Exception):
    pass


class Failed(Exception):
    pass


class NotesStore(SqliteStore):
    FILE_NAME = "notes.sqlite3"
    # Without IF NOT EXISTS: creating twice fails, and the insert counts the creations.
    SCHEMA = """
    CREATE TABLE notes (id INTEGER PRIMARY KEY, owner TEXT, text TEXT NOT NULL UNIQUE);
    CREATE TABLE creations (at INTEGER);
    INSERT INTO creations VALUES (1);
    """
    SCHEMA_VERSION = 1
    UNAVAILABLE_KEY = "privacy.store_unavailable"
    FAILED_KEY = "privacy.store_failed"
    UNAVAILABLE = Unavailable
    FAILED = Failed

    def add(self, *texts: str) -> None:
        with self._transaction() as db:
            for text in texts:
                db.execute("INSERT INTO notes (owner, text) VALUES (?, ?)", (self.owner, text))

    def texts(self) -> list[str]:
        mine, owner = self._mine()
        with self._transaction(write=False) as db:
            return [row["text"] for row in db.execute(f"SELECT text FROM notes WHERE {mine} ORDER BY id", owner)]


def test_the_default_path_is_the_file_in_the_data_folder(monkeypatch, tmp_path):
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "data"))
    assert NotesStore().path == tmp_path / "data" / "notes.sqlite3"


def test_a_new_database_is_in_wal_mode_with_its_schema_version(tmp_path):
    store = NotesStore(tmp_path / "deep" / "notes.sqlite3")
    store.ready()
    with sqlite3.connect(store.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA user_version").fetchone()[0] == 1


def test_a_failed_transaction_rolls_back_all_of_it_and_says_a_sentence(tmp_path):
    store = NotesStore(tmp_path / "notes.sqlite3")
    store.add("kept")
    with pytest.raises(Failed) as failure:
        store.add("new", "kept")  # the second insert breaks UNIQUE
    assert str(failure.value) == t("privacy.store_failed", error=failure.value.__cause__)
    assert isinstance(failure.value.__cause__, sqlite3.IntegrityError)
    assert store.texts() == ["kept"]


def test_another_exception_passes_unchanged_and_rolls_back(tmp_path):
    store = NotesStore(tmp_path / "notes.sqlite3")
    with pytest.raises(KeyError), store._transaction() as db:
        db.execute("INSERT INTO notes (text) VALUES ('half')")
        raise KeyError("refused")
    assert store.texts() == []


def test_a_database_that_cannot_be_created_says_where(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    store = NotesStore(tmp_path / "a-file" / "notes.sqlite3")
    with pytest.raises(Unavailable) as failure:
        store.ready()
    sentence = str(failure.value).replace("\\", "")  # the sentence escapes Markdown
    assert sentence.startswith(f"Chats cannot be saved in {tmp_path / 'a-file'} (")
    assert DATA_DIR_ENV in sentence
    with pytest.raises(Failed):  # and a read or write says it failed, in its sentence
        store.texts()


def test_threads_creating_one_database_at_once_create_it_once(tmp_path):
    path = tmp_path / "notes.sqlite3"
    start = threading.Barrier(6)
    errors: list[BaseException] = []

    def create() -> None:
        start.wait()
        try:
            NotesStore(path).ready()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=create) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM creations").fetchone()[0] == 1


class MigratedStore(NotesStore):
    SCHEMA_VERSION = 4
    # Each step needs the one before it, so only the order 1, 2, 3 works.
    MIGRATIONS: ClassVar[Mapping[int, str]] = {
        1: "ALTER TABLE notes ADD COLUMN step TEXT; UPDATE notes SET step = '1'",
        2: "UPDATE notes SET step = step || '2'",
    }

    def _migrate(self, connection: sqlite3.Connection, version: int) -> None:
        if version == 3:
            connection.execute("UPDATE notes SET step = step || ?", ("3 by code",))
        else:
            super()._migrate(connection, version)


def _version_1(path: Path) -> None:
    NotesStore(path).add("old")


def test_migrations_run_in_order_from_the_saved_version(tmp_path):
    path = tmp_path / "notes.sqlite3"
    _version_1(path)
    store = MigratedStore(path)
    store.ready()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT text, step FROM notes").fetchall() == [("old", "123 by code")]
        assert db.execute("PRAGMA user_version").fetchone()[0] == 4
    MigratedStore(path).ready()  # a migrated database is left as it is
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT step FROM notes").fetchone()[0] == "123 by code"


def test_a_failed_migration_leaves_the_old_version_whole(tmp_path):
    path = tmp_path / "notes.sqlite3"
    _version_1(path)

    class Broken(MigratedStore):
        MIGRATIONS: ClassVar[Mapping[int, str]] = {**MigratedStore.MIGRATIONS, 2: "UPDATE no_such_table SET x = 1"}

    with pytest.raises(Unavailable):
        Broken(path).ready()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 1
        assert [row[1] for row in db.execute("PRAGMA table_info(notes)")] == ["id", "owner", "text"]


def test_an_owner_sees_their_rows_only(tmp_path):
    path = tmp_path / "notes.sqlite3"
    NotesStore(path, owner="ann").add("ann's")
    NotesStore(path, owner="bob").add("bob's")
    assert NotesStore(path, owner="ann").texts() == ["ann's"]
    assert NotesStore(path).texts() == ["ann's", "bob's"]


def test_text_that_is_not_utf8_is_read_with_replacement_characters(tmp_path):
    store = NotesStore(tmp_path / "notes.sqlite3")
    store.ready()
    with sqlite3.connect(store.path) as db:
        db.execute("INSERT INTO notes (text) VALUES (CAST(X'6F6BFF' AS TEXT))")
    assert store.texts() == ["ok\ufffd"]
