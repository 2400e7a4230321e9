"""A store of the tests' own, on the base of every store (lib/storage/store.py), with two revisions
(tests/storage/notes_revisions/) and a legacy SQLite format whose PRAGMA version 1 lacks ``step``."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from contextlib import closing
from pathlib import Path
from typing import ClassVar

import sqlalchemy as sa

from lib.storage.migrate import LegacyStep
from lib.storage.store import Store

HERE = Path(__file__).parent
METADATA = sa.MetaData()
NOTES = sa.Table(
    "notes",
    METADATA,
    sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
    sa.Column("owner", sa.Text, nullable=False, server_default=""),
    sa.Column("text", sa.Text, nullable=False, unique=True),
    sa.Column("step", sa.Text),
    sqlite_autoincrement=True,
)
CREATIONS = sa.Table("creations", METADATA, sa.Column("at", sa.Integer))
LEGACY_V1 = """
CREATE TABLE notes (id INTEGER PRIMARY KEY AUTOINCREMENT, owner TEXT, text TEXT NOT NULL UNIQUE);
CREATE TABLE creations (at INTEGER);
INSERT INTO creations VALUES (1);
"""


class Unavailable(Exception):
    pass


class Failed(Exception):
    pass


class NotesStore(Store):
    NAME = "notes"
    REVISIONS = HERE / "notes_revisions"
    FILE_NAME = "notes.sqlite3"
    METADATA = METADATA
    LEGACY_VERSION = 2
    LEGACY_STEPS: ClassVar[Mapping[int, LegacyStep]] = {
        1: "ALTER TABLE notes ADD COLUMN step TEXT; UPDATE notes SET step = 'legacy'"
    }
    UNAVAILABLE_KEY = "privacy.store_unavailable"
    FAILED_KEY = "privacy.store_failed"
    UNAVAILABLE = Unavailable
    FAILED = Failed

    def add(self, *texts: str) -> None:
        with self._transaction() as db:
            for text in texts:
                db.execute(sa.insert(NOTES).values(owner=self.owner or "", text=text))

    def upsert(self, text: str, step: str) -> None:
        """A note of ``text`` with ``step``, the one there is changed rather than a second refused."""
        with self._transaction() as db:
            insert = self._insert(NOTES).values(owner=self.owner or "", text=text, step=step)
            db.execute(insert.on_conflict_do_update(index_elements=["text"], set_={"step": insert.excluded.step}))

    def add_once(self, text: str) -> bool:
        """Add the note unless there is one of ``text``; whether it was added."""
        with self._transaction() as db:
            insert = self._insert(NOTES).values(owner=self.owner or "", text=text)
            added = db.execute(insert.on_conflict_do_nothing(index_elements=["text"]).returning(NOTES.c.id))
            return added.first() is not None  # an INSERT's rowcount is -1 on PostgreSQL

    def texts(self) -> list[str]:
        with self._transaction(write=False) as db:
            query = sa.select(NOTES.c.text).where(self._mine(NOTES.c.owner)).order_by(NOTES.c.id)
            return list(db.scalars(query))

    def steps(self) -> dict[str, str | None]:
        with self._transaction(write=False) as db:
            return {row.text: row.step for row in db.execute(sa.select(NOTES.c.text, NOTES.c.step))}


class BrokenStore(NotesStore):
    NAME = "broken"
    REVISIONS = HERE / "broken_revisions"


def write_legacy(path: Path, *texts: str) -> None:
    """A file as the SQLite-only app of PRAGMA version 1 left it."""
    with closing(sqlite3.connect(path)) as db, db:
        db.executescript(LEGACY_V1)
        db.executemany("INSERT INTO notes (text) VALUES (?)", [(text,) for text in texts])
        db.execute("PRAGMA user_version = 1")
