"""Which think values a model takes and what is sent (lib/thinking.py)."""

from __future__ import annotations

import pytest

from lib import thinking


def test_a_gpt_oss_model_is_offered_levels_only():
    offered = thinking.choices({"completion", "thinking"}, name="gpt-oss:20b", family="gptoss")
    assert offered == ("low", "medium", "high")
    assert thinking.default(offered) == "medium"


def test_the_family_decides_over_the_name():
    assert thinking.choices({"thinking"}, name="my-reasoner", family="gptoss") == thinking.BASE_LEVELS
    assert thinking.choices({"thinking"}, name="gpt-oss-lookalike", family="qwen3") == thinking.ON_OFF
    assert thinking.takes_levels("library/gpt-oss:120b-cloud")


def test_other_thinking_models_are_offered_off_and_on():
    offered = thinking.choices({"completion", "thinking"}, name="qwen3:0.6b", family="qwen3")
    assert offered == (False, True)
    assert thinking.default(offered) is True
    assert thinking.choices({"thinking"}, name="qwen3:0.6b", family="qwen3", version="0.22.0") == (False, True)


@pytest.mark.parametrize("version", ["0.21.3", "0.21.3-rc0", "0.21.10", "0.22.0", "1.0.0", "v0.21.3"])
def test_a_gpt_oss_model_on_a_server_from_0_21_3_is_offered_max_too(version):
    offered = thinking.choices({"completion", "thinking"}, name="gpt-oss:20b", family="gptoss", version=version)
    assert offered == ("low", "medium", "high", "max")
    assert thinking.default(offered) == "medium"
    assert thinking.request_value("max", offered) == "max"


@pytest.mark.parametrize("version", ["0.21.2", "0.21.2-rc1", "0.13.0", "0.9.9", "", "0.21", "0.0.0", "dev", "a.b.c"])
def test_older_or_unreadable_versions_are_not_offered_max(version):
    assert thinking.choices({"thinking"}, name="gpt-oss:20b", family="gptoss", version=version) == thinking.BASE_LEVELS
    assert not thinking.takes_max(version)


def test_a_model_that_cannot_think_is_offered_nothing_and_sent_nothing():
    offered = thinking.choices({"completion", "tools"}, name="llama3.2:latest", family="llama")
    assert offered == ()
    assert thinking.default(offered) is None
    assert thinking.request_value(True, offered) is None
    assert thinking.request_value("high", offered) is None


@pytest.mark.parametrize(
    ("value", "offered", "sent"),
    [
        ("high", thinking.BASE_LEVELS, "high"),
        (True, thinking.BASE_LEVELS, "medium"),
        (False, thinking.BASE_LEVELS, "low"),
        ("high", thinking.ON_OFF, True),
        (False, thinking.ON_OFF, False),
        ("nonsense", thinking.ON_OFF, True),
        ("max", thinking.LEVELS, "max"),
        ("max", thinking.BASE_LEVELS, "high"),  # a chat at max, opened against an older server
        ("max", thinking.ON_OFF, True),
        (True, thinking.LEVELS, "medium"),
        (False, thinking.LEVELS, "low"),
        ("max", (), None),
    ],
)
def test_a_value_set_for_one_model_is_fitted_to_another(value, offered, sent):
    assert thinking.request_value(value, offered) == sent


@pytest.mark.parametrize(
    ("saved", "read"),
    [(True, True), (0, False), ("high", "high"), ("max", "max"), ("true", True), ("false", False), (None, False)],
)
def test_stored_values_read_back(saved, read):
    assert thinking.stored(saved) == read
