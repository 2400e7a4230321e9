"""The document library in SQLite (standard library ``sqlite3``, WAL mode): documents, their
passages, one vector per passage, and which conversation uses which document.

The same patterns as the chats' store (:mod:`lib.chat.store`): every operation opens its own
connection and runs in one ``BEGIN IMMEDIATE`` transaction, so a document is saved whole
(document, passages and vectors together) or not at all, and ``busy_timeout`` makes a second
writer wait its turn. Deleting a document deletes its passages, vectors and attachments by
foreign-key cascade, and gives the space back (incremental vacuum).

A document's vectors are one float32 BLOB (little-endian, a row per passage in order, as the
server sent them, not normalised): a library of 100,000 passages in 100 documents is read into
memory in 100 rows instead of 100,000. They all come from the document's ``model``; re-indexing
it with another model replaces them in one transaction, and every read of vectors asks for one
model and checks it on both the document and the vectors, so two models' vectors are never
compared.

Every document has an owner (a person: :mod:`lib.access.visitor`). A store built for an owner
sees and changes that owner's documents only: an id that belongs to someone else behaves as one
that does not exist. Without an owner (tests and maintenance tools) a store sees everything.

``generation()`` changes whenever this owner's documents or vectors change (in any process),
so the in-memory search matrix (:mod:`lib.documents.index`) knows when to read them again.
"""

from __future__ import annotations

import secrets
import sqlite3
import time
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from lib.chat import store as chat_store
from lib.documents.records import Document, Passage
from lib.sqlite_store import SqliteStore

FILE_NAME = "documents.sqlite3"
SCHEMA_VERSION = 2
VECTOR_TYPE = np.dtype("<f4")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner TEXT,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    model TEXT NOT NULL,
    passages INTEGER NOT NULL DEFAULT 0,
    added_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_by_owner ON documents (owner, added_at);
CREATE INDEX IF NOT EXISTS documents_by_hash ON documents (sha256, model);
CREATE TABLE IF NOT EXISTS passages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    page INTEGER,
    heading TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS passages_by_document ON passages (document_id, position);
