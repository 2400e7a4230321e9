"""The base of every store, on SQLite and on PostgreSQL: owner scoping, one transaction per operation, sentences."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from contextlib import closing

import pytest
import sqlalchemy as sa

from lib.i18n import t
from lib.storage import database
from lib.storage.database import DATA_DIR_ENV, DATABASE_URL_ENV
from tests.storage.backends import SQLITE, Backend
from tests.storage.notes import NOTES, BrokenStore, Failed, NotesStore, Unavailable
from tests.storage.schema import differences


def in_threads(count: int, work: Callable[[int], None]) -> list[BaseException]:
    """Run ``work(0)`` … ``work(count - 1)`` in threads started together; the exceptions they raised."""
    start = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(number: int) -> None:
        start.wait()
        try:
            work(number)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(number,)) for number in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_an_owner_sees_their_rows_only(backend: Backend):
    NotesStore(owner="ann").add("ann's")
    NotesStore(owner="bob").add("bob's")
    assert NotesStore(owner="ann").texts() == ["ann's"]
    assert NotesStore().texts() == ["ann's", "bob's"]


def test_the_default_database_follows_the_environment(backend: Backend, tmp_path):
    store = NotesStore()
    if backend.name == SQLITE:
        assert store.path == tmp_path / "notes.sqlite3"
    else:
        assert store.path is None
        assert store.location is not None and store.location.url.drivername == "postgresql+psycopg"


def test_a_failed_transaction_rolls_back_all_of_it_and_says_a_sentence(backend: Backend):
    store = NotesStore()
    store.add("kept")
    with pytest.raises(Failed) as failure:
        store.add("new", "kept")  # the second insert breaks UNIQUE
    assert isinstance(failure.value.__cause__, sa.exc.IntegrityError)
    assert str(failure.value) == t(
        "privacy.store_failed", error=database.error_text(failure.value.__cause__, store.location)
    )
    assert "INSERT" not in str(failure.value)  # the driver's words, not SQLAlchemy's statement and parameters
    assert store.texts() == ["kept"]


def test_another_exception_passes_unchanged_and_rolls_back(backend: Backend):
    store = NotesStore()
    with pytest.raises(KeyError), store._transaction() as db:
        db.execute(sa.insert(NOTES).values(owner="", text="half"))
        raise KeyError("refused")
    assert store.texts() == []


def test_the_dialects_insert_does_nothing_or_updates_on_conflict(backend: Backend):
    store = NotesStore()
    assert store.add_once("a") is True
    assert store.add_once("a") is False
    store.upsert("a", "changed")
    store.upsert("b", "new")
    assert store.steps() == {"a": "changed", "b": "new"}


def test_a_write_takes_the_lock_so_read_then_write_loses_nothing(backend: Backend):
    """Twelve writers each read a number and write it plus one: none reads a value another is about to change."""
    store = NotesStore()
    store.add("0")

    def increment(_number: int) -> None:
        with NotesStore()._transaction() as db:
            value = db.scalar(sa.select(NOTES.c.text).where(NOTES.c.id == 1))
            db.execute(sa.update(NOTES).where(NOTES.c.id == 1).values(text=str(int(value) + 1)))

    assert in_threads(12, increment) == []
    assert store.texts() == ["12"]


def test_writers_in_threads_with_their_own_connections_all_count(backend: Backend):
    def write(number: int) -> None:
        for item in range(10):
            NotesStore(owner=f"writer {number}").add(f"{number}.{item}")

    assert in_threads(8, write) == []
    assert len(NotesStore().texts()) == 80
    assert NotesStore(owner="writer 3").texts() == [f"3.{item}" for item in range(10)]


def test_threads_creating_one_database_at_once_create_it_once(backend: Backend):
    assert in_threads(6, lambda _number: NotesStore().ready()) == []
    assert backend.execute(NotesStore, "SELECT COUNT(*) FROM creations") == [(1,)]


def test_a_new_database_equals_the_declared_tables(backend: Backend):
    assert differences(NotesStore()) == []


def test_a_failed_migration_leaves_nothing_behind(backend: Backend):
    with pytest.raises(Unavailable):
        BrokenStore().ready()
    with pytest.raises(Failed):
        BrokenStore().texts()
    store = NotesStore(owner="x")  # another store of the same database
    store.ready()
    assert store.location is not None
    with database.engine(store.location).connect() as connection:
        tables = set(sa.inspect(connection).get_table_names())
    assert "alembic_version_broken" not in tables
    assert tables == {"notes", "creations", "alembic_version_notes"}


# SQLite


def test_a_sqlite_database_is_in_wal_mode(tmp_path):
    store = NotesStore(tmp_path / "deep" / "notes.sqlite3")
    store.ready()
    with closing(sqlite3.connect(tmp_path / "deep" / "notes.sqlite3")) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


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


def test_text_that_is_not_utf8_is_read_with_replacement_characters(tmp_path):
    store = NotesStore(tmp_path / "notes.sqlite3")
    store.ready()
    with closing(sqlite3.connect(tmp_path / "notes.sqlite3")) as db, db:
        db.execute("INSERT INTO notes (owner, text) VALUES ('', CAST(X'6F6BFF' AS TEXT))")
    assert store.texts() == ["ok\ufffd"]


def test_a_sqlite_writer_waits_for_another_instead_of_failing(tmp_path):
    store = NotesStore(tmp_path / "notes.sqlite3")
    store.ready()
    holding = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with NotesStore(tmp_path / "notes.sqlite3")._transaction() as db:
            db.execute(sa.insert(NOTES).values(owner="", text="first"))
            holding.set()
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    holding.wait(5)
    threading.Timer(0.3, release.set).start()
    store.add("second")  # waits for the lock, then writes
    holder.join()
    assert store.texts() == ["first", "second"]


# PostgreSQL


def test_a_database_that_cannot_be_reached_says_so_without_the_password(postgres_url, monkeypatch):
    wrong = postgres_url.replace("@127.0.0.1", "x@127.0.0.1")  # the password with one letter more
    password = wrong.split(":")[2].split("@")[0]
    monkeypatch.setenv(DATABASE_URL_ENV, wrong)
    with pytest.raises(Unavailable) as unavailable:
        NotesStore().ready()
    with pytest.raises(Failed) as failed:
        NotesStore().texts()
    for sentence in (str(unavailable.value).replace("\\", ""), str(failed.value)):
        assert password not in sentence
        assert "password authentication failed" in sentence
    assert "studio:***@127.0.0.1" in str(unavailable.value).replace("\\", "")
    assert DATABASE_URL_ENV in str(unavailable.value).replace("\\", "")


def test_a_server_that_is_down_is_a_sentence(monkeypatch):
    monkeypatch.setenv(DATABASE_URL_ENV, "postgres://studio:s3cret-pw@127.0.0.1:1/studio")
    with pytest.raises(Unavailable) as failure:
        NotesStore().ready()
    sentence = str(failure.value).replace("\\", "")
    assert "postgresql://studio:***@127.0.0.1:1/studio" in sentence
    assert "s3cret-pw" not in sentence


def test_an_address_that_is_not_postgresql_is_a_sentence(monkeypatch):
    monkeypatch.setenv(DATABASE_URL_ENV, "mysql://root:hunter2@db/studio")
    with pytest.raises(Unavailable) as unavailable:
        NotesStore().ready()
    with pytest.raises(Failed) as failed:
        NotesStore().texts()
    for sentence in (str(unavailable.value), str(failed.value)):
        assert "hunter2" not in sentence
        assert DATABASE_URL_ENV in sentence.replace("\\", "")


def test_two_stores_share_one_postgresql_database(postgres_url, monkeypatch):
    monkeypatch.setenv(DATABASE_URL_ENV, postgres_url)
    NotesStore(owner="a").add("one")
    with pytest.raises(Unavailable):
        BrokenStore().ready()
    assert NotesStore().texts() == ["one"]
