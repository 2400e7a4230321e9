"""The Prompt sets tab on the fake server (lib/evals/sets_view.py): examples, writing a set in the table,
the schema and images of a prompt, problems by row, import, export and delete."""

from __future__ import annotations

import base64
import json

import pytest

from lib import state
from lib.evals import sets
from lib.evals.records import CONTAINS, EXACT, JSON_SCHEMA, MAX_TOKENS, REGEX, Check, Prompt, PromptSet
from lib.evals.store import EvalStore, StoreFailed
from tests.evals.screens import (
    button,
    buttons,
    open_evals,
    recording_downloads,
    small_set,
    store_of,
    texts,
    uploader,
)
from tests.generate.conftest import PNG


@pytest.fixture
def store(studio_env) -> EvalStore:
    return store_of(studio_env)


def edit_table(at, *, added=(), edited=None, deleted=()):
    """What the table editor sends when the user types: rows added, cells changed (by row position), rows deleted."""
    at.session_state[state.EVALS_TABLE_INPUT] = {
        "edited_rows": edited or {},
        "added_rows": list(added),
        "deleted_rows": list(deleted),
    }
    return at.run()


def test_a_new_visitor_is_offered_the_three_examples_and_adds_one(open_app, store):
    at = open_evals(open_app)
    assert "You have no prompt sets yet" in texts(at.info)
    assert buttons(at).count("Add to my sets") == 3
    example = sets.examples()[0]
    at.button(key="evals_example_0").click().run()
    assert not at.exception
    [saved] = store.sets()
    assert saved.name == example.name and saved.prompts == example.prompts
    assert f"Added {example.name} with {len(example.prompts)} prompts to your sets." in texts(at.success)
    assert at.text_input(key=state.EVALS_NAME_INPUT).value == example.name
    assert at.selectbox(key=state.EVALS_SET_INPUT).value == saved.id
    assert at.button(key="evals_example_0").label == "Added" and at.button(key="evals_example_0").disabled
    assert at.button(key="evals_save").disabled  # opened as saved: nothing to save
    at.run()
    assert not at.success  # the notice is shown once


def test_a_set_typed_in_the_table_is_saved_with_its_checks(open_app, store):
    at = open_evals(open_app)
    at.text_input(key=state.EVALS_NAME_INPUT).input("Arithmetic")
    edit_table(
        at,
        added=[
            {"prompt": "What is 2+2?", "tags": "easy; maths", "expected": "4", "max_tokens": 10},
            {"prompt": "Name a prime above 10", "contains": "1", "regex": r"\b(11|13|17|19)\b"},
        ],
    )
    assert not at.error
    button(at, "Save").click().run()
    assert not at.exception
    [saved] = store.sets()
    assert saved.name == "Arithmetic"
    assert saved.prompts == (
        Prompt("What is 2+2?", tags=("easy", "maths"), checks=(Check(EXACT, "4"), Check(MAX_TOKENS, 10))),
        Prompt("Name a prime above 10", checks=(Check(CONTAINS, "1"), Check(REGEX, r"\b(11|13|17|19)\b"))),
    )
    assert "Saved Arithmetic with 2 prompts." in texts(at.success)
    assert at.selectbox(key=state.EVALS_SET_INPUT).value == saved.id
    assert at.button(key="evals_save").disabled


def test_problems_are_sentences_with_row_numbers_and_nothing_is_saved(open_app, store):
    at = open_evals(open_app)
    at.text_input(key=state.EVALS_NAME_INPUT).input("Broken")
    edit_table(at, added=[{"prompt": "fine"}, {"tags": "no prompt here"}, {"prompt": "p", "regex": "(a"}])
    shown = [element.value for element in at.error]
    assert shown[0] == "Row 2 has no prompt: write one, or delete the row."
    assert shown[1].startswith("Row 3: ") and "(a" in shown[1]
    button(at, "Save").click().run()
    assert texts(at.error).count("Nothing was saved: Row 2 has no prompt") == 1
    assert store.sets() == []


