"""What every store shares: its database (SQLite file or PostgreSQL), its migrations, owner scoping, and
transactions that fail with the store's own sentence.

Every operation runs in one transaction on a connection of its own, so several browser sessions (threads of one
server process, or several processes, or several app instances on one PostgreSQL database) can write at once.
A write takes the store's write lock at once and a second writer waits its turn: on SQLite the database's
(``BEGIN IMMEDIATE``), on PostgreSQL an advisory lock of the store held until the commit. So a store may read,
decide and write in one transaction (is the name taken? then update, else insert) on both databases alike,
while reads never wait (WAL; PostgreSQL's snapshots).

A store subclasses :class:`Store` and sets its name (folder of its revisions and its version table), its tables
(:attr:`Store.METADATA`), its SQLite file name, its last PRAGMA version with the old steps up to it, the catalog
keys of its two sentences and the exceptions that carry them. Queries are SQLAlchemy Core (or ``text()`` with
named parameters) that run alike on both databases: ``func.lower`` or ``ilike`` for case-insensitive matching,
the dialect's ``insert().on_conflict_do_…`` for upserts (:meth:`Store._insert`), ``inserted_primary_key`` for new
ids; no ``rowid``, no ``COLLATE NOCASE``, no PRAGMA.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

import sqlalchemy as sa
from alembic.util import CommandError
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from lib.i18n import Markdown, t
from lib.storage import database, migrate
from lib.storage.database import DATA_DIR_ENV, DATABASE_URL_ENV, BadDatabaseUrl, Location

# What can go wrong while opening, creating or migrating a database: a folder that cannot be written, a server that
# cannot be reached or refuses the login, a damaged file, a revision that cannot be applied.
_OPEN_ERRORS = (OSError, sqlite3.Error, sa.exc.SQLAlchemyError, CommandError)


class Store:
    """A store's database: the SQLite file ``path`` when given (tests and tools), else the one
    ``OLLAMA_STUDIO_DATABASE_URL`` (or ``url``) names, else :attr:`FILE_NAME` in the data folder. Cheap to create,
    holds no connection. ``owner`` scopes reads and writes to one person's rows (see :meth:`_mine`); without one
    (tests and maintenance tools) the store sees every row."""

    NAME: ClassVar[str]  # the table alembic_version_<NAME>, and the revisions' folder lib/storage/migrations/<NAME>/
    REVISIONS: ClassVar[Path | None] = None  # another folder of revisions (a test's own store)
    FILE_NAME: ClassVar[str]
    METADATA: ClassVar[sa.MetaData]  # the tables as the newest revision leaves them
    LEGACY_VERSION: ClassVar[int] = 0  # the PRAGMA user_version revision 1 equals (0: the store never had one)
    LEGACY_STEPS: ClassVar[Mapping[int, migrate.LegacyStep]] = {}  # from PRAGMA version v to v + 1
    FIRST_PRAGMAS: ClassVar[tuple[str, ...]] = ()  # SQLite settings that only count before the first table
    UNAVAILABLE_KEY: ClassVar[str]  # catalog key of the sentence of UNAVAILABLE: folder, error, variable
    FAILED_KEY: ClassVar[str]  # catalog key of the sentence of FAILED: error
    UNAVAILABLE: ClassVar[type[Exception]]
    FAILED: ClassVar[type[Exception]]

    def __init__(self, path: Path | str | None = None, owner: str | None = None, *, url: str | None = None) -> None:
        self.owner = owner
        self._bad_url: BadDatabaseUrl | None = None
        try:
            self.location: Location | None = database.location(self.FILE_NAME, path, url)
        except BadDatabaseUrl as error:
            self.location, self._bad_url = None, error

    @property
    def path(self) -> Path | None:
        """The SQLite file; None on a database server."""
        return self.location.path if self.location is not None else None

    def _mine(self, column: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
        """The condition that keeps this owner's rows only (every row for a store without owner)."""
        return sa.true() if self.owner is None else column == self.owner

    def ready(self) -> None:
        """Create or upgrade the database if needed; raises :attr:`UNAVAILABLE` when that fails."""
        try:
            self._prepared()
        except _OPEN_ERRORS as error:
            raise self.UNAVAILABLE(self._unavailable(error)) from None
        except BadDatabaseUrl as error:
            raise self.UNAVAILABLE(_bad_url(error)) from None

    @contextmanager
    def _transaction(self, *, write: bool = True) -> Iterator[Connection]:
        """One connection, one transaction: committed on success, rolled back on error. A write takes the store's
        write lock at once (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: the store's advisory lock); a read
        (``write=False``) takes none, so it never waits for a writer and sees the last commit.

        A database error becomes :attr:`FAILED`; any other exception passes unchanged, after the rollback.
        """
        try:
            where = self._prepared()
            connection = database.engine(where).connect()
        except _OPEN_ERRORS as error:
            raise self.FAILED(t(self.FAILED_KEY, error=self._error(error))) from error
        except BadDatabaseUrl as error:
            raise self.FAILED(t(self.FAILED_KEY, error=_bad_url(error))) from error
        try:
            with connection:
                connection.execution_options(**{database.WRITE: write})
                with connection.begin():
                    if write and where.server:
                        migrate.lock(connection, self.NAME)
                    yield connection
        except sa.exc.SQLAlchemyError as error:
            raise self.FAILED(t(self.FAILED_KEY, error=self._error(error))) from error

    def _insert(self, table: sa.Table) -> Any:
        """The dialect's ``INSERT`` for ``table``, which has ``on_conflict_do_nothing``/``on_conflict_do_update``
        on both databases (the ``ON CONFLICT`` clause SQLite and PostgreSQL share)."""
        assert self.location is not None
        dialect = sqlite if self.location.path is not None else postgresql
        return dialect.insert(table)

    def _prepared(self) -> Location:
        if self.location is None:
            assert self._bad_url is not None
            raise self._bad_url
        migrate.ensure(self.location, self._plan())
        return self.location

    @classmethod
    def _plan(cls) -> migrate.Plan:
        folder = cls.REVISIONS or migrate.MIGRATIONS / cls.NAME
        return migrate.Plan(cls.NAME, folder, cls.LEGACY_VERSION, cls.LEGACY_STEPS, cls.FIRST_PRAGMAS)

    def _unavailable(self, error: BaseException) -> Markdown:
        assert self.location is not None
        if self.location.path is None:
            return t(
                "storage.database_unavailable",
                database=database.shown(self.location),
                error=self._error(error),
                variable=DATABASE_URL_ENV,
            )
        folder = self.location.path.parent
        return t(self.UNAVAILABLE_KEY, folder=folder, error=self._error(error), variable=DATA_DIR_ENV)

    def _error(self, error: BaseException) -> str:
        return database.error_text(error, self.location) if self.location is not None else str(error)


def _bad_url(error: BadDatabaseUrl) -> Markdown:
    return t("storage.bad_url", variable=DATABASE_URL_ENV, scheme=error.scheme or "?")
