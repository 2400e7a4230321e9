"""What the document library holds, as its store saves it and the chat reads it.

A *document* is one uploaded file, kept as its extracted text cut into *passages* (each with
the page or heading it came from). Every passage has one vector per embedding model it was
indexed with; a search only ever compares vectors of one model, so two models never mix.
A *hit* is a passage a question retrieved, with its score.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

# Document kinds, by what was read (not by the file name alone).
PDF, DOCX, MARKDOWN, TEXT, HTML, CSV = "pdf", "docx", "markdown", "text", "html", "csv"
KINDS = (PDF, DOCX, MARKDOWN, TEXT, HTML, CSV)


@dataclass(frozen=True)
class Section:
    """A stretch of extracted text and where it is: ``page`` (1-based, PDF) and the ``heading`` it sits under."""

    text: str
    page: int | None = None
    heading: str = ""


@dataclass(frozen=True)
class Passage:
    """A piece of a document as it is retrieved; ``index`` is its place in the document (0-based)."""

    document_id: int
    index: int
    text: str
    page: int | None = None
    heading: str = ""
    id: int | None = None


@dataclass(frozen=True)
class Document:
    """One file of the library: ``sha256`` of its bytes (the same file is never indexed twice for one
    owner, model and server), ``model`` the embedding model its vectors come from, ``server`` the base URL of
    the server that model ran on ("" for a document saved before servers were kept: it was indexed on the
    sidebar's server, see :meth:`placed`). A question is embedded with the same model on the same server."""

    name: str
    kind: str
    size: int
    sha256: str
    model: str
    passages: int = 0
    added_at: float = 0.0
    id: int | None = None
    server: str = ""

    def placed(self, default: str) -> Document:
        """The document with ``default`` (the sidebar's server) as its server when it was saved without one."""
        return self if self.server else replace(self, server=default)


@dataclass(frozen=True)
class Hit:
    """A retrieved passage: ``score`` is what ranked it (cosine similarity, or the hybrid score), ``number``
    the citation number the answer uses for it ([1], [2], …)."""

    passage: Passage
    document: str
    score: float
    number: int = 0
