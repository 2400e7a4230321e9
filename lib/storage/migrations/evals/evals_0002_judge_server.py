"""Evals revision 2: ``runs.judge_server``, the base URL of the server the run's judge grades on.

A run's candidates keep their servers in its ``candidates`` JSON; its judge's server was not saved, so a run
resumed later, reopened in another session or exported did not know where it was judged. Existing runs get ""
(the sidebar's server, as a candidate saved without a server: :meth:`lib.evals.records.Run.placed`).

ADD COLUMN with a constant default is a plain ALTER TABLE on both databases: no table is copied, every row and
id stays as it was.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "evals_0002"
down_revision: str | None = "evals_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("runs", sa.Column("judge_server", sa.Text, nullable=False, server_default=""))


def downgrade() -> None:
    op.drop_column("runs", "judge_server")  # SQLite has DROP COLUMN since 3.35
