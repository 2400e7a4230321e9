"""The Chat page end to end (lib/chat/page.py) with AppTest against the fake server: what the user sees,
what the server was sent, how a failing server is explained, and the order of the page's elements."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator

import pytest
from streamlit.testing.v1 import AppTest

from lib import state
from lib.chat.history import FAILED, Conversation
from tests.chat.conftest import button, last_chat_body, messages, open_chat, ref, send
from tests.fake_ollama import FakeOllama
from tests.markdown_audit import as_read
from tests.streamlit_process import free_port

# A 1x1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def test_an_answer_streams_and_is_shown_with_stats(chat, fake):
    fake.script_reply("Blue light is **scattered** more.")
    chat.selectbox(key=state.CHAT_MODEL_INPUT).select(ref("llama3.2:latest")).run()
    send(chat, "Why is the sky blue?")
    assert not chat.exception
    assert messages(chat) == [("user", "Why is the sky blue?"), ("assistant", "Blue light is **scattered** more.")]
    assert last_chat_body(fake) == {
        "model": "llama3.2:latest",
        "stream": True,
        "messages": [{"role": "user", "content": "Why is the sky blue?"}],
    }
    stats = chat.chat_message[1].caption[-1].value
    assert "first token after" in stats and "tokens/s" in stats and "model load" in stats
    assert chat.title[0].value == "Why is the sky blue?"


def test_second_turn_sends_the_whole_history_with_system_prompt_and_parameters(chat, fake):
    chat.selectbox(key=state.CHAT_MODEL_INPUT).select(ref("llama3.2:latest")).run()
    chat.text_area(key=state.CHAT_SYSTEM_INPUT).input("Answer in one line.")
    chat.number_input(key="chat_option_temperature").set_value(0.3)
    chat.number_input(key="chat_option_seed").set_value(7).run()
    fake.script_reply("First answer.")
    send(chat, "one")
    fake.script_reply("Second answer.")
    send(chat, "two")
    body = last_chat_body(fake)
    assert body["messages"] == [
        {"role": "system", "content": "Answer in one line."},
        {"role": "user", "content": "one"},
        {"role": "assistant", "content": "First answer."},
        {"role": "user", "content": "two"},
    ]
    assert body["options"] == {"temperature": 0.3, "seed": 7}
    assert "stats" not in body and "think" not in body


def test_images_go_as_plain_base64_and_show_as_thumbnails(chat, fake, store):
    chat.selectbox(key=state.CHAT_MODEL_INPUT).select(ref("llava:7b")).run()
    assert "attach images" in chat.chat_input(key=state.CHAT_PROMPT_INPUT).placeholder
    chat.chat_input(key=state.CHAT_PROMPT_INPUT).upload("dot.png", PNG, "image/png").set_value("What is this?").run()
    sent = last_chat_body(fake)["messages"][-1]
    assert sent["images"] == [base64.b64encode(PNG).decode()]
    assert not sent["images"][0].startswith("data:")
    assert len(chat.chat_message[0].get("image")[0].value) == 1
    assert store.messages(store.summaries()[0].id)[0].images == sent["images"]


def test_server_down_keeps_the_message_and_retry_works(studio_env, fake, store, monkeypatch):
    conversation_id = store.create(Conversation(model="llama3.2:latest"))
    monkeypatch.setenv("OLLAMA_HOST", f"127.0.0.1:{free_port()}")
    at = open_chat({"chat": str(conversation_id)})
    assert "Nothing is answering" in at.warning[0].value
    send(at, "Are you there?")
    assert not at.exception
    assert messages(at)[0] == ("user", "Are you there?")
    assert "Nothing is answering" in at.chat_message[1].error[0].value
    at.session_state[state.SERVER_URL] = fake.url
    fake.script_reply("Yes.")
    at.run()
    button(at, "Retry").click().run()
    assert messages(at) == [("user", "Are you there?"), ("assistant", "Yes.")]
    assert not at.error


@pytest.fixture
def server_down_at_start(studio_env, monkeypatch) -> Iterator[Callable[[], FakeOllama]]:
    """OLLAMA_HOST names a port nothing listens on yet; calling the fixture's value starts a server there."""
    port = free_port()
    monkeypatch.setenv("OLLAMA_HOST", f"127.0.0.1:{port}")
    started: list[FakeOllama] = []

    def start() -> FakeOllama:
        started.append(FakeOllama(port=port).start())
        return started[-1]

    yield start
    for server in started:
        server.stop()


def connection_status(at: AppTest) -> str:
    """The sidebar's "Connected" or "Not connected" line."""
    return next(m.value for m in at.sidebar.markdown if "onnected" in m.value)


