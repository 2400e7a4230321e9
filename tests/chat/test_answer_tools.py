"""Tool calling and structured output in the single Chat (lib/chat/answer.py with lib/tools/), against the
fake server's scripted tool calls: each round's calls shown as steps and sent back as ``tool`` messages,
the round limit, wrong and hostile calls, the user's own tool, Stop between rounds, and the answer format."""

from __future__ import annotations

import json
import time

import pytest
from streamlit.testing.v1 import AppTest

from lib import state
from lib.chat import context
from lib.chat.history import ASSISTANT, AWAITING, DONE, STOPPED, USER
from lib.chat.store import ChatStore
from lib.tools import custom, registry, steps
from tests.chat.conftest import button, open_chat, ref, send
from tests.documents.in_chat import (
    CAT_PASSAGE,
    CAT_QUESTION,
    EMBEDDING_MODEL,
    NOTES,
    add_file,
    fresh_vectors,  # noqa: F401 (an autouse fixture)
)

TOOLS_MODEL = "llama3.2:latest"


def tool_chat(*tools: str, model: str = TOOLS_MODEL) -> AppTest:
    """A new chat with ``model`` and the built-in ``tools`` switched on."""
    at = open_chat()
    at.selectbox(key=state.CHAT_MODEL_INPUT).set_value(ref(model)).run()
    for name in tools:
        at.toggle(key=f"{state.CHAT_TOOL_INPUT}_{name}").set_value(True).run()
    assert not at.exception
    return at


def chat_bodies(fake) -> list[dict]:
    return [request.body for request in fake.requests_to("/api/chat")]


def steps_on_screen(at: AppTest, index: int = -1) -> list[tuple[str, list[str]]]:
    """Each step's expander label and its code blocks (arguments, result) in a message bubble."""
    bubble = at.chat_message[index]
    return [(expander.label, [code.value for code in expander.code]) for expander in bubble.expander]


def saved_answer(store: ChatStore):
    return store.messages(store.summaries()[0].id)[-1]


def test_one_round_runs_the_call_shows_the_step_and_sends_the_result_back(chat, fake, store):
    at = tool_chat("calculator", "convert_units")
    send(at, "What is 12*(3+4)?")
    assert not at.exception
    first, second = chat_bodies(fake)
    assert [tool["function"]["name"] for tool in first["tools"]] == ["calculator", "convert_units"]
    assert second["messages"][1:] == [
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [{"function": {"index": 0, "name": "calculator", "arguments": {"expression": "12*(3+4)"}}}],
        },
        {"role": "tool", "content": "84", "tool_name": "calculator"},
    ]
    assert steps_on_screen(at) == [("Calculator · 84", ['{\n  "expression": "12*(3+4)"\n}', "84"])]
    assert "84" in at.chat_message[-1].markdown[-1].value
    answer = saved_answer(store)
    assert (answer.status, [[s.result for s in r.steps] for r in answer.tools]) == (DONE, [["84"]])


def test_a_reload_shows_the_steps_and_the_next_turn_replays_them(chat, fake, store):
    at = tool_chat("calculator")
    send(at, "What is 2**10?")
    again = open_chat({"chat": str(store.summaries()[0].id)})
    assert steps_on_screen(again, 1) == [("Calculator · 1024", ['{\n  "expression": "2**10"\n}', "1024"])]
    send(again, "Thanks, and 3*3?")
    replayed = chat_bodies(fake)[2]["messages"]
    assert [(m["role"], m.get("tool_name")) for m in replayed[:5]] == [
        (USER, None),
        (ASSISTANT, None),
        ("tool", "calculator"),
        (ASSISTANT, None),
        (USER, None),
    ]
    assert replayed[2]["content"] == "1024"


def test_two_rounds_run_one_after_the_other(chat, fake, store):
    fake.script_tool_calls([{"name": "calculator", "arguments": {"expression": "6*7"}}])
    fake.script_tool_calls([{"name": "current_time", "arguments": {"timezone": "Asia/Tokyo"}}])
    at = tool_chat("calculator", "current_time")
    send(at, "Multiply, then tell me the time in Tokyo.")
    bodies = chat_bodies(fake)
    assert len(bodies) == 3
    assert [m.get("tool_name") for m in bodies[2]["messages"] if m["role"] == "tool"] == ["calculator", "current_time"]
    labels = [label for label, _ in steps_on_screen(at)]
    assert labels[0] == "Calculator · 42" and labels[1].startswith("Date and time · ")
    answer = saved_answer(store)
    assert [len(r.steps) for r in answer.tools] == [1, 1]
    assert "(Asia/Tokyo, UTC+09:00)" in answer.tools[1].steps[0].result


