"""The think control (lib/ui/think_control.py), drawn alone with AppTest."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from lib import thinking


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
    at = draw(thinking.LEVELS)
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
    at = draw(thinking.LEVELS, think=False)
    assert at.session_state["sent"] == "low"


def test_a_model_that_cannot_think_shows_a_disabled_control_and_sends_nothing():
    at = draw(())
    [widget] = at.button_group
    assert widget.disabled
    assert at.session_state["sent"] is None
