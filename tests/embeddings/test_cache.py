"""Batching and caching of embeddings (lib/embeddings/cache.py), with a recording stand-in for the client.

The page tests run the same code against the fake server over HTTP; here the arithmetic of
batches, cache hits, token shares and truncation is checked on its own.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from lib.embeddings import cache as ec
from lib.embeddings.cache import EmbedSettings, VectorCache
from lib.ui.errors import error_text


class RecordingClient:
    """Answers ``embed`` with a vector derived from each text's length and records every call."""

    base_url = "http://fake:11434"

    def __init__(self, *, legacy: bool = False, tokens_per_char: float | None = 0.5) -> None:
        self.calls: list[dict[str, Any]] = []
        self.legacy = legacy
        self.tokens_per_char = tokens_per_char

    def embed(self, model: str, texts: list[str], **fields: Any) -> dict[str, Any]:
        self.calls.append({"model": model, "texts": list(texts), **fields})
        answer: dict[str, Any] = {"model": model, "embeddings": [[float(len(t)), 1.0, 0.0] for t in texts]}
        if self.legacy:
            answer["legacy_endpoint"] = True
        elif self.tokens_per_char is not None:
            answer.update(
                prompt_eval_count=int(sum(len(t) for t in texts) * self.tokens_per_char),
                total_duration=2_000_000_000,
                load_duration=500_000_000,
            )
        return answer


def test_batches():
    assert ec.batches(["a", "b", "c", "d", "e"], 2) == [["a", "b"], ["c", "d"], ["e"]]
    assert ec.batches([], 3) == []


def test_texts_are_sent_in_batches_with_the_settings_and_progress():
    client, cache = RecordingClient(), VectorCache()
    settings = EmbedSettings("nomic-embed-text:latest", prefix="doc: ", truncate=False, dimensions=64, keep_alive="5m")
    seen: list[tuple[int, int]] = []
    texts = [f"text {i}" for i in range(5)]
    result = ec.embed_all(
        client, settings, texts, cache, batch_size=2, progress=lambda done, total: seen.append((done, total))
    )
    assert [call["texts"] for call in client.calls] == [
        ["doc: text 0", "doc: text 1"],
        ["doc: text 2", "doc: text 3"],
        ["doc: text 4"],
    ]
    assert client.calls[0] | {"texts": None} == {
        "model": "nomic-embed-text:latest",
        "texts": None,
        "truncate": False,
        "dimensions": 64,
        "keep_alive": "5m",
    }
    assert seen == [(0, 5), (2, 5), (4, 5), (5, 5)]
    assert result.vectors.shape == (5, 3) and result.dimension == 3
    assert result.vectors.dtype == np.float32
    assert result.report.requests == 3 and result.report.sent == 5 and result.report.from_cache == 0
    assert result.report.server_seconds == pytest.approx(6.0)
    assert result.report.load_seconds == pytest.approx(1.5)


def test_only_new_or_changed_texts_are_sent_again():
    client, cache = RecordingClient(), VectorCache()
    settings = EmbedSettings("m")
    ec.embed_all(client, settings, ["alpha", "beta", "gamma"], cache)
    client.calls.clear()
    result = ec.embed_all(client, settings, ["alpha", "BETA", "gamma", "alpha"], cache)
    assert [call["texts"] for call in client.calls] == [["BETA"]]
    assert result.report.from_cache == 3 and result.report.sent == 1
    assert result.vectors[:, 0].tolist() == [5.0, 4.0, 5.0, 5.0]
    client.calls.clear()
    again = ec.embed_all(client, settings, ["alpha", "BETA"], cache, progress=lambda *_: None)
    assert client.calls == [] and again.report.requests == 0


def test_the_cache_separates_models_options_prefixes_and_servers():
    client, cache = RecordingClient(), VectorCache()
    for settings in (
        EmbedSettings("a"),
        EmbedSettings("b"),
        EmbedSettings("a", dimensions=2),
        EmbedSettings("a", truncate=False),
        EmbedSettings("a", prefix="q: "),
    ):
        ec.embed_all(client, settings, ["same"], cache)
    assert len(client.calls) == 5
    ec.embed_all(client, EmbedSettings("a", keep_alive=0), ["same"], cache)
    assert len(client.calls) == 5  # keep_alive does not change a vector
    client.base_url = "http://other:11434"
    ec.embed_all(client, EmbedSettings("a"), ["same"], cache)
    assert len(client.calls) == 6


def test_duplicate_texts_are_sent_once():
    client, cache = RecordingClient(), VectorCache()
    ec.embed_all(client, EmbedSettings("m"), ["x", "x", "y", "x"], cache)
    assert client.calls[0]["texts"] == ["x", "y"]


