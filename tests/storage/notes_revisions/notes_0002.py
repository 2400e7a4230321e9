"""The test store's revision 2: ``owner`` becomes NOT NULL (SQLite cannot alter a column: batch mode copies the
table), and ``step`` records that the revision ran."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "notes_0002"
down_revision = "notes_0001"


def upgrade() -> None:
    op.execute("UPDATE notes SET owner = '' WHERE owner IS NULL")
    op.execute("UPDATE notes SET step = COALESCE(step, '') || ' r2'")
    # The copy keeps AUTOINCREMENT only when told: batch mode reflects the table, and SQLite does not report it.
    with op.batch_alter_table("notes", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.alter_column("owner", existing_type=sa.Text, nullable=False, server_default="")


def downgrade() -> None:
    with op.batch_alter_table("notes", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.alter_column("owner", existing_type=sa.Text, nullable=True, server_default=None)
