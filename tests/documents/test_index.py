"""Retrieval over the store: best first, numbered, filtered, fresh after every change, models apart."""

from __future__ import annotations

import numpy as np
import pytest

from lib.documents import index
from lib.documents.index import DimensionMismatch, search
from lib.documents.records import Document, Passage
from lib.documents.store import DocumentStore

MODEL = "nomic-embed-text"


@pytest.fixture(autouse=True)
def fresh_cache():
    index.forget()
    yield
    index.forget()


@pytest.fixture
def store(tmp_path) -> DocumentStore:
    return DocumentStore(tmp_path / "documents.sqlite3", owner="alice")


def unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def add(store: DocumentStore, name: str, texts: list[str], vectors: list[np.ndarray], model: str = MODEL) -> int:
    passages = [Passage(0, i, text, page=i + 1) for i, text in enumerate(texts)]
    document = Document(name=name, kind="text", size=10, sha256=name.ljust(64, "0"), model=model)
    return store.add(document, passages, np.vstack(vectors) * 3)  # stored as the server sent them, not normalised


def test_the_closest_passages_come_first_numbered_with_their_scores(store):
    add(store, "a.txt", ["east", "north", "north-east"], [unit(1, 0, 0), unit(0, 1, 0), unit(1, 1, 0)])
    hits = search(store, MODEL, unit(1, 0.2, 0), document_ids=None, top_k=2, min_score=0)
    assert [(h.number, h.passage.text, h.document) for h in hits] == [(1, "east", "a.txt"), (2, "north-east", "a.txt")]
    assert hits[0].score == pytest.approx(float(unit(1, 0.2, 0) @ unit(1, 0, 0)), abs=1e-6)
    assert hits[0].passage.page == 1 and hits[0].passage.id is not None


def test_min_score_leaves_out_what_is_not_close_enough(store):
    add(store, "a.txt", ["east", "west"], [unit(1, 0, 0), unit(-1, 0.1, 0)])
    assert [h.passage.text for h in search(store, MODEL, unit(1, 0, 0), document_ids=None, min_score=0.3)] == ["east"]
    assert search(store, MODEL, unit(0, 0, 1), document_ids=None, min_score=0.3) == []


def test_only_the_documents_asked_for(store):
    first = add(store, "a.txt", ["a"], [unit(1, 0, 0)])
    second = add(store, "b.txt", ["b"], [unit(0.9, 0.1, 0)])
    assert [h.document for h in search(store, MODEL, unit(1, 0, 0), document_ids=[second], min_score=0)] == ["b.txt"]
    assert search(store, MODEL, unit(1, 0, 0), document_ids=[], min_score=0) == []
    both = search(store, MODEL, unit(1, 0, 0), document_ids=[first, second], min_score=0)
    assert [h.document for h in both] == ["a.txt", "b.txt"]


def test_a_document_added_or_deleted_is_seen_by_the_next_search(store):
    first = add(store, "a.txt", ["a"], [unit(1, 0, 0)])
    assert len(search(store, MODEL, unit(1, 0, 0), document_ids=None, min_score=0)) == 1
    second = add(store, "b.txt", ["b"], [unit(1, 0.01, 0)])
    assert {h.document for h in search(store, MODEL, unit(1, 0, 0), document_ids=None, min_score=0)} == {
        "a.txt",
        "b.txt",
    }
    DocumentStore(store.path, "alice").delete(first)  # another session, another store object
    hits = search(store, MODEL, unit(1, 0, 0), document_ids=None, min_score=0)
    assert [h.document for h in hits] == ["b.txt"]
    assert index.matrix_for(store, MODEL).vectors.shape[0] == 1
    store.delete(second)
    assert search(store, MODEL, unit(1, 0, 0), document_ids=None, min_score=0) == []


def test_the_matrix_is_read_once_while_nothing_changes(store, monkeypatch):
    add(store, "a.txt", ["a"], [unit(1, 0, 0)])
    reads = []
    original = DocumentStore.vector_rows
    monkeypatch.setattr(DocumentStore, "vector_rows", lambda self, *a: reads.append(1) or original(self, *a))
    for _ in range(3):
        search(store, MODEL, unit(1, 0, 0), document_ids=None)
    assert len(reads) == 1


