"""Saved conversations in SQLite (standard library ``sqlite3``, WAL mode).

Every operation opens its own connection and runs in one transaction, so several browser
sessions (threads of one server process, or several processes) can write at once: WAL lets
readers go on while one writer commits, and ``busy_timeout`` makes a second writer wait its
turn instead of failing. Messages are only ever added, changed or removed by id, never
rewritten as a whole list, so one session cannot overwrite what another saved.

Every conversation has an owner (a person: see :mod:`lib.access.visitor`), and a store built for an
owner reads and changes that owner's conversations and their messages only: an id that belongs
to someone else behaves as one that does not exist. Conversations saved before owners existed
(schema version 1) have none; a store shows them only when told to (a single-user install).
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lib import thinking
from lib.chat import sources, validation
from lib.chat.history import ASSISTANT, AWAITING, USER, Conversation, Format, Message, title_from
from lib.chat.validation import Problem
from lib.i18n import t
from lib.ollama.stats import RunStats
from lib.sqlite_store import DATA_DIR_ENV as DATA_DIR_ENV
from lib.sqlite_store import SqliteStore
from lib.sqlite_store import data_dir as data_dir
from lib.thinking import Think
from lib.tools import steps
from lib.tools.steps import Round

FILE_NAME = "chats.sqlite3"
SCHEMA_VERSION = 5

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner TEXT,
    title TEXT NOT NULL DEFAULT '',
    model TEXT NOT NULL DEFAULT '',
    system TEXT NOT NULL DEFAULT '',
    options TEXT NOT NULL DEFAULT '{}',
    keep_alive TEXT,
    think INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    tools TEXT,
    format TEXT,
    server TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    content TEXT NOT NULL DEFAULT '',
    thinking TEXT NOT NULL DEFAULT '',
    images TEXT NOT NULL DEFAULT '[]',
    stats TEXT,
    status TEXT NOT NULL DEFAULT 'done',
    error TEXT NOT NULL DEFAULT '',
    model TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL,
    grounding TEXT,
    tools TEXT,
    format TEXT,
    server TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS messages_by_conversation ON messages (conversation_id, id);
CREATE INDEX IF NOT EXISTS conversations_by_update ON conversations (updated_at);
CREATE INDEX IF NOT EXISTS conversations_by_owner ON conversations (owner, updated_at);
"""
# Version 1 had no owners: its conversations keep a NULL owner. Version 2 had no documents: its
# answers have no grounding (lib/chat/sources.py). Version 3 had no tools and no format: its chats offer
# no tools and answer in free text, its answers have no tool rounds. ``think`` holds 0 or 1 as before,
# or, since version 4, a level's name ("low", "medium", "high"), which the column's INTEGER affinity
# keeps as text; it is read through lib.thinking.stored. Version 4 kept no servers: its chats and answers
# have "" (the app then uses the sidebar's server).
_MIGRATIONS = {
    1: "ALTER TABLE conversations ADD COLUMN owner TEXT;"
    "CREATE INDEX IF NOT EXISTS conversations_by_owner ON conversations (owner, updated_at);",
    2: "ALTER TABLE messages ADD COLUMN grounding TEXT;",
    3: "ALTER TABLE conversations ADD COLUMN tools TEXT;"
    "ALTER TABLE conversations ADD COLUMN format TEXT;"
    "ALTER TABLE messages ADD COLUMN tools TEXT;"
    "ALTER TABLE messages ADD COLUMN format TEXT;",
    4: "ALTER TABLE conversations ADD COLUMN server TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE messages ADD COLUMN server TEXT NOT NULL DEFAULT '';",
}


@dataclass(frozen=True)
class Summary:
    """A line of the conversation list."""

    id: int
    title: str
    model: str
    updated_at: float
    messages: int


class StoreUnavailable(Exception):
    """The database cannot be opened or created; ``str()`` says where and what to do."""


class StoreFailed(Exception):
    """A read or write of the database failed once it was open (locked too long, disk full, damaged);
    ``str()`` says so in a sentence. The entry script shows it under what the page drew."""


class NotFound(LookupError):
    """No such conversation for this owner (never saved, deleted, or someone else's)."""


class AnswerExists(ValueError):
    """An answer was to be saved right after another answer: each question gets one answer at a time."""