def test_save_asks_for_a_name_and_a_prompt_only_when_clicked(open_app, store):
    at = open_evals(open_app)
    assert not at.error  # an empty new set is not an error before anything is done
    button(at, "Save").click().run()
    assert "Nothing was saved: The set needs at least one prompt." in texts(at.error)
    edit_table(at, added=[{"prompt": "q"}])
    button(at, "Save").click().run()
    assert "Nothing was saved: The set needs a name." in texts(at.error)
    assert store.sets() == []


def test_a_prompt_gets_a_schema_and_the_json_check_uses_it(open_app, store):
    set_id = store.save_set(PromptSet("Extraction", (Prompt("Who?"), Prompt("Where?"))))
    at = open_evals(open_app)
    assert at.selectbox(key=state.EVALS_SET_INPUT).value == set_id
    at.selectbox(key=state.EVALS_ROW_INPUT).select(1).run()
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    at.text_area(key=f"{state.EVALS_SCHEMA_INPUT}_1").input(json.dumps(schema)).run()
    edit_table(at, edited={1: {"json": True}})
    assert not at.error
    assert "schema" in list(at.session_state[state.EVALS_EDITED]["extras"])[1]
    assert "This set has changes that are not saved." in texts(at.caption)
    button(at, "Save").click().run()
    [saved] = store.sets()
    assert saved.prompts[1] == Prompt("Where?", schema=schema, checks=(Check(JSON_SCHEMA),))
    assert saved.prompts[0] == Prompt("Who?")


def test_a_schema_that_is_not_one_and_a_json_check_without_schema_are_refused(open_app, store):
    store.save_set(PromptSet("S", (Prompt("Who?"),)))
    at = open_evals(open_app)
    edit_table(at, edited={0: {"json": True}})
    assert texts(at.error).startswith("Row 1: ")
    at.text_area(key=f"{state.EVALS_SCHEMA_INPUT}_0").input('{"type": "object", "required": "name"}').run()
    assert texts(at.error).startswith("Row 1: ")
    button(at, "Save").click().run()
    assert "Nothing was saved: Row 1:" in texts(at.error)
    assert store.sets()[0].prompts == (Prompt("Who?"),)


def test_images_are_added_to_the_picked_prompt_and_a_file_that_is_no_picture_is_refused(open_app, store):
    store.save_set(PromptSet("Vision", (Prompt("What is this?"),)))
    at = open_evals(open_app)
    uploader(at, state.EVALS_IMAGES_INPUT).set_value(
        [("dot.png", PNG, "image/png"), ("fake.png", b"not a picture", "image/png")]
    )
    at.run()
    assert not at.exception
    assert texts(at.error).startswith("fake.png was not added:")
    assert list(at.session_state[state.EVALS_EDITED]["extras"]) == ["1 image"]
    button(at, "Save").click().run()
    assert store.sets()[0].prompts[0].images == (base64.b64encode(PNG).decode(),)
    at.button(key="evals_remove_image_0_0").click().run()
    button(at, "Save").click().run()
    assert store.sets()[0].prompts[0].images == ()


def test_a_jsonl_file_is_imported_as_a_new_set_and_opened(open_app, store):
    at = open_evals(open_app)
    lines = [
        {"prompt": "Capital of Italy?", "tags": ["geo"], "checks": [{"kind": "exact", "value": "Rome"}]},
        {"prompt": "Say hi", "checks": [{"kind": "max_tokens", "value": 5}]},
    ]
    data = "\n".join(json.dumps(line) for line in lines).encode()
    uploader(at, state.EVALS_IMPORT_INPUT).set_value(("geo quiz.jsonl", data, "application/jsonl"))
    at.run()
    assert not at.exception
    [saved] = store.sets()
    assert saved.name == "geo quiz" and len(saved.prompts) == 2
    assert saved.prompts[0].checks == (Check(EXACT, "Rome"),)
    assert at.selectbox(key=state.EVALS_SET_INPUT).value == saved.id
    assert "Added geo quiz with 2 prompts to your sets." in texts(at.success)


def test_a_file_that_cannot_be_read_says_where_and_why_and_saves_nothing(open_app, store):
    at = open_evals(open_app)
    data = b"prompt,max_tokens\nfine,10\nbad,lots\n"
    uploader(at, state.EVALS_IMPORT_INPUT).set_value(("quiz.csv", data, "text/csv"))
    at.run()
    shown = texts(at.error)
    assert shown.startswith("quiz.csv was not imported. Line 3")
    assert "lots" in shown
    assert store.sets() == []


