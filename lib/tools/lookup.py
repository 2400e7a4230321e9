"""The documents lookup tool: the chat's attached documents searched for the model's query.

The search is the one a grounded question gets (:func:`lib.chat.retrieval.find`); the result is the
best passages with their file and page, as JSON, so the model reads them as quoted data rather than
as instructions of ours.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lib.chat import retrieval
from lib.documents.records import Document
from lib.documents.store import DocumentStore
from lib.ollama.errors import OllamaError
from lib.tools.refusal import Refused, text_argument

NAME = "search_documents"
MAX_QUERY = 1000

DECLARATION: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": NAME,
        "description": (
            "Search the documents the user attached to this chat and return the most relevant passages, "
            "each with its file name and page. Use it for questions about those documents."
        ),
        "parameters": {
            "type": "object",
            "properties": {"query": {"type": "string", "description": "What to look for, as a question or keywords."}},
            "required": ["query"],
        },
    },
}


@dataclass(frozen=True)
class Library:
    """What a lookup searches: the chat's documents (placed: each with its server), where they are stored, and the
    client of each of their servers, to embed the query there."""

    clients: retrieval.Clients
    store: DocumentStore
    documents: Sequence[Document]
    search: retrieval.Search = field(default_factory=retrieval.Search)


def run(arguments: Mapping[str, Any], library: Library | None) -> str:
    """The passages closest to ``arguments["query"]`` as JSON; :class:`Refused` when there is nothing to search."""
    query = (text_argument(arguments, "query", MAX_QUERY) or "").strip()
    if not query:
        raise Refused("tools.missing_argument", name="query")
    if library is None or not library.documents:
        raise Refused("tools.lookup_no_documents")
    try:
        hits = retrieval.find(library.clients, library.store, library.documents, query, library.search).hits
    except OllamaError as error:
        raise Refused(error.key, **error.values) from None
    passages = [
        {"number": hit.number, "file": hit.document, "page": hit.passage.page, "text": hit.passage.text} for hit in hits
    ]
    return json.dumps({"query": query, "passages": passages}, ensure_ascii=False)
