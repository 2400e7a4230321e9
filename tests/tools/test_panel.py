"""The chat's Tools and answer format panel (lib/tools/panel.py): switches, the declarations editor and the
format, each checked as typed, and put back from a saved chat once."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from lib import state
from lib.chat.history import Conversation
from lib.tools import custom
from lib.tools.choice import ToolChoice

SCHEMA = {"type": "object", "properties": {"a": {"type": "string"}}}


def panel(conversation, capabilities) -> None:
    import streamlit as st

    from lib.tools import panel as tools_panel

    st.session_state["chosen"] = tools_panel.draw("llava:7b", capabilities, conversation)


def opened(conversation: Conversation | None = None, capabilities=frozenset({"completion", "tools"})) -> AppTest:
    at = AppTest.from_function(panel, args=(conversation, capabilities)).run()
    assert not at.exception
    return at


def test_nothing_is_on_at_first_and_switches_choose_the_tools():
    at = opened()
    chosen = at.session_state["chosen"]
    assert (chosen.tools, chosen.format) == (ToolChoice(), None)
    at.toggle(key=f"{state.CHAT_TOOL_INPUT}_convert_units").set_value(True).run()
    at.toggle(key=f"{state.CHAT_TOOL_INPUT}_calculator").set_value(True).run()
    assert at.session_state["chosen"].tools == ToolChoice(enabled=("calculator", "convert_units"))


def test_a_model_that_cannot_call_tools_is_named():
    at = opened(capabilities=frozenset({"completion"}))
    assert "llava:7b cannot call tools" in at.caption[1].value


def test_the_example_fills_the_editor_and_is_declared():
    at = opened()
    next(b for b in at.button if b.label == "Fill in an example").click().run()
    assert at.text_area(key=state.CHAT_CUSTOM_TOOLS_INPUT).value == custom.EXAMPLE
    assert at.session_state["chosen"].tools.custom == custom.parse(custom.EXAMPLE)
    assert "1 tool of your own declared: get\\_weather." in [c.value.split(" ", 1)[1] for c in at.caption[-1:]]


def test_a_wrong_declaration_names_its_tool_and_gives_no_choice():
    at = opened()
    text = json.dumps([{"name": "ok"}, {"name": "ok"}])
    at.text_area(key=state.CHAT_CUSTOM_TOOLS_INPUT).set_value(text).run()
    assert at.error[0].value == "Tool 2: the name `ok` is already used by another tool."
    assert at.session_state["chosen"] is None
    assert at.warning[0].value.startswith("Fix your tools")


def test_a_schema_is_checked_as_on_generate():
    at = opened()
    at.segmented_control(key=state.CHAT_FORMAT_INPUT).set_value("schema").run()
    at.text_area(key=state.CHAT_SCHEMA_INPUT).set_value('{"type": "object", "properties": 3}').run()
    assert at.session_state["chosen"] is None and at.error
    at.text_area(key=state.CHAT_SCHEMA_INPUT).set_value(json.dumps(SCHEMA)).run()
    assert at.session_state["chosen"].format == SCHEMA
    at.segmented_control(key=state.CHAT_FORMAT_INPUT).set_value("json").run()
    assert at.session_state["chosen"].format == "json"


def test_a_saved_chat_puts_its_tools_and_format_back_once():
    declared = custom.parse(custom.EXAMPLE)
    conversation = Conversation(id=7, tools=ToolChoice(("current_time",), declared), format=SCHEMA)
    at = opened(conversation)
    chosen = at.session_state["chosen"]
    assert (chosen.tools, chosen.format) == (conversation.tools, SCHEMA)
    assert at.segmented_control(key=state.CHAT_FORMAT_INPUT).value == "schema"
    at.toggle(key=f"{state.CHAT_TOOL_INPUT}_current_time").set_value(False).run()  # not put back on a rerun
    assert at.session_state["chosen"].tools.enabled == ()
