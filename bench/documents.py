"""Chat with documents: retrieval over 100,000 passages, and how fast files are indexed.

Retrieval runs :func:`lib.documents.index.search` (the numpy matrix kept in memory) on a real
library (``lib.documents.store``, SQLite) of synthetic passages with random 768-dimension vectors,
end to end: the store's change check, the matrix product, the top hits and their passages read
back. The same vectors go into sqlite-vec's ``vec0`` table for comparison, through apsw (this
Python's ``sqlite3`` cannot load extensions) when apsw and sqlite-vec are installed.

Indexing runs an :class:`lib.documents.ingest.IngestJob` on a text file against the fake in its
own process, with the shared vector cache empty; requests counted in the fake's log.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.fake_process import FakeServer
from lib.documents import index, ingest
from lib.documents.chunking import split
from lib.documents.ingest import IngestJob, Stage
from lib.documents.records import Document, Passage, Section
from lib.documents.store import DocumentStore
from lib.ollama.client import OllamaClient

MODEL = "nomic-embed-text:latest"
DIMENSIONS = 768
PER_DOCUMENT = 1000
QUERIES = 30
GOAL_MS = 100.0


@dataclass(frozen=True)
class RetrievalRun:
    passages: int
    dimensions: int
    query_ms: float  # median, matrix already in memory
    filtered_ms: float  # median, five documents of the library asked for
    first_search_s: float  # the first search: the whole matrix read from SQLite
    after_add_s: float  # the search after a 1,000-passage document was added: only it is read
    hybrid_ms: float  # median, with BM25 keywords mixed in
    keywords_build_s: float  # the first hybrid search: the keyword index built
    sqlite_vec_ms: float | None  # median vec0 k-nearest query; None when not installed
    sqlite_vec_note: str = ""


@dataclass(frozen=True)
class IngestRun:
    passages: int
    seconds: float
    requests: int

    @property
    def rate(self) -> float:
        return self.passages / self.seconds

    @property
    def requests_per_1000(self) -> float:
        return self.requests * 1000 / self.passages


def _words(rng: np.random.Generator, count: int) -> list[str]:
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    return ["".join(rng.choice(letters, size=int(rng.integers(3, 9)))) for _ in range(count)]


def retrieval(passages: int, folder: Path) -> RetrievalRun:
    rng = np.random.default_rng(0)
    vocabulary = np.array(_words(rng, 5000))
    store = DocumentStore(folder / "documents.sqlite3", owner="bench")
    all_vectors = []
    for start in range(0, passages, PER_DOCUMENT):
        count = min(PER_DOCUMENT, passages - start)
        texts = [" ".join(rng.choice(vocabulary, size=40)) for _ in range(count)]
        vectors = rng.standard_normal((count, DIMENSIONS), dtype=np.float32)
        all_vectors.append(vectors)
        document = Document(f"doc{start}.txt", "text", 1, f"{start:064d}", MODEL)
        store.add(document, [Passage(0, i, text) for i, text in enumerate(texts)], vectors)
    documents = [d.id for d in store.documents() if d.id is not None]
    queries = rng.standard_normal((QUERIES, DIMENSIONS), dtype=np.float32)

    index.forget()
    started = time.perf_counter()
    index.search(store, MODEL, queries[0], document_ids=None, min_score=-1)
    first = time.perf_counter() - started
    plain = _median_ms(lambda q: index.search(store, MODEL, q, document_ids=None, min_score=-1), queries)
    some = documents[:5]
    filtered = _median_ms(lambda q: index.search(store, MODEL, q, document_ids=some, min_score=-1), queries)
    words = [" ".join(rng.choice(vocabulary, size=3)) for _ in range(QUERIES)]
    h = 0.3
    started = time.perf_counter()
    index.search(store, MODEL, queries[0], document_ids=None, min_score=-1, query_text=words[0], hybrid=h)
    build = time.perf_counter() - started
    hybrid = statistics.median(
        _timed(lambda q=q, w=w: index.search(store, MODEL, q, document_ids=None, min_score=-1, query_text=w, hybrid=h))
        for q, w in zip(queries, words, strict=True)
    )
    extra = rng.standard_normal((PER_DOCUMENT, DIMENSIONS), dtype=np.float32)
    texts = [" ".join(rng.choice(vocabulary, size=40)) for _ in range(PER_DOCUMENT)]
    store.add(Document("added.txt", "text", 1, "f" * 64, MODEL), [Passage(0, i, t) for i, t in enumerate(texts)], extra)
    after_add = _timed(lambda: index.search(store, MODEL, queries[0], document_ids=None, min_score=-1))
    index.forget()
    vec_ms, note = _sqlite_vec(np.vstack(all_vectors), queries[:10], folder)
    return RetrievalRun(passages, DIMENSIONS, plain, filtered, first, after_add, hybrid * 1000, build, vec_ms, note)


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def _median_ms(search: Callable[[np.ndarray], object], queries: np.ndarray) -> float:
    return statistics.median(_timed(lambda q=q: search(q)) for q in queries) * 1000


def _sqlite_vec(vectors: np.ndarray, queries: np.ndarray, folder: Path) -> tuple[float | None, str]:
    """Median ms of a 5-nearest query on a vec0 table of ``vectors`` (cosine), or None and why not."""
    try:
        import apsw
        import sqlite_vec
    except ImportError:
        return None, "not installed (pip install apsw sqlite-vec)"
    connection = apsw.Connection(str(folder / "vec.sqlite3"))
    try:
        connection.enable_load_extension(True)
        connection.load_extension(sqlite_vec.loadable_path())
        columns = f"embedding float[{vectors.shape[1]}] distance_metric=cosine"
        connection.execute(f"CREATE VIRTUAL TABLE v USING vec0({columns})")
        with connection:
            connection.executemany(
                "INSERT INTO v(rowid, embedding) VALUES (?, ?)",
                ((i + 1, vector.tobytes()) for i, vector in enumerate(vectors)),
            )
        times = [
            _timed(
                lambda q=q: connection.execute(
                    "SELECT rowid, distance FROM v WHERE embedding MATCH ? AND k = 5", (q.tobytes(),)
                ).fetchall()
            )
            for q in queries
        ]
    finally:
        connection.close()
    return statistics.median(times) * 1000, f"sqlite-vec {sqlite_vec.__version__}"


def ingest_once(fake: FakeServer, passages: int, folder: Path) -> IngestRun:
    text = "\n\n".join(
        f"Paragraph {i} of the benchmark file says something about item number {i}, " * 8 for i in range(passages)
    )
    expected = len(split([Section(text)]))
    ingest.VECTORS.clear()
    fake.control.clear_log()
    client = OllamaClient(fake.url)
    store = DocumentStore(folder / "ingest.sqlite3", owner="bench")
    started = time.perf_counter()
    job = IngestJob(client, store, f"bench-{passages}.txt", text.encode(), MODEL).start()
    if not job.wait(600) or job.view().stage is not Stage.DONE:
        raise RuntimeError(f"indexing failed: {job.view()}")
    seconds = time.perf_counter() - started
    view = job.view()
    if view.total != expected:
        raise RuntimeError("wrong number of passages")
    return IngestRun(view.total, seconds, len(fake.control.exchanges("/api/embed")))


def measure(fake: FakeServer, passages: int, ingest_passages: int) -> tuple[RetrievalRun, IngestRun]:
    with tempfile.TemporaryDirectory(prefix="ollama-studio-documents-") as folder:
        return retrieval(passages, Path(folder)), ingest_once(fake, ingest_passages, Path(folder))


def rows(retrieval: RetrievalRun | None, indexing: IngestRun | None) -> list[tuple[str, str, str, str, str]]:
    """(measure, ours, baseline, goal, verdict) for the benchmark's table."""
    table = []
    if retrieval is not None:
        size = f"{retrieval.passages:,} passages × {retrieval.dimensions}"
        vec = f"sqlite-vec: {retrieval.sqlite_vec_ms:.1f}" if retrieval.sqlite_vec_ms is not None else "–"
        shown = f"{retrieval.query_ms:.1f}"
        table += [
            (
                f"retrieval over {retrieval.passages:,} passages, ms per question ({size}, numpy matrix in memory)",
                shown,
                vec,
                f"≤ {GOAL_MS:g}",
                "met" if float(shown) <= GOAL_MS else "**missed**",
            ),
            (f"retrieval over {size}, five documents asked for, ms", f"{retrieval.filtered_ms:.1f}", "–", "–", "–"),
            (
                f"first search ({size} read from SQLite), s; matrix brought up to date after a 1,000-passage "
                "document is added (by the indexing job), s",
                f"{retrieval.first_search_s:.2f}; {retrieval.after_add_s:.2f}",
                "–",
                "–",
                "–",
            ),
            (
                f"hybrid search (BM25 keywords, {size}), ms (keyword index built once, s)",
                f"{retrieval.hybrid_ms:.1f} ({retrieval.keywords_build_s:.1f})",
                "–",
                "–",
                "–",
            ),
        ]
    if indexing is not None:
        table.append(
            (
                f"index a {indexing.passages:,}-passage file: passages/s (HTTP requests per 1,000 passages)",
                f"{indexing.rate:,.0f} ({indexing.requests_per_1000:.0f})",
                "1,000 requests (one per passage)",
                "–",
                "–",
            )
        )
    return table
