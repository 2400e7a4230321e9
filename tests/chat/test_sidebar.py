"""The Chat page's sidebar (lib/chat/sidebar.py): the saved chats and their search, the open chat's panel,
the places kept for a chat started in this run, and the exported files."""

from __future__ import annotations

import base64
import json
import sqlite3
import time
from contextlib import closing

import pytest
from streamlit.testing.v1 import AppTest

from lib import state
from lib.chat.export import to_json
from lib.chat.history import ASSISTANT, USER, Conversation, Message
from lib.chat.sidebar import LIST_LENGTH, export, file_name, summary_help
from lib.chat.store import ChatStore, Summary
from lib.ollama.stats import RunStats
from tests.chat.conftest import PNG_BASE64, messages, open_chat, screen, send, sidebar_view

NOV_14_2023 = 1_700_000_000.0  # 22:13 UTC


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch):
    """Dates in UTC, whatever the machine's time zone."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


# A saved chat in the list


@pytest.mark.parametrize(
    ("summary", "tooltip"),
    [
        (Summary(1, "t", "llama3.2:latest", NOV_14_2023, 1), "llama3.2:latest · 1 message · 14 Nov 2023, 22:13"),
        (Summary(1, "t", "my_model", NOV_14_2023, 1200), "my\\_model · 1,200 messages · 14 Nov 2023, 22:13"),
        (Summary(1, "t", "", NOV_14_2023, 0), "0 messages · 14 Nov 2023, 22:13"),
    ],
)
def test_a_chats_tooltip_gives_its_model_length_and_last_change(utc, summary, tooltip):
    assert summary_help(summary) == tooltip


def sidebar(store, conversation_id, starting: bool) -> None:
    import streamlit as st

    from lib.chat import sidebar

    conversation = store.get(conversation_id) if conversation_id is not None else None
    st.session_state["places"] = sidebar.draw(store, conversation, starting=starting) is not None


def open_sidebar(store: ChatStore, conversation_id: int | None = None, *, starting: bool = False, **session) -> AppTest:
    at = AppTest.from_function(sidebar, args=(store, conversation_id, starting), default_timeout=10)
    for key, value in session.items():
        at.session_state[key] = value
    return at.run()


def listed(at: AppTest) -> list[tuple[str, str]]:
    """The chat list: each entry's title and kind (the open chat is "secondary", the others "tertiary")."""
    return [(b.label, b.proto.type) for b in at.sidebar.button if b.key and b.key.startswith("chat_open_")]


def test_the_list_shows_the_newest_chat_first_and_marks_the_open_one(store):
    older = store.create(Conversation(title="Older"))
    store.create(Conversation(title="Newer"))
    at = open_sidebar(store, older)
    assert listed(at) == [("Newer", "tertiary"), ("Older", "secondary")]
    assert at.button(key="chat_new").proto.type == "secondary"
    assert [e.label for e in at.sidebar.expander] == ["This chat", "Import a chat"]
    assert at.session_state["places"] is False


def test_a_new_chat_is_the_current_one_until_its_question_starts_it(store):
    store.create(Conversation(title="Saved"))
    at = open_sidebar(store)
    assert at.button(key="chat_new").proto.type == "primary"
    assert [e.label for e in at.sidebar.expander] == ["Import a chat"]
    starting = open_sidebar(store, starting=True)
    assert starting.button(key="chat_new").proto.type == "secondary"
    assert starting.session_state["places"] is True


def kinds(at: AppTest) -> list[str]:
    """The sidebar's elements in order, by kind ("empty" for a place kept)."""
    return [str(getattr(element, "type", type(element).__name__)) for element in at.sidebar.children.values()]


def test_places_are_kept_above_the_list_and_above_the_panel_only_for_a_chat_being_started(store):
    store.create(Conversation(title="Saved"))
    assert kinds(open_sidebar(store)) == ["divider", "markdown", "button", "text_input", "button", "expander"]
    assert kinds(open_sidebar(store, starting=True)) == [
        "divider",
        "markdown",
        "button",
        "text_input",
        "empty",
        "button",
        "empty",
        "expander",
    ]


