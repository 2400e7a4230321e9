"""The Chat page's session logic (lib/chat/session.py): which chat is open, its settings, the button actions.

The functions run inside small AppTest scripts, each with a session of its own; the last tests
are journeys through the page that depend on this module above all.
"""

from __future__ import annotations

import base64
import io
import threading
from dataclasses import dataclass
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from lib import state
from lib.chat import session as chat_session
from lib.chat.export import to_json
from lib.chat.history import ASSISTANT, USER, Conversation, Message
from lib.chat.session import Settings
from lib.chat.store import StoreFailed
from tests.chat.conftest import messages, open_chat, query_value, ref, refuse, send

SETTINGS = Settings("llava:7b", "Be brief.", {"temperature": 0.5}, "10m", True)


def run(script: Any, *args: Any, query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_function(script, args=args, default_timeout=10)
    if query:
        at.query_params.update(query)
    return at.run()


# Settings


def test_settings_apply_to_a_conversation_in_every_field():
    conversation = SETTINGS.applied_to(Conversation(id=4, title="Kept"))
    assert (conversation.id, conversation.title) == (4, "Kept")
    assert (conversation.model, conversation.system, conversation.options) == (
        "llava:7b",
        "Be brief.",
        {"temperature": 0.5},
    )
    assert (conversation.keep_alive, conversation.think) == ("10m", True)


# Which conversation is open


def open_conversation(store) -> None:
    import streamlit as st

    from lib.chat import session

    conversation = session.open_conversation(store)
    st.session_state["opened"] = None if conversation is None else conversation.id


def test_a_new_session_opens_the_chat_named_in_the_address(store):
    conversation_id = store.create(Conversation(title="Saved"))
    at = run(open_conversation, store, query={"chat": str(conversation_id)})
    assert at.session_state["opened"] == conversation_id
    assert query_value(at, "chat") == str(conversation_id)


ADDRESS_IGNORED = (
    "The address names a chat that cannot be opened (it does not exist, or it is not yours), so a new chat is open."
)


@pytest.mark.parametrize(
    "wanted",
    [
        "999",
        "abc",
        "",
        "²",  # a digit to str.isdigit, but not to int()
        "١٢",  # Arabic-Indic digits: int() reads them as 12
        "12345678901234567890",  # past SQLite's largest integer
        "9223372036854775808",
        "0",
        "-1",
        "+1",
        " 1",
        "1.0",
        "1e3",
        "1_0",
        "\x00",
    ],
)
def test_a_missing_or_unreadable_chat_in_the_address_opens_a_new_chat_with_a_notice(store, wanted):
    store.create(Conversation(title="Someone else's"))
    at = run(open_conversation, store, query={"chat": wanted})
    assert not at.exception
    assert at.session_state["opened"] is None
    assert at.session_state[state.CHAT_CONVERSATION] is None
    assert "chat" not in at.query_params
    assert [toast.value for toast in at.toast] == [ADDRESS_IGNORED]
    at.run()
    assert not at.toast  # said once, on the session's first run


@pytest.mark.parametrize(("text", "wanted"), [("7", 7), ("0007", 7), ("9223372036854775807", 2**63 - 1)])
def test_a_chat_id_in_the_address_is_ascii_digits_within_sqlites_range(text, wanted):
    assert chat_session.parse_id(text) == wanted


def test_a_chat_opened_from_the_address_gives_no_notice(store):
    conversation_id = store.create(Conversation(title="Saved"))
    at = run(open_conversation, store, query={"chat": str(conversation_id)})
    assert at.session_state["opened"] == conversation_id and not at.toast


def test_the_address_follows_the_chat_opened_in_the_session(store):
    first, second = store.create(Conversation()), store.create(Conversation())
    at = run(open_conversation, store, query={"chat": str(first)})
    at.session_state[state.CHAT_CONVERSATION] = second
    at.run()
    assert at.session_state["opened"] == second and query_value(at, "chat") == str(second)


def test_a_chat_deleted_meanwhile_closes_and_forgets_its_view_state(store):
    conversation_id = store.create(Conversation())
    at = run(open_conversation, store, query={"chat": str(conversation_id)})
    at.session_state[state.CHAT_SHOWN] = 80
    at.session_state[state.CHAT_EDITING] = 3
    store.delete(conversation_id)
    at.run()
    assert at.session_state["opened"] is None
    assert (at.session_state[state.CHAT_SHOWN], at.session_state[state.CHAT_EDITING]) == (40, None)
    assert "chat" not in at.query_params


def load_settings(conversation) -> None:
    from lib.chat import session

    session.load_settings(conversation)


def test_a_conversations_settings_go_into_the_widgets_once(studio_env, store):
    conversation = SETTINGS.applied_to(Conversation(id=7))
    at = run(load_settings, conversation)
    assert at.session_state[state.CHAT_MODEL_INPUT] == ref("llava:7b")
    assert at.session_state[state.CHAT_SYSTEM_INPUT] == "Be brief."
    assert at.session_state[state.CHAT_THINK_INPUT] is True
    assert at.session_state["chat_option_temperature"] == 0.5
    assert at.session_state["chat_option_keep_alive"] == "10m"
    at.session_state[state.CHAT_SYSTEM_INPUT] = "Typed since."
    at.run()
    assert at.session_state[state.CHAT_SYSTEM_INPUT] == "Typed since."


def test_a_new_chat_keeps_the_settings_already_chosen():
    at = AppTest.from_function(load_settings, args=(None,))
    at.session_state[state.CHAT_SYSTEM_INPUT] = "Chosen before."
    at.run()
    assert at.session_state[state.CHAT_SYSTEM_INPUT] == "Chosen before."
    assert state.CHAT_LOADED not in at.session_state or at.session_state[state.CHAT_LOADED] is None


def save_changes(store, conversation_id: int) -> None:
    import streamlit as st

    from lib.chat import session

    settings = session.Settings("llama3.2:latest", st.session_state["system"], {}, None, False)
    conversation = store.get(conversation_id)
    assert conversation is not None
    session.save_changes(store, conversation, settings)


def test_settings_are_saved_only_when_this_session_changes_them(store):
    conversation_id = store.create(Conversation(model="llama3.2:latest", system="As saved."))
    at = AppTest.from_function(save_changes, args=(store, conversation_id))
    at.session_state["system"] = "Seen first."
    at.run()
    assert store.get(conversation_id).system == "As saved."  # what the session first sees is not a change
    at.session_state["system"] = "Changed here."
    at.run()
    assert store.get(conversation_id).system == "Changed here."
    store.save_settings(Conversation(id=conversation_id, model="llama3.2:latest", system="From another tab."))
    at.run()
    assert store.get(conversation_id).system == "From another tab."  # nothing changed here: not overwritten


def start(store, settings) -> None:
    import streamlit as st

    from lib.chat import session

    st.session_state["started"] = session.start(store, settings).id


def test_starting_a_chat_saves_it_with_the_settings_and_opens_it(store):
    at = run(start, store, SETTINGS)
    conversation_id = at.session_state["started"]
    saved = store.get(conversation_id)
    assert (saved.model, saved.system, saved.options, saved.keep_alive, saved.think) == (
        "llava:7b",
        "Be brief.",
        {"temperature": 0.5},
        "10m",
        True,
    )
    assert at.session_state[state.CHAT_CONVERSATION] == conversation_id
    assert at.session_state[state.CHAT_LOADED] == conversation_id
    assert at.session_state[state.CHAT_SAVED_SETTINGS] == (conversation_id, SETTINGS)
    assert query_value(at, "chat") == str(conversation_id)


def test_a_question_is_seen_before_the_chat_box_is_drawn():
    def script() -> None:
        import streamlit as st

        from lib import state
        from lib.chat import session

        st.session_state["before"] = session.question_sent()
        st.chat_input("Ask", key=state.CHAT_PROMPT_INPUT)

    at = AppTest.from_function(script).run()
    assert at.session_state["before"] is False
    at.chat_input(key=state.CHAT_PROMPT_INPUT).set_value("Hello").run()
    assert at.session_state["before"] is True


# An answer in flight, the window of messages, images


def wait_for_answer(set_after, timeout: float) -> None:
    import threading
    import time

    import streamlit as st

    from lib.chat import session

    saved = session.answering()
    if set_after is not None:
        threading.Timer(set_after, saved.set).start()
    started = time.monotonic()
    session.wait_for_answer_in_flight(timeout)
    st.session_state["waited"] = time.monotonic() - started


def test_a_run_waits_until_the_answer_in_flight_is_saved():
    at = run(wait_for_answer, 0.2, 5.0)
    assert 0.15 < at.session_state["waited"] < 2


def test_the_wait_for_an_answer_in_flight_gives_up_after_the_timeout():
    at = run(wait_for_answer, None, 0.3)
    assert 0.25 < at.session_state["waited"] < 2
    assert isinstance(at.session_state[state.CHAT_ANSWERING], threading.Event)


def test_show_earlier_adds_forty_messages_to_the_forty_shown_at_first():
    def script() -> None:
        import streamlit as st

        from lib.chat import session

        st.session_state["at_first"] = session.shown()
        session.show_earlier()
        session.show_earlier()
        st.session_state["then"] = session.shown()

    at = AppTest.from_function(script).run()
    assert (at.session_state["at_first"], at.session_state["then"]) == (40, 120)


def test_images_are_sent_as_plain_base64():
    encoded = chat_session.encode_images([io.BytesIO(b"\x89PNG one"), io.BytesIO(b"two")])
    assert encoded == [base64.b64encode(b"\x89PNG one").decode(), base64.b64encode(b"two").decode()]
    assert not any(text.startswith("data:") for text in encoded)


# Button actions


def act(action: str, *args) -> None:
    """Run one of the session's button actions, as Streamlit runs an on_click callback."""
    from lib.chat import session

    getattr(session, action)(*args)


def test_a_failure_to_save_a_finished_answer_is_raised_for_the_page_to_show():
    def script() -> None:
        import streamlit as st

        from lib.chat import session
        from lib.chat.store import StoreFailed

        try:
            session.keep_failure(StoreFailed("Disk full."), True)
        except StoreFailed as error:
            st.session_state["raised"] = str(error)

    at = AppTest.from_function(script).run()
    assert at.session_state["raised"] == "Disk full."
    assert state.CHAT_NOTICE not in at.session_state


def test_a_failure_to_save_a_stopped_answer_becomes_the_next_runs_notice():
    at = run(act, "keep_failure", StoreFailed("Disk full."), False)
    assert not at.exception
    assert at.session_state[state.CHAT_NOTICE] == ("error", "Disk full.")


def test_a_button_whose_write_fails_leaves_the_failure_as_a_notice_and_nothing_else(store):
    conversation_id = store.create(Conversation())
    answer_id = store.add(conversation_id, Message(ASSISTANT, "Kept."))
    refuse(store, "BEFORE DELETE ON messages")
    at = run(act, "answer_again", store, [answer_id])
    assert not at.exception
    assert at.session_state[state.CHAT_NOTICE][0] == "error"
    assert "database or disk is full" in at.session_state[state.CHAT_NOTICE][1]
    assert state.CHAT_PENDING not in at.session_state
    assert [m.content for m in store.messages(conversation_id)] == ["Kept."]


def test_answer_again_drops_the_last_answer_and_asks_for_a_new_one(store):
    conversation_id = store.create(Conversation())
    store.add(conversation_id, Message(USER, "Question"))
    answer_id = store.add(conversation_id, Message(ASSISTANT, "Old answer"))
    at = run(act, "answer_again", store, [answer_id])
    assert [m.content for m in store.messages(conversation_id)] == ["Question"]
    assert at.session_state[state.CHAT_PENDING] is True


def test_an_edit_replaces_the_question_and_drops_what_followed(store):
    conversation_id = store.create(Conversation())
    first = store.add(conversation_id, Message(USER, "Whta is Rust?"))
    store.add(conversation_id, Message(ASSISTANT, "Unclear."))
    store.add(conversation_id, Message(USER, "Hello?"))
    at = AppTest.from_function(act, args=("send_edit", store, conversation_id, first))
    at.session_state[state.CHAT_EDIT_INPUT] = "What is Rust?"
    at.session_state[state.CHAT_EDITING] = first
    at.run()
    assert [m.content for m in store.messages(conversation_id)] == ["What is Rust?"]
    assert (at.session_state[state.CHAT_EDITING], at.session_state[state.CHAT_PENDING]) == (None, True)


def test_an_empty_edit_is_refused_with_a_warning_and_changes_nothing(store):
    conversation_id = store.create(Conversation())
    first = store.add(conversation_id, Message(USER, "Keep me"))
    at = AppTest.from_function(act, args=("send_edit", store, conversation_id, first))
    at.session_state[state.CHAT_EDIT_INPUT] = "  \n "
    at.session_state[state.CHAT_EDITING] = first
    at.run()
    assert at.session_state[state.CHAT_NOTICE] == (
        "warning",
        "An empty message cannot be sent. Type something or cancel.",
    )
    assert [m.content for m in store.messages(conversation_id)] == ["Keep me"]
    assert at.session_state[state.CHAT_EDITING] == first and state.CHAT_PENDING not in at.session_state


def test_start_editing_puts_the_question_in_the_edit_box():
    at = run(act, "start_editing", 12, "The question")
    assert (at.session_state[state.CHAT_EDITING], at.session_state[state.CHAT_EDIT_INPUT]) == (12, "The question")


@pytest.mark.parametrize(("title", "said"), [("Breakfast", "Deleted “Breakfast”."), ("", "Deleted “the chat”.")])
def test_a_confirmed_delete_removes_the_chat_opens_a_new_one_and_says_so(store, title, said):
    conversation_id = store.create(Conversation(title=title))
    at = AppTest.from_function(act, args=("confirmed", store))
    at.session_state[state.CHAT_CONFIRM] = ("delete", conversation_id)
    at.session_state[state.CHAT_CONVERSATION] = conversation_id
    at.run()
    assert store.get(conversation_id) is None
    assert at.session_state[state.CHAT_CONVERSATION] is None and at.session_state[state.CHAT_CONFIRM] is None
    assert at.session_state[state.CHAT_NOTICE] == ("success", said)


def test_a_confirmed_clear_empties_the_chat_and_keeps_it_open(store):
    conversation_id = store.create(Conversation(title="Kept"))
    store.add(conversation_id, Message(USER, "Gone soon"))
    at = AppTest.from_function(act, args=("confirmed", store))
    at.session_state[state.CHAT_CONFIRM] = ("clear", conversation_id)
    at.run()
    assert store.get(conversation_id).title == "Kept" and store.count(conversation_id) == 0
    assert at.session_state[state.CHAT_CONVERSATION] == conversation_id
    assert state.CHAT_NOTICE not in at.session_state


def test_a_rename_to_nothing_is_refused_with_a_warning(store):
    conversation_id = store.create(Conversation(title="Named"))
    at = AppTest.from_function(act, args=("rename", store, conversation_id, "title_box"))
    at.session_state["title_box"] = "   "
    at.run()
    assert store.get(conversation_id).title == "Named"
    assert at.session_state[state.CHAT_NOTICE][0] == "warning"
    at.session_state["title_box"] = "  Renamed   here "
    at.run()
    assert store.get(conversation_id).title == "Renamed here"


@dataclass
class Uploaded:
    """What a file uploader holds: a name and the bytes."""

    name: str
    data: bytes

    def getvalue(self) -> bytes:
        return self.data


def test_an_imported_chat_is_saved_opened_and_announced(store):
    document = to_json(Conversation(title="From elsewhere"), [Message(USER, "Q"), Message(ASSISTANT, "A")])
    at = AppTest.from_function(act, args=("import_file", store))
    at.session_state[state.CHAT_IMPORT_INPUT] = Uploaded("chat.json", document.encode())
    at.run()
    (summary,) = store.summaries()
    assert (summary.title, summary.messages) == ("From elsewhere", 2)
    assert at.session_state[state.CHAT_CONVERSATION] == summary.id
    assert at.session_state[state.CHAT_NOTICE] == ("success", "Imported “From elsewhere” (2 messages).")


def test_a_file_that_is_not_a_conversation_is_not_imported_and_named_safely(store):
    at = AppTest.from_function(act, args=("import_file", store))
    at.session_state[state.CHAT_IMPORT_INPUT] = Uploaded("*notes*.json", b'{"hello": "world"}')
    at.run()
    assert store.summaries() == []
    kind, text = at.session_state[state.CHAT_NOTICE]
    assert kind == "error" and text.startswith("“\\*notes\\*.json” was not imported.")


# Through the page


def test_a_new_session_finds_the_saved_chat_through_the_address(chat, fake, store):
    fake.script_reply("Saved answer.")
    send(chat, "Remember me")
    conversation_id = store.summaries()[0].id
    assert chat.query_params["chat"] == [str(conversation_id)] or chat.query_params["chat"] == str(conversation_id)
    again = open_chat({"chat": str(conversation_id)})
    assert messages(again) == [("user", "Remember me"), ("assistant", "Saved answer.")]
    assert again.title[0].value == "Remember me"


def test_settings_are_saved_with_the_conversation_and_restored(chat, fake, store):
    chat.selectbox(key=state.CHAT_MODEL_INPUT).select(ref("llava:7b"))
    chat.text_area(key=state.CHAT_SYSTEM_INPUT).input("Be terse.")
    chat.text_input(key="chat_option_keep_alive").input("10m").run()
    send(chat, "hello")
    conversation = store.get(store.summaries()[0].id)
    assert (conversation.model, conversation.system, conversation.keep_alive) == ("llava:7b", "Be terse.", "10m")
    again = open_chat({"chat": str(conversation.id)})
    assert again.selectbox(key=state.CHAT_MODEL_INPUT).value == ref("llava:7b")
    assert again.text_area(key=state.CHAT_SYSTEM_INPUT).value == "Be terse."


def test_settings_changed_in_a_new_chat_do_not_leak_into_a_saved_one(chat, fake, store):
    assert chat.selectbox(key=state.CHAT_MODEL_INPUT).value == ref("qwen3:0.6b")  # the smallest chat model
    chat.text_area(key=state.CHAT_SYSTEM_INPUT).input("You are a pirate.").run()
    send(chat, "Ahoy")
    saved = store.summaries()[0].id
    chat.button(key="chat_new").click().run()
    chat.selectbox(key=state.CHAT_MODEL_INPUT).select(ref("llama3.2:latest"))
    chat.text_area(key=state.CHAT_SYSTEM_INPUT).input("Be formal.").run()
    chat.button(key=f"chat_open_{saved}").click().run()
    assert chat.text_area(key=state.CHAT_SYSTEM_INPUT).value == "You are a pirate."
    chat.run()
    conversation = store.get(saved)
    assert (conversation.model, conversation.system) == ("qwen3:0.6b", "You are a pirate.")


def test_two_sessions_on_one_chat_keep_each_others_saved_changes(studio_env, fake, store):
    conversation_id = store.create(Conversation(model="llama3.2:latest", system="old"))
    first, second = open_chat({"chat": str(conversation_id)}), open_chat({"chat": str(conversation_id)})
    first.text_area(key=state.CHAT_SYSTEM_INPUT).input("from the first tab").run()
    assert store.get(conversation_id).system == "from the first tab"
    second.run()
    assert store.get(conversation_id).system == "from the first tab"
    fake.script_reply("Answer in the second tab.")
    send(second, "hello from the second tab")
    assert [m.content for m in store.messages(conversation_id)] == [
        "hello from the second tab",
        "Answer in the second tab.",
    ]
    first.run()
    assert messages(first)[-1] == ("assistant", "Answer in the second tab.")


def test_a_button_whose_database_write_fails_says_so_and_changes_nothing(chat, fake, store):
    send(chat, "First question")
    refuse(store, "BEFORE DELETE ON messages")
    chat.button(key="chat_delete_1").click().run()  # the first question and its answer
    assert not chat.exception
    assert "could not be read or written (database or disk is full)" in chat.error[0].value
    assert [role for role, _ in messages(chat)] == [USER, ASSISTANT]
