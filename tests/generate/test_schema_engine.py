import json
import re
import threading
import time
from pathlib import Path

import pytest
from referencing.exceptions import NoSuchResource

from lib import i18n
from lib.generate import schema_engine
from lib.generate.schema_engine import (
    NO_NETWORK,
    Problem,
    Verdict,
    WorkersBusy,
    check,
    deeper_than,
    linear_pattern,
    read_answer,
    schema_problem,
    schema_problem_in_worker,
    validate_in_worker,
)

ENGINE = Path(schema_engine.__file__)
SLOW_TO_COMPILE = "a{1,1000}" * 110


def test_the_registry_retrieves_nothing(recording_server):
    url, requested = recording_server
    with pytest.raises(NoSuchResource):
        NO_NETWORK.get_or_retrieve(url)
    assert check({"$ref": url}, 1).not_checked == Problem("generate.schema_unresolvable", {"ref": url})
    assert requested == []


@pytest.mark.parametrize(
    ("pattern", "text", "matches"),
    [
        ("^caf\\u00e9$", "café", True),
        ("^\\\\u00e9$", "\\u00e9", True),  # an escaped backslash, then the letters: not an escape
        ("^\\d+$", "٣", False),  # ECMA-262's \d is ASCII, as RE2's is
        ("^(a+)+$", "a" * 10_000 + "!", False),
    ],
)
def test_patterns_are_matched_by_re2_with_ecma_unicode_escapes(pattern, text, matches):
    assert bool(linear_pattern(pattern).search(text)) is matches


def test_deeper_than_counts_levels_of_lists_and_objects_without_recursion():
    assert not deeper_than({"a": [1, {"b": 2}]}, 3)
    assert deeper_than({"a": [1, {"b": []}]}, 3)
    assert not deeper_than("text", 1)
    nested: list = []
    for _ in range(200_000):
        nested = [nested]
    assert deeper_than(nested, 100)


def test_a_verdict_survives_the_trip_from_the_worker():
    kind = Problem("generate.schema_not_object", {"kind": Problem("generate.kind_list")})
    assert Problem.from_json(json.loads(json.dumps(kind.as_json()))) == kind
    verdict = Verdict((Problem("generate.answer_missing", {"place": "$", "name": "'a'"}),), 3, capped=True)
    assert Verdict.from_json(json.loads(json.dumps(verdict.as_json()))) == verdict
    failed = Verdict(not_checked=Problem("generate.schema_endless"))
    assert Verdict.from_json(json.loads(json.dumps(failed.as_json()))) == failed


def test_the_worker_gives_the_same_verdict_as_a_check_here():
    schema = {"type": "object", "properties": {"a": {"type": "string", "pattern": "^x"}}, "required": ["a", "b"]}
    assert validate_in_worker(schema, {"a": "y"}) == check(schema, {"a": "y"})
    assert len(check(schema, {"a": "y"}).problems) == 2


def test_the_worker_refuses_a_pattern_re2_cannot_match_even_if_it_got_past_the_editor():
    verdict = validate_in_worker({"pattern": "(?=a)"}, "a")
    assert verdict.not_checked is not None
    assert verdict.not_checked.key == "generate.schema_pattern_refused"
    assert verdict.not_checked.values["pattern"] == "(?=a)"


def test_whatever_else_jsonschema_raises_in_the_worker_is_a_verdict():
    """1e400 reads as infinity, which jsonschema's multipleOf cannot divide: it raised on the page before."""
    value, _ = read_answer("1e400")
    verdict = validate_in_worker({"multipleOf": 0.5}, value)
    assert verdict.not_checked == Problem("generate.schema_check_failed", {"reason": "OverflowError"})


def test_a_worker_that_dies_is_an_outcome(monkeypatch):
    monkeypatch.setattr(schema_engine.sys, "executable", "/bin/false")
    verdict = validate_in_worker({}, 1)
    assert verdict.not_checked == Problem("generate.schema_check_failed", {"reason": "exit status 1"})
    assert schema_problem_in_worker("{}") == Problem("generate.schema_typed_failed", {"reason": "exit status 1"})


def test_a_schema_is_checked_in_the_worker_with_the_same_outcome():
    for text in ("{}", '{"type": "strin"}', "[1]", '{"$ref": "#/nothing"}', '{"pattern": "(?=a)"}'):
        assert schema_problem_in_worker(text) == schema_problem(text), text