def test_a_chat_without_a_title_is_listed_as_a_new_chat_and_titles_are_not_markdown(store):
    store.create(Conversation(title=""))
    store.create(Conversation(title="**bold**"))
    assert [label for label, _ in listed(open_sidebar(store))] == ["\\*\\*bold\\*\\*", "New chat"]


def test_the_list_is_cut_to_its_length(store):
    for number in range(LIST_LENGTH + 2):
        store.create(Conversation(title=f"Chat {number}"))
    assert len(listed(open_sidebar(store))) == LIST_LENGTH


def test_search_keeps_the_chats_that_contain_the_text_and_says_when_none_does(store):
    eggs = store.create(Conversation(title="Cooking"))
    store.add(eggs, Message(USER, "How long do eggs boil?"))
    store.create(Conversation(title="Drawing"))
    at = open_sidebar(store, **{state.CHAT_SEARCH_INPUT: "EGGS"})
    assert [label for label, _ in listed(at)] == ["Cooking"]
    at.text_input(key=state.CHAT_SEARCH_INPUT).input("unicorns").run()
    assert listed(at) == [] and at.sidebar.caption[-1].value == "No chat contains that text."


def test_the_panel_asks_before_deleting_and_can_be_cancelled(store):
    conversation_id = store.create(Conversation(title="Doomed"))
    at = open_sidebar(store, conversation_id)
    assert [i.value for i in at.sidebar.text_input if i.label == "Title"] == ["Doomed"]
    at.button(key="chat_delete").click().run()
    assert at.sidebar.warning[0].value == "Delete this chat? This cannot be undone."
    assert at.button(key="chat_confirm_yes").label == "Yes, delete"
    at.button(key="chat_confirm_no").click().run()
    assert not at.sidebar.warning and store.get(conversation_id) is not None
    at.button(key="chat_clear").click().run()
    assert at.sidebar.warning[0].value == "Remove every message of this chat? This cannot be undone."
    assert at.button(key="chat_confirm_yes").label == "Yes, clear"


def started(store) -> None:
    """A new chat's sidebar, then its first question saved and shown in the places kept for it."""
    import streamlit as st

    from lib.chat import sidebar
    from lib.chat.history import Conversation

    places = sidebar.draw(store, None, starting=True)
    title = st.empty()
    title.title("Chat")
    conversation_id = store.create(Conversation(title="The first question"))
    assert places is not None
    sidebar.show_started(store, conversation_id, title, places)


def test_a_chat_started_in_this_run_is_shown_in_the_places_kept_for_it(store):
    store.create(Conversation(title="Earlier"))
    at = AppTest.from_function(started, args=(store,), default_timeout=10).run()
    assert at.title[0].value == "The first question"
    assert listed(at) == [("The first question", "secondary"), ("Earlier", "tertiary")]
    assert [e.label for e in at.sidebar.expander] == ["This chat", "Import a chat"]


def test_a_chat_started_during_a_search_gets_its_panel_but_no_list_entry(store):
    store.create(Conversation(title="Earlier"))
    at = AppTest.from_function(started, args=(store,), default_timeout=10)
    at.session_state[state.CHAT_SEARCH_INPUT] = "Earlier"
    at.run()
    assert listed(at) == [("Earlier", "tertiary")]
    assert [e.label for e in at.sidebar.expander] == ["This chat", "Import a chat"]


# Export


@pytest.mark.parametrize(
    ("title", "extension", "name"),
    [
        ("Why is the sky blue?", "json", "why-is-the-sky-blue.json"),
        ("", "md", "chat.md"),
        ("***", "md", "chat.md"),
        ("天空为什么是蓝色的", "json", "天空为什么是蓝色的.json"),
        ("x" * 50, "md", "x" * 40 + ".md"),
    ],
)
def test_an_exported_files_name_comes_from_the_title(title, extension, name):
    assert file_name(Conversation(title=title), extension) == name


