"""Running the model's calls (lib/tools/registry.py): any call, however wrong, is a step with a sentence."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lib.tools import registry
from lib.tools.registry import Context, ToolChoice

MINE = {
    "type": "function",
    "function": {"name": "mine", "description": "", "parameters": {"type": "object", "properties": {}}},
}
ALL = ToolChoice(enabled=registry.BUILT_IN, custom=(MINE,))
CONTEXT = Context(now=lambda: datetime(2026, 7, 1, 12, tzinfo=UTC))


def call(name, arguments) -> dict:
    return {"id": "call_1", "function": {"index": 0, "name": name, "arguments": arguments}}


def test_a_calculator_call_gives_its_value():
    step = registry.run_call(call("calculator", {"expression": "12*(3+4)"}), ALL, CONTEXT)
    assert (step.name, step.result, step.refusal, step.waiting) == ("calculator", "84", None, False)


def test_arguments_sent_as_a_json_text_are_read():
    assert registry.run_call(call("calculator", '{"expression": "2+2"}'), ALL, CONTEXT).result == "4"


@pytest.mark.parametrize(
    ("the_call", "key"),
    [
        (call("calculator", {"expression": "2**10**10"}), "tools.calculator_too_large"),
        (call("calculator", {"expression": "__import__('os')"}), "tools.calculator_unknown_function"),
        (call("calculator", {}), "tools.missing_argument"),
        (call("calculator", {"expression": 7}), "tools.must_be_text"),
        (call("calculator", ["1+1"]), "tools.arguments_not_object"),
        (call("calculator", "12*3"), "tools.arguments_not_object"),
        (call("rm_rf", {}), "tools.unknown_tool"),
        (call(None, {}), "tools.bad_call"),
        ({"function": "calculator"}, "tools.bad_call"),
        ("calculator", "tools.bad_call"),
        (call("current_time", {"timezone": "Nowhere/Land"}), "tools.clock_unknown_zone"),
        (call("convert_units", {"value": 1, "from_unit": "kg", "to_unit": "m"}), "tools.units_incompatible"),
    ],
)
def test_a_wrong_call_is_a_step_with_the_sentence_the_model_is_told(the_call, key):
    step = registry.run_call(the_call, ALL, CONTEXT)
    assert step.refusal is not None and step.refusal.key == key
    assert step.result == registry.say(step.refusal) and step.result


def test_a_switched_off_tool_is_unknown_to_the_chat():
    step = registry.run_call(call("calculator", {"expression": "1"}), ToolChoice(enabled=("current_time",)), CONTEXT)
    assert step.refusal is not None and step.refusal.key == "tools.unknown_tool"
    assert step.refusal.values["known"] == "current_time"


def test_the_lookup_is_offered_only_to_a_chat_with_documents():
    assert "search_documents" not in registry.offered_names(ALL, documents=False)
    assert registry.offered_names(ALL, documents=True) == [*registry.BUILT_IN, "mine"]
    assert registry.run_call(call("search_documents", {"query": "x"}), ALL, CONTEXT).refusal.key == "tools.unknown_tool"


def test_a_call_of_the_users_own_tool_waits_for_them():
    step = registry.run_call(call("mine", {"a": 1}), ALL, CONTEXT)
    assert step.custom and step.waiting and step.result is None


def test_a_tool_that_breaks_is_a_sentence_not_an_exception(monkeypatch):
    monkeypatch.setattr(registry.calculator, "run", lambda arguments: 1 / 0)
    step = registry.run_call(call("calculator", {"expression": "1"}), ALL, CONTEXT)
    assert step.refusal is not None and step.refusal.key == "tools.failed"


def test_calls_past_the_limit_of_a_round_are_refused():
    extra = registry.too_many([call("calculator", {})] * (registry.MAX_CALLS + 2))
    assert [step.refusal.key for step in extra] == ["tools.too_many_calls"] * 2
