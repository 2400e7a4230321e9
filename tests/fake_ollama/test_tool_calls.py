"""The fake's tool calling on /api/chat: scripted rounds, the calls it makes unscripted, and the answer
after ``tool`` messages, in the shape Ollama streams them."""

from __future__ import annotations

import json
import re
from typing import Any

import ollama
import pytest
import requests
from ollama._types import ChatResponse

from tests.fake_ollama import FakeOllama


def function(name: str, **properties: str) -> dict[str, Any]:
    schema = {name: {"type": kind, "description": name} for name, kind in properties.items()}
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": f"The {name} tool",
            "parameters": {"type": "object", "properties": schema, "required": list(schema)},
        },
    }


CALCULATOR = function("calculator", expression="string")
CLOCK = function("current_time", timezone="string")
CONVERTER = function("convert_units", value="number", from_unit="string", to_unit="string")
LOOKUP = function("search_documents", query="string")
ALL = [CALCULATOR, CLOCK, CONVERTER, LOOKUP]
CALL_ID = re.compile(r"^call_[0-9a-f]{8}$")


def user(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


def chat(fake: FakeOllama, messages: list[dict[str, Any]], tools: list[dict[str, Any]], **fields: Any) -> Any:
    body = {"model": "llama3.2", "messages": messages, "tools": tools, **fields}
    response = requests.post(fake.url + "/api/chat", json=body, timeout=10)
    assert response.status_code == 200, response.text
    if fields.get("stream") is False:
        return response.json()
    return [json.loads(line) for line in response.iter_lines() if line]


def calls_of(fake: FakeOllama, prompt: str, tools: list[dict[str, Any]] = ALL) -> list[tuple[str, Any]]:
    reply = chat(fake, user(prompt), tools, stream=False)
    return [(c["function"]["name"], c["function"]["arguments"]) for c in reply["message"].get("tool_calls", [])]


# The shape


def test_a_call_is_streamed_as_one_chunk_then_the_final_one(fake):
    *chunks, final = chat(fake, user("What is 12*(3+4)?"), ALL)
    assert len(chunks) == 1
    [chunk] = chunks
    assert set(chunk) == {"model", "created_at", "message", "done"} and chunk["done"] is False
    message = chunk["message"]
    assert (message["role"], message["content"]) == ("assistant", "")
    [call] = message["tool_calls"]
    assert CALL_ID.match(call["id"])
    assert call["function"] == {"index": 0, "name": "calculator", "arguments": {"expression": "12*(3+4)"}}
    assert final["done"] is True and final["done_reason"] == "stop"
    assert final["message"] == {"role": "assistant", "content": ""}
    assert final["eval_count"] > 0 and final["prompt_eval_count"] > 0
    for line in (chunk, final):
        ChatResponse.model_validate(line)


def test_not_streamed_the_one_object_holds_the_calls(fake):
    reply = chat(fake, user("What is 12*(3+4)?"), ALL, stream=False)
    ChatResponse.model_validate(reply)
    assert reply["done"] is True and reply["message"]["content"] == ""
    assert [c["function"]["name"] for c in reply["message"]["tool_calls"]] == ["calculator"]
    streamed = chat(fake, user("What is 12*(3+4)?"), ALL)
    assert streamed[0]["message"]["tool_calls"] == reply["message"]["tool_calls"]


def test_a_thinking_model_thinks_before_it_calls(fake):
    body = {"model": "qwen3:0.6b", "messages": user("计算 2**10"), "tools": ALL}
    lines = [json.loads(line) for line in requests.post(fake.url + "/api/chat", json=body, timeout=10).iter_lines()]
    *chunks, calling, final = lines
    assert chunks and all(c["message"]["thinking"] and not c["message"].get("tool_calls") for c in chunks)
    assert calling["message"]["tool_calls"][0]["function"]["arguments"] == {"expression": "2**10"}
    assert final["done"] and final["eval_count"] > len(chunks)
    for line in lines:
        ChatResponse.model_validate(line)


def test_the_official_client_reads_the_calls(fake):
    client = ollama.Client(host=fake.url)
    reply = client.chat("llama3.2", messages=user("What is 12*(3+4)?"), tools=ALL)
    [call] = reply.message.tool_calls or []
    assert (call.function.name, call.function.arguments) == ("calculator", {"expression": "12*(3+4)"})


# Scripted rounds


def test_scripted_rounds_are_answered_in_order_one_per_request_that_declares_tools(fake):
    fake.script_tool_calls([{"name": "current_time", "arguments": {}}, {"name": "calculator", "arguments": {"x": 1}}])
    fake.script_tool_calls([{"name": "calculator", "arguments": "not an object"}])
    plain = chat(fake, user("Hello there"), [], stream=False)
    assert "tool_calls" not in plain["message"]  # no tools declared: the rounds wait
    first = chat(fake, user("Hello there"), ALL, stream=False)["message"]["tool_calls"]
    assert [(c["function"]["index"], c["function"]["name"], c["function"]["arguments"]) for c in first] == [
        (0, "current_time", {}),
        (1, "calculator", {"x": 1}),
    ]
    assert len({c["id"] for c in first}) == 2
    after_results = [*user("Hello there"), {"role": "tool", "content": "12:00", "tool_name": "current_time"}]
    *_, calling, _final = chat(fake, after_results, ALL)
    assert calling["message"]["tool_calls"][0]["function"]["arguments"] == "not an object"
    assert "tool_calls" not in chat(fake, user("Hello there"), ALL, stream=False)["message"]


@pytest.mark.parametrize("arguments", [None, 10**40, [1, 2], {"expression": "9" * 5000}])
def test_scripted_arguments_can_be_anything(fake, arguments):
    fake.script_tool_calls([{"name": "calculator", "arguments": arguments}])
    [call] = chat(fake, user("hi"), [CALCULATOR], stream=False)["message"]["tool_calls"]
    assert call["function"]["arguments"] == arguments


def test_reset_drops_scripted_rounds(fake):
    fake.script_tool_calls([{"name": "calculator", "arguments": {}}])
    fake.reset()
    assert "tool_calls" not in chat(fake, user("Hello there"), ALL, stream=False)["message"]


# Unscripted calls


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("What is 12*(3+4)?", ("calculator", {"expression": "12*(3+4)"})),
        ("计算 2**10", ("calculator", {"expression": "2**10"})),
        ("How much is 1.5 + 2 / (7 - 3)", ("calculator", {"expression": "1.5 + 2 / (7 - 3)"})),
        ("What time is it in Tokyo?", ("current_time", {"timezone": "Asia/Tokyo"})),
        ("What's the date in New York today?", ("current_time", {"timezone": "America/New_York"})),
        ("北京现在几点？", ("current_time", {"timezone": "Asia/Shanghai"})),
        ("What time is it?", ("current_time", {})),
        ("What time is it in Europe/Berlin?", ("current_time", {"timezone": "Europe/Berlin"})),
        ("Please convert 5 miles to km", ("convert_units", {"value": 5, "from_unit": "miles", "to_unit": "km"})),
        ("Convert 98.6 F to C", ("convert_units", {"value": 98.6, "from_unit": "F", "to_unit": "C"})),
        ("convert 60 km/h into m/s", ("convert_units", {"value": 60, "from_unit": "km/h", "to_unit": "m/s"})),
        ("Convert 20 degC to degF.", ("convert_units", {"value": 20, "from_unit": "degC", "to_unit": "degF"})),
        (
            "What does the contract say about refunds?",
            ("search_documents", {"query": "What does the contract say about refunds?"}),
        ),
    ],
)
def test_a_declared_tool_that_fits_the_question_is_called(fake, prompt, expected):
    assert calls_of(fake, prompt) == [expected]


