"""Where a store's data lives, and the one engine per database that every store of the process shares.

``OLLAMA_STUDIO_DATABASE_URL`` unset (the default): SQLite, one file per store in the data folder
(``OLLAMA_STUDIO_DATA_DIR``, else ``~/.ollama-studio``), under the file names the stores always had, so an
existing install is upgraded in place. Set to a PostgreSQL address (``postgresql://`` or ``postgres://``): every
store keeps its tables in that database, through the psycopg 3 driver, and several app instances share them.
Both variables are read when a store is built, not at import.

An address is shown (in a sentence, a log) only as :func:`shown` renders it: never with its password.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from psycopg.abc import Dumper
from psycopg.adapt import PyFormat
from psycopg.types import string as psycopg_strings
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.pool import ConnectionPoolEntry, NullPool

DATA_DIR_ENV = "OLLAMA_STUDIO_DATA_DIR"
DATABASE_URL_ENV = "OLLAMA_STUDIO_DATABASE_URL"
SERVER_SCHEMES = ("postgresql", "postgres")
DRIVER = "postgresql+psycopg"
BUSY_SECONDS = 15  # how long a SQLite writer waits for another's lock before its operation fails
CONNECT_SECONDS = 10  # how long a PostgreSQL connection may take before the operation fails
WRITE = "studio_write"  # the execution option that tells a SQLite transaction to take the write lock at once


class BadDatabaseUrl(ValueError):
    """``OLLAMA_STUDIO_DATABASE_URL`` is not a PostgreSQL address; ``scheme`` is what it starts with."""

    def __init__(self, scheme: str) -> None:
        super().__init__(scheme)
        self.scheme = scheme


def data_dir() -> Path:
    """``OLLAMA_STUDIO_DATA_DIR``, else ``~/.ollama-studio``; read at call time."""
    configured = os.environ.get(DATA_DIR_ENV, "").strip()
    return Path(configured).expanduser() if configured else Path.home() / ".ollama-studio"


@dataclass(frozen=True)
class Location:
    """A store's database: a SQLite file (``path``) or a database server (``path`` None)."""

    url: URL
    path: Path | None = None

    @property
    def server(self) -> bool:
        return self.path is None

    @property
    def key(self) -> str:
        """What tells two databases apart (the engine cache's key); holds the password, never shown."""
        return self.url.render_as_string(hide_password=False)


def location(file_name: str, path: Path | str | None = None, url: str | None = None) -> Location:
    """The database of a store whose SQLite file is ``file_name``: ``path`` when given (tests and tools), else
    ``url`` or ``OLLAMA_STUDIO_DATABASE_URL`` when set, else the file in the data folder.

    Raises :class:`BadDatabaseUrl` for an address that is not PostgreSQL's.
    """
    if path is None:
        address = (url if url is not None else os.environ.get(DATABASE_URL_ENV, "")).strip()
        if address:
            return Location(server_url(address))
        path = data_dir() / file_name
    path = Path(path)
    return Location(URL.create("sqlite+pysqlite", database=str(path)), path)


def server_url(address: str) -> URL:
    """A PostgreSQL address as SQLAlchemy takes it, with the psycopg 3 driver whatever driver it named."""
    scheme = address.split(":", 1)[0].lower() if ":" in address else ""
    if scheme.split("+", 1)[0] not in SERVER_SCHEMES:
        raise BadDatabaseUrl(scheme)
    try:
        parsed = sa.make_url(DRIVER + address[len(scheme) :])
    except sa.exc.ArgumentError as error:
        raise BadDatabaseUrl(scheme) from error
    return parsed


def shown(where: Location) -> str:
    """The database as a person may read it: the file's path, or the address without its password."""
    if where.path is not None:
        return str(where.path)
    return where.url.set(drivername="postgresql").render_as_string(hide_password=True)


def error_text(error: BaseException, where: Location) -> str:
    """A database error in the driver's own words, on one line, without SQL, parameters or the password."""
    original = error.orig if isinstance(error, sa.exc.DBAPIError) and error.orig is not None else error
    text = " ".join(str(original).split()) or type(original).__name__
    password = where.url.password
    return text.replace(str(password), "***") if password else text


_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def engine(where: Location) -> Engine:
    """The process's engine for ``where``, made on first use (thread-safe); it opens no connection yet."""
    with _engines_lock:
        made = _engines.get(where.key)
        if made is None:
            made = _sqlite_engine(where.url) if where.path is not None else _server_engine(where.url)
            _engines[where.key] = made
        return made


def dispose_engines() -> None:
    """Close every pooled connection and forget the engines (a test that dropped its database, a forked process)."""
    with _engines_lock:
        engines = list(_engines.values())
        _engines.clear()
    for made in engines:
        made.dispose()


def _server_engine(url: URL) -> Engine:
    # pre_ping: a connection the server dropped (a restart, an idle timeout) is replaced, not failing an operation.
    made = sa.create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": CONNECT_SECONDS})

    @sa.event.listens_for(made, "connect")
    def _connected(connection: Any, _entry: ConnectionPoolEntry) -> None:
        for form in (PyFormat.TEXT, PyFormat.BINARY):
            registered = connection.adapters.get_dumper(str, form)  # psycopg's own, maybe its C version
            connection.adapters.register_dumper(str, _without_nul(getattr(psycopg_strings, registered.__name__)))

    return made


def _without_nul(dumper: type[Dumper]) -> type[Dumper]:
    """``dumper`` (psycopg's Python class: a C one cannot be subclassed) with every NUL character of a text replaced
    by U+FFFD: PostgreSQL's text cannot hold NUL, and model output or a file can contain one (SQLite keeps it).
    Without this, such an answer could not be saved."""

    class NulFree(dumper):  # type: ignore[valid-type, misc]
        def dump(self, obj: str) -> Any:
            return super().dump(obj.replace("\x00", "\ufffd") if "\x00" in obj else obj)

    return NulFree


def _sqlite_engine(url: URL) -> Engine:
    """SQLite with a connection per operation (as the stores always had: no file stays open between operations),
    foreign keys on, a writer that waits ``BUSY_SECONDS`` for another's lock, and transactions begun by us: a write
    takes the lock at once (``BEGIN IMMEDIATE``), so two writers never both read and then fail to upgrade their
    lock; DDL runs inside the transaction (SQLAlchemy's recipe for pysqlite)."""
    made = sa.create_engine(url, poolclass=NullPool, connect_args={"timeout": BUSY_SECONDS})

    @sa.event.listens_for(made, "connect")
    def _connected(connection: sqlite3.Connection, _entry: ConnectionPoolEntry) -> None:
        connection.isolation_level = None  # the driver begins nothing: _begin does
        # Text that is not UTF-8 (written into the file by another program) is read with replacement characters
        # instead of failing every read of the row, and of the list that names it.
        connection.text_factory = _text_of
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute(f"PRAGMA busy_timeout = {BUSY_SECONDS * 1000}")

    @sa.event.listens_for(made, "begin")
    def _begin(connection: Connection) -> None:
        write: Any = connection.get_execution_options().get(WRITE, True)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return made


def _text_of(data: bytes) -> str:
    return data.decode("utf-8", "replace")
