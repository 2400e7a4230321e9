"""Retrieval: the passages closest to a question, by cosine similarity, optionally mixed with keywords.

Measured on this machine (``python -m bench``, 100,000 passages of 768 dimensions): a numpy
matrix kept in memory answers a question in 5 to 25 ms end to end, depending on the load of the
shared machine; sqlite-vec's ``vec0`` table in the same SQLite file in 90 to 125 ms (it scans
every vector too, through SQLite, and needs a SQLite that loads extensions, which this Python's
``sqlite3`` is not). So the library
keeps each owner's vectors of a model as one normalised float32 matrix in memory, read from the
store on the first search. After the owner's documents changed
(:meth:`~lib.documents.store.DocumentStore.generation`, checked with one small query per
search), only the documents added or re-indexed since are read (each document's vectors carry a
stamp), and deleted ones are dropped. Matrices are kept for the most recently searched owners
and models, up to :data:`CACHE_BYTES` in all.

Keyword scores (BM25, :mod:`lib.documents.keywords`) are built for a matrix the first time a
search asks for them. With ``hybrid`` h, a passage's score is ``(1 - h) × cosine + h × keywords``,
the keyword part divided by the best keyword score among the passages searched, so both lie in
the same range and ``min_score`` applies to what ranks.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from lib.documents.keywords import KeywordIndex
from lib.documents.records import Hit
from lib.documents.store import DocumentStore

CACHE_BYTES = 1 << 30


class DimensionMismatch(ValueError):
    """The question's vector and the documents' vectors have different sizes: they come from different models."""


@dataclass
class _Matrix:
    generation: int
    vectors: np.ndarray  # (n, d), rows of length 1 (or 0 for a zero vector), grouped by document in id order
    passage_ids: np.ndarray
    document_ids: np.ndarray
    stamps: dict[int, int] = field(default_factory=dict)  # document id -> the stamp of its vectors read
    keywords: KeywordIndex | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def nbytes(self) -> int:
        return int(self.vectors.nbytes + self.passage_ids.nbytes + self.document_ids.nbytes)


_CacheKey = tuple[str, str | None, str]
_cache: OrderedDict[_CacheKey, _Matrix] = OrderedDict()
_cache_lock = threading.Lock()
_build_lock = threading.Lock()


def search(
    store: DocumentStore,
    model: str,
    query_vector: np.ndarray,
    *,
    document_ids: Sequence[int] | None,
    top_k: int = 5,
    min_score: float = 0.3,
    query_text: str = "",
    hybrid: float = 0.0,
) -> list[Hit]:
    """The ``top_k`` passages (of ``document_ids``, or all of the owner's when None) that score at
    least ``min_score`` for ``query_vector`` from ``model``, best first, numbered from 1.

    ``hybrid`` (0 to 1) mixes in keyword scores of ``query_text``. An empty ``document_ids`` finds
    nothing. Raises :class:`DimensionMismatch` when the vector's size is not the documents'.
    """
    query = np.asarray(query_vector, dtype=np.float32).ravel()
    norm = float(np.linalg.norm(query))
    if top_k < 1 or (document_ids is not None and len(document_ids) == 0) or not np.isfinite(norm) or norm == 0:
        return []
    matrix = matrix_for(store, model)
    if matrix.vectors.shape[0] == 0:
        return []
    if matrix.vectors.shape[1] != query.size:
        raise DimensionMismatch(
            f"the question's vector has {query.size} values, the documents' {matrix.vectors.shape[1]}"
        )
    scores = matrix.vectors @ (query / norm)
    selected = None if document_ids is None else np.isin(matrix.document_ids, np.asarray(document_ids, dtype=np.int64))
    weight = min(max(float(hybrid), 0.0), 1.0)
    if weight > 0 and query_text.strip():
        scores = (1 - weight) * scores + weight * _keyword_scores(store, model, matrix, query_text, selected)
    if selected is not None:
        scores = np.where(selected, scores, -np.inf)
    best = _best(scores, top_k)
    best = [row for row in best if scores[row] >= min_score]
    found = store.passages_with_names([int(matrix.passage_ids[row]) for row in best])
    hits: list[Hit] = []
    for row in best:
        passage_id = int(matrix.passage_ids[row])
        if passage_id in found:  # a passage deleted since the matrix was read is left out
            passage, name = found[passage_id]
            hits.append(Hit(passage, name, float(scores[row]), number=len(hits) + 1))
    return hits


def matrix_for(store: DocumentStore, model: str) -> _Matrix:
    """The owner's matrix of ``model``'s vectors: the cached one while the store has not changed."""
    key = (store.location.key if store.location else "", store.owner, model)  # the database: a file or a server
    generation = store.generation()  # read before the vectors: a change after it makes the next search read again
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None and cached.generation == generation:
            _cache.move_to_end(key)
            return cached
    with _build_lock:  # one reading at a time: two sessions asking at once read once
        with _cache_lock:
            cached = _cache.get(key)
            if cached is not None and cached.generation == generation:
                return cached
        built = _read(store, model, generation, cached)
        with _cache_lock:
            _cache[key] = built
            _cache.move_to_end(key)
            while len(_cache) > 1 and sum(entry.nbytes for entry in _cache.values()) > CACHE_BYTES:
                _cache.popitem(last=False)
    return built


def _read(store: DocumentStore, model: str, generation: int, cached: _Matrix | None) -> _Matrix:
    """The owner's matrix now: the rows of ``cached`` whose documents are unchanged, and the rest read."""
    stamps = store.vector_stamps(model)
    kept = {d for d, stamp in stamps.items() if cached is not None and cached.stamps.get(d) == stamp}
    fresh = sorted(set(stamps) - kept)
    if kept and not fresh:  # documents deleted, none added
        vectors, passage_ids, document_ids = np.zeros((0, 0), np.float32), np.zeros(0, np.int64), np.zeros(0, np.int64)
    else:
        vectors, passage_ids, document_ids = store.vector_rows(model, fresh if kept else None)
    vectors = _normalised(vectors)
    if cached is None or not kept or (vectors.size and vectors.shape[1] != cached.vectors.shape[1]):
        if kept:  # another size than the cached rows: read everything again
            vectors, passage_ids, document_ids = store.vector_rows(model)
            vectors = _normalised(vectors)
        read = {int(d) for d in np.unique(document_ids)}
        return _Matrix(generation, vectors, passage_ids, document_ids, {d: stamps[d] for d in read if d in stamps})
    pieces = {d: (cached, span) for d, span in _spans(cached.document_ids).items() if d in kept}
    new = _Matrix(generation, vectors, passage_ids, document_ids)
    pieces.update({d: (new, span) for d, span in _spans(document_ids).items()})
    order = sorted(pieces)
    parts = [(pieces[d][0], slice(*pieces[d][1])) for d in order]
    return _Matrix(
        generation,
        np.concatenate([m.vectors[rows] for m, rows in parts]) if parts else np.zeros((0, 0), np.float32),
        np.concatenate([m.passage_ids[rows] for m, rows in parts]) if parts else np.zeros(0, np.int64),
        np.concatenate([m.document_ids[rows] for m, rows in parts]) if parts else np.zeros(0, np.int64),
        {d: stamps[d] for d in order},
    )


def _normalised(vectors: np.ndarray) -> np.ndarray:
    if vectors.size == 0:
        return vectors
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros(vectors.shape, np.float32), where=norms > 0)


