"""Library revision 1: the items table as the SQLite-only app made it (PRAGMA user_version 1).

A library file of that app is stamped with this revision without running it (lib/storage/migrate.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from lib.storage.types import REAL

revision = "library_0001"
down_revision: str | None = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "items",
        sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
        sa.Column("owner", sa.Text),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False, server_default="{}"),
        sa.Column("updated_at", REAL, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("items_by_owner", "items", ["owner", "kind", "name"])


def downgrade() -> None:
    op.drop_index("items_by_owner", table_name="items")
    op.drop_table("items")
