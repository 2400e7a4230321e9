"""Column types that compile to what each database needs and compare equal to what is already there.

Most SQLAlchemy types need nothing: ``Integer``, ``Text``, ``LargeBinary`` (BLOB on SQLite, bytea on PostgreSQL).
A NUL character in a text is handled for every column by the PostgreSQL engine (:mod:`lib.storage.database`).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite

REAL = sa.Float().with_variant(sqlite.REAL(), "sqlite")
"""A double (8 bytes) on both: SQLite's ``REAL``, as the SQLite-only app declared its times and scores (so a file of
that app compares equal to the declared tables), and PostgreSQL's ``float`` (double precision; its ``real`` is 4
bytes, too coarse for a time in seconds since 1970)."""