def _spans(document_ids: np.ndarray) -> dict[int, tuple[int, int]]:
    """Each document's rows, ``(start, stop)``: a document's rows are together."""
    documents, starts, counts = np.unique(document_ids, return_index=True, return_counts=True)
    return {int(d): (int(start), int(start + count)) for d, start, count in zip(documents, starts, counts, strict=True)}


def forget() -> None:
    """Drop every cached matrix (tests, and a deployment that wants the memory back)."""
    with _cache_lock:
        _cache.clear()


def _keyword_scores(
    store: DocumentStore, model: str, matrix: _Matrix, query_text: str, selected: np.ndarray | None
) -> np.ndarray:
    with matrix.lock:
        if matrix.keywords is None:
            texts = store.passage_texts(model)
            matrix.keywords = KeywordIndex([texts.get(int(passage_id), "") for passage_id in matrix.passage_ids])
        keywords = matrix.keywords
    scores = keywords.scores(query_text)
    considered = scores if selected is None else scores[selected]
    top = float(considered.max()) if considered.size else 0.0
    return scores / top if top > 0 else scores


def _best(scores: np.ndarray, count: int) -> list[int]:
    """The rows of the ``count`` highest finite scores, highest first (ties by row)."""
    finite = np.flatnonzero(np.isfinite(scores))
    if finite.size == 0:
        return []
    count = min(count, finite.size)
    values = scores[finite]
    top = np.argpartition(-values, count - 1)[:count] if count < finite.size else np.arange(finite.size)
    ordered = sorted(top.tolist(), key=lambda i: (-values[i], finite[i]))
    return [int(finite[i]) for i in ordered]
