"""The Chat page's sidebar (lib/chat/sidebar.py): the saved chats and their search, the open chat's panel,
the places kept for a chat started in this run, and the exported files."""

from __future__ import annotations

import json
import time

import pytest
from streamlit.testing.v1 import AppTest

from lib import state
from lib.chat.export import to_json
from lib.chat.history import ASSISTANT, USER, Conversation, Message
from lib.chat.sidebar import LIST_LENGTH, export, file_name, summary_help
from lib.chat.store import ChatStore, Summary
from tests.chat.conftest import messages, screen, send, sidebar_view

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
