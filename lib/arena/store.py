"""Saved battles, votes and audience rooms in SQLite (standard library ``sqlite3``, WAL mode).

The same patterns as the chats' store (:mod:`lib.chat.store`): every operation opens its own
connection and runs in one ``BEGIN IMMEDIATE`` transaction, ``busy_timeout`` makes a second
writer wait its turn instead of failing, and ``PRAGMA user_version`` is the schema version.
A vote is one ``INSERT … ON CONFLICT DO NOTHING`` on ``UNIQUE(battle_id, voter)``, checked in
the same transaction as the room's state: ten voters voting in the same second all count, a
vote sent twice counts once (the first stands), and a vote cannot slip in after the room closed.

Every battle and room has an owner (a person: :mod:`lib.access.visitor`). A store built for an
owner reads and changes that owner's battles, votes and rooms only: an id or a code that belongs
to someone else behaves as one that does not exist. The only calls that cross owners are those
a room's voters make with the room's code (:meth:`ArenaStore.room`, :meth:`ArenaStore.room_vote`,
:meth:`ArenaStore.voter_choice`, :meth:`ArenaStore.tally`), and they reveal nothing but the
voting on a room's current battle. Without an owner (tests and maintenance tools) a store sees
everything and saves without owner.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from dataclasses import dataclass
from typing import Any

from lib.arena.records import LETTERS, MAX_CONTESTANTS, MIN_CONTESTANTS, Battle, Contestant, Vote
from lib.chat import store as chat_store
from lib.chat import validation
from lib.ollama.stats import RunStats
from lib.sqlite_store import SqliteStore

FILE_NAME = "arena.sqlite3"
SCHEMA_VERSION = 1

# Upper-case letters and digits a reader cannot confuse on a projector or a phone: no 0/O, no 1/I/L.
ROOM_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
ROOM_CODE_LENGTH = 6
_CODE_ATTEMPTS = 20  # 31**6 codes: a clash is already rare, twenty in a row never happens

_SCHEMA = """
CREATE TABLE IF NOT EXISTS rooms (
    code TEXT PRIMARY KEY,
    owner TEXT,
    created_at REAL NOT NULL,
    closed_at REAL,
    current_battle INTEGER REFERENCES battles(id) ON DELETE SET NULL
);
CREATE TABLE IF NOT EXISTS battles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner TEXT,
    prompt TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT '[]',
    room TEXT REFERENCES rooms(code),
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS contestants (
    battle_id INTEGER NOT NULL REFERENCES battles(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    letter TEXT NOT NULL,
    model TEXT NOT NULL DEFAULT '',
    settings TEXT NOT NULL DEFAULT '{}',
    content TEXT NOT NULL DEFAULT '',
    thinking TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'done',
    error TEXT NOT NULL DEFAULT '',
    stats TEXT,
    size INTEGER,
    PRIMARY KEY (battle_id, position)
);
CREATE TABLE IF NOT EXISTS votes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    battle_id INTEGER NOT NULL REFERENCES battles(id) ON DELETE CASCADE,
    voter TEXT NOT NULL,
    choice TEXT NOT NULL,
    created_at REAL NOT NULL,
    UNIQUE (battle_id, voter)
);
CREATE INDEX IF NOT EXISTS battles_by_owner ON battles (owner, room, created_at);
CREATE INDEX IF NOT EXISTS rooms_by_owner ON rooms (owner, created_at);
CREATE INDEX IF NOT EXISTS rooms_by_battle ON rooms (current_battle);
"""


class StoreUnavailable(chat_store.StoreUnavailable):
    """The arena's database cannot be opened or created; ``str()`` says where and what to do.

    A kind of the chats' error, so what already catches that one (pages, the entry script) shows this too.
    """


class StoreFailed(chat_store.StoreFailed):
    """A read or write of the arena's database failed once it was open; ``str()`` says so in a sentence.

    A kind of the chats' error, so the entry script shows it under what the page drew.
    """


class NotFound(LookupError):
    """No such battle or room for this owner (never saved, forgotten, or someone else's)."""


class NotVotable(ValueError):
    """A vote the store refuses; ``reason`` (one of the constants below) says why, for the screen to word."""

    UNKNOWN = "unknown"  # no such battle or room for whoever asks
    FAILED = "failed"  # a column of the battle failed: it records no vote
    CLOSED = "closed"  # the battle's room is closed
    NOT_CURRENT = "not_current"  # the battle is not the room's current one (any more)
    CHOICE = "choice"  # not a choice this battle offers

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Room:
    """An audience room: voters who hold its ``code`` see and vote on its ``current_battle``."""

    code: str
    owner: str
    created_at: float
    closed_at: float | None
    current_battle: int | None

    @property
    def closed(self) -> bool:
        return self.closed_at is not None


def normal_code(code: str) -> str | None:
    """A room code as stored (upper case, without surrounding spaces), or None when it cannot be one."""
    code = code.strip().upper() if isinstance(code, str) else ""
    if len(code) == ROOM_CODE_LENGTH and all(character in ROOM_CODE_ALPHABET for character in code):
        return code
    return None


def new_code() -> str:
    return "".join(secrets.choice(ROOM_CODE_ALPHABET) for _ in range(ROOM_CODE_LENGTH))


class ArenaStore(SqliteStore):
    """The arena database at ``path`` (default: ``arena.sqlite3`` in the data folder); holds no connection."""

    FILE_NAME = FILE_NAME
    SCHEMA = _SCHEMA
    SCHEMA_VERSION = SCHEMA_VERSION
    UNAVAILABLE_KEY = "arena_store.unavailable"
    FAILED_KEY = "arena_store.failed"
    UNAVAILABLE = StoreUnavailable
    FAILED = StoreFailed

    # Battles

    def save_battle(self, battle: Battle) -> int:
        """Save ``battle`` under this owner and return its id; ``created_at`` 0 means now.

        Raises :class:`NotFound` when ``battle.room`` is not one of this owner's rooms, and
        ``ValueError`` for a battle of fewer than two or more than four columns or repeated letters.
        """
        letters = [contestant.letter for contestant in battle.contestants]
        if not MIN_CONTESTANTS <= len(letters) <= MAX_CONTESTANTS or len(set(letters)) != len(letters):
            raise ValueError(f"A battle has {MIN_CONTESTANTS} to {MAX_CONTESTANTS} columns with distinct letters.")
        if not set(letters) <= set(LETTERS):
            raise ValueError(f"A column's letter is one of {', '.join(LETTERS)}.")
        room = None
        if battle.room is not None:
            room = normal_code(battle.room)
            if room is None:
                raise NotFound(battle.room)
        with self._transaction() as db:
            if room is not None and self._my_room(db, room) is None:
                raise NotFound(room)
            cursor = db.execute(
                "INSERT INTO battles (owner, prompt, tags, room, created_at) VALUES (?, ?, ?, ?, ?)",
                (
                    self.owner,
                    battle.prompt,
                    json.dumps(list(battle.tags), ensure_ascii=False),
                    room,
                    battle.created_at or time.time(),
                ),
            )
            battle_id = _inserted_id(cursor)
            db.executemany(
                "INSERT INTO contestants (battle_id, position, letter, model, settings, content, thinking, status, "
                "error, stats, size) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        battle_id,
                        position,
                        contestant.letter,
                        contestant.model,
                        json.dumps(contestant.settings, ensure_ascii=False),
                        contestant.content,
                        contestant.thinking,
                        contestant.status,
                        contestant.error,
                        json.dumps(contestant.stats.to_dict()) if contestant.stats else None,
                        contestant.size,
                    )
                    for position, contestant in enumerate(battle.contestants)
                ],
            )
        return battle_id

    def battle(self, battle_id: int) -> Battle | None:
        """This owner's battle ``battle_id``; None when there is none (someone else's included)."""
        with self._transaction() as db:
            return self._my_battle(db, battle_id)

    def battles(self, *, room: str | None = None, tag: str | None = None, since: float | None = None) -> list[Battle]:
        """This owner's battles, oldest first: those of ``room`` (None: those run outside rooms),
        carrying ``tag`` when given, started at ``since`` or later when given."""
        where, parameters = self._battle_filter(room, since)
        with self._transaction() as db:
            rows = db.execute(
                f"SELECT * FROM battles b WHERE {where} ORDER BY b.created_at, b.id", parameters
            ).fetchall()
            columns: dict[int, list[sqlite3.Row]] = {}
            for column in db.execute(
                f"SELECT c.* FROM contestants c JOIN battles b ON b.id = c.battle_id WHERE {where} "
                "ORDER BY c.battle_id, c.position",
                parameters,
            ):
                columns.setdefault(column["battle_id"], []).append(column)
        battles = [_battle(row, columns.get(row["id"], [])) for row in rows]
        return [battle for battle in battles if tag is None or tag in battle.tags]

    def votes(self, *, room: str | None = None, tag: str | None = None, since: float | None = None) -> list[Vote]:
        """The votes on the battles :meth:`battles` gives for the same filters, in the order they were cast."""
        where, parameters = self._battle_filter(room, since)
        with self._transaction() as db:
            rows = db.execute(
                f"SELECT v.*, b.tags FROM votes v JOIN battles b ON b.id = v.battle_id WHERE {where} ORDER BY v.id",
                parameters,
            ).fetchall()
        return [
            Vote(
                row["battle_id"],
                validation.stored_text(row["voter"]),
                validation.stored_text(row["choice"]),
                validation.stored_number(row["created_at"]),
            )
            for row in rows
            if tag is None or tag in _tags(row["tags"])
        ]

    def vote(self, battle_id: int, voter: str, choice: str) -> bool:
        """This owner's vote on their own battle; False when ``voter`` already voted on it (the first vote stands).

        Raises :class:`NotVotable`: an unknown battle (someone else's included), a failed one, one
        whose room is closed, a choice the battle does not offer.
        """
        _check_voter(voter)
        with self._transaction() as db:
            battle = self._my_battle(db, battle_id)
            if battle is None:
                raise NotVotable(NotVotable.UNKNOWN)
            if battle.room is not None:
                room = self._room(db, battle.room)
                if room is not None and room.closed:
                    raise NotVotable(NotVotable.CLOSED)
            return _insert_vote(db, battle, voter, choice)

    def take_over(self, former_owner: str) -> int:
        """Make every battle and room of ``former_owner`` this owner's, in one transaction; returns the battles moved.

        For a visitor who signs in, as :meth:`lib.chat.store.ChatStore.take_over` does for chats;
        votes stay with the battles they were cast on.
        """
        if self.owner is None:
            raise ValueError("Only a store with an owner can take battles over.")
        if not former_owner or former_owner == self.owner:
            return 0
        with self._transaction() as db:
            db.execute("UPDATE rooms SET owner = ? WHERE owner = ?", (self.owner, former_owner))
            return db.execute("UPDATE battles SET owner = ? WHERE owner = ?", (self.owner, former_owner)).rowcount

    def forget(self, *, room: str | None = None) -> int:
        """Delete this owner's battles of ``room`` (None: those outside rooms) and their votes; returns how many."""
        mine, owner = self._mine()
        code = _filter_code(room)
        with self._transaction() as db:
            return db.execute(f"DELETE FROM battles WHERE room IS ? AND {mine}", (code, *owner)).rowcount

    # Rooms, as their presenter sees them

    def open_room(self) -> Room:
        """A new room with a code no other room has, owned by this owner."""
        now = time.time()
        with self._transaction() as db:
            for _attempt in range(_CODE_ATTEMPTS):
                code = new_code()
                inserted = db.execute(
                    "INSERT INTO rooms (code, owner, created_at) VALUES (?, ?, ?) ON CONFLICT (code) DO NOTHING",
                    (code, self.owner, now),
                ).rowcount
                if inserted:
                    return Room(code, self.owner or "", now, None, None)
            raise sqlite3.DatabaseError("no free room code")  # twenty codes in a row taken: something is wrong

    def close_room(self, code: str) -> None:
        """Close this owner's room: it accepts no more votes. Raises :class:`NotFound` for a room that is not theirs."""
        with self._transaction() as db:
            room = self._my_room(db, code)
            if room is None:
                raise NotFound(code)
            db.execute("UPDATE rooms SET closed_at = ? WHERE code = ? AND closed_at IS NULL", (time.time(), room.code))

    def rooms(self) -> list[Room]:
        """This owner's rooms, newest first."""
        mine, owner = self._mine()
        with self._transaction() as db:
            rows = db.execute(
                f"SELECT * FROM rooms WHERE {mine} ORDER BY created_at DESC, rowid DESC", owner
            ).fetchall()
        return [_room(row) for row in rows]

    def show_in_room(self, code: str, battle_id: int | None) -> None:
        """Make ``battle_id`` the room's current battle, the one its voters see and vote on (None: none).

        The room and the battle must be this owner's, and the battle one run in that room;
        otherwise :class:`NotFound`.
        """
        with self._transaction() as db:
            room = self._my_room(db, code)
            if room is None:
                raise NotFound(code)
            if battle_id is not None:
                battle = self._my_battle(db, battle_id)
                if battle is None or battle.room != room.code:
                    raise NotFound(battle_id)
            db.execute("UPDATE rooms SET current_battle = ? WHERE code = ?", (battle_id, room.code))

    # What anyone holding a room's code may do

    def room(self, code: str) -> Room | None:
        """The room with this code, whoever owns it (case-insensitive); None when there is none."""
        with self._transaction() as db:
            return self._room(db, code)

    def room_vote(self, code: str, battle_id: int, voter: str, choice: str) -> bool:
        """A voter's vote in a room; False when ``voter`` already voted on this battle (the first vote stands).

        Only while the room is open and ``battle_id`` is its current battle; otherwise, and for a
        failed battle or a bad choice, raises :class:`NotVotable`.
        """
        _check_voter(voter)
        with self._transaction() as db:
            room = self._room(db, code)
            if room is None:
                raise NotVotable(NotVotable.UNKNOWN)
            if room.closed:
                raise NotVotable(NotVotable.CLOSED)
            if room.current_battle is None or room.current_battle != battle_id:
                raise NotVotable(NotVotable.NOT_CURRENT)
            battle = self._any_battle(db, battle_id)
            if battle is None:
                raise NotVotable(NotVotable.UNKNOWN)
            return _insert_vote(db, battle, voter, choice)

    def voter_choice(self, battle_id: int, voter: str) -> str | None:
        """What ``voter`` chose on the battle, if they voted: on this owner's battles and on any room's
        current battle (a voter's own vote, kept over a reload); None otherwise."""
        with self._transaction() as db:
            if not self._visible(db, battle_id):
                return None
            row = db.execute(
                "SELECT choice FROM votes WHERE battle_id = ? AND voter = ?", (battle_id, voter)
            ).fetchone()
        return validation.stored_text(row["choice"]) if row else None

    def tally(self, battle_id: int) -> dict[str, int]:
        """How many votes each choice has, for this owner's battles and any room's current battle; empty otherwise."""
        with self._transaction() as db:
            if not self._visible(db, battle_id):
                return {}
            rows = db.execute(
                "SELECT choice, COUNT(*) AS n FROM votes WHERE battle_id = ? GROUP BY choice ORDER BY choice",
                (battle_id,),
            ).fetchall()
        return {validation.stored_text(row["choice"]): row["n"] for row in rows}

    # Reading, inside a transaction

    def _my_battle(self, db: sqlite3.Connection, battle_id: int) -> Battle | None:
        mine, owner = self._mine()
        row = db.execute(f"SELECT * FROM battles WHERE id = ? AND {mine}", (battle_id, *owner)).fetchone()
        return _battle(row, self._contestant_rows(db, battle_id)) if row else None

    @staticmethod
    def _any_battle(db: sqlite3.Connection, battle_id: int) -> Battle | None:
        row = db.execute("SELECT * FROM battles WHERE id = ?", (battle_id,)).fetchone()
        return _battle(row, ArenaStore._contestant_rows(db, battle_id)) if row else None

    @staticmethod
    def _contestant_rows(db: sqlite3.Connection, battle_id: int) -> list[sqlite3.Row]:
        return db.execute("SELECT * FROM contestants WHERE battle_id = ? ORDER BY position", (battle_id,)).fetchall()

    def _battle_filter(self, room: str | None, since: float | None) -> tuple[str, list[Any]]:
        """The condition on battles ``b`` (and its parameters) that keeps this owner's of ``room`` since ``since``."""
        mine, owner = self._mine("b.owner")
        where = f"b.room IS ? AND {mine}"
        parameters: list[Any] = [_filter_code(room), *owner]
        if since is not None:
            where += " AND b.created_at >= ?"
            parameters.append(since)
        return where, parameters

    @staticmethod
    def _room(db: sqlite3.Connection, code: str) -> Room | None:
        normal = normal_code(code)
        if normal is None:
            return None
        row = db.execute("SELECT * FROM rooms WHERE code = ?", (normal,)).fetchone()
        return _room(row) if row else None

    def _my_room(self, db: sqlite3.Connection, code: str) -> Room | None:
        room = self._room(db, code)
        if room is None or (self.owner is not None and room.owner != self.owner):
            return None
        return room

    def _visible(self, db: sqlite3.Connection, battle_id: int) -> bool:
        """Whether this owner may see the voting on the battle: theirs, or a room's current battle."""
        mine, owner = self._mine()
        return (
            db.execute(
                f"SELECT 1 FROM battles WHERE id = ? AND ({mine} OR id IN (SELECT current_battle FROM rooms))",
                (battle_id, *owner),
            ).fetchone()
            is not None
        )


