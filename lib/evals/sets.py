"""Prompt sets to and from files (JSONL and CSV), checked completely before they are used, and the example sets.

**JSONL**: one JSON object a line, ``{"prompt", "tags", "system", "images", "schema", "checks":
[{"kind", "value"}]}``; only ``prompt`` is needed. Blank lines are skipped.

**CSV**: a header row naming the columns, in any order and case: ``prompt`` (needed), ``tags``
(``a;b``), ``system``, ``images`` (base64, one a line), ``schema`` (a JSON Schema object as
text), ``check_schema`` (``yes``: the answer must be JSON valid against ``schema``), and one
column per check kind: ``expected`` (the exact answer), ``contains``, ``not_contains``,
``regex``, ``max_tokens`` and ``max_seconds``. A check cell may hold several values, one a line
(each its own check), so a check's value cannot hold a line break in CSV: :func:`to_csv` refuses
such a set (export it as JSONL). Check values are trimmed; their order is the columns' order.
The separator is the comma, or the semicolon or tab when the header line has more of those
(spreadsheets in many countries save with semicolons). A file may be in any encoding
:func:`lib.embeddings.encoding.decode` reads (UTF-8, UTF-16, GB18030, Shift-JIS…).

A text cell that a spreadsheet would run as a formula (starting with ``= + - @``, a tab or a
carriage return) is written with a leading apostrophe (OWASP's advice), and so is one that starts
with an apostrophe; reading takes that apostrophe off again, so sets round-trip exactly.

Every problem raises :class:`SetProblem`, an error as data: a catalog key, its values and the line
of the file (1 for the first), worded by :func:`describe`. Schemas are checked by Generate's
checker (:mod:`lib.generate.schema`: in a worker process with a deadline, nothing fetched), regular
expressions by RE2 with the limits of :func:`lib.evals.checks.linear_regex`, images as chats check
them (:func:`lib.chat.validation.image_bytes`).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from lib.chat import validation
from lib.embeddings import encoding
from lib.embeddings.texts import InputProblem
from lib.evals import checks
from lib.evals.records import (
    CHECK_KINDS,
    CONTAINS,
    EXACT,
    JSON_SCHEMA,
    MAX_SECONDS,
    MAX_TOKENS,
    NOT_CONTAINS,
    REGEX,
    Check,
    Prompt,
    PromptSet,
)
from lib.formatting import whole_number
from lib.generate import schema as generate_schema
from lib.generate.schema_engine import Problem
from lib.i18n import markdown, t_plain

EXAMPLES_DIR = Path(__file__).with_name("examples")
MAX_FILE_MB = 50
MAX_PROMPTS = 1000
MAX_TEXT = 100_000  # characters of a prompt or a system prompt
MAX_TAGS = 20
MAX_TAG = 100  # characters of a tag
MAX_IMAGES = 10  # per prompt
MAX_CHECKS = 20  # per prompt
MAX_VALUE = 1000  # characters of a check's text
MAX_SCHEMAS = 100  # different schemas in one set: each is checked in a worker process
MAX_PATTERNS = 20_000  # characters of a set's different patterns together: each is compiled when imported

JSONL_KEYS = ("prompt", "tags", "system", "images", "schema", "checks")
TEXT_KINDS = (CONTAINS, NOT_CONTAINS, EXACT, REGEX)
# CSV columns that hold checks, in the order a row's checks take, and the kind of each.
CHECK_COLUMNS = {
    "expected": EXACT,
    "contains": CONTAINS,
    "not_contains": NOT_CONTAINS,
    "regex": REGEX,
    "check_schema": JSON_SCHEMA,
    "max_tokens": MAX_TOKENS,
    "max_seconds": MAX_SECONDS,
}
CSV_COLUMNS = ("prompt", "tags", "system", "images", "schema", *CHECK_COLUMNS)
_YES = frozenset({"yes", "y", "true", "1", "x", "是"})
_NO = frozenset({"", "no", "n", "false", "0", "否"})
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


class SetProblem(ValueError):
    """Why a set cannot be read or used: ``key`` (a catalog key, mostly of ``evals_core``) and its ``values``,
    with where it is: ``line`` of the file (from 1), and the ``check`` (from 1) or CSV ``column`` in it."""

    def __init__(
        self,
        key: str,
        values: dict[str, Any] | None = None,
        line: int | None = None,
        *,
        check: int | None = None,
        column: str | None = None,
    ) -> None:
        super().__init__(key)
        self.key = key
        self.values = values or {}
        self.line = line
        self.check = check
        self.column = column

    def at(self, line: int | None = None, *, check: int | None = None, column: str | None = None) -> SetProblem:
        """The same problem, placed (what is already placed stays)."""
        return SetProblem(
            self.key,
            self.values,
            self.line if self.line is not None else line,
            check=self.check if self.check is not None else check,
            column=self.column if self.column is not None else column,
        )

    def __repr__(self) -> str:
        return (
            f"SetProblem({self.key!r}, {self.values!r}, line={self.line}, check={self.check}, column={self.column!r})"
        )


def describe(problem: SetProblem, lang: str | None = None, *, plain: bool = False) -> str:
    """``problem`` as a sentence in ``lang`` (default: the session's), saying where it is: "Line 4, check 2: …".

    Markdown with every value escaped, or with ``plain`` the values as they are.
    """
    values = {name: _shown(value, lang, plain) for name, value in problem.values.items()}
    what = markdown(checks.say(problem.key, lang, plain=plain, **values))  # worded: goes in unchanged
    line, number, column = problem.line, problem.check, problem.column
    if line is None:
        return (
            what if number is None else checks.say("evals_core.at_check", lang, plain=plain, number=number, what=what)
        )
    if number is not None:
        return checks.say("evals_core.at_line_check", lang, plain=plain, line=line, number=number, what=what)
    if column is not None:
        return checks.say("evals_core.at_line_column", lang, plain=plain, line=line, column=column, what=what)
    return checks.say("evals_core.at_line", lang, plain=plain, line=line, what=what)


def _shown(value: Any, lang: str | None, plain: bool) -> Any:
    if isinstance(value, Problem):
        return markdown(checks.problem_text(value, lang, plain=plain))  # worded, its values escaped already
    if isinstance(value, int) and not isinstance(value, bool):
        return whole_number(value)
    return value


# Checking one check, one prompt


def check_problem(check: Check, prompt: Prompt) -> SetProblem | None:
    """Why ``check`` cannot be used on ``prompt`` (a pattern RE2 refuses, a limit that is not a
    positive number, a JSON check without a schema…), or None when it can."""
    kind, value = check.kind, check.value
    if kind not in CHECK_KINDS:
        return SetProblem("evals_core.check_unknown_kind", {"kind": str(kind), "known": ", ".join(CHECK_KINDS)})
    if kind in TEXT_KINDS:
        if not isinstance(value, str) or not value.strip():
            return SetProblem("evals_core.check_needs_text", {"kind": kind})
        if len(value) > MAX_VALUE:
            return SetProblem("evals_core.check_value_too_long", {"kind": kind, "limit": MAX_VALUE})
        if kind == REGEX:
            try:
                checks.linear_regex(value)
            except checks.PatternRefused as refused:
                return _pattern_problem(value, refused)
    if kind == JSON_SCHEMA and prompt.schema is None:
        return SetProblem("evals_core.check_needs_schema")
    if kind == MAX_TOKENS and not (isinstance(value, int) and not isinstance(value, bool) and value > 0):
        return SetProblem("evals_core.check_needs_whole_number", {"value": _value_text(value)})
    if kind == MAX_SECONDS and not (
        isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and value > 0
    ):
        return SetProblem("evals_core.check_needs_seconds", {"value": _value_text(value)})
    return None


def _pattern_problem(pattern: str, refused: checks.PatternRefused) -> SetProblem:
    if refused.why == checks.PATTERN_TOO_LONG:
        return SetProblem("evals_core.regex_too_long", {"limit": checks.MAX_PATTERN})
    if refused.why == checks.PATTERN_TOO_COMPLEX:
        return SetProblem("evals_core.regex_too_complex", {"limit": checks.MAX_REPETITIONS})
    return SetProblem("evals_core.regex_refused", {"pattern": pattern, "detail": refused.detail})


def _value_text(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value


def _typed(kind: str, raw: Any) -> Any:
    """A check's value as its kind takes it, when it can be read so ("50" and 50.0 are 50 tokens)."""
    if kind == JSON_SCHEMA:
        return None
    if kind == MAX_TOKENS:
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        if isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit():
            return int(raw.strip())
    if kind == MAX_SECONDS and isinstance(raw, str):
        try:
            return float(raw.strip())
        except ValueError:
            return raw
    return raw


class _Reading:
    """What reading one file has checked so far: each different schema and pattern is checked once.

    ``ours``: a file shipped with the app (the examples, which their tests check), whose schemas
    are read without a worker process, so that offering them never waits for one.
    """

    def __init__(self, *, ours: bool = False) -> None:
        self.ours = ours
        self.schemas: dict[str, dict[str, Any]] = {}
        self.patterns: dict[str, SetProblem | None] = {}
        self.pattern_characters = 0

    def schema(self, text: str) -> dict[str, Any]:
        """The schema in ``text``, checked in a worker process the first time it is seen."""
        if text not in self.schemas:
            if len(self.schemas) >= MAX_SCHEMAS:
                raise SetProblem("evals_core.too_many_schemas", {"limit": MAX_SCHEMAS})
            if self.ours:
                self.schemas[text] = json.loads(text)
                return self.schemas[text]
            try:
                self.schemas[text] = generate_schema.parse_schema(text)
            except generate_schema.InvalidSchema as invalid:
                if invalid.problem.key == "generate.schema_typed_busy":
                    raise SetProblem("evals_core.schema_busy") from None
                raise SetProblem(invalid.problem.key, dict(invalid.problem.values)) from None
        return self.schemas[text]

    def check_problem(self, check: Check, prompt: Prompt) -> SetProblem | None:
        """:func:`check_problem`, compiling each different pattern once, and only while the set's
        patterns stay within :data:`MAX_PATTERNS` characters together."""
        if check.kind != REGEX or not isinstance(check.value, str):
            return check_problem(check, prompt)
        if check.value not in self.patterns:
            self.pattern_characters += len(check.value)
            if self.pattern_characters > MAX_PATTERNS:
                raise SetProblem("evals_core.too_many_patterns", {"limit": MAX_PATTERNS})
            self.patterns[check.value] = check_problem(check, prompt)
        return self.patterns[check.value]


def _prompt(document: dict[str, Any], schema_text: str | None, reading: _Reading) -> Prompt:
    """A prompt from a line's fields, every one checked; raises :class:`SetProblem` (not yet placed on a line)."""
    text = document.get("prompt")
    if not isinstance(text, str) or not text.strip():
        raise SetProblem("evals_core.no_prompt_text")
    _limit_text("prompt", text)
    system = document.get("system", "")
    if system is None:
        system = ""
    if not isinstance(system, str):
        raise SetProblem("evals_core.must_be_text", {"field": "system"})
    _limit_text("system", system)
    schema = reading.schema(schema_text) if schema_text is not None else None
    prompt = Prompt(
        text=text,
        tags=_tags(document.get("tags")),
        system=system,
        images=_images(document.get("images")),
        schema=schema,
    )
    raw_checks = document.get("checks") or []
    if not isinstance(raw_checks, list):
        raise SetProblem("evals_core.must_be_list", {"field": "checks"})
    if len(raw_checks) > MAX_CHECKS:
        raise SetProblem("evals_core.too_many", {"field": "checks", "limit": MAX_CHECKS})
    found = []
    for number, item in enumerate(raw_checks, start=1):
        if not isinstance(item, dict) or "kind" not in item:
            raise SetProblem("evals_core.check_not_object", check=number)
        unknown = sorted(set(item) - {"kind", "value"})
        if unknown:
            raise SetProblem("evals_core.check_unknown_field", {"field": unknown[0]}, check=number)
        check = Check(item["kind"], _typed(item["kind"], item.get("value")))
        problem = reading.check_problem(check, prompt)
        if problem is not None:
            raise problem.at(check=number)
        found.append(check)
    return Prompt(prompt.text, prompt.tags, prompt.system, prompt.images, prompt.schema, tuple(found))


def _limit_text(field: str, text: str) -> None:
    if len(text) > MAX_TEXT:
        raise SetProblem("evals_core.text_too_long", {"field": field, "limit": MAX_TEXT})


def _tags(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        raise SetProblem("evals_core.must_be_text_list", {"field": "tags"})
    tags = list(dict.fromkeys(tag.strip() for tag in value if tag.strip()))
    if len(tags) > MAX_TAGS:
        raise SetProblem("evals_core.too_many", {"field": "tags", "limit": MAX_TAGS})
    for tag in tags:
        if ";" in tag or "\n" in tag or len(tag) > MAX_TAG:
            raise SetProblem("evals_core.bad_tag", {"tag": tag[:MAX_TAG], "limit": MAX_TAG})
    return tuple(tags)


def _images(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(image, str) for image in value):
        raise SetProblem("evals_core.must_be_text_list", {"field": "images"})
    if len(value) > MAX_IMAGES:
        raise SetProblem("evals_core.too_many", {"field": "images", "limit": MAX_IMAGES})
    images = []
    for number, image in enumerate(value, start=1):
        try:
            validation.image_bytes(image)
        except validation.Invalid as error:
            nested = Problem(error.problem.key, dict(error.problem.values))
            raise SetProblem("evals_core.bad_image", {"number": number, "problem": nested}) from None
        images.append(validation.strip_data_url(image))
    return tuple(images)


def _whole_set(prompts: list[Prompt], name: str) -> PromptSet:
    if not prompts:
        raise SetProblem("evals_core.no_prompts", {"name": name})
    return PromptSet(name, tuple(prompts))


# Reading files


def _text_of(data: bytes, name: str) -> str:
    if len(data) > MAX_FILE_MB * 1024 * 1024:
        raise SetProblem("evals_core.file_too_large", {"name": name, "limit": MAX_FILE_MB})
    try:
        return encoding.decode(name, data).text
    except InputProblem:
        raise SetProblem("evals_core.not_text", {"name": name}) from None


def from_jsonl(data: bytes, name: str, *, ours: bool = False) -> PromptSet:
    """A set from JSON Lines; raises :class:`SetProblem` at the first problem, with its line.

    ``ours``: a file shipped with the app (see :class:`_Reading`).
    """
    text = _text_of(data, name)
    prompts: list[Prompt] = []
    reading = _Reading(ours=ours)
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        if len(prompts) >= MAX_PROMPTS:
            raise SetProblem("evals_core.too_many_prompts", {"limit": MAX_PROMPTS}, number)
        try:
            prompts.append(_jsonl_prompt(line, reading))
        except SetProblem as problem:
            raise problem.at(number) from None
    return _whole_set(prompts, name)


def _jsonl_prompt(line: str, reading: _Reading) -> Prompt:
    try:
        document = json.loads(line)
    except json.JSONDecodeError as error:
        raise SetProblem("evals_core.not_json", {"detail": error.msg, "column": error.colno}) from None
    except (RecursionError, ValueError):
        raise SetProblem("evals_core.not_json", {"detail": "-", "column": 1}) from None
    if not isinstance(document, dict):
        raise SetProblem("evals_core.not_object")
    unknown = sorted(set(document) - set(JSONL_KEYS))
    if unknown:
        raise SetProblem("evals_core.unknown_field", {"field": unknown[0], "known": ", ".join(JSONL_KEYS)})
    schema = document.get("schema")
    schema_text = None if schema is None else json.dumps(schema, ensure_ascii=False)
    return _prompt(document, schema_text, reading)


def from_csv(data: bytes, name: str) -> PromptSet:
    """A set from CSV with a header row; raises :class:`SetProblem` at the first problem, with its line."""
    text = _text_of(data, name)
    rows = _csv_rows(text)
    header_line, header = next(rows, (0, []))
    if not header:
        raise SetProblem("evals_core.no_prompts", {"name": name})
    columns = [cell.strip().lower() for cell in header]
    known = ", ".join(CSV_COLUMNS)
    if "prompt" not in columns:
        raise SetProblem("evals_core.csv_no_prompt_column", {"known": known}, header_line)
    for column in columns:
        if column and column not in CSV_COLUMNS:
            raise SetProblem("evals_core.csv_unknown_column", {"column": column, "known": known}, header_line)
        if column and columns.count(column) > 1:
            raise SetProblem("evals_core.csv_repeated_column", {"column": column}, header_line)
    prompts: list[Prompt] = []
    reading = _Reading()
    for number, row in rows:
        extra = row[len(columns) :]
        if any(cell.strip() for cell in extra):
            raise SetProblem("evals_core.csv_too_many_cells", {"found": len(row), "expected": len(columns)}, number)
        cells = {column: _unescaped(cell) for column, cell in zip(columns, row, strict=False) if column}
        if len(prompts) >= MAX_PROMPTS:
            raise SetProblem("evals_core.too_many_prompts", {"limit": MAX_PROMPTS}, number)
        try:
            prompts.append(_csv_prompt(cells, reading))
        except SetProblem as problem:
            raise problem.at(number) from None
    return _whole_set(prompts, name)


def _csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each row that is not blank, with the line it starts on; :class:`SetProblem` for a broken file."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((",", ";", "\t"), key=first.count)  # the comma on a tie (max keeps the first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)  # a stray quote is said
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise SetProblem("evals_core.csv_broken", {"detail": str(error)}, start) from None
        if any(cell.strip() for cell in row):
            yield start, row
        start = reader.line_num + 1


def _csv_prompt(cells: dict[str, str], reading: _Reading) -> Prompt:
    document: dict[str, Any] = {
        "prompt": cells.get("prompt", ""),
        "system": cells.get("system", ""),
        "tags": cells.get("tags", "").split(";"),
        "images": _cell_lines(cells.get("images", "")),
    }
    checks_found = []
    for column, kind in CHECK_COLUMNS.items():
        cell = cells.get(column, "")
        if kind == JSON_SCHEMA:
            flag = cell.strip().lower()
            if flag not in _YES | _NO:
                raise SetProblem("evals_core.csv_bad_flag", {"value": cell.strip()}, column=column)
            if flag in _YES:
                checks_found.append({"kind": kind})
            continue
        checks_found += [{"kind": kind, "value": value} for value in _cell_lines(cell)]
    document["checks"] = checks_found
    schema_text = cells.get("schema", "")
    try:
        return _prompt(document, schema_text if schema_text.strip() else None, reading)
    except SetProblem as problem:
        if problem.check is not None:  # the column says where better than a count across columns
            kind = checks_found[problem.check - 1]["kind"]
            column = next(name for name, its in CHECK_COLUMNS.items() if its == kind)
            problem = SetProblem(problem.key, problem.values, column=column)
        raise problem from None


def _cell_lines(cell: str) -> list[str]:
    return [line.strip() for line in cell.splitlines() if line.strip()]


def _escaped(text: str) -> str:
    """A cell a spreadsheet shows as text (see the module's notes): an apostrophe before a formula's start."""
    return f"'{text}" if text.startswith((*_FORMULA, "'")) else text


def _unescaped(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:2] in (*_FORMULA, "'") else text


# Writing files


def prompt_document(prompt: Prompt) -> dict[str, Any]:
    """A prompt as a JSONL line's object (the store saves the same), empty fields left out."""
    document: dict[str, Any] = {"prompt": prompt.text}
    if prompt.tags:
        document["tags"] = list(prompt.tags)
    if prompt.system:
        document["system"] = prompt.system
    if prompt.images:
        document["images"] = list(prompt.images)
    if prompt.schema is not None:
        document["schema"] = prompt.schema
    if prompt.checks:
        document["checks"] = [_check_document(check) for check in prompt.checks]
    return document


def _check_document(check: Check) -> dict[str, Any]:
    return {"kind": check.kind} if check.kind == JSON_SCHEMA else {"kind": check.kind, "value": check.value}


def to_jsonl(prompt_set: PromptSet) -> str:
    """The set as JSON Lines, read back by :func:`from_jsonl` as the same prompts."""
    return "".join(json.dumps(prompt_document(prompt), ensure_ascii=False) + "\n" for prompt in prompt_set.prompts)


def to_csv(prompt_set: PromptSet) -> str:
    """The set as CSV, read back by :func:`from_csv` as the same prompts (checks in the columns' order).

    Raises :class:`SetProblem` (``line`` is the row it would be on) when a value cannot be held
    by its cell: a check's value, an image or a tag with a line break, or a tag with ``;``.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for number, prompt in enumerate(prompt_set.prompts, start=2):
        row = {
            "prompt": prompt.text,
            "tags": ";".join(prompt.tags),
            "system": prompt.system,
            "images": "\n".join(prompt.images),
            "schema": json.dumps(prompt.schema, ensure_ascii=False) if prompt.schema is not None else "",
        }
        if any(";" in tag or "\n" in tag for tag in prompt.tags):
            raise SetProblem("evals_core.csv_cannot_hold", {"column": "tags"}, number, column="tags")
        for column, kind in CHECK_COLUMNS.items():
            values = [check.value for check in prompt.checks if check.kind == kind]
            if kind == JSON_SCHEMA:
                row[column] = "yes" if values else ""
                continue
            texts = [_value_text(value) for value in values]
            if any("\n" in text or "\r" in text or text != text.strip() for text in texts):
                raise SetProblem("evals_core.csv_cannot_hold", {"column": column}, number, column=column)
            row[column] = "\n".join(texts)
        writer.writerow([_escaped(row[column]) for column in CSV_COLUMNS])
    return buffer.getvalue()


# The example sets


# Each example's file (in the order they are offered) and the keys of its name and description.
EXAMPLES = {
    "general_knowledge.jsonl": ("evals_core.example_general_knowledge", "evals_core.example_general_knowledge_about"),
    "structured_extraction.jsonl": ("evals_core.example_extraction", "evals_core.example_extraction_about"),
    "bilingual.jsonl": ("evals_core.example_bilingual", "evals_core.example_bilingual_about"),
}


@cache
def _example_prompts() -> tuple[tuple[Prompt, ...], ...]:
    return tuple(from_jsonl((EXAMPLES_DIR / file).read_bytes(), file, ours=True).prompts for file in EXAMPLES)


def examples() -> list[PromptSet]:
    """The sets shipped in ``lib/evals/examples/`` (read and checked once), named in the session's language."""
    return [
        PromptSet(t_plain(name), prompts, description=t_plain(about))
        for (name, about), prompts in zip(EXAMPLES.values(), _example_prompts(), strict=True)
    ]
