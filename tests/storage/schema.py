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
        return list(compare_metadata(context, metadata))


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
