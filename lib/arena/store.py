"""Saved battles, votes and audience rooms (SQLite or PostgreSQL, :mod:`lib.storage`).

As every store (:class:`lib.storage.store.Store`), every operation runs in one transaction of its own, and a
write takes the store's write lock at once, so a second writer waits its turn instead of failing. A vote is one
``INSERT … ON CONFLICT DO NOTHING`` on ``UNIQUE(battle_id, voter)`` whose ``RETURNING`` says whether it went in,
checked in the same transaction as the room's state: ten voters voting in the same second all count, a vote sent
twice counts once (the first stands), and a vote cannot slip in after the room closed.

Every battle and room has an owner (a person: :mod:`lib.access.visitor`). A store built for an
owner reads and changes that owner's battles, votes and rooms only: an id or a code that belongs
to someone else behaves as one that does not exist. The only calls that cross owners are those
a room's voters make with the room's code (:meth:`ArenaStore.room`, :meth:`ArenaStore.room_vote`,
:meth:`ArenaStore.voter_choice`, :meth:`ArenaStore.tally`), and they reveal nothing but the
voting on a room's current battle. Without an owner (tests and maintenance tools) a store sees
everything and saves without owner.

The tables are :data:`ROOMS`, :data:`BATTLES`, :data:`CONTESTANTS` and :data:`VOTES`; their revisions are in
``lib/storage/migrations/arena/``.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lib.arena.records import LETTERS, MAX_CONTESTANTS, MIN_CONTESTANTS, Battle, Contestant, Vote
from lib.chat import store as chat_store
from lib.chat import validation
from lib.i18n import t
from lib.ollama.stats import RunStats
from lib.storage.store import Store
from lib.storage.types import REAL

FILE_NAME = "arena.sqlite3"

# Upper-case letters and digits a reader cannot confuse on a projector or a phone: no 0/O, no 1/I/L.
ROOM_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
ROOM_CODE_LENGTH = 6
_CODE_ATTEMPTS = 20  # 31**6 codes: a clash is already rare, twenty in a row never happens

# A model's size in bytes passes 2**31: bigint on PostgreSQL, SQLite's INTEGER (64-bit) as its file always had.
_BYTES = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

METADATA = sa.MetaData()
ROOMS = sa.Table(
    "rooms",
    METADATA,
    sa.Column("code", sa.Text, primary_key=True),
    sa.Column("owner", sa.Text),
    sa.Column("created_at", REAL, nullable=False),
    sa.Column("closed_at", REAL),
    # A room shows one of its battles and a battle names its room: this key closes the cycle (made last).
    sa.Column("current_battle", sa.Integer, sa.ForeignKey("battles.id", ondelete="SET NULL", use_alter=True)),
    sa.Column("number", sa.Integer),  # rooms in the order they were opened (what rowid was to the SQLite app)
    sa.Index("rooms_by_owner", "owner", "created_at"),
    sa.Index("rooms_by_battle", "current_battle"),
)
BATTLES = sa.Table(
    "battles",
    METADATA,
    sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
    sa.Column("owner", sa.Text),
    sa.Column("prompt", sa.Text, nullable=False, server_default=""),
    sa.Column("tags", sa.Text, nullable=False, server_default="[]"),
    sa.Column("room", sa.Text, sa.ForeignKey("rooms.code")),
    sa.Column("created_at", REAL, nullable=False),
    sa.Index("battles_by_owner", "owner", "room", "created_at"),
    sqlite_autoincrement=True,
)
CONTESTANTS = sa.Table(
    "contestants",
    METADATA,
    sa.Column("battle_id", sa.Integer, sa.ForeignKey("battles.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("letter", sa.Text, nullable=False),
    sa.Column("model", sa.Text, nullable=False, server_default=""),
    sa.Column("settings", sa.Text, nullable=False, server_default="{}"),
    sa.Column("content", sa.Text, nullable=False, server_default=""),
    sa.Column("thinking", sa.Text, nullable=False, server_default=""),
    sa.Column("status", sa.Text, nullable=False, server_default="done"),
    sa.Column("error", sa.Text, nullable=False, server_default=""),
    sa.Column("stats", sa.Text),
    sa.Column("size", _BYTES),
)
VOTES = sa.Table(
    "votes",
    METADATA,
    sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
    sa.Column("battle_id", sa.Integer, sa.ForeignKey("battles.id", ondelete="CASCADE"), nullable=False),
    sa.Column("voter", sa.Text, nullable=False),
    sa.Column("choice", sa.Text, nullable=False),
    sa.Column("created_at", REAL, nullable=False),
    sa.UniqueConstraint("battle_id", "voter"),
    sqlite_autoincrement=True,
)


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


class ArenaStore(Store):
    """The arena's database: ``arena.sqlite3`` in the data folder, or the shared database (lib/storage/)."""

    NAME = "arena"
    FILE_NAME = FILE_NAME
    METADATA = METADATA
    LEGACY_VERSION = 1
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
            values = {
                "owner": self.owner,
                "prompt": battle.prompt,
                "tags": json.dumps(list(battle.tags), ensure_ascii=False),
                "room": room,
                "created_at": battle.created_at or time.time(),
            }
            battle_id = int(db.execute(sa.insert(BATTLES).values(values).returning(BATTLES.c.id)).scalar_one())
            db.execute(
                sa.insert(CONTESTANTS),
                [
                    {
                        "battle_id": battle_id,
                        "position": position,
                        "letter": contestant.letter,
                        "model": contestant.model,
                        "settings": json.dumps(contestant.settings, ensure_ascii=False),
                        "content": contestant.content,
                        "thinking": contestant.thinking,
                        "status": contestant.status,
                        "error": contestant.error,
                        "stats": json.dumps(contestant.stats.to_dict()) if contestant.stats else None,
                        "size": contestant.size,
                    }
                    for position, contestant in enumerate(battle.contestants)
                ],
            )
        return battle_id

    def battle(self, battle_id: int) -> Battle | None:
        """This owner's battle ``battle_id``; None when there is none (someone else's included)."""
        with self._transaction(write=False) as db:
            return self._my_battle(db, battle_id)

    def battles(self, *, room: str | None = None, tag: str | None = None, since: float | None = None) -> list[Battle]:
        """This owner's battles, oldest first: those of ``room`` (None: those run outside rooms),
        carrying ``tag`` when given, started at ``since`` or later when given."""
        chosen = self._battle_filter(room, since)
        with self._transaction(write=False) as db:
            rows = db.execute(sa.select(BATTLES).where(chosen).order_by(BATTLES.c.created_at, BATTLES.c.id)).all()
            columns: dict[int, list[sa.Row[Any]]] = {}
            for column in db.execute(
                sa.select(CONTESTANTS)
                .select_from(CONTESTANTS.join(BATTLES, BATTLES.c.id == CONTESTANTS.c.battle_id))
                .where(chosen)
                .order_by(CONTESTANTS.c.battle_id, CONTESTANTS.c.position)
            ):
                columns.setdefault(column.battle_id, []).append(column)
        battles = [_battle(row, columns.get(row.id, [])) for row in rows]
        return [battle for battle in battles if tag is None or tag in battle.tags]

    def votes(self, *, room: str | None = None, tag: str | None = None, since: float | None = None) -> list[Vote]:
        """The votes on the battles :meth:`battles` gives for the same filters, in the order they were cast."""
        chosen = self._battle_filter(room, since)
        with self._transaction(write=False) as db:
            rows = db.execute(
                sa.select(VOTES, BATTLES.c.tags)
                .select_from(VOTES.join(BATTLES, BATTLES.c.id == VOTES.c.battle_id))
                .where(chosen)
                .order_by(VOTES.c.id)
            ).all()
        return [
            Vote(
                row.battle_id,
                validation.stored_text(row.voter),
                validation.stored_text(row.choice),
                validation.stored_number(row.created_at),
            )
            for row in rows
            if tag is None or tag in _tags(row.tags)
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
            return self._insert_vote(db, battle, voter, choice)

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
            db.execute(sa.update(ROOMS).where(ROOMS.c.owner == former_owner).values(owner=self.owner))
            return int(
                db.execute(sa.update(BATTLES).where(BATTLES.c.owner == former_owner).values(owner=self.owner)).rowcount
            )

    def forget(self, *, room: str | None = None) -> int:
        """Delete this owner's battles of ``room`` (None: those outside rooms) and their votes; returns how many."""
        chosen = sa.and_(BATTLES.c.room.is_not_distinct_from(_filter_code(room)), self._mine(BATTLES.c.owner))
        with self._transaction() as db:
            return int(db.execute(sa.delete(BATTLES).where(chosen)).rowcount)

    # Rooms, as their presenter sees them

    def open_room(self) -> Room:
        """A new room with a code no other room has, owned by this owner."""
        now = time.time()
        with self._transaction() as db:
            # Under the store's write lock: no other room can take this number meanwhile.
            number = (db.scalar(sa.select(sa.func.max(ROOMS.c.number))) or 0) + 1
            for _attempt in range(_CODE_ATTEMPTS):
                code = new_code()
                inserted = db.execute(
                    self._insert(ROOMS)
                    .values(code=code, owner=self.owner, created_at=now, number=number)
                    .on_conflict_do_nothing(index_elements=[ROOMS.c.code])
                    .returning(ROOMS.c.code)
                ).first()
                if inserted is not None:
                    return Room(code, self.owner or "", now, None, None)
            # Twenty codes in a row taken: something is wrong.
            raise self.FAILED(t(self.FAILED_KEY, error="no free room code"))

    def close_room(self, code: str) -> None:
        """Close this owner's room: it accepts no more votes. Raises :class:`NotFound` for a room that is not theirs."""
        with self._transaction() as db:
            room = self._my_room(db, code)
            if room is None:
                raise NotFound(code)
            db.execute(
                sa.update(ROOMS)
                .where(ROOMS.c.code == room.code, ROOMS.c.closed_at.is_(None))
                .values(closed_at=time.time())
            )

    def rooms(self) -> list[Room]:
        """This owner's rooms, newest first."""
        query = (
            sa.select(ROOMS).where(self._mine(ROOMS.c.owner)).order_by(ROOMS.c.created_at.desc(), ROOMS.c.number.desc())
        )
        with self._transaction(write=False) as db:
            rows = db.execute(query).all()
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
            db.execute(sa.update(ROOMS).where(ROOMS.c.code == room.code).values(current_battle=battle_id))

    # What anyone holding a room's code may do

    def room(self, code: str) -> Room | None:
        """The room with this code, whoever owns it (case-insensitive); None when there is none."""
        with self._transaction(write=False) as db:
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
            return self._insert_vote(db, battle, voter, choice)

    def voter_choice(self, battle_id: int, voter: str) -> str | None:
        """What ``voter`` chose on the battle, if they voted: on this owner's battles and on any room's
        current battle (a voter's own vote, kept over a reload); None otherwise."""
        with self._transaction(write=False) as db:
            if not self._visible(db, battle_id):
                return None
            choice = db.scalar(sa.select(VOTES.c.choice).where(VOTES.c.battle_id == battle_id, VOTES.c.voter == voter))
        return None if choice is None else validation.stored_text(choice)

    def tally(self, battle_id: int) -> dict[str, int]:
        """How many votes each choice has, for this owner's battles and any room's current battle; empty otherwise."""
        with self._transaction(write=False) as db:
            if not self._visible(db, battle_id):
                return {}
            rows = db.execute(
                sa.select(VOTES.c.choice, sa.func.count().label("n"))
                .where(VOTES.c.battle_id == battle_id)
                .group_by(VOTES.c.choice)
            ).all()
        # Sorted here, not by the database: PostgreSQL's order of text follows its locale, SQLite's the code points.
        counts = {validation.stored_text(row.choice): int(row.n) for row in rows}
        return dict(sorted(counts.items()))

    # Reading and writing, inside a transaction

    def _my_battle(self, db: Connection, battle_id: int) -> Battle | None:
        row = db.execute(sa.select(BATTLES).where(BATTLES.c.id == battle_id, self._mine(BATTLES.c.owner))).first()
        return _battle(row, self._contestant_rows(db, battle_id)) if row else None

    @staticmethod
    def _any_battle(db: Connection, battle_id: int) -> Battle | None:
        row = db.execute(sa.select(BATTLES).where(BATTLES.c.id == battle_id)).first()
        return _battle(row, ArenaStore._contestant_rows(db, battle_id)) if row else None

    @staticmethod
    def _contestant_rows(db: Connection, battle_id: int) -> list[sa.Row[Any]]:
        query = sa.select(CONTESTANTS).where(CONTESTANTS.c.battle_id == battle_id).order_by(CONTESTANTS.c.position)
        return list(db.execute(query).all())

    def _battle_filter(self, room: str | None, since: float | None) -> sa.ColumnElement[bool]:
        """The condition on :data:`BATTLES` that keeps this owner's of ``room`` since ``since``."""
        chosen = sa.and_(BATTLES.c.room.is_not_distinct_from(_filter_code(room)), self._mine(BATTLES.c.owner))
        return chosen if since is None else sa.and_(chosen, BATTLES.c.created_at >= since)

    @staticmethod
    def _room(db: Connection, code: str) -> Room | None:
        normal = normal_code(code)
        if normal is None:
            return None
        row = db.execute(sa.select(ROOMS).where(ROOMS.c.code == normal)).first()
        return _room(row) if row else None

    def _my_room(self, db: Connection, code: str) -> Room | None:
        room = self._room(db, code)
        if room is None or (self.owner is not None and room.owner != self.owner):
            return None
        return room

    def _visible(self, db: Connection, battle_id: int) -> bool:
        """Whether this owner may see the voting on the battle: theirs, or a room's current battle."""
        shown = BATTLES.c.id.in_(sa.select(ROOMS.c.current_battle))
        query = sa.select(BATTLES.c.id).where(BATTLES.c.id == battle_id, sa.or_(self._mine(BATTLES.c.owner), shown))
        return db.execute(query).first() is not None

    def _insert_vote(self, db: Connection, battle: Battle, voter: str, choice: str) -> bool:
        """Whether the vote went in: ``ON CONFLICT DO NOTHING`` returns no row for a voter who voted already
        (an INSERT's row count says nothing on PostgreSQL)."""
        if battle.failed:
            raise NotVotable(NotVotable.FAILED)
        if choice not in battle.choices:
            raise NotVotable(NotVotable.CHOICE)
        inserted = db.execute(
            self._insert(VOTES)
            .values(battle_id=battle.id, voter=voter, choice=choice, created_at=time.time())
            .on_conflict_do_nothing(index_elements=[VOTES.c.battle_id, VOTES.c.voter])
            .returning(VOTES.c.id)
        ).first()
        return inserted is not None


def _check_voter(voter: str) -> None:
    if not isinstance(voter, str) or not voter:
        raise ValueError("A vote needs a voter.")


def _filter_code(room: str | None) -> str | None:
    """A room filter as stored; a code that cannot be one matches no battle (never those outside rooms)."""
    if room is None:
        return None
    return normal_code(room) or room


def _tags(text: Any) -> tuple[str, ...]:
    value, problem = validation.stored_json(text, ("tags",))
    if problem is not None or not isinstance(value, list):
        return ()
    return tuple(tag for tag in value if isinstance(tag, str))


def _room(row: sa.Row[Any]) -> Room:
    closed_at = row.closed_at
    current = row.current_battle
    return Room(
        code=validation.stored_text(row.code),
        owner=validation.stored_text(row.owner),
        created_at=validation.stored_number(row.created_at),
        closed_at=None if closed_at is None else validation.stored_number(closed_at),
        current_battle=current if isinstance(current, int) else None,
    )


def _battle(row: sa.Row[Any], contestants: list[sa.Row[Any]]) -> Battle:
    """A saved battle, whatever its columns hold (written by hand, a column can hold anything):
    what cannot be read is left out or read as empty."""
    room = row.room
    return Battle(
        prompt=validation.stored_text(row.prompt),
        contestants=tuple(_contestant(contestant) for contestant in contestants),
        tags=_tags(row.tags),
        room=None if room is None else validation.stored_text(room),
        created_at=validation.stored_number(row.created_at),
        id=row.id,
    )


def _contestant(row: sa.Row[Any]) -> Contestant:
    settings, problem = validation.stored_json(row.settings, ("settings",))
    stats: RunStats | None = None
    if row.stats is not None:
        raw_stats, stats_problem = validation.stored_json(row.stats, ("stats",))
        stats = validation.stored_stats(raw_stats)[0] if stats_problem is None else None
    size = row.size
    return Contestant(
        letter=validation.stored_text(row.letter),
        model=validation.stored_text(row.model),
        settings=settings if problem is None and isinstance(settings, dict) else {},
        content=validation.stored_text(row.content),
        thinking=validation.stored_text(row.thinking),
        status=validation.stored_text(row.status),
        error=validation.stored_text(row.error),
        stats=stats,
        size=size if isinstance(size, int) and not isinstance(size, bool) and size >= 0 else None,
    )
