"""Where a store's data lives, how its address is shown, and the engine per database."""

from __future__ import annotations

import sqlite3
import threading

import pytest
import sqlalchemy as sa

from lib.storage import database
from lib.storage.database import DATA_DIR_ENV, DATABASE_URL_ENV, BadDatabaseUrl


def test_without_an_address_a_store_is_its_file_in_the_data_folder(monkeypatch, tmp_path):
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "data"))
    where = database.location("chats.sqlite3")
    assert where.path == tmp_path / "data" / "chats.sqlite3"
    assert not where.server
    assert where.url.drivername == "sqlite+pysqlite"


def test_the_address_is_read_when_asked_and_a_path_wins(monkeypatch, tmp_path):
    monkeypatch.setenv(DATABASE_URL_ENV, "  postgres://me:pw@db:5433/studio  ")
    where = database.location("chats.sqlite3")
    assert where.server
    assert (where.url.drivername, where.url.host, where.url.port, where.url.database) == (
        "postgresql+psycopg",
        "db",
        5433,
        "studio",
    )
    assert database.location("chats.sqlite3", tmp_path / "x.sqlite3").path == tmp_path / "x.sqlite3"
    monkeypatch.delenv(DATABASE_URL_ENV)
    assert not database.location("chats.sqlite3").server


@pytest.mark.parametrize(
    "address",
    ["postgresql://u@h/d", "postgres://u@h/d", "postgresql+psycopg2://u@h/d", "PostgreSQL://u@h/d"],
)
def test_every_postgresql_address_uses_psycopg_3(address):
    url = database.server_url(address)
    assert url.drivername == "postgresql+psycopg"
    assert (url.username, url.host, url.database) == ("u", "h", "d")


@pytest.mark.parametrize("address", ["mysql://u:p@h/d", "sqlite:///x.db", "db.example.com/studio", "postgres"])
def test_another_address_is_refused_naming_its_scheme_only(address):
    with pytest.raises(BadDatabaseUrl) as refused:
        database.server_url(address)
    assert "p@h" not in refused.value.scheme


def test_an_address_is_shown_without_its_password():
    where = database.location("x", url="postgresql://studio:s%40cret@db/studio")
    assert where.url.password == "s@cret"
    assert database.shown(where) == "postgresql://studio:***@db/studio"
    assert "s%40cret" in where.key  # the engine's key is never shown


def test_an_error_is_the_drivers_words_on_one_line_without_the_password():
    where = database.location("x", url="postgresql://studio:hunter2@db/studio")
    error = sa.exc.OperationalError("SELECT secret FROM t", {"p": 1}, Exception("failed for hunter2\n  DETAIL: x"))
    assert database.error_text(error, where) == "failed for *** DETAIL: x"
    assert database.error_text(OSError("disk full"), where) == "disk full"


def test_one_engine_per_database_even_from_threads(tmp_path):
    where = database.location("a.sqlite3", tmp_path / "a.sqlite3")
    engines: list[sa.Engine] = []
    start = threading.Barrier(8)

    def get() -> None:
        start.wait()
        engines.append(database.engine(where))

    threads = [threading.Thread(target=get) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(engine) for engine in engines}) == 1
    assert database.engine(database.location("b.sqlite3", tmp_path / "b.sqlite3")) is not engines[0]
    database.dispose_engines()
    assert database.engine(where) is not engines[0]


def test_a_sqlite_connection_has_foreign_keys_and_waits_for_locks(tmp_path):
    engine = database.engine(database.location("a.sqlite3", tmp_path / "a.sqlite3"))
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == database.BUSY_SECONDS * 1000


def test_a_sqlite_write_takes_the_lock_when_it_begins_and_a_read_does_not(tmp_path):
    path = tmp_path / "a.sqlite3"
    engine = database.engine(database.location("a.sqlite3", path))
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        with engine.connect() as connection:
            connection.execution_options(**{database.WRITE: False})
            with connection.begin():
                connection.exec_driver_sql("SELECT 1").all()
                other.execute("BEGIN IMMEDIATE")  # a read leaves the write lock free
                other.execute("ROLLBACK")
        with engine.connect() as connection, connection.begin():
            connection.exec_driver_sql("SELECT 1").all()
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")  # a write holds it from its first statement
    finally:
        other.close()


def test_text_with_a_nul_character_is_saved_on_both_databases(backend):
    """Model output can hold NUL, which PostgreSQL's text cannot: kept as U+FFFD there instead of failing the save."""
    from lib.library.store import LibraryStore

    store = LibraryStore(owner="alice")
    store.save("prompt", "a\x00b", {"text": "x"})
    expected = "a\x00b" if backend.name == "sqlite" else "a\ufffdb"
    assert [item.name for item in store.items("prompt")] == [expected]
