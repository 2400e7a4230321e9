"""Saved messages on screen (lib/chat/messages.py): each bubble with its text, thinking, images and footer,
the latest window of a conversation, and which buttons each message gets."""

from __future__ import annotations

import base64

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from lib import state
from lib.chat import validation
from lib.chat.history import ASSISTANT, FAILED, STOPPED, USER, Conversation, Message
from lib.chat.store import ChatStore
from lib.chat.validation import Problem
from lib.ollama.stats import RunStats
from tests.chat.conftest import button, last_chat_body, messages, open_chat, picture, send

PNG = base64.b64encode(
    base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
).decode()


def draw_one(message, installed) -> None:
    from lib.chat import messages

    messages.draw_message(message, installed)


def bubble(message: Message, installed: set[str] | None = None):
    """The one bubble a saved message is drawn in."""
    at = AppTest.from_function(draw_one, args=(message, installed)).run()
    assert not at.exception
    (drawn,) = at.chat_message
    return drawn


def test_an_answer_shows_its_thinking_folded_then_its_text_and_its_figures():
    drawn = bubble(
        Message(
            ASSISTANT,
            "Rayleigh scattering.",
            thinking="Short wavelengths scatter.",
            stats=RunStats(time_to_first_token=0.5, output_tokens=20, output_tokens_per_second=40.0),
            model="llama3.2:latest",
        )
    )
    assert drawn.name == ASSISTANT
    assert drawn.expander[0].label == "Thinking"
    assert [md.value for md in drawn.expander[0].markdown] == ["Short wavelengths scatter."]
    assert drawn.markdown[-1].value == "Rayleigh scattering."
    assert [c.value for c in drawn.caption] == [
        "llama3.2:latest · first token after 500 ms · 20 tokens · 40.0 tokens/s"
    ]


def test_the_model_name_in_the_figures_is_not_read_as_markdown():
    drawn = bubble(Message(ASSISTANT, "Hi.", stats=RunStats(output_tokens=1), model="my*model"))
    assert drawn.caption[0].value == "my\\*model · 1 token"


def test_a_stopped_answer_says_so():
    drawn = bubble(Message(ASSISTANT, "Cut", status=STOPPED))
    assert drawn.caption[0].value.endswith("Stopped before the end of the answer.")


def test_a_failed_answer_shows_its_error_and_that_the_partial_text_is_kept():
    drawn = bubble(Message(ASSISTANT, "alpha beta", status=FAILED, error="The stream broke.", model="m"), {"m"})
    assert drawn.error[0].value == "The stream broke."
    assert [c.value for c in drawn.caption] == ["The part of the answer that arrived before the error is kept above."]


def test_a_failed_answer_without_text_or_error_says_only_that_it_failed():
    drawn = bubble(Message(ASSISTANT, "", status=FAILED))
    assert drawn.error[0].value == "The answer failed."
    assert not drawn.caption


def test_a_question_shows_its_images_and_leaves_out_those_that_are_not_base64():
    drawn = bubble(Message(USER, "What is this?", images=[PNG, "abcde"]))
    assert drawn.name == USER
    (images,) = drawn.get("image")
    assert len(images.value) == 1
    assert drawn.caption[0].value == (
        ":material/broken_image: Part of this message could not be shown. At image 2: is not valid base64."
    )


def test_a_question_whose_images_are_all_unreadable_draws_none():
    drawn = bubble(Message(USER, "Hm", images=["abcde"]))
    assert not drawn.get("image")


def test_jpeg_and_webp_are_drawn_and_a_file_that_is_not_a_png_jpeg_or_webp_picture_is_a_sentence():
    """A saved chat can hold any base64 (older imports, a renamed file sent in the chat box): one that is
    not a picture made Streamlit's st.image raise, and the chat failed on every run."""
    svg = base64.b64encode(b"<svg xmlns='http://www.w3.org/2000/svg'/>").decode()
    cut = base64.b64encode(picture("PNG", (64, 64))[:-40]).decode()
    drawn = bubble(Message(USER, "Look", images=[b64(picture("JPEG")), svg, b64(picture("WEBP")), cut]))
    (images,) = drawn.get("image")
    assert len(images.value) == 2
    assert drawn.caption[0].value == (
        ":material/broken_image: Part of this message could not be shown. "
        "At image 2: is not a PNG, JPEG or WebP image. (1 more problem like it.)"
    )


def test_what_a_saved_message_could_not_read_is_said_in_its_bubble():
    message = Message(ASSISTANT, "Fine.", damaged=[Problem(("stats", "load_time"), "chat_import.must_be_number")])
    drawn = bubble(message)
    assert drawn.markdown[0].value == "Fine."
    assert drawn.caption[0].value == (
        ":material/broken_image: Part of this message could not be shown. At stats.load\\_time: must be a number."
    )


