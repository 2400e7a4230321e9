"""Embedding many texts: batching, a per-text cache, and what each run cost.

Texts go to ``/api/embed`` in batches (one request per batch). Every vector is cached under
(server, model, truncate, dimensions) and the exact text sent (the prefix included), so after
editing one text of a hundred only that text is sent again. ``keep_alive`` does not change a
vector, so it is not part of the key. The cache lives in the user's session and is bounded.
"""

from __future__ import annotations

import math
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lib.ollama.bodies import KeepAlive
from lib.ollama.client import OllamaClient
from lib.ollama.errors import NotOllamaResponse

BATCH_SIZE = 32
CHARS_PER_TOKEN = 4.0
"""The rough rule for English text when the server reports no token count. A Chinese (wide)
character is usually a token of its own, so it counts as one."""

CacheScope = tuple[str, str, str, bool, int | None]


@dataclass(frozen=True)
class EmbedSettings:
    model: str
    prefix: str = ""
    truncate: bool = True
    dimensions: int | None = None
    keep_alive: KeepAlive = None
    digest: str = ""  # a re-pulled or re-created model under the same name gets new vectors
    server: str = ""  # the base URL of the model's server, where its texts (and search queries) go

    def scope(self, server: str) -> CacheScope:
        return server, self.model, self.digest, self.truncate, self.dimensions

    def sent(self, text: str) -> str:
        return self.prefix + text


@dataclass(frozen=True)
class CachedVector:
    vector: np.ndarray  # float32
    tokens: float  # tokens the text took: exact for a batch of one, else estimated
    exact_tokens: bool


class VectorCache:
    """Vectors by (scope, sent text), oldest dropped first beyond ``limit`` entries."""

    def __init__(self, limit: int = 20_000) -> None:
        self.limit = limit
        self._entries: OrderedDict[tuple[CacheScope, str], CachedVector] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, scope: CacheScope, text: str) -> CachedVector | None:
        entry = self._entries.get((scope, text))
        if entry is not None:
            self._entries.move_to_end((scope, text))
        return entry

    def put(self, scope: CacheScope, text: str, entry: CachedVector) -> None:
        self._entries[(scope, text)] = entry
        self._entries.move_to_end((scope, text))
        while len(self._entries) > self.limit:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()


class EmbeddingMismatch(NotOllamaResponse):
    """The server answered, but not with one vector per text, or with vectors of different sizes."""


@dataclass
class RunReport:
    """What one call of :func:`embed_all` sent and what the server said it cost."""

    texts: int = 0
    from_cache: int = 0
    sent: int = 0
    requests: int = 0
    tokens: int = 0
    server_seconds: float = 0.0
    load_seconds: float = 0.0
    wall_seconds: float = 0.0
    legacy_endpoint: bool = False


@dataclass
class Embedded:
    """Vectors for a list of texts, in order, with per-text token counts and the run's report."""

    settings: EmbedSettings
    vectors: np.ndarray  # (n, d) float32
    tokens: np.ndarray  # (n,) tokens per text (estimated unless exact_tokens)
    exact_tokens: np.ndarray  # (n,) bool
    report: RunReport = field(default_factory=RunReport)

    @property
    def dimension(self) -> int:
        return int(self.vectors.shape[1]) if self.vectors.ndim == 2 else 0


def batches(items: list[str], size: int) -> list[list[str]]:
    size = max(1, size)
    return [items[start : start + size] for start in range(0, len(items), size)]


def unique_missing(cache: VectorCache, scope: CacheScope, sent_texts: list[str]) -> list[str]:
    """The texts not yet cached, each once, in first-seen order."""
    missing: dict[str, None] = {}
    for text in sent_texts:
        if text not in missing and cache.get(scope, text) is None:
            missing[text] = None
    return list(missing)


def token_shares(texts: list[str], batch_tokens: int | None) -> tuple[list[float], bool]:
    """Tokens per text of one batch: exact for a batch of one, else estimated.

    ``/api/embed`` reports one ``prompt_eval_count`` for the whole batch. With one text it is that
    text's count. Otherwise each text gets the larger of its share of the count and its
    :func:`rough_tokens`: a truncated long text shrinks the batch count, so the share alone would
    hide a second long text in the same batch.
    """
    if batch_tokens is not None and batch_tokens > 0 and len(texts) == 1:
        return [float(batch_tokens)], True
    rough = [rough_tokens(text) for text in texts]
    total = sum(rough)
    if batch_tokens is None or batch_tokens <= 0 or total == 0:
        return rough, False
    return [max(batch_tokens * guess / total, guess) for guess in rough], False


