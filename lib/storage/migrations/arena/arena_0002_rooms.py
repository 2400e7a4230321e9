"""Arena revision 2: rooms are numbered in the order they were opened, and a room's code is never NULL.

The SQLite-only app listed rooms opened in the same instant by ``rowid``, which PostgreSQL does not have: each room
now keeps its number (the store gives a new room the next one, under the store's write lock). A room of an older
file is numbered by its ``rowid``, that same order.

SQLite lets a ``TEXT PRIMARY KEY`` hold NULL (PostgreSQL's primary key never does), so there the table is made
again with ``code`` NOT NULL, as the declared table has it. Alembic's batch mode cannot do it: it copies into a new
table, drops the old one and renames the copy, and dropping ``rooms`` orphans the battles that name a room (the
foreign keys stay on inside a transaction), which a rename never makes good. So: keep the rows aside, drop the
table with its keys checked at the commit (``defer_foreign_keys``), make the new one and put the rows back (each row
put back is the room its battles name again). On PostgreSQL the column is added, numbered by time and code.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from lib.storage.types import REAL

revision = "arena_0002"
down_revision: str | None = "arena_0001"
branch_labels = None
depends_on = None

COLUMNS = "code, owner, created_at, closed_at, current_battle, number"


def upgrade() -> None:
    if op.get_context().dialect.name != "sqlite":
        op.add_column("rooms", sa.Column("number", sa.Integer))
        op.execute(
            "UPDATE rooms SET number = numbered.n FROM "
            "(SELECT code, row_number() OVER (ORDER BY created_at, code) AS n FROM rooms) AS numbered "
            "WHERE rooms.code = numbered.code"
        )
        return
    op.execute("PRAGMA defer_foreign_keys = ON")  # until the commit
    op.execute("CREATE TABLE rooms_kept AS SELECT rowid AS number, * FROM rooms")
    op.drop_table("rooms")
    op.create_table(
        "rooms",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("owner", sa.Text),
        sa.Column("created_at", REAL, nullable=False),
        sa.Column("closed_at", REAL),
        sa.Column("current_battle", sa.Integer, sa.ForeignKey("battles.id", ondelete="SET NULL")),
        sa.Column("number", sa.Integer),
    )
    op.execute(f"INSERT INTO rooms ({COLUMNS}) SELECT {COLUMNS} FROM rooms_kept")
    op.drop_table("rooms_kept")
    op.create_index("rooms_by_owner", "rooms", ["owner", "created_at"])
    op.create_index("rooms_by_battle", "rooms", ["current_battle"])


def downgrade() -> None:
    op.drop_column("rooms", "number")  # SQLite keeps code NOT NULL: no room has none
