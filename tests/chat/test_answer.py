"""The single chat's answer (lib/chat/answer.py): what is sent, how it streams into its bubble, that it is
saved whatever happens, and the footer added in place once it is in."""

from __future__ import annotations

import base64
import threading

import pytest
from streamlit.testing.v1 import AppTest

from lib import state
from lib.chat.history import ASSISTANT, DONE, FAILED, STOPPED, USER, Conversation, Message
from lib.chat.session import Settings
from lib.chat.store import ChatStore
from lib.ollama.client import OllamaClient, Timeouts
from lib.ollama.stats import RunStats
from lib.ui import markdown_pieces
from tests.chat.conftest import PAGE, button, last_chat_body, messages, open_chat, ref, refuse, screen, send
from tests.conftest import ENTRY_POINT, SAME_BROWSER
from tests.markdown_audit import record_sent, shown_texts

# A 1x1 PNG.
PNG_BASE64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
PNG = base64.b64decode(PNG_BASE64)


def respond(store, client, conversation_id: int, settings, stop_button: bool) -> None:
    import streamlit as st

    from lib.chat import answer
    from lib.chat.store import StoreFailed

    conversation = store.get(conversation_id)
    try:
        bubble = answer.respond(store, client, conversation, settings, stop_button=stop_button)
    except StoreFailed as error:
        st.session_state["raised"] = str(error)
    else:
        st.session_state["drawn"] = bubble is not None


def answer_to(
    store: ChatStore, client: OllamaClient, question: Message, settings: Settings, *, stop_button: bool = False
) -> tuple[AppTest, int]:
    """The answer to a conversation's one question, streamed in a page of its own."""
    conversation_id = store.create(settings.applied_to(Conversation()))
    store.add(conversation_id, question)
    at = AppTest.from_function(
        respond, args=(store, client, conversation_id, settings, stop_button), default_timeout=30
    ).run()
    assert not at.exception
    return at, conversation_id


def settings_for(model: str, **changes) -> Settings:
    values = {"system": "", "options": {}, "keep_alive": None, "think": False} | changes
    return Settings(model, **values)


def test_an_answer_streams_into_its_bubble_and_is_saved_with_its_figures(fake, store):
    fake.script_reply("Blue light is scattered more.")
    settings = settings_for("llama3.2:latest", system="Be brief.", options={"temperature": 0.2}, keep_alive="5m")
    at, conversation_id = answer_to(store, OllamaClient(fake.url), Message(USER, "Why blue?"), settings)
    assert messages(at) == [(ASSISTANT, "Blue light is scattered more.")]
    assert last_chat_body(fake) == {
        "model": "llama3.2:latest",
        "stream": True,
        "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Why blue?"}],
        "options": {"temperature": 0.2},
        "keep_alive": "5m",
    }
    saved = store.messages(conversation_id)[-1]
    assert (saved.role, saved.content, saved.status, saved.model) == (
        ASSISTANT,
        "Blue light is scattered more.",
        DONE,
        "llama3.2:latest",
    )
    assert saved.stats.output_tokens and saved.stats.time_to_first_token is not None
    assert at.session_state["drawn"] is True
    assert not at.button  # the chat box has its own stop button


def test_the_saved_answer_releases_a_run_waiting_for_it(fake, store):
    at, _ = answer_to(store, OllamaClient(fake.url), Message(USER, "Hi"), settings_for("llama3.2:latest"))
    saved = at.session_state[state.CHAT_ANSWERING]
    assert isinstance(saved, threading.Event) and saved.is_set()


def test_an_answer_started_by_a_button_gets_a_stop_button(fake, store):
    at, _ = answer_to(
        store, OllamaClient(fake.url), Message(USER, "Hi"), settings_for("llama3.2:latest"), stop_button=True
    )
    assert [(b.key, b.label) for b in at.chat_message[0].button] == [(state.CHAT_STOP_BUTTON, "Stop")]


