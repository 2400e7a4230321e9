import json

import pytest

from lib.generate.schema import InvalidSchema, check_output, parse_schema
from tests.markdown_audit import as_read

COUNTRY = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "capital": {"type": "string"},
        "languages": {"type": "array", "items": {"type": "string"}},
        "continent": {"enum": ["Africa", "Americas", "Asia", "Europe", "Oceania"]},
        "address": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "zip": {"type": "integer"}},
            "required": ["city"],
            "additionalProperties": False,
        },
    },
    "required": ["name", "capital", "languages"],
}

# What Pydantic's Country.model_json_schema() produces for a nested, optional model, as
# Ollama's structured-outputs documentation suggests building schemas.
PYDANTIC = {
    "$defs": {
        "City": {
            "properties": {"name": {"title": "Name", "type": "string"}},
            "required": ["name"],
            "title": "City",
            "type": "object",
        }
    },
    "properties": {
        "name": {"title": "Name", "type": "string"},
        "capital": {"$ref": "#/$defs/City"},
        "population": {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": None, "title": "Population"},
    },
    "required": ["name", "capital"],
    "title": "Country",
    "type": "object",
}


@pytest.mark.parametrize(
    "schema",
    [
        COUNTRY,
        PYDANTIC,
        {"type": "array", "items": {"type": "number"}},
        {},
        {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "definitions": {"A": {"type": "string"}},
            "properties": {"a": {"$ref": "#/definitions/A"}},
        },
    ],
)
def test_valid_schemas_are_returned_as_objects(schema):
    assert parse_schema(json.dumps(schema)) == schema


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "The schema is empty"),
        ("   \n", "The schema is empty"),
        (
            '{"type": "object",}',
            "not valid JSON: Expecting property name enclosed in double quotes (line 1, column 19)",
        ),
        ('{"type": "object"\n "properties": {}}', "(line 2, column 2)"),
        ("[1, 2]", "must be a JSON object ({...}), not a list"),
        ("true", "not true or false"),
        ('"object"', "not a string"),
        ('{"type": "strin"}', 'at $.type: "strin" is not a type; use one of string, number, integer'),
        ('{"properties": {"a": {"type": "objekt"}}}', "at $.properties.a.type"),
        ('{"type": "object", "required": "name"}', "at $.required: 'name' is not of type 'array'."),
        ('{"type": "array", "items": 3}', "at $.items"),
        ('{"properties": []}', "at $.properties"),
        ('{"enum": "abc"}', "at $.enum"),
        ('{"additionalProperties": "no"}', "at $.additionalProperties"),
        (
            '{"properties": {"a": {"$ref": "https://example.com/a.json"}}}',
            "The $ref at $.properties.a points outside the schema",
        ),
        (
            '{"properties": {"a": {"$ref": "#/$defs/Missing"}}}',
            "The $ref at $.properties.a (#/$defs/Missing) points at nothing",
        ),
    ],
)
def test_invalid_schemas_are_explained_with_the_place(text, expected):
    with pytest.raises(InvalidSchema) as raised:
        parse_schema(text)
    assert expected in as_read(str(raised.value))


def test_refs_with_escaped_pointer_tokens_resolve():
    schema = {"$defs": {"a/b": {"type": "string"}}, "properties": {"x": {"$ref": "#/$defs/a~1b"}}}
    assert parse_schema(json.dumps(schema)) == schema


def test_conforming_output_is_pretty_printed_with_no_problems():
    answer = '{"name": "Canada", "capital": "Ottawa", "languages": ["English", "French"], "continent": "Americas"}'
    check = check_output(answer, COUNTRY)
    assert check.is_json
    assert check.problems == []
    assert check.value["capital"] == "Ottawa"
    assert check.pretty.startswith('{\n  "name": "Canada",')


def test_json_mode_without_schema_only_parses():
    check = check_output('{"a": [1, "é"]}')
    assert check.is_json and check.problems == []
    assert '"é"' in check.pretty


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ('{"name": "Canada", "languages": []}', ["At $: 'capital' is required but missing."]),
        ('{"name": 5, "capital": "Ottawa", "languages": ["en"]}', ["At $.name: 5 is not of type 'string'."]),
        ('{"name": "a", "capital": "b", "languages": ["en", 7]}', ["At $.languages[1]: 7 is not of type 'string'."]),
        (
            '{"name": "a", "capital": "b", "languages": [], "continent": "Atlantis"}',
            ["At $.continent: 'Atlantis' is not one of ['Africa', 'Americas', 'Asia', 'Europe', 'Oceania']."],
        ),
        (
            '{"name": "a", "capital": "b", "languages": [], "address": {"zip": "x", "street": "y"}}',
            [
                "At $.address: 'city' is required but missing.",
                "At $.address: Properties not in the schema ('street' was unexpected).",
                "At $.address.zip: 'x' is not of type 'integer'.",
            ],
        ),
        ("[]", ["At $: [] is not of type 'object'."]),
    ],
)
def test_non_conforming_output_lists_each_problem_where_it_is(answer, expected):
    check = check_output(answer, COUNTRY)
    assert check.is_json
    assert sorted(as_read(problem) for problem in check.problems) == sorted(expected)


def test_nested_refs_and_optional_fields_from_pydantic_are_checked():
    assert check_output('{"name": "France", "capital": {"name": "Paris"}, "population": null}', PYDANTIC).problems == []
    problems = [
        as_read(p) for p in check_output('{"name": "France", "capital": {}, "population": "many"}', PYDANTIC).problems
    ]
    assert "At $.capital: 'name' is required but missing." in problems
    assert any(p.startswith("At $.population: 'many' is not valid under any of the given schemas") for p in problems)


@pytest.mark.parametrize("answer", ['{"name": "Can', "Sure! Here is the JSON: {}", ""])
def test_output_that_is_not_json_says_so(answer):
    check = check_output(answer, COUNTRY)
    assert not check.is_json
    assert check.value is None
    assert check.problems[0].startswith("The answer is not valid JSON:")


def test_many_problems_are_capped():
    schema = {"type": "array", "items": {"type": "string"}}
    check = check_output(json.dumps(list(range(15))), schema)
    assert len(check.problems) == 11
    assert check.problems[-1] == "… and 5 more."
