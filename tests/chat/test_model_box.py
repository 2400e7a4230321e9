"""The chat's model box with several servers (lib/chat/model_box.py), through the page against two fake servers:
``laptop`` (the sidebar's) and ``gpu``. Which server each request reaches is read from each fake's request log."""

from __future__ import annotations

import json

import requests
import streamlit as st
from streamlit.testing.v1 import AppTest

from lib import state
from lib.chat import sidebar
from lib.chat.export import to_json
from lib.chat.history import ASSISTANT, FAILED, USER, Conversation, Message
from lib.fleet.models import ModelRef
from lib.fleet.routing import ANY
from tests.chat.conftest import messages, open_chat, ref, send

MODEL = "qwen3:0.6b"


def texts(elements) -> str:
    return "\n".join(element.value for element in elements)


def box(at: AppTest):
    return at.selectbox(key=state.CHAT_MODEL_INPUT)


def chats(fake) -> int:
    return len(fake.requests_to("/api/chat"))


def load(server, model: str) -> None:
    """Put ``model`` in the fake's memory, as a request that ran it would (it shows in /api/ps)."""
    requests.post(f"{server.url}/api/generate", json={"model": model}, timeout=10).raise_for_status()


def on_gpu(gpu, fake, store, question: str = "Hello") -> tuple[AppTest, int]:
    """A new chat on ``model · gpu``, asked ``question``; returns the page and the chat's id."""
    at = open_chat()
    box(at).select(ref(MODEL, gpu.url)).run()
    send(at, question)
    assert not at.exception
    (summary,) = store.summaries()
    return at, summary.id


def test_every_servers_chat_models_are_offered_as_model_at_server(two_servers, fake, gpu):
    options = box(open_chat()).options
    assert {"qwen3:0.6b · laptop", "qwen3:0.6b · gpu", "llava:7b · gpu"} <= set(options)
    assert options[0] == "llama3.2:latest · any server (automatic)"  # the models both have, first
    assert "qwen3:0.6b · any server (automatic)" in options
    assert not any("embed" in option for option in options)


def test_one_server_shows_model_names_alone_and_no_any_server(chat):
    options = box(chat).options
    assert "qwen3:0.6b" in options
    assert not any(" · " in option for option in options)


def test_a_chat_on_gpu_is_sent_to_gpu_only_and_saved_with_it(two_servers, fake, gpu, store):
    at, chat_id = on_gpu(gpu, fake, store)
    assert (chats(gpu), chats(fake)) == (1, 0)
    assert store.get(chat_id).server == gpu.url
    answer = store.messages(chat_id)[-1]
    assert (answer.role, answer.server) == (ASSISTANT, gpu.url)
    assert "qwen3:0.6b · gpu · " in texts(at.chat_message[1].caption)  # the answer's figures name its server
    send(at, "And again?")
    assert (chats(gpu), chats(fake)) == (2, 0)


def test_a_chat_reopened_in_a_new_session_stays_on_its_server(two_servers, fake, gpu, store):
    _, chat_id = on_gpu(gpu, fake, store)
    again = open_chat({"chat": str(chat_id)})
    assert box(again).value == ref(MODEL, gpu.url)
    assert "Hello · gpu" in [button.label for button in again.sidebar.button]  # the open chat's line names it
    send(again, "Still there?")
    assert (chats(gpu), chats(fake)) == (2, 0)
    assert [message.server for message in store.messages(chat_id)[1::2]] == [gpu.url, gpu.url]


def test_a_new_chat_on_any_server_goes_where_the_model_is_loaded_and_says_so(two_servers, fake, gpu, store):
    load(gpu, MODEL)
    at = open_chat()
    box(at).select(ModelRef(MODEL, ANY)).run()
    send(at, "Where am I?")
    assert not at.exception
    assert (chats(gpu), chats(fake)) == (1, 0)
    assert "Sent to **gpu**: it has this model loaded." in texts(at.caption)
    (summary,) = store.summaries()
    assert store.get(summary.id).server == gpu.url
    at.run()
    assert box(at).value == ref(MODEL, gpu.url)  # the chat stays on the server it was sent to
    assert "Sent to **gpu**" in texts(at.caption)
    send(at, "And now?")
    assert (chats(gpu), chats(fake)) == (2, 0)