class ChatStore(SqliteStore):
    """The conversations database at ``path``; cheap to create, holds no connection.

    ``owner`` scopes every read and write to one person's conversations; ``with_unowned`` also
    lets that person see and change the conversations saved before owners existed. Without an
    owner (tests and maintenance tools) the store sees every conversation and saves new ones
    without owner.
    """

    FILE_NAME = FILE_NAME
    SCHEMA = _SCHEMA
    SCHEMA_VERSION = SCHEMA_VERSION
    MIGRATIONS = _MIGRATIONS
    UNAVAILABLE_KEY = "privacy.store_unavailable"
    FAILED_KEY = "privacy.store_failed"
    UNAVAILABLE = StoreUnavailable
    FAILED = StoreFailed

    def __init__(self, path: Path | str | None = None, owner: str | None = None, *, with_unowned: bool = False) -> None:
        super().__init__(path, owner)
        self.with_unowned = with_unowned

    def _mine(self, column: str | None = None) -> tuple[str, tuple[Any, ...]]:
        """The SQL condition (and its parameters) that keeps this owner's conversations only."""
        if self.owner is not None and self.with_unowned:
            column = column or self.OWNER_COLUMN
            return f"({column} = ? OR {column} IS NULL)", (self.owner,)
        return super()._mine(column)

    def _my_conversations(self) -> tuple[str, tuple[Any, ...]]:
        """A subquery of this owner's conversation ids, for conditions on messages."""
        condition, parameters = self._mine()
        return f"(SELECT id FROM conversations WHERE {condition})", parameters

    # Conversations

    def create(self, conversation: Conversation) -> int:
        with self._transaction() as db:
            return self._insert_conversation(db, conversation)

    def get(self, conversation_id: int) -> Conversation | None:
        mine, owner = self._mine()
        with self._transaction() as db:
            row = db.execute(
                f"SELECT * FROM conversations WHERE id = ? AND {mine}", (conversation_id, *owner)
            ).fetchone()
        return _conversation(row) if row else None

    def save_settings(self, conversation: Conversation) -> None:
        """Store the model, system prompt, options, think choice, tools and format (not the title or messages)."""
        mine, owner = self._mine()
        with self._transaction() as db:
            db.execute(
                "UPDATE conversations SET model = ?, server = ?, system = ?, options = ?, keep_alive = ?, think = ?, "
                f"tools = ?, format = ? WHERE id = ? AND {mine}",
                (
                    conversation.model,
                    conversation.server,
                    conversation.system,
                    json.dumps(conversation.options),
                    _keep_alive_text(conversation.keep_alive),
                    _think_value(conversation.think),
                    _tools_text(conversation),
                    _format_text(conversation.format),
                    conversation.id,
                    *owner,
                ),
            )

    def rename(self, conversation_id: int, title: str) -> None:
        title = " ".join(title.split())
        if not title:
            raise ValueError(t("privacy.empty_title"))
        mine, owner = self._mine()
        with self._transaction() as db:
            db.execute(f"UPDATE conversations SET title = ? WHERE id = ? AND {mine}", (title, conversation_id, *owner))

    def delete(self, conversation_id: int) -> None:
        mine, owner = self._mine()
        with self._transaction() as db:
            db.execute(f"DELETE FROM conversations WHERE id = ? AND {mine}", (conversation_id, *owner))

    def take_over(self, former_owner: str) -> int:
        """Make every conversation of ``former_owner`` this owner's, in one transaction; returns how many moved.

        For a visitor who signs in: the chats saved for their browser go to their account. Only
        conversations owned by exactly ``former_owner`` change (their messages follow by id), never
        unowned ones or anyone else's, and a second call finds nothing left to move.
        """
        if self.owner is None:
            raise ValueError("Only a store with an owner can take conversations over.")
        if not former_owner or former_owner == self.owner:
            return 0
        with self._transaction() as db:
            return db.execute("UPDATE conversations SET owner = ? WHERE owner = ?", (self.owner, former_owner)).rowcount

    def summaries(self, search: str = "", limit: int = 200) -> list[Summary]:
        """Newest first; ``search`` matches the title or any message's text, case-insensitively."""
        mine, owner = self._mine("c.owner")
        query = (
            "SELECT c.id, c.title, c.model, c.updated_at, "
            "(SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id) AS messages FROM conversations c "
            f"WHERE {mine}"
        )
        parameters: list[Any] = [*owner]
        if search.strip():
            pattern = "%" + _escape_like(search.strip()) + "%"
            query += (
                " AND (c.title LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM messages m "
                "WHERE m.conversation_id = c.id AND m.content LIKE ? ESCAPE '\\'))"
            )
            parameters += [pattern, pattern]
        query += " ORDER BY c.updated_at DESC, c.id DESC LIMIT ?"
        parameters.append(limit)
        with self._transaction() as db:
            rows = db.execute(query, parameters).fetchall()
        return [
            Summary(
                row["id"],
                validation.stored_text(row["title"]),
                validation.stored_text(row["model"]),
                validation.stored_number(row["updated_at"]),
                row["messages"],
            )
            for row in rows
        ]

    # Messages

    def add(self, conversation_id: int, message: Message) -> int:
        """Append a message; the first user message also names an untitled conversation.

        Raises :class:`NotFound` when the conversation is not this owner's (or was deleted), and
        :class:`AnswerExists` for an answer that would follow another answer (two answers streamed
        at once for one question, say, by a click that raced the first).
        """
        mine, owner = self._mine()
        with self._transaction() as db:
            if (
                db.execute(f"SELECT 1 FROM conversations WHERE id = ? AND {mine}", (conversation_id, *owner)).fetchone()
                is None
            ):
                raise NotFound(conversation_id)
            if message.role == ASSISTANT:
                last = db.execute(
                    "SELECT role FROM messages WHERE conversation_id = ? ORDER BY id DESC LIMIT 1", (conversation_id,)
                ).fetchone()
                if last is not None and last["role"] == ASSISTANT:
                    raise AnswerExists(conversation_id)
            message_id = self._insert_message(db, conversation_id, message)
            if message.role == USER:
                db.execute(
                    "UPDATE conversations SET title = ? WHERE id = ? AND title = ''",
                    (title_from(message.content, len(message.images)), conversation_id),
                )
            db.execute("UPDATE conversations SET updated_at = ? WHERE id = ?", (time.time(), conversation_id))
        message.id = message_id
        return message_id

    def replace_answer(self, message_id: int, message: Message) -> bool:
        """Save ``message`` over the answer ``message_id`` (an answer paused on the user's tool, gone on):
        its text, thinking, figures, status, error, rounds and format. False when that answer is gone
        (deleted meanwhile, or not this owner's)."""
        mine, owner = self._my_conversations()
        with self._transaction() as db:
            changed = db.execute(
                "UPDATE messages SET content = ?, thinking = ?, stats = ?, status = ?, error = ?, model = ?, "
                f"server = ?, tools = ?, format = ? WHERE id = ? AND role = ? AND conversation_id IN {mine}",
                (
                    message.content,
                    message.thinking,
                    json.dumps(message.stats.to_dict()) if message.stats else None,
                    message.status,
                    message.error,
                    message.model,
                    message.server,
                    steps.to_json(message.tools) if message.tools else None,
                    _format_text(message.format),
                    message_id,
                    ASSISTANT,
                    *owner,
                ),
            ).rowcount
            if changed:
                db.execute(
                    "UPDATE conversations SET updated_at = ? WHERE id = "
                    "(SELECT conversation_id FROM messages WHERE id = ?)",
                    (time.time(), message_id),
                )
        if changed:
            message.id = message_id
        return bool(changed)

    def save_rounds(self, message_id: int, rounds: list[Round]) -> bool:
        """Save the tool rounds of an answer paused for the user's results; False when it no longer waits
        (another tab gave the results and the answer went on): nothing is changed then."""
        mine, owner = self._my_conversations()
        with self._transaction() as db:
            changed = db.execute(
                f"UPDATE messages SET tools = ? WHERE id = ? AND role = ? AND status = ? AND conversation_id IN {mine}",
                (steps.to_json(rounds) if rounds else None, message_id, ASSISTANT, AWAITING, *owner),
            ).rowcount
        return changed > 0

    def edit(self, message_id: int, content: str) -> None:
        """Change a message's text; a conversation named after its first question follows an edit of it
        (one the user renamed keeps its name)."""
        mine, owner = self._my_conversations()
        with self._transaction() as db:
            row = db.execute(
                "SELECT conversation_id, content, role, images FROM messages "
                f"WHERE id = ? AND conversation_id IN {mine}",
                (message_id, *owner),
            ).fetchone()
            if row is None:
                return
            db.execute("UPDATE messages SET content = ? WHERE id = ?", (content, message_id))
            first = db.execute(
                "SELECT id FROM messages WHERE conversation_id = ? AND role = ? ORDER BY id LIMIT 1",
                (row["conversation_id"], USER),
            ).fetchone()
            if row["role"] == USER and first is not None and first["id"] == message_id:
                raw_images, _problem = validation.stored_json(row["images"] or "[]", ("images",))
                images = len(raw_images) if isinstance(raw_images, list) else 0
                db.execute(
                    "UPDATE conversations SET title = ? WHERE id = ? AND title = ?",
                    (title_from(content, images), row["conversation_id"], title_from(row["content"], images)),
                )

    def remove(self, message_ids: list[int]) -> None:
        mine, owner = self._my_conversations()
        with self._transaction() as db:
            db.executemany(
                f"DELETE FROM messages WHERE id = ? AND conversation_id IN {mine}",
                [(message_id, *owner) for message_id in message_ids],
            )

    def remove_after(self, conversation_id: int, message_id: int) -> None:
        """Delete every message that came after ``message_id`` (for edit-and-resend)."""
        mine, owner = self._my_conversations()
        with self._transaction() as db:
            db.execute(
                f"DELETE FROM messages WHERE conversation_id = ? AND id > ? AND conversation_id IN {mine}",
                (conversation_id, message_id, *owner),
            )

    def drop_answers_after_last_question(self, conversation_id: int) -> None:
        """Delete the answers after the conversation's last question, to answer it anew (retry, regenerate).

        An answer paused on the user's own tool stays: it goes on once they typed its result (retry and
        regenerate remove it by id).
        """
        mine, owner = self._my_conversations()
        with self._transaction() as db:
            db.execute(
                "DELETE FROM messages WHERE conversation_id = ? AND id > "
                "(SELECT COALESCE(MAX(id), 0) FROM messages WHERE conversation_id = ? AND role = ?) "
                f"AND status != ? AND conversation_id IN {mine}",
                (conversation_id, conversation_id, USER, AWAITING, *owner),
            )

    def clear(self, conversation_id: int) -> None:
        mine, owner = self._my_conversations()
        with self._transaction() as db:
            db.execute(
                f"DELETE FROM messages WHERE conversation_id = ? AND conversation_id IN {mine}",
                (conversation_id, *owner),
            )

    def messages(self, conversation_id: int, last: int | None = None) -> list[Message]:
        """In order; with ``last``, only the latest ``last`` messages (long conversations)."""
        mine, owner = self._my_conversations()
        selected = f"SELECT * FROM messages WHERE conversation_id = ? AND conversation_id IN {mine}"
        with self._transaction() as db:
            if last is None:
                rows = db.execute(f"{selected} ORDER BY id", (conversation_id, *owner))
            else:
                rows = db.execute(
                    f"SELECT * FROM ({selected} ORDER BY id DESC LIMIT ?) ORDER BY id", (conversation_id, *owner, last)
                )
            return [_message(row) for row in rows.fetchall()]

    def count(self, conversation_id: int) -> int:
        mine, owner = self._my_conversations()
        with self._transaction() as db:
            return db.execute(
                f"SELECT COUNT(*) FROM messages WHERE conversation_id = ? AND conversation_id IN {mine}",
                (conversation_id, *owner),
            ).fetchone()[0]

    def import_conversation(self, conversation: Conversation, messages: list[Message]) -> int:
        """Add a whole conversation in one transaction: all of it is saved, or none."""
        with self._transaction() as db:
            conversation_id = self._insert_conversation(db, conversation)
            for message in messages:
                self._insert_message(db, conversation_id, message)
        return conversation_id

    def _insert_conversation(self, db: sqlite3.Connection, conversation: Conversation) -> int:
        cursor = db.execute(
            "INSERT INTO conversations "
            "(owner, title, model, system, options, keep_alive, think, created_at, updated_at, tools, format, server) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                self.owner,
                conversation.title,
                conversation.model,
                conversation.system,
                json.dumps(conversation.options),
                _keep_alive_text(conversation.keep_alive),
                _think_value(conversation.think),
                conversation.created_at,
                conversation.updated_at,
                _tools_text(conversation),
                _format_text(conversation.format),
                conversation.server,
            ),
        )
        return _inserted_id(cursor)

    @staticmethod
    def _insert_message(db: sqlite3.Connection, conversation_id: int, message: Message) -> int:
        if message.role not in (USER, ASSISTANT):
            raise ValueError(f"Unknown message role {message.role!r}.")
        cursor = db.execute(
            "INSERT INTO messages "
            "(conversation_id, role, content, thinking, images, stats, status, error, model, created_at, grounding, "
            "tools, format, server) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                conversation_id,
                message.role,
                message.content,
                message.thinking,
                json.dumps(message.images),
                json.dumps(message.stats.to_dict()) if message.stats else None,
                message.status,
                message.error,
                message.model,
                message.created_at,
                sources.to_json(message.grounding) if message.grounding is not None else None,
                steps.to_json(message.tools) if message.tools else None,
                _format_text(message.format),
                message.server,
            ),
        )
        return _inserted_id(cursor)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _keep_alive_text(value: str | int | None) -> str | None:
    return None if value is None else json.dumps(value)