CREATE TABLE IF NOT EXISTS vectors (
    document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    rows INTEGER NOT NULL,
    dimensions INTEGER NOT NULL,
    stamp INTEGER NOT NULL,
    data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS attachments (
    conversation_id INTEGER NOT NULL,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    owner TEXT,
    attached_at REAL NOT NULL,
    PRIMARY KEY (conversation_id, document_id)
);
CREATE INDEX IF NOT EXISTS attachments_by_document ON attachments (document_id);
CREATE TABLE IF NOT EXISTS changes (
    owner TEXT PRIMARY KEY,
    generation INTEGER NOT NULL
);
"""


class StoreUnavailable(chat_store.StoreUnavailable):
    """The library's database cannot be opened or created; ``str()`` says where and what to do.

    A kind of the chats' error, so what already catches that one (pages, the entry script) shows this too.
    """


class StoreFailed(chat_store.StoreFailed):
    """A read or write of the library's database failed once it was open; ``str()`` says so in a sentence."""


class NotFound(LookupError):
    """No such document for this owner (never saved, deleted, or someone else's)."""


class DocumentStore(SqliteStore):
    """The library at ``path`` (default: ``documents.sqlite3`` in the data folder); holds no connection."""

    FILE_NAME = FILE_NAME
    SCHEMA = _SCHEMA
    SCHEMA_VERSION = SCHEMA_VERSION
    # Space freed by a deletion goes back to the disk, and pages are 64 kB, so a document's vectors
    # (3 MB for 1,000 passages of 768 dimensions) are read in 48 pages instead of 750 (both can only
    # be chosen before the first table).
    FIRST_PRAGMAS = ("PRAGMA page_size = 65536", "PRAGMA auto_vacuum = INCREMENTAL")
    OWNER_COLUMN = "d.owner"
    UNAVAILABLE_KEY = "documents_core.store_unavailable"
    FAILED_KEY = "documents_core.store_failed"
    UNAVAILABLE = StoreUnavailable
    FAILED = StoreFailed

    def _migrate(self, connection: sqlite3.Connection, version: int) -> None:
        """Version 1 to 2 moves the vectors (code, not statements: :func:`_vectors_per_document`)."""
        if version == 1:
            _vectors_per_document(connection)

    # Documents

    def find(self, sha256: str, model: str) -> Document | None:
        """This owner's document of these bytes indexed with ``model``, if there is one (the newest)."""
        mine, owner = self._mine()
        with self._transaction(write=False) as db:
            row = db.execute(
                f"SELECT * FROM documents d WHERE sha256 = ? AND model = ? AND {mine} ORDER BY id DESC LIMIT 1",
                (sha256, model, *owner),
            ).fetchone()
        return _document(row) if row else None

    def add(self, document: Document, passages: list[Passage], vectors: np.ndarray) -> int:
        """Save ``document`` with its passages (in order) and one vector per passage, all in one
        transaction, under this owner; returns its id. ``added_at`` 0 means now.

        When this owner already has the same file (``sha256``) indexed with the same model, nothing
        is saved and that document's id is returned: two sessions indexing one file at once keep one.
        """
        matrix = _checked(vectors, len(passages))
        with self._transaction() as db:
            mine, owner = self._mine()
            existing = db.execute(
                f"SELECT id FROM documents d WHERE sha256 = ? AND model = ? AND {mine} ORDER BY id DESC LIMIT 1",
                (document.sha256, document.model, *owner),
            ).fetchone()
            if existing:
                return int(existing["id"])
            cursor = db.execute(
                "INSERT INTO documents (owner, name, kind, size, sha256, model, passages, added_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    self.owner,
                    document.name,
                    document.kind,
                    document.size,
                    document.sha256,
                    document.model,
                    len(passages),
                    document.added_at or time.time(),
                ),
            )
            document_id = _inserted_id(cursor)
            db.executemany(
                "INSERT INTO passages (document_id, position, text, page, heading) VALUES (?, ?, ?, ?, ?)",
                (
                    (document_id, position, passage.text, passage.page, passage.heading)
                    for position, passage in enumerate(passages)
                ),
            )
            _insert_vectors(db, document_id, document.model, matrix)
            self._changed(db)
        return document_id

    def documents(self) -> list[Document]:
        """This owner's documents, the newest first."""
        mine, owner = self._mine()
        with self._transaction(write=False) as db:
            rows = db.execute(f"SELECT * FROM documents d WHERE {mine} ORDER BY added_at DESC, id DESC", owner)
            return [_document(row) for row in rows]

    def get(self, document_id: int) -> Document | None:
        with self._transaction(write=False) as db:
            row = self._my_document(db, document_id)
        return _document(row) if row else None

    def delete(self, document_id: int) -> None:
        """Delete the document with its passages, vectors and attachments (nothing when it is not this owner's)."""
        mine, owner = self._mine()
        with self._transaction() as db:
            deleted = db.execute(f"DELETE FROM documents AS d WHERE id = ? AND {mine}", (document_id, *owner)).rowcount
            if deleted:
                self._changed(db)
        if deleted:
            self._vacuum()

    def _vacuum(self) -> None:
        try:
            connection = self._connect()
            try:
                # executescript steps the pragma to its end; execute() would free one page only.
                connection.executescript("PRAGMA incremental_vacuum;")
            finally:
                connection.close()
        except sqlite3.Error:
            pass  # the space is reused by the next document anyway

    # Passages and vectors

    def passages(self, document_id: int) -> list[Passage]:
        """The document's passages in order; empty when it is not this owner's."""
        mine, owner = self._mine()
        with self._transaction(write=False) as db:
            rows = db.execute(
                f"SELECT p.* FROM passages p JOIN documents d ON d.id = p.document_id WHERE d.id = ? AND {mine} "
                "ORDER BY p.position",
                (document_id, *owner),
            )
            return [_passage(row) for row in rows]

    def passage(self, passage_id: int) -> Passage | None:
        found = self.passages_with_names([passage_id])
        return found[passage_id][0] if passage_id in found else None

    def passages_with_names(self, passage_ids: Sequence[int]) -> dict[int, tuple[Passage, str]]:
        """Each of this owner's passages among ``passage_ids`` with its document's name, by id."""
        mine, owner = self._mine()
        found: dict[int, tuple[Passage, str]] = {}
        with self._transaction(write=False) as db:
            for chunk in _chunks(list(passage_ids)):
                marks = ",".join("?" * len(chunk))
                rows = db.execute(
                    f"SELECT p.*, d.name AS document_name FROM passages p JOIN documents d ON d.id = p.document_id "
                    f"WHERE p.id IN ({marks}) AND {mine}",
                    (*chunk, *owner),
                )
                for row in rows:
                    found[int(row["id"])] = (_passage(row), row["document_name"])
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
        mine, owner = self._mine()
        where = f"v.model = ? AND d.model = ? AND {mine}"
        parameters: tuple[Any, ...] = (model, model, *owner)
        if document_ids is not None:
            wanted = sorted({int(i) for i in document_ids})
            if not wanted:
                return _empty_rows()
            where += f" AND d.id IN ({','.join('?' * len(wanted))})"
            parameters += tuple(wanted)
        with self._transaction(write=False) as db:
            found = db.execute(
                f"SELECT d.id, v.rows, v.dimensions, v.data FROM vectors v JOIN documents d ON d.id = v.document_id "
                f"WHERE {where} ORDER BY d.id",
                parameters,
            ).fetchall()
            passages: dict[int, list[int]] = {}
            for document_id, passage_id in db.execute(
                "SELECT document_id, id FROM passages WHERE document_id IN (SELECT d.id FROM vectors v "
                f"JOIN documents d ON d.id = v.document_id WHERE {where}) ORDER BY document_id, position",
                parameters,
            ):
                passages.setdefault(document_id, []).append(passage_id)
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
        matrix = np.frombuffer(b"".join(row[3] for row in usable), dtype=VECTOR_TYPE).reshape(-1, size)
        passage_ids = np.fromiter((i for row in usable for i in passages[row[0]]), dtype=np.int64)
        owners = np.repeat(np.array([row[0] for row in usable], dtype=np.int64), [row[1] for row in usable])
        return matrix, passage_ids, owners

    def vector_stamps(self, model: str) -> dict[int, int]:
        """Each of this owner's documents with vectors from ``model``, and their vectors' stamp (new
        at every write of them): what changed since a matrix was read, without reading vectors."""
        mine, owner = self._mine()
        with self._transaction(write=False) as db:
            rows = db.execute(
                f"SELECT d.id, v.stamp FROM vectors v JOIN documents d ON d.id = v.document_id "
                f"WHERE v.model = ? AND d.model = ? AND {mine}",
                (model, model, *owner),
            )
            return {int(row[0]): int(row[1]) for row in rows}

    def passage_texts(self, model: str) -> dict[int, str]:
        """The text of each of this owner's passages indexed with ``model``, by passage id (keyword search)."""
        mine, owner = self._mine()
        with self._transaction(write=False) as db:
            rows = db.execute(
                f"SELECT p.id, p.text FROM passages p JOIN documents d ON d.id = p.document_id "
                f"WHERE d.model = ? AND {mine}",
                (model, *owner),
            )
            return {int(row[0]): row[1] for row in rows}

    def replace_vectors(self, document_id: int, model: str, vectors: np.ndarray) -> None:
        """Re-index the document with ``model``: its vectors replaced, one per passage in order, and
        its model changed, in one transaction. Raises :class:`NotFound` when it is not this owner's."""
        with self._transaction() as db:
            if self._my_document(db, document_id) is None:
                raise NotFound(document_id)
            count = db.execute("SELECT COUNT(*) FROM passages WHERE document_id = ?", (document_id,)).fetchone()[0]
            matrix = _checked(vectors, int(count))
            db.execute("DELETE FROM vectors WHERE document_id = ?", (document_id,))
            _insert_vectors(db, document_id, model, matrix)
            db.execute("UPDATE documents SET model = ? WHERE id = ?", (model, document_id))
            self._changed(db)

    def generation(self) -> int:
        """A number that changes whenever this owner's documents or vectors change."""
        with self._transaction(write=False) as db:
            if self.owner is None:
                row = db.execute("SELECT COALESCE(SUM(generation), 0) FROM changes").fetchone()
            else:
                row = db.execute("SELECT generation FROM changes WHERE owner = ?", (self.owner,)).fetchone()
        return int(row[0]) if row else 0

    def _changed(self, db: sqlite3.Connection) -> None:
        db.execute(
            "INSERT INTO changes (owner, generation) VALUES (?, 1) "
            "ON CONFLICT (owner) DO UPDATE SET generation = generation + 1",
            (self.owner or "",),
        )

    # Conversations

    def attach(self, conversation_id: int, document_id: int) -> None:
        """Let the conversation use the document (once however often asked); :class:`NotFound` when it is not this
        owner's."""
        with self._transaction() as db:
            if self._my_document(db, document_id) is None:
                raise NotFound(document_id)
            db.execute(
                "INSERT INTO attachments (conversation_id, document_id, owner, attached_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                (conversation_id, document_id, self.owner, time.time()),
            )

    def detach(self, conversation_id: int, document_id: int) -> None:
        mine, owner = self._mine("owner")
        with self._transaction() as db:
            db.execute(
                f"DELETE FROM attachments WHERE conversation_id = ? AND document_id = ? AND {mine}",
                (conversation_id, document_id, *owner),
            )

    def attached(self, conversation_id: int) -> list[Document]:
        """This owner's documents the conversation uses, in the order they were attached."""
        mine, owner = self._mine()
        with self._transaction(write=False) as db:
            rows = db.execute(
                f"SELECT d.* FROM attachments a JOIN documents d ON d.id = a.document_id "
                f"WHERE a.conversation_id = ? AND {mine} ORDER BY a.attached_at, a.rowid",
                (conversation_id, *owner),
            )
            return [_document(row) for row in rows]

    def take_over(self, former_owner: str) -> int:
        """Make every document of ``former_owner``, and the attachments of their chats, this owner's, in one
        transaction; returns how many documents moved. For a visitor who signs in: their chats move to their
        account (:meth:`lib.chat.store.ChatStore.take_over`), and the documents those chats use go along."""
        if self.owner is None:
            raise ValueError("Only a store with an owner can take documents over.")
        if not former_owner or former_owner == self.owner:
            return 0
        with self._transaction() as db:
            moved = db.execute("UPDATE documents SET owner = ? WHERE owner = ?", (self.owner, former_owner)).rowcount
            db.execute("UPDATE attachments SET owner = ? WHERE owner = ?", (self.owner, former_owner))
            if moved:
                self._changed(db)
        return int(moved)

    def forget_conversation(self, conversation_id: int) -> None:
        """Drop the conversation's attachments (the conversation was deleted); the documents stay."""
        mine, owner = self._mine("owner")
        with self._transaction() as db:
            db.execute(f"DELETE FROM attachments WHERE conversation_id = ? AND {mine}", (conversation_id, *owner))

    def _my_document(self, db: sqlite3.Connection, document_id: int) -> sqlite3.Row | None:
        mine, owner = self._mine()
        row: sqlite3.Row | None = db.execute(
            f"SELECT * FROM documents d WHERE id = ? AND {mine}", (document_id, *owner)
        ).fetchone()
        return row


