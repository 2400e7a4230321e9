"""A prompt set as the set editor's table, and back, with what is wrong said row by row.

The table has a row per prompt and a column per common field: the prompt, its tags, its system
prompt, and one column per kind of check (the expected exact answer, texts it must or must not
contain, a pattern, the JSON schema check, the token and time limits). What a table cell cannot
hold stays with the row as its :class:`Extras`: the JSON schema (edited in its own box), images,
and any check the columns cannot show (a second pattern, a text that holds the separator).
Nothing is lost by opening a set and saving it again.

Rows are known by the table's integer index, which Streamlit's editor keeps for the rows that
stay and gives new rows as the highest so far plus one: a row's extras follow it when rows above
it are deleted.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from lib.evals import sets
from lib.evals.records import (
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
from lib.generate.schema import InvalidSchema, parse_schema, say
from lib.i18n import t

SEPARATOR = ";"
PROMPT, TAGS, SYSTEM = "prompt", "tags", "system"
EXPECTED, CONTAINS_COLUMN, NOT_CONTAINS_COLUMN, REGEX_COLUMN = "expected", "contains", "not_contains", "regex"
JSON_COLUMN, MAX_TOKENS_COLUMN, MAX_SECONDS_COLUMN, EXTRAS = "json", "max_tokens", "max_seconds", "extras"
TEXT_COLUMNS = (PROMPT, TAGS, SYSTEM, EXPECTED, CONTAINS_COLUMN, NOT_CONTAINS_COLUMN, REGEX_COLUMN)
COLUMNS = (*TEXT_COLUMNS, JSON_COLUMN, MAX_TOKENS_COLUMN, MAX_SECONDS_COLUMN, EXTRAS)


@dataclass(frozen=True)
class Extras:
    """What a row holds besides its cells: the schema as typed, base64 images, checks no column shows."""

    schema_text: str = ""
    images: tuple[str, ...] = ()
    other_checks: tuple[Check, ...] = ()


@dataclass
class Draft:
    """The set being edited: its id (None until saved), name, description, and each row's extras by row id."""

    set_id: int | None
    name: str = ""
    description: str = ""
    extras: dict[int, Extras] = field(default_factory=dict)


@dataclass(frozen=True)
class Built:
    """The prompts a table makes, and a sentence for each row that cannot be saved as it is."""

    prompts: tuple[Prompt, ...]
    problems: tuple[str, ...] = ()


def schema_text(schema: dict[str, Any] | None) -> str:
    return "" if schema is None else json.dumps(schema, indent=2, ensure_ascii=False)


def _joinable(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip()) and SEPARATOR not in value and value == value.strip()


def row_of(prompt: Prompt) -> tuple[dict[str, Any], Extras]:
    """One prompt as a table row and its extras."""
    row: dict[str, Any] = dict.fromkeys(TEXT_COLUMNS, "")
    row.update({PROMPT: prompt.text, TAGS: f"{SEPARATOR} ".join(prompt.tags), SYSTEM: prompt.system})
    row.update({JSON_COLUMN: False, MAX_TOKENS_COLUMN: None, MAX_SECONDS_COLUMN: None})
    contains: list[str] = []
    not_contains: list[str] = []
    others: list[Check] = []
    for check in prompt.checks:
        if check.kind == EXACT and not row[EXPECTED] and isinstance(check.value, str) and check.value:
            row[EXPECTED] = check.value
        elif check.kind == CONTAINS and _joinable(check.value):
            contains.append(str(check.value))
        elif check.kind == NOT_CONTAINS and _joinable(check.value):
            not_contains.append(str(check.value))
        elif check.kind == REGEX and not row[REGEX_COLUMN] and isinstance(check.value, str) and check.value:
            row[REGEX_COLUMN] = check.value
        elif check.kind == JSON_SCHEMA and not row[JSON_COLUMN]:
            row[JSON_COLUMN] = True
        elif check.kind == MAX_TOKENS and row[MAX_TOKENS_COLUMN] is None and _whole(check.value) is not None:
            row[MAX_TOKENS_COLUMN] = _whole(check.value)
        elif check.kind == MAX_SECONDS and row[MAX_SECONDS_COLUMN] is None and _positive(check.value) is not None:
            row[MAX_SECONDS_COLUMN] = _positive(check.value)
        else:
            others.append(check)
    row[CONTAINS_COLUMN] = f"{SEPARATOR} ".join(contains)
    row[NOT_CONTAINS_COLUMN] = f"{SEPARATOR} ".join(not_contains)
    extras = Extras(schema_text(prompt.schema), prompt.images, tuple(others))
    row[EXTRAS] = extras_summary(extras)
    return row, extras


def extras_summary(extras: Extras) -> str:
    """The read-only cell that says what a row holds besides its cells: ``schema · 2 images · 1 more check``."""
    parts = []
    if extras.schema_text.strip():
        parts.append(t("evals.extras_schema"))
    if extras.images:
        parts.append(t("evals.extras_images", n=len(extras.images)))
    if extras.other_checks:
        parts.append(t("evals.extras_checks", n=len(extras.other_checks)))
    return " · ".join(parts)


def empty_frame() -> pd.DataFrame:
    """A table with no rows and the column types the editor needs to accept new ones."""
    frame = pd.DataFrame({column: pd.Series(dtype="object") for column in COLUMNS})
    frame[JSON_COLUMN] = frame[JSON_COLUMN].astype("bool")
    frame[MAX_TOKENS_COLUMN] = frame[MAX_TOKENS_COLUMN].astype("Int64")
    frame[MAX_SECONDS_COLUMN] = frame[MAX_SECONDS_COLUMN].astype("float64")
    return frame


