"""Documents revision 1: the tables as the SQLite-only app made them (PRAGMA user_version 2).

A documents file of that app is stamped with this revision without running it (lib/storage/migrate.py); an older
one (version 1) is first taken to version 2 by the store's legacy step.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from lib.storage.types import REAL

revision = "documents_0001"
down_revision: str | None = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
        sa.Column("owner", sa.Text),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("model", sa.Text, nullable=False),
        sa.Column("passages", sa.Integer, nullable=False, server_default="0"),
        sa.Column("added_at", REAL, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("documents_by_owner", "documents", ["owner", "added_at"])
    op.create_index("documents_by_hash", "documents", ["sha256", "model"])
    op.create_table(
        "passages",
        sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("page", sa.Integer),
        sa.Column("heading", sa.Text, nullable=False, server_default=""),
        sqlite_autoincrement=True,
    )
    op.create_index("passages_by_document", "passages", ["document_id", "position"])
    op.create_table(
        "vectors",
        sa.Column(
            "document_id",
            sa.Integer,
            sa.ForeignKey("documents.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("model", sa.Text, nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("dimensions", sa.Integer, nullable=False),
        sa.Column("stamp", sa.Integer, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "attachments",
        sa.Column("conversation_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column(
            "document_id",
            sa.Integer,
            sa.ForeignKey("documents.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("owner", sa.Text),
        sa.Column("attached_at", REAL, nullable=False),
    )
    op.create_index("attachments_by_document", "attachments", ["document_id"])
    op.create_table(
        "changes",
        sa.Column("owner", sa.Text, primary_key=True),
        sa.Column("generation", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("changes")
    op.drop_index("attachments_by_document", table_name="attachments")
    op.drop_table("attachments")
    op.drop_table("vectors")
    op.drop_index("passages_by_document", table_name="passages")
    op.drop_table("passages")
    op.drop_index("documents_by_hash", table_name="documents")
    op.drop_index("documents_by_owner", table_name="documents")
    op.drop_table("documents")
