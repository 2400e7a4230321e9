"""The conversation store, on SQLite and on PostgreSQL: round trips, search, windows, two writers at once; a chats
file of the SQLite-only app upgraded in place without loss."""

from __future__ import annotations

import copy
import math
import shutil
import sqlite3
import threading
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from lib.chat.history import ASSISTANT, AWAITING, DONE, STOPPED, USER, Conversation, Message
from lib.chat.store import SCHEMA_VERSION, AnswerExists, ChatStore, StoreFailed, data_dir
from lib.ollama.stats import RunStats
from lib.tools import registry
from lib.tools.choice import ToolChoice
from lib.tools.refusal import Refusal
from lib.tools.steps import MAX_STEPS, Round, Step
from tests.storage import make_fixtures
from tests.storage.backends import POSTGRESQL, Backend
from tests.storage.schema import differences

FIXTURE = Path(__file__).parents[1] / "storage" / "fixtures" / "v_current" / "chats.sqlite3"


@pytest.fixture
def store(backend: Backend) -> ChatStore:
    """A store without owner on the test's database (SQLite in the data folder, or PostgreSQL)."""
    return ChatStore()


@pytest.fixture
def sqlite_store(tmp_path) -> ChatStore:
    """For what only SQLite can hold or do: any type in any column, triggers in SQL, PRAGMAs."""
    return ChatStore(tmp_path / "chats.sqlite3")


def test_data_dir_comes_from_the_environment_or_the_home(monkeypatch, tmp_path):
    monkeypatch.setenv("OLLAMA_STUDIO_DATA_DIR", str(tmp_path / "data"))
    assert data_dir() == tmp_path / "data"
    monkeypatch.delenv("OLLAMA_STUDIO_DATA_DIR")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert data_dir() == tmp_path / ".ollama-studio"


