"""Conversations belong to one owner: another owner can neither read nor change them."""

from __future__ import annotations

import sqlite3

import pytest

from lib.chat.history import ASSISTANT, USER, Conversation, Message
from lib.chat.store import SCHEMA_VERSION, ChatStore, NotFound

ALICE, BOB = "browser:alice", "browser:bob"

# The schema of version 1, as shipped before conversations had owners.
VERSION_1 = """
CREATE TABLE conversations (
    id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL DEFAULT '', model TEXT NOT NULL DEFAULT '',
    system TEXT NOT NULL DEFAULT '', options TEXT NOT NULL DEFAULT '{}', keep_alive TEXT,
    think INTEGER NOT NULL DEFAULT 0, created_at REAL NOT NULL, updated_at REAL NOT NULL);
CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('user', 'assistant')), content TEXT NOT NULL DEFAULT '',
    thinking TEXT NOT NULL DEFAULT '', images TEXT NOT NULL DEFAULT '[]', stats TEXT,
    status TEXT NOT NULL DEFAULT 'done', error TEXT NOT NULL DEFAULT '', model TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL);
CREATE INDEX messages_by_conversation ON messages (conversation_id, id);
CREATE INDEX conversations_by_update ON conversations (updated_at);
INSERT INTO conversations (title, model, created_at, updated_at) VALUES ('Old chat', 'llama3.2:latest', 1, 1);
INSERT INTO messages (conversation_id, role, content, created_at) VALUES (1, 'user', 'old question', 1);
INSERT INTO messages (conversation_id, role, content, created_at) VALUES (1, 'assistant', 'old answer', 2);
PRAGMA user_version = 1;
"""


@pytest.fixture
def path(tmp_path):
    return tmp_path / "chats.sqlite3"


@pytest.fixture
def bobs(path) -> tuple[ChatStore, int, list[int]]:
    """Bob's store with one conversation of two messages."""
    store = ChatStore(path, BOB)
    conversation_id = store.create(Conversation(model="llama3.2:latest"))
    ids = [
        store.add(conversation_id, Message(USER, "bob's secret question")),
        store.add(conversation_id, Message(ASSISTANT, "bob's secret answer")),
    ]
    return store, conversation_id, ids


def test_another_owner_cannot_list_find_or_read_a_conversation(path, bobs):
    store, conversation_id, _ = bobs
    alice = ChatStore(path, ALICE)
    assert alice.summaries() == []
    assert alice.summaries("secret") == []
    assert alice.get(conversation_id) is None
    assert alice.messages(conversation_id) == []
    assert alice.messages(conversation_id, last=1) == []
    assert alice.count(conversation_id) == 0
    assert [summary.id for summary in store.summaries("secret")] == [conversation_id]


def test_another_owner_cannot_change_or_delete_a_conversation_or_its_messages(path, bobs):
    store, conversation_id, (question, answer) = bobs
    alice = ChatStore(path, ALICE)
    with pytest.raises(NotFound):
        alice.add(conversation_id, Message(USER, "planted"))
    alice.rename(conversation_id, "Renamed by Alice")
    alice.save_settings(Conversation(id=conversation_id, model="qwen3:0.6b", system="planted"))
    alice.edit(question, "edited by Alice")
    alice.remove([answer])
    alice.remove_after(conversation_id, question)
    alice.clear(conversation_id)
    alice.delete(conversation_id)

    kept = store.get(conversation_id)
    assert (kept.title, kept.model, kept.system) == ("bob's secret question", "llama3.2:latest", "")
    assert [m.content for m in store.messages(conversation_id)] == ["bob's secret question", "bob's secret answer"]


def test_each_owner_sees_their_own_conversations_and_imports(path, bobs):
    _, bobs_id, _ = bobs
    alice = ChatStore(path, ALICE)
    first = alice.create(Conversation())
    alice.add(first, Message(USER, "alice asks"))
    imported = alice.import_conversation(
        Conversation(title="Imported"), [Message(USER, "hi"), Message(ASSISTANT, "hello")]
    )
    assert {summary.id for summary in alice.summaries()} == {first, imported}
    assert {summary.id for summary in ChatStore(path, BOB).summaries()} == {bobs_id}
    assert {summary.id for summary in ChatStore(path).summaries()} == {first, imported, bobs_id}


