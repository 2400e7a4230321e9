"""Bringing a store's tables to its newest revision with Alembic, once per process, safely from several at once.

Each store has its own revisions in ``lib/storage/migrations/<name>/`` and its own version table,
``alembic_version_<name>``, so every store can keep its tables in one shared PostgreSQL database and be upgraded on
its own. Revision 1 of a store is its schema as the SQLite-only app last wrote it.

A SQLite file of that app (``PRAGMA user_version`` above 0, no version table) is first brought to the store's last
PRAGMA version by the old steps (:attr:`Plan.legacy_steps`, kept for files older still), then stamped revision 1,
then upgraded like any database. All of it runs in one transaction that holds the database's write lock
(SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: a transaction-scoped advisory lock of the store), so a second process
starting at the same moment waits, then finds the work done; a failure leaves the database as it was.
"""

from __future__ import annotations

import functools
import hashlib
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from lib.storage import database
from lib.storage.database import Location

MIGRATIONS = Path(__file__).parent / "migrations"

LegacyStep = str | Callable[[sqlite3.Connection], None]
"""One old step from PRAGMA version v to v + 1: statements separated by ";", or code given the sqlite3 connection."""


@dataclass(frozen=True)
class Plan:
    """What a store needs migrated: its name (folder of revisions, version table), its last PRAGMA version and the
    steps up to it, and the SQLite settings that count only before its first table is made."""

    name: str
    folder: Path  # the revisions
    legacy_version: int = 0
    legacy_steps: Mapping[int, LegacyStep] = field(default_factory=dict)
    first_pragmas: tuple[str, ...] = ()


def version_table(name: str) -> str:
    return f"alembic_version_{name}"


@functools.cache
def scripts(folder: Path) -> ScriptDirectory:
    """The revisions in ``folder`` (read once per process)."""
    return ScriptDirectory(str(folder), version_locations=[str(folder)])


_done: set[tuple[str, str]] = set()
_done_lock = threading.Lock()


def ensure(where: Location, plan: Plan) -> None:
    """Upgrade the store's tables at ``where`` to its newest revision unless this process did it already.

    Raises what the database, the file system or a revision raises; the store words it.
    """
    key = (where.key, plan.name)
    with _done_lock:
        if key in _done and (where.path is None or where.path.exists()):
            return
    if where.path is not None:
        where.path.parent.mkdir(parents=True, exist_ok=True)
    engine = database.engine(where)
    if where.path is not None:
        _sqlite_settings(engine, plan)
    with engine.connect() as connection:
        if where.path is not None:
            _foreign_keys_off(connection)
        with connection.begin():
            if not where.path:
                lock(connection, plan.name)
            upgrade(connection, plan)
    with _done_lock:
        _done.add(key)


def upgrade(connection: Connection, plan: Plan) -> None:
    """Inside the caller's transaction: a legacy SQLite file to revision 1, then anything to the newest revision."""
    script = scripts(plan.folder)

    def steps(revision: Any, _context: MigrationContext) -> Any:
        return script._upgrade_revs("head", revision)  # what alembic's own upgrade command runs

    context = MigrationContext.configure(connection, opts={"version_table": version_table(plan.name), "fn": steps})
    heads = set(context.get_current_heads())
    if not heads and connection.dialect.name == "sqlite":
        raw = _driver_connection(connection)
        version = raw.execute("PRAGMA user_version").fetchone()[0]
        if version > 0:
            _legacy_upgrade(raw, plan, version)
            base = script.get_base()
            assert base is not None  # a store has a revision 1
            context.stamp(script, base)
            heads = {base}
    if heads != set(script.get_heads()):
        sqlite = connection.dialect.name == "sqlite"
        broken = _broken_references(connection) if sqlite else 0
        with Operations.context(context):  # the revisions' ``op``
            context.run_migrations()
        if sqlite and _broken_references(connection) > broken:
            raise sqlite3.IntegrityError("a revision left rows that refer to rows that do not exist")


def _legacy_upgrade(raw: sqlite3.Connection, plan: Plan, version: int) -> None:
    for step in range(version, plan.legacy_version):
        action = plan.legacy_steps[step]
        if isinstance(action, str):
            for statement in action.split(";"):
                if statement.strip():
                    raw.execute(statement)
        else:
            action(raw)
    raw.execute(f"PRAGMA user_version = {max(version, plan.legacy_version)}")


def _sqlite_settings(engine: sa.Engine, plan: Plan) -> None:
    """Settings SQLite takes only outside a transaction: WAL (kept by the file) and the store's first pragmas
    (page size, auto-vacuum: they count only before the first table and do nothing after)."""
    connection = engine.raw_connection()
    try:
        raw = connection.driver_connection
        assert isinstance(raw, sqlite3.Connection)
        for pragma in plan.first_pragmas:
            raw.execute(pragma)
        _wal(raw)
    finally:
        connection.close()


def _wal(raw: sqlite3.Connection) -> None:
    """Switch the file to WAL (once: the file keeps it). The switch needs the file to itself, and SQLite refuses it
    at once, without waiting, while another connection of a file still in rollback mode commits its creation; so
    wait and try again, as long as a writer waits for a lock."""
    deadline = time.monotonic() + database.BUSY_SECONDS
    while raw.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        try:
            raw.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _foreign_keys_off(connection: Connection) -> None:
    """SQLite's foreign keys off for this connection while it migrates (it is not pooled: the next one has them on).

    A revision that changes a column SQLite cannot alter copies the table, drops the old one and renames the copy
    (Alembic's batch mode); with foreign keys on, dropping a table that others reference would delete their rows
    (``ON DELETE CASCADE``). SQLite's own procedure for such changes turns them off, which counts only outside a
    transaction, then checks them before the commit (:func:`upgrade`, :func:`_broken_references`)."""
    _driver_connection(connection).execute("PRAGMA foreign_keys = OFF")


def _broken_references(connection: Connection) -> int:
    """How many rows refer to a row that does not exist (SQLite); a revision must not add any."""
    return len(connection.exec_driver_sql("PRAGMA foreign_key_check").all())


def _driver_connection(connection: Connection) -> sqlite3.Connection:
    raw = connection.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    return raw


def lock(connection: Connection, name: str) -> None:
    """On PostgreSQL, take the store's lock until the transaction ends: what ``BEGIN IMMEDIATE`` is on SQLite."""
    connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(name)})


def lock_key(name: str) -> int:
    """A 64-bit advisory lock number of its own for each store."""
    return int.from_bytes(hashlib.sha256(f"ollama-studio:{name}".encode()).digest()[:8], "big", signed=True)
