"""Chats revision 1: conversations and messages as the SQLite-only app made them (PRAGMA user_version 5).

A chats file of that app is brought to version 5 by its old steps (``lib.chat.store.LEGACY_STEPS``) and stamped
with this revision without running it (lib/storage/migrate.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from lib.storage.types import REAL

revision = "chats_0001"
down_revision: str | None = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
        sa.Column("owner", sa.Text),
        sa.Column("title", sa.Text, nullable=False, server_default=""),
        sa.Column("model", sa.Text, nullable=False, server_default=""),
        sa.Column("system", sa.Text, nullable=False, server_default=""),
        sa.Column("options", sa.Text, nullable=False, server_default="{}"),
        sa.Column("keep_alive", sa.Text),
        sa.Column("think", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", REAL, nullable=False),
        sa.Column("updated_at", REAL, nullable=False),
        sa.Column("tools", sa.Text),
        sa.Column("format", sa.Text),
        sa.Column("server", sa.Text, nullable=False, server_default=""),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
        sa.Column("conversation_id", sa.Integer, sa.ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
        sa.Column("role", sa.Text, sa.CheckConstraint("role IN ('user', 'assistant')"), nullable=False),
        sa.Column("content", sa.Text, nullable=False, server_default=""),
        sa.Column("thinking", sa.Text, nullable=False, server_default=""),
        sa.Column("images", sa.Text, nullable=False, server_default="[]"),
        sa.Column("stats", sa.Text),
        sa.Column("status", sa.Text, nullable=False, server_default="done"),
        sa.Column("error", sa.Text, nullable=False, server_default=""),
        sa.Column("model", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", REAL, nullable=False),
        sa.Column("grounding", sa.Text),
        sa.Column("tools", sa.Text),
        sa.Column("format", sa.Text),
        sa.Column("server", sa.Text, nullable=False, server_default=""),
        sqlite_autoincrement=True,
    )
    op.create_index("messages_by_conversation", "messages", ["conversation_id", "id"])
    op.create_index("conversations_by_update", "conversations", ["updated_at"])
    op.create_index("conversations_by_owner", "conversations", ["owner", "updated_at"])


def downgrade() -> None:
    op.drop_index("conversations_by_owner", table_name="conversations")
    op.drop_index("conversations_by_update", table_name="conversations")
    op.drop_index("messages_by_conversation", table_name="messages")
    op.drop_table("messages")
    op.drop_table("conversations")
