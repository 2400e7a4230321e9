"""Saved conversations, in SQLite or PostgreSQL (:mod:`lib.storage`).

Every operation runs in one transaction of its own, so several browser sessions (threads of one server process,
several processes, or several app instances on one PostgreSQL database) can write at once: a write takes the
store's lock at once and a second writer waits its turn. Messages are only ever added, changed or removed by id,
never rewritten as a whole list, so one session cannot overwrite what another saved.

Every conversation has an owner (a person: see :mod:`lib.access.visitor`), and a store built for an
owner reads and changes that owner's conversations and their messages only: an id that belongs
to someone else behaves as one that does not exist. Conversations saved before owners existed
(schema version 1) have none; a store shows them only when told to (a single-user install).

The tables are :data:`CONVERSATIONS` and :data:`MESSAGES`; their revisions are in
``lib/storage/migrations/chats/``. A ``chats.sqlite3`` of the SQLite-only app (PRAGMA ``user_version`` 1 to 5) is
upgraded in place.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lib import thinking
from lib.chat import sources, validation
from lib.chat.history import ASSISTANT, AWAITING, USER, Conversation, Format, Message, title_from
from lib.chat.validation import Problem
from lib.i18n import t
from lib.ollama.stats import RunStats
from lib.storage.database import DATA_DIR_ENV as DATA_DIR_ENV
from lib.storage.database import data_dir as data_dir
from lib.storage.store import Store
from lib.storage.types import REAL
from lib.thinking import Think
from lib.tools import steps
from lib.tools.steps import Round

FILE_NAME = "chats.sqlite3"
SCHEMA_VERSION = 5  # the PRAGMA user_version of the SQLite-only app's last schema, which revision 1 equals

METADATA = sa.MetaData()
CONVERSATIONS = sa.Table(
    "conversations",
    METADATA,
    sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
    sa.Column("owner", sa.Text),
    sa.Column("title", sa.Text, nullable=False, server_default=""),
    sa.Column("model", sa.Text, nullable=False, server_default=""),
    sa.Column("system", sa.Text, nullable=False, server_default=""),
    sa.Column("options", sa.Text, nullable=False, server_default="{}"),
    sa.Column("keep_alive", sa.Text),
    # "0" or "1" (off, on), or a level's name; read through lib.thinking.stored (revision 2 made it TEXT).
    sa.Column("think", sa.Text, nullable=False, server_default="0"),
    sa.Column("created_at", REAL, nullable=False),
    sa.Column("updated_at", REAL, nullable=False),
    sa.Column("tools", sa.Text),
    sa.Column("format", sa.Text),
    sa.Column("server", sa.Text, nullable=False, server_default=""),
    sa.Index("conversations_by_update", "updated_at"),
    sa.Index("conversations_by_owner", "owner", "updated_at"),
    sqlite_autoincrement=True,
)
MESSAGES = sa.Table(
    "messages",
    METADATA,
    sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
    sa.Column("conversation_id", sa.Integer, sa.ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    sa.Column("role", sa.Text, sa.CheckConstraint("role IN ('user', 'assistant')"), nullable=False),
    sa.Column("content", sa.Text, nullable=False, server_default=""),
    sa.Column("thinking", sa.Text, nullable=False, server_default=""),
    sa.Column("images", sa.Text, nullable=False, server_default="[]"),
    sa.Column("stats", sa.Text),
    sa.Column("status", sa.Text, nullable=False, server_default="done"),
    sa.Column("error", sa.Text, nullable=False, server_default=""),
    sa.Column("model", sa.Text, nullable=False, server_default=""),
    sa.Column("created_at", REAL, nullable=False),
    sa.Column("grounding", sa.Text),
    sa.Column("tools", sa.Text),
    sa.Column("format", sa.Text),
    sa.Column("server", sa.Text, nullable=False, server_default=""),
    sa.Index("messages_by_conversation", "conversation_id", "id"),
    sqlite_autoincrement=True,
)

# The SQLite-only app's steps from PRAGMA version v to v + 1, for files older than version 5. Version 1 had no
# owners: its conversations keep a NULL owner. Version 2 had no documents: its answers have no grounding
# (lib/chat/sources.py). Version 3 had no tools and no format: its chats offer no tools and answer in free text,
# its answers have no tool rounds. Version 4 kept no servers: its chats and answers have "" (the app then uses
# the sidebar's server).
LEGACY_STEPS = {
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
    server: str = ""  # the chat's server (its base URL); "" for chats saved before servers were kept


class StoreUnavailable(Exception):
    """The database cannot be opened or created; ``str()`` says where and what to do."""


class StoreFailed(Exception):
    """A read or write of the database failed once it was open (locked too long, disk full, damaged);
    ``str()`` says so in a sentence. The entry script shows it under what the page drew."""


class NotFound(LookupError):
    """No such conversation for this owner (never saved, deleted, or someone else's)."""


class AnswerExists(ValueError):
    """An answer was to be saved right after another answer: each question gets one answer at a time."""


class ChatStore(Store):
    """The conversations database: ``chats.sqlite3`` in the data folder (or ``path``), or the shared database
    (lib/storage/); cheap to create, holds no connection.

    ``owner`` scopes every read and write to one person's conversations; ``with_unowned`` also
    lets that person see and change the conversations saved before owners existed. Without an
    owner (tests and maintenance tools) the store sees every conversation and saves new ones
    without owner.
    """

    NAME = "chats"
    FILE_NAME = FILE_NAME
    METADATA = METADATA
    LEGACY_VERSION = SCHEMA_VERSION
    LEGACY_STEPS = LEGACY_STEPS
    UNAVAILABLE_KEY = "privacy.store_unavailable"
    FAILED_KEY = "privacy.store_failed"
    UNAVAILABLE = StoreUnavailable
    FAILED = StoreFailed

    def __init__(
        self,
        path: Path | str | None = None,
        owner: str | None = None,
        *,
        with_unowned: bool = False,
        url: str | None = None,
    ) -> None:
        super().__init__(path, owner, url=url)
        self.with_unowned = with_unowned

    def _mine(self, column: sa.ColumnElement[Any] = CONVERSATIONS.c.owner) -> sa.ColumnElement[bool]:
        """The condition that keeps this owner's conversations only (and, ``with_unowned``, those of nobody)."""
        if self.owner is not None and self.with_unowned:
            return sa.or_(column == self.owner, column.is_(None))
        return super()._mine(column)

    def _my_conversations(self) -> sa.Select[tuple[int]]:
        """A subquery of this owner's conversation ids, for conditions on messages."""
        return sa.select(CONVERSATIONS.c.id).where(self._mine())

    def _my_messages(self, conversation_id: int) -> sa.ColumnElement[bool]:
        return sa.and_(
            MESSAGES.c.conversation_id == conversation_id, MESSAGES.c.conversation_id.in_(self._my_conversations())
        )

    # Conversations

    def create(self, conversation: Conversation) -> int:
        with self._transaction() as db:
            return self._insert_conversation(db, conversation)

    def get(self, conversation_id: int) -> Conversation | None:
        with self._transaction(write=False) as db:
            row = db.execute(
                sa.select(CONVERSATIONS).where(CONVERSATIONS.c.id == conversation_id, self._mine())
            ).first()
        return _conversation(row._mapping) if row else None

    def save_settings(self, conversation: Conversation) -> None:
        """Store the model, system prompt, options, think choice, tools and format (not the title or messages)."""
        with self._transaction() as db:
            db.execute(
                sa.update(CONVERSATIONS)
                .where(CONVERSATIONS.c.id == conversation.id, self._mine())
                .values(
                    model=conversation.model,
                    server=conversation.server,
                    system=conversation.system,
                    options=json.dumps(conversation.options),
                    keep_alive=_keep_alive_text(conversation.keep_alive),
                    think=_think_text(conversation.think),
                    tools=_tools_text(conversation),
                    format=_format_text(conversation.format),
                )
            )

    def rename(self, conversation_id: int, title: str) -> None:
        title = " ".join(title.split())
        if not title:
            raise ValueError(t("privacy.empty_title"))
        with self._transaction() as db:
            db.execute(
                sa.update(CONVERSATIONS).where(CONVERSATIONS.c.id == conversation_id, self._mine()).values(title=title)
            )

    def delete(self, conversation_id: int) -> None:
        with self._transaction() as db:
            db.execute(sa.delete(CONVERSATIONS).where(CONVERSATIONS.c.id == conversation_id, self._mine()))

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
            return int(
                db.execute(
                    sa.update(CONVERSATIONS).where(CONVERSATIONS.c.owner == former_owner).values(owner=self.owner)
                ).rowcount
            )

    def summaries(self, search: str = "", limit: int = 200) -> list[Summary]:
        """Newest first; ``search`` matches the title or any message's text, case-insensitively."""
        count = (
            sa.select(sa.func.count())
            .select_from(MESSAGES)
            .where(MESSAGES.c.conversation_id == CONVERSATIONS.c.id)
            .scalar_subquery()
        )
        query = sa.select(
            CONVERSATIONS.c.id,
            CONVERSATIONS.c.title,
            CONVERSATIONS.c.model,
            CONVERSATIONS.c.server,
            CONVERSATIONS.c.updated_at,
            count.label("messages"),
        ).where(self._mine())
        if search.strip():
            pattern = "%" + _escape_like(search.strip()) + "%"
            query = query.where(
                sa.or_(
                    CONVERSATIONS.c.title.ilike(pattern, escape="\\"),
                    sa.exists().where(
                        MESSAGES.c.conversation_id == CONVERSATIONS.c.id,
                        MESSAGES.c.content.ilike(pattern, escape="\\"),
                    ),
                )
            )
        query = query.order_by(CONVERSATIONS.c.updated_at.desc(), CONVERSATIONS.c.id.desc()).limit(limit)
        with self._transaction(write=False) as db:
            rows = db.execute(query).all()
        return [
            Summary(
                row.id,
                validation.stored_text(row.title),
                validation.stored_text(row.model),
                validation.stored_number(row.updated_at),
                row.messages,
                validation.stored_text(row.server),
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
        with self._transaction() as db:
            mine = db.scalar(sa.select(CONVERSATIONS.c.id).where(CONVERSATIONS.c.id == conversation_id, self._mine()))
            if mine is None:
                raise NotFound(conversation_id)
            if message.role == ASSISTANT:
                last = db.scalar(
                    sa.select(MESSAGES.c.role)
                    .where(MESSAGES.c.conversation_id == conversation_id)
                    .order_by(MESSAGES.c.id.desc())
                    .limit(1)
                )
                if last == ASSISTANT:
                    raise AnswerExists(conversation_id)
            message_id = self._insert_message(db, conversation_id, message)
            this = CONVERSATIONS.c.id == conversation_id
            if message.role == USER:
                title = title_from(message.content, len(message.images))
                db.execute(sa.update(CONVERSATIONS).where(this, CONVERSATIONS.c.title == "").values(title=title))
            db.execute(sa.update(CONVERSATIONS).where(this).values(updated_at=time.time()))
        message.id = message_id
        return message_id

    def replace_answer(self, message_id: int, message: Message) -> bool:
        """Save ``message`` over the answer ``message_id`` (an answer paused on the user's tool, gone on):
        its text, thinking, figures, status, error, rounds and format. False when that answer is gone
        (deleted meanwhile, or not this owner's)."""
        with self._transaction() as db:
            conversation_id = db.scalar(
                sa.update(MESSAGES)
                .where(
                    MESSAGES.c.id == message_id,
                    MESSAGES.c.role == ASSISTANT,
                    MESSAGES.c.conversation_id.in_(self._my_conversations()),
                )
                .values(
                    content=message.content,
                    thinking=message.thinking,
                    stats=json.dumps(message.stats.to_dict()) if message.stats else None,
                    status=message.status,
                    error=message.error,
                    model=message.model,
                    server=message.server,
                    tools=steps.to_json(message.tools) if message.tools else None,
                    format=_format_text(message.format),
                )
                .returning(MESSAGES.c.conversation_id)
            )
            if conversation_id is not None:
                db.execute(
                    sa.update(CONVERSATIONS).where(CONVERSATIONS.c.id == conversation_id).values(updated_at=time.time())
                )
        if conversation_id is None:
            return False
        message.id = message_id
        return True

    def save_rounds(self, message_id: int, rounds: list[Round]) -> bool:
        """Save the tool rounds of an answer paused for the user's results; False when it no longer waits
        (another tab gave the results and the answer went on): nothing is changed then."""
        with self._transaction() as db:
            changed = db.execute(
                sa.update(MESSAGES)
                .where(
                    MESSAGES.c.id == message_id,
                    MESSAGES.c.role == ASSISTANT,
                    MESSAGES.c.status == AWAITING,
                    MESSAGES.c.conversation_id.in_(self._my_conversations()),
                )
                .values(tools=steps.to_json(rounds) if rounds else None)
            ).rowcount
        return changed > 0

    def edit(self, message_id: int, content: str) -> None:
        """Change a message's text; a conversation named after its first question follows an edit of it
        (one the user renamed keeps its name)."""
        with self._transaction() as db:
            row = db.execute(
                sa.select(MESSAGES.c.conversation_id, MESSAGES.c.content, MESSAGES.c.role, MESSAGES.c.images).where(
                    MESSAGES.c.id == message_id, MESSAGES.c.conversation_id.in_(self._my_conversations())
                )
            ).first()
            if row is None:
                return
            db.execute(sa.update(MESSAGES).where(MESSAGES.c.id == message_id).values(content=content))
            first = db.scalar(
                sa.select(MESSAGES.c.id)
                .where(MESSAGES.c.conversation_id == row.conversation_id, MESSAGES.c.role == USER)
                .order_by(MESSAGES.c.id)
                .limit(1)
            )
            if row.role == USER and first == message_id:
                raw_images, _problem = validation.stored_json(row.images or "[]", ("images",))
                images = len(raw_images) if isinstance(raw_images, list) else 0
                db.execute(
                    sa.update(CONVERSATIONS)
                    .where(
                        CONVERSATIONS.c.id == row.conversation_id,
                        CONVERSATIONS.c.title == title_from(validation.stored_text(row.content), images),
                    )
                    .values(title=title_from(content, images))
                )

    def remove(self, message_ids: list[int]) -> None:
        if not message_ids:
            return
        with self._transaction() as db:
            db.execute(
                sa.delete(MESSAGES).where(
                    MESSAGES.c.id.in_(message_ids), MESSAGES.c.conversation_id.in_(self._my_conversations())
                )
            )

    def remove_after(self, conversation_id: int, message_id: int) -> None:
        """Delete every message that came after ``message_id`` (for edit-and-resend)."""
        with self._transaction() as db:
            db.execute(sa.delete(MESSAGES).where(self._my_messages(conversation_id), MESSAGES.c.id > message_id))

    def drop_answers_after_last_question(self, conversation_id: int) -> None:
        """Delete the answers after the conversation's last question, to answer it anew (retry, regenerate).

        An answer paused on the user's own tool stays: it goes on once they typed its result (retry and
        regenerate remove it by id).
        """
        last_question = (
            sa.select(sa.func.coalesce(sa.func.max(MESSAGES.c.id), 0))
            .where(MESSAGES.c.conversation_id == conversation_id, MESSAGES.c.role == USER)
            .scalar_subquery()
        )
        with self._transaction() as db:
            db.execute(
                sa.delete(MESSAGES).where(
                    self._my_messages(conversation_id), MESSAGES.c.id > last_question, MESSAGES.c.status != AWAITING
                )
            )

    def clear(self, conversation_id: int) -> None:
        with self._transaction() as db:
            db.execute(sa.delete(MESSAGES).where(self._my_messages(conversation_id)))

    def messages(self, conversation_id: int, last: int | None = None) -> list[Message]:
        """In order; with ``last``, only the latest ``last`` messages (long conversations)."""
        query = sa.select(MESSAGES).where(self._my_messages(conversation_id))
        with self._transaction(write=False) as db:
            if last is None:
                rows = db.execute(query.order_by(MESSAGES.c.id)).all()
            else:
                rows = list(reversed(db.execute(query.order_by(MESSAGES.c.id.desc()).limit(last)).all()))
        return [_message(row._mapping) for row in rows]

    def count(self, conversation_id: int) -> int:
        with self._transaction(write=False) as db:
            return int(
                db.scalar(sa.select(sa.func.count()).select_from(MESSAGES).where(self._my_messages(conversation_id)))
                or 0
            )

    def import_conversation(self, conversation: Conversation, messages: list[Message]) -> int:
        """Add a whole conversation in one transaction: all of it is saved, or none."""
        with self._transaction() as db:
            conversation_id = self._insert_conversation(db, conversation)
            for message in messages:
                self._insert_message(db, conversation_id, message)
        return conversation_id

    def _insert_conversation(self, db: Connection, conversation: Conversation) -> int:
        values = {
            "owner": self.owner,
            "title": conversation.title,
            "model": conversation.model,
            "system": conversation.system,
            "options": json.dumps(conversation.options),
            "keep_alive": _keep_alive_text(conversation.keep_alive),
            "think": _think_text(conversation.think),
            "created_at": conversation.created_at,
            "updated_at": conversation.updated_at,
            "tools": _tools_text(conversation),
            "format": _format_text(conversation.format),
            "server": conversation.server,
        }
        return int(db.execute(sa.insert(CONVERSATIONS).values(values).returning(CONVERSATIONS.c.id)).scalar_one())

    @staticmethod
    def _insert_message(db: Connection, conversation_id: int, message: Message) -> int:
        if message.role not in (USER, ASSISTANT):
            raise ValueError(f"Unknown message role {message.role!r}.")
        values = {
            "conversation_id": conversation_id,
            "role": message.role,
            "content": message.content,
            "thinking": message.thinking,
            "images": json.dumps(message.images),
            "stats": json.dumps(message.stats.to_dict()) if message.stats else None,
            "status": message.status,
            "error": message.error,
            "model": message.model,
            "created_at": message.created_at,
            "grounding": sources.to_json(message.grounding) if message.grounding is not None else None,
            "tools": steps.to_json(message.tools) if message.tools else None,
            "format": _format_text(message.format),
            "server": message.server,
        }
        return int(db.execute(sa.insert(MESSAGES).values(values).returning(MESSAGES.c.id)).scalar_one())


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _keep_alive_text(value: str | int | None) -> str | None:
    return None if value is None else json.dumps(value)


def _think_text(value: Think | None) -> str:
    """A level by its name, on or off as "1" or "0" (the 1 and 0 versions before 4 wrote, as text)."""
    return value if isinstance(value, str) and value in thinking.LEVELS else str(int(bool(value)))


def _tools_text(conversation: Conversation) -> str | None:
    return json.dumps(conversation.tools.to_data(), ensure_ascii=False) if conversation.tools else None


def _format_text(value: Format) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _conversation(row: sa.RowMapping) -> Conversation:
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


def _message(row: sa.RowMapping) -> Message:
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
