"""Arena revision 2 numbers the rooms in the order they were opened and makes a room's code NOT NULL on SQLite
too, keeping every room, its battles and both foreign keys."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lib.arena.store import ArenaStore
from lib.storage import migrate
from tests.storage.backends import SQLITE, Backend
from tests.storage.migrations.arena.test_arena_0001_battles import foreign_keys, store_at
from tests.storage.schema import columns, differences

# Opened in this order, at these times: QQQQQQ and AAAAAA in the same instant.
ROOMS = (("QQQQQQ", 20.0), ("AAAAAA", 20.0), ("ZZZZZZ", 10.0))
ROWS = "SELECT code, owner, created_at, closed_at, current_battle FROM rooms ORDER BY code"


def test_revision_2_numbers_the_rooms_and_keeps_them_and_their_battles(backend: Backend, tmp_path, monkeypatch):
    older = store_at("arena_0001", tmp_path / "revisions")
    for code, opened in ROOMS:
        backend.execute(older, "INSERT INTO rooms (code, owner, created_at) VALUES (:c, 'a', :t)", c=code, t=opened)
    backend.execute(older, "INSERT INTO battles (owner, room, created_at) VALUES ('a', 'AAAAAA', 30)")
    backend.execute(older, "UPDATE rooms SET current_battle = 1, closed_at = 40 WHERE code = 'AAAAAA'")
    before = backend.execute(older, ROWS)

    monkeypatch.setattr(migrate, "_done", set())  # this process took the database to revision 1 only
    store = ArenaStore(owner="a")
    store.ready()
    assert backend.execute(ArenaStore, ROWS) == before
    numbers = dict(backend.execute(ArenaStore, "SELECT code, number FROM rooms"))
    if backend.name == SQLITE:  # the rowid: the order they were opened in, as the SQLite-only app listed them
        assert numbers == {"QQQQQQ": 1, "AAAAAA": 2, "ZZZZZZ": 3}
        assert [room.code for room in store.rooms()] == ["AAAAAA", "QQQQQQ", "ZZZZZZ"]
    else:  # no rowid: by time, then code
        assert numbers == {"ZZZZZZ": 1, "AAAAAA": 2, "QQQQQQ": 3}
        assert [room.code for room in store.rooms()] == ["QQQQQQ", "AAAAAA", "ZZZZZZ"]
    assert [nullable for name, _type, nullable in columns(store, "rooms") if name == "code"] == [False]
    assert foreign_keys(store) >= {
        ("rooms", "current_battle", "battles", "SET NULL"),
        ("battles", "room", "rooms", "NO ACTION"),
    }
    assert differences(store) == []
    # The keys still act: a forgotten battle leaves its room's screen, a battle names only a room that exists.
    assert store.forget(room="AAAAAA") == 1
    room = store.room("AAAAAA")
    assert room is not None and room.current_battle is None
    with pytest.raises(sa.exc.IntegrityError):
        backend.execute(ArenaStore, "INSERT INTO battles (owner, room, created_at) VALUES ('a', 'NOROOM', 1)")
    with pytest.raises(sa.exc.IntegrityError):
        backend.execute(ArenaStore, "INSERT INTO rooms (owner, created_at) VALUES ('a', 1)")  # a code it must have
