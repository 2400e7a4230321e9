"""An answer's tool rounds as data (lib/tools/steps.py): saved, read back strictly, replayed as messages."""

from __future__ import annotations

import pytest

from lib.tools import steps
from lib.tools.refusal import Refusal
from lib.tools.steps import Round, Step, Unreadable

ROUNDS = [
    Round(
        content="",
        thinking="I should compute.",
        steps=[
            Step("calculator", {"expression": "6*7"}, result="42"),
            Step("calculator", "not an object", result="The arguments must be…", refusal=Refusal("tools.x", {"n": 1})),
        ],
    ),
    Round(steps=[Step("get_weather", {"city": "Paris"}, custom=True)]),
    Round(steps=[Step("calculator", {"expression": "1"})], not_run=True),
]


def test_rounds_round_trip_through_json():
    assert steps.from_json(steps.to_json(ROUNDS)) == ROUNDS
    assert steps.from_json(None) == []


def test_only_calls_with_a_result_are_replayed_as_ollama_history_holds_them():
    assert steps.replayed(ROUNDS) == [
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [
                {"function": {"index": 0, "name": "calculator", "arguments": {"expression": "6*7"}}},
                {"function": {"index": 1, "name": "calculator", "arguments": {}}},
            ],
        },
        {"role": "tool", "content": "42", "tool_name": "calculator"},
        {"role": "tool", "content": "The arguments must be…", "tool_name": "calculator"},
    ]


def test_a_call_of_the_users_tool_waits_until_a_result_is_typed():
    assert steps.waiting(ROUNDS) == [ROUNDS[1].steps[0]]


@pytest.mark.parametrize(
    ("arguments", "read"),
    [({"a": 1}, {"a": 1}), ('{"a": 1}', {"a": 1}), ("[1]", None), (5, None), ("{oops", None), (None, None)],
)
def test_arguments_are_an_object_or_nothing(arguments, read):
    assert steps.object_arguments(arguments) == read


@pytest.mark.parametrize(
    ("value", "where", "key"),
    [
        ({}, (), "chat_import.must_be_list"),
        ([5], (0,), "chat_import.must_be_object"),
        ([{"steps": {}}], (0, "steps"), "chat_import.must_be_list"),
        ([{"oops": 1}], (0, "oops"), "chat_import.unknown_field"),
        ([{"steps": [{"name": 3}]}], (0, "steps", 0, "name"), "chat_import.must_be_text"),
        (
            [{"steps": [{"name": "a", "arguments": float("nan")}]}],
            (0, "steps", 0, "arguments"),
            "chat_import.not_finite",
        ),
        ([{"steps": [{"name": "a", "refusal": {"key": 1}}]}], (0, "steps", 0, "refusal"), "chat_import.must_be_object"),
        ([{"not_run": "yes"}], (0, "not_run"), "chat_import.must_be_boolean"),
        ([{}] * 51, (), "chat_import.too_many"),
    ],
)
def test_saved_rounds_in_another_shape_are_named_where_they_go_wrong(value, where, key):
    with pytest.raises(Unreadable) as unreadable:
        steps.from_data(value)
    assert (unreadable.value.where, unreadable.value.key) == (where, key)


def test_arguments_that_cannot_be_saved_are_kept_as_shortened_text():
    huge = {"expression": "1+" * 60_000 + "1"}
    kept = Step("calculator", huge).arguments
    assert isinstance(kept, str) and len(kept) < steps.MAX_ARGUMENTS_CHARS and kept.endswith("…")
    assert Step("convert_units", {"value": float("nan")}).arguments == "{'value': nan}"
    assert Step("calculator", {"expression": "6*7"}).arguments == {"expression": "6*7"}  # the usual: as sent
    for step in (Step("calculator", huge, result="x"), Step("convert_units", {"value": float("inf")}, result="x")):
        assert steps.from_json(steps.to_json([Round("", "", [step])]))[0].steps[0].arguments == step.arguments


def test_a_long_refusal_value_is_shortened_so_the_round_reads_back():
    values = steps.sent_values({"problem": ValueError("x" * 20_000)})
    step = Step("search_documents", {}, result="no", refusal=Refusal("tools.failed", values))
    assert steps.from_json(steps.to_json([Round("", "", [step])]))[0].steps[0].refusal.values == values


def test_the_answer_being_produced_replays_its_thinking_with_its_calls_earlier_answers_do_not():
    rounds = [Round("", "I will use the calculator.", [Step("calculator", {"expression": "6*7"}, result="42")])]
    assert steps.replayed(rounds, thinking=True)[0]["thinking"] == "I will use the calculator."
    assert "thinking" not in steps.replayed(rounds)[0]
