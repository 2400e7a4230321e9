"""``python -m lib.storage.copy``: an install's SQLite files copied into the shared PostgreSQL database.

For an install that moves from SQLite (the default) to ``OLLAMA_STUDIO_DATABASE_URL``: every row of every store in
:data:`STORES` (the stores on :mod:`lib.storage`) is copied from its file in the data folder into the database
(``--from`` and ``--to`` name others). Ids are kept, so links such as ``/chat?chat=12`` open the same chat, and
PostgreSQL's id sequences go on after every id the file ever gave (SQLite's AUTOINCREMENT never gives a deleted
chat's id again; nor does the database then).

The files are not changed: each is read from a copy (SQLite's backup, consistent even while the app writes),
brought to the newest revision there. A database whose tables already hold rows is refused before anything is
copied; each store is copied in one transaction, so a failure leaves none of its rows behind. What SQLite let other
programs write and PostgreSQL refuses is copied as the app reads it: bytes in a text column as text (invalid UTF-8
replaced), a time that is not a number as NaN.
"""

from __future__ import annotations

import argparse
import math
import os
import sqlite3
import sys
import tempfile
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lib.arena.store import ArenaStore
from lib.chat.store import ChatStore
from lib.documents.store import DocumentStore
from lib.evals.store import EvalStore
from lib.i18n import t_plain
from lib.library.store import LibraryStore
from lib.storage import database, migrate
from lib.storage.database import DATA_DIR_ENV, DATABASE_URL_ENV, BadDatabaseUrl
from lib.storage.store import Store

STORES: tuple[type[Store], ...] = (ChatStore, LibraryStore, DocumentStore, ArenaStore, EvalStore)
"""Every store, whose files this copies."""
BATCH = 500  # rows read and written at a time


class CopyRefused(Exception):
    """The copy cannot be made (a database that holds rows, a file that fails); ``str()`` says so in a sentence."""


@dataclass(frozen=True)
class Copied:
    """One store's file: how many rows of each table were copied; None when the folder had no such file."""

    file: str
    rows: dict[str, int] | None


def copy_stores(folder: Path, url: str, stores: Sequence[type[Store]] = STORES) -> list[Copied]:
    """Copy each store's file in ``folder`` into the PostgreSQL database at ``url``; what was copied, store by store.

    Raises :class:`CopyRefused` (and copies nothing) when a table of the database holds rows, the store's
    ``UNAVAILABLE`` when the database cannot be used, and :class:`CopyRefused` for a store whose copy failed (the
    stores before it stay copied).
    """
    targets = [store(url=url) for store in stores]
    for target in targets:
        target.ready()
        with _connection(target) as connection:
            _refuse_rows(connection, target)
    copied: list[Copied] = []
    with tempfile.TemporaryDirectory(prefix="studio-copy-") as scratch:
        for target in targets:
            store = type(target)
            file = folder / store.FILE_NAME
            if not file.exists():
                copied.append(Copied(store.FILE_NAME, None))
                continue
            snapshot = Path(scratch) / store.FILE_NAME
            try:
                _snapshot(file, snapshot)
                source = store(snapshot)
                source.ready()
                rows = _copy(source, target)
            except (sqlite3.Error, sa.exc.SQLAlchemyError, store.UNAVAILABLE) as error:
                assert target.location is not None
                raise CopyRefused(
                    t_plain("storage_copy.failed", file=file, error=database.error_text(error, target.location))
                ) from error
            copied.append(Copied(store.FILE_NAME, rows))
    return copied


def left_behind(folder: Path, stores: Sequence[type[Store]] = STORES) -> list[str]:
    """The SQLite files in ``folder`` of stores not kept in the database yet (arena, evals, documents, …)."""
    copied = {store.FILE_NAME for store in stores}
    return sorted(path.name for path in folder.glob("*.sqlite3") if path.name not in copied)


def _connection(store: Store) -> Connection:
    assert store.location is not None
    return database.engine(store.location).connect()


def _refuse_rows(connection: Connection, store: Store) -> None:
    for table in store.METADATA.sorted_tables:
        if connection.scalar(sa.select(sa.literal(1)).select_from(table).limit(1)) is not None:
            assert store.location is not None
            raise CopyRefused(
                t_plain("storage_copy.not_empty", table=table.name, database=database.shown(store.location))
            )


def _snapshot(file: Path, snapshot: Path) -> None:
    """A consistent copy of a SQLite file, the part still in its WAL included; the file is only read."""
    with closing(sqlite3.connect(file)) as source, closing(sqlite3.connect(snapshot)) as copy:
        source.backup(copy)