def test_the_export_buttons_download_the_chat_as_json_or_markdown(store):
    conversation_id = store.create(Conversation(title="Sky", model="llama3.2:latest"))
    store.add(conversation_id, Message(USER, "Why blue?"))
    store.add(conversation_id, Message(ASSISTANT, "Scattering."))
    document = json.loads(export(store, conversation_id, "json", "en"))
    assert (document["title"], [m["content"] for m in document["messages"]]) == ("Sky", ["Why blue?", "Scattering."])
    markdown = export(store, conversation_id, "md", "zh")
    assert markdown.startswith("# Sky\n") and "## 你" in markdown and "Scattering." in markdown


def test_a_chat_deleted_before_its_download_exports_as_an_empty_chat(store):
    conversation_id = store.create(Conversation(title="Gone"))
    store.delete(conversation_id)
    document = json.loads(export(store, conversation_id, "json", "en"))
    assert (document["title"], document["messages"]) == ("", [])


# Through the page


def test_new_chat_switch_rename_delete_and_search(chat, fake, store):
    send(chat, "Cooking eggs")
    chat.button(key="chat_new").click().run()
    assert chat.chat_message.len == 0 if hasattr(chat.chat_message, "len") else len(chat.chat_message) == 0
    fake.script_reply("Use a sharp pencil.")
    send(chat, "Drawing tips")
    first, second = sorted(s.id for s in store.summaries())
    sidebar_titles = [b.label for b in chat.sidebar.button if b.key and b.key.startswith("chat_open_")]
    assert sidebar_titles == ["Drawing tips", "Cooking eggs"]

    chat.button(key=f"chat_open_{first}").click().run()
    assert messages(chat)[0] == ("user", "Cooking eggs")

    title_box = next(t for t in chat.sidebar.text_input if t.label == "Title")
    title_box.input("Breakfast").run()
    assert store.get(first).title == "Breakfast"
    assert chat.title[0].value == "Breakfast"

    chat.sidebar.text_input(key=state.CHAT_SEARCH_INPUT).input("PENCIL").run()
    assert [b.label for b in chat.sidebar.button if b.key and b.key.startswith("chat_open_")] == ["Drawing tips"]
    chat.sidebar.text_input(key=state.CHAT_SEARCH_INPUT).input("").run()

    chat.button(key="chat_delete").click().run()
    assert "cannot be undone" in chat.sidebar.warning[0].value
    chat.button(key="chat_confirm_no").click().run()
    assert store.get(first) is not None
    chat.button(key="chat_delete").click().run()
    chat.button(key="chat_confirm_yes").click().run()
    assert store.get(first) is None and store.get(second) is not None
    assert "Deleted “Breakfast”" in chat.success[0].value
    assert len(chat.chat_message) == 0


def test_export_buttons_and_import_with_a_bad_file(chat, fake, store):
    send(chat, "export me")
    labels = [b.label for b in chat.sidebar.download_button]
    assert labels == ["JSON", "Markdown"]
    uploader = chat.sidebar.file_uploader(key=state.CHAT_IMPORT_INPUT)
    uploader.upload("notes.json", b'{"hello": "world"}', "application/json").run()
    assert "was not imported" in chat.error[0].value and "not an Ollama Studio conversation" in chat.error[0].value
    assert len(store.summaries()) == 1


def test_import_opens_the_imported_chat(chat, store):

    document = to_json(
        Conversation(title="From elsewhere", model="llama3.2:latest"),
        [Message(USER, "imported question"), Message(ASSISTANT, "imported answer")],
    )
    chat.sidebar.file_uploader(key=state.CHAT_IMPORT_INPUT).upload(
        "chat.json", document.encode(), "application/json"
    ).run()
    assert "Imported “From elsewhere” (2 messages)" in chat.success[0].value
    assert messages(chat) == [("user", "imported question"), ("assistant", "imported answer")]


