"""The deterministic checks of one answer, and their outcomes worded in either language.

:func:`run_checks` gives one :class:`~lib.evals.records.CheckResult` per check of the prompt, in
the prompt's order. A failed result carries a ``reason`` code (the constants below) and, in
``detail``, the values that explain it (JSON data, saved as it is); :func:`reason_text` words it.

How each kind decides:

- ``contains`` / ``not_contains`` / ``exact`` compare text case-insensitively after Unicode
  NFKC normalisation (full-width ``Ｐａｒｉｓ`` and ``４２`` are ``Paris`` and ``42``).
  ``exact`` also trims both sides and tolerates one trailing full stop on either (``.`` or
  ``。``): the answer ``Paris.`` is exactly ``Paris``. Nothing else is forgiven (quotes, Markdown
  bold, a second sentence), so ask for a short answer.
- ``regex`` searches the answer with RE2 (linear in the answer, whatever the pattern), case-
  sensitively as written: ``(?i)`` makes a pattern ignore case. A pattern RE2 refuses, longer
  than :data:`MAX_PATTERN` characters or with counted repetitions adding up to more than
  :data:`MAX_REPETITIONS` (RE2 takes seconds to compile ``a{1,1000}`` a hundred times, holding the
  interpreter) is refused when a set is imported (:func:`lib.evals.sets.check_problem`); one that
  gets through anyway (a record written by hand) fails with reason :data:`BAD_PATTERN`.
- ``json_schema`` reads the answer as JSON, first taking off a Markdown code fence around the
  whole answer (```` ```json … ``` ```` or ```` ``` … ``` ````, which models add even when asked
  for JSON), then validates it against the prompt's schema with Generate's checker
  (:mod:`lib.generate.schema_engine`: in a worker process with a deadline, references never
  fetched, patterns matched by RE2).
- ``max_tokens`` compares the answer's ``output_tokens``; when the server did not report them
  the check fails with reason :data:`UNKNOWN` (a limit that cannot be verified is not met).
- ``max_seconds`` compares the seconds from sending to the last object; unknown: :data:`UNKNOWN`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

from lib import i18n
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
from lib.formatting import whole_number
from lib.generate import schema_engine
from lib.generate.schema_engine import PatternUnsupported, Problem, WorkersBusy
from lib.ollama.stats import RunStats

MAX_PATTERN = 500  # characters of a regex check's pattern
MAX_REPETITIONS = 1000  # the sum of a pattern's counted repetitions ({n}, {n,m}, {n,}: the larger bound)
_BUSY_ATTEMPTS = 3  # a schema check waits this many times for a free worker before it gives up

# Why a check failed: stable codes, saved with the result.
MISSING = "missing"  # contains: the text is not in the answer
FOUND = "found"  # not_contains: the text is in the answer
DIFFERENT = "different"  # exact: the answer is something else
NO_MATCH = "no_match"  # regex: nothing in the answer matches
BAD_PATTERN = "bad_pattern"  # regex: the pattern cannot be used (detail: why, and RE2's words)
INVALID_JSON = "invalid_json"  # json_schema: the answer is not JSON (detail: the problem)
NO_SCHEMA = "no_schema"  # json_schema: the prompt has no schema
SCHEMA = "schema"  # json_schema: the JSON breaks the schema (detail: problems, total)
NOT_CHECKED = "not_checked"  # json_schema: the checker stopped or failed (detail: the problem)
BUSY = "busy"  # json_schema: every checker was busy
TOO_LONG = "too_long"  # max_tokens: more tokens than allowed (detail: tokens, limit)
TOO_SLOW = "too_slow"  # max_seconds: slower than allowed (detail: seconds, limit)
UNKNOWN = "unknown"  # max_tokens / max_seconds: the figure is not known
BAD_VALUE = "bad_value"  # the check's value is not one its kind takes
UNKNOWN_KIND = "unknown_kind"  # not a kind of check this app knows

# Why a pattern is refused (``detail["why"]`` of BAD_PATTERN).
PATTERN_TOO_LONG, PATTERN_TOO_COMPLEX, PATTERN_REFUSED = "too_long", "too_complex", "refused"

_COUNTED = re.compile(r"\{(\d+)(?:,(\d*))?\}")
_FULL_STOPS = (".", "。")


class PatternRefused(ValueError):
    """A regex check's pattern that is not run: ``why`` is one of the ``PATTERN_`` codes, ``detail`` RE2's words."""

    def __init__(self, why: str, detail: str = "") -> None:
        super().__init__(why, detail)
        self.why = why
        self.detail = detail


def linear_regex(pattern: str) -> Any:
    """``pattern`` compiled by RE2 when it is short and simple enough to compile fast; else :class:`PatternRefused`."""
    if len(pattern) > MAX_PATTERN:
        raise PatternRefused(PATTERN_TOO_LONG)
    if sum(int(upper) if upper else int(lower) for lower, upper in _COUNTED.findall(pattern)) > MAX_REPETITIONS:
        raise PatternRefused(PATTERN_TOO_COMPLEX)
    try:
        return schema_engine.linear_pattern(pattern)
    except PatternUnsupported as error:
        raise PatternRefused(PATTERN_REFUSED, error.detail) from None


def run_checks(prompt: Prompt, content: str, stats: RunStats | None, seconds: float | None) -> tuple[CheckResult, ...]:
    """Every check of ``prompt`` on the answer ``content``, in the prompt's order."""
    return tuple(_run(check, prompt, content, stats, seconds) for check in prompt.checks)