def test_a_chat_opened_while_the_server_is_down_has_a_retry_that_works_once_it_is_back(server_down_at_start):
    at = open_chat()
    assert "Nothing is answering" in at.warning[0].value
    assert "Not connected" in connection_status(at)
    server_down_at_start()
    at.button(key="connection_retry").click().run()
    assert not at.exception and not at.warning
    assert "llama3.2:latest" in at.selectbox(key=state.CHAT_MODEL_INPUT).options
    assert "Not connected" not in connection_status(at)
    assert "connection_retry" not in [b.key for b in at.button]


def test_compare_mode_opened_while_the_server_is_down_has_a_retry_too(server_down_at_start):
    at = open_chat()
    at.segmented_control(key=state.CHAT_MODE_INPUT).set_value("compare").run()
    assert "Nothing is answering" in at.error[0].value
    server_down_at_start()
    at.button(key="connection_retry").click().run()
    assert not at.exception and not at.error
    assert "llama3.2:latest" in at.selectbox(key=f"{state.CHAT_COMPARE_MODEL_INPUT}_0").options


def test_a_missing_model_points_to_the_models_page(studio_env, fake, store):
    conversation_id = store.create(Conversation(model="qwen2.5:0.5b"))
    at = open_chat({"chat": str(conversation_id)})
    assert at.selectbox(key=state.CHAT_MODEL_INPUT).value == ref("qwen2.5:0.5b")
    assert "not installed" in at.warning[0].value
    send(at, "hi")
    error = at.chat_message[1].error[0].value
    assert "not found" in error
    assert any("Models page" in link.label for link in at.chat_message[1].get("page_link"))
    assert messages(at)[0] == ("user", "hi")


def test_an_error_mid_stream_keeps_the_partial_answer(chat, fake, store):
    fake.script_reply("alpha beta gamma delta epsilon zeta eta theta")
    fake.add_fault("/api/chat", "error_line", after=3)
    chat.segmented_control(key=state.CHAT_THINK_INPUT).set_value(False).run()  # the scripted reply, not thinking
    send(chat, "go")
    answer = chat.chat_message[1]
    assert answer.markdown[0].value.startswith("alpha")
    assert "unexpected EOF" in answer.error[0].value
    assert "kept above" in answer.caption[0].value
    assert store.messages(store.summaries()[0].id)[1].status == FAILED
    fake.script_reply("Complete answer.")
    button(chat, "Retry").click().run()
    assert messages(chat)[1] == ("assistant", "Complete answer.")


def test_a_dropped_connection_is_explained(chat, fake):
    fake.script_reply("alpha beta gamma delta")
    fake.add_fault("/api/chat", "drop", after=2)
    send(chat, "go")
    assert "dropped" in chat.chat_message[1].error[0].value or "ended before" in chat.chat_message[1].error[0].value
    assert messages(chat)[0] == ("user", "go")


def test_a_first_token_slower_than_the_timeout(chat, fake):
    chat.number_input(key=state.MODEL_TIMEOUT_INPUT).set_value(5.0).run()  # the sidebar's smallest timeout
    fake.add_fault("/api/chat", "slow_first", delay=6)
    send(chat, "slow?")
    assert "sent nothing for 5 seconds" in chat.chat_message[1].error[0].value
    assert messages(chat)[0] == ("user", "slow?")


