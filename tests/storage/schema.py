"""Whether a migrated database holds exactly the tables a store declares (Alembic's compare_metadata)."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from lib.storage import database
from lib.storage.store import Store


def differences(store: Store) -> list[Any]:
    """What Alembic would change to make ``store``'s database match its :attr:`Store.METADATA`: [] when equal.

    Tables of other stores and the version tables are left out (every store may share one database).
    """
    store.ready()
    assert store.location is not None
    metadata = store.METADATA

    def ours(name: str | None, kind: str, _parents: Any) -> bool:
        return kind != "table" or name in metadata.tables

    with database.engine(store.location).connect() as connection:
        # Alembic's own comparison of defaults on PostgreSQL (a function of ours there fails on identity columns).
        defaults = _same_default if connection.dialect.name == "sqlite" else True
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": defaults, "include_name": ours}
        )
        found = list(compare_metadata(context, metadata))
        if connection.dialect.name == "sqlite":
            found = _without_unread_fk_options(connection, found)
        return found


def _without_unread_fk_options(connection: sa.Connection, found: list[Any]) -> list[Any]:
    """Leave out a foreign key Alembic reports as changed only because SQLAlchemy reads no ON DELETE/ON UPDATE from
    a SQLite column that declares its reference inline (``conversation_id INTEGER REFERENCES conversations(id) ON
    DELETE CASCADE``, as the SQLite-only app wrote them), when SQLite itself (``PRAGMA foreign_key_list``) has the
    declared actions."""
    removed = [change[1] for change in found if change[0] == "remove_fk"]
    added = [change[1] for change in found if change[0] == "add_fk"]
    same: set[int] = set()
    for old in removed:
        for new in added:
            if _fk_key(old) == _fk_key(new) and _sqlite_actions(connection, old) == _declared_actions(new):
                same |= {id(old), id(new)}
    return [change for change in found if change[0] not in ("remove_fk", "add_fk") or id(change[1]) not in same]


def _fk_key(constraint: sa.ForeignKeyConstraint) -> tuple[str, tuple[str, ...], str, tuple[str, ...]]:
    return (
        constraint.parent.name,
        tuple(column.name for column in constraint.columns),
        constraint.referred_table.name,
        tuple(element.column.name for element in constraint.elements),
    )


def _sqlite_actions(connection: sa.Connection, constraint: sa.ForeignKeyConstraint) -> set[tuple[str, str, str]]:
    table, columns, referred, _ = _fk_key(constraint)
    rows = connection.exec_driver_sql(f'PRAGMA foreign_key_list("{table}")').all()
    return {(row[3], row[5], row[6]) for row in rows if row[2] == referred and row[3] in columns}


def _declared_actions(constraint: sa.ForeignKeyConstraint) -> set[tuple[str, str, str]]:
    return {
        (column.name, (constraint.onupdate or "NO ACTION").upper(), (constraint.ondelete or "NO ACTION").upper())
        for column in constraint.columns
    }


def _same_default(
    _context: MigrationContext,
    _inspected_column: Any,
    _metadata_column: Any,
    inspected: str | None,
    metadata: Any,
    rendered: str | None,
) -> bool | None:
    """On SQLite: False where Alembic's own comparison errs, None (compare as Alembic does) elsewhere. SQLite has no
    identity (the table's AUTOINCREMENT is what the declared ``Identity()`` compiles to there), and Alembic's SQLite
    comparison does not unquote an empty string (``''``)."""
    if isinstance(metadata, sa.Identity):
        return False
    if inspected is not None and rendered is not None and _unquoted(inspected) == _unquoted(rendered) == "":
        return False
    return None


def _unquoted(default: str) -> str:
    return re.sub(r"^'(.*)'$", r"\1", re.sub(r"^\((.*)\)$", r"\1", default))


def columns(store: Store, table: str) -> list[tuple[str, str, bool]]:
    """``table``'s columns as the database reports them: name, type's class, nullable."""
    assert store.location is not None
    with database.engine(store.location).connect() as connection:
        inspector = sa.inspect(connection)
        return [
            (column["name"], type(column["type"]).__name__, column["nullable"])
            for column in inspector.get_columns(table)
        ]
