"""The shared column types compile to what each database needs."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from lib.storage import database
from lib.storage.types import REAL
from tests.storage.backends import Backend


def test_real_is_sqlites_real_and_postgresqls_double():
    assert REAL.compile(dialect=sqlite.dialect()) == "REAL"
    assert REAL.compile(dialect=postgresql.dialect()) == "FLOAT"  # PostgreSQL's float is double precision


def test_real_keeps_a_time_to_the_microsecond(backend: Backend):
    table = sa.Table("times", sa.MetaData(), sa.Column("at", REAL))
    with database.engine(database.location("times.sqlite3")).begin() as connection:
        table.create(connection)
        connection.execute(table.insert().values(at=1_760_000_000.123456))
        assert connection.scalar(sa.select(table.c.at)) == 1_760_000_000.123456
