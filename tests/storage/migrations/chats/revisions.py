"""Bringing the chats tables to one chosen revision (not the newest), to test a revision on its own."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext

from lib.chat.store import ChatStore
from lib.storage import database, migrate


def upgrade_to(store: ChatStore, target: str) -> None:
    """Run the chats revisions up to ``target`` on ``store``'s database (new, or at an older revision)."""
    assert store.location is not None
    script = migrate.scripts(migrate.MIGRATIONS / ChatStore.NAME)

    def steps(revision: Any, _context: MigrationContext) -> Any:
        return script._upgrade_revs(target, revision)

    with database.engine(store.location).connect() as connection, connection.begin():
        options = {"version_table": migrate.version_table(ChatStore.NAME), "fn": steps}
        context = MigrationContext.configure(connection, opts=options)
        with Operations.context(context):
            context.run_migrations()


def execute(statement: str) -> list[sa.Row[Any]]:
    """``statement`` on the chats database of the test (the ``backend``), without bringing it to the newest revision
    first as :meth:`tests.storage.backends.Backend.execute` does; the rows it returns, if any."""
    location = ChatStore().location
    assert location is not None
    with database.engine(location).begin() as connection:
        result = connection.execute(sa.text(statement))
        return list(result) if result.returns_rows else []