def rough_tokens(text: str) -> float:
    """A token per ``CHARS_PER_TOKEN`` characters, and one per wide (Chinese, Japanese, Korean) character."""
    wide = sum(1 for character in text if unicodedata.east_asian_width(character) in ("W", "F"))
    return wide + (len(text) - wide) / CHARS_PER_TOKEN


def embed_all(
    client: OllamaClient,
    settings: EmbedSettings,
    texts: list[str],
    cache: VectorCache,
    *,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int, int], None] | None = None,
) -> Embedded:
    """Vectors for ``texts`` (prefix applied), sending only what the cache lacks.

    ``progress(done, total)`` is called before the first request and after each batch, counting
    texts that had to be sent. Batches finished before an error stay cached, so a retry sends
    only the rest.
    """
    started = time.monotonic()
    scope = settings.scope(client.base_url)
    sent_texts = [settings.sent(text) for text in texts]
    missing = unique_missing(cache, scope, sent_texts)
    report = RunReport(texts=len(texts), sent=len(missing))
    missing_set = set(missing)
    report.from_cache = sum(1 for text in sent_texts if text not in missing_set)
    if progress is not None:
        progress(0, len(missing))
    done = 0
    for batch in batches(missing, batch_size):
        response = client.embed(
            settings.model,
            batch,
            truncate=settings.truncate,
            dimensions=settings.dimensions,
            keep_alive=settings.keep_alive,
        )
        vectors = response.get("embeddings")
        if not isinstance(vectors, list) or len(vectors) != len(batch):
            count = len(vectors) if isinstance(vectors, list) else 0
            raise EmbeddingMismatch(
                key="embeddings.vector_count_mismatch", values={"count": count, "texts": len(batch)}
            )
        report.requests += len(batch) if response.get("legacy_endpoint") else 1
        report.legacy_endpoint = report.legacy_endpoint or bool(response.get("legacy_endpoint"))
        tokens = _int_or_none(response.get("prompt_eval_count"))
        report.tokens += tokens or 0
        report.server_seconds += (_int_or_none(response.get("total_duration")) or 0) / 1e9
        report.load_seconds += (_int_or_none(response.get("load_duration")) or 0) / 1e9
        shares, exact = token_shares(batch, tokens)
        for text, vector, share in zip(batch, vectors, shares, strict=True):
            cache.put(scope, text, CachedVector(np.asarray(vector, dtype=np.float32), share, exact))
        done += len(batch)
        if progress is not None:
            progress(done, len(missing))
    entries = [cache.get(scope, text) for text in sent_texts]
    if any(entry is None for entry in entries):
        raise EmbeddingMismatch("embeddings.vectors_dropped")
    report.wall_seconds = time.monotonic() - started
    return Embedded(
        settings,
        _stack([entry.vector for entry in entries]),  # type: ignore[union-attr]
        np.array([entry.tokens for entry in entries], dtype=np.float64),  # type: ignore[union-attr]
        np.array([entry.exact_tokens for entry in entries], dtype=bool),  # type: ignore[union-attr]
        report,
    )


def embed_one(client: OllamaClient, settings: EmbedSettings, text: str, cache: VectorCache) -> np.ndarray:
    """One vector (a search query), through the same cache."""
    return embed_all(client, settings, [text], cache).vectors[0]


def _stack(vectors: list[np.ndarray]) -> np.ndarray:
    if not vectors:
        return np.zeros((0, 0), dtype=np.float32)
    sizes = sorted({vector.shape[0] for vector in vectors})
    if len(sizes) > 1:
        raise EmbeddingMismatch("embeddings.vector_sizes_differ", {"sizes": ", ".join(map(str, sizes))})
    if sizes[0] == 0:
        raise EmbeddingMismatch("embeddings.vectors_empty")
    return np.vstack(vectors)


def _int_or_none(value: Any) -> int | None:
    return (
        int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) else None
    )


@dataclass(frozen=True)
class Truncation:
    index: int
    tokens: float
    exact: bool


def likely_truncated(embedded: Embedded, context_limit: int | None) -> list[Truncation]:
    """Texts whose (exact or estimated) token count reaches the model's context limit."""
    if not context_limit:
        return []
    return [
        Truncation(int(i), float(embedded.tokens[i]), bool(embedded.exact_tokens[i]))
        for i in np.flatnonzero(embedded.tokens >= context_limit)
    ]
