"""The grounding saved with an answer (lib/chat/sources.py): round trips through the chat store, survives
older databases, and a damaged record is read as far as it goes."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing

import pytest

from lib.chat import sources
from lib.chat.history import ASSISTANT, USER, Conversation, Message
from lib.chat.sources import Grounding, Source, Unsearched
from lib.chat.store import SCHEMA_VERSION, ChatStore
from lib.documents.records import Hit, Passage

GROUNDING = Grounding(
    models=("nomic-embed-text:latest",),
    sources=(
        Source(1, "handbook.pdf", "Cats purr when **content**.", 0.82, page=2, document_id=4, passage_id=17),
        Source(2, "notes.md", "<script>alert(1)</script>", 0.41, heading="Setup"),
    ),
    sent=({"role": "system", "content": "Answer from the passages."}, {"role": "user", "content": "Why?"}),
)

# The schema of version 2, as shipped before answers had sources.
VERSION_2 = """
CREATE TABLE conversations (
    id INTEGER PRIMARY KEY AUTOINCREMENT, owner TEXT, title TEXT NOT NULL DEFAULT '',
    model TEXT NOT NULL DEFAULT '', system TEXT NOT NULL DEFAULT '', options TEXT NOT NULL DEFAULT '{}',
    keep_alive TEXT, think INTEGER NOT NULL DEFAULT 0, created_at REAL NOT NULL, updated_at REAL NOT NULL);
CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('user', 'assistant')), content TEXT NOT NULL DEFAULT '',
    thinking TEXT NOT NULL DEFAULT '', images TEXT NOT NULL DEFAULT '[]', stats TEXT,
    status TEXT NOT NULL DEFAULT 'done', error TEXT NOT NULL DEFAULT '', model TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL);
INSERT INTO conversations (owner, title, created_at, updated_at) VALUES ('browser:a', 'Old chat', 1, 1);
INSERT INTO messages (conversation_id, role, content, created_at) VALUES (1, 'user', 'old question', 1);
INSERT INTO messages (conversation_id, role, content, created_at) VALUES (1, 'assistant', 'old answer', 2);
PRAGMA user_version = 2;
"""


@pytest.fixture
def store(tmp_path) -> ChatStore:
    return ChatStore(tmp_path / "chats.sqlite3")


def test_an_answers_grounding_is_saved_with_it_and_read_back_whole(store):
    conversation_id = store.create(Conversation())
    store.add(conversation_id, Message(USER, "Why?"))
    store.add(conversation_id, Message(ASSISTANT, "Because [1].", grounding=GROUNDING))
    question, answer = store.messages(conversation_id)
    assert question.grounding is None
    assert answer.grounding == GROUNDING and answer.grounding.damaged == ()


def test_a_source_is_made_from_a_hit():
    hit = Hit(Passage(3, 0, "text", page=5, heading="Intro", id=9), "a.pdf", 0.5, number=2)
    assert sources.source_of(hit) == Source(
        2, "a.pdf", "text", 0.5, page=5, heading="Intro", document_id=3, passage_id=9
    )
    unsaved = Hit(Passage(0, 0, "text"), "a.pdf", 0.5, number=1)
    assert sources.source_of(unsaved).document_id is None


def test_images_are_not_kept_twice_in_what_was_sent():
    sent = [{"role": "user", "content": "What is this?", "images": ["aGVsbG8="]}]
    assert sources.without_images(sent) == ({"role": "user", "content": "What is this?"},)
    assert sent[0]["images"] == ["aGVsbG8="]


def test_a_version_2_database_is_migrated_and_its_answers_have_no_sources(tmp_path):
    path = tmp_path / "chats.sqlite3"
    with closing(sqlite3.connect(path)) as db, db:
        db.executescript(VERSION_2)
    store = ChatStore(path)
    assert [(m.content, m.grounding) for m in store.messages(1)] == [("old question", None), ("old answer", None)]
    store.add(1, Message(USER, "new"))
    store.add(1, Message(ASSISTANT, "grounded", grounding=GROUNDING))
    assert store.messages(1)[-1].grounding == GROUNDING
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


@pytest.mark.parametrize(
    ("saved", "problems"),
    [
        ("not json", 1),
        ("[1, 2]", 1),
        (json.dumps({"models": "m", "sources": [], "sent": []}), 1),
        (json.dumps({"models": [], "sources": [{"number": "1"}, 5], "sent": []}), 2),
        (json.dumps({"models": [], "sources": [], "sent": "everything"}), 1),
        (
            json.dumps(
                {"models": [], "sources": [{"number": 1, "document": "d", "text": "t", "score": "NaN"}], "sent": []}
            ),
            1,
        ),
    ],
)
def test_a_damaged_record_is_read_as_far_as_it_goes(store, saved, problems):
    conversation_id = store.create(Conversation())
    store.add(conversation_id, Message(USER, "q"))
    answer_id = store.add(conversation_id, Message(ASSISTANT, "a"))
    with closing(sqlite3.connect(store.path)) as db, db:
        db.execute("UPDATE messages SET grounding = ? WHERE id = ?", (saved, answer_id))
    grounding = store.messages(conversation_id)[-1].grounding
    assert grounding is not None and len(grounding.damaged) == problems


def test_a_source_with_odd_fields_keeps_what_is_valid():
    saved = {
        "models": ["m"],
        "sources": [
            {"number": 1, "document": "d", "text": "t", "score": 0.5, "page": "two", "document_id": True},
            {"number": True, "document": "d", "text": "t", "score": 0.5},
            {"number": 2, "document": "d", "text": "t", "score": float("inf")},
        ],
        "sent": [],
        "nothing_found": "yes",
    }
    grounding = sources.from_stored(json.dumps(saved))
    assert grounding is not None
    assert grounding.sources == (Source(1, "d", "t", 0.5),)
    assert len(grounding.damaged) == 2 and grounding.nothing_found is False


def test_the_documents_a_question_was_not_searched_in_are_saved_and_read_back():
    skipped = Unsearched("http://gpu:11434", ("bread.md", "**x**.pdf"), "errors.nothing_answers", {"host": "gpu"})
    grounding = Grounding(models=("nomic-embed-text:latest",), unsearched=(skipped,))
    assert sources.from_stored(sources.to_json(grounding)) == grounding
    assert "unsearched" not in json.loads(sources.to_json(GROUNDING))  # a record as it was without any
    damaged = json.dumps({"models": [], "sources": [], "sent": [], "unsearched": [{"server": 3}, "x"]})
    assert sources.from_stored(damaged).unsearched == ()