def test_a_version_1_database_is_migrated_and_its_chats_stay_with_the_single_user_install(path):
    with sqlite3.connect(path) as db:
        db.executescript(VERSION_1)

    local = ChatStore(path, ALICE, with_unowned=True)
    assert [(s.title, s.messages) for s in local.summaries()] == [("Old chat", 2)]
    assert [m.content for m in local.messages(1)] == ["old question", "old answer"]
    local.add(1, Message(USER, "a new question"))
    assert local.count(1) == 3

    public = ChatStore(path, BOB)
    assert public.summaries() == [] and public.get(1) is None and public.messages(1) == []
    with pytest.raises(NotFound):
        public.add(1, Message(USER, "planted"))

    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT owner FROM conversations").fetchall() == [(None,)]


def test_new_conversations_of_a_single_user_install_get_its_owner(path):
    local = ChatStore(path, ALICE, with_unowned=True)
    conversation_id = local.create(Conversation())
    assert ChatStore(path, ALICE).get(conversation_id) is not None
    assert ChatStore(path, BOB, with_unowned=True).get(conversation_id) is None


def test_opening_a_migrated_database_again_changes_nothing(path):
    with sqlite3.connect(path) as db:
        db.executescript(VERSION_1)
    ChatStore(path, ALICE).ready()
    ChatStore(path, BOB).ready()
    assert ChatStore(path).count(1) == 2


# A visitor who signs in takes their browser's conversations to their account


ACCOUNT = "user:https://idp.example|42"


def test_taking_over_moves_every_conversation_of_the_former_owner_with_its_messages(path, bobs):
    _, conversation_id, _ = bobs
    second = ChatStore(path, BOB).import_conversation(Conversation(title="Second"), [Message(USER, "hi")])
    account = ChatStore(path, ACCOUNT)
    assert account.take_over(BOB) == 2
    assert {summary.id for summary in account.summaries()} == {conversation_id, second}
    assert [m.content for m in account.messages(conversation_id)] == ["bob's secret question", "bob's secret answer"]
    assert ChatStore(path, BOB).summaries() == []


def test_taking_over_twice_moves_nothing_more(path, bobs):
    account = ChatStore(path, ACCOUNT)
    assert account.take_over(BOB) == 1
    assert account.take_over(BOB) == 0
    assert len(account.summaries()) == 1


def test_taking_over_leaves_other_owners_and_unowned_conversations_alone(path, bobs):
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO conversations (owner, title, created_at, updated_at) VALUES (NULL, 'Old chat', 1, 1)")
    ChatStore(path, ALICE).create(Conversation(title="Alice's"))
    ChatStore(path, ACCOUNT).create(Conversation(title="Already the account's"))

    assert ChatStore(path, ACCOUNT, with_unowned=True).take_over(BOB) == 1
    with sqlite3.connect(path) as db:
        owners = dict(db.execute("SELECT title, owner FROM conversations").fetchall())
    assert owners == {
        "bob's secret question": ACCOUNT,
        "Old chat": None,
        "Alice's": ALICE,
        "Already the account's": ACCOUNT,
    }


@pytest.mark.parametrize("former", ["", ACCOUNT])
def test_taking_over_nobody_or_oneself_moves_nothing(path, bobs, former):
    assert ChatStore(path, ACCOUNT).take_over(former) == 0
    assert {summary.title for summary in ChatStore(path).summaries()} == {"bob's secret question"}


def test_a_store_without_an_owner_cannot_take_over(path, bobs):
    with pytest.raises(ValueError):
        ChatStore(path).take_over(BOB)
    assert len(ChatStore(path, BOB).summaries()) == 1
