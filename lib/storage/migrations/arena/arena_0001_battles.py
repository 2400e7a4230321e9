"""Arena revision 1: rooms, battles, contestants and votes as the SQLite-only app made them (PRAGMA user_version 1).

An arena file of that app is stamped with this revision without running it (lib/storage/migrate.py).

A room names its current battle and a battle its room: the two foreign keys make a cycle. SQLite takes both inline
(it checks a reference only when a row is written); PostgreSQL needs the table referred to first, so there the
room's key to its battle (``use_alter``, left out of the ``CREATE TABLE``) is added once both tables exist.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from lib.storage.types import REAL

revision = "arena_0001"
down_revision: str | None = None
branch_labels = None
depends_on = None

ROOM_BATTLE_KEY = "rooms_current_battle_fkey"  # PostgreSQL's own name for it, had it been made inline


def upgrade() -> None:
    op.create_table(
        "rooms",
        sa.Column("code", sa.Text, primary_key=True, nullable=True),  # SQLite's TEXT PRIMARY KEY admits NULL: see 2
        sa.Column("owner", sa.Text),
        sa.Column("created_at", REAL, nullable=False),
        sa.Column("closed_at", REAL),
        sa.Column("current_battle", sa.Integer, sa.ForeignKey("battles.id", ondelete="SET NULL", use_alter=True)),
    )
    op.create_table(
        "battles",
        sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
        sa.Column("owner", sa.Text),
        sa.Column("prompt", sa.Text, nullable=False, server_default=""),
        sa.Column("tags", sa.Text, nullable=False, server_default="[]"),
        sa.Column("room", sa.Text, sa.ForeignKey("rooms.code")),
        sa.Column("created_at", REAL, nullable=False),
        sqlite_autoincrement=True,
    )
    if op.get_context().dialect.supports_alter:  # PostgreSQL: the key SQLite made inline
        op.create_foreign_key(ROOM_BATTLE_KEY, "rooms", "battles", ["current_battle"], ["id"], ondelete="SET NULL")
    op.create_table(
        "contestants",
        sa.Column("battle_id", sa.Integer, sa.ForeignKey("battles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("letter", sa.Text, nullable=False),
        sa.Column("model", sa.Text, nullable=False, server_default=""),
        sa.Column("settings", sa.Text, nullable=False, server_default="{}"),
        sa.Column("content", sa.Text, nullable=False, server_default=""),
        sa.Column("thinking", sa.Text, nullable=False, server_default=""),
        sa.Column("status", sa.Text, nullable=False, server_default="done"),
        sa.Column("error", sa.Text, nullable=False, server_default=""),
        sa.Column("stats", sa.Text),
        sa.Column("size", sa.Integer),
        sa.PrimaryKeyConstraint("battle_id", "position"),
    )
    op.create_table(
        "votes",
        sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
        sa.Column("battle_id", sa.Integer, sa.ForeignKey("battles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("voter", sa.Text, nullable=False),
        sa.Column("choice", sa.Text, nullable=False),
        sa.Column("created_at", REAL, nullable=False),
        sa.UniqueConstraint("battle_id", "voter"),
        sqlite_autoincrement=True,
    )
    op.create_index("battles_by_owner", "battles", ["owner", "room", "created_at"])
    op.create_index("rooms_by_owner", "rooms", ["owner", "created_at"])
    op.create_index("rooms_by_battle", "rooms", ["current_battle"])


def downgrade() -> None:
    op.drop_table("votes")
    op.drop_table("contestants")
    if op.get_context().dialect.supports_alter:
        op.drop_constraint(ROOM_BATTLE_KEY, "rooms", type_="foreignkey")
    op.drop_table("battles")
    op.drop_table("rooms")