def test_the_set_is_exported_as_csv_and_jsonl_that_read_back_the_same(open_app, store, monkeypatch):
    store.save_set(small_set())
    downloads = recording_downloads(monkeypatch)
    open_evals(open_app)
    given = {download["file_name"]: download["data"] for download in downloads}
    assert set(given) == {"Capitals.csv", "Capitals.jsonl"}
    assert sets.from_csv(given["Capitals.csv"].encode(), "x").prompts == small_set().prompts
    assert sets.from_jsonl(given["Capitals.jsonl"].encode(), "x").prompts == small_set().prompts


def test_a_set_csv_cannot_hold_can_still_be_exported_as_jsonl(open_app, store, monkeypatch):
    store.save_set(PromptSet("Lines", (Prompt("q", checks=(Check(CONTAINS, "two\nlines"),)),)))
    downloads = recording_downloads(monkeypatch)
    at = open_evals(open_app)
    csv_button = at.get("download_button")[0]
    assert csv_button.proto.disabled
    assert "cannot be written as CSV" in csv_button.proto.help
    assert next(d for d in downloads if d["file_name"] == "Lines.jsonl")["data"] == sets.to_jsonl(store.sets()[0])


def test_delete_asks_first_and_takes_the_sets_runs_along(open_app, store):
    set_id = store.save_set(small_set())
    at = open_evals(open_app)
    button(at, "Delete set…").click().run()
    assert "Delete Capitals and its 0 runs? This cannot be undone." in texts(at.warning)
    button(at, "Cancel").click().run()
    assert store.get_set(set_id) is not None
    button(at, "Delete set…").click().run()
    button(at, "Delete").click().run()
    assert store.sets() == []
    assert "Deleted Capitals." in texts(at.success)
    assert at.selectbox(key=state.EVALS_SET_INPUT).value == "new"


def test_a_store_that_fails_to_save_says_so_and_keeps_the_draft(open_app, store, monkeypatch):
    at = open_evals(open_app)
    at.text_input(key=state.EVALS_NAME_INPUT).input("Kept")
    edit_table(at, added=[{"prompt": "q"}])

    def failing(self, prompt_set):
        raise StoreFailed("The saved prompt sets and runs could not be read or written (disk I/O error).")

    monkeypatch.setattr(EvalStore, "save_set", failing)
    button(at, "Save").click().run()
    assert "could not be read or written (disk I/O error)" in texts(at.error)
    assert at.text_input(key=state.EVALS_NAME_INPUT).value == "Kept"
    assert list(at.session_state[state.EVALS_EDITED]["prompt"]) == ["q"]


def test_the_draft_survives_other_tabs_and_pages(open_app, store):
    at = open_evals(open_app)
    at.text_input(key=state.EVALS_NAME_INPUT).input("Half done")
    edit_table(at, added=[{"prompt": "first"}])
    at.switch_page("app_pages/models.py").run()
    at.switch_page("app_pages/evals.py").run()
    assert at.text_input(key=state.EVALS_NAME_INPUT).value == "Half done"
    assert list(at.session_state[state.EVALS_EDITED]["prompt"]) == ["first"]


def test_of_two_sets_that_share_a_name_the_one_picked_is_the_one_opened(open_app, store):
    first = store.save_set(PromptSet("Capitals", (Prompt("Capital of France?"),)))
    second = store.save_set(PromptSet("Capitals", (Prompt("Capital of Japan?"),)))
    at = open_evals(open_app)
    picker = at.selectbox(key=state.EVALS_SET_INPUT)
    assert {picker.format_func(first), picker.format_func(second)} == {
        "Capitals (1 prompt) (1)",
        "Capitals (1 prompt) (2)",
    }
    picker.select(second).run()
    picker.select(first).run()
    assert at.selectbox(key=state.EVALS_SET_INPUT).value == first
    at.selectbox(key=state.EVALS_SET_INPUT).select(second).run()
    assert at.selectbox(key=state.EVALS_SET_INPUT).value == second
