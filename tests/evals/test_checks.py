"""Each check with answers that must pass and answers that must fail, and the sentences that say why."""

from __future__ import annotations

import time

import pytest

from lib.evals import checks
from lib.evals.checks import (
    BAD_PATTERN,
    BAD_VALUE,
    BUSY,
    DIFFERENT,
    FOUND,
    INVALID_JSON,
    MISSING,
    NO_MATCH,
    NO_SCHEMA,
    NOT_CHECKED,
    SCHEMA,
    TOO_LONG,
    TOO_SLOW,
    UNKNOWN,
    UNKNOWN_KIND,
    PatternRefused,
    check_text,
    linear_regex,
    reason_text,
    run_checks,
    without_fence,
)
from lib.evals.records import (
    CONTAINS,
    EXACT,
    JSON_SCHEMA,
    MAX_SECONDS,
    MAX_TOKENS,
    NOT_CONTAINS,
    REGEX,
    Check,
    CheckResult,
    Prompt,
)
from lib.generate.schema_engine import WorkersBusy
from lib.ollama.stats import RunStats

PERSON = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}},
    "required": ["name", "age"],
    "additionalProperties": False,
}


def one(check: Check, content: str, *, schema=None, stats: RunStats | None = None, seconds: float | None = None):
    (result,) = run_checks(Prompt("q", schema=schema, checks=(check,)), content, stats, seconds)
    assert result.check == check
    return result


@pytest.mark.parametrize(
    ("value", "answer"),
    [("Paris", "The capital is Paris."), ("paris", "PARIS!"), ("Straße", "STRASSE"), ("42", "答案是４２。")],
)
def test_contains_passes_case_insensitively(value, answer):
    assert one(Check(CONTAINS, value), answer) == CheckResult(Check(CONTAINS, value), True)


@pytest.mark.parametrize(("value", "answer"), [("Paris", "Lyon"), ("Paris", "Par is"), ("巴黎", "北京"), ("x", "")])
def test_contains_fails_when_the_text_is_absent(value, answer):
    result = one(Check(CONTAINS, value), answer)
    assert (result.passed, result.reason) == (False, MISSING)


def test_not_contains_passes_when_absent_and_fails_when_present_in_any_case():
    assert one(Check(NOT_CONTAINS, "sorry"), "Here it is.").passed is True
    result = one(Check(NOT_CONTAINS, "sorry"), "SORRY, I cannot.")
    assert (result.passed, result.reason) == (False, FOUND)


@pytest.mark.parametrize(
    ("value", "answer"),
    [
        ("Paris", "Paris"),
        ("Paris", "  paris \n"),
        ("Paris", "Paris."),
        ("Paris.", "Paris"),
        ("巴黎", "巴黎。"),
        ("U.S.", "u.s."),
        ("3.14", "3.14."),
    ],
)
def test_exact_trims_ignores_case_and_tolerates_one_trailing_full_stop(value, answer):
    assert one(Check(EXACT, value), answer).passed is True


@pytest.mark.parametrize(
    ("value", "answer"),
    [("Paris", "Paris, France"), ("Paris", "The answer is Paris."), ("Paris", "Paris.."), ("4", "42"), ("Paris", "")],
)
def test_exact_fails_on_anything_more_or_else(value, answer):
    result = one(Check(EXACT, value), answer)
    assert (result.passed, result.reason) == (False, DIFFERENT)


@pytest.mark.parametrize(
    ("pattern", "answer"),
    [(r"\b\d{4}\b", "It was 1969."), (r"(?i)^paris", "PARIS is"), (r"\u5df4\u9ece", "巴黎"), ("^[A-Z]+$", "ABC")],
)
def test_regex_passes_when_the_pattern_is_found(pattern, answer):
    assert one(Check(REGEX, pattern), answer).passed is True


@pytest.mark.parametrize(("pattern", "answer"), [(r"\b\d{4}\b", "in 69"), ("^paris", "PARIS"), ("^[A-Z]+$", "AbC")])
def test_regex_fails_when_nothing_matches_and_is_case_sensitive_as_written(pattern, answer):
    result = one(Check(REGEX, pattern), answer)
    assert (result.passed, result.reason) == (False, NO_MATCH)


def test_a_pattern_catastrophic_for_backtracking_runs_in_linear_time():
    """``^(a+)+$`` against many ``a`` and a ``!`` takes Python's ``re`` longer than the age of the universe."""
    started = time.monotonic()
    for pattern in (r"^(a+)+$", r"^(a|aa)+$", r"(x+x+)+y", r"^(\w+\s?)*$"):
        assert one(Check(REGEX, pattern), "a" * 50_000 + "!").passed is False
    assert time.monotonic() - started < 1


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        ("(?=a)b", checks.PATTERN_REFUSED),
        (r"(a)\1", checks.PATTERN_REFUSED),
        ("a" * 501, checks.PATTERN_TOO_LONG),
        ("a{1,1000}" * 2, checks.PATTERN_TOO_COMPLEX),
        ("a{1001}", checks.PATTERN_TOO_COMPLEX),
    ],
)
def test_a_pattern_that_got_through_but_cannot_run_fails_with_the_reason(pattern, why):
    started = time.monotonic()
    result = one(Check(REGEX, pattern), "aaa")
    assert time.monotonic() - started < 1
    assert (result.passed, result.reason, result.detail["why"]) == (False, BAD_PATTERN, why)
    with pytest.raises(PatternRefused):
        linear_regex(pattern)