def test_without_the_model_loaded_anywhere_a_new_chat_goes_to_the_least_busy_server(two_servers, fake, gpu, store):
    load(fake, "llama3.2:latest")  # laptop has a model in memory, gpu none
    at = open_chat()
    box(at).select(ModelRef(MODEL, ANY)).run()
    send(at, "Who is free?")
    assert (chats(gpu), chats(fake)) == (1, 0)
    assert "it was the least busy (0 models loaded)" in texts(at.caption)


def test_equally_busy_servers_keep_the_sidebars(two_servers, fake, gpu, store):
    at = open_chat()
    box(at).select(ModelRef(MODEL, ANY)).run()
    send(at, "Hello")
    assert (chats(gpu), chats(fake)) == (0, 1)
    assert "Sent to **laptop**: no server had this model loaded, and they were equally busy." in texts(at.caption)


def test_a_chat_whose_server_is_down_says_so_and_goes_on_on_another_once_picked(two_servers, fake, gpu, store):
    _, chat_id = on_gpu(gpu, fake, store)
    gpu_url = gpu.url
    gpu.stop()
    st.cache_data.clear()  # the model lists the first session read are kept for a few seconds
    at = open_chat({"chat": str(chat_id)})
    assert not at.exception
    assert "This chat is on **gpu**, which is not answering, so it cannot answer now." in texts(at.warning)
    assert "**gpu** is not answering: its models are not listed." in texts(at.caption)
    assert messages(at)[0] == ("user", "Hello") and len(messages(at)) == 2  # the history stays readable
    prompt = at.chat_input(key=state.CHAT_PROMPT_INPUT)
    assert prompt.proto.disabled and prompt.placeholder == "gpu cannot answer now: pick another model to go on"
    assert box(at).value == ref(MODEL, gpu_url)  # it does not move by itself
    assert "qwen3:0.6b · gpu · not answering" in box(at).options
    assert not any(option.endswith(" · gpu") for option in box(at).options)
    box(at).select(ref(MODEL, fake.url)).run()
    assert not at.warning
    send(at, "Go on here")
    assert chats(fake) == 1
    assert store.get(chat_id).server == fake.url
    assert store.messages(chat_id)[-1].server == fake.url


def test_a_new_chats_pick_stays_on_its_server_when_it_stops_answering(two_servers, fake, gpu, store):
    at = open_chat()
    box(at).select(ref(MODEL, gpu.url)).run()
    gpu.stop()
    st.cache_data.clear()
    at.run()
    assert box(at).value == ref(MODEL, gpu.url)  # not moved to laptop, which has the model too
    assert "qwen3:0.6b · gpu · not answering" in box(at).options
    assert "**gpu** is not answering, so the model picked there cannot answer now." in texts(at.warning)
    assert at.chat_input(key=state.CHAT_PROMPT_INPUT).proto.disabled
    assert not store.summaries()


def test_a_question_sent_as_a_new_chats_server_went_away_starts_the_chat_there_and_is_answered_later(
    two_servers, fake, gpu, store
):
    at = open_chat()
    box(at).select(ref(MODEL, gpu.url)).run()
    gpu.stop()
    st.cache_data.clear()
    send(at, "Sent as gpu went away")  # the soak's failure: this went to laptop, the box having moved there
    assert not at.exception
    assert chats(fake) == 0
    assert box(at).value == ref(MODEL, gpu.url)
    assert "This chat is on **gpu**, which is not answering" in texts(at.warning)
    (summary,) = store.summaries()
    assert store.get(summary.id).server == gpu.url
    assert [(m.role, m.content) for m in store.messages(summary.id)] == [(USER, "Sent as gpu went away")]
    assert messages(at) == [("user", "Sent as gpu went away")]
    gpu.start()
    at.button(key="connection_retry").click().run()
    at.button(key="chat_answer").click().run()
    assert not at.exception
    assert (chats(gpu), chats(fake)) == (1, 0)
    answer = store.messages(summary.id)[-1]
    assert (answer.role, answer.server) == (ASSISTANT, gpu.url)


def test_a_question_sent_as_a_saved_chats_server_went_away_is_kept_with_the_chat(two_servers, fake, gpu, store):
    at, chat_id = on_gpu(gpu, fake, store)
    gpu.stop()
    st.cache_data.clear()
    send(at, "Are you there?")  # the box was drawn enabled: gpu answered the last run
    assert not at.exception
    assert chats(fake) == 0
    assert [m.content for m in store.messages(chat_id)][-1] == "Are you there?"
    assert messages(at)[-1] == ("user", "Are you there?")


