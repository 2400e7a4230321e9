"""The parameters panel (lib/parameters/panel.py) driven through its widgets with AppTest."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from lib import state
from lib.parameters.catalog import OPTION_SPECS
from lib.parameters.panel import ChosenOptions

PREFIX = "page"
BAD_KEEP_ALIVE = "'soon' is not a duration: use a number of seconds or forms like 30s, 5m, 1h, 0 or -1."


@pytest.fixture(autouse=True)
def data_dir(monkeypatch, tmp_path):
    """The panel's preset picker reads the visitor's library: keep it in the test's folder."""
    monkeypatch.setenv("OLLAMA_STUDIO_DATA_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture(autouse=True)
def keep_main_module(monkeypatch):
    """A script run makes its temporary file ``sys.modules["__main__"]``; put the real one back afterwards."""
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])


def panel_app(prefixes: tuple[str, ...]) -> None:
    """Each panel's choice goes to ``chosen_<prefix>``; ``shown`` False draws none, as another page would.

    ``to_load`` (saved options, keep_alive) is loaded into the first panel before it is drawn, as when a
    conversation is opened.
    """
    import streamlit as st

    from lib.parameters import panel

    if "to_load" in st.session_state:
        panel.load(prefixes[0], *st.session_state.pop("to_load"))
    st.button("Use", key="use", on_click=lambda: st.session_state.update(current=panel.current(prefixes[0])))
    if st.session_state.get("shown", True):
        for prefix in prefixes:
            st.session_state[f"chosen_{prefix}"] = panel.render(prefix)


def open_panel(
    *prefixes: str, saved: dict[str, Any] | None = None, keep_alive: Any = None, language: str | None = None
) -> AppTest:
    at = AppTest.from_function(panel_app, args=(prefixes or (PREFIX,),), default_timeout=30)
    if saved is not None:
        at.session_state["to_load"] = (saved, keep_alive)
    if language:
        at.session_state[state.LANGUAGE] = language
    return at.run()


def chosen(at: AppTest, prefix: str = PREFIX) -> ChosenOptions:
    return at.session_state[f"chosen_{prefix}"]


def number(at: AppTest, name: str, prefix: str = PREFIX):
    return at.number_input(key=f"{prefix}_option_{name}")


def stop_box(at: AppTest, prefix: str = PREFIX):
    return at.text_area(key=f"{prefix}_option_stop")


def keep_alive_box(at: AppTest, prefix: str = PREFIX):
    return at.text_input(key=f"{prefix}_option_keep_alive")


def test_a_fresh_panel_is_empty_and_sends_nothing():
    at = open_panel()
    assert not at.exception
    assert chosen(at) == ChosenOptions({}, None, None)
    fields = [number(at, spec.name) for spec in OPTION_SPECS]
    assert [field.label for field in fields] == [spec.label for spec in OPTION_SPECS]
    assert all(field.value is None and field.placeholder == "model default" for field in fields)
    assert stop_box(at).value == "" and stop_box(at).label == "Stop sequences"
    assert keep_alive_box(at).value == "" and keep_alive_box(at).placeholder == "server default"
    assert not at.error


def test_each_field_has_its_specs_range_step_and_help():
    at = open_panel()
    for spec in OPTION_SPECS:
        field = number(at, spec.name)
        assert (field.min, field.max, field.step) == (spec.minimum, spec.maximum, spec.step), spec.name
        assert field.help == spec.help


def test_what_the_user_sets_comes_back_as_options_and_keep_alive():
    at = open_panel()
    number(at, "temperature").set_value(0.7)
    number(at, "seed").set_value(42)
    number(at, "num_predict").set_value(-1)
    stop_box(at).input("END\n\n  \nUser:")
    keep_alive_box(at).input("10m")
    at.run()
    assert chosen(at) == ChosenOptions(
        {"temperature": 0.7, "seed": 42, "num_predict": -1, "stop": ["END", "User:"]}, "10m"
    )
    assert type(chosen(at).options["seed"]) is int


def test_whole_seconds_of_keep_alive_come_back_as_a_number():
    at = open_panel()
    keep_alive_box(at).input(" 300 ").run()
    assert chosen(at).keep_alive == 300


def test_a_bad_keep_alive_is_explained_and_reported_while_the_options_stay():
    at = open_panel()
    number(at, "top_k").set_value(20)
    keep_alive_box(at).input("soon").run()
    assert [error.value for error in at.error] == [BAD_KEEP_ALIVE]
    assert chosen(at) == ChosenOptions({"top_k": 20}, None, BAD_KEEP_ALIVE)
    keep_alive_box(at).input("-1").run()
    assert not at.error
    assert chosen(at) == ChosenOptions({"top_k": 20}, -1, None)