def test_each_image_is_decoded_to_be_checked_once_not_on_every_run(monkeypatch):
    from lib.chat import messages as chat_messages

    monkeypatch.setattr(chat_messages, "_VERDICTS", {})  # other tests may have checked the same pictures
    checked = []
    real = validation.image_bytes
    monkeypatch.setattr(validation, "image_bytes", lambda image: checked.append(image) or real(image))
    svg = base64.b64encode(b"<svg/>").decode()
    fresh = b64(picture("PNG", (3, 3)))
    at = AppTest.from_function(draw_one, args=(Message(USER, "x", images=[fresh, svg]), None)).run()
    at.run()
    assert not at.exception and len(at.chat_message[0].get("image")[0].value) == 1
    assert checked == [fresh, svg]
    assert chat_messages._VERDICTS


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


# The window of messages and their buttons


def history(store, conversation, asking: bool) -> None:
    import streamlit as st

    from lib.chat import messages

    st.session_state["waiting"] = messages.draw_history(store, conversation, {"m"}, asking=asking)


def open_history(store: ChatStore, conversation_id: int, *, asking: bool = False, **session) -> AppTest:
    at = AppTest.from_function(history, args=(store, store.get(conversation_id), asking), default_timeout=10)
    for key, value in session.items():
        at.session_state[key] = value
    return at.run()


def buttons(at: AppTest) -> list[list[str]]:
    return [[b.label for b in m.button] for m in at.chat_message]


def conversation_of(store: ChatStore, *turns: tuple[str, str]) -> tuple[int, list[int]]:
    conversation_id = store.create(Conversation(model="m"))
    ids = [store.add(conversation_id, Message(role, text, model="m")) for role, text in turns]
    return conversation_id, ids


TWO_TURNS = ((USER, "Q1"), (ASSISTANT, "A1"), (USER, "Q2"), (ASSISTANT, "A2"))


def test_every_question_can_be_edited_and_only_the_last_answer_regenerated(store):
    conversation_id, _ = conversation_of(store, *TWO_TURNS)
    at = open_history(store, conversation_id)
    assert buttons(at) == [["Edit", "Delete"], [], ["Edit", "Delete"], ["Regenerate"]]
    assert at.session_state["waiting"] is False


def test_a_failed_last_answer_offers_retry(store):
    conversation_id = store.create(Conversation(model="m"))
    store.add(conversation_id, Message(USER, "Q"))
    store.add(conversation_id, Message(ASSISTANT, "", status=FAILED, error="Down.", model="m"))
    assert buttons(open_history(store, conversation_id)) == [["Edit", "Delete"], ["Retry"]]


def test_while_a_new_question_is_asked_the_earlier_turns_get_no_regenerate(store):
    conversation_id, _ = conversation_of(store, *TWO_TURNS)
    at = open_history(store, conversation_id, asking=True)
    assert buttons(at) == [["Edit", "Delete"], [], ["Edit", "Delete"], []]


def test_a_question_left_without_an_answer_offers_to_answer_it(store):
    conversation_id, _ = conversation_of(store, (USER, "Still there?"))
    at = open_history(store, conversation_id)
    assert at.button(key="chat_answer").label == "Answer this message"
    assert at.session_state["waiting"] is True


@pytest.mark.parametrize("session", [{"asking": True}, {state.CHAT_PENDING: True}])
def test_no_answer_button_while_an_answer_is_on_its_way(store, session):
    conversation_id, _ = conversation_of(store, (USER, "Still there?"))
    at = open_history(store, conversation_id, **session)
    assert not [b for b in at.button if b.key == "chat_answer"]
    assert at.session_state["waiting"] is True


def test_the_question_being_edited_is_an_edit_box_in_its_place(store):
    conversation_id, ids = conversation_of(store, *TWO_TURNS)
    at = open_history(store, conversation_id, **{state.CHAT_EDITING: ids[2], state.CHAT_EDIT_INPUT: "Q2, better"})
    assert messages(at) == [(USER, "Q1"), (ASSISTANT, "A1"), (USER, ""), (ASSISTANT, "A2")]
    assert at.chat_message[2].text_area[0].value == "Q2, better"
    assert [b.label for b in at.chat_message[2].button] == ["Send", "Cancel"]
    at.button(key="chat_edit_cancel").click().run()
    assert messages(at)[2] == (USER, "Q2")


def test_delete_under_a_question_removes_it_with_its_answer(store):
    conversation_id, ids = conversation_of(store, *TWO_TURNS)
    at = open_history(store, conversation_id)
    at.button(key=f"chat_delete_{ids[0]}").click().run()
    assert messages(at) == [(USER, "Q2"), (ASSISTANT, "A2")]


def test_only_the_latest_messages_are_drawn_with_the_number_hidden(store):
    conversation_id, _ = conversation_of(store, *[(USER if n % 2 == 0 else ASSISTANT, f"m{n}") for n in range(45)])
    at = open_history(store, conversation_id)
    assert len(at.chat_message) == 40 and messages(at)[0] == (ASSISTANT, "m5")
    assert at.button(key="chat_show_earlier").label == "Show earlier messages (5 hidden)"
    at.button(key="chat_show_earlier").click().run()
    assert len(at.chat_message) == 45 and not [b for b in at.button if b.key == "chat_show_earlier"]