@pytest.mark.parametrize(
    ("prompt", "tools"),
    [
        ("Tell me a story about dragons", ALL),
        ("What is 12*(3+4)?", [CLOCK, CONVERTER]),  # no calculator
        ("What is 12*(3+4)?", [function("calculator", numbers="array")]),  # no expression parameter
        ("What time is it in Tokyo?", [CALCULATOR]),
        ("Convert this text to uppercase", [CONVERTER]),  # no number and unit
        ("I like documents.", [LOOKUP]),  # not a question
    ],
)
def test_otherwise_the_model_answers_normally(fake, prompt, tools):
    reply = chat(fake, user(prompt), tools, stream=False)
    assert "tool_calls" not in reply["message"] and reply["message"]["content"]


@pytest.mark.parametrize("parameter", ["expr", "input", "math_expression"])
def test_the_calculators_parameter_is_named_as_the_tool_declares_it(fake, parameter):
    calculator = function("calc", **{parameter: "string"})
    assert calls_of(fake, "What is 6 * 7?", [calculator]) == [("calc", {parameter: "6 * 7"})]


def test_the_tools_schema_names_the_converters_parameters(fake):
    converter = function("unit_converter", amount="number", to="string")
    converter["function"]["parameters"]["properties"]["from"] = {"type": "string"}
    assert calls_of(fake, "Can you convert 3 kg to lb?", [converter]) == [
        ("unit_converter", {"amount": 3, "from": "kg", "to": "lb"})
    ]