def test_an_unwritable_data_folder_is_explained(fake, monkeypatch, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("OLLAMA_HOST", fake.url)
    monkeypatch.setenv("OLLAMA_STUDIO_DATA_DIR", str(blocker))
    at = open_chat()
    assert not at.exception
    assert "Chats cannot be saved" in at.error[0].value and "OLLAMA_STUDIO_DATA_DIR" in as_read(at.error[0].value)


# The page's elements, in order


def layout(at: AppTest) -> list[str]:
    """The main area's elements in order, by kind; a container as the kinds of what it holds."""
    drawn = []
    for element in at.main.children.values():
        if type(element).__name__ == "Block":
            drawn.append("Block(" + ", ".join(type(child).__name__ for child in element.children.values()) + ")")
        else:
            drawn.append(type(element).__name__)
    return drawn


def test_the_chat_box_is_drawn_last_below_the_settings_and_the_conversation(chat, fake):
    """The chat box stays docked only as the page's last element; the conversation goes in a container above it.

    Above the chat box in the dock: the context bar's place (empty before an answer), the saved prompts' popover
    (lib/chat/dock.py), the Documents row and the files being indexed (lib/documents/attach_view.py).
    """
    assert layout(chat) == [
        "Title",
        "ButtonGroup",
        "Block(Column, Column)",
        "Expander",
        "Expander",
        "Block(Caption)",
        "Block(Html, Button, UnknownElement, Block, Block, Block, ChatInput)",
    ]
    send(chat, "Why is the sky blue?")
    assert layout(chat)[3:] == [
        "Expander",
        "Expander",
        "Block(ChatMessage, ChatMessage)",
        "Block(Html, Button, Block, Block, Block, Block, ChatInput)",  # the context bar drawn now
    ]


def test_a_notice_left_by_an_action_shows_once_under_the_mode_switch(chat, fake):
    send(chat, "First question")
    button(chat, "Edit").click().run()
    chat.text_area(key=state.CHAT_EDIT_INPUT).input("   ")
    chat.button(key="chat_edit_send").click().run()
    assert layout(chat)[:3] == ["Title", "ButtonGroup", "Warning"]
    assert chat.warning[0].value == "An empty message cannot be sent. Type something or cancel."
    chat.run()
    assert not chat.warning


def show_notice(kind: str, text: str) -> None:
    from lib import state
    from lib.chat import page

    state.put(state.CHAT_NOTICE, (kind, text))
    page.notice()


@pytest.mark.parametrize("kind", ["success", "warning", "error"])
def test_the_notice_is_drawn_as_its_kind_and_then_forgotten(kind):
    at = AppTest.from_function(show_notice, args=(kind, "Worded by the action.")).run()
    assert [element.value for element in getattr(at, kind)] == ["Worded by the action."]
    assert at.session_state[state.CHAT_NOTICE] is None


def test_no_notice_draws_nothing():
    def script() -> None:
        from lib.chat import page

        page.notice()

    at = AppTest.from_function(script).run()
    assert not at.exception and len(at.main.children) == 0


def test_compare_mode_and_back_keeps_the_single_chats_settings(chat):
    """Compare mode stops the run: a run that ends normally would drop the values of the widgets it did not draw."""
    chat.selectbox(key=state.CHAT_MODEL_INPUT).select(ref("llava:7b"))
    chat.text_area(key=state.CHAT_SYSTEM_INPUT).input("Be brief.").run()
    chat.segmented_control(key=state.CHAT_MODE_INPUT).set_value("compare").run()
    assert chat.chat_input(key=state.CHAT_COMPARE_PROMPT_INPUT)
    chat.run()
    chat.segmented_control(key=state.CHAT_MODE_INPUT).set_value("single").run()
    assert chat.selectbox(key=state.CHAT_MODEL_INPUT).value == ref("llava:7b")
    assert chat.text_area(key=state.CHAT_SYSTEM_INPUT).value == "Be brief."


def test_without_a_usable_model_the_chat_box_is_off_and_says_why(studio_env, monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST", f"127.0.0.1:{free_port()}")
    at = open_chat()
    box = at.chat_input(key=state.CHAT_PROMPT_INPUT)
    assert box.disabled and box.placeholder == "Choose a model first"
    assert "Nothing is answering" in at.warning[0].value
    assert not at.main.caption  # no "type a message below" hint when nothing can be sent


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ({"chat": "²"}, "names a chat that cannot be opened"),
        ({"chat": "12345678901234567890"}, "names a chat that cannot be opened"),
        ({"compare": "¹,²"}, "names a comparison that cannot be opened"),
        ({"compare": "1,12345678901234567890"}, "names a comparison that cannot be opened"),
    ],
)
def test_an_address_the_page_cannot_use_is_ignored_with_a_notice(studio_env, fake, query, notice):
    """Once raw error pages: int() takes "²" (str.isdigit says it is a digit), SQLite overflows on 20 digits."""
    at = open_chat(query)
    assert not at.exception
    assert len(at.toast) == 1 and notice in at.toast[0].value
    assert not set(query) & set(at.query_params)
    assert at.chat_input  # the page is usable: a new chat or a new comparison


def test_a_gpt_oss_chat_is_sent_its_level_and_keeps_it_after_a_reload(studio_env, fake, store):
    fake.install("gpt-oss:20b")
    at = open_chat()
    at.selectbox(key=state.CHAT_MODEL_INPUT).select(ref("gpt-oss:20b")).run()
    at.segmented_control(key=state.CHAT_THINK_INPUT).set_value("high").run()
    send(at, "Is 97 prime?")
    assert not at.exception
    assert fake.requests_to("/api/chat")[-1].body["think"] == "high"
    (summary,) = store.summaries()
    assert store.get(summary.id).think == "high"
    again = open_chat({"chat": str(summary.id)})
    assert again.segmented_control(key=state.CHAT_THINK_INPUT).value == "high"
