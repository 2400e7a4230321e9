"""Adding a document to the library, and re-indexing one, as background jobs (like a model pull).

An :class:`IngestJob` reads the file (:func:`~lib.documents.extract.extract`), cuts it into
passages (:func:`~lib.documents.chunking.split`), embeds them through ``/api/embed``, 32 a
request, and saves the document with its passages and vectors in one transaction. A
:class:`ReindexJob` embeds a saved document's passages with another model and replaces its
vectors. Either runs in a daemon thread that owns its client (a clone, closed at the end) and
never calls Streamlit; the page polls :meth:`view`, which words nothing: failures are kept as
data and worded when read, in the language of the session that shows them.

Nothing is embedded twice. A file already in the owner's library with the same model (same
SHA-256 of its bytes) is found before it is read: no request at all. Vectors are also kept in
memory by server, model and exact text (:data:`VECTORS`), so a job stopped or failed halfway and
started again sends only the passages it had not sent.

Stopping cuts the request in flight (:meth:`OllamaClient.abort`) and saves nothing: a document
is in the library whole, with every vector, or not at all. Once saved, the job brings the
owner's search matrix up to date (:func:`lib.documents.index.matrix_for`) before it reports
done, so the first question after an upload does not wait for it.

What is embedded is the passage's heading and text, after the model's document prefix where it
was trained with one (``search_document: `` for nomic-embed-text); a question gets the query
prefix (:func:`query_vector`).
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

import numpy as np

from lib.documents import extract as extraction
from lib.documents import index
from lib.documents.chunking import split
from lib.documents.extract import DocumentProblem, problem_text
from lib.documents.records import Document, Passage
from lib.documents.store import DocumentStore, NotFound, StoreFailed
from lib.embeddings.cache import BATCH_SIZE, CachedVector, CacheScope, EmbedSettings, VectorCache, embed_all, embed_one
from lib.embeddings.models import suggested_prefixes
from lib.i18n import Markdown, t
from lib.ollama.client import OllamaClient
from lib.ollama.errors import OllamaError
from lib.ui.errors import error_text


class _SharedCache(VectorCache):
    """A :class:`VectorCache` several jobs' threads use at once."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self._lock = threading.Lock()

    def get(self, scope: CacheScope, text: str) -> CachedVector | None:
        with self._lock:
            return super().get(scope, text)

    def put(self, scope: CacheScope, text: str, entry: CachedVector) -> None:
        with self._lock:
            super().put(scope, text, entry)


VECTORS: VectorCache = _SharedCache(limit=20_000)
"""Vectors already fetched, by server, model and text: about 60 MB at most for 768 dimensions."""


class Stage(str, Enum):
    READING = "reading"  # checking the library, extracting the text, cutting passages
    EMBEDDING = "embedding"
    SAVING = "saving"
    DONE = "done"
    FAILED = "failed"
    STOPPED = "stopped"


@dataclass(frozen=True)
class IngestView:
    """A consistent picture of a job at one moment, safe to read in the script thread."""

    name: str
    model: str
    stage: Stage
    done: int  # passages that have their vector
    total: int  # passages of the document (0 until it is cut)
    requests: int  # /api/embed requests this job sent
    document_id: int | None = None  # once saved (or found already in the library)
    reused: bool = False  # the library already had this file with this model: nothing was embedded
    problem: DocumentProblem | None = None
    failure: OllamaError | None = None
    store_error: str | None = None  # what the database said when saving failed
    gone: bool = False  # the document to re-index was deleted meanwhile
    crash: str | None = None  # the type of an unexpected exception that ended the worker

    @property
    def finished(self) -> bool:
        return self.stage in (Stage.DONE, Stage.FAILED, Stage.STOPPED)

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else (1.0 if self.stage is Stage.DONE else 0.0)

    @property
    def error(self) -> Markdown | None:
        """Why the job failed, as a sentence in the language of the session reading it; None when it did not."""
        if self.problem is not None:
            return problem_text(self.problem)
        if self.failure is not None:
            return t("documents_core.embed_failed", name=self.name, model=self.model, reason=error_text(self.failure))
        if self.store_error is not None:
            return t("documents_core.store_failed", error=self.store_error)
        if self.gone:
            return t("documents_core.reindex_gone", name=self.name)
        if self.crash is not None:
            return t("documents_core.ingest_crashed", name=self.name, kind=self.crash)
        return None


class _Stopped(Exception):
    pass


