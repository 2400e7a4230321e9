"""The visitor's library in SQLite: their parameter presets and saved prompts, each a named JSON document.

Presets (:mod:`lib.presets`) and prompts (:mod:`lib.prompts`) are both small named things a person
keeps and picks from a list; one table holds them, told apart by ``kind``, so one database and one
carry-over on sign-in serve both. Names are unique per owner and kind: saving under a name that
exists replaces that item (what "Save" of a changed preset means), renaming onto another item's
name is refused. As every store (:class:`lib.sqlite_store.SqliteStore`), a store built for an owner
sees that owner's rows only: another owner's id behaves as one that does not exist.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from lib.chat import store as chat_store
from lib.sqlite_store import SqliteStore

FILE_NAME = "library.sqlite3"
SCHEMA_VERSION = 1
MAX_ITEMS = 200  # per owner and kind: a visitor of a public demo cannot fill the disk
BODY_LENGTH = 200_000  # characters of one item's JSON

_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner TEXT,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '{}',
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS items_by_owner ON items (owner, kind, name);
"""


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


class LibraryStore(SqliteStore):
    """The library database at ``path`` (default: ``library.sqlite3`` in the data folder); holds no connection."""

    FILE_NAME = FILE_NAME
    SCHEMA = _SCHEMA
    SCHEMA_VERSION = SCHEMA_VERSION
    UNAVAILABLE_KEY = "library.unavailable"
    FAILED_KEY = "library.failed"
    UNAVAILABLE = StoreUnavailable
    FAILED = StoreFailed

    def items(self, kind: str) -> list[Item]:
        """This owner's items of ``kind``, by name (case folded)."""
        mine, owner = self._mine()
        with self._transaction(write=False) as db:
            rows = db.execute(
                f"SELECT id, name, body FROM items WHERE kind = ? AND {mine} ORDER BY name COLLATE NOCASE, id",
                (kind, *owner),
            ).fetchall()
        return [Item(row["id"], row["name"], _parsed(row["body"])) for row in rows]

    def save(self, kind: str, name: str, body: Any) -> int:
        """Keep ``body`` under ``name``: replaces this owner's item of that name, else adds one; returns its id."""
        text = _text(body)
        mine, owner = self._mine()
        with self._transaction() as db:
            row = db.execute(
                f"SELECT id FROM items WHERE kind = ? AND name = ? AND {mine}", (kind, name, *owner)
            ).fetchone()
            if row is not None:
                db.execute("UPDATE items SET body = ?, updated_at = ? WHERE id = ?", (text, time.time(), row["id"]))
                return int(row["id"])
            count = db.execute(f"SELECT COUNT(*) FROM items WHERE kind = ? AND {mine}", (kind, *owner)).fetchone()[0]
            if count >= MAX_ITEMS:
                raise Full(kind)
            cursor = db.execute(
                "INSERT INTO items (owner, kind, name, body, updated_at) VALUES (?, ?, ?, ?, ?)",
                (self.owner, kind, name, text, time.time()),
            )
            return int(cursor.lastrowid or 0)

    def update(self, kind: str, item_id: int, body: Any) -> None:
        """Replace the document of this owner's item ``item_id``; raises :class:`NotFound`."""
        text = _text(body)
        mine, owner = self._mine()
        with self._transaction() as db:
            changed = db.execute(
                f"UPDATE items SET body = ?, updated_at = ? WHERE id = ? AND kind = ? AND {mine}",
                (text, time.time(), item_id, kind, *owner),
            ).rowcount
        if not changed:
            raise NotFound(item_id)

    def rename(self, kind: str, item_id: int, name: str) -> None:
        """Give this owner's item ``item_id`` a new name; raises :class:`NameTaken` or :class:`NotFound`."""
        mine, owner = self._mine()
        with self._transaction() as db:
            clash = db.execute(
                f"SELECT id FROM items WHERE kind = ? AND name = ? AND id != ? AND {mine}",
                (kind, name, item_id, *owner),
            ).fetchone()
            if clash is not None:
                raise NameTaken(name)
            changed = db.execute(
                f"UPDATE items SET name = ?, updated_at = ? WHERE id = ? AND kind = ? AND {mine}",
                (name, time.time(), item_id, kind, *owner),
            ).rowcount
        if not changed:
            raise NotFound(item_id)

    def delete(self, kind: str, item_id: int) -> None:
        """Forget this owner's item ``item_id``; one already gone (another tab deleted it) is no error."""
        mine, owner = self._mine()
        with self._transaction() as db:
            db.execute(f"DELETE FROM items WHERE id = ? AND kind = ? AND {mine}", (item_id, kind, *owner))

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
            rows = db.execute("SELECT id, kind, name FROM items WHERE owner = ?", (former_owner,)).fetchall()
            for row in rows:
                taken = {
                    name
                    for (name,) in db.execute(
                        "SELECT name FROM items WHERE owner = ? AND kind = ?", (self.owner, row["kind"])
                    )
                }
                name, number = row["name"], 2
                while name in taken:
                    name, number = f"{row['name']} ({number})", number + 1
                db.execute("UPDATE items SET owner = ?, name = ? WHERE id = ?", (self.owner, name, row["id"]))
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
