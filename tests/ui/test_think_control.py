"""The think control (lib/ui/think_control.py), drawn alone with AppTest."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from lib import state, thinking


@pytest.fixture(autouse=True)
def keep_main_module(monkeypatch):
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])


def control(offered: list) -> None:
    import streamlit as st

    from lib.ui import think_control

    st.session_state["sent"] = think_control.draw(tuple(offered), "think")


def draw(offered: tuple, **preset: Any) -> AppTest:
    at = AppTest.from_function(control, args=(list(offered),), default_timeout=30)
    for key, value in preset.items():
        at.session_state[key] = value
    return at.run()


def test_a_gpt_oss_model_shows_three_levels_and_sends_medium_by_default():
    at = draw(thinking.BASE_LEVELS)
    assert not at.exception
    [widget] = at.button_group
    assert list(widget.options) == ["Low", "Medium", "High"]
    assert at.session_state["sent"] == "medium"
    widget.set_value("high").run()
    assert at.session_state["sent"] == "high"


def test_a_thinking_model_shows_off_and_on():
    at = draw(thinking.ON_OFF)
    [widget] = at.button_group
    assert list(widget.options) == ["Off", "On"]
    assert at.session_state["sent"] is True
    widget.set_value(False).run()
    assert at.session_state["sent"] is False


def test_a_value_kept_for_another_model_is_fitted():
    at = draw(thinking.ON_OFF, think="high")
    assert at.session_state["sent"] is True
    at = draw(thinking.BASE_LEVELS, think=False)
    assert at.session_state["sent"] == "low"


def test_max_is_offered_labelled_and_explained_where_the_server_takes_it():
    at = draw(thinking.LEVELS)
    [widget] = at.button_group
    assert list(widget.options) == ["Low", "Medium", "High", "Max"]
    assert "greatest effort" in widget.help and "older than 0.21.3" in widget.help
    widget.set_value("max").run()
    assert at.session_state["sent"] == "max"
    assert "greatest effort" not in draw(thinking.BASE_LEVELS).button_group[0].help


def test_max_kept_for_a_server_that_does_not_take_it_becomes_high():
    at = draw(thinking.BASE_LEVELS, think="max")
    assert at.button_group[0].value == "high"
    assert at.session_state["sent"] == "high"


def test_max_is_labelled_and_explained_in_chinese():
    at = draw(thinking.LEVELS, **{state.LANGUAGE: "zh"})
    [widget] = at.button_group
    assert list(widget.options) == ["低", "中", "高", "最高"]
    assert "0.21.3" in widget.help and "最大努力" in widget.help


def test_a_model_that_cannot_think_shows_a_disabled_control_and_sends_nothing():
    at = draw(())
    [widget] = at.button_group
    assert widget.disabled
    assert at.session_state["sent"] is None