class _Job:
    """The thread, the lock and the outcome both jobs share."""

    def __init__(self, client: OllamaClient, store: DocumentStore, name: str, model: str) -> None:
        self._client = client
        self._store = store
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._view = IngestView(name, model, Stage.READING, 0, 0, 0)
        self._thread = threading.Thread(target=self._guarded, name=f"documents {name}", daemon=True)

    def start(self) -> _Job:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop now: the request in flight is cut, and nothing is saved unless saving had begun."""
        self._stop.set()
        self._client.abort()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the worker ends (tests and shutdown); True when it has."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def view(self) -> IngestView:
        with self._lock:
            return self._view

    def _update(self, **changes: Any) -> None:
        with self._lock:
            self._view = replace(self._view, **changes)

    def _run(self) -> None:
        raise NotImplementedError

    def again(self, client: OllamaClient) -> _Job:
        """A new, unstarted job doing the same work with ``client``: Try again after a failure or a stop."""
        raise NotImplementedError

    def _guarded(self) -> None:
        try:
            self._run()
        except _Stopped:
            self._update(stage=Stage.STOPPED)
        except DocumentProblem as problem:
            self._update(stage=Stage.FAILED, problem=problem)
        except OllamaError as error:
            if self._stop.is_set():  # the cut connection is how a stop ends the request in flight
                self._update(stage=Stage.STOPPED)
            else:
                self._update(stage=Stage.FAILED, failure=error)
        except StoreFailed as error:
            self._update(stage=Stage.FAILED, store_error=str(error.__cause__ or error))
        except NotFound:
            self._update(stage=Stage.FAILED, gone=True)
        except Exception as error:
            self._update(stage=Stage.FAILED, crash=type(error).__name__)
        finally:
            self._client.close()

    def _check(self) -> None:
        if self._stop.is_set():
            raise _Stopped

    def _warm(self, model: str) -> None:
        """Bring the owner's search matrix up to date here, so the next question does not wait for it."""
        with contextlib.suppress(StoreFailed):  # the search reads it then, and says so if it still fails
            index.matrix_for(self._store, model)

    def _embed(self, passages: list[Passage], model: str) -> np.ndarray:
        """One vector per passage, 32 texts a request, sending only what :data:`VECTORS` lacks."""
        settings = EmbedSettings(model, prefix=suggested_prefixes(model)[0])
        total = len(passages)
        self._update(stage=Stage.EMBEDDING, total=total)

        def progress(sent: int, to_send: int) -> None:
            self._update(done=total - to_send + sent, requests=-(-sent // BATCH_SIZE))
            self._check()

        embedded = embed_all(self._client, settings, [embedding_text(p) for p in passages], VECTORS, progress=progress)
        self._check()
        return embedded.vectors


class IngestJob(_Job):
    """Add the file ``name`` holding ``data`` to ``store``'s library, indexed with the embedding ``model`` on
    ``client``'s server, which the document is saved with. ``legacy``: that server is the sidebar's, so the same
    file already indexed with ``model`` before servers were kept (saved without one) is found too."""

    def __init__(
        self, client: OllamaClient, store: DocumentStore, name: str, data: bytes, model: str, *, legacy: bool = False
    ) -> None:
        super().__init__(client, store, name, model)
        self._data = data
        self._legacy = legacy

    def start(self) -> IngestJob:
        super().start()
        return self

    def again(self, client: OllamaClient) -> IngestJob:
        return IngestJob(client, self._store, self._view.name, self._data, self._view.model, legacy=self._legacy)

    def _run(self) -> None:
        name, model, data = self._view.name, self._view.model, self._data
        extraction.check_size(name, len(data))
        sha256 = hashlib.sha256(data).hexdigest()
        server = self._client.base_url
        existing = self._store.find(sha256, model, server, legacy=self._legacy)
        if existing is not None:
            total = existing.passages
            self._update(stage=Stage.DONE, document_id=existing.id, reused=True, done=total, total=total)
            return
        kind, sections = extraction.extract(name, data)
        passages = split(sections)
        self._check()
        vectors = self._embed(passages, model)
        self._update(stage=Stage.SAVING)
        document = Document(
            name=name, kind=kind, size=len(data), sha256=sha256, model=model, passages=len(passages), server=server
        )
        document_id = self._store.add(document, passages, vectors, legacy=self._legacy)
        self._warm(model)
        self._update(stage=Stage.DONE, document_id=document_id)


class ReindexJob(_Job):
    """Index a saved document again with the embedding ``model`` on ``client``'s server: its vectors replaced in one
    transaction, and that server saved as the document's."""

    def __init__(self, client: OllamaClient, store: DocumentStore, document: Document, model: str) -> None:
        super().__init__(client, store, document.name, model)
        self._document = document

    def start(self) -> ReindexJob:
        super().start()
        return self

    def again(self, client: OllamaClient) -> ReindexJob:
        return ReindexJob(client, self._store, self._document, self._view.model)

    def _run(self) -> None:
        if self._document.id is None:
            raise NotFound(self._document.name)
        passages = self._store.passages(self._document.id)
        if not passages:
            raise NotFound(self._document.id)
        vectors = self._embed(passages, self._view.model)
        self._update(stage=Stage.SAVING)
        self._store.replace_vectors(self._document.id, self._view.model, vectors, self._client.base_url)
        self._warm(self._view.model)
        self._update(stage=Stage.DONE, document_id=self._document.id)


def embedding_text(passage: Passage) -> str:
    """What is embedded for a passage: its heading (the topic it is under) and its text."""
    return f"{passage.heading}\n{passage.text}" if passage.heading else passage.text


def query_vector(client: OllamaClient, model: str, question: str) -> np.ndarray:
    """The question's vector from ``model``, after the model's query prefix; raises ``OllamaError``."""
    return embed_one(client, EmbedSettings(model, prefix=suggested_prefixes(model)[1]), question, VECTORS)
