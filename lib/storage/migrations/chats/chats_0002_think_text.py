"""Chats revision 2: ``conversations.think`` is TEXT.

It holds "0" or "1" (thinking off or on) or a level's name ("low", "medium", "high"). The SQLite-only app kept
the names in an INTEGER column, which SQLite's type affinity allows and PostgreSQL does not. Existing values
become their text: 0 and 1 "0" and "1", names unchanged.

SQLite cannot change a column's type: the table is copied (Alembic's batch mode) with its AUTOINCREMENT, its
indexes, and its counter of used ids (so an id of a deleted chat is never given again, as before). Its messages
stay: the migration runs with SQLite's foreign keys off (lib/storage/migrate.py), so dropping the old table does
not cascade to them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "chats_0002"
down_revision: str | None = "chats_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column(
            "conversations",
            "think",
            type_=sa.Text,
            existing_type=sa.Integer,
            existing_nullable=False,
            server_default="0",
            postgresql_using="think::text",
        )
        return
    bind = op.get_bind()
    used = bind.scalar(sa.text("SELECT seq FROM sqlite_sequence WHERE name = 'conversations'"))
    with op.batch_alter_table("conversations", recreate="always", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.alter_column(
            "think", type_=sa.Text, existing_type=sa.Integer, existing_nullable=False, server_default="0"
        )
    if used is not None:
        bind.execute(
            sa.text("UPDATE sqlite_sequence SET seq = MAX(seq, :used) WHERE name = 'conversations'"), {"used": used}
        )
        bind.execute(
            sa.text(
                "INSERT INTO sqlite_sequence (name, seq) SELECT 'conversations', :used "
                "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'conversations')"
            ),
            {"used": used},
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column(
            "conversations",
            "think",
            type_=sa.Integer,
            existing_type=sa.Text,
            existing_nullable=False,
            server_default="0",
            postgresql_using="CASE WHEN think IN ('0', '1') THEN think::integer ELSE 1 END",
        )
        return
    with op.batch_alter_table("conversations", recreate="always", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.alter_column(
            "think", type_=sa.Integer, existing_type=sa.Text, existing_nullable=False, server_default="0"
        )
