"""Column types that compile to what each database needs and compare equal to what is already there.

Most SQLAlchemy types need nothing: ``Integer``, ``Text``, ``LargeBinary`` (BLOB on SQLite, bytea on PostgreSQL).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite

REAL = sa.Float().with_variant(sqlite.REAL(), "sqlite")
"""A double (8 bytes) on both: SQLite's ``REAL``, as the SQLite-only app declared its times and scores (so a file of
that app compares equal to the declared tables), and PostgreSQL's ``float`` (double precision; its ``real`` is 4
bytes, too coarse for a time in seconds since 1970)."""


class Text(sa.types.TypeDecorator[str]):
    """``TEXT`` on both databases, for text a store does not control (model output, file contents, imports).

    PostgreSQL's text cannot hold the character NUL (U+0000) and refuses the whole write; SQLite keeps it. So on
    PostgreSQL a NUL is saved as U+FFFD (the replacement character, which is also how a store reads text that is
    not UTF-8), instead of an answer failing to save. It compares equal to ``TEXT`` (the revisions use
    ``sa.Text``).
    """

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: sa.Dialect) -> str | None:
        if isinstance(value, str) and dialect.name != "sqlite" and "\x00" in value:
            return value.replace("\x00", "\ufffd")
        return value


TEXT = Text()
