"""A revision that fails half way: the table it made first must not stay."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "broken_0001"
down_revision: str | None = None


def upgrade() -> None:
    op.create_table("notes", sa.Column("id", sa.Integer, primary_key=True))
    op.execute("UPDATE no_such_table SET x = 1")


def downgrade() -> None:
    op.drop_table("notes")
