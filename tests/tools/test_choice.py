"""A chat's choice of tools as saved (lib/tools/choice.py)."""

from __future__ import annotations

import pytest

from lib.tools import calculator, clock, lookup, units
from lib.tools.choice import BUILT_IN, ToolChoice
from lib.tools.custom import Invalid

MINE = {
    "type": "function",
    "function": {"name": "mine", "description": "", "parameters": {"type": "object", "properties": {}}},
}


def test_the_built_in_names_are_the_tools_own():
    assert BUILT_IN == (calculator.NAME, clock.NAME, units.NAME, lookup.NAME)


def test_a_saved_choice_round_trips():
    choice = ToolChoice(enabled=("calculator", "convert_units"), custom=(MINE,))
    assert choice.to_data() == ["calculator", "convert_units", MINE]
    assert ToolChoice.from_data(choice.to_data()) == choice
    assert ToolChoice.from_data(None) == ToolChoice() and not ToolChoice()


def test_names_come_back_in_the_offered_order_once_each():
    assert ToolChoice.from_data(["convert_units", "calculator", "calculator"]).enabled == (
        "calculator",
        "convert_units",
    )


@pytest.mark.parametrize(
    ("value", "tool", "key"),
    [
        ({"calculator": True}, 0, "tools.choice_not_list"),
        (["calculator", "format_disk"], 2, "tools.choice_unknown"),
        ([MINE, MINE], 2, "tools.custom_name_taken"),
        ([{"name": "calculator"}], 1, "tools.custom_name_taken"),
        ([5], 1, "tools.custom_not_object"),
    ],
)
def test_a_wrong_saved_choice_is_named(value, tool, key):
    with pytest.raises(Invalid) as invalid:
        ToolChoice.from_data(value)
    assert (invalid.value.tool, invalid.value.key) == (tool, key)


def test_a_saved_choice_can_be_read_without_the_schema_check_a_typed_one_gets():
    odd = {"type": "function", "function": {"name": "odd", "parameters": {"type": "object", "properties": 3}}}
    with pytest.raises(Invalid):
        ToolChoice.from_data([odd])
    assert ToolChoice.from_data([odd], check_schemas=False).custom[0]["function"]["name"] == "odd"
