"""POST /api/embed (current) and POST /api/embeddings (legacy, one prompt, not normalised)."""

from __future__ import annotations

import time
from typing import Any

from .. import completion, decoding, embeddings, gowire, text
from ..apierror import ApiError
from ..call import Call
from ..catalog import ModelSpec

_CANNOT_EMBED = "this model does not support embeddings"


def embed(call: Call) -> None:
    request = call.body("EmbedRequest", decoding.EMBED)
    model = request.get("model", "")
    if not model.strip():
        raise ApiError(404, "model '' not found")
    inputs = _inputs(request.get("input"))
    spec = call.model(
        model,
        empty=ApiError(404, "model '' not found"),
        missing=ApiError(404, f"model {gowire.quote(model)} not found, try pulling it first"),
    )
    options = completion.options(request)
    keep_alive = completion.keep_alive(request)
    loaded = completion.load(call, spec, options, keep_alive)
    try:
        if not inputs:
            call.exchange.send_json(200, {"model": model, "embeddings": []})
            return
        if not spec.has("embedding"):
            raise ApiError(501, _CANNOT_EMBED)
        limit = completion.context_size(spec, options)
        vectors, tokens = [], 0
        for item in inputs:
            pieces = text.tokenize(item)
            if len(pieces) > limit:
                if request.get("truncate") is False:
                    raise ApiError(400, "the input length exceeds the context length")
                pieces = pieces[:limit]
            tokens += len(pieces)
            vector = embeddings.embed("".join(pieces), spec.embedding_length)
            vectors.append(embeddings.as_float32(embeddings.truncate_dimensions(vector, request.get("dimensions"))))
        call.exchange.send_json(
            200,
            {
                "model": model,
                "embeddings": vectors,
                "total_duration": time.monotonic_ns() - call.started_ns + loaded.simulated_ns,
                "load_duration": loaded.load_duration,
                "prompt_eval_count": tokens,
            },
        )
    finally:
        call.app.store.keep(spec, keep_alive)


def embeddings_legacy(call: Call) -> None:
    request = call.body("EmbeddingRequest", decoding.EMBEDDINGS)
    model = request.get("model", "")
    spec = call.model(
        model,
        empty=ApiError(400, "model is required"),
        missing=ApiError(404, f"model {gowire.quote(model)} not found, try pulling it first"),
    )
    options = completion.options(request)
    keep_alive = completion.keep_alive(request)
    completion.load(call, spec, options, keep_alive)
    try:
        prompt = request.get("prompt", "")
        if not prompt:
            call.exchange.send_json(200, {"embedding": []})
            return
        if not spec.has("embedding"):
            raise ApiError(500, _CANNOT_EMBED)
        call.exchange.send_json(200, {"embedding": _unnormalised(spec, prompt)})
    finally:
        call.app.store.keep(spec, keep_alive)


def _unnormalised(spec: ModelSpec, prompt: str) -> list[float]:
    """The legacy endpoint returns the model's raw vector: same direction, arbitrary length."""
    scale = 4.0 + len(prompt) % 7
    return [gowire.widened_float32(value * scale) for value in embeddings.embed(prompt, spec.embedding_length)]


def _inputs(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    raise ApiError(400, "invalid input type")
