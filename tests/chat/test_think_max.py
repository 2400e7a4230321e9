"""Chat's "max" thinking level (issue 22): offered for a gpt-oss model only by a server that takes it
(Ollama 0.21.3 and newer), sent and saved as "max", and a chat saved at "max" sent "high" by an older server."""

from __future__ import annotations

from lib import state
from lib.chat.history import Conversation
from tests.chat.conftest import last_chat_body, open_chat, ref, send

NEW_ENOUGH = "0.21.3"


def test_a_gpt_oss_chat_on_a_new_enough_server_is_offered_max_and_sends_it(studio_env, fake, store):
    fake.version = NEW_ENOUGH
    fake.install("gpt-oss:20b")
    at = open_chat()
    at.selectbox(key=state.CHAT_MODEL_INPUT).select(ref("gpt-oss:20b")).run()
    control = at.segmented_control(key=state.CHAT_THINK_INPUT)
    assert control.options == ["Low", "Medium", "High", "Max"]
    control.set_value("max").run()
    send(at, "Is 97 prime?")
    assert not at.exception and not at.error
    assert last_chat_body(fake)["think"] == "max"
    (summary,) = store.summaries()
    assert store.get(summary.id).think == "max"
    answer = store.messages(summary.id)[-1]
    assert answer.content and answer.thinking.endswith("Now write the final answer.")  # taken, as gpt-oss's "high"
    again = open_chat({"chat": str(summary.id)})
    assert again.segmented_control(key=state.CHAT_THINK_INPUT).value == "max"


def test_an_older_server_offers_no_max(studio_env, fake):
    fake.install("gpt-oss:20b")  # the fake reports 0.13.0
    at = open_chat()
    at.selectbox(key=state.CHAT_MODEL_INPUT).select(ref("gpt-oss:20b")).run()
    assert at.segmented_control(key=state.CHAT_THINK_INPUT).options == ["Low", "Medium", "High"]


def test_a_chat_saved_at_max_opened_against_an_older_server_sends_high(studio_env, fake, store):
    fake.install("gpt-oss:20b")
    conversation_id = store.create(Conversation(model="gpt-oss:20b", think="max"))
    at = open_chat({"chat": str(conversation_id)})
    assert at.segmented_control(key=state.CHAT_THINK_INPUT).value == "high"
    send(at, "Is 97 prime?")
    assert not at.exception and not at.error
    assert last_chat_body(fake)["think"] == "high"
