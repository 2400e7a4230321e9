"""The document library's database, on SQLite and on PostgreSQL: whole saves, owners apart, models never mixed,
deletes that take everything; a library file of the SQLite-only app upgraded without loss."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from lib.documents import store as module
from lib.documents.records import Document, Passage
from lib.documents.store import DocumentStore, NotFound, StoreFailed, StoreUnavailable
from tests.storage import make_fixtures
from tests.storage.backends import Backend
from tests.storage.schema import differences

FIXTURE = Path(__file__).parents[1] / "storage" / "fixtures" / "v_current" / "documents.sqlite3"


def doc(sha: str = "a" * 64, model: str = "nomic-embed-text", name: str = "handbook.pdf") -> Document:
    return Document(name=name, kind="pdf", size=1234, sha256=sha, model=model)


def passages(count: int = 3) -> list[Passage]:
    return [Passage(0, i, f"passage {i}", page=i + 1, heading=f"H{i}") for i in range(count)]


def vectors(count: int = 3, dimensions: int = 4, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((count, dimensions)).astype(np.float32)


def rows(backend: Backend, table: str) -> int:
    """How many rows ``table`` holds in the backend's database (read apart from the store)."""
    return int(backend.execute(DocumentStore, f"SELECT COUNT(*) FROM {table}")[0][0])


@pytest.fixture
def store(backend: Backend) -> DocumentStore:
    return DocumentStore(owner="alice")


def test_a_document_is_saved_with_its_passages_and_vectors(store):
    matrix = vectors()
    document_id = store.add(doc(), passages(), matrix)
    saved = store.get(document_id)
    assert saved is not None and (saved.name, saved.passages, saved.model) == ("handbook.pdf", 3, "nomic-embed-text")
    assert saved.added_at > 0
    assert store.documents() == [saved]
    stored = store.passages(document_id)
    assert [(p.document_id, p.index, p.text, p.page, p.heading) for p in stored] == [
        (document_id, i, f"passage {i}", i + 1, f"H{i}") for i in range(3)
    ]
    found, ids = store.vectors("nomic-embed-text")
    assert ids == [p.id for p in stored]
    assert found.dtype == np.float32 and np.array_equal(found, matrix)
    assert store.passage(stored[1].id) == stored[1]
    assert store.passages_with_names([stored[2].id, 999]) == {stored[2].id: (stored[2], "handbook.pdf")}


def test_the_same_file_and_model_is_found_and_saved_once(store, backend):
    first = store.add(doc(), passages(), vectors())
    assert store.find("a" * 64, "nomic-embed-text").id == first
    assert store.find("a" * 64, "all-minilm") is None
    assert store.find("b" * 64, "nomic-embed-text") is None
    assert store.add(doc(), passages(), vectors()) == first
    assert rows(backend, "documents") == 1 and rows(backend, "vectors") == 1  # one BLOB per document


def test_a_save_that_fails_leaves_nothing(store, backend):
    with pytest.raises(ValueError):
        store.add(doc(), passages(3), vectors(2))
    with pytest.raises(ValueError):
        store.add(doc(), passages(2), np.array([[1.0, np.nan], [0.0, 1.0]]))
    assert store.documents() == [] and rows(backend, "passages") == 0


def test_a_save_interrupted_midway_leaves_nothing_half_saved(store, backend, monkeypatch):
    def broken(db, ids, model, matrix):
        raise sa.exc.OperationalError("INSERT INTO vectors", {}, Exception("disk I/O error"))

    monkeypatch.setattr(module, "_insert_vectors", broken)
    with pytest.raises(StoreFailed, match="disk I/O error"):
        store.add(doc(), passages(), vectors())
    assert (rows(backend, "documents"), rows(backend, "passages"), rows(backend, "vectors")) == (0, 0, 0)


def test_deleting_a_document_removes_its_passages_vectors_and_attachments(store, backend):
    kept = store.add(doc("b" * 64), passages(2), vectors(2))
    gone = store.add(doc(), passages(), vectors())
    store.attach(7, gone)
    store.delete(gone)
    assert store.get(gone) is None and store.passages(gone) == []
    assert rows(backend, "passages") == 2 and rows(backend, "vectors") == 1 and rows(backend, "attachments") == 0
    matrix, ids = store.vectors("nomic-embed-text")
    assert matrix.shape == (2, 4) and ids == [p.id for p in store.passages(kept)]
    assert store.attached(7) == []