def test_chats_on_the_other_server_carry_on_while_one_is_down(two_servers, fake, gpu, store):
    gpu.stop()
    at = open_chat()
    assert "**gpu** is not answering: its models are not listed." in texts(at.caption)
    assert all(option.endswith(" · laptop") for option in box(at).options)
    send(at, "Anyone there?")
    assert not at.exception and not at.error
    assert chats(fake) == 1 and messages(at)[1][0] == "assistant"


def test_a_server_that_stops_answering_mid_chat_is_named_in_the_error_and_the_partial_answer_kept(
    two_servers, fake, gpu, store
):
    at, chat_id = on_gpu(gpu, fake, store)
    gpu.add_fault("/api/chat", "drop", after=2)
    send(at, "Tell me more")
    assert not at.exception
    (error,) = at.chat_message[3].error
    assert error.value.startswith("On **gpu**: The connection to ")
    answer = store.messages(chat_id)[-1]
    assert (answer.status, answer.server) == (FAILED, gpu.url) and answer.content
    assert messages(at)[3] == ("assistant", answer.content)  # the part that arrived is shown with the sentence
    assert chats(fake) == 0


def test_a_chat_on_a_server_the_session_does_not_have_says_which_it_was(two_servers, store):
    chat_id = store.create(Conversation(model=MODEL, server="http://10.9.9.9:11434"))
    at = open_chat({"chat": str(chat_id)})
    assert "This chat was on **10.9.9.9**, which is not one of this session's servers" in texts(at.warning)
    assert at.chat_input(key=state.CHAT_PROMPT_INPUT).proto.disabled


def test_with_one_server_a_chat_saved_on_another_address_goes_on_there(chat, fake, store):
    """As before servers were kept: one server answers every chat."""
    chat_id = store.create(Conversation(model=MODEL, server="http://old-address:11434"))
    at = open_chat({"chat": str(chat_id)})
    assert not at.warning and box(at).value == ref(MODEL)
    send(at, "Hello")
    assert chats(fake) == 1 and store.messages(chat_id)[-1].server == fake.url


def import_file(at: AppTest, conversation: Conversation) -> None:
    document = to_json(conversation, [Message(USER, "Imported"), Message(ASSISTANT, "Yes.", model=MODEL)])
    at.sidebar.file_uploader(key=state.CHAT_IMPORT_INPUT).upload("chat.json", document.encode(), "application/json")
    at.run()


def test_an_imported_chat_keeps_a_server_of_the_session_and_goes_on_on_the_sidebars_otherwise(
    two_servers, fake, gpu, store
):
    at = open_chat()
    import_file(at, Conversation(title="From gpu", model=MODEL, server=gpu.url))
    assert box(at).value == ref(MODEL, gpu.url)
    import_file(at, Conversation(title="From elsewhere", model=MODEL, server="http://10.9.9.9:11434"))
    assert box(at).value == ref(MODEL, fake.url) and not at.warning
    assert sorted(store.get(s.id).server for s in store.summaries()) == sorted(["", gpu.url])


def test_the_export_names_the_chats_server_and_sends_no_key(two_servers, fake, gpu, store, monkeypatch):
    monkeypatch.setenv("OLLAMA_API_KEY_GPU", "sk-gpu-secret")
    _, chat_id = on_gpu(gpu, fake, store)
    document = json.loads(sidebar.export(store, chat_id, "json", "en", {fake.url: "laptop", gpu.url: "gpu"}))
    assert document["server"] == {"url": gpu.url, "name": "gpu"}
    assert document["messages"][1]["server"] == {"url": gpu.url, "name": "gpu"}
    assert "sk-gpu-secret" not in json.dumps(document)


def test_every_chat_in_the_list_names_its_server(two_servers, fake, gpu, store):
    on_gpu(gpu, fake, store, "On the GPU")
    at = open_chat()
    box(at).select(ref(MODEL, fake.url)).run()
    send(at, "On the laptop")
    labels = [button.label for button in open_chat().sidebar.button]  # a new session: neither chat is open
    assert "On the GPU · gpu" in labels
    assert "On the laptop · laptop" in labels