def test_patterns_at_the_limits_compile_quickly():
    started = time.monotonic()
    for pattern in ("a{0,1000}", "a{1,10}" * 71, "(((.{0,10}){0,10}){0,10})" * 20):
        assert len(pattern) <= checks.MAX_PATTERN
        linear_regex(pattern)
    assert time.monotonic() - started < 2


@pytest.mark.parametrize(
    "answer",
    [
        '{"name": "Ada", "age": 36}',
        '```json\n{"name": "Ada", "age": 36}\n```',
        '```\n{"name": "Ada", "age": 36}\n```',
        '  ```JSON\n{"name": "Ada", "age": 36}```  ',
    ],
)
def test_json_schema_passes_for_valid_json_with_or_without_a_code_fence(answer):
    assert one(Check(JSON_SCHEMA), answer, schema=PERSON) == CheckResult(Check(JSON_SCHEMA), True)


def test_json_schema_fails_when_the_answer_is_not_json():
    for answer in ("Ada is 36.", '```python\n{"name": "Ada", "age": 36}\n```', 'Here: {"name": "Ada", "age": 36}'):
        result = one(Check(JSON_SCHEMA), answer, schema=PERSON)
        assert (result.passed, result.reason) == (False, INVALID_JSON), answer
        assert result.detail["problem"]["key"] == "generate.answer_not_json"


def test_json_schema_fails_with_every_place_the_answer_breaks_the_schema():
    result = one(Check(JSON_SCHEMA), '{"age": -1, "extra": true}', schema=PERSON)
    assert (result.passed, result.reason) == (False, SCHEMA)
    keys = sorted(problem["key"] for problem in result.detail["problems"])
    assert keys == ["generate.answer_extra", "generate.answer_invalid", "generate.answer_missing"]
    assert result.detail["total"] == 3
    text = reason_text(result, "en", plain=True)
    assert text.startswith("The JSON does not match the schema.") and "'name' is required but missing" in text


def test_json_schema_without_a_schema_fails():
    result = one(Check(JSON_SCHEMA), '{"a": 1}')
    assert (result.passed, result.reason) == (False, NO_SCHEMA)


def test_a_schema_check_that_times_out_is_not_a_pass(monkeypatch):
    endless = {"$defs": {"a": {"anyOf": [{"$ref": "#/$defs/a"}, {"$ref": "#/$defs/a"}]}}, "$ref": "#/$defs/a"}
    result = one(Check(JSON_SCHEMA), "1", schema=endless)
    assert (result.passed, result.reason) == (False, NOT_CHECKED)
    assert "not checked against the schema" in reason_text(result, "en", plain=True)


def test_busy_schema_checkers_are_waited_for_then_the_check_fails(monkeypatch):
    calls = []

    def busy(schema, value):
        calls.append(value)
        raise WorkersBusy

    monkeypatch.setattr("lib.evals.checks.schema_engine.validate_in_worker", busy)
    result = one(Check(JSON_SCHEMA), '{"name": "Ada", "age": 1}', schema=PERSON)
    assert (result.passed, result.reason, len(calls)) == (False, BUSY, 3)


def test_without_fence_takes_off_only_a_fence_around_the_whole_answer():
    assert without_fence('```json\n{"a": 1}\n```') == '{"a": 1}'
    assert without_fence('Text ```json\n{"a": 1}\n```') == 'Text ```json\n{"a": 1}\n```'
    assert without_fence("```") == "```"
    assert without_fence("```yaml\na: 1\n```") == "```yaml\na: 1\n```"


def test_max_tokens_compares_the_output_tokens_and_fails_when_they_are_unknown():
    check = Check(MAX_TOKENS, 50)
    at_limit = one(check, "x", stats=RunStats(output_tokens=50))
    assert at_limit == CheckResult(check, True, "", {"tokens": 50, "limit": 50})
    too_long = one(check, "x", stats=RunStats(output_tokens=51))
    assert (too_long.passed, too_long.reason, too_long.detail) == (False, TOO_LONG, {"tokens": 51, "limit": 50})
    for stats in (None, RunStats(time_to_first_token=0.1)):
        unknown = one(check, "x", stats=stats)
        assert (unknown.passed, unknown.reason) == (False, UNKNOWN)