def test_a_model_that_keeps_calling_is_stopped_after_the_round_limit_with_a_sentence(chat, fake, store):
    for n in range(steps.MAX_ROUNDS + 3):
        fake.script_tool_calls([{"name": "calculator", "arguments": {"expression": f"{n}+1"}}])
    at = tool_chat("calculator")
    send(at, "Count forever.")
    assert not at.exception
    assert len(chat_bodies(fake)) == steps.MAX_ROUNDS + 1
    bubble = at.chat_message[-1]
    assert any(f"after {steps.MAX_ROUNDS} rounds" in warning.value for warning in bubble.warning)
    assert steps_on_screen(at)[-1][0] == "Calculator: not run"
    answer = saved_answer(store)
    assert answer.status == DONE and len(answer.tools) == steps.MAX_ROUNDS + 1
    assert answer.tools[-1].not_run and not any(r.not_run for r in answer.tools[:-1])


@pytest.mark.parametrize(
    ("call", "label", "told"),
    [
        ({"name": "rm_rf", "arguments": {"path": "/"}}, "rm\\_rf: no result", "There is no tool `rm_rf`"),
        ({"name": "current_time", "arguments": {}}, "Date and time: no result", "There is no tool `current_time`"),
        ({"name": "calculator", "arguments": {"expression": "2**10**10"}}, "Calculator: no result", "too large"),
        (
            {"name": "calculator", "arguments": {"expression": "__import__('os')"}},
            "Calculator: no result",
            "not a known",
        ),
        ({"name": "calculator", "arguments": ["2+2"]}, "Calculator: no result", "must be a JSON object"),
        ({"name": "calculator", "arguments": "not json"}, "Calculator: no result", "must be a JSON object"),
        ({"name": "calculator", "arguments": {}}, "Calculator: no result", "The argument `expression` is missing."),
        ({"name": "calculator", "arguments": {"expression": 9**99}}, "Calculator: no result", "must be text"),
    ],
)
def test_a_wrong_or_hostile_call_is_a_step_with_a_sentence_the_model_is_told(chat, fake, store, call, label, told):
    fake.script_tool_calls([call])
    at = tool_chat("calculator")  # the clock stays off: a call of it is a call of an unknown tool
    started = time.monotonic()
    send(at, "Do it.")
    assert time.monotonic() - started < 20
    assert not at.exception
    ((shown, _arguments_and_result),) = steps_on_screen(at)
    assert shown == label
    assert told in at.chat_message[-1].expander[0].error[0].value.replace("\\", "")
    sent_back = [m for m in chat_bodies(fake)[-1]["messages"] if m["role"] == "tool"]
    assert len(sent_back) == 1 and told in sent_back[0]["content"]
    assert saved_answer(store).tools[0].steps[0].refusal is not None


def test_tools_are_not_offered_to_a_model_that_cannot_call_them(chat, fake):
    at = tool_chat("calculator", model="llava:7b")
    assert any("cannot call tools" in caption.value for expander in at.expander for caption in expander.caption)
    send(at, "What is 12*(3+4)?")
    assert "tools" not in chat_bodies(fake)[-1] and len(chat_bodies(fake)) == 1
    assert not at.chat_message[-1].expander


