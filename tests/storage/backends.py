"""The two databases every store is tested on: SQLite (a file in the test's data folder) and PostgreSQL (an empty
database of its own on the session's server, :mod:`tests.storage.postgres`).

The ``backend`` fixture (tests/conftest.py) is parametrized over both and points the app at one through the
environment, as an install is pointed: a store built without a path (``LibraryStore(owner="alice")``) uses it, and
so do pages under AppTest. :meth:`Backend.execute` runs raw SQL on a store's database, for tests that write what the
app never would (damaged rows) or read what it does not show.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from lib.storage import database
from lib.storage.store import Store

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
NAMES = (SQLITE, POSTGRESQL)


@dataclass(frozen=True)
class Backend:
    name: str  # SQLITE or POSTGRESQL
    url: str | None  # the PostgreSQL database's address (with its password); None for SQLite

    def execute(self, store: type[Store], statement: str, **values: Any) -> list[sa.Row[Any]]:
        """``statement`` (named ``:parameters``) in a transaction of its own on ``store``'s database, made ready
        first; the rows it returns, if any."""
        instance = store(url=self.url) if self.url else store()
        instance.ready()
        assert instance.location is not None
        with database.engine(instance.location).begin() as connection:
            result = connection.execute(sa.text(statement), values)
            return list(result) if result.returns_rows else []