def test_a_thinking_model_thinks_on_request_and_its_thinking_is_shown_folded(fake, store):
    at, conversation_id = answer_to(
        store, OllamaClient(fake.url), Message(USER, "Why?"), settings_for("qwen3:0.6b", think=True)
    )
    assert last_chat_body(fake)["think"] is True
    saved = store.messages(conversation_id)[-1]
    (thinking,) = at.chat_message[0].expander
    assert thinking.label == "Thinking" and saved.thinking
    # As it reads: a fast stream may leave the thoughts drawn in pieces, each cut after a space it keeps as ``&#32;``.
    shown = "".join(md.value for md in thinking.markdown).replace(markdown_pieces.KEEP_SPACE, " ")
    assert shown == saved.thinking


@pytest.mark.parametrize(("model", "sent"), [("qwen3:0.6b", False), ("llama3.2:latest", None)])
def test_think_is_sent_only_to_models_that_can_think(fake, store, model, sent):
    answer_to(store, OllamaClient(fake.url), Message(USER, "Quick"), settings_for(model, think=False))
    assert last_chat_body(fake).get("think") is sent


def test_images_for_a_model_without_vision_are_refused_without_a_request(fake, store):
    at, conversation_id = answer_to(
        store,
        OllamaClient(fake.url),
        Message(USER, "What is it?", images=[PNG_BASE64]),
        settings_for("llama3.2:latest"),
    )
    assert fake.requests_to("/api/chat") == []
    assert at.session_state["drawn"] is False and not at.chat_message
    refusal = store.messages(conversation_id)[-1]
    assert (refusal.role, refusal.status, refusal.model) == (ASSISTANT, FAILED, "llama3.2:latest")
    assert "chat.no_vision" in refusal.error


@pytest.mark.parametrize("model", ["llava:7b", "qwen2.5:0.5b"])  # can see; not installed, so unknown
def test_images_go_to_a_model_that_can_or_may_see_them(fake, store, model):
    answer_to(store, OllamaClient(fake.url), Message(USER, "What is it?", images=[PNG_BASE64]), settings_for(model))
    assert last_chat_body(fake)["messages"][-1]["images"] == [PNG_BASE64]


def test_while_the_model_loads_the_bubble_says_it_is_waiting_and_a_timeout_is_saved(fake, store):
    fake.add_fault("/api/chat", "slow_first", delay=3)
    client = OllamaClient(fake.url, timeouts=Timeouts(model_read=0.5))
    at, conversation_id = answer_to(store, client, Message(USER, "Slow?"), settings_for("llama3.2:latest"))
    assert at.chat_message[0].caption[0].value.startswith(":material/hourglass_top: Waiting for llama3.2:latest…")
    saved = store.messages(conversation_id)[-1]
    assert saved.status == FAILED and "0.5 seconds" in saved.error


def test_an_answer_that_cannot_be_saved_is_raised_for_the_page_to_show(fake, store):
    store.ready()
    refuse(store, "BEFORE INSERT ON messages WHEN NEW.role = 'assistant'")
    fake.script_reply("Drawn, not saved.")
    at, conversation_id = answer_to(store, OllamaClient(fake.url), Message(USER, "Hi"), settings_for("llama3.2:latest"))
    assert "database or disk is full" in at.session_state["raised"]
    assert messages(at) == [(ASSISTANT, "Drawn, not saved.")]
    assert at.session_state[state.CHAT_ANSWERING].is_set()
    assert [m.role for m in store.messages(conversation_id)] == [USER]


# Finishing the turn in place


def finish(store, conversation_id: int) -> None:
    import streamlit as st

    from lib.chat import answer

    question, reply = st.chat_message("user"), st.chat_message("assistant")
    conversation = store.get(conversation_id)
    st.session_state["finished"] = answer.finish_turn(store, conversation, question, reply, {"m"})


def test_a_finished_turn_gets_the_buttons_and_figures_a_rerun_would_draw(store):
    conversation_id = store.create(Conversation())
    store.add(conversation_id, Message(USER, "Earlier"))
    store.add(conversation_id, Message(ASSISTANT, "Earlier answer"))
    store.add(conversation_id, Message(USER, "Q"))
    store.add(conversation_id, Message(ASSISTANT, "A", model="m", stats=RunStats(output_tokens=3)))
    at = AppTest.from_function(finish, args=(store, conversation_id)).run()
    assert at.session_state["finished"] is True
    assert screen(at) == [("user", [], [], ["Edit", "Delete"]), ("assistant", [], ["m · 3 tokens"], ["Regenerate"])]