def test_a_message_that_fails_to_draw_is_a_sentence_and_the_rest_of_the_chat_is_drawn(store, monkeypatch):
    """A saved message no check foresaw: its bubble says so, and the other messages and their buttons stay."""
    from lib.chat import messages as chat_messages

    def render(text: str) -> None:
        if text == "A1":
            raise TypeError("unforeseen")
        st.markdown(text)

    monkeypatch.setattr(chat_messages, "render_markdown", render)
    conversation_id, _ = conversation_of(store, *TWO_TURNS)
    at = open_history(store, conversation_id)
    assert not at.exception
    assert [m.markdown[0].value if m.markdown else None for m in at.chat_message] == ["Q1", None, "Q2", "A2"]
    assert at.error[0].value.startswith("This saved message could not be shown: it is damaged.")
    assert buttons(at)[-2:] == [["Edit", "Delete"], ["Regenerate"]]


def test_settings_a_saved_chat_could_not_use_are_named_above_its_messages(store):
    conversation_id, _ = conversation_of(store, *TWO_TURNS)
    conversation = store.get(conversation_id)
    conversation.damaged = [Problem(("options", "stop", 0), "chat_import.must_be_text")]
    at = AppTest.from_function(history, args=(store, conversation, False), default_timeout=10).run()
    assert at.warning[0].value == (
        "Some of this chat's saved settings could not be used and are left at the model's defaults. "
        "At options.stop, item 1: must be text."
    )
    assert len(at.chat_message) == 4


# Through the page


def test_regenerate_replaces_the_last_answer(chat, fake, store):
    fake.script_reply("First try.")
    send(chat, "Tell me a fact")
    fake.script_reply("Second try.")
    button(chat, "Regenerate").click().run()
    assert messages(chat) == [("user", "Tell me a fact"), ("assistant", "Second try.")]
    assert [m["role"] for m in last_chat_body(fake)["messages"]] == ["user"]
    assert store.count(store.summaries()[0].id) == 2


def test_edit_and_resend_replaces_the_message_and_what_followed(chat, fake):
    send(chat, "Whta is Rust?")
    button(chat, "Edit").click().run()
    chat.text_area(key=state.CHAT_EDIT_INPUT).input("What is Rust?")
    fake.script_reply("A language.")
    chat.button(key="chat_edit_send").click().run()
    assert messages(chat) == [("user", "What is Rust?"), ("assistant", "A language.")]
    assert last_chat_body(fake)["messages"] == [{"role": "user", "content": "What is Rust?"}]


def test_delete_a_pair_and_clear(chat, fake, store):
    send(chat, "first")
    send(chat, "second")
    user_ids = [m.id for m in store.messages(store.summaries()[0].id) if m.role == USER]
    chat.button(key=f"chat_delete_{user_ids[0]}").click().run()
    assert [text for role, text in messages(chat) if role == "user"] == ["second"]
    assert len(chat.chat_message) == 2
    chat.button(key="chat_clear").click().run()
    chat.button(key="chat_confirm_yes").click().run()
    assert len(chat.chat_message) == 0
    assert store.summaries()[0].messages == 0


def test_a_message_left_without_an_answer_can_be_answered(studio_env, fake, store):
    conversation_id = store.create(Conversation(model="llama3.2:latest"))
    store.add(conversation_id, Message(USER, "Still there?"))
    at = open_chat({"chat": str(conversation_id)})
    fake.script_reply("Yes, here.")
    button(at, "Answer this message").click().run()
    assert messages(at) == [("user", "Still there?"), ("assistant", "Yes, here.")]


def test_long_conversations_draw_only_the_latest_messages(studio_env, store):
    conversation_id = store.create(Conversation(model="llama3.2:latest", title="Long"))
    for n in range(100):
        store.add(conversation_id, Message(USER if n % 2 == 0 else ASSISTANT, f"message {n}"))
    at = open_chat({"chat": str(conversation_id)})
    assert len(at.chat_message) == 40
    assert messages(at)[-1] == ("assistant", "message 99")
    earlier = next(b for b in at.button if b.label.startswith("Show earlier"))
    assert "60 hidden" in earlier.label
    earlier.click().run()
    assert len(at.chat_message) == 80


def test_an_earlier_question_can_be_edited_which_replaces_everything_after_it(chat, fake, store):
    for question in ("What is blue?", "And red?"):
        fake.script_reply(f"About: {question}")
        send(chat, question)
    first = store.messages(store.summaries()[0].id)[0]
    chat.button(key=f"chat_edit_{first.id}").click().run()
    chat.text_area(key=state.CHAT_EDIT_INPUT).input("What is green?")
    fake.script_reply("Green is a colour.")
    chat.button(key="chat_edit_send").click().run()
    saved = store.messages(store.summaries()[0].id)
    assert [m.content for m in saved] == ["What is green?", "Green is a colour."]
    assert store.summaries()[0].title == "What is green?"  # the title follows its first question