def test_a_new_chat_shows_its_title_list_entry_and_panel_as_the_next_run_draws_them(chat, fake):
    """The first question of a new chat names it: drawn in places kept for it, as the next run draws them."""
    fake.script_reply("First answer.")
    send(chat, "How do magnets work?")
    in_place = (chat.title[0].value, sidebar_view(chat), screen(chat))
    assert in_place[0] == "How do magnets work?"
    assert ("button", "New chat", "secondary") in in_place[1]
    assert ("button", "How do magnets work?", "secondary") in in_place[1]
    assert ("expander", "This chat") in in_place[1]
    assert in_place[2][1][:2] == ("assistant", ["First answer."])
    chat.run()
    assert (chat.title[0].value, sidebar_view(chat), screen(chat)) == in_place
    assert len(fake.requests_to("/api/chat")) == 1


# Imports that broke the Chat page (issue 17, item 6): refused with a sentence, nothing saved, the page goes on

SVG_BASE64 = base64.b64encode(b'<svg xmlns="http://www.w3.org/2000/svg"/>').decode()


def chat_file(**changes) -> str:
    document = json.loads(to_json(Conversation(title="Bad", model="llama3.2:latest"), [Message(USER, "hi")]))
    document.update(changes)
    return json.dumps(document)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (chat_file(options={"stop": [1, 2]}), "At options.stop, item 1: must be text."),
        (chat_file(options={"temperature": "hot"}), "At options.temperature: must be a number."),
        (chat_file(options={"temperature": {"x": 1}}), "At options.temperature: must be a number."),
        (
            chat_file(messages=[{"role": "user", "content": "x", "images": [SVG_BASE64]}]),
            "At message 1, image 1: is not a PNG, JPEG or WebP image.",
        ),
        (
            '{"format": "ollama-studio.conversation", "version": 1, "messages": ' + "[" * 200_000 + "]" * 200_000 + "}",
            "This file is nested too deeply to be a conversation",
        ),
        (chat_file(title="\ud800"), "At title: contains a character that is not valid Unicode"),
        (chat_file(created_at=0).replace('"created_at": 0', '"created_at": NaN'), "must be a finite number"),
        (chat_file(created_at=1e300), "At created\\_at: must be a time in seconds since 1970"),
    ],
    ids=["stop-numbers", "temperature-text", "temperature-object", "svg", "deep", "surrogate", "nan", "1e300"],
)
def test_a_file_that_broke_chat_is_refused_with_a_sentence_and_nothing_is_saved(chat, store, data, problem):
    chat.sidebar.file_uploader(key=state.CHAT_IMPORT_INPUT).upload("bad.json", data.encode(), "application/json").run()
    assert not chat.exception
    (notice,) = chat.error
    assert notice.value.startswith("“bad.json” was not imported. ") and problem in notice.value
    assert store.summaries() == []
    chat.run()
    assert not chat.exception and chat.sidebar.button(key="chat_new")


# Chats saved with data no import would let in (older code, or written into the database by hand)


def damage(store: ChatStore, table: str, row_id: int, **columns: object) -> None:
    """Write ``columns`` straight into a saved row, as another program could; a bytes value is stored as
    TEXT whose bytes are not UTF-8."""
    assignments = ", ".join(
        f"{name} = CAST(? AS TEXT)" if isinstance(value, bytes) else f"{name} = ?" for name, value in columns.items()
    )
    with closing(sqlite3.connect(store.path)) as db, db:
        db.execute(f"UPDATE {table} SET {assignments} WHERE id = ?", (*columns.values(), row_id))


def saved_chat(store: ChatStore) -> tuple[int, int, int]:
    """A saved chat, as the page would save it: the conversation's id, its question's and its answer's."""
    conversation_id = store.create(Conversation(title="Damaged", model="llama3.2:latest"))
    question = store.add(conversation_id, Message(USER, "Question", images=[PNG_BASE64]))
    answer = store.add(
        conversation_id, Message(ASSISTANT, "Answer", model="llama3.2:latest", stats=RunStats(output_tokens=4))
    )
    return conversation_id, question, answer