def _run(check: Check, prompt: Prompt, content: str, stats: RunStats | None, seconds: float | None) -> CheckResult:
    kind, value = check.kind, check.value
    if kind in (CONTAINS, NOT_CONTAINS, EXACT, REGEX) and not (isinstance(value, str) and value):
        return CheckResult(check, False, BAD_VALUE)
    if kind == CONTAINS:
        present = _normal(str(value)) in _normal(content)
        return CheckResult(check, present, "" if present else MISSING)
    if kind == NOT_CONTAINS:
        present = _normal(str(value)) in _normal(content)
        return CheckResult(check, not present, FOUND if present else "")
    if kind == EXACT:
        same = _exact(content) == _exact(str(value))
        return CheckResult(check, same, "" if same else DIFFERENT)
    if kind == REGEX:
        return _regex(check, str(value), content)
    if kind == JSON_SCHEMA:
        return _json_schema(check, prompt.schema, content)
    if kind == MAX_TOKENS:
        if not _positive(value) or not isinstance(value, int):
            return CheckResult(check, False, BAD_VALUE)
        tokens = stats.output_tokens if stats else None
        if tokens is None:
            return CheckResult(check, False, UNKNOWN)
        detail = {"tokens": tokens, "limit": value}
        return CheckResult(check, tokens <= value, "" if tokens <= value else TOO_LONG, detail)
    if kind == MAX_SECONDS:
        if not _positive(value):
            return CheckResult(check, False, BAD_VALUE)
        if seconds is None:
            return CheckResult(check, False, UNKNOWN)
        fast = seconds <= float(value or 0)
        return CheckResult(check, fast, "" if fast else TOO_SLOW, {"seconds": seconds, "limit": value})
    return CheckResult(check, False, UNKNOWN_KIND)


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _exact(text: str) -> str:
    """Text as ``exact`` compares it: normalised, trimmed, without one trailing full stop."""
    text = _normal(text).strip()
    if text.endswith(_FULL_STOPS):
        text = text[:-1].rstrip()
    return text


