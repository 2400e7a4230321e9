"""Chats revision 1 makes, on both databases, the tables the SQLite-only app made (PRAGMA user_version 5)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy as sa

from lib.chat.store import ChatStore
from tests.storage.backends import Backend
from tests.storage.migrations.chats.revisions import execute, upgrade_to
from tests.storage.schema import columns

FIXTURE = Path(__file__).parents[2] / "fixtures" / "v_current" / "chats.sqlite3"


def legacy_columns(table: str) -> list[tuple[str, str, bool]]:
    """``table``'s columns in a file of the SQLite-only app: name, declared type, whether it may be NULL."""
    with closing(sqlite3.connect(FIXTURE)) as db:
        return [(row[1], row[2], not row[3] and not row[5]) for row in db.execute(f"PRAGMA table_info({table})")]


TYPES = {"INTEGER": {"INTEGER"}, "TEXT": {"TEXT"}, "REAL": {"REAL", "DOUBLE_PRECISION"}}


@pytest.mark.parametrize("table", ["conversations", "messages"])
def test_revision_1_makes_the_tables_of_the_sqlite_only_app(backend: Backend, table: str):
    store = ChatStore()
    upgrade_to(store, "chats_0001")
    made = columns(store, table)
    assert [(name, nullable) for name, _type, nullable in made] == [
        (name, nullable) for name, _type, nullable in legacy_columns(table)
    ]
    for (_name, made_type, _), (_, legacy_type, _) in zip(made, legacy_columns(table), strict=True):
        assert made_type in TYPES[legacy_type]
    assert execute("SELECT version_num FROM alembic_version_chats") == [("chats_0001",)]


def test_revision_1_deletes_a_chats_messages_with_it_and_refuses_another_role(backend: Backend):
    upgrade_to(ChatStore(), "chats_0001")
    new = execute("INSERT INTO conversations (created_at, updated_at) VALUES (1.5, 1.5) RETURNING id, think, options")
    assert new == [(1, 0, "{}")]  # ids from 1, the defaults
    execute("INSERT INTO messages (conversation_id, role, created_at) VALUES (1, 'user', 2)")
    with pytest.raises(sa.exc.IntegrityError, match=r"(?i)check"):
        execute("INSERT INTO messages (conversation_id, role, created_at) VALUES (1, 'tool', 2)")
    execute("DELETE FROM conversations")
    assert execute("SELECT COUNT(*) FROM messages") == [(0,)]
