"""Evals revision 1: prompt sets, runs and answers as the SQLite-only app made them (PRAGMA user_version 1).

An evals file of that app is stamped with this revision without running it (lib/storage/migrate.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from lib.storage.types import REAL

revision = "evals_0001"
down_revision: str | None = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sets",
        sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
        sa.Column("owner", sa.Text),
        sa.Column("name", sa.Text, nullable=False, server_default=""),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("prompts", sa.Text, nullable=False, server_default="[]"),
        sa.Column("created_at", REAL, nullable=False),
        sa.Column("updated_at", REAL, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
        sa.Column("owner", sa.Text),
        sa.Column("set_id", sa.Integer),
        sa.Column("prompt_set", sa.Text, nullable=False, server_default="{}"),
        sa.Column("prompt_count", sa.Integer, nullable=False),
        sa.Column("candidates", sa.Text, nullable=False, server_default="[]"),
        sa.Column("candidate_count", sa.Integer, nullable=False),
        sa.Column("judge", sa.Text),
        sa.Column("rubric", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", REAL, nullable=False),
        sa.Column("finished_at", REAL),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "answers",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("prompt_index", sa.Integer, nullable=False),
        sa.Column("candidate_index", sa.Integer, nullable=False),
        sa.Column("content", sa.Text, nullable=False, server_default=""),
        sa.Column("thinking", sa.Text, nullable=False, server_default=""),
        sa.Column("status", sa.Text, nullable=False, server_default="done"),
        sa.Column("error", sa.Text, nullable=False, server_default=""),
        sa.Column("stats", sa.Text),
        sa.Column("seconds", REAL),
        sa.Column("checks", sa.Text, nullable=False, server_default="[]"),
        sa.Column("verdict", sa.Text),
        sa.Column("saved_at", REAL, nullable=False),
        sa.PrimaryKeyConstraint("run_id", "prompt_index", "candidate_index"),
    )
    op.create_index("sets_by_owner", "sets", ["owner", "updated_at"])
    op.create_index("runs_by_owner", "runs", ["owner", "set_id", "created_at"])


def downgrade() -> None:
    op.drop_table("answers")
    op.drop_table("runs")
    op.drop_table("sets")
