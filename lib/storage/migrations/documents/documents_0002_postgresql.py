"""Documents revision 2: what PostgreSQL needs that SQLite did not.

- A vectors' ``stamp`` (``secrets.randbits(62)``) and a document's ``size`` in bytes pass 2³¹: ``bigint`` on
  PostgreSQL. SQLite's ``INTEGER`` holds 64 bits already, so a SQLite file keeps its tables as they are (no copy of
  every vector for nothing).
- The attachments of a conversation were listed in ``rowid`` order, which PostgreSQL has not: ``position`` keeps
  that order in a column. A SQLite file's attachments get their rowid, so they keep the order they had; the store
  numbers new ones after the conversation's last.
- SQLite let ``changes.owner TEXT PRIMARY KEY`` hold NULL (a quirk SQLite keeps for old files; PostgreSQL's keys
  are never NULL): a SQLite file's small ``changes`` table is copied into one whose owner is NOT NULL. The store
  never wrote a NULL owner there (a store without owner counts under ""); a row with none (a file edited by hand)
  is a counter no store reads, and goes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "documents_0002"
down_revision: str | None = "documents_0001"
branch_labels = None
depends_on = None

_WIDENED = (("documents", "size"), ("vectors", "stamp"))


def upgrade() -> None:
    sqlite = op.get_context().dialect.name == "sqlite"
    if not sqlite:
        for table, column in _WIDENED:
            op.alter_column(table, column, type_=sa.BigInteger(), existing_type=sa.Integer(), existing_nullable=False)
    op.add_column("attachments", sa.Column("position", sa.Integer, nullable=False, server_default="0"))
    if sqlite:
        op.execute("UPDATE attachments SET position = rowid")
        op.execute("DELETE FROM changes WHERE owner IS NULL")
        with op.batch_alter_table("changes", recreate="always") as batch:
            batch.alter_column("owner", existing_type=sa.Text(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("attachments") as batch:  # SQLite drops a column by copying the table
        batch.drop_column("position")
    if op.get_context().dialect.name != "sqlite":
        for table, column in _WIDENED:
            op.alter_column(table, column, type_=sa.Integer(), existing_type=sa.BigInteger(), existing_nullable=False)