def test_database_is_in_wal_mode_in_the_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("OLLAMA_STUDIO_DATA_DIR", str(tmp_path / "nested" / "dir"))
    store = ChatStore()
    store.create(Conversation(model="m"))
    assert store.path == tmp_path / "nested" / "dir" / "chats.sqlite3"
    with sqlite3.connect(store.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_conversation_settings_and_messages_round_trip(store):
    conversation_id = store.create(
        Conversation(
            model="llama3.2:latest",
            system="Be brief.",
            options={"temperature": 0.2, "stop": ["END"]},
            keep_alive="10m",
            think=True,
        )
    )
    store.add(conversation_id, Message(USER, "Why is the sky blue?", images=["iVBORw0KGgo="]))
    answer = Message(
        ASSISTANT,
        "Rayleigh scattering.",
        thinking="physics",
        status=STOPPED,
        model="llama3.2:latest",
        stats=RunStats(time_to_first_token=0.5, output_tokens=3, output_tokens_per_second=30.0, load_time=1.25),
    )
    store.add(conversation_id, answer)
    conversation = store.get(conversation_id)
    assert (conversation.title, conversation.model, conversation.system) == (
        "Why is the sky blue?",
        "llama3.2:latest",
        "Be brief.",
    )
    assert (conversation.options, conversation.keep_alive, conversation.think) == (
        {"temperature": 0.2, "stop": ["END"]},
        "10m",
        True,
    )
    user, saved = store.messages(conversation_id)
    assert user.images == ["iVBORw0KGgo="] and user.role == USER
    assert (saved.content, saved.thinking, saved.status, saved.stats, saved.id) == (
        "Rayleigh scattering.",
        "physics",
        STOPPED,
        answer.stats,
        answer.id,
    )


def test_title_comes_from_the_first_user_message_only_and_can_be_renamed(store):
    conversation_id = store.create(Conversation())
    store.add(conversation_id, Message(USER, "first question"))
    store.add(conversation_id, Message(USER, "second question"))
    assert store.get(conversation_id).title == "first question"
    store.rename(conversation_id, "  My   chat ")
    assert store.get(conversation_id).title == "My chat"
    with pytest.raises(ValueError):
        store.rename(conversation_id, "   ")


def test_settings_update_keeps_title_and_messages(store):
    conversation_id = store.create(Conversation(model="a"))
    store.add(conversation_id, Message(USER, "hello"))
    conversation = store.get(conversation_id)
    conversation.model, conversation.system, conversation.keep_alive = "b", "sys", 300
    store.save_settings(conversation)
    again = store.get(conversation_id)
    assert (again.model, again.system, again.keep_alive, again.title) == ("b", "sys", 300, "hello")
    assert store.count(conversation_id) == 1


def test_search_matches_titles_and_message_text_case_insensitively(store):
    cooking = store.create(Conversation())
    store.add(cooking, Message(USER, "How long to boil an egg?"))
    store.add(cooking, Message(ASSISTANT, "About 7 minutes for a Jammy yolk."))
    maths = store.create(Conversation())
    store.add(maths, Message(USER, "What is 50% of 80?"))
    assert [s.id for s in store.summaries()] == [maths, cooking]
    assert [s.id for s in store.summaries("jammy")] == [cooking]
    assert [s.id for s in store.summaries("EGG")] == [cooking]
    assert [s.id for s in store.summaries("50%")] == [maths]
    assert [s.id for s in store.summaries("5_%")] == []
    assert store.summaries("nothing like this") == []
    assert store.summaries()[0].messages == 1


def test_delete_removes_the_conversation_and_its_messages(store):
    conversation_id = store.create(Conversation())
    store.add(conversation_id, Message(USER, "bye"))
    store.delete(conversation_id)
    assert store.get(conversation_id) is None
    assert store.messages(conversation_id) == []


def test_latest_window_remove_after_and_clear(store):
    conversation_id = store.create(Conversation())
    ids = [store.add(conversation_id, Message(USER if n % 2 == 0 else ASSISTANT, str(n))) for n in range(10)]
    assert [m.content for m in store.messages(conversation_id, last=3)] == ["7", "8", "9"]
    store.remove([ids[0], ids[1]])
    assert store.count(conversation_id) == 8
    store.edit(ids[6], "six, edited")
    store.remove_after(conversation_id, ids[6])
    assert [m.content for m in store.messages(conversation_id)][-1] == "six, edited"
    store.clear(conversation_id)
    assert store.count(conversation_id) == 0


def test_import_is_all_or_nothing(store):
    with pytest.raises(ValueError):
        store.import_conversation(Conversation(title="t"), [Message(USER, "ok"), Message("tool", "bad role")])
    assert store.summaries() == []
    conversation_id = store.import_conversation(Conversation(title="t"), [Message(USER, "ok")])
    assert store.count(conversation_id) == 1


def test_two_sessions_writing_at_once_lose_nothing(backend):
    """Two threads, each with its own store object, append to their own and to a shared conversation."""
    shared = ChatStore().create(Conversation())
    errors: list[BaseException] = []

    def session(name: str) -> None:
        store = ChatStore()
        own = store.create(Conversation())
        try:
            for n in range(40):
                store.add(own, Message(USER, f"{name} {n}"))
                store.add(shared, Message(USER, f"{name} shared {n}"))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=session, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    store = ChatStore()
    assert store.count(shared) == 80
    assert sorted(s.messages for s in store.summaries()) == [40, 40, 80]
    if store.path is not None:
        with sqlite3.connect(store.path) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.parametrize(
    "how", ["ABORT", "ROLLBACK"]
)  # ROLLBACK: SQLite ends the transaction itself, as on a full disk
def test_a_database_error_is_a_store_failure_that_names_it_and_other_errors_pass_unchanged(sqlite_store, how):
    store = sqlite_store
    conversation_id = store.create(Conversation(model="m"))
    with closing(sqlite3.connect(store.path)) as db, db:
        db.execute(
            f"CREATE TRIGGER full BEFORE INSERT ON messages BEGIN SELECT RAISE({how}, 'database or disk is full'); END"
        )
    with pytest.raises(StoreFailed, match=r"\(database or disk is full\)"):
        store.add(conversation_id, Message(USER, "hello"))
    with pytest.raises(ValueError):
        store.rename(conversation_id, "   ")
    assert store.get(conversation_id).model == "m"  # the store still works


def test_a_database_error_on_postgresql_is_a_store_failure_that_names_it(postgres_url, monkeypatch):
    monkeypatch.setenv("OLLAMA_STUDIO_DATABASE_URL", postgres_url)
    store = ChatStore()
    conversation_id = store.create(Conversation(model="m"))
    Backend(POSTGRESQL, postgres_url).execute(
        ChatStore,
        "CREATE FUNCTION full_disk() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'database or disk is full'; END $$ "
        "LANGUAGE plpgsql; CREATE TRIGGER refuse BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION full_disk()",
    )
    with pytest.raises(StoreFailed, match=r"\(database or disk is full"):
        store.add(conversation_id, Message(USER, "hello"))
    assert store.count(conversation_id) == 0
    assert store.get(conversation_id).model == "m"  # the store still works


# What was written into the database by older code or by hand: read, never a failure


def write(backend: Backend, sql: str, **values: Any) -> None:
    backend.execute(ChatStore, sql, **values)


def test_saved_settings_that_cannot_be_used_are_left_out_and_named(store, backend):
    conversation_id = store.create(Conversation(model="m", options={"seed": 1}))
    write(
        backend,
        "UPDATE conversations SET options = :options, keep_alive = :keep_alive WHERE id = :id",
        options='{"seed": 7, "temperature": "hot", "stop": [1]}',
        keep_alive='"soon"',
        id=conversation_id,
    )
    conversation = store.get(conversation_id)
    assert (conversation.options, conversation.keep_alive) == ({"seed": 7}, None)
    assert [(problem.where, problem.key) for problem in conversation.damaged] == [
        (("options", "temperature"), "chat_import.must_be_number"),
        (("options", "stop", 0), "chat_import.must_be_text"),
        (("keep_alive",), "chat_import.bad_keep_alive"),
    ]
    write(backend, "UPDATE conversations SET options = '{oops', keep_alive = '[' WHERE id = :id", id=conversation_id)
    conversation = store.get(conversation_id)
    assert (conversation.options, conversation.keep_alive) == ({}, None)
    assert [problem.where for problem in conversation.damaged] == [("options",), ("keep_alive",)]


def test_a_sound_chat_reads_with_nothing_damaged(store):
    conversation_id = store.create(Conversation(model="m", options={"temperature": 0.5, "stop": ["x"]}, keep_alive=-1))
    store.add(conversation_id, Message(ASSISTANT, "a", stats=RunStats(output_tokens=2)))
    assert store.get(conversation_id).damaged == []
    assert store.messages(conversation_id)[0].damaged == []


def test_saved_messages_keep_what_can_be_read(store, backend):
    conversation_id = store.create(Conversation(model="m"))
    message_id = store.add(conversation_id, Message(ASSISTANT, "answer", stats=RunStats(output_tokens=2)))
    write(
        backend,
        "UPDATE messages SET images = :images, stats = :stats, status = 'odd' WHERE id = :id",
        images='["a", 5]',
        stats='{"output_tokens": 2, "load_time": "slow"}',
        id=message_id,
    )
    (message,) = store.messages(conversation_id)
    assert (message.content, message.images, message.stats, message.status) == (
        "answer",
        ["a"],
        RunStats(output_tokens=2),
        "done",
    )
    assert [problem.where for problem in message.damaged] == [("images", 1), ("stats", "load_time"), ("status",)]
    write(backend, "UPDATE messages SET images = 'nope', stats = '[' WHERE id = :id", id=message_id)
    (message,) = store.messages(conversation_id)
    assert (message.images, message.stats) == ([], None)
    assert [problem.where for problem in message.damaged] == [("images",), ("stats",), ("status",)]


def sqlite_write(store: ChatStore, sql: str, *parameters: object) -> None:
    with closing(sqlite3.connect(store.path)) as db, db:
        db.execute(sql, parameters)


def test_a_time_that_is_not_a_number_reads_as_none(sqlite_store):  # SQLite only: PostgreSQL keeps numbers there
    conversation_id = sqlite_store.create(Conversation(model="m"))
    sqlite_store.add(conversation_id, Message(ASSISTANT, "answer"))
    sqlite_write(sqlite_store, "UPDATE messages SET created_at = 'soon'")
    assert math.isnan(sqlite_store.messages(conversation_id)[0].created_at)


def test_text_that_is_not_utf8_or_not_text_is_read_with_replacement_characters(sqlite_store):
    store, write = sqlite_store, sqlite_write
    conversation_id = store.create(Conversation(title="t", model="m"))
    store.add(conversation_id, Message(USER, "question"))
    write(
        store,
        "UPDATE conversations SET title = CAST(X'4869FF' AS TEXT), model = X'6D', updated_at = 'later' WHERE id = ?",
        conversation_id,
    )
    write(
        store,
        "UPDATE messages SET content = CAST(X'C3A9FE' AS TEXT), thinking = 42 WHERE conversation_id = ?",
        conversation_id,
    )
    conversation = store.get(conversation_id)
    assert (conversation.title, conversation.model) == ("Hi\ufffd", "m")
    assert math.isnan(conversation.updated_at)
    (summary,) = store.summaries()
    assert (summary.title, summary.model) == ("Hi\ufffd", "m") and math.isnan(summary.updated_at)
    (message,) = store.messages(conversation_id)
    assert (message.content, message.thinking) == ("é\ufffd", "42")
    assert store.summaries("é")[0].id == conversation_id


def test_an_edit_of_the_first_question_renames_a_chat_named_after_it_but_not_one_the_user_renamed(store):
    conversation_id = store.create(Conversation(model="m"))
    first = store.add(conversation_id, Message(USER, "Tell me about owls"))
    second = store.add(conversation_id, Message(USER, "And hawks?"))
    store.edit(first, "Tell me about eagles")
    assert store.get(conversation_id).title == "Tell me about eagles"
    store.edit(second, "And falcons?")
    assert store.get(conversation_id).title == "Tell me about eagles"
    store.rename(conversation_id, "Birds")
    store.edit(first, "Tell me about geese")
    assert store.get(conversation_id).title == "Birds"


def test_an_answer_right_after_an_answer_is_refused_and_a_question_can_be_answered_anew(store):
    conversation_id = store.create(Conversation(model="m"))
    store.add(conversation_id, Message(USER, "Q1"))
    store.add(conversation_id, Message(ASSISTANT, "A1"))
    with pytest.raises(AnswerExists):
        store.add(conversation_id, Message(ASSISTANT, "A1 again"))
    store.add(conversation_id, Message(USER, "Q2"))
    store.add(conversation_id, Message(ASSISTANT, "A2"))
    store.drop_answers_after_last_question(conversation_id)
    assert [m.content for m in store.messages(conversation_id)] == ["Q1", "A1", "Q2"]
    store.drop_answers_after_last_question(conversation_id)  # nothing after the last question: nothing goes
    assert len(store.messages(conversation_id)) == 3


# Version 4: tools, format and think levels (issue 22)

# The schema of version 3 as lib/chat/store.py created it before tools, with rows as that code wrote them.
VERSION_3 = """
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
    created_at REAL NOT NULL, grounding TEXT);
CREATE INDEX messages_by_conversation ON messages (conversation_id, id);
CREATE INDEX conversations_by_update ON conversations (updated_at);
CREATE INDEX conversations_by_owner ON conversations (owner, updated_at);
INSERT INTO conversations (owner, title, model, options, think, created_at, updated_at)
    VALUES (NULL, 'Old chat', 'qwen3:0.6b', '{"temperature": 0.5}', 1, 1, 1);
INSERT INTO messages (conversation_id, role, content, created_at) VALUES (1, 'user', 'old question', 1);
INSERT INTO messages (conversation_id, role, content, thinking, created_at)
    VALUES (1, 'assistant', 'old answer', 'hm', 2);
PRAGMA user_version = 3;
"""

ROUNDS = [
    Round(
        thinking="Let me compute.",
        steps=[
            Step("calculator", {"expression": "6*7"}, result="42"),
            Step("calculator", ["bad"], result="No.", refusal=Refusal("tools.arguments_not_object")),
        ],
    )
]
SCHEMA = {"type": "object", "properties": {"answer": {"type": "integer"}}, "required": ["answer"]}
CHOICE = ToolChoice(enabled=("calculator", "current_time"))


def test_a_version_3_database_is_migrated_with_no_tools_no_format_and_its_think_kept(tmp_path):
    path = tmp_path / "chats.sqlite3"
    with closing(sqlite3.connect(path)) as db, db:
        db.executescript(VERSION_3)
    store = ChatStore(path)
    conversation = store.get(1)
    assert (conversation.think, conversation.tools, conversation.format, conversation.damaged) == (
        True,
        ToolChoice(),
        None,
        [],
    )
    assert [(m.content, m.tools, m.format) for m in store.messages(1)] == [
        ("old question", [], None),
        ("old answer", [], None),
    ]
    conversation.think, conversation.tools, conversation.format = "high", CHOICE, SCHEMA
    store.save_settings(conversation)
    store.add(1, Message(USER, "new"))
    store.add(1, Message(ASSISTANT, "The answer is 42.", tools=ROUNDS, format=SCHEMA))
    again = store.get(1)
    assert (again.think, again.tools, again.format) == ("high", CHOICE, SCHEMA)
    assert store.messages(1)[-1].tools == ROUNDS
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 5


@pytest.mark.parametrize("think", [False, True, "low", "medium", "high", "max"])
def test_think_levels_and_booleans_round_trip(store, think):
    conversation_id = store.create(Conversation(think=think, tools=CHOICE, format="json"))
    saved = store.get(conversation_id)
    assert (saved.think, saved.tools, saved.format) == (think, CHOICE, "json")


def test_an_answer_paused_on_the_users_tool_is_given_its_result_and_replaced_when_it_goes_on(store):
    conversation_id = store.create(Conversation())
    store.add(conversation_id, Message(USER, "Weather?"))
    paused = [Round(steps=[Step("get_weather", {"city": "Paris"}, custom=True)])]
    answer_id = store.add(conversation_id, Message(ASSISTANT, "", status=AWAITING, tools=paused))
    store.drop_answers_after_last_question(conversation_id)  # what Retry's race guard runs: the paused answer stays
    assert store.messages(conversation_id)[-1].status == AWAITING
    paused[0].steps[0].result = "Sunny, 24 °C"
    store.save_rounds(answer_id, paused)
    assert store.messages(conversation_id)[-1].tools == paused
    assert store.replace_answer(answer_id, Message(ASSISTANT, "It is sunny.", tools=paused))
    assert [(m.content, m.status, m.tools) for m in store.messages(conversation_id)] == [
        ("Weather?", DONE, []),
        ("It is sunny.", DONE, paused),
    ]
    store.remove([answer_id])
    assert not store.replace_answer(answer_id, Message(ASSISTANT, "late"))


@pytest.mark.parametrize(
    ("column", "value"),
    [("tools", "not json"), ("tools", '["format_disk"]'), ("format", "[1]"), ("format", "{oops")],
)
def test_saved_settings_that_cannot_be_read_are_left_out_and_named(store, backend, column, value):
    conversation_id = store.create(Conversation(tools=CHOICE, format="json"))
    write(backend, f"UPDATE conversations SET {column} = :value", value=value)
    saved = store.get(conversation_id)
    assert saved.damaged and saved.damaged[0].where[0] == column
    assert (saved.tools if column == "tools" else saved.format) in (ToolChoice(), None)


def test_saved_rounds_that_cannot_be_read_are_left_out_and_named(store, backend):
    conversation_id = store.create(Conversation())
    store.add(conversation_id, Message(USER, "Q"))
    store.add(conversation_id, Message(ASSISTANT, "A", tools=ROUNDS))
    write(backend, "UPDATE messages SET tools = '[{\"steps\": 5}]' WHERE role = 'assistant'")
    answer = store.messages(conversation_id)[-1]
    assert (answer.content, answer.tools) == ("A", [])
    assert answer.damaged[0].where == ("tools", 0, "steps")


def test_a_round_of_sixty_calls_and_huge_arguments_is_saved_as_it_reads_back(store):
    conversation_id = store.create(Conversation(model="m"))
    store.add(conversation_id, Message(USER, "q"))
    calls = [{"function": {"name": "calculator", "arguments": {"expression": f"{n}+1"}}} for n in range(60)]
    calls.append({"function": {"name": "calculator", "arguments": {"expression": "1+" * 60_000 + "1"}}})
    choice = ToolChoice(("calculator",))
    current = Round("", "", [registry.run_call(call, choice, registry.Context()) for call in calls[-1:]])
    current.steps += [registry.run_call(call, choice, registry.Context()) for call in calls[: registry.MAX_CALLS - 1]]
    current.steps += registry.too_many(calls)
    store.add(
        conversation_id, Message(ASSISTANT, "done", model="m", tools=[current, Round("", "", registry.not_run(calls))])
    )
    saved = store.messages(conversation_id)[-1]
    assert saved.damaged == []
    assert [len(each.steps) for each in saved.tools] == [MAX_STEPS, MAX_STEPS]


def test_results_given_for_an_answer_that_went_on_in_another_tab_change_nothing(store):
    conversation_id = store.create(Conversation(model="m"))
    store.add(conversation_id, Message(USER, "weather?"))
    asked = [Round("", "", [Step("get_weather", {"city": "Paris"}, custom=True)])]
    paused = Message(ASSISTANT, "", status=AWAITING, model="m", tools=asked)
    store.add(conversation_id, paused)
    other_tab = copy.deepcopy(store.messages(conversation_id)[-1])
    went_on = [
        Round("", "", [Step("get_weather", {"city": "Paris"}, result="Sunny", custom=True)]),
        Round("", "", [Step("calculator", {"expression": "24*9/5+32"}, result="75.2")]),
    ]
    done = Message(ASSISTANT, "Sunny, 75.2 °F", status=DONE, model="m", tools=went_on)
    assert store.replace_answer(paused.id, done)
    other_tab.tools[0].steps[0].result = "Rainy"
    assert store.save_rounds(other_tab.id, other_tab.tools) is False
    assert store.messages(conversation_id)[-1].tools == went_on


def test_a_version_4_database_gains_servers_and_keeps_everything(tmp_path):
    """Chats and answers saved before servers were kept read back with no server (""), and new ones keep theirs."""
    path = tmp_path / "chats.sqlite3"
    shutil.copy(FIXTURE, path)  # a file of the SQLite-only app, made version 4 again: no server columns
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("ALTER TABLE conversations DROP COLUMN server")
        db.execute("ALTER TABLE messages DROP COLUMN server")
        db.execute("PRAGMA user_version = 4")
    store = ChatStore(path)
    old = 3  # the fixture's chat from before owners
    assert store.get(old).server == ""
    assert [(m.content, m.server) for m in store.messages(old)] == [("Old question", ""), ("Old answer", "")]
    new = store.create(Conversation(title="New", model="qwen3:0.6b", server="http://gpu:11434"))
    answer = Message("assistant", "Hey", model="qwen3:0.6b", server="http://gpu:11434")
    store.add(new, Message("user", "Hey?"))
    store.add(new, answer)
    assert store.get(new).server == "http://gpu:11434"
    assert store.messages(new)[-1].server == "http://gpu:11434"
    moved = store.get(new)
    moved.server = "http://laptop:11434"
    store.save_settings(moved)
    assert store.get(new).server == "http://laptop:11434"
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 5
    assert differences(store) == []


# The shared database (issue 23): the same tables on SQLite and PostgreSQL, an old file upgraded without loss


def column_names(path: Path, table: str) -> list[str]:
    """``table``'s columns by name (an upgrade that copies a table may put them in another order)."""
    with closing(sqlite3.connect(path)) as db:
        return sorted(row[1] for row in db.execute(f"PRAGMA table_info({table})"))


def raw_rows(path: Path, table: str) -> list[tuple[Any, ...]]:
    """Every column of every row of ``table``, the columns in :func:`column_names`'s order."""
    with closing(sqlite3.connect(path)) as db:
        return db.execute(f"SELECT {', '.join(column_names(path, table))} FROM {table} ORDER BY id").fetchall()


def test_chats_of_the_sqlite_only_app_are_upgraded_in_place_without_loss(tmp_path):
    path = tmp_path / "chats.sqlite3"  # the same file name as ever, in the data folder (the test's)
    shutil.copy(FIXTURE, path)
    conversations, messages = raw_rows(path, "conversations"), raw_rows(path, "messages")
    think = column_names(path, "conversations").index("think")

    alice = ChatStore(owner=make_fixtures.ALICE)
    (summary,) = alice.summaries()
    assert (summary.title, summary.model, summary.server, summary.messages) == (
        "Weather and sums",
        "qwen3:0.6b",
        make_fixtures.SERVER,
        4,
    )
    chat = alice.get(summary.id)
    assert (chat.server, chat.think, chat.format, chat.keep_alive, chat.damaged) == (
        make_fixtures.SERVER,
        "high",
        make_fixtures.SCHEMA,
        "30m",
        [],
    )
    assert chat.tools == ToolChoice(("calculator", "current_time"), (make_fixtures.CUSTOM_TOOL,))
    question, answer, _, paused = alice.messages(summary.id)
    assert (question.images, answer.stats, answer.server, paused.status) == (
        [make_fixtures.IMAGE],
        make_fixtures.STATS,
        make_fixtures.SERVER,
        AWAITING,
    )
    assert answer.grounding is not None and answer.grounding.sources[0].document == "guide.pdf"
    assert [step.result for step in answer.tools[0].steps] == ["42", "No."]
    (browsers,) = ChatStore(owner=make_fixtures.BROWSER).summaries()
    assert ChatStore(owner=make_fixtures.BROWSER).get(browsers.id).think is True
    assert [s.title for s in ChatStore(owner="browser:x", with_unowned=True).summaries()] == ["From before owners"]
    assert ChatStore().get(3).think is False

    # Every column of every row as it was; think only turned from INTEGER 0/1 into the text "0"/"1" (revision 2).
    assert raw_rows(path, "messages") == messages
    as_text = [(*row[:think], str(row[think]), *row[think + 1 :]) for row in conversations]
    assert raw_rows(path, "conversations") == as_text
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT version_num FROM alembic_version_chats").fetchall() == [("chats_0002",)]
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert differences(ChatStore()) == []
    new = alice.create(Conversation(model="m"))  # and it takes new chats, with ids after the old ones
    assert new == 4 and alice.add(new, Message(USER, "new")) == 9


def test_an_upgrade_gives_no_id_of_a_deleted_chat_again(tmp_path):
    """Revision 2 copies the conversations table on SQLite: the copy keeps the count of ids ever used."""
    path = tmp_path / "chats.sqlite3"
    shutil.copy(FIXTURE, path)
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("DELETE FROM conversations WHERE id = 3")
    assert ChatStore().create(Conversation()) == 4


def test_the_database_equals_the_declared_tables(store):
    assert differences(store) == []


def test_think_is_kept_as_text_on_both_databases(store, backend):
    ids = [store.create(Conversation(think=think)) for think in (False, True, "medium")]
    rows = backend.execute(ChatStore, "SELECT think FROM conversations ORDER BY id")
    assert [row[0] for row in rows] == ["0", "1", "medium"]
    assert [store.get(conversation_id).think for conversation_id in ids] == [False, True, "medium"]


def test_the_chat_list_names_each_chats_server(store):
    old = store.create(Conversation(title="old"))
    gpu = store.create(Conversation(title="gpu", server="http://gpu:11434"))
    assert {summary.id: summary.server for summary in store.summaries()} == {old: "", gpu: "http://gpu:11434"}
    moved = store.get(gpu)
    moved.server = "http://laptop:11434"
    store.save_settings(moved)
    assert store.summaries("gpu")[0].server == "http://laptop:11434"


def test_a_nul_character_in_an_answer_does_not_lose_it(store, backend):
    """PostgreSQL's text cannot hold U+0000: it is saved as U+FFFD there, and the answer with it."""
    conversation_id = store.create(Conversation(title="a\x00b"))
    store.add(conversation_id, Message(USER, "q\x00"))
    store.add(conversation_id, Message(ASSISTANT, "one\x00two", thinking="\x00", error="e\x00"))
    kept = "\x00" if backend.name != POSTGRESQL else "\ufffd"
    answer = store.messages(conversation_id)[-1]
    assert (answer.content, answer.thinking, answer.error) == (f"one{kept}two", kept, f"e{kept}")
    assert store.get(conversation_id).title == f"a{kept}b"
    assert [s.id for s in store.summaries("one")] == [conversation_id]
