"""Which think values a model takes and what is sent (lib/thinking.py)."""

from __future__ import annotations

import pytest

from lib import thinking


def test_a_gpt_oss_model_is_offered_levels_only():
    offered = thinking.choices({"completion", "thinking"}, name="gpt-oss:20b", family="gptoss")
    assert offered == ("low", "medium", "high")
    assert thinking.default(offered) == "medium"


def test_the_family_decides_over_the_name():
    assert thinking.choices({"thinking"}, name="my-reasoner", family="gptoss") == thinking.LEVELS
    assert thinking.choices({"thinking"}, name="gpt-oss-lookalike", family="qwen3") == thinking.ON_OFF
    assert thinking.takes_levels("library/gpt-oss:120b-cloud")


def test_other_thinking_models_are_offered_off_and_on():
    offered = thinking.choices({"completion", "thinking"}, name="qwen3:0.6b", family="qwen3")
    assert offered == (False, True)
    assert thinking.default(offered) is True


def test_a_model_that_cannot_think_is_offered_nothing_and_sent_nothing():
    offered = thinking.choices({"completion", "tools"}, name="llama3.2:latest", family="llama")
    assert offered == ()
    assert thinking.default(offered) is None
    assert thinking.request_value(True, offered) is None
    assert thinking.request_value("high", offered) is None


@pytest.mark.parametrize(
    ("value", "offered", "sent"),
    [
        ("high", thinking.LEVELS, "high"),
        (True, thinking.LEVELS, "medium"),
        (False, thinking.LEVELS, "low"),
        ("high", thinking.ON_OFF, True),
        (False, thinking.ON_OFF, False),
        ("nonsense", thinking.ON_OFF, True),
    ],
)
def test_a_value_set_for_one_model_is_fitted_to_another(value, offered, sent):
    assert thinking.request_value(value, offered) == sent


@pytest.mark.parametrize(
    ("saved", "read"), [(True, True), (0, False), ("high", "high"), ("true", True), ("false", False), (None, False)]
)
def test_stored_values_read_back(saved, read):
    assert thinking.stored(saved) == read