def delete_open_chat(at: AppTest) -> None:
    at.button(key="chat_delete").click().run()
    at.button(key="chat_confirm_yes").click().run()


def test_a_saved_chat_with_unusable_settings_opens_says_so_and_can_be_deleted(studio_env, store):
    conversation_id, _, _ = saved_chat(store)
    damage(
        store,
        "conversations",
        conversation_id,
        options=json.dumps({"stop": [1, 2], "temperature": {"x": 1}, "seed": 7, "top_p": "high"}),
        keep_alive='"soon"',
    )
    at = open_chat({"chat": str(conversation_id)})
    assert not at.exception
    assert at.title[0].value == "Damaged"
    assert messages(at) == [("user", "Question"), ("assistant", "Answer")]
    (warning,) = at.warning
    assert warning.value == (
        "Some of this chat's saved settings could not be used and are left at the model's defaults. "
        "At options.stop, item 1: must be text. (3 more problems like it.)"
    )
    assert at.number_input(key="chat_option_seed").value == 7
    assert at.number_input(key="chat_option_temperature").value is None
    delete_open_chat(at)
    assert not at.exception and store.get(conversation_id) is None
    assert "Deleted “Damaged”" in at.success[0].value


def test_a_saved_image_that_is_not_a_picture_is_a_sentence_in_its_place(studio_env, store):
    conversation_id, question, _ = saved_chat(store)
    damage(store, "messages", question, images=json.dumps([SVG_BASE64, PNG_BASE64, "not base64!"]))
    at = open_chat({"chat": str(conversation_id)})
    assert not at.exception
    (images,) = at.chat_message[0].get("image")
    assert len(images.value) == 1
    assert [c.value for c in at.chat_message[0].caption] == [
        ":material/broken_image: Part of this message could not be shown. "
        "At image 1: is not a PNG, JPEG or WebP image. (1 more problem like it.)"
    ]
    delete_open_chat(at)
    assert not at.exception and store.summaries() == []


def test_saved_times_figures_and_text_that_are_not_what_they_should_be_still_draw_and_export(studio_env, store, utc):
    conversation_id, question, answer = saved_chat(store)
    damage(store, "conversations", conversation_id, title=b"Dam\xffaged", created_at=1e300, updated_at="yesterday")
    damage(store, "messages", question, images="[not json", created_at=float("inf"))
    damage(store, "messages", answer, stats=json.dumps({"output_tokens": "many"}), status="odd")
    at = open_chat({"chat": str(conversation_id)})
    assert not at.exception
    assert at.title[0].value == "Dam\ufffdaged"
    entry = at.sidebar.button(key=f"chat_open_{conversation_id}")
    assert entry.help == "llama3.2:latest · 2 messages · last change unknown"
    assert messages(at) == [("user", "Question"), ("assistant", "Answer")]
    assert [c.value for c in at.chat_message[0].caption] == [
        ":material/broken_image: Part of this message could not be shown. At images: cannot be read."
    ]
    assert [c.value for c in at.chat_message[1].caption] == [
        ":material/broken_image: Part of this message could not be shown. "
        "At stats.output\\_tokens: must be a number. (1 more problem like it.)"
    ]
    markdown = export(store, conversation_id, "md", "en")
    assert markdown.startswith("# Dam\ufffdaged\n\n*Model: llama3.2:latest · started (date unknown)*")
    document = json.loads(export(store, conversation_id, "json", "en"), parse_constant=_refuse)
    assert document["created_at"] is None and document["messages"][0]["created_at"] is None
    delete_open_chat(at)
    assert not at.exception and store.summaries() == []


def _refuse(constant: str) -> None:
    raise AssertionError(f"{constant} is not JSON")