def test_a_stopped_answer_is_finished_with_its_note(store):
    conversation_id = store.create(Conversation())
    store.add(conversation_id, Message(USER, "Q"))
    store.add(conversation_id, Message(ASSISTANT, "A", status=STOPPED))
    at = AppTest.from_function(finish, args=(store, conversation_id)).run()
    assert at.chat_message[1].caption[0].value.endswith("Stopped before the end of the answer.")


@pytest.mark.parametrize(
    "turns",
    [
        [(USER, "Q")],  # the answer was not saved
        [(USER, "Q"), (ASSISTANT, "A"), (USER, "From another tab")],
    ],
)
def test_a_conversation_that_no_longer_ends_with_the_turn_is_left_to_a_rerun(store, turns):
    conversation_id = store.create(Conversation())
    for role, text in turns:
        store.add(conversation_id, Message(role, text))
    at = AppTest.from_function(finish, args=(store, conversation_id)).run()
    assert at.session_state["finished"] is False
    assert screen(at) == [("user", [], [], []), ("assistant", [], [], [])]


# Through the page


def test_thinking_is_sent_on_request_shown_folded_and_saved(chat, fake, store):
    chat.selectbox(key=state.CHAT_MODEL_INPUT).select(ref("qwen3:0.6b")).run()
    assert chat.segmented_control(key=state.CHAT_THINK_INPUT).value is False  # a chat starts without thinking
    chat.segmented_control(key=state.CHAT_THINK_INPUT).set_value(True).run()
    send(chat, "Why do cats purr?")
    assert last_chat_body(fake)["think"] is True
    answer = chat.chat_message[1]
    assert answer.expander[0].label == "Thinking"
    saved = store.messages(store.summaries()[0].id)[-1]
    assert saved.thinking and saved.content
    assert saved.thinking in "\n".join(md.value for md in answer.expander[0].markdown) or answer.expander[0].markdown


def test_thinking_models_with_thinking_off_are_told_not_to_think(chat, fake):
    chat.selectbox(key=state.CHAT_MODEL_INPUT).select(ref("qwen3:0.6b")).run()
    chat.segmented_control(key=state.CHAT_THINK_INPUT).set_value(False).run()
    send(chat, "quick")
    assert last_chat_body(fake)["think"] is False
    chat.selectbox(key=state.CHAT_MODEL_INPUT).select(ref("llama3.2:latest")).run()
    assert chat.segmented_control(key=f"{state.CHAT_THINK_INPUT}.unavailable").disabled
    send(chat, "again")
    assert "think" not in last_chat_body(fake)


def test_images_for_a_model_without_vision_are_refused_and_kept(chat, fake, store):
    chat.selectbox(key=state.CHAT_MODEL_INPUT).select(ref("llama3.2:latest")).run()
    assert "cannot see images" in chat.chat_input(key=state.CHAT_PROMPT_INPUT).placeholder
    chat.chat_input(key=state.CHAT_PROMPT_INPUT).upload("dot.png", PNG, "image/png").set_value("Describe").run()
    assert fake.requests_to("/api/chat") == []
    assert "cannot see images" in chat.error[0].value
    assert messages(chat)[0] == ("user", "Describe")
    chat.selectbox(key=state.CHAT_MODEL_INPUT).select(ref("llava:7b")).run()
    button(chat, "Retry").click().run()
    assert last_chat_body(fake)["messages"][-1]["images"] == [base64.b64encode(PNG).decode()]
    assert not chat.error


