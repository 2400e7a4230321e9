"""The library's SQLite store: named items per owner and kind, upsert by name, renames, carry-over."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest

from lib.library import store as library
from lib.library.store import Full, LibraryStore, NameTaken, NotFound, StoreFailed, StoreUnavailable, TooLarge


@pytest.fixture
def path(tmp_path):
    return tmp_path / "library.sqlite3"


@pytest.fixture
def alice(path) -> LibraryStore:
    return LibraryStore(path, owner="alice")


@pytest.fixture
def bob(path) -> LibraryStore:
    return LibraryStore(path, owner="bob")


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


def test_take_over_moves_everything_and_renames_what_clashes(path):
    browser = LibraryStore(path, owner="browser:abc")
    browser.save("preset", "p", {"v": "browser"})
    browser.save("preset", "q", {})
    browser.save("prompt", "p", {})
    account = LibraryStore(path, owner="user:x")
    account.save("preset", "p", {"v": "account"})
    assert account.take_over("browser:abc") == 3
    assert names(account) == ["p", "p (2)", "q"]
    assert names(account, "prompt") == ["p"]
    assert browser.items("preset") == []
    assert account.take_over("user:x") == 0
    with pytest.raises(ValueError):
        LibraryStore(path).take_over("browser:abc")


def test_a_body_that_is_not_json_reads_as_none(alice, path):
    alice.save("preset", "p", {})
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("UPDATE items SET body = '{oops'")
    assert alice.items("preset")[0].body is None


def test_a_folder_that_cannot_be_written_is_a_sentence(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    store = LibraryStore(blocker / "library.sqlite3", owner="a")
    with pytest.raises(StoreUnavailable, match="OLLAMA_STUDIO_DATA_DIR"):
        store.ready()
    with pytest.raises(StoreFailed, match="could not be read or written"):
        store.items("preset")
