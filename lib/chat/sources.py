"""What a grounded answer was built from, saved with it: its numbered sources and the messages sent.

A chat with documents attached answers from passages of them (:mod:`lib.chat.retrieval`). The
passages that went into the request, numbered as the answer cites them ([1], [2], …), and the
request's exact messages are kept with the answer, in the ``grounding`` column of its message
(:mod:`lib.chat.store`), so they show again after a reload, even once a document has left the
library: they are what the model was given.

Pure data and JSON, no Streamlit. A saved chat can hold anything: :func:`from_stored` keeps what
it can read and names the rest as problems, like :mod:`lib.chat.validation`'s ``stored_`` readers.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from lib.chat.validation import Problem, stored_json
from lib.documents.records import Hit

COLUMN = "grounding"


@dataclass(frozen=True)
class Source:
    """A passage the question retrieved, as the answer cites it: ``number`` is the [n] of the citation."""

    number: int
    document: str
    text: str
    score: float
    page: int | None = None
    heading: str = ""
    document_id: int | None = None
    passage_id: int | None = None


@dataclass(frozen=True)
class Unsearched:
    """Documents of the chat a question was not searched in: their server (base URL) could not embed it.
    ``error_key`` and ``values`` are the error, worded when shown (:mod:`lib.ollama.errors`)."""

    server: str
    documents: tuple[str, ...]
    error_key: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Grounding:
    """How an answer was grounded in the chat's documents.

    ``models``: the embedding models the question was searched with. ``sources``: the passages
    sent. ``sent``: the request's messages as sent (images are not repeated here: they stay with
    their message). ``nothing_found``: no passage was close enough to the question.
    ``search_failed``: the question could not be searched (the answer's error says why).
    ``min_score``: the lowest score a passage could have, for the nothing-found sentence.
    ``unsearched``: documents left out because their server did not answer (the others were searched).

    When nothing was found, no model was asked (:data:`lib.documents.grounding.NOTHING_FOUND`):
    the answer is the app's own sentence, worded when it is shown, and ``sent`` is empty.
    """

    models: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    sent: tuple[dict[str, Any], ...] = ()
    nothing_found: bool = False
    search_failed: bool = False
    min_score: float | None = None
    unsearched: tuple[Unsearched, ...] = ()
    # What of a saved record could not be read and was left out; shown in its place.
    damaged: tuple[Problem, ...] = field(default=(), compare=False)


def source_of(hit: Hit) -> Source:
    passage = hit.passage
    return Source(
        number=hit.number,
        document=hit.document,
        text=passage.text,
        score=float(hit.score),
        page=passage.page,
        heading=passage.heading,
        document_id=passage.document_id or None,
        passage_id=passage.id,
    )


def without_images(messages: list[dict[str, Any]]) -> tuple[dict[str, Any], ...]:
    """The messages as saved in :attr:`Grounding.sent`: everything but the images' data."""
    return tuple({name: value for name, value in message.items() if name != "images"} for message in messages)


def to_json(grounding: Grounding) -> str:
    unsearched = {
        "unsearched": [
            {"server": u.server, "documents": list(u.documents), "error_key": u.error_key, "values": u.values}
            for u in grounding.unsearched
        ]
    }
    return json.dumps(
        {
            "models": list(grounding.models),
            "sources": [
                {
                    "number": s.number,
                    "document": s.document,
                    "text": s.text,
                    "score": s.score,
                    "page": s.page,
                    "heading": s.heading,
                    "document_id": s.document_id,
                    "passage_id": s.passage_id,
                }
                for s in grounding.sources
            ],
            "sent": list(grounding.sent),
            "nothing_found": grounding.nothing_found,
            "search_failed": grounding.search_failed,
            "min_score": grounding.min_score,
            **(unsearched if grounding.unsearched else {}),
        },
        ensure_ascii=False,
        default=str,
    )


def from_stored(text: Any) -> Grounding | None:
    """A saved ``grounding`` column: None when empty; what cannot be read is left out and named in ``damaged``."""
    if text is None or text == "":
        return None
    where = (COLUMN,)
    value, problem = stored_json(text, where)
    if problem is not None:
        return Grounding(damaged=(problem,))
    if not isinstance(value, dict):
        return Grounding(damaged=(Problem(where, "chat_import.must_be_object"),))
    damaged: list[Problem] = []
    models = value.get("models")
    if not (isinstance(models, list) and all(isinstance(m, str) for m in models)):
        damaged.append(Problem((*where, "models"), "chat_import.must_be_list"))
        models = []
    sources: list[Source] = []
    raw_sources = value.get("sources")
    if not isinstance(raw_sources, list):
        damaged.append(Problem((*where, "sources"), "chat_import.must_be_list"))
        raw_sources = []
    for index, raw in enumerate(raw_sources):
        source = _source(raw)
        if source is None:
            damaged.append(Problem((*where, "sources", index), "chat_import.must_be_object"))
        else:
            sources.append(source)
    sent = value.get("sent")
    if not (isinstance(sent, list) and all(isinstance(m, dict) for m in sent)):
        damaged.append(Problem((*where, "sent"), "chat_import.must_be_list"))
        sent = []
    return Grounding(
        models=tuple(models),
        sources=tuple(sources),
        sent=tuple(sent),
        nothing_found=value.get("nothing_found") is True,
        search_failed=value.get("search_failed") is True,
        min_score=_score(value.get("min_score")),
        unsearched=_unsearched(value.get("unsearched")),
        damaged=tuple(damaged),
    )


def _unsearched(raw: Any) -> tuple[Unsearched, ...]:
    """The saved documents a question was not searched in; entries that are not one are left out."""
    found: list[Unsearched] = []
    for entry in raw if isinstance(raw, list) else []:
        if not isinstance(entry, dict):
            continue
        server, documents, key, values = (entry.get(name) for name in ("server", "documents", "error_key", "values"))
        if (
            isinstance(server, str)
            and isinstance(documents, list)
            and all(isinstance(name, str) for name in documents)
            and isinstance(key, str)
            and isinstance(values, dict)
        ):
            found.append(Unsearched(server, tuple(documents), key, values))
    return tuple(found)


def _source(raw: Any) -> Source | None:
    """One saved source, or None when it is not one (a number, a document, its text and a finite score)."""
    if not isinstance(raw, dict):
        return None
    number, document, text, score = raw.get("number"), raw.get("document"), raw.get("text"), raw.get("score")
    page, heading = raw.get("page"), raw.get("heading", "")
    if not (
        isinstance(number, int)
        and _whole(number)
        and isinstance(document, str)
        and isinstance(text, str)
        and isinstance(heading, str)
    ):
        return None
    checked = _score(score)
    if checked is None:
        return None
    return Source(
        number=number,
        document=document,
        text=text,
        score=checked,
        page=page if _whole(page) else None,
        heading=heading,
        document_id=raw.get("document_id") if _whole(raw.get("document_id")) else None,
        passage_id=raw.get("passage_id") if _whole(raw.get("passage_id")) else None,
    )


def _score(value: Any) -> float | None:
    """A saved score or minimum score: a finite number, else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
