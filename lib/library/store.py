"""The visitor's library (SQLite or PostgreSQL): their parameter presets and saved prompts, each a named JSON document.

Presets (:mod:`lib.presets`) and prompts (:mod:`lib.prompts`) are both small named things a person
keeps and picks from a list; one table holds them, told apart by ``kind``, so one database and one
carry-over on sign-in serve both. Names are unique per owner and kind: saving under a name that
exists replaces that item (what "Save" of a changed preset means), renaming onto another item's
name is refused. As every store (:class:`lib.storage.store.Store`), a store built for an owner
sees that owner's rows only: another owner's id behaves as one that does not exist. The table is
:data:`ITEMS`; its revisions are in ``lib/storage/migrations/library/``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from lib.chat import store as chat_store
from lib.storage.store import Store
from lib.storage.types import REAL

FILE_NAME = "library.sqlite3"
MAX_ITEMS = 200  # per owner and kind: a visitor of a public demo cannot fill the disk
BODY_LENGTH = 200_000  # characters of one item's JSON

METADATA = sa.MetaData()
ITEMS = sa.Table(
    "items",
    METADATA,
    sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
    sa.Column("owner", sa.Text),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False, server_default="{}"),
    sa.Column("updated_at", REAL, nullable=False),
    sa.Index("items_by_owner", "owner", "kind", "name"),
    sqlite_autoincrement=True,
)


class StoreUnavailable(chat_store.StoreUnavailable):
    """The library's database cannot be opened or created; ``str()`` says where and what to do."""


class StoreFailed(chat_store.StoreFailed):
    """A read or write of the library's database failed once it was open; ``str()`` says so in a sentence."""


class NotFound(LookupError):
    """No such item for this owner (never saved, deleted, or someone else's)."""


class NameTaken(ValueError):
    """Another item of this owner and kind already has the name."""


class Full(ValueError):
    """This owner already keeps :data:`MAX_ITEMS` items of the kind."""


class TooLarge(ValueError):
    """The item's document is longer than :data:`BODY_LENGTH` characters."""


@dataclass(frozen=True)
class Item:
    id: int
    name: str
    body: Any  # the stored JSON, parsed; whatever another program wrote there (the reader cleans it)


class LibraryStore(Store):
    """The library's database: ``library.sqlite3`` in the data folder, or the shared database (lib/storage/)."""

    NAME = "library"
    FILE_NAME = FILE_NAME
    METADATA = METADATA
    LEGACY_VERSION = 1
    UNAVAILABLE_KEY = "library.unavailable"
    FAILED_KEY = "library.failed"
    UNAVAILABLE = StoreUnavailable
    FAILED = StoreFailed

    def items(self, kind: str) -> list[Item]:
        """This owner's items of ``kind``, by name (case folded)."""
        query = (
            sa.select(ITEMS.c.id, ITEMS.c.name, ITEMS.c.body)
            .where(ITEMS.c.kind == kind, self._mine(ITEMS.c.owner))
            .order_by(sa.func.lower(ITEMS.c.name), ITEMS.c.id)
        )
        with self._transaction(write=False) as db:
            rows = db.execute(query).all()
        return [Item(row.id, row.name, _parsed(row.body)) for row in rows]

    def save(self, kind: str, name: str, body: Any) -> int:
        """Keep ``body`` under ``name``: replaces this owner's item of that name, else adds one; returns its id."""
        text = _text(body)
        mine = sa.and_(ITEMS.c.kind == kind, self._mine(ITEMS.c.owner))
        with self._transaction() as db:
            existing = db.scalar(sa.select(ITEMS.c.id).where(mine, ITEMS.c.name == name))
            if existing is not None:
                db.execute(sa.update(ITEMS).where(ITEMS.c.id == existing).values(body=text, updated_at=time.time()))
                return int(existing)
            count = db.scalar(sa.select(sa.func.count()).select_from(ITEMS).where(mine))
            if (count or 0) >= MAX_ITEMS:
                raise Full(kind)
            values = {"owner": self.owner, "kind": kind, "name": name, "body": text, "updated_at": time.time()}
            return int(db.execute(sa.insert(ITEMS).values(values).returning(ITEMS.c.id)).scalar_one())

    def update(self, kind: str, item_id: int, body: Any) -> None:
        """Replace the document of this owner's item ``item_id``; raises :class:`NotFound`."""
        text = _text(body)
        with self._transaction() as db:
            changed = db.execute(
                sa.update(ITEMS)
                .where(ITEMS.c.id == item_id, ITEMS.c.kind == kind, self._mine(ITEMS.c.owner))
                .values(body=text, updated_at=time.time())
            ).rowcount
        if not changed:
            raise NotFound(item_id)

    def rename(self, kind: str, item_id: int, name: str) -> None:
        """Give this owner's item ``item_id`` a new name; raises :class:`NameTaken` or :class:`NotFound`."""
        mine = sa.and_(ITEMS.c.kind == kind, self._mine(ITEMS.c.owner))
        with self._transaction() as db:
            clash = db.scalar(sa.select(ITEMS.c.id).where(mine, ITEMS.c.name == name, ITEMS.c.id != item_id))
            if clash is not None:
                raise NameTaken(name)
            changed = db.execute(
                sa.update(ITEMS).where(mine, ITEMS.c.id == item_id).values(name=name, updated_at=time.time())
            ).rowcount
        if not changed:
            raise NotFound(item_id)

    def delete(self, kind: str, item_id: int) -> None:
        """Forget this owner's item ``item_id``; one already gone (another tab deleted it) is no error."""
        with self._transaction() as db:
            db.execute(sa.delete(ITEMS).where(ITEMS.c.id == item_id, ITEMS.c.kind == kind, self._mine(ITEMS.c.owner)))

    def take_over(self, former_owner: str) -> int:
        """Make every item of ``former_owner`` this owner's (a visitor who signs in); returns how many moved.

        An item whose name this owner already uses for its kind keeps both: the moved one gets a number
        after its name ("Precise (2)").
        """
        if self.owner is None:
            raise ValueError("Only a store with an owner can take items over.")
        if not former_owner or former_owner == self.owner:
            return 0
        with self._transaction() as db:
            rows = db.execute(
                sa.select(ITEMS.c.id, ITEMS.c.kind, ITEMS.c.name)
                .where(ITEMS.c.owner == former_owner)
                .order_by(ITEMS.c.id)
            ).all()
            for row in rows:
                taken = set(
                    db.scalars(sa.select(ITEMS.c.name).where(ITEMS.c.owner == self.owner, ITEMS.c.kind == row.kind))
                )
                name, number = row.name, 2
                while name in taken:
                    name, number = f"{row.name} ({number})", number + 1
                db.execute(sa.update(ITEMS).where(ITEMS.c.id == row.id).values(owner=self.owner, name=name))
            return len(rows)


def _text(body: Any) -> str:
    text = json.dumps(body, ensure_ascii=False)
    if len(text) > BODY_LENGTH:
        raise TooLarge(len(text))
    return text


def _parsed(text: str) -> Any:
    try:
        return json.loads(text, parse_constant=lambda _: None)  # NaN/Infinity written by another program: no value
    except (ValueError, RecursionError):
        return None
