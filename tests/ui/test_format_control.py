"""The output format control (lib/ui/format_control.py): the choice, the schema checked as typed, the request's
``format``, and an answer shown checked and pretty-printed."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from lib.generate.form import JSON, PLAIN, SCHEMA
from lib.ui.format_control import OutputFormat

SCHEMA_OBJECT = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}


def control() -> None:
    import streamlit as st

    from lib.ui import format_control

    st.session_state["chosen"] = format_control.draw("format", "schema")


@pytest.mark.parametrize(
    ("chosen", "sent"),
    [(OutputFormat(), None), (OutputFormat(JSON), "json"), (OutputFormat(SCHEMA, SCHEMA_OBJECT), SCHEMA_OBJECT)],
)
def test_the_request_asks_for_what_was_chosen(chosen, sent):
    assert chosen.request_value() == sent
    assert chosen.structured is (sent is not None)


def test_free_text_at_first_then_json_then_a_schema_checked_as_typed():
    at = AppTest.from_function(control).run()
    assert at.session_state["chosen"] == OutputFormat(PLAIN)
    at.segmented_control(key="format").set_value(JSON).run()
    assert at.session_state["chosen"] == OutputFormat(JSON)
    at.segmented_control(key="format").set_value(SCHEMA).run()
    assert at.session_state["chosen"].kind == SCHEMA and at.session_state["chosen"].schema["type"] == "object"
    at.text_area(key="schema").input('{"type": "object", "properties": {"x": {"pattern": "(?=a)"}}}').run()
    assert at.session_state["chosen"] is None
    assert "cannot be used" in at.error[0].value


def shown(text, chosen, complete=True) -> None:
    from lib.ui import format_control

    format_control.show_answer(text, chosen, complete=complete)


def test_an_answer_is_pretty_printed_and_checked():
    at = AppTest.from_function(shown, args=('{"n": 3}', OutputFormat(SCHEMA, SCHEMA_OBJECT))).run()
    assert at.code[0].value == json.dumps({"n": 3}, indent=2) and "matches the schema" in at.success[0].value
    at = AppTest.from_function(shown, args=('{"n": "three"}', OutputFormat(SCHEMA, SCHEMA_OBJECT))).run()
    assert at.error[0].value.startswith("The answer does not match the schema:") and "$.n" in at.error[0].value
    at = AppTest.from_function(shown, args=("[1, 2]", OutputFormat(JSON))).run()
    assert at.code[0].value == "[\n  1,\n  2\n]" and not at.warning


def test_an_answer_that_is_not_json_is_said_to_be_unfinished_when_it_was_stopped():
    at = AppTest.from_function(shown, args=('{"n": ', OutputFormat(JSON), False)).run()
    assert at.warning[0].value.endswith("It ended before the model finished.")
    assert at.code[0].value == '{"n": '