def test_stop_closes_the_stream_and_keeps_the_partial_answer_marked(chat, fake, store):
    """Streamlit's Stop (the chat box's stop button) asks the script runner to stop: AppTest's
    run timeout does exactly that, so it stands in for the click."""
    fake.token_delay = 0.05
    fake.script_reply(" ".join(f"word{n}" for n in range(400)))
    with pytest.raises(RuntimeError, match="timed out"):
        chat.chat_input(key=state.CHAT_PROMPT_INPUT).set_value("Talk for a long time").run(timeout=3)
    assert fake.wait_for(lambda f: f.requests_to("/api/chat")[-1].client_disconnected, timeout=10)
    assert fake.requests_to("/api/chat")[-1].chunks_sent < 400
    saved = store.messages(store.summaries()[0].id)
    assert [m.role for m in saved] == [USER, ASSISTANT]
    assert saved[1].status == STOPPED
    assert saved[1].content.startswith("word0 word1")
    again = open_chat({"chat": str(store.summaries()[0].id)})
    assert "Stopped before the end" in again.chat_message[1].caption[0].value
    assert button(again, "Regenerate")


def test_a_database_that_fails_mid_answer_is_explained_and_the_answer_stays_on_screen(chat, fake, store):
    send(chat, "First question")
    refuse(store, "BEFORE INSERT ON messages WHEN NEW.role = 'assistant'")  # saving answers fails, as on a full disk
    fake.script_reply("An answer that cannot be saved.")
    send(chat, "Second question")
    assert not chat.exception
    assert messages(chat)[-1] == ("assistant", "An answer that cannot be saved.")
    assert "could not be read or written (database or disk is full)" in chat.error[-1].value
    assert [m.role for m in store.messages(store.summaries()[0].id)] == [USER, ASSISTANT, USER]


def test_a_stop_whose_partial_answer_cannot_be_saved_is_explained_on_the_next_run(chat, fake, store):
    send(chat, "First question")
    refuse(store, "BEFORE INSERT ON messages WHEN NEW.role = 'assistant'")
    fake.token_delay = 0.05
    fake.script_reply(" ".join(f"word{n}" for n in range(400)))
    with pytest.raises(RuntimeError, match="timed out"):  # AppTest's timeout stops the run, as Stop does
        chat.chat_input(key=state.CHAT_PROMPT_INPUT).set_value("Talk for a long time").run(timeout=3)
    assert fake.wait_for(lambda f: f.requests_to("/api/chat")[-1].client_disconnected, timeout=10)
    chat.run()
    assert not chat.exception
    assert "could not be read or written (database or disk is full)" in chat.error[0].value


def test_a_follow_up_finishes_in_place_as_a_rerun_would_draw_it(chat, fake):
    """No rerun after a follow-up's answer (it would re-send the page): the footers are added in place."""
    fake.script_reply("First answer.")
    send(chat, "First question")
    fake.script_reply("Second answer.")
    send(chat, "Second question")
    in_place = screen(chat)
    assert [m[0] for m in in_place] == ["user", "assistant", "user", "assistant"]
    assert in_place[0][3] == ["Edit", "Delete"] and in_place[1][3] == []  # the earlier turn: no Regenerate
    assert in_place[2][3] == ["Edit", "Delete"] and in_place[3][3] == ["Regenerate"]
    assert "tokens/s" in in_place[3][2][-1]
    assert screen(chat.run()) == in_place  # what the next run draws anyway
    assert len(fake.requests_to("/api/chat")) == 2


def test_a_follow_up_that_fails_shows_its_error_and_retry_in_place(chat, fake):
    send(chat, "First question")
    fake.add_fault("/api/chat", "error_line", after=3)
    send(chat, "Second question")
    last = chat.chat_message[-1]
    assert last.error and [b.label for b in last.button] == ["Retry"]
    fake.script_reply("Now it works.")
    last.button[0].click().run()  # the button drawn in place works like one drawn by a rerun
    assert messages(chat)[-1] == ("assistant", "Now it works.") and len(chat.chat_message) == 4


