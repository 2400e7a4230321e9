"""Arena revision 3: a contestant's ``size``, a model's size in bytes, is 64-bit on PostgreSQL.

Any model of a few gigabytes passes 2³¹, PostgreSQL's ``integer``; SQLite's INTEGER is 64-bit already, so there
nothing changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "arena_0003"
down_revision: str | None = "arena_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_context().dialect.name != "sqlite":
        op.alter_column("contestants", "size", type_=sa.BigInteger, existing_nullable=True)


def downgrade() -> None:
    if op.get_context().dialect.name != "sqlite":
        op.alter_column("contestants", "size", type_=sa.Integer, existing_nullable=True)