def _vectors_per_document(db: sqlite3.Connection) -> None:
    """Version 1 kept a vector per passage (a row each); version 2 keeps a document's as one BLOB."""
    db.execute("ALTER TABLE vectors RENAME TO passage_vectors")
    statement = _SCHEMA[_SCHEMA.index("CREATE TABLE IF NOT EXISTS vectors") :]
    db.execute(statement[: statement.index(";")])
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


def _checked(vectors: np.ndarray, passages: int) -> np.ndarray:
    """``vectors`` as a float32 matrix of one finite row per passage; ``ValueError`` otherwise."""
    matrix = np.asarray(vectors, dtype=np.float32)
    if matrix.ndim != 2 or matrix.shape[0] != passages or (passages and matrix.shape[1] == 0):
        raise ValueError(f"expected one vector per passage ({passages}), got an array of shape {matrix.shape}")
    if not np.isfinite(matrix).all():
        raise ValueError("vectors must be finite")
    return matrix


def _insert_vectors(db: sqlite3.Connection, document_id: int, model: str, matrix: np.ndarray) -> None:
    """Save the document's vectors with a new stamp, so a reader holding older ones can tell."""
    db.execute(
        "INSERT INTO vectors (document_id, model, rows, dimensions, stamp, data) VALUES (?, ?, ?, ?, ?, ?)",
        (
            document_id,
            model,
            int(matrix.shape[0]),
            int(matrix.shape[1]),
            secrets.randbits(62),
            matrix.astype(VECTOR_TYPE).tobytes(),
        ),
    )


def _empty_rows() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return np.zeros((0, 0), dtype=np.float32), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)


def _chunks(items: list[int], size: int = 500) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _document(row: sqlite3.Row) -> Document:
    return Document(
        name=row["name"],
        kind=row["kind"],
        size=int(row["size"]),
        sha256=row["sha256"],
        model=row["model"],
        passages=int(row["passages"]),
        added_at=float(row["added_at"]),
        id=int(row["id"]),
    )


def _passage(row: sqlite3.Row) -> Passage:
    return Passage(
        document_id=int(row["document_id"]),
        index=int(row["position"]),
        text=row["text"],
        page=None if row["page"] is None else int(row["page"]),
        heading=row["heading"],
        id=int(row["id"]),
    )


def _inserted_id(cursor: sqlite3.Cursor) -> int:
    if cursor.lastrowid is None:
        raise sqlite3.DatabaseError("the insert returned no row id")
    return cursor.lastrowid