def test_deleting_gives_the_space_back(tmp_path):  # SQLite: the file shrinks (PostgreSQL's autovacuum does its own)
    store = DocumentStore(tmp_path / "documents.sqlite3", owner="alice")
    store.add(doc(), passages(3000), vectors(3000, 768))
    size = sum(path.stat().st_size for path in store.path.parent.glob("documents.sqlite3*"))
    assert size > 3000 * 768 * 4
    store.delete(store.documents()[0].id)
    with sqlite3.connect(store.path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = db.execute("PRAGMA page_count").fetchone()[0] * db.execute("PRAGMA page_size").fetchone()[0]
        free = db.execute("PRAGMA freelist_count").fetchone()[0]
    assert free == 0 and pages < size / 5  # what is left: a 64 kB page per table and index


def test_reindexing_replaces_every_vector_and_never_mixes_models(store, backend):
    document_id = store.add(doc(), passages(), vectors(3, 4))
    other = store.add(doc("b" * 64), passages(2), vectors(2, 4, seed=1))
    replacement = vectors(3, 6, seed=2)
    store.replace_vectors(document_id, "all-minilm", replacement)
    assert store.get(document_id).model == "all-minilm"
    old, old_ids = store.vectors("nomic-embed-text")
    assert old.shape == (2, 4) and old_ids == [p.id for p in store.passages(other)]
    new, new_ids = store.vectors("all-minilm")
    assert np.array_equal(new, replacement) and new_ids == [p.id for p in store.passages(document_id)]
    assert rows(backend, "vectors") == 2
    with pytest.raises(ValueError):
        store.replace_vectors(document_id, "bge-m3", vectors(2, 4))
    assert store.get(document_id).model == "all-minilm"


def test_vectors_of_some_documents_only(store):
    first = store.add(doc("a" * 64), passages(2), vectors(2))
    second = store.add(doc("b" * 64), passages(3), vectors(3))
    matrix, _, owners = store.vector_rows("nomic-embed-text", [second])
    assert matrix.shape == (3, 4) and owners.tolist() == [second] * 3
    assert store.vectors("nomic-embed-text", [])[0].shape[0] == 0
    assert store.vector_rows("nomic-embed-text", [first, second])[2].tolist() == [first] * 2 + [second] * 3


def test_vectors_that_do_not_match_their_document_are_left_out(store, backend):
    good = store.add(doc("a" * 64), passages(2), vectors(2))
    damaged = store.add(doc("b" * 64), passages(3), vectors(3))
    odd_size = store.add(doc("c" * 64), passages(1), vectors(1, 8))
    backend.execute(DocumentStore, "UPDATE vectors SET data = substr(data, 1, 20) WHERE document_id = :d", d=damaged)
    matrix, _, owners = store.vector_rows("nomic-embed-text")
    assert matrix.shape == (2, 4) and set(owners.tolist()) == {good}
    assert odd_size not in owners


def test_owners_see_only_their_own_documents(backend):
    alice, bob, everyone = DocumentStore(owner="alice"), DocumentStore(owner="bob"), DocumentStore()
    mine = alice.add(doc(), passages(), vectors())
    assert bob.documents() == [] and bob.get(mine) is None and bob.passages(mine) == []
    assert bob.find("a" * 64, "nomic-embed-text") is None
    assert bob.vectors("nomic-embed-text")[0].shape[0] == 0
    assert bob.passage(alice.passages(mine)[0].id) is None
    with pytest.raises(NotFound):
        bob.attach(1, mine)
    with pytest.raises(NotFound):
        bob.replace_vectors(mine, "all-minilm", vectors())
    bob.delete(mine)
    assert alice.get(mine) is not None
    theirs = bob.add(doc(), passages(), vectors())  # the same file, indexed by someone else: their own copy
    assert theirs != mine and [d.id for d in everyone.documents()] == [theirs, mine]


def test_attachments_per_conversation(store):
    first = store.add(doc("a" * 64, name="one.pdf"), passages(), vectors())
    second = store.add(doc("b" * 64, name="two.pdf"), passages(), vectors())
    store.attach(5, second)
    store.attach(5, first)
    store.attach(5, second)
    store.attach(6, first)
    assert [d.name for d in store.attached(5)] == ["two.pdf", "one.pdf"]
    store.detach(5, second)
    assert [d.name for d in store.attached(5)] == ["one.pdf"]
    DocumentStore(owner="bob").forget_conversation(6)
    assert [d.name for d in store.attached(6)] == ["one.pdf"]
    store.forget_conversation(6)
    assert store.attached(6) == [] and store.get(first) is not None


def test_the_generation_changes_with_this_owners_documents_only(backend):
    alice, bob, everyone = DocumentStore(owner="alice"), DocumentStore(owner="bob"), DocumentStore()
    start = alice.generation()
    document_id = alice.add(doc(), passages(), vectors())
    after_add = alice.generation()
    assert after_add != start
    bob.add(doc(), passages(), vectors())
    assert alice.generation() == after_add
    seen = everyone.generation()
    alice.replace_vectors(document_id, "all-minilm", vectors())
    assert alice.generation() != after_add and everyone.generation() != seen
    before_delete = alice.generation()
    alice.delete(document_id)
    assert alice.generation() != before_delete
    assert DocumentStore(owner="alice").generation() == alice.generation()


def test_parallel_writers_all_save(backend):
    DocumentStore().ready()
    errors: list[Exception] = []

    def save(index: int) -> None:
        try:
            DocumentStore(owner=f"owner{index}").add(doc(f"{index:064d}"), passages(5), vectors(5, 64))
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=save, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(DocumentStore().documents()) == 8


def test_an_unusable_folder_is_a_sentence(tmp_path):  # SQLite only: a server has no folder
    blocker = tmp_path / "file"
    blocker.write_text("x")
    store = DocumentStore(blocker / "documents.sqlite3")
    with pytest.raises(StoreUnavailable) as caught:
        store.ready()
    assert "OLLAMA_STUDIO_DATA_DIR" in str(caught.value)
    with pytest.raises(StoreFailed):
        store.documents()


def test_the_default_path_is_in_the_data_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("OLLAMA_STUDIO_DATA_DIR", str(tmp_path))
    assert DocumentStore().path == tmp_path / "documents.sqlite3"


def test_a_version_1_library_keeps_its_vectors(tmp_path):
    """Version 1 (on main before one BLOB per document) kept a row per passage's vector."""
    path = tmp_path / "documents.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(schema_v1())
        db.execute(
            "INSERT INTO documents (id, owner, name, kind, size, sha256, model, passages, added_at) "
            "VALUES (1, 'alice', 'old.pdf', 'pdf', 10, ?, 'nomic-embed-text', 3, 1.0)",
            ("a" * 64,),
        )
        db.execute(
            "INSERT INTO documents (id, owner, name, kind, size, sha256, model, passages, added_at) "
            "VALUES (2, 'alice', 'partial.pdf', 'pdf', 10, ?, 'nomic-embed-text', 2, 2.0)",
            ("b" * 64,),
        )
        matrix = vectors(3)
        for position, passage_id in enumerate((12, 10, 11)):  # ids out of order: the position decides
            db.execute("INSERT INTO passages VALUES (?, 1, ?, ?, NULL, '')", (passage_id, position, f"p{position}"))
            db.execute(
                "INSERT INTO vectors VALUES (?, 'nomic-embed-text', 4, ?)", (passage_id, matrix[position].tobytes())
            )
        db.execute("INSERT INTO passages VALUES (20, 2, 0, 'q0', NULL, '')")
        db.execute("INSERT INTO passages VALUES (21, 2, 1, 'q1', NULL, '')")
        db.execute("INSERT INTO vectors VALUES (20, 'nomic-embed-text', 4, ?)", (matrix[0].tobytes(),))
        db.execute("PRAGMA user_version = 1")
    store = DocumentStore(path, "alice")
    found, ids, owners = store.vector_rows("nomic-embed-text")
    assert np.array_equal(found, matrix) and ids.tolist() == [12, 10, 11] and owners.tolist() == [1, 1, 1]
    assert [d.name for d in store.documents()] == ["partial.pdf", "old.pdf"]  # kept, found by no search
    added = store.add(doc("c" * 64), passages(2), vectors(2))
    assert store.vector_rows("nomic-embed-text")[2].tolist() == [1, 1, 1, added, added]
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 2


def schema_v1() -> str:
    return """
    CREATE TABLE documents (id INTEGER PRIMARY KEY AUTOINCREMENT, owner TEXT, name TEXT NOT NULL, kind TEXT NOT NULL,
        size INTEGER NOT NULL, sha256 TEXT NOT NULL, model TEXT NOT NULL, passages INTEGER NOT NULL DEFAULT 0,
        added_at REAL NOT NULL);
    CREATE INDEX documents_by_owner ON documents (owner, added_at);
    CREATE INDEX documents_by_hash ON documents (sha256, model);
    CREATE TABLE passages (id INTEGER PRIMARY KEY AUTOINCREMENT,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE, position INTEGER NOT NULL,
        text TEXT NOT NULL, page INTEGER, heading TEXT NOT NULL DEFAULT '');
    CREATE INDEX passages_by_document ON passages (document_id, position);
    CREATE TABLE vectors (passage_id INTEGER PRIMARY KEY REFERENCES passages(id) ON DELETE CASCADE,
        model TEXT NOT NULL, dimensions INTEGER NOT NULL, vector BLOB NOT NULL);
    CREATE TABLE attachments (conversation_id INTEGER NOT NULL,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE, owner TEXT,
        attached_at REAL NOT NULL, PRIMARY KEY (conversation_id, document_id));
    CREATE INDEX attachments_by_document ON attachments (document_id);
    CREATE TABLE changes (owner TEXT PRIMARY KEY, generation INTEGER NOT NULL);
    """


def test_taking_over_moves_the_former_owners_documents_and_attachments_once(backend):
    browser, other = DocumentStore(owner="browser:x"), DocumentStore(owner="browser:y")
    mine = browser.add(doc(), passages(), vectors())
    browser.attach(7, mine)
    theirs = other.add(doc(sha="b" * 64), passages(), vectors())
    account = DocumentStore(owner="user:ann")
    before = account.generation()
    assert account.take_over("browser:x") == 1
    assert account.generation() != before  # a search matrix kept for the account is read again
    assert [d.id for d in account.documents()] == [mine] and [d.id for d in account.attached(7)] == [mine]
    assert browser.documents() == [] and browser.attached(7) == []
    assert [d.id for d in other.documents()] == [theirs]
    assert account.take_over("browser:x") == 0
    assert account.take_over("user:ann") == 0
    with pytest.raises(ValueError):
        DocumentStore().take_over("browser:y")


def test_the_database_equals_the_declared_tables(store):
    assert differences(store) == []


def test_sizes_and_stamps_past_2_31_are_kept(store, backend):
    """A 5 GB file and 62-bit stamps: PostgreSQL's integer is 32-bit, so both columns are bigint there."""
    size = 5 * 2**30
    document_id = store.add(
        Document(name="big.iso", kind="text", size=size, sha256="e" * 64, model="m"), [], vectors(0)
    )
    assert store.get(document_id).size == size and store.documents()[0].size == size
    other = store.add(doc(), passages(), vectors())
    stamps = store.vector_stamps("nomic-embed-text")
    saved = backend.execute(DocumentStore, "SELECT stamp FROM vectors WHERE document_id = :d", d=other)
    assert stamps == {other: saved[0][0]} and 0 <= stamps[other] < 2**62
    backend.execute(DocumentStore, "UPDATE vectors SET stamp = :s WHERE document_id = :d", s=2**62 - 1, d=other)
    assert store.vector_stamps("nomic-embed-text") == {other: 2**62 - 1}


def test_attachments_keep_the_order_they_were_attached_in_at_the_same_moment(store, monkeypatch):
    """The list is in the order of attaching even when the clock gives two attachments one time (the SQLite-only
    app ordered by rowid, which PostgreSQL has not)."""
    ids = [store.add(doc(f"{n}" * 64, name=f"{n}.pdf"), passages(1), vectors(1)) for n in range(1, 5)]
    monkeypatch.setattr(module.time, "time", lambda: 1_800_000_000.0)
    for document_id in (ids[2], ids[0], ids[3], ids[1]):
        store.attach(8, document_id)
    assert [d.name for d in store.attached(8)] == ["3.pdf", "1.pdf", "4.pdf", "2.pdf"]
    store.detach(8, ids[0])
    store.attach(8, ids[0])  # attached again: now the last
    store.attach(8, ids[2])  # already attached: keeps its place
    assert [d.name for d in store.attached(8)] == ["3.pdf", "4.pdf", "2.pdf", "1.pdf"]


def raw_rows(path: Path) -> dict[str, list[tuple]]:
    """Every column of every row of the SQLite-only app's tables, in a fixed order."""
    order = {
        "documents": "id",
        "passages": "id",
        "vectors": "document_id",
        "attachments": "conversation_id, document_id",
        "changes": "owner",
    }
    columns = {  # the app's columns: attachments' position and documents' server are new
        "attachments": "conversation_id, document_id, owner, attached_at",
        "documents": "id, owner, name, kind, size, sha256, model, passages, added_at",
    }
    with closing(sqlite3.connect(path)) as db:
        return {
            table: db.execute(f"SELECT {columns.get(table, '*')} FROM {table} ORDER BY {key}").fetchall()
            for table, key in order.items()
        }


def test_a_library_of_the_sqlite_only_app_is_upgraded_in_place_without_loss(tmp_path):
    path = tmp_path / "documents.sqlite3"  # the same file name as ever, in the data folder (the test's)
    shutil.copy(FIXTURE, path)
    before = raw_rows(path)
    alice = DocumentStore(owner=make_fixtures.ALICE)
    [guide] = alice.documents()
    assert (guide.name, guide.kind, guide.size, guide.sha256, guide.model, guide.passages, guide.added_at) == (
        "guide.pdf",
        "pdf",
        48_213,
        "ab" * 32,
        "nomic-embed-text",
        3,
        1_760_000_000.25,
    )
    assert [(p.index, p.text, p.page, p.heading) for p in alice.passages(guide.id)] == [
        (p.index, p.text, p.page, p.heading) for p in make_fixtures.PASSAGES
    ]
    matrix, passage_ids = alice.vectors("nomic-embed-text")
    assert matrix.tobytes() == make_fixtures.VECTORS.tobytes()  # every vector, byte for byte
    assert passage_ids == [p.id for p in alice.passages(guide.id)]
    everyone = DocumentStore()
    assert [d.name for d in everyone.documents()] == ["notes.txt", "guide.pdf"]
    assert everyone.vectors("nomic-embed-text")[0].tobytes() == (
        make_fixtures.VECTORS.tobytes() + np.array([[1.0, 0.0, 0.0, 0.0]], dtype="<f4").tobytes()
    )
    assert [d.id for d in alice.attached(1)] == [guide.id]  # her chat's
    assert [d.id for d in everyone.attached(999)] == [guide.id] and DocumentStore(owner="bob").attached(999) == []
    assert alice.generation() == 1 and everyone.generation() == 2
    assert raw_rows(path) == before  # every column of every row, as it was
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT version_num FROM alembic_version_documents").fetchall() == [("documents_0003",)]
        assert db.execute("SELECT position FROM attachments ORDER BY rowid").fetchall() == [(1,), (2,)]
        assert db.execute("SELECT server FROM documents ORDER BY id").fetchall() == [("",), ("",)]  # the sidebar's
        assert (db.execute("PRAGMA page_size").fetchone()[0], db.execute("PRAGMA auto_vacuum").fetchone()[0]) == (
            65536,
            2,  # incremental
        )
    assert differences(everyone) == []
    added = alice.add(doc("f" * 64), passages(2), vectors(2))  # and it takes new documents
    alice.attach(1, added)
    assert [d.id for d in alice.attached(1)] == [guide.id, added]
    assert alice.generation() == 2
