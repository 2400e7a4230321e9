"""A prompt set as the editor's table and back (lib/evals/editor.py): nothing lost, problems by row."""

from __future__ import annotations

import base64

import pandas as pd
import pytest

from lib.evals import editor, sets
from lib.evals.editor import Draft, Extras
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
from tests.generate.conftest import PNG

SCHEMA = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
IMAGE = base64.b64encode(PNG).decode()


def full_prompt() -> Prompt:
    return Prompt(
        "Where is the Eiffel Tower?\nOne word.",
        tags=("geography", "europe"),
        system="Answer briefly.",
        images=(IMAGE,),
        schema=SCHEMA,
        checks=(
            Check(EXACT, "Paris"),
            Check(CONTAINS, "Par"),
            Check(CONTAINS, "is"),
            Check(NOT_CONTAINS, "London"),
            Check(REGEX, "(?i)paris"),
            Check(JSON_SCHEMA),
            Check(MAX_TOKENS, 20),
            Check(MAX_SECONDS, 2.5),
        ),
    )


def rebuilt(prompt_set: PromptSet) -> editor.Built:
    frame, draft = editor.table(prompt_set)
    return editor.build(frame, draft)


def test_every_field_goes_into_a_cell_or_the_extras_and_comes_back():
    prompt_set = PromptSet("Geo", (full_prompt(), Prompt("Plain question")), description="d", id=4)
    frame, draft = editor.table(prompt_set)
    first = frame.iloc[0]
    assert first[editor.TAGS] == "geography; europe"
    assert first[editor.CONTAINS_COLUMN] == "Par; is"
    assert first[editor.JSON_COLUMN] is True or first[editor.JSON_COLUMN] == True  # noqa: E712 (a numpy bool)
    assert first[editor.MAX_TOKENS_COLUMN] == 20 and first[editor.MAX_SECONDS_COLUMN] == 2.5
    assert first[editor.EXTRAS] == "schema · 1 image"
    assert (draft.set_id, draft.name, draft.description) == (4, "Geo", "d")
    built = editor.build(frame, draft)
    assert built.problems == ()
    assert built.prompts == prompt_set.prompts


def test_what_no_column_can_hold_is_kept_as_other_checks():
    prompt = Prompt(
        "q",
        checks=(
            Check(REGEX, "a+"),
            Check(REGEX, "b+"),
            Check(CONTAINS, "x; y"),
            Check(EXACT, "one"),
            Check(EXACT, "two"),
            Check(MAX_TOKENS, 10),
            Check(MAX_TOKENS, 5),
        ),
    )
    frame, draft = editor.table(PromptSet("s", (prompt,)))
    assert frame.iloc[0][editor.REGEX_COLUMN] == "a+" and frame.iloc[0][editor.CONTAINS_COLUMN] == ""
    assert draft.extras[0].other_checks == (
        Check(REGEX, "b+"),
        Check(CONTAINS, "x; y"),
        Check(EXACT, "two"),
        Check(MAX_TOKENS, 5),
    )
    assert frame.iloc[0][editor.EXTRAS] == "4 more checks"
    built = editor.build(frame, draft)
    assert sorted(map(repr, built.prompts[0].checks)) == sorted(map(repr, prompt.checks))


def test_a_set_opened_and_built_again_is_the_same_set_even_with_its_checks_reordered():
    for example in sets.examples():
        built = rebuilt(example)
        assert built.problems == ()
        assert editor.same_prompts(built.prompts, example.prompts)
    reordered = Prompt("q", checks=(Check(MAX_TOKENS, 3), Check(EXACT, "a")))
    assert editor.same_prompts((reordered,), (Prompt("q", checks=(Check(EXACT, "a"), Check(MAX_TOKENS, 3))),))
    assert not editor.same_prompts((reordered,), (Prompt("q", checks=(Check(EXACT, "b"), Check(MAX_TOKENS, 3))),))
    assert not editor.same_prompts((reordered,), ())


def new_rows(*rows: dict) -> pd.DataFrame:
    """A table as the editor returns it after rows were added to an empty one."""
    cells = [{column: row.get(column) for column in editor.COLUMNS} for row in rows]
    return pd.DataFrame(cells, columns=list(editor.COLUMNS), dtype=object)


