"""Documents revision 3: each document keeps the server whose embedding model made its vectors.

``documents.server`` is that server's base URL. Documents saved before have "": they were indexed on the server
the app used then, the sidebar's, and are searched there (:meth:`lib.documents.records.Document.placed`). Adding
a column with a default keeps every row and vector as it is, on both databases (SQLite adds it without copying
the table).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "documents_0003"
down_revision: str | None = "documents_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("documents", sa.Column("server", sa.Text, nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("documents", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("server")
