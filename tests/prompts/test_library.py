"""Saved prompts and the library file (lib/prompts/library.py): cleaned, exported, imported or refused in a sentence."""

from __future__ import annotations

import json

import pytest

from lib.prompts.library import (
    MAX_IMPORTED,
    SYSTEM,
    TEXT_LENGTH,
    USER,
    ImportProblem,
    Prompt,
    export_json,
    from_document,
    parse_import,
)


def test_a_stored_prompt_is_cleaned():
    prompt = from_document(3, " Greet ", {"role": "system", "text": "Hi {{who}}", "values": {"who": "Ann", "x": 1}})
    assert prompt == Prompt(3, "Greet", SYSTEM, "Hi {{who}}", {"who": "Ann"})
    assert prompt.variables == ["who"]
    assert from_document(4, "r", {"role": "admin", "text": "t"}).role == USER
    assert from_document(5, "empty", {"text": "  "}) is None
    assert from_document(6, "junk", None) is None


def test_export_then_import_round_trips_without_the_remembered_values():
    prompts = [Prompt(1, "Greet", SYSTEM, "Hi {{who}}", {"who": "Ann"}), Prompt(2, "翻译", USER, "译成{{语言}}")]
    text = export_json(prompts)
    assert json.loads(text)["format"] == "ollama-studio-prompts"
    assert "Ann" not in text
    assert parse_import(text.encode()) == [
        Prompt(None, "Greet", SYSTEM, "Hi {{who}}"),
        Prompt(None, "翻译", USER, "译成{{语言}}"),
    ]


def test_a_bare_list_imports_and_the_role_defaults_to_user():
    assert parse_import('[{"name": "a", "text": "b"}]') == [Prompt(None, "a", USER, "b")]


@pytest.mark.parametrize(
    ("data", "key", "values"),
    [
        (b"\xff\xfe not json", "import_not_json", {}),
        ("{oops", "import_not_json", {}),
        ('{"prompts": "x"}', "import_not_library", {}),
        ('"text"', "import_not_library", {}),
        ('[{"name": "a", "text": "b"}, 3]', "import_bad_entry", {"number": 2}),
        ('[{"name": "", "text": "b"}]', "import_bad_entry", {"number": 1}),
        ('[{"name": "a", "text": "  "}]', "import_bad_entry", {"number": 1}),
        ('[{"name": "a", "text": "b", "role": "tool"}]', "import_bad_role", {"number": 1}),
        (
            json.dumps([{"name": "a", "text": "x" * (TEXT_LENGTH + 1)}]),
            "import_too_long",
            {"number": 1, "limit": TEXT_LENGTH},
        ),
        (
            json.dumps([{"name": "a", "text": "b"}] * (MAX_IMPORTED + 1)),
            "import_too_many",
            {"n": MAX_IMPORTED + 1, "limit": MAX_IMPORTED},
        ),
    ],
)
def test_a_file_that_is_not_a_library_is_refused_with_its_reason(data, key, values):
    with pytest.raises(ImportProblem) as raised:
        parse_import(data)
    assert (raised.value.key, raised.value.values) == (key, values)


def test_a_deeply_nested_file_is_refused_in_a_sentence_not_an_exception():
    with pytest.raises(ImportProblem):
        parse_import(b"[" * 100_000)
