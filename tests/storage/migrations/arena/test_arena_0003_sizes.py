"""Arena revision 3 lets a contestant's size pass 2³¹ bytes on PostgreSQL (SQLite's INTEGER always did)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lib.arena.store import ArenaStore
from lib.storage import migrate
from tests.storage.backends import SQLITE, Backend
from tests.storage.migrations.arena.test_arena_0001_battles import store_at

SIZE = 42_520_412_160  # a 70B model, in bytes
INSERT = "INSERT INTO contestants (battle_id, position, letter, size) VALUES (1, :position, 'A', :size)"


def test_revision_3_makes_sizes_64_bit(backend: Backend, tmp_path, monkeypatch):
    older = store_at("arena_0002", tmp_path / "revisions")
    backend.execute(older, "INSERT INTO battles (owner, created_at) VALUES ('a', 1)")
    backend.execute(older, INSERT, position=0, size=2**31 - 1)
    if backend.name != SQLITE:
        with pytest.raises(sa.exc.DataError, match="out of range"):  # PostgreSQL's integer is 32-bit
            backend.execute(older, INSERT, position=1, size=SIZE)
    monkeypatch.setattr(migrate, "_done", set())  # this process took the database to revision 2 only
    backend.execute(ArenaStore, INSERT, position=1, size=SIZE)
    assert backend.execute(ArenaStore, "SELECT size FROM contestants ORDER BY position") == [(2**31 - 1,), (SIZE,)]
    assert backend.execute(ArenaStore, "SELECT version_num FROM alembic_version_arena") == [("arena_0003",)]
