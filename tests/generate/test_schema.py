import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from lib.generate import schema_engine
from lib.generate.schema import InvalidSchema, check_output, parse_schema, say

ROOT = Path(__file__).resolve().parents[2]

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
    assert expected in say(raised.value.problem)


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
    assert sorted(check.problems) == sorted(expected)


def test_nested_refs_and_optional_fields_from_pydantic_are_checked():
    assert check_output('{"name": "France", "capital": {"name": "Paris"}, "population": null}', PYDANTIC).problems == []
    problems = check_output('{"name": "France", "capital": {}, "population": "many"}', PYDANTIC).problems
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


# -- issue 17: no network, bounded time, depth limits ---------------------------------------------

DRAFT_2019 = "https://json-schema.org/draft/2019-09/schema"


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        (
            {"properties": {"a": {"$dynamicRef": "{url}"}}},
            "The $dynamicRef at $.properties.a points outside the schema",
        ),
        (
            {"$schema": DRAFT_2019, "properties": {"a": {"$recursiveRef": "{url}"}}},
            "The $recursiveRef at $.properties.a points outside the schema",
        ),
        ({"properties": {"a": {"$dynamicRef": "{url}#meta"}}}, "points outside the schema"),
        # a property named like a data keyword is a schema all the same
        ({"properties": {"default": {"$ref": "{url}"}}}, "The $ref at $.properties.default points outside the schema"),
        # a base URI of the server's, then a relative reference
        ({"$id": "{url}", "properties": {"a": {"$ref": "other.json"}}}, "points outside the schema (other.json)"),
    ],
)
def test_a_reference_to_a_server_is_refused_as_typed_and_never_fetched(recording_server, schema, expected):
    url, requested = recording_server
    with pytest.raises(InvalidSchema) as raised:
        parse_schema(json.dumps(schema).replace("{url}", url))
    assert expected in say(raised.value.problem)
    assert requested == []


def test_a_schema_address_is_never_fetched(recording_server):
    url, requested = recording_server
    schema = parse_schema(json.dumps({"$schema": url, "type": "object", "required": ["a"]}))
    assert check_output("{}", schema).problems == ["At $: 'a' is required but missing."]
    assert requested == []


@pytest.mark.parametrize("keyword", ["$ref", "$dynamicRef"])
def test_an_answer_is_never_checked_against_a_fetched_document(recording_server, keyword):
    """Were a remote reference to reach validation, it is not fetched, and the sentence quotes nothing fetched."""
    url, requested = recording_server
    check = check_output('{"a": "text"}', {"properties": {"a": {keyword: url}}})
    assert check.is_json and check.problems == []
    assert check.not_checked == (
        f"The answer was not checked against the schema: a reference in it ({url}) points at nothing inside"
        " the schema, and nothing is fetched from elsewhere."
    )
    assert requested == []


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        (
            {"properties": {"a": {"$dynamicRef": "#meta"}}},
            "The $dynamicRef at $.properties.a (#meta) points at nothing",
        ),
        ({"properties": {"a": {"$ref": "#nowhere"}}}, "The $ref at $.properties.a (#nowhere) points at nothing"),
        (
            {"$schema": DRAFT_2019, "properties": {"a": {"$recursiveRef": "#/$defs/gone"}}},
            "The $recursiveRef at $.properties.a (#/$defs/gone) points at nothing",
        ),
        # inside a resource with its own $id, "#/..." is that resource's, not the whole document's
        (
            {"$defs": {"A": {"$id": "urn:a", "properties": {"b": {"$ref": "#/$defs/A"}}}}},
            "The $ref at $.$defs.A.properties.b (#/$defs/A) points at nothing",
        ),
    ],
)
def test_a_reference_to_nothing_inside_the_schema_is_refused_as_typed(schema, expected):
    with pytest.raises(InvalidSchema) as raised:
        parse_schema(json.dumps(schema))
    assert expected in say(raised.value.problem)


@pytest.mark.parametrize(
    "schema",
    [
        {"$defs": {"n": {"$anchor": "name", "type": "string"}}, "properties": {"a": {"$ref": "#name"}}},
        {"$dynamicAnchor": "node", "properties": {"child": {"$dynamicRef": "#node"}}},
        {"$schema": DRAFT_2019, "$recursiveAnchor": True, "properties": {"child": {"$recursiveRef": "#"}}},
        {
            "$defs": {
                "A": {"$id": "urn:a", "$defs": {"x": {"type": "string"}}, "properties": {"b": {"$ref": "#/$defs/x"}}}
            }
        },
        {"enum": [{"$ref": "https://example.com/only-a-value"}]},
    ],
)
def test_references_that_resolve_inside_the_schema_are_accepted(schema):
    assert parse_schema(json.dumps(schema)) == schema


