"""The Chat page run with AppTest against the fake server: what the user sees, what the server was sent."""

from __future__ import annotations

import base64

from lib import state
from lib.chat.history import ASSISTANT, FAILED, USER, Conversation, Message
from tests.chat.conftest import button, last_chat_body, messages, open_chat, screen, send, sidebar_view
from tests.streamlit_process import free_port

# A 1x1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def test_an_answer_streams_and_is_shown_with_stats(chat, fake):
    fake.script_reply("Blue light is **scattered** more.")
    chat.selectbox(key=state.CHAT_MODEL_INPUT).select("llama3.2:latest").run()
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
    chat.selectbox(key=state.CHAT_MODEL_INPUT).select("llama3.2:latest").run()
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


def test_images_go_as_plain_base64_and_show_as_thumbnails(chat, fake, store):
    chat.selectbox(key=state.CHAT_MODEL_INPUT).select("llava:7b").run()
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


def test_a_missing_model_points_to_the_models_page(studio_env, fake, store):
    conversation_id = store.create(Conversation(model="qwen2.5:0.5b"))
    at = open_chat({"chat": str(conversation_id)})
    assert at.selectbox(key=state.CHAT_MODEL_INPUT).value == "qwen2.5:0.5b"
    assert "not installed" in at.warning[0].value
    send(at, "hi")
    error = at.chat_message[1].error[0].value
    assert "not found" in error
    assert any("Models page" in link.label for link in at.chat_message[1].get("page_link"))
    assert messages(at)[0] == ("user", "hi")


def test_an_error_mid_stream_keeps_the_partial_answer(chat, fake, store):
    fake.script_reply("alpha beta gamma delta epsilon zeta eta theta")
    fake.add_fault("/api/chat", "error_line", after=3)
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
    assert "Chats cannot be saved" in at.error[0].value and "OLLAMA_STUDIO_DATA_DIR" in at.error[0].value


def test_export_buttons_and_import_with_a_bad_file(chat, fake, store):
    send(chat, "export me")
    labels = [b.label for b in chat.sidebar.download_button]
    assert labels == ["JSON", "Markdown"]
    uploader = chat.sidebar.file_uploader(key=state.CHAT_IMPORT_INPUT)
    uploader.upload("notes.json", b'{"hello": "world"}', "application/json").run()
    assert "was not imported" in chat.error[0].value and "not an Ollama Studio conversation" in chat.error[0].value
    assert len(store.summaries()) == 1


def test_import_opens_the_imported_chat(chat, store):
    from lib.chat.export import to_json

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
