"""Arena revision 1 makes, on both databases, the tables the SQLite-only app made, foreign-key cycle included."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import sqlalchemy as sa

from lib.arena.store import ArenaStore
from lib.storage import database, migrate
from tests.storage.backends import Backend
from tests.storage.schema import columns

FIXTURE = Path(__file__).parents[2] / "fixtures" / "v_current" / "arena.sqlite3"
TABLES = ("rooms", "battles", "contestants", "votes")


def store_at(revision: str, folder: Path) -> type[ArenaStore]:
    """An arena store whose newest revision is ``revision`` (its revisions copied into ``folder``)."""
    folder.mkdir()
    for file in sorted((migrate.MIGRATIONS / "arena").glob("arena_*.py")):
        shutil.copy(file, folder)
        if file.stem.startswith(revision):
            break

    class Older(ArenaStore):
        REVISIONS = folder

    return Older


def legacy_columns(table: str) -> list[tuple[str, bool]]:
    """A table's columns in a file of the SQLite-only app: name and whether it may be NULL."""
    with closing(sqlite3.connect(FIXTURE)) as db:
        return [
            (row[1], not row[3] and not (row[5] and row[2] == "INTEGER"))
            for row in db.execute(f"PRAGMA table_info({table})")
        ]


def foreign_keys(store: ArenaStore) -> set[tuple[str, str, str, str]]:
    """Every foreign key of the arena's tables: table, column, table referred to, what deleting that row does."""
    assert store.location is not None
    with database.engine(store.location).connect() as connection:
        if connection.dialect.name == "sqlite":  # SQLAlchemy reads no ON DELETE of an inline REFERENCES
            return {
                (table, row[3], row[2], row[6])
                for table in TABLES
                for row in connection.exec_driver_sql(f"PRAGMA foreign_key_list({table})")
            }
        inspector = sa.inspect(connection)
        return {
            (table, key["constrained_columns"][0], key["referred_table"], key["options"].get("ondelete", "NO ACTION"))
            for table in TABLES
            for key in inspector.get_foreign_keys(table)
        }


def test_revision_1_makes_the_tables_of_the_sqlite_only_app(backend: Backend, tmp_path):
    store = store_at("arena_0001", tmp_path / "revisions")()
    store.ready()
    for table in TABLES:
        made = [(name, nullable) for name, _type, nullable in columns(store, table)]
        if backend.name == "postgresql" and table == "rooms":  # PostgreSQL's primary key is never NULL
            made = [(name, nullable or name == "code") for name, nullable in made]
        assert made == legacy_columns(table), table
    assert foreign_keys(store) == {
        ("rooms", "current_battle", "battles", "SET NULL"),
        ("battles", "room", "rooms", "NO ACTION"),
        ("contestants", "battle_id", "battles", "CASCADE"),
        ("votes", "battle_id", "battles", "CASCADE"),
    }
    assert backend.execute(type(store), "SELECT version_num FROM alembic_version_arena") == [("arena_0001",)]


def test_the_cycle_of_rooms_and_battles_holds_on_both_databases(backend: Backend, tmp_path):
    older = store_at("arena_0001", tmp_path / "revisions")
    statements = (
        "INSERT INTO rooms (code, owner, created_at) VALUES ('ROOM22', 'a', 1)",
        "INSERT INTO battles (owner, room, created_at) VALUES ('a', 'ROOM22', 2)",
        "UPDATE rooms SET current_battle = (SELECT MAX(id) FROM battles)",
        "DELETE FROM battles",
    )
    for statement in statements:
        backend.execute(older, statement)
    assert backend.execute(older, "SELECT code, current_battle FROM rooms") == [("ROOM22", None)]
