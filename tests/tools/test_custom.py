"""The user's own tools (lib/tools/custom.py): declarations checked, each problem named with its tool."""

from __future__ import annotations

import json

import pytest

from lib.tools import custom
from lib.tools.custom import Invalid


def test_the_example_is_a_valid_declaration():
    (declaration,) = custom.parse(custom.EXAMPLE)
    assert declaration["function"]["name"] == "get_weather"
    assert custom.parse(custom.text_of((declaration,))) == (declaration,)


def test_a_bare_function_object_and_a_list_are_taken():
    text = json.dumps(
        [{"name": "a", "parameters": {"type": "object"}}, {"type": "function", "function": {"name": "b"}}]
    )
    declared = custom.parse(text)
    assert [custom.name_of(d) for d in declared] == ["a", "b"]
    assert declared[1]["function"]["parameters"] == {"type": "object", "properties": {}}
    assert custom.parse("  ") == ()


@pytest.mark.parametrize(
    ("text", "tool", "key"),
    [
        ('{"name": "a",', 0, "tools.custom_not_json"),
        ("[1]", 1, "tools.custom_not_object"),
        ('{"type": "class", "function": {"name": "a"}}', 1, "tools.custom_bad_type"),
        ('{"name": "has space"}', 1, "tools.custom_bad_name"),
        ('{"name": 5}', 1, "tools.custom_bad_name"),
        ('[{"name": "a"}, {"name": "a"}]', 2, "tools.custom_name_taken"),
        ('{"name": "calculator"}', 1, "tools.custom_name_taken"),
        ('{"name": "a", "description": 3}', 1, "tools.custom_bad_description"),
        ('{"name": "a", "parameters": {"type": "string"}}', 1, "tools.custom_parameters_object"),
        (
            '{"name": "a", "parameters": {"type": "object", "properties": {"x": {"type": "strang"}}}}',
            1,
            "tools.custom_bad_parameters",
        ),
        (json.dumps([{"name": f"t{n}"} for n in range(11)]), 0, "tools.custom_too_many"),
    ],
)
def test_a_wrong_declaration_is_named_with_its_place(text, tool, key):
    with pytest.raises(Invalid) as invalid:
        custom.parse(text, taken=("calculator",))
    assert (invalid.value.tool, invalid.value.key) == (tool, key)


def test_json_that_does_not_parse_says_where():
    with pytest.raises(Invalid) as invalid:
        custom.parse('{\n  "name": "a",\n  oops\n}')
    assert invalid.value.values == {"line": 3, "column": 3}