def test_a_model_that_crashes_on_a_compatible_server_is_named_and_another_model_suggested(chat, fake):
    fake.break_model("llama3.2:latest")
    chat.selectbox(key=state.CHAT_MODEL_INPUT).select(ref("llama3.2:latest")).run()
    send(chat, "Hello")
    shown = " ".join(element.value for element in (*chat.error, *chat.markdown, *chat.caption))
    assert "llama3.2:latest failed on" in shown and "another model may work" in shown
    assert "unable to allocate CUDA0 buffer" in shown
    assert "proxy" not in shown and "server.go" not in shown
    chat.selectbox(key=state.CHAT_MODEL_INPUT).select(ref("qwen3:0.6b")).run()
    fake.script_reply("Working fine.")
    send(chat, "Hello again")
    assert "Working fine." in " ".join(element.value for element in chat.markdown)


# Answers that are empty or cut short say why


def test_an_empty_answer_says_so_instead_of_a_silent_bubble(chat, fake):
    fake.script_reply("")
    send(chat, "Hello")
    assert "The model returned an empty answer." in " ".join(c.value for c in chat.caption)


def test_an_answer_cut_at_the_length_limit_says_so_and_is_saved_as_cut_off(chat, fake, store):
    fake.script_reply("one two three four five six seven eight")
    chat.number_input(key="chat_option_num_predict").set_value(3).run()
    send(chat, "Count")
    assert any("Cut off: the answer reached the maximum answer length" in c.value for c in chat.caption)
    assert store.messages(store.summaries()[0].id)[-1].status == "length"


def test_a_conversation_that_fills_the_context_window_is_told_why_there_is_no_answer(chat, fake):
    chat.number_input(key="chat_option_num_ctx").set_value(256).run()
    send(chat, "word " * 400)
    shown = " ".join(c.value for c in chat.caption)
    assert "No answer: the conversation filled the model's whole context window (256 tokens)" in shown


# Never two answers to one question


def test_a_regenerate_that_raced_a_stopped_answer_leaves_one_answer(studio_env, fake, store):
    """Regenerate clicked while an answer streamed: the stopped answer is saved first, then replaced."""
    conversation_id = store.create(Conversation(model="qwen3:0.6b"))
    store.add(conversation_id, Message(USER, "Why is the sky blue?"))
    store.add(conversation_id, Message(ASSISTANT, "Because", status=STOPPED, model="qwen3:0.6b"))
    at = AppTest.from_file(ENTRY_POINT, default_timeout=30)
    at.session_state[state.VISITOR_TOKEN] = SAME_BROWSER
    at.run()
    at.switch_page(PAGE)
    at.query_params.update({"chat": str(conversation_id)})
    at.session_state[state.CHAT_PENDING] = True
    fake.script_reply("Rayleigh scattering.")
    at.run()
    assert [(m.role, m.content) for m in store.messages(conversation_id)] == [
        (USER, "Why is the sky blue?"),
        (ASSISTANT, "Rayleigh scattering."),
    ]


def test_an_answered_question_is_not_answered_twice(studio_env, fake, store):
    conversation_id = store.create(Conversation(model="qwen3:0.6b"))
    store.add(conversation_id, Message(USER, "Hi"))
    store.add(conversation_id, Message(ASSISTANT, "Hello"))
    client = OllamaClient(fake.url)
    at = AppTest.from_function(
        respond, args=(store, client, conversation_id, Settings("qwen3:0.6b", "", {}, None, False), False)
    ).run()
    assert not at.exception
    assert fake.requests_to("/api/chat") == []
    assert [m.content for m in store.messages(conversation_id)] == ["Hi", "Hello"]


def test_a_line_says_the_model_is_thinking_until_its_answer_begins(chat, fake, monkeypatch):
    chat.selectbox(key=state.CHAT_MODEL_INPUT).select(ref("qwen3:0.6b")).run()
    chat.segmented_control(key=state.CHAT_THINK_INPUT).set_value(True).run()
    sent = record_sent(monkeypatch)
    send(chat, "Why do cats purr?")
    shown = [each.text for each in shown_texts(sent)]
    assert "Thinking before it answers…" in " ".join(shown)  # while the thoughts streamed, folded away
    assert not any("Thinking before it answers" in caption.value for caption in chat.caption)  # gone with the answer