def test_a_recursive_schema_checks_a_nested_answer():
    schema = parse_schema(
        json.dumps({"$dynamicAnchor": "node", "type": "object", "properties": {"child": {"$dynamicRef": "#node"}}})
    )
    assert check_output('{"child": {"child": {}}}', schema).problems == []
    assert check_output('{"child": {"child": 3}}', schema).problems == ["At $.child.child: 3 is not of type 'object'."]


@pytest.mark.parametrize(
    "schema",
    [
        {"$schema": DRAFT_2019, "$recursiveRef": "#"},
        {"$schema": DRAFT_2019, "$recursiveAnchor": True, "$recursiveRef": "#"},
        {"$ref": "#"},
        {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"anyOf": [{"$ref": "#/$defs/a"}]}}, "$ref": "#/$defs/a"},
    ],
)
def test_a_schema_that_refers_to_itself_without_end_is_a_sentence(schema):
    check = check_output('{"a": 1}', parse_schema(json.dumps(schema)))
    assert check.is_json and check.problems == []
    assert check.not_checked.startswith(
        "The answer was not checked against the schema: the schema refers to itself without end"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"items": ' * 65 + "{}" + "}" * 65, "The schema is nested more than 64 levels deep."),
        ('{"a": ' + "[" * 100_000, "The schema is 100,006 characters long; at most 100,000 are accepted."),
        ('{"a": ' + "[" * 40_000 + "]" * 40_000 + "}", "The schema is nested more than 64 levels deep."),
        ("[" * 100_000 + "]" * 100_000, "The schema is 200,000 characters long; at most 100,000 are accepted."),
        ('{"maximum": ' + "9" * 5000 + "}", "The schema has a number of more than 4,300 digits"),
        ('{"$schema": 5}', 'The schema\'s "$schema" must be the address of a JSON Schema draft'),
        ('{"$schema": {"a": 1}}', 'The schema\'s "$schema" must be the address of a JSON Schema draft'),
    ],
)
def test_schemas_too_deep_too_large_or_unreadable_are_a_sentence(text, expected):
    with pytest.raises(InvalidSchema) as raised:
        parse_schema(text)
    assert say(raised.value.problem).startswith(expected)


def test_a_schema_as_deep_as_allowed_is_accepted_and_checks_as_deep_an_answer():
    schema: dict = {"type": "string"}
    answer: object = "leaf"
    for _ in range(31):  # two JSON levels each: 62, plus the top
        schema, answer = {"type": "object", "properties": {"a": schema}}, {"a": answer}
    assert parse_schema(json.dumps(schema)) == schema
    assert check_output(json.dumps(answer), schema).problems == []
    wrong = json.loads(json.dumps(answer).replace('"leaf"', "7"))
    assert check_output(json.dumps(wrong), schema).problems == [
        f"At $.{'.'.join('a' * 31)}: 7 is not of type 'string'."
    ]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("[" * 101 + "]" * 101, "The answer is JSON nested more than 100 levels deep"),
        ("[" * 100_000 + "]" * 100_000, "The answer is JSON nested more than 100 levels deep"),
        ("9" * 5000, "The answer has a number of more than 4,300 digits"),
    ],
)
def test_answers_too_deep_or_unreadable_are_a_sentence(answer, expected):
    for schema in (None, {"type": "array"}):
        check = check_output(answer, schema)
        assert not check.is_json
        assert check.problems[0].startswith(expected)


@pytest.mark.parametrize(
    "schema",
    [
        {"properties": {"a": {"pattern": "(?=a)b"}}},
        {"properties": {"a": {"pattern": "(?<!a)b"}}},
        {"properties": {"a": {"pattern": "(a)\\1"}}},
        {"patternProperties": {"^(?!x)": {}}},
        {"$defs": {"A": {"pattern": "a{1000}{1000}"}}},
    ],
)
def test_patterns_the_linear_engine_cannot_match_are_refused_as_typed(schema):
    with pytest.raises(InvalidSchema) as raised:
        parse_schema(json.dumps(schema))
    sentence = say(raised.value.problem)
    assert sentence.startswith("The pattern at $.")
    assert "no look-ahead, look-behind or back-references" in sentence


def test_ordinary_patterns_work_as_before_including_ecma_unicode_escapes():
    schema = parse_schema(
        json.dumps(
            {
                "type": "object",
                "properties": {"code": {"type": "string", "pattern": "^[A-Z]{2}-\\d{3}$"}},
                "patternProperties": {"^x-": {"type": "integer"}, "^caf\\u00e9$": {"type": "boolean"}},
                "additionalProperties": False,
            }
        )
    )
    assert check_output('{"code": "AB-123", "x-count": 2, "café": true}', schema).problems == []
    assert set(check_output('{"code": "ab-1", "x-count": "2", "café": 1, "other": 0}', schema).problems) == {
        "At $.code: 'ab-1' does not match '^[A-Z]{2}-\\\\d{3}$'.",
        "At $: 'other' does not match any of the regexes: '^caf\\\\u00e9$', '^x-'.",
        "At $['café']: 1 is not of type 'boolean'.",
        "At $['x-count']: '2' is not of type 'integer'.",
    }