def test_the_users_own_tool_pauses_the_answer_until_its_result_is_typed(chat, fake, store):
    at = tool_chat()
    at.text_area(key=state.CHAT_CUSTOM_TOOLS_INPUT).set_value(custom.EXAMPLE).run()
    assert not at.exception
    fake.script_tool_calls([{"name": "get_weather", "arguments": {"city": "Paris"}}])
    send(at, "What is the weather in Paris?")
    assert [tool["function"]["name"] for tool in chat_bodies(fake)[0]["tools"]] == ["get_weather"]
    paused = saved_answer(store)
    assert paused.status == AWAITING and paused.tools[0].steps[0].waiting
    assert [b.label for b in at.chat_message[-1].button][:1] == ["Send the result"]  # in place, at once
    at = open_chat({"chat": str(store.summaries()[0].id)})  # the pause survives a reload
    assert steps_on_screen(at, 1)[0][0] == "get\\_weather: waiting for your result"
    box = f"{state.CHAT_TOOL_RESULT_INPUT}_{paused.id}_0"
    button(at, "Send the result").click().run()
    assert any("Type a result" in warning.value for warning in at.warning)
    assert len(chat_bodies(fake)) == 1
    at.text_area(key=box).set_value("Sunny, 24 °C").run()
    assert len(chat_bodies(fake)) == 1
    button(at, "Send the result").click().run()
    assert not at.exception
    bodies = chat_bodies(fake)
    assert len(bodies) == 2
    assert bodies[1]["messages"][-1] == {"role": "tool", "content": "Sunny, 24 °C", "tool_name": "get_weather"}
    answer = saved_answer(store)
    assert (answer.id, answer.status) == (paused.id, DONE)
    assert "Sunny, 24 °C" in answer.content
    assert [m.role for m in store.messages(store.summaries()[0].id)] == [USER, ASSISTANT]


