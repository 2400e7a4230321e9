"""The document library (SQLite or PostgreSQL, :mod:`lib.storage`): documents, their passages, one vector per
passage, and which conversation uses which document.

As every store (:class:`lib.storage.store.Store`), each operation runs in one transaction on a connection of its
own, and a write takes the store's write lock at once, so a document is saved whole (document, passages and vectors
together) or not at all, and a second writer waits its turn. Deleting a document deletes its passages, vectors and
attachments by foreign-key cascade; on SQLite it also gives the space back (incremental vacuum).

A document's vectors are one float32 BLOB (bytea on PostgreSQL; little-endian, a row per passage in order, as the
server sent them, not normalised): a library of 100,000 passages in 100 documents is read into memory in 100 rows
instead of 100,000. They all come from the document's ``model``; re-indexing it with another model replaces them in
one transaction, and every read of vectors asks for one model and checks it on both the document and the vectors,
so two models' vectors are never compared. The bytes are the same on both databases, so a search finds the same
passages with the same scores on either.

Every document has an owner (a person: :mod:`lib.access.visitor`). A store built for an owner sees and changes that
owner's documents only: an id that belongs to someone else behaves as one that does not exist. Without an owner
(tests and maintenance tools) a store sees everything.

``generation()`` changes whenever this owner's documents or vectors change (in any process, or app instance), so
the in-memory search matrix (:mod:`lib.documents.index`) knows when to read them again.

The tables are :data:`METADATA`; their revisions are in ``lib/storage/migrations/documents/``.
"""

from __future__ import annotations

import secrets
import sqlite3
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lib.chat import store as chat_store
from lib.documents.records import Document, Passage
from lib.storage import database
from lib.storage.migrate import LegacyStep
from lib.storage.store import Store
from lib.storage.types import REAL

FILE_NAME = "documents.sqlite3"
SCHEMA_VERSION = 2  # the PRAGMA user_version of the SQLite-only app's last schema (revision 1)
VECTOR_TYPE = np.dtype("<f4")

BIG_INTEGER = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
"""A 64-bit integer on both: PostgreSQL's ``bigint``, and SQLite's ``INTEGER`` (64-bit already, as the SQLite-only app
declared these columns)."""