def table(prompt_set: PromptSet) -> tuple[pd.DataFrame, Draft]:
    """The editor's table for ``prompt_set`` and the draft that holds its rows' extras."""
    rows, extras = [], {}
    for index, prompt in enumerate(prompt_set.prompts):
        row, extra = row_of(prompt)
        rows.append(row)
        extras[index] = extra
    frame = pd.concat([empty_frame(), pd.DataFrame(rows, columns=list(COLUMNS))]) if rows else empty_frame()
    frame.index = pd.Index(range(len(rows)), dtype="int64")
    frame[JSON_COLUMN] = frame[JSON_COLUMN].fillna(False).astype("bool")
    frame[MAX_TOKENS_COLUMN] = pd.array(frame[MAX_TOKENS_COLUMN].tolist(), dtype="Int64")
    frame[MAX_SECONDS_COLUMN] = pd.to_numeric(frame[MAX_SECONDS_COLUMN]).astype("float64")
    draft = Draft(prompt_set.id, prompt_set.name, prompt_set.description, extras)
    return frame, draft


def refresh_extras(frame: pd.DataFrame, draft: Draft) -> pd.DataFrame:
    """The table with each row's extras cell saying what the draft holds now (a schema typed, images added)."""
    shown = frame.copy()
    shown[EXTRAS] = [extras_summary(draft.extras.get(row_number(row_id), Extras())) for row_id in shown.index]
    return shown


def prune(frame: pd.DataFrame, draft: Draft) -> None:
    """Forget the extras of rows deleted from the table."""
    kept = {row_number(row_id) for row_id in frame.index}
    for row_id in [row_id for row_id in draft.extras if row_id not in kept]:
        del draft.extras[row_id]


def build(frame: pd.DataFrame, draft: Draft) -> Built:
    """The prompts of the table in its order; rows left entirely empty are skipped."""
    prompts: list[Prompt] = []
    problems: list[str] = []
    for position, (row_id, row) in enumerate(frame.iterrows(), start=1):
        extras = draft.extras.get(row_number(row_id), Extras())
        text = cell_text(row.get(PROMPT))
        if not text.strip():
            if _has_content(row, extras):
                problems.append(t("evals.row_no_prompt", row=position))
            continue
        schema: dict[str, Any] | None = None
        if extras.schema_text.strip():
            try:
                schema = parse_schema(extras.schema_text)
            except InvalidSchema as error:
                problems.append(t("evals.row_problem", row=position, problem=say(error.problem)))
        prompt = Prompt(
            text=text,
            tags=tuple(dict.fromkeys(_split(row.get(TAGS)))),
            system=cell_text(row.get(SYSTEM)),
            images=extras.images,
            schema=schema,
        )
        prompt = replace(prompt, checks=_checks(row, extras))
        for check in prompt.checks:
            problem = sets.check_problem(check, prompt)
            if problem is not None:
                problems.append(t("evals.row_problem", row=position, problem=sets.describe(problem)))
        prompts.append(prompt)
    return Built(tuple(prompts), tuple(problems))


def same_prompts(first: tuple[Prompt, ...], second: tuple[Prompt, ...]) -> bool:
    """Whether two sets' prompts ask and check the same, whatever the order of each prompt's checks
    (the table gives checks in its columns' order, a file in its own)."""

    def comparable(prompt: Prompt) -> Prompt:
        return replace(prompt, checks=tuple(sorted(prompt.checks, key=lambda check: (check.kind, repr(check.value)))))

    return len(first) == len(second) and all(
        comparable(one) == comparable(other) for one, other in zip(first, second, strict=True)
    )


def _checks(row: pd.Series, extras: Extras) -> tuple[Check, ...]:
    checks: list[Check] = []
    expected = cell_text(row.get(EXPECTED)).strip()
    if expected:
        checks.append(Check(EXACT, expected))
    checks += [Check(CONTAINS, value) for value in _split(row.get(CONTAINS_COLUMN))]
    checks += [Check(NOT_CONTAINS, value) for value in _split(row.get(NOT_CONTAINS_COLUMN))]
    pattern = cell_text(row.get(REGEX_COLUMN))
    if pattern.strip():
        checks.append(Check(REGEX, pattern))
    if _true(row.get(JSON_COLUMN)):
        checks.append(Check(JSON_SCHEMA))
    tokens = _whole(row.get(MAX_TOKENS_COLUMN))
    if tokens is not None:
        checks.append(Check(MAX_TOKENS, tokens))
    seconds = _positive(row.get(MAX_SECONDS_COLUMN))
    if seconds is not None:
        checks.append(Check(MAX_SECONDS, seconds))
    return (*checks, *extras.other_checks)


def _has_content(row: pd.Series, extras: Extras) -> bool:
    texts = any(cell_text(row.get(column)).strip() for column in TEXT_COLUMNS)
    numbers = _whole(row.get(MAX_TOKENS_COLUMN)) is not None or _positive(row.get(MAX_SECONDS_COLUMN)) is not None
    return texts or numbers or _true(row.get(JSON_COLUMN)) or extras != Extras()


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def row_number(row_id: Any) -> int:
    """A row's id (the table's index) as the draft keys its extras."""
    return int(row_id)


def cell_text(value: Any) -> str:
    return "" if _missing(value) else str(value)


def _split(value: Any) -> list[str]:
    return [part.strip() for part in cell_text(value).split(SEPARATOR) if part.strip()]


def _true(value: Any) -> bool:
    return not _missing(value) and bool(value)


def _whole(value: Any) -> int | None:
    """A positive whole number of a cell or check, else None."""
    if _missing(value) or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number > 0 and number.is_integer() else None


def _positive(value: Any) -> float | None:
    if _missing(value) or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 and math.isfinite(number) else None