def test_stop_between_rounds_keeps_the_steps_and_asks_no_more(chat, fake, store, monkeypatch):
    def slow_calculator(arguments):
        time.sleep(4)
        return "84"

    monkeypatch.setattr(registry.calculator, "run", slow_calculator)
    at = tool_chat("calculator")
    with pytest.raises(RuntimeError, match="timed out"):
        at.chat_input(key=state.CHAT_PROMPT_INPUT).set_value("What is 12*(3+4)?").run(timeout=2)
    deadline = time.monotonic() + 15
    while len(store.messages(store.summaries()[0].id)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    answer = saved_answer(store)
    assert answer.status == STOPPED
    assert [[s.result for s in r.steps] for r in answer.tools] == [["84"]]
    time.sleep(0.5)
    assert len(chat_bodies(fake)) == 1


def test_stop_while_the_next_round_streams_keeps_the_steps_and_the_part_that_arrived(chat, fake, store):
    fake.token_delay = 0.05
    fake.script_tool_calls([{"name": "calculator", "arguments": {"expression": "1+1"}}])
    fake.script_reply(" ".join(f"word{n}" for n in range(400)))
    at = tool_chat("calculator")
    with pytest.raises(RuntimeError, match="timed out"):
        at.chat_input(key=state.CHAT_PROMPT_INPUT).set_value("Add, then talk.").run(timeout=4)
    assert fake.wait_for(lambda f: f.requests_to("/api/chat")[-1].client_disconnected, timeout=10)
    deadline = time.monotonic() + 10
    while len(store.messages(store.summaries()[0].id)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    answer = saved_answer(store)
    assert answer.status == STOPPED and answer.content.startswith("word0")
    assert answer.tools[0].steps[0].result == "2"


SCHEMA = {"type": "object", "properties": {"answer": {"type": "integer"}}, "required": ["answer"]}


def format_chat(output_format: str, schema: dict | None = None) -> AppTest:
    at = open_chat()
    at.segmented_control(key=state.CHAT_FORMAT_INPUT).set_value(output_format).run()
    if schema is not None:
        at.text_area(key=state.CHAT_SCHEMA_INPUT).set_value(json.dumps(schema)).run()
    assert not at.exception
    return at


def test_a_schema_is_sent_as_format_and_a_matching_answer_shown_indented_with_a_tick(chat, fake, store):
    at = format_chat("schema", SCHEMA)
    fake.script_reply('{"answer": 42}')
    send(at, "The answer?")
    assert chat_bodies(fake)[-1]["format"] == SCHEMA
    bubble = at.chat_message[-1]
    assert [code.value for code in bubble.code] == ['{\n  "answer": 42\n}']
    assert bubble.success[0].value == "The answer matches the schema."
    assert saved_answer(store).format == SCHEMA
    again = open_chat({"chat": str(store.summaries()[0].id)})
    assert [code.value for code in again.chat_message[1].code] == ['{\n  "answer": 42\n}']
    assert again.segmented_control(key=state.CHAT_FORMAT_INPUT).value == "schema"


def test_an_answer_that_breaks_the_schema_says_where_with_a_cross(chat, fake):
    at = format_chat("schema", SCHEMA)
    fake.script_reply('{"answer": "forty-two"}')
    send(at, "The answer?")
    (error,) = at.chat_message[-1].error
    assert error.value.startswith("The answer does not match the schema:")
    assert "answer" in error.value


def test_json_format_and_an_answer_that_is_not_json(chat, fake):
    at = format_chat("json")
    fake.script_reply("not json at all")
    send(at, "Anything")
    assert chat_bodies(fake)[-1]["format"] == "json"
    bubble = at.chat_message[-1]
    assert bubble.warning and [code.value for code in bubble.code] == ["not json at all"]
    assert not bubble.markdown or "not json at all" not in bubble.markdown[-1].value


def test_a_wrong_schema_or_declaration_keeps_the_chat_box_closed_with_a_sentence(chat, fake):
    at = format_chat("schema")
    at.text_area(key=state.CHAT_SCHEMA_INPUT).set_value('{"type": "strang"}').run()
    assert any("Fix the JSON schema" in warning.value for warning in at.warning)
    assert at.chat_input(key=state.CHAT_PROMPT_INPUT).disabled
    at.segmented_control(key=state.CHAT_FORMAT_INPUT).set_value("plain").run()
    at.text_area(key=state.CHAT_CUSTOM_TOOLS_INPUT).set_value('{"name": "x",\n oops}').run()
    assert any("line 2, column 2" in error.value for error in at.error)
    assert at.chat_input(key=state.CHAT_PROMPT_INPUT).disabled


def test_a_chat_with_documents_lets_the_model_search_them(chat, fake, store):
    at = tool_chat("search_documents", "calculator")
    send(at, "Hello")  # the lookup is offered only once the chat has documents
    assert [tool["function"]["name"] for tool in chat_bodies(fake)[0]["tools"]] == ["calculator"]
    add_file(at, "notes.md", NOTES, model=EMBEDDING_MODEL)
    fake.script_tool_calls([{"name": "search_documents", "arguments": {"query": CAT_QUESTION}}])
    send(at, CAT_QUESTION)
    assert not at.exception
    asked, answered = chat_bodies(fake)[-2:]
    assert [tool["function"]["name"] for tool in asked["tools"]] == ["calculator", "search_documents"]
    result = json.loads(answered["messages"][-1]["content"])
    assert answered["messages"][-1]["tool_name"] == "search_documents"
    assert result["passages"][0]["file"] == "notes.md" and CAT_PASSAGE in result["passages"][0]["text"]


def test_the_context_bar_follows_a_paused_answer_that_went_on(chat, fake, store):
    at = tool_chat()
    at.text_area(key=state.CHAT_CUSTOM_TOOLS_INPUT).set_value(custom.EXAMPLE).run()
    fake.script_tool_calls([{"name": "get_weather", "arguments": {"city": "Paris"}}])
    send(at, "What is the weather in Paris?")
    at = open_chat({"chat": str(store.summaries()[0].id)})
    paused = saved_answer(store)
    at.text_area(key=f"{state.CHAT_TOOL_RESULT_INPUT}_{paused.id}_0").set_value("Sunny " * 300).run()
    button(at, "Send the result").click().run()
    assert not at.exception
    shown = at.session_state[state.CHAT_CONTEXT][1][0]
    assert shown == context.tokens_in_use(store.messages(store.summaries()[0].id))
    assert shown > paused.stats.prompt_tokens + 300  # the typed result is in the window now


def test_the_thinking_of_a_round_goes_back_with_its_calls(chat, fake, store):
    at = tool_chat("calculator", model="qwen3:0.6b")
    at.segmented_control(key=state.CHAT_THINK_INPUT).set_value(True).run()
    send(at, "What is 12*(3+4)?")
    assert not at.exception
    _first, second = chat_bodies(fake)
    replayed = [m for m in second["messages"] if m["role"] == "assistant" and m.get("tool_calls")]
    assert replayed and replayed[0]["thinking"] == saved_answer(store).tools[0].thinking != ""