def run_apart(code: str, timeout: float = 60) -> dict:
    """``code`` run in a fresh interpreter; what it printed, as JSON.

    For checks that held the interpreter on the old code: run in this one, they would hang the
    test run itself (a regular expression in C holds it, so no timeout could even fire).
    """
    finished = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    return json.loads(finished.stdout)


def test_a_catastrophic_pattern_is_matched_in_linear_time():
    result = run_apart(
        """
        import json, time
        from lib.generate.schema import check_output, parse_schema
        schema = parse_schema('{"properties": {"a": {"type": "string", "pattern": "^(a+)+$"}}}')
        started = time.monotonic()
        check = check_output(json.dumps({"a": "a" * 40 + "!"}), schema)
        print(json.dumps({"seconds": time.monotonic() - started, "problems": check.problems}))
        """
    )
    assert result["seconds"] < 1
    assert result["problems"] == [f"At $.a: '{'a' * 40}!' does not match '^(a+)+$'."]


def test_catastrophic_patterns_in_property_names_are_matched_in_linear_time():
    evil = "^(a+)+$"
    schema = {"patternProperties": {evil: {}}, "additionalProperties": False, "unevaluatedProperties": False}
    result = run_apart(
        f"""
        import json, time
        from lib.generate.schema import check_output, parse_schema
        schema = parse_schema({json.dumps(json.dumps(schema))})
        started = time.monotonic()
        check = check_output(json.dumps({{"a" * 40 + "!": 1}}), schema)
        print(json.dumps({{"seconds": time.monotonic() - started, "problems": check.problems}}))
        """
    )
    assert result["seconds"] < 1
    assert any("was unexpected" in problem for problem in result["problems"])


def test_a_format_regex_answer_is_not_run_as_a_pattern():
    schema = parse_schema('{"type": "string", "format": "regex"}')
    started = time.monotonic()
    assert check_output(json.dumps("^(a+)+$"), schema).problems == []
    assert time.monotonic() - started < 1


def test_a_check_that_takes_too_long_is_stopped_and_leaves_the_interpreter_free():
    """anyOf of two $refs to the next level, 30 levels down: 2**30 steps, whatever the regex engine."""
    definitions = {
        f"d{n}": {"anyOf": [{"$ref": f"#/$defs/d{n + 1}"}, {"$ref": f"#/$defs/d{n + 1}"}]} for n in range(30)
    }
    schema = {"$defs": {**definitions, "d30": {"type": "string"}}, "$ref": "#/$defs/d0"}
    result = run_apart(
        f"""
        import json, threading, time
        from lib.generate import schema_engine
        from lib.generate.schema import check_output, parse_schema
        schema_engine.CHECK_SECONDS = 1
        schema = parse_schema({json.dumps(json.dumps(schema))})
        ticks = []
        def tick():
            while len(ticks) < 1000:
                ticks.append(time.monotonic())
                time.sleep(0.01)
        threading.Thread(target=tick, daemon=True).start()
        started = time.monotonic()
        check = check_output("1", schema)
        seconds = time.monotonic() - started
        print(json.dumps({{"seconds": seconds, "ticks": len(ticks), "not_checked": check.not_checked}}))
        """
    )
    assert result["not_checked"] == (
        "The answer was not checked against the schema: checking took longer than 1 s and was stopped."
        " The schema may combine too many alternatives (anyOf, oneOf) for its size."
    )
    assert 1 <= result["seconds"] < 3
    assert result["ticks"] >= 50  # the other thread ran all along


def test_a_check_that_found_every_worker_busy_says_so_and_is_tried_again(monkeypatch):
    schema = {"type": "object", "required": ["busy"]}
    monkeypatch.setattr(schema_engine, "CHECK_SECONDS", 0.2)
    taken = [schema_engine._running.acquire(blocking=False) for _ in range(schema_engine.WORKERS)]
    try:
        check = check_output("{}", schema)
    finally:
        for _ in taken:
            schema_engine._running.release()
    assert check.not_checked.startswith("The answer was not checked against the schema yet: other checks are running.")
    assert check_output("{}", schema).problems == ["At $: 'busy' is required but missing."]


def test_a_schema_typed_while_every_worker_is_busy_says_so_and_is_checked_again(monkeypatch):
    text = '{"title": "typed while busy", "type": "object"}'
    monkeypatch.setattr(schema_engine, "CHECK_SECONDS", 0.2)
    taken = [schema_engine._running.acquire(blocking=False) for _ in range(schema_engine.WORKERS)]
    try:
        with pytest.raises(InvalidSchema) as raised:
            parse_schema(text)
    finally:
        for _ in taken:
            schema_engine._running.release()
    assert say(raised.value.problem).startswith("The schema could not be checked yet: other checks are running.")
    assert parse_schema(text) == {"title": "typed while busy", "type": "object"}