def _think_value(value: Think | None) -> int | str:
    """A level by its name, on or off as 1 or 0 (what versions before 4 wrote)."""
    return value if isinstance(value, str) and value in thinking.LEVELS else int(bool(value))


def _tools_text(conversation: Conversation) -> str | None:
    return json.dumps(conversation.tools.to_data(), ensure_ascii=False) if conversation.tools else None


def _format_text(value: Format) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _conversation(row: sqlite3.Row) -> Conversation:
    """A saved conversation, whatever its columns hold: settings that cannot be used are left out
    and named in ``damaged`` (written by older code or by hand, a saved chat can hold anything)."""
    damaged: list[Problem] = []
    raw_options, problem = validation.stored_json(row["options"] or "{}", ("options",))
    options, problems = validation.stored_options(raw_options) if problem is None else ({}, [problem])
    damaged += problems
    keep_alive: str | int | None = None
    if row["keep_alive"] is not None:
        raw_keep_alive, problem = validation.stored_json(row["keep_alive"], ("keep_alive",))
        keep_alive, problems = validation.stored_keep_alive(raw_keep_alive) if problem is None else (None, [problem])
        damaged += problems
    tools, problems = validation.stored_tools(row["tools"])
    damaged += problems
    output_format, problems = validation.stored_format(row["format"])
    damaged += problems
    return Conversation(
        id=row["id"],
        title=validation.stored_text(row["title"]),
        model=validation.stored_text(row["model"]),
        server=validation.stored_text(row["server"]),
        system=validation.stored_text(row["system"]),
        options=options,
        keep_alive=keep_alive,
        think=thinking.stored(row["think"]),
        tools=tools,
        format=output_format,
        created_at=validation.stored_number(row["created_at"]),
        updated_at=validation.stored_number(row["updated_at"]),
        damaged=damaged,
    )