def _positive(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and value > 0


def _regex(check: Check, pattern: str, content: str) -> CheckResult:
    try:
        compiled = linear_regex(pattern)
    except PatternRefused as refused:
        return CheckResult(check, False, BAD_PATTERN, {"why": refused.why, "detail": refused.detail})
    found = compiled.search(content) is not None
    return CheckResult(check, found, "" if found else NO_MATCH)


def without_fence(content: str) -> str:
    """The answer without a Markdown code fence around all of it (```` ```json ```` or a bare one)."""
    text = content.strip()
    if not (text.startswith("```") and text.endswith("```") and "\n" in text):
        return text
    opening, rest = text.split("\n", 1)
    if opening[3:].strip().lower() not in ("", "json") or not rest.rstrip().endswith("```"):
        return text
    return rest.rstrip()[:-3].strip()


def _json_schema(check: Check, schema: dict[str, Any] | None, content: str) -> CheckResult:
    value, problem = schema_engine.read_answer(without_fence(content))
    if problem is not None:
        return CheckResult(check, False, INVALID_JSON, {"problem": problem.as_json()})
    if schema is None:
        return CheckResult(check, False, NO_SCHEMA)
    for _attempt in range(_BUSY_ATTEMPTS):
        try:
            verdict = schema_engine.validate_in_worker(schema, value)
        except WorkersBusy:
            continue
        if verdict.not_checked is not None:
            return CheckResult(check, False, NOT_CHECKED, {"problem": verdict.not_checked.as_json()})
        if verdict.problems:
            problems = [found.as_json() for found in verdict.problems]
            return CheckResult(check, False, SCHEMA, {"problems": problems, "total": verdict.total})
        return CheckResult(check, True)
    return CheckResult(check, False, BUSY)


# Wording: for the screen (Markdown, values escaped) or for files (``plain``: values as they are)

_CHECK_KEYS = {
    CONTAINS: "evals_core.check_contains",
    NOT_CONTAINS: "evals_core.check_not_contains",
    EXACT: "evals_core.check_exact",
    REGEX: "evals_core.check_regex",
    JSON_SCHEMA: "evals_core.check_json_schema",
    MAX_TOKENS: "evals_core.check_max_tokens",
    MAX_SECONDS: "evals_core.check_max_seconds",
}
_REASON_KEYS = {
    MISSING: "evals_core.reason_missing",
    FOUND: "evals_core.reason_found",
    DIFFERENT: "evals_core.reason_different",
    NO_MATCH: "evals_core.reason_no_match",
    NO_SCHEMA: "evals_core.reason_no_schema",
    BUSY: "evals_core.reason_busy",
    BAD_VALUE: "evals_core.reason_bad_value",
    UNKNOWN_KIND: "evals_core.reason_unknown_kind",
}
_PATTERN_KEYS = {
    PATTERN_TOO_LONG: "evals_core.pattern_too_long",
    PATTERN_TOO_COMPLEX: "evals_core.pattern_too_complex",
    PATTERN_REFUSED: "evals_core.pattern_refused",
}


def say(key: str, lang: str | None = None, *, plain: bool = False, **values: Any) -> str:
    """The catalog text ``key`` in ``lang`` (default: the session's): Markdown with escaped values
    (an :class:`~lib.i18n.Markdown`), or with ``plain`` the values as they are, for files."""
    text = i18n.render(i18n.catalog()[key], lang or i18n.language(), values, escaped=not plain)
    return text if plain else i18n.markdown(text)


def problem_text(problem: Problem, lang: str | None = None, *, plain: bool = False) -> str:
    """A schema checker's problem (:mod:`lib.generate.schema_engine`) worded in ``lang``, numbers grouped."""
    if problem.key not in i18n.catalog():  # saved by a version whose words are gone
        return say("evals_core.reason_unreadable", lang, plain=plain)
    values = {name: _shown(value, lang, plain) for name, value in problem.values.items()}
    return say(problem.key, lang, plain=plain, **values)


def _shown(value: Any, lang: str | None, plain: bool) -> Any:
    if isinstance(value, Problem):
        return problem_text(value, lang, plain=plain)
    if isinstance(value, int) and not isinstance(value, bool):
        return whole_number(value)
    return value


def _figure(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return whole_number(value) if float(value).is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def check_text(check: Check, lang: str | None = None, *, plain: bool = False) -> str:
    """What the check asks for: "contains “Paris”", "at most 50 tokens"."""
    key = _CHECK_KEYS.get(check.kind)
    if key is None:
        return say("evals_core.check_unknown", lang, plain=plain, kind=check.kind)
    value = _figure(check.value) if check.kind in (MAX_TOKENS, MAX_SECONDS) else check.value
    return say(key, lang, plain=plain, value="" if value is None else value)


def reason_text(result: CheckResult, lang: str | None = None, *, plain: bool = False) -> str:
    """Why the check failed, as a sentence (empty for a passed check)."""
    if result.passed:
        return ""
    detail = result.detail
    reason = result.reason
    if reason in _REASON_KEYS:
        value = "" if result.check.value is None else result.check.value
        return say(_REASON_KEYS[reason], lang, plain=plain, value=value, kind=result.check.kind)
    if reason == BAD_PATTERN:
        key = _PATTERN_KEYS.get(detail.get("why", ""), "evals_core.pattern_refused")
        return say(
            key, lang, plain=plain, detail=detail.get("detail", ""), limit=MAX_PATTERN, repetitions=MAX_REPETITIONS
        )
    if reason in (INVALID_JSON, NOT_CHECKED):  # the checker's sentences say what happened to the answer
        return problem_text(_problem(detail.get("problem")), lang, plain=plain)
    if reason == SCHEMA:
        listed = detail.get("problems")
        listed = listed if isinstance(listed, list) else []
        problems = [problem_text(_problem(item), lang, plain=plain) for item in listed]
        total = detail.get("total")
        more = max(0, total - len(problems)) if isinstance(total, int) else 0
        text = say("evals_core.reason_schema", lang, plain=plain, problems=_markdown(" ".join(problems), plain))
        if more:
            text += " " + say("evals_core.reason_schema_more", lang, plain=plain, n=more)
        return text if plain else i18n.markdown(text)
    if reason == TOO_LONG:
        tokens, limit = _figure(detail.get("tokens")), _figure(detail.get("limit"))
        return say("evals_core.reason_too_long", lang, plain=plain, tokens=tokens, limit=limit)
    if reason == TOO_SLOW:
        seconds, limit = _figure(detail.get("seconds")), _figure(detail.get("limit"))
        return say("evals_core.reason_too_slow", lang, plain=plain, seconds=seconds, limit=limit)
    if reason == UNKNOWN:
        if result.check.kind == MAX_TOKENS:
            return say("evals_core.reason_unknown_tokens", lang, plain=plain)
        return say("evals_core.reason_unknown_time", lang, plain=plain)
    return say("evals_core.reason_unreadable", lang, plain=plain)


def _problem(data: Any) -> Problem:
    try:
        return Problem.from_json(data)
    except (AttributeError, KeyError, TypeError, ValueError):
        return Problem("evals_core.reason_unreadable")


def _markdown(text: str, plain: bool) -> str:
    """Text already worded (and escaped, for the screen) going into another sentence unchanged."""
    return text if plain else i18n.markdown(text)