def test_a_bad_keep_alive_is_explained_in_chinese():
    at = open_panel(language="zh")
    keep_alive_box(at).input("soon").run()
    assert at.error[0].value == "「soon」不是有效的时长：请填写秒数，或 30s、5m、1h、0、-1 这样的写法。"
    assert chosen(at).error == at.error[0].value


def test_the_panel_is_worded_in_the_sessions_language():
    at = open_panel(language="zh")
    assert number(at, "temperature").label == "温度"
    assert number(at, "temperature").placeholder == "模型默认值"
    assert stop_box(at).label == "停止序列"


def test_values_survive_a_run_that_does_not_draw_the_panel():
    at = open_panel()
    number(at, "temperature").set_value(0.3)
    keep_alive_box(at).input("5m").run()
    at.session_state["shown"] = False
    at.run()
    assert f"{PREFIX}_option_temperature" not in at.session_state  # Streamlit forgot the widget's own value
    at.session_state["shown"] = True
    at.run()
    assert number(at, "temperature").value == 0.3
    assert keep_alive_box(at).value == "5m"
    assert chosen(at) == ChosenOptions({"temperature": 0.3}, "5m")


def test_loaded_values_are_shown_and_returned():
    at = open_panel(saved={"temperature": 0.2, "top_k": 30, "stop": ["###", "END"]}, keep_alive=300)
    assert number(at, "temperature").value == 0.2
    assert number(at, "top_k").value == 30
    assert number(at, "seed").value is None
    assert stop_box(at).value == "###\nEND"
    assert keep_alive_box(at).value == "300"
    assert chosen(at) == ChosenOptions({"temperature": 0.2, "top_k": 30, "stop": ["###", "END"]}, 300)


def test_loading_replaces_everything_a_previous_load_or_the_user_set():
    at = open_panel(saved={"temperature": 0.2, "seed": 7, "stop": ["END"]}, keep_alive="10m")
    number(at, "top_p").set_value(0.5).run()
    at.session_state["to_load"] = ({"top_k": 20}, None)  # another conversation is opened
    at.run()
    assert chosen(at) == ChosenOptions({"top_k": 20}, None, None)
    assert number(at, "temperature").value is None and number(at, "top_p").value is None
    assert stop_box(at).value == "" and keep_alive_box(at).value == ""


def test_loading_a_conversation_without_settings_empties_what_the_user_typed():
    at = open_panel()
    number(at, "seed").set_value(3)
    stop_box(at).input("END")
    keep_alive_box(at).input("soon").run()
    at.session_state["to_load"] = ({}, None)
    at.run()
    assert chosen(at) == ChosenOptions({}, None, None)
    assert not at.error


def test_panels_of_different_pages_keep_their_own_values():
    at = open_panel("chat", "generate")
    number(at, "temperature", "chat").set_value(1.5)
    keep_alive_box(at, "generate").input("1h").run()
    assert chosen(at, "chat") == ChosenOptions({"temperature": 1.5}, None)
    assert chosen(at, "generate") == ChosenOptions({}, "1h")
    assert at.session_state[state.options_key("chat")]["temperature"] == 1.5
    assert at.session_state[state.options_key("generate")]["temperature"] is None


def test_a_saved_value_that_is_not_a_number_does_not_break_the_panel():
    """An imported chat file can carry options such as {"temperature": "hot"}: left empty, the page still works."""
    at = open_panel(saved={"temperature": "hot", "seed": 7})
    assert not at.exception
    assert chosen(at).options.get("seed") == 7


def test_a_buttons_callback_reads_what_the_panel_holds_before_it_is_drawn_again():
    """A value changed together with the click is in the widget's state only, not yet in what the panel saved."""
    at = open_panel()
    number(at, "temperature").set_value(0.4)
    keep_alive_box(at).input("soon")
    at.button(key="use").click().run()
    assert at.session_state["current"] == ChosenOptions({"temperature": 0.4}, None, BAD_KEEP_ALIVE)
    keep_alive_box(at).input("5m")
    at.button(key="use").click().run()
    assert at.session_state["current"] == ChosenOptions({"temperature": 0.4}, "5m")
    at.session_state["shown"] = False  # a run that does not draw the panel: its widgets' values are gone
    at.run()
    at.button(key="use").click().run()
    assert at.session_state["current"] == ChosenOptions({"temperature": 0.4}, "5m")