def _inserted_id(cursor: sqlite3.Cursor) -> int:
    """The row id an ``INSERT`` made; SQLite always gives one, so its absence is a database failure."""
    if cursor.lastrowid is None:
        raise sqlite3.DatabaseError("the insert returned no row id")
    return cursor.lastrowid


def _message(row: sqlite3.Row) -> Message:
    """A saved message, whatever its columns hold: images and figures that cannot be read are left out
    and named in ``damaged``; whether each image decodes is checked when it is drawn."""
    damaged: list[Problem] = []
    raw_images, problem = validation.stored_json(row["images"] or "[]", ("images",))
    images, problems = validation.stored_images(raw_images) if problem is None else ([], [problem])
    damaged += problems
    stats: RunStats | None = None
    if row["stats"]:
        raw_stats, problem = validation.stored_json(row["stats"], ("stats",))
        stats, problems = validation.stored_stats(raw_stats) if problem is None else (None, [problem])
        damaged += problems
    status, problems = validation.stored_status(row["status"])
    damaged += problems
    grounding = sources.from_stored(row["grounding"])
    rounds, problems = validation.stored_rounds(row["tools"])
    damaged += problems
    output_format, problems = validation.stored_format(row["format"])
    damaged += problems
    return Message(
        id=row["id"],
        role=row["role"],
        content=validation.stored_text(row["content"]),
        thinking=validation.stored_text(row["thinking"]),
        images=images,
        stats=stats,
        status=status,
        error=validation.stored_text(row["error"]),
        model=validation.stored_text(row["model"]),
        server=validation.stored_text(row["server"]),
        created_at=validation.stored_number(row["created_at"]),
        grounding=grounding,
        tools=rounds,
        format=output_format,
        damaged=damaged,
    )