def _check_voter(voter: str) -> None:
    if not isinstance(voter, str) or not voter:
        raise ValueError("A vote needs a voter.")


def _insert_vote(db: sqlite3.Connection, battle: Battle, voter: str, choice: str) -> bool:
    if battle.failed:
        raise NotVotable(NotVotable.FAILED)
    if choice not in battle.choices:
        raise NotVotable(NotVotable.CHOICE)
    return (
        db.execute(
            "INSERT INTO votes (battle_id, voter, choice, created_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (battle_id, voter) DO NOTHING",
            (battle.id, voter, choice, time.time()),
        ).rowcount
        == 1
    )


def _filter_code(room: str | None) -> str | None:
    """A room filter as stored; a code that cannot be one matches no battle (never those outside rooms)."""
    if room is None:
        return None
    return normal_code(room) or room


def _inserted_id(cursor: sqlite3.Cursor) -> int:
    if cursor.lastrowid is None:
        raise sqlite3.DatabaseError("the insert returned no row id")
    return cursor.lastrowid


def _tags(text: Any) -> tuple[str, ...]:
    value, problem = validation.stored_json(text, ("tags",))
    if problem is not None or not isinstance(value, list):
        return ()
    return tuple(tag for tag in value if isinstance(tag, str))


def _room(row: sqlite3.Row) -> Room:
    closed_at = row["closed_at"]
    current = row["current_battle"]
    return Room(
        code=validation.stored_text(row["code"]),
        owner=validation.stored_text(row["owner"]),
        created_at=validation.stored_number(row["created_at"]),
        closed_at=None if closed_at is None else validation.stored_number(closed_at),
        current_battle=current if isinstance(current, int) else None,
    )


