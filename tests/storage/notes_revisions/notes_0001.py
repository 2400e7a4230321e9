"""The test store's revision 1: what its legacy SQLite file holds at PRAGMA version 2.

No IF NOT EXISTS anywhere: creating twice fails, and the insert counts the creations.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "notes_0001"
down_revision: str | None = None


def upgrade() -> None:
    op.create_table(
        "notes",
        sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
        sa.Column("owner", sa.Text),
        sa.Column("text", sa.Text, nullable=False, unique=True),
        sa.Column("step", sa.Text),
        sqlite_autoincrement=True,
    )
    creations = op.create_table("creations", sa.Column("at", sa.Integer))
    op.bulk_insert(creations, [{"at": 1}])


def downgrade() -> None:
    op.drop_table("creations")
    op.drop_table("notes")
