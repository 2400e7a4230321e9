"""Chats revision 2 makes ``think`` TEXT on both databases, keeping every chat, its messages and its ids."""

from __future__ import annotations

import pytest

from lib.chat.store import ChatStore
from tests.storage.backends import SQLITE, Backend
from tests.storage.migrations.chats.revisions import execute, upgrade_to
from tests.storage.schema import columns, differences


@pytest.fixture
def at_revision_1(backend: Backend) -> Backend:
    """Chats at revision 1 with three conversations (think 0, 1, and a level name where SQLite takes one) and a
    message each; the last conversation deleted, so ids up to 4 were used."""
    upgrade_to(ChatStore(), "chats_0001")
    level = "'high'" if backend.name == SQLITE else "1"  # PostgreSQL's INTEGER holds no name
    for think in ("0", "1", level, "0"):
        execute(f"INSERT INTO conversations (think, created_at, updated_at) VALUES ({think}, 1, 1)")
    execute("INSERT INTO messages (conversation_id, role, created_at) SELECT id, 'user', 2 FROM conversations")
    execute("DELETE FROM conversations WHERE id = 4")
    return backend


def test_think_becomes_text_and_nothing_else_changes(at_revision_1: Backend):
    store = ChatStore()
    store.ready()
    rows = at_revision_1.execute(ChatStore, "SELECT id, think FROM conversations ORDER BY id")
    level = "high" if at_revision_1.name == SQLITE else "1"
    assert [tuple(row) for row in rows] == [(1, "0"), (2, "1"), (3, level)]
    assert [store.get(n).think for n in (1, 2, 3)] == [False, True, True if level == "1" else "high"]
    assert [store.count(n) for n in (1, 2, 3)] == [1, 1, 1]  # the copied table's messages stay
    assert ("think", "TEXT", False) in columns(store, "conversations")
    assert differences(store) == []
    assert store.create(store.get(1)) == 5  # no id used before is given again


def test_a_new_chats_default_think_is_off(at_revision_1: Backend):
    ChatStore().ready()
    at_revision_1.execute(ChatStore, "INSERT INTO conversations (created_at, updated_at) VALUES (1, 1)")
    assert at_revision_1.execute(ChatStore, "SELECT think FROM conversations WHERE id = 5") == [("0",)]