def test_a_pattern_slow_to_compile_is_stopped_at_the_deadline_without_holding_the_interpreter():
    """RE2's compiler holds the interpreter: 110 bounded repetitions took 12 s in the app's process."""
    ticks: list[float] = []
    done = threading.Event()

    def tick() -> None:
        while not done.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.01)

    threading.Thread(target=tick, daemon=True).start()
    started = time.monotonic()
    try:
        problem = schema_problem_in_worker(json.dumps({"pattern": SLOW_TO_COMPILE}), seconds=1)
    finally:
        done.set()
    assert problem == Problem("generate.schema_typed_timeout", {"seconds": "1"})
    assert time.monotonic() - started < 3
    assert len(ticks) >= 50


def test_no_more_workers_than_allowed_run_at_once():
    taken = [schema_engine._running.acquire(blocking=False) for _ in range(schema_engine.WORKERS)]
    try:
        assert all(taken)
        with pytest.raises(WorkersBusy):
            validate_in_worker({}, 1, seconds=0.2)
    finally:
        for _ in taken:
            schema_engine._running.release()
    assert validate_in_worker({}, 1) == Verdict()


def test_jsonschema_still_matches_patterns_where_the_worker_replaces_them():
    """The worker swaps ``re`` in two jsonschema modules; it refuses to run if they no longer use it."""
    from jsonschema import _keywords, _utils

    assert _keywords.re is re and _utils.re is re
    for module in (_keywords, _utils):
        assert "re.search(" in Path(module.__file__).read_text()


def test_problems_stop_at_a_thousand_errors():
    verdict = check({"items": {"type": "string"}}, list(range(5000)))
    assert verdict.capped and verdict.total == 1000 and len(verdict.problems) == 10


# Every key the engine names, each produced by one case, so that every sentence gets its values.
CASES = [
    lambda: schema_problem(""),
    lambda: schema_problem("x" * 100_001),
    lambda: schema_problem("{"),
    lambda: schema_problem('{"a": ' + "[" * 50_000),
    lambda: schema_problem('{"maximum": ' + "9" * 5000 + "}"),
    lambda: schema_problem("[]").values["kind"],
    lambda: schema_problem("true").values["kind"],
    lambda: schema_problem('"text"').values["kind"],
    lambda: schema_problem("3").values["kind"],
    lambda: schema_problem("null"),
    lambda: schema_problem('{"$schema": 1}'),
    lambda: schema_problem('{"type": "strin"}'),
    lambda: schema_problem('{"required": 3}'),
    lambda: schema_problem('{"$ref": "https://example.com/a"}'),
    lambda: schema_problem('{"$ref": "#/nothing"}'),
    lambda: schema_problem('{"pattern": "(?=a)"}'),
    lambda: read_answer("{")[1],
    lambda: read_answer("[" * 101 + "]" * 101)[1],
    lambda: read_answer("9" * 5000)[1],
    lambda: check({"$ref": "#/nothing"}, 1).not_checked,
    lambda: validate_in_worker({"pattern": "(?=a)"}, "a").not_checked,
    lambda: check({"$ref": "#"}, 1).not_checked,
    lambda: check({"required": ["a"]}, {}).problems[0],
    lambda: check({"additionalProperties": False}, {"a": 1}).problems[0],
    lambda: check({"type": "string"}, 1).problems[0],
    lambda: check({"minimum": 2}, 1).problems[0],
    lambda: Problem("generate.schema_check_timeout", {"seconds": "5"}),  # see test_schema.py for the real one
]


def test_every_problem_the_engine_names_is_produced_with_the_values_its_sentences_need(monkeypatch):
    produced = [case() for case in CASES]
    produced.append(schema_problem_in_worker(json.dumps({"pattern": SLOW_TO_COMPILE}), seconds=0.5))
    monkeypatch.setattr(schema_engine.sys, "executable", "/bin/false")
    produced += [schema_problem_in_worker("{}"), validate_in_worker({}, 1).not_checked]
    named = set(re.findall(r'"(generate\.[a-z_]+)"', ENGINE.read_text()))
    assert named <= {problem.key for problem in produced if isinstance(problem, Problem)}
    for problem in produced:
        for lang in i18n.LANGUAGES:
            assert i18n.placeholders(i18n.catalog()[problem.key], lang) <= set(problem.values), (problem, lang)


def test_a_schema_with_thousands_of_anchor_references_is_checked_in_seconds():
    """Each lookup of a ``#name`` crawls the whole schema unless the registry is crawled once beforehand."""
    properties = {f"p{n}": {"$ref": "#t"} for n in range(4000)}
    text = json.dumps({"$defs": {"t": {"$anchor": "t", "type": "string"}}, "properties": properties})
    started = time.monotonic()
    assert schema_problem(text) is None
    assert validate_in_worker(json.loads(text), {"p1": "a", "p2": 3}).problems == (
        Problem("generate.answer_wrong_type", {"place": "$.p2", "value": "3", "type": "'string'"}),
    )
    assert time.monotonic() - started < 10
