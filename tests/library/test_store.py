"""The library's store, on SQLite and on PostgreSQL: named items per owner and kind, upsert by name, renames,
carry-over; a library file of the SQLite-only app upgraded without loss."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from lib.library import store as library
from lib.library.store import Full, LibraryStore, NameTaken, NotFound, StoreFailed, StoreUnavailable, TooLarge
from tests.storage.backends import Backend
from tests.storage.make_fixtures import LIBRARY_ITEMS
from tests.storage.schema import differences

FIXTURE = Path(__file__).parents[1] / "storage" / "fixtures" / "v_current" / "library.sqlite3"


@pytest.fixture
def alice(backend: Backend) -> LibraryStore:
    return LibraryStore(owner="alice")


@pytest.fixture
def bob(backend: Backend) -> LibraryStore:
    return LibraryStore(owner="bob")


def names(store: LibraryStore, kind: str = "preset") -> list[str]:
    return [item.name for item in store.items(kind)]


def test_items_round_trip_sorted_by_name_and_kinds_stay_apart(alice):
    alice.save("preset", "zeta", {"options": {"seed": 1}})
    alice.save("preset", "Alpha", {"options": {}})
    alice.save("prompt", "zeta", {"text": "hi"})
    assert names(alice) == ["Alpha", "zeta"]
    assert [(item.name, item.body) for item in alice.items("prompt")] == [("zeta", {"text": "hi"})]


def test_saving_under_a_known_name_replaces_that_item(alice):
    first = alice.save("preset", "p", {"v": 1})
    again = alice.save("preset", "p", {"v": 2})
    assert again == first
    assert [item.body for item in alice.items("preset")] == [{"v": 2}]


def test_owners_never_see_or_change_each_other(alice, bob):
    mine = alice.save("preset", "p", {"v": 1})
    assert bob.items("preset") == []
    with pytest.raises(NotFound):
        bob.rename("preset", mine, "stolen")
    with pytest.raises(NotFound):
        bob.update("preset", mine, {"v": 666})
    bob.delete("preset", mine)
    assert alice.items("preset")[0].body == {"v": 1}
    assert bob.save("preset", "p", {"v": 9}) != mine  # the same name is another owner's own item


def test_rename_refuses_a_name_in_use_and_a_missing_item(alice):
    one = alice.save("preset", "one", {})
    alice.save("preset", "two", {})
    with pytest.raises(NameTaken):
        alice.rename("preset", one, "two")
    alice.rename("preset", one, "uno")
    assert names(alice) == ["two", "uno"]
    with pytest.raises(NotFound):
        alice.rename("preset", 999, "x")


def test_update_and_delete(alice):
    one = alice.save("prompt", "one", {"values": {}})
    alice.update("prompt", one, {"values": {"x": "1"}})
    assert alice.items("prompt")[0].body == {"values": {"x": "1"}}
    alice.delete("prompt", one)
    alice.delete("prompt", one)  # already gone: no error
    assert alice.items("prompt") == []


def test_an_owner_keeps_a_bounded_number_of_items(alice, monkeypatch):
    monkeypatch.setattr(library, "MAX_ITEMS", 2)
    alice.save("preset", "a", {})
    alice.save("preset", "b", {})
    with pytest.raises(Full):
        alice.save("preset", "c", {})
    alice.save("preset", "b", {"v": 2})  # replacing one is still allowed
    alice.save("prompt", "c", {})  # another kind counts apart


def test_a_huge_document_is_refused(alice):
    with pytest.raises(TooLarge):
        alice.save("prompt", "big", {"text": "x" * (library.BODY_LENGTH + 1)})
    assert alice.items("prompt") == []


def test_take_over_moves_everything_and_renames_what_clashes(backend):
    browser = LibraryStore(owner="browser:abc")
    browser.save("preset", "p", {"v": "browser"})
    browser.save("preset", "q", {})
    browser.save("prompt", "p", {})
    account = LibraryStore(owner="user:x")
    account.save("preset", "p", {"v": "account"})
    assert account.take_over("browser:abc") == 3
    assert names(account) == ["p", "p (2)", "q"]
    assert names(account, "prompt") == ["p"]
    assert browser.items("preset") == []
    assert account.take_over("user:x") == 0
    with pytest.raises(ValueError):
        LibraryStore().take_over("browser:abc")


def test_a_body_that_is_not_json_reads_as_none(alice, backend):
    alice.save("preset", "p", {})
    backend.execute(LibraryStore, "UPDATE items SET body = '{oops'")
    assert alice.items("preset")[0].body is None


def test_names_sort_without_regard_to_case_then_by_age(alice):
    for name in ("b", "B", "a", "C"):
        alice.save("prompt", name, {})
    assert names(alice, "prompt") == ["a", "b", "B", "C"]


def test_writers_saving_one_name_at_once_keep_one_item(alice):
    """Each save reads whether the name is taken, then updates or inserts: the write lock makes that one step."""
    import threading

    start = threading.Barrier(6)

    def save(number: int) -> None:
        start.wait()
        LibraryStore(owner="alice").save("preset", "same", {"v": number})

    threads = [threading.Thread(target=save, args=(number,)) for number in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert names(alice) == ["same"]


def test_the_database_equals_the_declared_tables(alice):
    assert differences(alice) == []


def test_a_folder_that_cannot_be_written_is_a_sentence(tmp_path):  # SQLite only: a server has no folder
    blocker = tmp_path / "file"
    blocker.write_text("")
    store = LibraryStore(blocker / "library.sqlite3", owner="a")
    with pytest.raises(StoreUnavailable, match="OLLAMA_STUDIO_DATA_DIR"):
        store.ready()
    with pytest.raises(StoreFailed, match="could not be read or written"):
        store.items("preset")


def raw_rows(path: Path) -> list[tuple]:
    with closing(sqlite3.connect(path)) as db:
        return db.execute("SELECT id, owner, kind, name, body, updated_at FROM items ORDER BY id").fetchall()


def test_a_library_of_the_sqlite_only_app_is_upgraded_in_place_without_loss(tmp_path):
    path = tmp_path / "library.sqlite3"  # the same file name as ever, in the data folder (the test's)
    shutil.copy(FIXTURE, path)
    before = raw_rows(path)
    for owner in ("user:alice", "browser:0123456789abcdef"):
        for kind in ("preset", "prompt"):
            saved = [(name, body) for who, what, name, body in LIBRARY_ITEMS if who == owner and what == kind]
            expected = sorted(saved, key=lambda item: item[0].lower())
            assert [(item.name, item.body) for item in LibraryStore(owner=owner).items(kind)] == expected
    assert [item.name for item in LibraryStore().items("prompt")] == ["Summarise", "Translate", "unowned"]
    assert raw_rows(path) == before  # every column of every row, as it was
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT version_num FROM alembic_version_library").fetchall() == [("library_0001",)]
    assert differences(LibraryStore()) == []
    LibraryStore(owner="user:alice").save("preset", "new", {})  # and it takes new items
    assert len(raw_rows(path)) == len(before) + 1