def _battle(row: sqlite3.Row, contestants: list[sqlite3.Row]) -> Battle:
    """A saved battle, whatever its columns hold (written by hand, a column can hold anything):
    what cannot be read is left out or read as empty."""
    room = row["room"]
    return Battle(
        prompt=validation.stored_text(row["prompt"]),
        contestants=tuple(_contestant(contestant) for contestant in contestants),
        tags=_tags(row["tags"]),
        room=None if room is None else validation.stored_text(room),
        created_at=validation.stored_number(row["created_at"]),
        id=row["id"],
    )


def _contestant(row: sqlite3.Row) -> Contestant:
    settings, problem = validation.stored_json(row["settings"], ("settings",))
    stats: RunStats | None = None
    if row["stats"] is not None:
        raw_stats, stats_problem = validation.stored_json(row["stats"], ("stats",))
        stats = validation.stored_stats(raw_stats)[0] if stats_problem is None else None
    size = row["size"]
    return Contestant(
        letter=validation.stored_text(row["letter"]),
        model=validation.stored_text(row["model"]),
        settings=settings if problem is None and isinstance(settings, dict) else {},
        content=validation.stored_text(row["content"]),
        thinking=validation.stored_text(row["thinking"]),
        status=validation.stored_text(row["status"]),
        error=validation.stored_text(row["error"]),
        stats=stats,
        size=size if isinstance(size, int) and not isinstance(size, bool) and size >= 0 else None,
    )
