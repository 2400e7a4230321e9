"""What the app's SQLite stores share (chats, arena, evals, documents): where the file is, how it is
opened, created and migrated, and how a transaction runs and fails.

Every operation opens its own connection and runs in one transaction, so several browser sessions
(threads of one server process, or several processes) can write at once: WAL lets readers go on
while one writer commits, and ``busy_timeout`` makes a second writer wait its turn instead of failing.

A store subclasses :class:`SqliteStore` and sets its file name, schema, version, migrations, the
catalog keys of its two sentences and the exceptions that carry them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

from lib.i18n import t
from lib.storage.database import DATA_DIR_ENV as DATA_DIR_ENV
from lib.storage.database import data_dir as data_dir


class SqliteStore:
    """A database at ``path`` (default: :attr:`FILE_NAME` in the data folder); cheap to create, holds
    no connection. ``owner`` scopes reads and writes to one person's rows (see :meth:`_mine`); without
    one (tests and maintenance tools) the store sees every row."""

    FILE_NAME: ClassVar[str]
    SCHEMA: ClassVar[str]  # statements separated by ";", run on a new database
    SCHEMA_VERSION: ClassVar[int]
    MIGRATIONS: ClassVar[Mapping[int, str]] = {}  # from version v to v + 1: statements (see _migrate)
    FIRST_PRAGMAS: ClassVar[tuple[str, ...]] = ()  # settings that only count before the first table
    OWNER_COLUMN: ClassVar[str] = "owner"
    UNAVAILABLE_KEY: ClassVar[str]  # catalog key of the sentence of UNAVAILABLE: folder, error, variable
    FAILED_KEY: ClassVar[str]  # catalog key of the sentence of FAILED: error
    UNAVAILABLE: ClassVar[type[Exception]]
    FAILED: ClassVar[type[Exception]]

    def __init__(self, path: Path | str | None = None, owner: str | None = None) -> None:
        self.path = Path(path) if path is not None else data_dir() / self.FILE_NAME
        self.owner = owner
        self._ready = False

    def _mine(self, column: str | None = None) -> tuple[str, tuple[Any, ...]]:
        """The SQL condition (and its parameters) that keeps this owner's rows only."""
        if self.owner is None:
            return "1", ()
        return f"{column or self.OWNER_COLUMN} = ?", (self.owner,)

    def ready(self) -> None:
        """Create the folder and database if needed; raises :attr:`UNAVAILABLE` when that fails."""
        try:
            if not self._ready:
                self._create()
        except (OSError, sqlite3.Error) as error:
            raise self.UNAVAILABLE(
                t(self.UNAVAILABLE_KEY, folder=self.path.parent, error=error, variable=DATA_DIR_ENV)
            ) from None

    @contextmanager
    def _transaction(self, *, write: bool = True) -> Iterator[sqlite3.Connection]:
        """One connection, one transaction: committed on success, rolled back on error. A write takes
        the write lock at once (``BEGIN IMMEDIATE``); a read (``write=False``) takes none, so under WAL
        it never waits for a writer and sees the last commit.

        A database error becomes :attr:`FAILED`; any other exception passes unchanged.
        """
        try:
            if not self._ready:
                self._create()
            connection = self._connect()
        except (OSError, sqlite3.Error) as error:
            raise self.FAILED(t(self.FAILED_KEY, error=error)) from error
        try:
            connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield connection
            except BaseException:
                if connection.in_transaction:  # SQLite itself rolls back after some errors (a full disk, I/O)
                    connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
        except sqlite3.Error as error:
            raise self.FAILED(t(self.FAILED_KEY, error=error)) from error
        finally:
            connection.close()

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=15, isolation_level=None)
        connection.row_factory = sqlite3.Row
        # Text that is not UTF-8 (written into the file by another program) is read with replacement
        # characters instead of failing every read of the row, and of the list that names it.
        connection.text_factory = _text_of
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("PRAGMA busy_timeout = 15000")
        return connection

    def _create(self) -> None:
        """Create the tables, or bring an older database up to :attr:`SCHEMA_VERSION` one version at a time.

        The version is read again inside the write transaction, so two processes opening a new or
        old database at once create or migrate it once.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = self._connect()
        try:
            for pragma in self.FIRST_PRAGMAS:
                connection.execute(pragma)
            connection.execute("PRAGMA journal_mode = WAL")
            if connection.execute("PRAGMA user_version").fetchone()[0] < self.SCHEMA_VERSION:
                connection.execute("BEGIN IMMEDIATE")
                try:
                    version = connection.execute("PRAGMA user_version").fetchone()[0]
                    if version == 0:
                        _run_statements(connection, self.SCHEMA)
                    else:
                        for step in range(version, self.SCHEMA_VERSION):
                            self._migrate(connection, step)
                    connection.execute(f"PRAGMA user_version = {self.SCHEMA_VERSION}")
                except BaseException:
                    connection.execute("ROLLBACK")
                    raise
                connection.execute("COMMIT")
        finally:
            connection.close()
        self._ready = True

    def _migrate(self, connection: sqlite3.Connection, version: int) -> None:
        """Bring the database from ``version`` to the next, inside the creating transaction: runs
        ``MIGRATIONS[version]``. A store whose step needs code overrides this."""
        _run_statements(connection, self.MIGRATIONS[version])


def _run_statements(connection: sqlite3.Connection, script: str) -> None:
    """Each statement of ``script`` in turn (``executescript`` would commit the open transaction)."""
    for statement in script.split(";"):
        if statement.strip():
            connection.execute(statement)


def _text_of(data: bytes) -> str:
    return data.decode("utf-8", "replace")