METADATA = sa.MetaData()
DOCUMENTS = sa.Table(
    "documents",
    METADATA,
    sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
    sa.Column("owner", sa.Text),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("size", BIG_INTEGER, nullable=False),  # bytes
    sa.Column("sha256", sa.Text, nullable=False),
    sa.Column("model", sa.Text, nullable=False),
    sa.Column("passages", sa.Integer, nullable=False, server_default="0"),
    sa.Column("added_at", REAL, nullable=False),
    # The base URL of the server whose embedding model made the vectors; "" for a document saved before servers
    # were kept (it was indexed on the sidebar's server: lib.documents.records.Document.placed).
    sa.Column("server", sa.Text, nullable=False, server_default=""),
    sa.Index("documents_by_owner", "owner", "added_at"),
    sa.Index("documents_by_hash", "sha256", "model"),
    sqlite_autoincrement=True,
)
PASSAGES = sa.Table(
    "passages",
    METADATA,
    sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
    sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("page", sa.Integer),
    sa.Column("heading", sa.Text, nullable=False, server_default=""),
    sa.Index("passages_by_document", "document_id", "position"),
    sqlite_autoincrement=True,
)
VECTORS = sa.Table(
    "vectors",
    METADATA,
    sa.Column(
        "document_id",
        sa.Integer,
        sa.ForeignKey("documents.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    sa.Column("model", sa.Text, nullable=False),
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("dimensions", sa.Integer, nullable=False),
    sa.Column("stamp", BIG_INTEGER, nullable=False),  # secrets.randbits(62), new at every write of the vectors
    sa.Column("data", sa.LargeBinary, nullable=False),
)
ATTACHMENTS = sa.Table(
    "attachments",
    METADATA,
    sa.Column("conversation_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column(
        "document_id",
        sa.Integer,
        sa.ForeignKey("documents.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    sa.Column("owner", sa.Text),
    sa.Column("attached_at", REAL, nullable=False),
    # The attachment's place in its conversation's list (the SQLite-only app ordered by rowid, which PostgreSQL has
    # not); 0 for none given, then the attachment time decides.
    sa.Column("position", sa.Integer, nullable=False, server_default="0"),
    sa.Index("attachments_by_document", "document_id"),
)
CHANGES = sa.Table(
    "changes",
    METADATA,
    sa.Column("owner", sa.Text, primary_key=True),
    sa.Column("generation", sa.Integer, nullable=False),
)


# The vectors table as the SQLite-only app's version 2 made it (the version 1 to 2 step creates it).
_VECTORS_V2 = """
CREATE TABLE IF NOT EXISTS vectors (
    document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    rows INTEGER NOT NULL,
    dimensions INTEGER NOT NULL,
    stamp INTEGER NOT NULL,
    data BLOB NOT NULL
)
"""


def _vectors_per_document(db: sqlite3.Connection) -> None:
    """The SQLite-only app's step from version 1 to 2: version 1 kept a vector per passage (a row each);
    version 2 keeps a document's as one BLOB."""
    db.execute("ALTER TABLE vectors RENAME TO passage_vectors")
    db.execute(_VECTORS_V2)
    documents = db.execute(
        "SELECT p.document_id, v.model, v.dimensions, COUNT(*) AS rows, "
        "(SELECT COUNT(*) FROM passages WHERE document_id = p.document_id) AS passages "
        "FROM passage_vectors v JOIN passages p ON p.id = v.passage_id "
        "GROUP BY p.document_id ORDER BY p.document_id"
    ).fetchall()
    for document_id, model, dimensions, rows, passages in documents:
        if rows == passages:  # a document missing vectors is left without: no search finds it
            ordered = db.execute(
                "SELECT v.vector FROM passage_vectors v JOIN passages p ON p.id = v.passage_id "
                "WHERE p.document_id = ? ORDER BY p.position",
                (document_id,),
            )
            blob = b"".join(row[0] for row in ordered)
            db.execute(
                "INSERT INTO vectors (document_id, model, rows, dimensions, stamp, data) VALUES (?, ?, ?, ?, ?, ?)",
                (document_id, model, rows, dimensions, secrets.randbits(62), blob),
            )
    db.execute("DROP TABLE passage_vectors")


class StoreUnavailable(chat_store.StoreUnavailable):
    """The library's database cannot be opened or created; ``str()`` says where and what to do.

    A kind of the chats' error, so what already catches that one (pages, the entry script) shows this too.
    """


class StoreFailed(chat_store.StoreFailed):
    """A read or write of the library's database failed once it was open; ``str()`` says so in a sentence."""


class NotFound(LookupError):
    """No such document for this owner (never saved, deleted, or someone else's)."""


class DocumentStore(Store):
    """The library's database: ``documents.sqlite3`` in the data folder, or the shared database (lib/storage/)."""

    NAME = "documents"
    FILE_NAME = FILE_NAME
    METADATA = METADATA
    LEGACY_VERSION = SCHEMA_VERSION
    LEGACY_STEPS: ClassVar[Mapping[int, LegacyStep]] = {1: _vectors_per_document}  # version 1 to 2
    # On SQLite, space freed by a deletion goes back to the disk, and pages are 64 kB, so a document's vectors
    # (3 MB for 1,000 passages of 768 dimensions) are read in 48 pages instead of 750 (both can only be chosen
    # before the first table).
    FIRST_PRAGMAS = ("PRAGMA page_size = 65536", "PRAGMA auto_vacuum = INCREMENTAL")
    UNAVAILABLE_KEY = "documents_core.store_unavailable"
    FAILED_KEY = "documents_core.store_failed"
    UNAVAILABLE = StoreUnavailable
    FAILED = StoreFailed

    # Documents

    def find(self, sha256: str, model: str, server: str = "", *, legacy: bool = False) -> Document | None:
        """This owner's document of these bytes indexed with ``model`` on ``server``, if there is one (the newest).

        ``legacy``: ``server`` is the sidebar's, so a document saved without a server (indexed there) counts too.
        """
        with self._transaction(write=False) as db:
            row = db.execute(self._same_file(sha256, model, server, legacy)).first()
        return _document(row) if row else None

    def add(self, document: Document, passages: list[Passage], vectors: np.ndarray, *, legacy: bool = False) -> int:
        """Save ``document`` with its passages (in order) and one vector per passage, all in one
        transaction, under this owner; returns its id. ``added_at`` 0 means now.

        When this owner already has the same file (``sha256``) indexed with the same model on the same server
        (``legacy``: as for :meth:`find`), nothing is saved and that document's id is returned: two sessions
        indexing one file at once keep one.
        """
        matrix = _checked(vectors, len(passages))
        with self._transaction() as db:
            existing = db.execute(self._same_file(document.sha256, document.model, document.server, legacy)).first()
            if existing:
                return int(existing.id)
            values = {
                "owner": self.owner,
                "name": document.name,
                "kind": document.kind,
                "size": document.size,
                "sha256": document.sha256,
                "model": document.model,
                "passages": len(passages),
                "added_at": document.added_at or time.time(),
                "server": document.server,
            }
            document_id = int(db.execute(sa.insert(DOCUMENTS).values(values).returning(DOCUMENTS.c.id)).scalar_one())
            if passages:
                db.execute(
                    sa.insert(PASSAGES),
                    [
                        {
                            "document_id": document_id,
                            "position": position,
                            "text": passage.text,
                            "page": passage.page,
                            "heading": passage.heading,
                        }
                        for position, passage in enumerate(passages)
                    ],
                )
            _insert_vectors(db, document_id, document.model, matrix)
            self._changed(db)
        return document_id

    def documents(self) -> list[Document]:
        """This owner's documents, the newest first."""
        query = (
            sa.select(DOCUMENTS)
            .where(self._mine(DOCUMENTS.c.owner))
            .order_by(DOCUMENTS.c.added_at.desc(), DOCUMENTS.c.id.desc())
        )
        with self._transaction(write=False) as db:
            return [_document(row) for row in db.execute(query)]

    def get(self, document_id: int) -> Document | None:
        with self._transaction(write=False) as db:
            row = self._my_document(db, document_id)
        return _document(row) if row else None

    def delete(self, document_id: int) -> None:
        """Delete the document with its passages, vectors and attachments (nothing when it is not this owner's)."""
        with self._transaction() as db:
            deleted = db.execute(
                sa.delete(DOCUMENTS).where(DOCUMENTS.c.id == document_id, self._mine(DOCUMENTS.c.owner))
            ).rowcount
            if deleted:
                self._changed(db)
        if deleted:
            self._vacuum()

    def _vacuum(self) -> None:
        """On SQLite, give the pages the deletion freed back to the disk (PostgreSQL's autovacuum does its own)."""
        if self.location is None or self.location.path is None:
            return
        try:
            connection = database.engine(self.location).raw_connection()
            try:
                raw = connection.driver_connection
                assert isinstance(raw, sqlite3.Connection)
                # executescript steps the pragma to its end; execute() would free one page only.
                raw.executescript("PRAGMA incremental_vacuum;")
            finally:
                connection.close()
        except (sqlite3.Error, sa.exc.SQLAlchemyError):
            pass  # the space is reused by the next document anyway

    # Passages and vectors

    def passages(self, document_id: int) -> list[Passage]:
        """The document's passages in order; empty when it is not this owner's."""
        query = (
            sa.select(PASSAGES)
            .join_from(PASSAGES, DOCUMENTS, DOCUMENTS.c.id == PASSAGES.c.document_id)
            .where(DOCUMENTS.c.id == document_id, self._mine(DOCUMENTS.c.owner))
            .order_by(PASSAGES.c.position)
        )
        with self._transaction(write=False) as db:
            return [_passage(row) for row in db.execute(query)]

    def passage(self, passage_id: int) -> Passage | None:
        found = self.passages_with_names([passage_id])
        return found[passage_id][0] if passage_id in found else None

    def passages_with_names(self, passage_ids: Sequence[int]) -> dict[int, tuple[Passage, str]]:
        """Each of this owner's passages among ``passage_ids`` with its document's name, by id."""
        found: dict[int, tuple[Passage, str]] = {}
        with self._transaction(write=False) as db:
            for chunk in _chunks([int(i) for i in passage_ids]):
                query = (
                    sa.select(PASSAGES, DOCUMENTS.c.name.label("document_name"))
                    .join_from(PASSAGES, DOCUMENTS, DOCUMENTS.c.id == PASSAGES.c.document_id)
                    .where(PASSAGES.c.id.in_(chunk), self._mine(DOCUMENTS.c.owner))
                )
                for row in db.execute(query):
                    found[int(row.id)] = (_passage(row), row.document_name)
        return found

    def vectors(self, model: str, document_ids: Sequence[int] | None = None) -> tuple[np.ndarray, list[int]]:
        """The ``(n, d)`` float32 matrix of this owner's vectors from ``model`` (of ``document_ids``
        when given), in passage id order, and the passage id of each row."""
        matrix, passage_ids, _ = self.vector_rows(model, document_ids)
        return matrix, passage_ids.tolist()

    def vector_rows(
        self, model: str, document_ids: Sequence[int] | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`vectors` with each row's document id: ``(matrix, passage ids, document ids)``,
        rows in document id order, then passage order; the matrix is read-only (no copy is made).

        Only vectors of the size most of them have are returned (a model gives one size), and a
        document whose vectors do not match its passages (a damaged database) is left out.
        """
        where = self._of_model(model)
        if document_ids is not None:
            wanted = sorted({int(i) for i in document_ids})
            if not wanted:
                return _empty_rows()
            where = sa.and_(where, DOCUMENTS.c.id.in_(wanted))
        joined = sa.join(VECTORS, DOCUMENTS, DOCUMENTS.c.id == VECTORS.c.document_id)
        with self._transaction(write=False) as db:
            found = db.execute(
                sa.select(DOCUMENTS.c.id, VECTORS.c.rows, VECTORS.c.dimensions, VECTORS.c.data)
                .select_from(joined)
                .where(where)
                .order_by(DOCUMENTS.c.id)
            ).all()
            passages: dict[int, list[int]] = {}
            for document_id, passage_id in db.execute(
                sa.select(PASSAGES.c.document_id, PASSAGES.c.id)
                .where(PASSAGES.c.document_id.in_(sa.select(DOCUMENTS.c.id).select_from(joined).where(where)))
                .order_by(PASSAGES.c.document_id, PASSAGES.c.position)
            ):
                passages.setdefault(int(document_id), []).append(int(passage_id))
        sizes: dict[int, int] = {}
        for _, count, dimensions, _ in found:
            sizes[dimensions] = sizes.get(dimensions, 0) + count
        if not sizes:
            return _empty_rows()
        size = max(sizes, key=lambda dimensions: sizes[dimensions])
        usable = [
            row
            for row in found
            if row[2] == size
            and len(row[3]) == row[1] * size * VECTOR_TYPE.itemsize
            and len(passages.get(row[0], ())) == row[1]
        ]
        if not usable:
            return _empty_rows()
        matrix = np.frombuffer(b"".join(bytes(row[3]) for row in usable), dtype=VECTOR_TYPE).reshape(-1, size)
        passage_ids = np.fromiter((i for row in usable for i in passages[row[0]]), dtype=np.int64)
        owners = np.repeat(np.array([row[0] for row in usable], dtype=np.int64), [row[1] for row in usable])
        return matrix, passage_ids, owners

    def vector_stamps(self, model: str) -> dict[int, int]:
        """Each of this owner's documents with vectors from ``model``, and their vectors' stamp (new
        at every write of them): what changed since a matrix was read, without reading vectors."""
        query = (
            sa.select(DOCUMENTS.c.id, VECTORS.c.stamp)
            .join_from(VECTORS, DOCUMENTS, DOCUMENTS.c.id == VECTORS.c.document_id)
            .where(self._of_model(model))
        )
        with self._transaction(write=False) as db:
            return {int(row.id): int(row.stamp) for row in db.execute(query)}

    def passage_texts(self, model: str) -> dict[int, str]:
        """The text of each of this owner's passages indexed with ``model``, by passage id (keyword search)."""
        query = (
            sa.select(PASSAGES.c.id, PASSAGES.c.text)
            .join_from(PASSAGES, DOCUMENTS, DOCUMENTS.c.id == PASSAGES.c.document_id)
            .where(DOCUMENTS.c.model == model, self._mine(DOCUMENTS.c.owner))
        )
        with self._transaction(write=False) as db:
            return {int(row.id): row.text for row in db.execute(query)}

    def replace_vectors(self, document_id: int, model: str, vectors: np.ndarray, server: str | None = None) -> None:
        """Re-index the document with ``model`` (on ``server``; None: where it was): its vectors replaced, one per
        passage in order, and its model and server changed, in one transaction. Raises :class:`NotFound` when it
        is not this owner's."""
        with self._transaction() as db:
            if self._my_document(db, document_id) is None:
                raise NotFound(document_id)
            count = db.scalar(
                sa.select(sa.func.count()).select_from(PASSAGES).where(PASSAGES.c.document_id == document_id)
            )
            matrix = _checked(vectors, int(count or 0))
            db.execute(sa.delete(VECTORS).where(VECTORS.c.document_id == document_id))
            _insert_vectors(db, document_id, model, matrix)
            changed = {"model": model} if server is None else {"model": model, "server": server}
            db.execute(sa.update(DOCUMENTS).where(DOCUMENTS.c.id == document_id).values(changed))
            self._changed(db)

    def generation(self) -> int:
        """A number that changes whenever this owner's documents or vectors change."""
        if self.owner is None:
            query = sa.select(sa.func.coalesce(sa.func.sum(CHANGES.c.generation), 0))
        else:
            query = sa.select(CHANGES.c.generation).where(CHANGES.c.owner == self.owner)
        with self._transaction(write=False) as db:
            value = db.scalar(query)
        return int(value or 0)

    def _changed(self, db: Connection) -> None:
        db.execute(
            self._insert(CHANGES)
            .values(owner=self.owner or "", generation=1)
            .on_conflict_do_update(index_elements=["owner"], set_={"generation": CHANGES.c.generation + 1})
        )

    # Conversations

    def attach(self, conversation_id: int, document_id: int) -> None:
        """Let the conversation use the document (once however often asked); :class:`NotFound` when it is not this
        owner's."""
        with self._transaction() as db:
            if self._my_document(db, document_id) is None:
                raise NotFound(document_id)
            last = db.scalar(
                sa.select(sa.func.max(ATTACHMENTS.c.position)).where(ATTACHMENTS.c.conversation_id == conversation_id)
            )
            db.execute(
                self._insert(ATTACHMENTS)
                .values(
                    conversation_id=conversation_id,
                    document_id=document_id,
                    owner=self.owner,
                    attached_at=time.time(),
                    position=int(last or 0) + 1,
                )
                .on_conflict_do_nothing(index_elements=["conversation_id", "document_id"])
            )

    def detach(self, conversation_id: int, document_id: int) -> None:
        with self._transaction() as db:
            db.execute(
                sa.delete(ATTACHMENTS).where(
                    ATTACHMENTS.c.conversation_id == conversation_id,
                    ATTACHMENTS.c.document_id == document_id,
                    self._mine(ATTACHMENTS.c.owner),
                )
            )

    def attached(self, conversation_id: int) -> list[Document]:
        """This owner's documents the conversation uses, in the order they were attached."""
        query = (
            sa.select(DOCUMENTS)
            .join_from(ATTACHMENTS, DOCUMENTS, DOCUMENTS.c.id == ATTACHMENTS.c.document_id)
            .where(ATTACHMENTS.c.conversation_id == conversation_id, self._mine(DOCUMENTS.c.owner))
            .order_by(ATTACHMENTS.c.position, ATTACHMENTS.c.attached_at, ATTACHMENTS.c.document_id)
        )
        with self._transaction(write=False) as db:
            return [_document(row) for row in db.execute(query)]

    def take_over(self, former_owner: str) -> int:
        """Make every document of ``former_owner``, and the attachments of their chats, this owner's, in one
        transaction; returns how many documents moved. For a visitor who signs in: their chats move to their
        account (:meth:`lib.chat.store.ChatStore.take_over`), and the documents those chats use go along."""
        if self.owner is None:
            raise ValueError("Only a store with an owner can take documents over.")
        if not former_owner or former_owner == self.owner:
            return 0
        with self._transaction() as db:
            moved = db.execute(
                sa.update(DOCUMENTS).where(DOCUMENTS.c.owner == former_owner).values(owner=self.owner)
            ).rowcount
            db.execute(sa.update(ATTACHMENTS).where(ATTACHMENTS.c.owner == former_owner).values(owner=self.owner))
            if moved:
                self._changed(db)
        return int(moved)

    def forget_conversation(self, conversation_id: int) -> None:
        """Drop the conversation's attachments (the conversation was deleted); the documents stay."""
        with self._transaction() as db:
            db.execute(
                sa.delete(ATTACHMENTS).where(
                    ATTACHMENTS.c.conversation_id == conversation_id, self._mine(ATTACHMENTS.c.owner)
                )
            )

    def _my_document(self, db: Connection, document_id: int) -> sa.Row[Any] | None:
        return db.execute(
            sa.select(DOCUMENTS).where(DOCUMENTS.c.id == document_id, self._mine(DOCUMENTS.c.owner))
        ).first()

    def _same_file(self, sha256: str, model: str, server: str, legacy: bool) -> sa.Select[Any]:
        """This owner's newest document of these bytes indexed with ``model`` on ``server`` (or without a server
        kept, when ``legacy``)."""
        servers = [server, ""] if legacy else [server]
        return (
            sa.select(DOCUMENTS)
            .where(
                DOCUMENTS.c.sha256 == sha256,
                DOCUMENTS.c.model == model,
                DOCUMENTS.c.server.in_(servers),
                self._mine(DOCUMENTS.c.owner),
            )
            .order_by(DOCUMENTS.c.id.desc())
            .limit(1)
        )

    def _of_model(self, model: str) -> sa.ColumnElement[bool]:
        """This owner's vectors from ``model``, on a join of vectors and documents (both must name the model)."""
        return sa.and_(VECTORS.c.model == model, DOCUMENTS.c.model == model, self._mine(DOCUMENTS.c.owner))


def _checked(vectors: np.ndarray, passages: int) -> np.ndarray:
    """``vectors`` as a float32 matrix of one finite row per passage; ``ValueError`` otherwise."""
    matrix = np.asarray(vectors, dtype=np.float32)
    if matrix.ndim != 2 or matrix.shape[0] != passages or (passages and matrix.shape[1] == 0):
        raise ValueError(f"expected one vector per passage ({passages}), got an array of shape {matrix.shape}")
    if not np.isfinite(matrix).all():
        raise ValueError("vectors must be finite")
    return matrix


def _insert_vectors(db: Connection, document_id: int, model: str, matrix: np.ndarray) -> None:
    """Save the document's vectors with a new stamp, so a reader holding older ones can tell."""
    db.execute(
        sa.insert(VECTORS).values(
            document_id=document_id,
            model=model,
            rows=int(matrix.shape[0]),
            dimensions=int(matrix.shape[1]),
            stamp=secrets.randbits(62),
            data=matrix.astype(VECTOR_TYPE).tobytes(),
        )
    )


def _empty_rows() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return np.zeros((0, 0), dtype=np.float32), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)


def _chunks(items: list[int], size: int = 500) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _document(row: sa.Row[Any]) -> Document:
    return Document(
        name=row.name,
        kind=row.kind,
        size=int(row.size),
        sha256=row.sha256,
        model=row.model,
        passages=int(row.passages),
        added_at=float(row.added_at),
        id=int(row.id),
        server=row.server,
    )


def _passage(row: sa.Row[Any]) -> Passage:
    return Passage(
        document_id=int(row.document_id),
        index=int(row.position),
        text=row.text,
        page=None if row.page is None else int(row.page),
        heading=row.heading,
        id=int(row.id),
    )