def test_max_seconds_compares_the_seconds_and_fails_when_they_are_unknown():
    check = Check(MAX_SECONDS, 2.5)
    assert one(check, "x", seconds=2.5).passed is True
    slow = one(check, "x", seconds=2.51)
    assert (slow.passed, slow.reason, slow.detail) == (False, TOO_SLOW, {"seconds": 2.51, "limit": 2.5})
    assert one(check, "x").reason == UNKNOWN


@pytest.mark.parametrize(
    "check",
    [
        Check(CONTAINS, ""),
        Check(CONTAINS, None),
        Check(REGEX, 3),
        Check(MAX_TOKENS, 2.5),
        Check(MAX_TOKENS, True),
        Check(MAX_TOKENS, "50"),
        Check(MAX_SECONDS, 0),
        Check(MAX_SECONDS, float("nan")),
    ],
)
def test_a_check_with_a_value_its_kind_does_not_take_fails(check):
    result = one(check, "anything", stats=RunStats(output_tokens=1), seconds=0.1)
    assert (result.passed, result.reason) == (False, BAD_VALUE)


def test_an_unknown_kind_fails():
    assert one(Check("sentiment", "happy"), "happy").reason == UNKNOWN_KIND


def test_every_check_runs_in_the_prompts_order():
    prompt = Prompt(
        "q",
        checks=(Check(CONTAINS, "a"), Check(NOT_CONTAINS, "b"), Check(MAX_TOKENS, 1), Check(EXACT, "a")),
    )
    results = run_checks(prompt, "a", RunStats(output_tokens=3), 1.0)
    assert [(r.check, r.passed) for r in results] == [
        (Check(CONTAINS, "a"), True),
        (Check(NOT_CONTAINS, "b"), True),
        (Check(MAX_TOKENS, 1), False),
        (Check(EXACT, "a"), True),
    ]
    assert run_checks(Prompt("q"), "a", None, None) == ()


def test_every_reason_has_a_sentence_in_both_languages():
    results = [
        one(Check(CONTAINS, "x"), "y"),
        one(Check(NOT_CONTAINS, "y"), "y"),
        one(Check(EXACT, "x"), "y"),
        one(Check(REGEX, "x"), "y"),
        one(Check(REGEX, "(?=x)"), "y"),
        one(Check(REGEX, "x" * 600), "y"),
        one(Check(REGEX, "x{900}y{900}"), "y"),
        one(Check(JSON_SCHEMA), "y", schema=PERSON),
        one(Check(JSON_SCHEMA), "{}", schema=PERSON),
        one(Check(JSON_SCHEMA), "{}"),
        one(Check(MAX_TOKENS, 5), "y", stats=RunStats(output_tokens=1234)),
        one(Check(MAX_TOKENS, 5), "y"),
        one(Check(MAX_SECONDS, 5), "y", seconds=6.123),
        one(Check(MAX_SECONDS, 5), "y"),
        one(Check(MAX_SECONDS, -1), "y"),
        one(Check("sentiment"), "y"),
        CheckResult(Check(JSON_SCHEMA), False, BUSY),
        CheckResult(Check(CONTAINS, "x"), False, "unreadable"),
        CheckResult(Check(JSON_SCHEMA), False, INVALID_JSON, {"problem": {"key": "generate.gone"}}),
        CheckResult(Check(JSON_SCHEMA), False, SCHEMA, {"problems": ["junk"], "total": "x"}),
    ]
    for result in results:
        for lang in ("en", "zh"):
            text = reason_text(result, lang, plain=True)
            assert text and "{" not in text.replace("{2,5}", ""), (result, lang, text)
    assert reason_text(results[10], "en") == "1,234 tokens, more than the 5 allowed."
    assert reason_text(results[12], "zh") == "6.12 秒，超过了允许的 5 秒。"
    assert reason_text(CheckResult(Check(CONTAINS, "x"), True)) == ""


def test_a_check_says_what_it_asks_for():
    assert check_text(Check(CONTAINS, "Paris"), "en") == "contains “Paris”"
    assert check_text(Check(MAX_TOKENS, 1000), "zh") == "最多 1,000 个 token"
    assert check_text(Check(MAX_SECONDS, 2.5), "en") == "done within 2.5 s"
    assert check_text(Check(JSON_SCHEMA), "en") == "is JSON valid against the prompt's schema"
    assert check_text(Check("odd", None), "en") == "an unknown check “odd”"


def test_values_from_a_set_are_escaped_on_screen_and_kept_as_they_are_in_files():
    hostile = "**x**](http://tracker/a.png)"
    result = one(Check(CONTAINS, hostile), "nothing")
    assert reason_text(result, "en", plain=True) == f"“{hostile}” is not in the answer."
    shown = reason_text(result, "en")
    assert "\\*\\*x\\*\\*" in shown and "\\]" in shown
    assert "\\*" in check_text(Check(CONTAINS, hostile), "en")