def test_the_cache_is_bounded_oldest_first():
    cache = VectorCache(limit=2)
    entry = ec.CachedVector(np.ones(2, dtype=np.float32), 1.0, True)
    scope = ("s", "m", True, None)
    cache.put(scope, "a", entry)
    cache.put(scope, "b", entry)
    assert cache.get(scope, "a") is entry  # "a" is now the most recent
    cache.put(scope, "c", entry)
    assert cache.get(scope, "b") is None and len(cache) == 2


def test_a_failed_batch_keeps_the_finished_ones():
    class FailsSecondBatch(RecordingClient):
        def embed(self, model, texts, **fields):
            if len(self.calls) == 1:
                self.calls.append({"texts": texts})
                raise ec.EmbeddingMismatch("embeddings.vectors_dropped")
            return super().embed(model, texts, **fields)

    client, cache = FailsSecondBatch(), VectorCache()
    with pytest.raises(ec.EmbeddingMismatch):
        ec.embed_all(client, EmbedSettings("m"), ["a", "b", "c"], cache, batch_size=2)
    assert len(cache) == 2
    plain = RecordingClient()
    ec.embed_all(plain, EmbedSettings("m"), ["a", "b", "c"], cache)
    assert [call["texts"] for call in plain.calls] == [["c"]]


def test_a_wrong_number_of_vectors_is_an_error():
    class Short(RecordingClient):
        def embed(self, model, texts, **fields):
            return {"embeddings": [[1.0]]}

    with pytest.raises(ec.EmbeddingMismatch) as caught:
        ec.embed_all(Short(), EmbedSettings("m"), ["a", "b"], VectorCache())
    assert "1 vector" in error_text(caught.value)


def test_vectors_of_different_sizes_or_empty_are_errors():
    class Ragged(RecordingClient):
        def embed(self, model, texts, **fields):
            return {"embeddings": [[1.0] * len(t) for t in texts]}

    with pytest.raises(ec.EmbeddingMismatch) as caught:
        ec.embed_all(Ragged(), EmbedSettings("m"), ["a", "bb"], VectorCache())
    assert "different sizes" in error_text(caught.value)
    with pytest.raises(ec.EmbeddingMismatch) as caught:
        ec.embed_all(Ragged(), EmbedSettings("m"), [""], VectorCache())
    assert "empty vectors" in error_text(caught.value)


def test_legacy_servers_count_one_request_per_text():
    result = ec.embed_all(RecordingClient(legacy=True), EmbedSettings("m"), ["a", "b", "c"], VectorCache())
    assert result.report.requests == 3 and result.report.legacy_endpoint
    assert result.tokens.tolist() == pytest.approx([0.25, 0.25, 0.25])
    assert not result.exact_tokens.any()


def test_no_texts_sends_nothing():
    client = RecordingClient()
    result = ec.embed_all(client, EmbedSettings("m"), [], VectorCache())
    assert client.calls == [] and result.vectors.shape == (0, 0)


@pytest.mark.parametrize(
    ("texts", "batch_tokens", "expected", "exact"),
    [
        (["a" * 40], 7, [7.0], True),
        (["a" * 40, "b" * 40], 100, [50.0, 50.0], False),
        (["a" * 30, "b" * 10], 8, [7.5, 2.5], False),  # shares 6 and 2, but 4 characters per token gives more
        (["a" * 40, "b" * 40], None, [10.0, 10.0], False),
        (["", ""], 4, [0.0, 0.0], False),
        (["猫" * 600, "a" * 40], None, [600.0, 10.0], False),  # a Chinese character is a token of its own
        (["猫" * 20 + "a" * 20, "b" * 20], 60, [50.0, 10.0], False),  # shared by estimated tokens: 25 and 5
    ],
)
def test_token_shares(texts, batch_tokens, expected, exact):
    shares, is_exact = ec.token_shares(texts, batch_tokens)
    assert shares == pytest.approx(expected) and is_exact is exact


def test_likely_truncated_uses_the_context_limit():
    client = RecordingClient(tokens_per_char=1.0)
    result = ec.embed_all(client, EmbedSettings("m"), ["x" * 600], VectorCache())
    result_many = ec.embed_all(client, EmbedSettings("m"), ["short", "y" * 3000], VectorCache())
    assert [(t.index, t.tokens, t.exact) for t in ec.likely_truncated(result, 512)] == [(0, 600.0, True)]
    assert [t.index for t in ec.likely_truncated(result_many, 512)] == [1]
    assert ec.likely_truncated(result, None) == []
    assert ec.likely_truncated(result, 1000) == []


def test_a_model_replaced_under_the_same_name_is_embedded_again():
    client, cache = RecordingClient(), VectorCache()
    ec.embed_all(client, EmbedSettings("m", digest="sha256:old"), ["alpha"], cache)
    ec.embed_all(client, EmbedSettings("m", digest="sha256:new"), ["alpha"], cache)
    assert [call["texts"] for call in client.calls] == [["alpha"], ["alpha"]]
