"""A question to a chat with documents: the passages that answer it found, and the request built on them.

Each attached document was indexed with one embedding model on one server; a search only compares vectors of
one model (:mod:`lib.documents.index`), so the question is embedded once per (server, model) pair among the
chat's documents, on that server (another server's build of the model may place texts elsewhere), each pair's
documents are searched with it, and the best hits of all are numbered 1..n in order of score, as the answer
cites them. A server that cannot embed the question leaves its documents out, said in the grounding, while
the others are used; only when no pair could be searched is it an error. The request's messages come from
:func:`lib.documents.grounding.grounded_messages`, the conversation's own history kept.

No Streamlit: the page shows a spinner around :func:`ground` and words its errors.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lib.chat.sources import Grounding, Unsearched, source_of, without_images
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


Clients = Mapping[str, OllamaClient]
"""The session's client of each server (base URL) the chat's documents are on."""


@dataclass(frozen=True)
class Found:
    """A question's passages, numbered, and the documents it could not be searched in (their server failed)."""

    hits: list[Hit]
    unsearched: tuple[Unsearched, ...] = ()


def models_of(documents: Sequence[Document]) -> dict[str, list[int]]:
    """The chat's documents by embedding model, in the order they were attached."""
    by_model: dict[str, list[int]] = {}
    for document in documents:
        if document.id is not None:
            by_model.setdefault(document.model, []).append(document.id)
    return by_model


def pairs_of(documents: Sequence[Document]) -> dict[tuple[str, str], list[Document]]:
    """The chat's documents by (server, embedding model), in the order they were attached; ``documents`` placed
    (:meth:`Document.placed`: a server each)."""
    pairs: dict[tuple[str, str], list[Document]] = {}
    for document in documents:
        if document.id is not None:
            pairs.setdefault((document.server, document.model), []).append(document)
    return pairs


def find(clients: Clients, store: DocumentStore, documents: Sequence[Document], question: str, search: Search) -> Found:
    """The passages of ``documents`` (placed) closest to ``question``, the best first, numbered 1..n; the question
    embedded on each document's own server (its client in ``clients``) with its own model.

    Documents whose server cannot embed the question (down, no longer has the model, not one of ``clients``) are
    left out and listed in :attr:`Found.unsearched`. Raises :class:`OllamaError` when no document could be
    searched at all: the question cannot be embedded, or its vector does not fit the documents' (the model
    changed since they were indexed).
    """
    hits: list[Hit] = []
    failures: list[tuple[str, list[Document], OllamaError]] = []
    for (server, model), placed in pairs_of(documents).items():
        ids = [document.id for document in placed if document.id is not None]
        try:
            hits += _search_pair(clients, store, server, model, ids, question, search)
        except OllamaError as error:
            failures.append((server, placed, error))
    if failures and len(failures) == len(pairs_of(documents)):
        raise failures[0][2]
    hits.sort(key=lambda hit: hit.score, reverse=True)
    numbered = [dataclasses.replace(hit, number=number) for number, hit in enumerate(hits[: search.top_k], start=1)]
    unsearched = tuple(
        Unsearched(server, tuple(d.name for d in placed), error.key, dict(error.values))
        for server, placed, error in failures
    )
    return Found(numbered, unsearched)


def _search_pair(
    clients: Clients, store: DocumentStore, server: str, model: str, ids: list[int], question: str, search: Search
) -> list[Hit]:
    client = clients.get(server)
    if client is None:
        raise OllamaError("documents.server_unknown", {"server": server})
    vector = ingest.query_vector(client, model, question)
    try:
        return index.search(
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


def ground(
    clients: Clients,
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
    a grounding that says so. The documents whose server failed are named in the grounding
    (:func:`find`). Raises :class:`OllamaError` when the question cannot be embedded for any document.
    """
    found = find(clients, store, documents, question, search)
    hits, unsearched = found.hits, found.unsearched
    models = tuple(models_of(documents))
    if not hits:
        return [], Grounding(models=models, nothing_found=True, min_score=search.min_score, unsearched=unsearched)
    messages = grounding.grounded_messages(question, hits, history, language)
    if images and messages and messages[-1].get("role") == "user":
        messages[-1] = {**messages[-1], "images": images}
    return messages, Grounding(
        models=models,
        sources=tuple(source_of(hit) for hit in hits),
        sent=without_images(messages),
        min_score=search.min_score,
        unsearched=unsearched,
    )


def failed(documents: Sequence[Document]) -> Grounding:
    """The grounding of an answer whose question could not be searched."""
    return Grounding(models=tuple(models_of(documents)), search_failed=True)
