"""python -m lib.storage.copy: the SQLite files of the SQLite-only app copied into PostgreSQL, every row and id kept,
the files unchanged, a database that holds rows refused."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from lib.arena.store import ArenaStore
from lib.chat.history import ASSISTANT, USER, Conversation, Message
from lib.chat.store import ChatStore
from lib.library.store import LibraryStore
from lib.storage import copy
from lib.storage.copy import CopyRefused, copy_stores
from tests.storage import make_fixtures

FIXTURES = Path(__file__).parent / "fixtures" / "v_current"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A data folder of the SQLite-only app: the committed fixtures (every store's file)."""
    data = tmp_path / "data"
    shutil.copytree(FIXTURES, data)
    return data


def digests(folder: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.glob("*.sqlite3"))}


def everything(store: ChatStore) -> list[tuple[object, ...]]:
    """Every chat the store sees, with its settings and every message, as the app reads them."""
    return [(summary, store.get(summary.id), store.messages(summary.id)) for summary in store.summaries(limit=1000)]


def test_every_store_is_copied_with_its_ids(folder: Path, postgres_url: str):
    before = digests(folder)
    copied = copy_stores(folder, postgres_url)
    assert [(each.file, each.rows) for each in copied] == [
        ("chats.sqlite3", {"conversations": 3, "messages": 8}),
        ("library.sqlite3", {"items": len(make_fixtures.LIBRARY_ITEMS)}),
        ("documents.sqlite3", {"changes": 2, "documents": 2, "attachments": 2, "passages": 4, "vectors": 2}),
        ("arena.sqlite3", {"rooms": 1, "battles": 4, "contestants": 9, "votes": 3}),
        ("evals.sqlite3", {"runs": 1, "sets": 2, "answers": 3}),
    ]
    assert digests(folder) == before  # the files are only read

    upgraded = folder.parent / "upgraded.sqlite3"  # the file as the app itself upgrades it
    shutil.copy(folder / "chats.sqlite3", upgraded)
    for owner in (make_fixtures.ALICE, make_fixtures.BROWSER, None):
        assert everything(ChatStore(url=postgres_url, owner=owner)) == everything(ChatStore(upgraded, owner))
    shutil.copy(folder / "library.sqlite3", upgraded.with_name("library.sqlite3"))
    for owner in (make_fixtures.ALICE, make_fixtures.BROWSER):
        for kind in ("preset", "prompt"):
            copied_items = LibraryStore(url=postgres_url, owner=owner).items(kind)
            assert copied_items == LibraryStore(upgraded.with_name("library.sqlite3"), owner).items(kind)

    shutil.copy(folder / "arena.sqlite3", upgraded.with_name("arena.sqlite3"))
    (room,) = ArenaStore(upgraded.with_name("arena.sqlite3")).rooms()
    assert room.current_battle is not None  # a room names its battle, and the battle its room: both kept
    assert ArenaStore(url=postgres_url).rooms() == [room]

    chats = ChatStore(url=postgres_url, owner=make_fixtures.ALICE)
    new = chats.create(Conversation(model="m"))  # ids go on after the copied ones
    assert new == 4 and chats.add(new, Message(USER, "after the copy")) == 9
    assert LibraryStore(url=postgres_url, owner="x").save("preset", "p", {}) == len(make_fixtures.LIBRARY_ITEMS) + 1


def test_an_id_the_file_gave_to_a_deleted_chat_is_not_given_again(folder: Path, postgres_url: str):
    with closing(sqlite3.connect(folder / "chats.sqlite3")) as db, db:
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("DELETE FROM conversations WHERE id = 3")  # the last chat: its messages 7 and 8 go with it
    copy_stores(folder, postgres_url)
    store = ChatStore(url=postgres_url)
    assert [summary.id for summary in store.summaries()] == [2, 1]
    new = store.create(Conversation())
    assert new == 4 and store.add(new, Message(USER, "q")) == 9


def test_a_database_that_holds_rows_is_refused_and_nothing_is_copied(folder: Path, postgres_url: str):
    LibraryStore(url=postgres_url, owner="someone").save("prompt", "kept", {})
    with pytest.raises(CopyRefused, match="items"):
        copy_stores(folder, postgres_url)
    assert ChatStore(url=postgres_url).summaries() == []  # not even the store before the one refused
    assert [item.name for item in LibraryStore(url=postgres_url, owner="someone").items("prompt")] == ["kept"]


def test_what_sqlite_let_another_program_write_is_copied_as_the_app_reads_it(tmp_path: Path, postgres_url: str):
    folder = tmp_path / "data"
    store = ChatStore(folder / "chats.sqlite3")
    chat = store.create(Conversation(title="t"))
    store.add(chat, Message(USER, "q"))
    store.add(chat, Message(ASSISTANT, "a\x00b"))
    with closing(sqlite3.connect(folder / "chats.sqlite3")) as db, db:
        db.execute("UPDATE conversations SET title = X'4869FF', updated_at = 'later'")
    copy_stores(folder, postgres_url)
    (summary,) = ChatStore(url=postgres_url).summaries()
    assert summary.title == "Hi\ufffd" and summary.updated_at != summary.updated_at  # NaN
    assert ChatStore(url=postgres_url).messages(chat)[-1].content == "a\ufffdb"


def test_a_failed_store_leaves_none_of_its_rows(folder: Path, postgres_url: str, monkeypatch):
    storable = copy._storable

    def failing_at_the_last_message(table, row):
        if table.name == "messages" and row["id"] == 8:
            raise sqlite3.DatabaseError("disk I/O error")
        return storable(table, row)

    monkeypatch.setattr(copy, "_storable", failing_at_the_last_message)
    with pytest.raises(CopyRefused, match=r"chats\.sqlite3 failed.*disk I/O error"):
        copy_stores(folder, postgres_url)
    assert ChatStore(url=postgres_url).summaries() == []


def test_the_command_copies_into_the_database_it_is_given_and_names_what_it_left(
    folder: Path, postgres_url: str, monkeypatch, capsys
):
    monkeypatch.delenv("OLLAMA_STUDIO_DATABASE_URL", raising=False)
    assert copy.main(["--from", str(folder)]) == 2
    assert "OLLAMA_STUDIO_DATABASE_URL" in capsys.readouterr().err

    monkeypatch.setenv("OLLAMA_STUDIO_DATA_DIR", str(folder))
    monkeypatch.setenv("OLLAMA_STUDIO_DATABASE_URL", postgres_url)
    assert copy.main([]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "chats.sqlite3: conversations: 3 rows, messages: 8 rows copied.",
        f"library.sqlite3: items: {len(make_fixtures.LIBRARY_ITEMS)} rows copied.",
        "documents.sqlite3: changes: 2 rows, documents: 2 rows, attachments: 2 rows, passages: 4 rows, vectors: 2 rows "
        "copied.",
        "arena.sqlite3: rooms: 1 row, battles: 4 rows, contestants: 9 rows, votes: 3 rows copied.",
        "evals.sqlite3: runs: 1 row, sets: 2 rows, answers: 3 rows copied.",
    ]
    assert copy.main([]) == 1  # a second time: the database holds rows now
    assert "already holds rows" in capsys.readouterr().err
    assert copy.main(["--to", "mysql://db/studio"]) == 2
    assert "PostgreSQL address" in capsys.readouterr().err