def test_after_a_change_only_new_or_reindexed_documents_are_read(store, monkeypatch):
    first = add(store, "a.txt", ["a"], [unit(1, 0, 0)])
    second = add(store, "b.txt", ["b", "b2"], [unit(0, 1, 0), unit(0, 1, 1)])
    search(store, MODEL, unit(1, 0, 0), document_ids=None)
    reads = []
    original = DocumentStore.vector_rows
    monkeypatch.setattr(
        DocumentStore, "vector_rows", lambda self, model, ids=None: reads.append(ids) or original(self, model, ids)
    )
    third = add(store, "c.txt", ["c"], [unit(0, 0, 1)])
    hits = search(store, MODEL, unit(0, 0, 1), document_ids=None, min_score=0.5)
    assert [h.passage.text for h in hits] == ["c", "b2"] and reads == [[third]]
    store.delete(second)
    assert [h.passage.text for h in search(store, MODEL, unit(0, 0.5, 1), document_ids=None)] == ["c"]
    assert reads == [[third]]  # a deletion reads nothing
    store.replace_vectors(first, MODEL, np.array([[0.0, 0.0, 1.0]], dtype=np.float32))
    assert [h.passage.text for h in search(store, MODEL, unit(0, 0, 1), document_ids=None)] == ["a", "c"]
    assert reads == [[third], [first]]
    matrix = index.matrix_for(store, MODEL)
    assert matrix.document_ids.tolist() == [first, third] and len(matrix.passage_ids) == 2


def test_reindexing_moves_a_document_to_the_other_models_search(store):
    moved = add(store, "a.txt", ["a"], [unit(1, 0, 0)])
    add(store, "b.txt", ["b"], [unit(1, 0, 0)])
    assert len(search(store, MODEL, unit(1, 0, 0), document_ids=None)) == 2
    store.replace_vectors(moved, "all-minilm", np.array([[0.0, 1.0]], dtype=np.float32))
    assert [h.document for h in search(store, MODEL, unit(1, 0, 0), document_ids=None)] == ["b.txt"]
    assert [h.document for h in search(store, "all-minilm", unit(0, 1), document_ids=None)] == ["a.txt"]
    with pytest.raises(DimensionMismatch):
        search(store, "all-minilm", unit(1, 0, 0), document_ids=None)


def test_owners_search_their_own_documents_only(store):
    add(store, "mine.txt", ["a"], [unit(1, 0, 0)])
    bob = DocumentStore(store.path, "bob")
    assert search(bob, MODEL, unit(1, 0, 0), document_ids=None, min_score=0) == []
    add(bob, "his.txt", ["b"], [unit(1, 0, 0)])
    assert [h.document for h in search(bob, MODEL, unit(1, 0, 0), document_ids=None)] == ["his.txt"]
    assert [h.document for h in search(store, MODEL, unit(1, 0, 0), document_ids=None)] == ["mine.txt"]


def test_hybrid_brings_up_an_exact_keyword_the_vectors_rank_lower(store):
    texts = ["The kettle model KX-200 has a warranty.", "Kettles boil water fast.", "Water boils at 100 degrees."]
    add(store, "k.txt", texts, [unit(0.6, 0.8, 0), unit(1, 0.1, 0), unit(0.9, 0.3, 0)])
    query = unit(1, 0.2, 0)
    plain = search(store, MODEL, query, document_ids=None, min_score=0, query_text="KX-200 warranty")
    assert plain[0].passage.text == "Kettles boil water fast."
    mixed = search(store, MODEL, query, document_ids=None, min_score=0, query_text="KX-200 warranty", hybrid=0.5)
    assert mixed[0].passage.text == texts[0] and mixed[0].score == pytest.approx(
        0.5 * float(query @ unit(0.6, 0.8, 0)) + 0.5
    )
    assert [h.number for h in mixed] == [1, 2, 3]


def test_nothing_to_search(store):
    assert search(store, MODEL, unit(1, 0, 0), document_ids=None) == []
    add(store, "a.txt", ["a"], [unit(1, 0, 0)])
    assert search(store, MODEL, np.zeros(3), document_ids=None, min_score=-1) == []
    assert search(store, MODEL, np.array([np.nan, 1, 0]), document_ids=None, min_score=-1) == []
    assert search(store, MODEL, unit(1, 0, 0), document_ids=None, top_k=0) == []


def test_the_cache_keeps_recent_matrices_within_its_budget(store, monkeypatch):
    add(store, "a.txt", ["a"], [unit(1, 0, 0)])
    add(store, "b.txt", ["b"], [unit(1, 0)], model="all-minilm")
    monkeypatch.setattr(index, "CACHE_BYTES", 1)
    search(store, MODEL, unit(1, 0, 0), document_ids=None)
    search(store, "all-minilm", unit(1, 0), document_ids=None)
    assert [key[2] for key in index._cache] == ["all-minilm"]  # the latest stays even past the budget


def test_ties_keep_passage_order_and_top_k_caps(store):
    add(store, "a.txt", [f"p{i}" for i in range(10)], [unit(1, 0, 0)] * 10)
    hits = search(store, MODEL, unit(1, 0, 0), document_ids=None, top_k=4)
    assert [h.passage.text for h in hits] == ["p0", "p1", "p2", "p3"]