def test_typed_rows_become_prompts_and_blank_rows_are_skipped():
    frame = new_rows(
        {
            editor.PROMPT: "What is 2+2?",
            editor.EXPECTED: " 4 ",
            editor.TAGS: "maths;  easy ;",
            editor.JSON_COLUMN: False,
        },
        {editor.PROMPT: "", editor.JSON_COLUMN: False},
        {editor.PROMPT: "Name a colour", editor.NOT_CONTAINS_COLUMN: "red; ;blue", editor.MAX_TOKENS_COLUMN: 5.0},
    )
    built = editor.build(frame, Draft(None))
    assert built.problems == ()
    assert built.prompts == (
        Prompt("What is 2+2?", tags=("maths", "easy"), checks=(Check(EXACT, "4"),)),
        Prompt("Name a colour", checks=(Check(NOT_CONTAINS, "red"), Check(NOT_CONTAINS, "blue"), Check(MAX_TOKENS, 5))),
    )


def test_every_problem_is_a_sentence_with_its_row_number():
    frame = new_rows(
        {editor.PROMPT: "fine"},
        {editor.PROMPT: " ", editor.TAGS: "orphan"},
        {editor.PROMPT: "json without schema", editor.JSON_COLUMN: True},
        {editor.PROMPT: "bad pattern", editor.REGEX_COLUMN: "(a"},
        {editor.PROMPT: "bad schema"},
    )
    draft = Draft(None, extras={4: Extras(schema_text='{"type": "object", "required": "x"}')})
    problems = editor.build(frame, draft).problems
    assert len(problems) == 4
    assert problems[0] == "Row 2 has no prompt: write one, or delete the row."
    assert problems[1].startswith("Row 3: ") and "schema" in problems[1]
    assert problems[2].startswith("Row 4: ") and "(a" in problems[2]
    assert problems[3].startswith("Row 5: ")


def test_a_schema_typed_for_a_row_is_sent_and_a_json_check_can_then_use_it():
    frame = new_rows({editor.PROMPT: "city?", editor.JSON_COLUMN: True})
    draft = Draft(None, extras={0: Extras(schema_text='{"type": "object"}')})
    built = editor.build(frame, draft)
    assert built.problems == ()
    assert built.prompts[0].schema == {"type": "object"}
    assert built.prompts[0].checks == (Check(JSON_SCHEMA),)


def test_extras_follow_their_row_when_rows_above_are_deleted_and_are_forgotten_with_their_row():
    prompt_set = PromptSet("s", (Prompt("one"), Prompt("two", images=(IMAGE,)), Prompt("three", schema=SCHEMA)))
    frame, draft = editor.table(prompt_set)
    without_first = frame.drop(index=0)
    editor.prune(without_first, draft)
    built = editor.build(without_first, draft)
    assert [prompt.text for prompt in built.prompts] == ["two", "three"]
    assert built.prompts[0].images == (IMAGE,) and built.prompts[1].schema == SCHEMA
    without_second = without_first.drop(index=1)
    editor.prune(without_second, draft)
    assert set(draft.extras) == {2}


def test_the_extras_cell_follows_what_the_draft_holds():
    frame, draft = editor.table(PromptSet("s", (Prompt("one"),)))
    assert frame.iloc[0][editor.EXTRAS] == ""
    draft.extras[0] = Extras(schema_text="{}", images=(IMAGE, IMAGE))
    assert editor.refresh_extras(frame, draft).iloc[0][editor.EXTRAS] == "schema · 2 images"


@pytest.mark.parametrize("value", [None, float("nan"), pd.NA, "", 0, -3, 2.5, True])
def test_a_token_limit_that_is_not_a_positive_whole_number_is_no_limit(value):
    frame = new_rows({editor.PROMPT: "q", editor.MAX_TOKENS_COLUMN: value})
    assert editor.build(frame, Draft(None)).prompts[0].checks == ()


def test_an_empty_set_has_an_editable_table_with_typed_columns():
    frame, draft = editor.table(PromptSet("", ()))
    assert list(frame.columns) == list(editor.COLUMNS) and frame.empty
    assert str(frame[editor.MAX_TOKENS_COLUMN].dtype) == "Int64" and frame[editor.JSON_COLUMN].dtype == bool
    assert draft == Draft(None, "", "", {})
