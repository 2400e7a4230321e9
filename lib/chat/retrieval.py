"""A question to a chat with documents: the passages that answer it found, and the request built on them.

Each attached document was indexed with one embedding model; a search only compares vectors of
one model (:mod:`lib.documents.index`), so the question is embedded once per model among the
chat's documents, each model's documents are searched with it, and the best hits of all are
numbered 1..n in order of score, as the answer cites them. The request's messages come from
:func:`lib.documents.grounding.grounded_messages`, the conversation's own history kept.

No Streamlit: the page shows a spinner around :func:`ground` and words its errors.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lib.chat.sources import Grounding, source_of, without_images
from lib.documents import grounding, index, ingest
from lib.documents.records import Document, Hit
from lib.documents.store import DocumentStore
from lib.ollama.client import OllamaClient
from lib.ollama.errors import OllamaError

TOP_K = 5
MIN_SCORE = 0.3
HYBRID = 0.3  # the keyword score's weight when "also match words" is on


@dataclass(frozen=True)
class Search:
    """How many passages go into a request at most, the lowest score one may have, and the keyword weight."""

    top_k: int = TOP_K
    min_score: float = MIN_SCORE
    hybrid: float = 0.0


def models_of(documents: Sequence[Document]) -> dict[str, list[int]]:
    """The chat's documents by embedding model, in the order they were attached."""
    by_model: dict[str, list[int]] = {}
    for document in documents:
        if document.id is not None:
            by_model.setdefault(document.model, []).append(document.id)
    return by_model


def find(
    client: OllamaClient, store: DocumentStore, documents: Sequence[Document], question: str, search: Search
) -> list[Hit]:
    """The passages of ``documents`` closest to ``question``, the best first, numbered 1..n.

    Raises :class:`OllamaError` when the question cannot be embedded, or its vector does not fit the
    documents' (the model changed since they were indexed).
    """
    hits: list[Hit] = []
    for model, ids in models_of(documents).items():
        vector = ingest.query_vector(client, model, question)
        try:
            found = index.search(
                store,
                model,
                vector,
                document_ids=ids,
                top_k=search.top_k,
                min_score=search.min_score,
                query_text=question,
                hybrid=search.hybrid,
            )
        except index.DimensionMismatch:
            raise OllamaError("documents.dimensions_differ", {"model": model}) from None
        hits += found
    hits.sort(key=lambda hit: hit.score, reverse=True)
    return [dataclasses.replace(hit, number=number) for number, hit in enumerate(hits[: search.top_k], start=1)]


def ground(
    client: OllamaClient,
    store: DocumentStore,
    documents: Sequence[Document],
    question: str,
    history: list[dict[str, Any]],
    language: str,
    search: Search,
    images: list[str] | None = None,
) -> tuple[list[dict[str, Any]], Grounding]:
    """The request's messages for ``question`` and the grounding to save with its answer.

    ``history`` is the conversation before the question, as :func:`lib.chat.history.api_messages`
    sends it (with the system prompt); ``images`` go with the question. When no passage is close
    enough, the app answers itself (:data:`lib.documents.grounding.NOTHING_FOUND`): no messages, and
    a grounding that says so. Raises :class:`OllamaError` when the question cannot be embedded.
    """
    hits = find(client, store, documents, question, search)
    models = tuple(models_of(documents))
    if not hits:
        return [], Grounding(models=models, nothing_found=True, min_score=search.min_score)
    messages = grounding.grounded_messages(question, hits, history, language)
    if images and messages and messages[-1].get("role") == "user":
        messages[-1] = {**messages[-1], "images": images}
    return messages, Grounding(
        models=models,
        sources=tuple(source_of(hit) for hit in hits),
        sent=without_images(messages),
        min_score=search.min_score,
    )


def failed(documents: Sequence[Document]) -> Grounding:
    """The grounding of an answer whose question could not be searched."""
    return Grounding(models=tuple(models_of(documents)), search_failed=True)