def _copy(source: Store, target: Store) -> dict[str, int]:
    """Every row of ``source``'s tables into ``target``'s (empty) ones, in one transaction holding the store's lock."""
    assert source.location is not None and target.location is not None
    counts: dict[str, int] = {}
    with closing(_connection(source)) as reading:
        reading.execution_options(**{database.WRITE: False})
        with database.engine(target.location).begin() as writing:
            migrate.lock(writing, type(target).NAME)
            _refuse_rows(writing, target)
            tables = target.METADATA.sorted_tables
            later: list[tuple[sa.Table, list[str], list[dict[str, Any]]]] = []
            for position, table in enumerate(tables):
                counts[table.name] = 0
                ahead = _ahead(table, tables[position:])
                result = reading.execute(sa.select(table).order_by(*table.primary_key.columns))
                for rows in result.mappings().partitions(BATCH):
                    storable = [_storable(table, row) for row in rows]
                    writing.execute(table.insert(), [{**row, **dict.fromkeys(ahead)} for row in storable])
                    if ahead:
                        later.append((table, ahead, storable))
                    counts[table.name] += len(rows)
            for table, ahead, pending in later:
                _link(writing, table, ahead, pending)
            _continue_ids(writing, target.METADATA, _used_ids(reading))
    return counts


def _storable(table: sa.Table, row: sa.RowMapping) -> dict[str, Any]:
    """A row as PostgreSQL takes it, read as the app reads it: text that SQLite kept as bytes decoded (invalid
    UTF-8 replaced), a time that is not a number NaN."""
    values = dict(row)
    for column in table.columns:
        value = values[column.name]
        if isinstance(value, bytes) and isinstance(column.type, sa.String | sa.types.TypeDecorator):
            values[column.name] = value.decode("utf-8", "replace")
        elif isinstance(column.type, sa.Float) and value is not None and not _number(value):
            values[column.name] = math.nan
    return values


def _ahead(table: sa.Table, remaining: Sequence[sa.Table]) -> list[str]:
    """The columns of ``table`` that refer to a table not copied yet (itself included): the arena's rooms name their
    current battle, and battles their room. They are copied as NULL, then set once every row is in (:func:`_link`)."""
    names = {other.name for other in remaining}
    return [key.parent.name for key in table.foreign_keys if key.column.table.name in names]


def _link(writing: Connection, table: sa.Table, ahead: list[str], rows: list[dict[str, Any]]) -> None:
    keys = list(table.primary_key.columns)
    for row in rows:
        values = {name: row[name] for name in ahead if row[name] is not None}
        if values:
            where = sa.and_(*(key == row[key.name] for key in keys))
            writing.execute(table.update().where(where).values(values))


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _used_ids(reading: Connection) -> dict[str, int]:
    """The highest id SQLite ever gave in each AUTOINCREMENT table, deleted rows' included."""
    if reading.scalar(sa.text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")) is None:
        return {}
    return {str(name): int(seq) for name, seq in reading.exec_driver_sql("SELECT name, seq FROM sqlite_sequence")}


def _continue_ids(writing: Connection, metadata: sa.MetaData, used: dict[str, int]) -> None:
    """Set each identity column's sequence past the highest id copied or ever given by the file."""
    for table in metadata.sorted_tables:
        for column in table.primary_key.columns:
            if column.identity is None:
                continue
            highest = writing.scalar(sa.select(sa.func.coalesce(sa.func.max(column), 0)))
            last = max(int(highest or 0), used.get(table.name, 0))
            writing.execute(
                sa.text("SELECT setval(pg_get_serial_sequence(:table, :column), :value, :called)"),
                {"table": table.name, "column": column.name, "value": max(last, 1), "called": last > 0},
            )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lib.storage.copy", description=t_plain("storage_copy.description"))
    parser.add_argument(
        "--from", dest="folder", type=Path, help=t_plain("storage_copy.from_help", variable=DATA_DIR_ENV)
    )
    parser.add_argument("--to", dest="url", help=t_plain("storage_copy.to_help", variable=DATABASE_URL_ENV))
    arguments = parser.parse_args(argv)
    folder: Path = arguments.folder or database.data_dir()
    url = (arguments.url or os.environ.get(DATABASE_URL_ENV, "")).strip()
    if not url:
        print(t_plain("storage_copy.no_url", variable=DATABASE_URL_ENV), file=sys.stderr)
        return 2
    failures: tuple[type[Exception], ...] = (
        CopyRefused,
        *(store.UNAVAILABLE for store in STORES),
        *(store.FAILED for store in STORES),
    )
    try:
        database.server_url(url)
        copied = copy_stores(folder, url)
    except BadDatabaseUrl as error:
        print(t_plain("storage.bad_url", variable=DATABASE_URL_ENV, scheme=error.scheme or "?"), file=sys.stderr)
        return 2
    except failures as error:
        print(error, file=sys.stderr)
        return 1
    for each in copied:
        if each.rows is None:
            print(t_plain("storage_copy.no_file", file=each.file))
            continue
        rows = ", ".join(t_plain("storage_copy.rows", table=table, n=n) for table, n in each.rows.items())
        print(t_plain("storage_copy.copied", file=each.file, rows=rows))
    left = left_behind(folder)
    if left:
        print(t_plain("storage_copy.left", files=", ".join(left)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