def test_a_tool_result_is_not_answered_with_another_unscripted_call(fake):
    messages = [
        *user("What is 12*(3+4)?"),
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [{"function": {"name": "calculator", "arguments": {"expression": "12*(3+4)"}}}],
        },
        {"role": "tool", "content": "84", "tool_name": "calculator", "tool_call_id": "call_0123abcd"},
    ]
    reply = chat(fake, messages, ALL, stream=False)
    assert "tool_calls" not in reply["message"]
    assert reply["message"]["content"] == "The result is 84."


# The answer after tool results


def test_the_answer_mentions_every_result(fake):
    messages = [
        *user("What time is it in Tokyo and what is 2+2?"),
        {"role": "assistant", "content": "", "tool_calls": [{"function": {"name": "current_time", "arguments": {}}}]},
        {"role": "tool", "content": "2026-12-07T18:00:00+09:00", "tool_name": "current_time"},
        {"role": "tool", "content": "4", "tool_name": "calculator"},
    ]
    streamed = chat(fake, messages, [])
    text = "".join(line["message"]["content"] for line in streamed)
    assert "2026-12-07T18:00:00+09:00" in text and "calculator returned 4" in text
    assert all("tool_calls" not in line["message"] for line in streamed)


def test_a_scripted_reply_still_wins_after_tool_results(fake):
    fake.script_reply("Scripted.")
    messages = [*user("2+2?"), {"role": "tool", "content": "4", "tool_name": "calculator"}]
    assert chat(fake, messages, ALL, stream=False)["message"]["content"] == "Scripted."


def test_declaring_tools_and_sending_results_counts_in_the_prompt(fake):
    question = user("Tell me a story about dragons")
    without = chat(fake, question, [], stream=False)["prompt_eval_count"]
    assert chat(fake, question, ALL, stream=False)["prompt_eval_count"] > without + 50


def test_a_model_without_tools_refuses_them(fake):
    body = {"model": "llava:7b", "messages": user("What is 2+2?"), "tools": [CALCULATOR]}
    refused = requests.post(fake.url + "/api/chat", json=body, timeout=10)
    assert (refused.status_code, refused.json()) == (
        400,
        {"error": "registry.ollama.ai/library/llava:7b does not support tools"},
    )


def test_num_predict_too_small_for_the_call_stops_at_the_length_limit(fake):
    reply = chat(fake, user("What is 12*(3+4)?"), ALL, stream=False, options={"num_predict": 3})
    assert reply["done_reason"] == "length" and "tool_calls" not in reply["message"]
