"""Documents revision 3: each document keeps the server whose model made its vectors; those saved before get ""
(the sidebar's server), with every row and vector as it was, on both databases."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from lib.documents.records import Document, Passage
from lib.documents.store import DocumentStore
from lib.storage import migrate
from tests.storage.backends import Backend
from tests.storage.schema import differences

GPU = "http://10.0.0.7:11434"
VECTOR = np.array([[0.5, -1.0, 2.0, 0.25]], dtype="<f4")


def revision_2_store(folder: Path) -> type[DocumentStore]:
    """A :class:`DocumentStore` class whose newest revision is 2 (revisions 1 and 2 copied into ``folder``)."""
    folder.mkdir(parents=True)
    for file in sorted((migrate.MIGRATIONS / "documents").glob("documents_000[12]_*.py")):
        shutil.copy(file, folder)

    class Revision2Store(DocumentStore):
        REVISIONS = folder

    return Revision2Store


def test_documents_saved_before_keep_every_row_and_vector_and_get_no_server(backend: Backend, tmp_path, monkeypatch):
    old = revision_2_store(tmp_path / "revisions")
    old().ready()
    backend.execute(
        old,
        "INSERT INTO documents (id, owner, name, kind, size, sha256, model, passages, added_at) VALUES "
        "(1, 'a', 'guide.pdf', 'pdf', 5000000000, 's1', 'nomic-embed-text', 1, 1.5)",
    )
    backend.execute(old, "INSERT INTO passages (id, document_id, position, text) VALUES (1, 1, 0, 'Cats purr.')")
    backend.execute(
        old,
        "INSERT INTO vectors (document_id, model, rows, dimensions, stamp, data) "
        "VALUES (1, 'nomic-embed-text', 1, 4, 4611686018427387903, :data)",
        data=VECTOR.tobytes(),
    )
    before = backend.execute(old, "SELECT * FROM documents")
    monkeypatch.setattr(migrate, "_done", set())  # this process took the database to revision 2 only
    store = DocumentStore(owner="a")
    [guide] = store.documents()
    assert guide.server == ""
    assert guide.placed(GPU).server == GPU  # "": the sidebar's server, whichever it is now
    assert [(*row, "") for row in before] == [
        tuple(row) for row in backend.execute(DocumentStore, "SELECT * FROM documents")
    ]
    assert store.vectors("nomic-embed-text")[0].tobytes() == VECTOR.tobytes()
    assert backend.execute(DocumentStore, "SELECT version_num FROM alembic_version_documents") == [("documents_0003",)]
    assert differences(store) == []


def test_a_document_is_saved_with_its_server_and_found_again_only_there(backend: Backend):
    store = DocumentStore(owner="a")
    laptop = "http://127.0.0.1:11434"
    on_gpu = Document("guide.pdf", "pdf", 10, "s" * 64, "nomic-embed-text", server=GPU)
    document_id = store.add(on_gpu, [Passage(0, 0, "Cats purr.")], VECTOR)
    assert store.get(document_id).server == GPU
    assert store.find("s" * 64, "nomic-embed-text", GPU).id == document_id
    assert store.find("s" * 64, "nomic-embed-text", laptop, legacy=True) is None  # another server's vectors
    again = store.add(on_gpu, [Passage(0, 0, "Cats purr.")], VECTOR)
    assert again == document_id  # the same file, model and server: kept once
    on_laptop = store.add(
        Document("guide.pdf", "pdf", 10, "s" * 64, "nomic-embed-text", server=laptop),
        [Passage(0, 0, "Cats purr.")],
        VECTOR,
    )
    assert on_laptop != document_id
    store.replace_vectors(document_id, "all-minilm", VECTOR, laptop)
    assert (store.get(document_id).model, store.get(document_id).server) == ("all-minilm", laptop)


def test_a_document_saved_without_a_server_is_found_on_the_sidebars_server_only(backend: Backend):
    store = DocumentStore(owner="a")
    document_id = store.add(Document("old.pdf", "pdf", 10, "o" * 64, "nomic-embed-text"), [Passage(0, 0, "x")], VECTOR)
    assert store.find("o" * 64, "nomic-embed-text", GPU) is None
    assert store.find("o" * 64, "nomic-embed-text", GPU, legacy=True).id == document_id
    legacy = Document("old.pdf", "pdf", 10, "o" * 64, "nomic-embed-text", server=GPU)
    assert store.add(legacy, [Passage(0, 0, "x")], VECTOR, legacy=True) == document_id
