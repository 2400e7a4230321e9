"""What a preset holds (lib/presets/presets.py): cleaning what the database gives, meeting the panel's values."""

from __future__ import annotations

import math

import pytest

from lib.parameters.catalog import OPTION_SPECS
from lib.presets.presets import (
    NAME_LENGTH,
    Preset,
    built_in,
    clean_keep_alive,
    clean_name,
    clean_options,
    clean_stops,
    from_document,
    from_panel,
    matches,
)

EMPTY_PANEL = {spec.name: None for spec in OPTION_SPECS} | {"stop": "", "keep_alive": ""}


def test_built_in_presets_are_fixed_valid_and_named():
    presets = built_in()
    assert [preset.name for preset in presets] == ["Precise", "Balanced", "Creative", "Reproducible"]
    assert all(preset.built_in and preset.id.startswith("builtin:") for preset in presets)
    assert presets[0].options == {"temperature": 0.0, "top_k": 1}
    for preset in presets:
        assert clean_options(preset.options) == preset.options  # every value inside its field's range


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ({"temperature": 0.5}, {"temperature": 0.5}),
        ({"temperature": 1}, {"temperature": 1.0}),
        ({"top_k": 40.0}, {"top_k": 40}),
        ({"top_k": 40.5}, {}),  # not a whole number for an integer field
        ({"temperature": 9.0}, {}),  # above the field's maximum: the number field would refuse to draw
        ({"num_ctx": 10}, {}),  # below its minimum
        ({"temperature": "hot"}, {}),
        ({"temperature": True}, {}),
        ({"temperature": None}, {}),
        ({"temperature": math.nan}, {}),
        ({"mirostat": 2, "seed": 7}, {"seed": 7}),  # a parameter the panel does not offer is dropped
        ("not a mapping", {}),
        (None, {}),
    ],
)
def test_options_are_cleaned_to_what_the_panel_accepts(given, kept):
    assert clean_options(given) == kept


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("  Code   review ", "Code review"),
        ("x" * 100, "x" * NAME_LENGTH),
        ("   ", ""),
        (None, ""),
        (12, ""),
    ],
)
def test_names(given, kept):
    assert clean_name(given) == kept


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("5m", "5m"),
        (-1, "-1"),
        ("soon", None),
        ("", None),
        (True, None),
        (None, None),
    ],
)
def test_keep_alive(given, kept):
    assert clean_keep_alive(given) == kept


def test_stops_keep_text_lines_only():
    assert clean_stops(["</s>", "", "  ", 3, "User:"]) == ("</s>", "User:")
    assert clean_stops("not a list") == ()
    assert len(clean_stops(["x"] * 50)) == 16


def test_a_stored_document_written_by_anyone_becomes_a_preset_that_cannot_break_the_panel():
    preset = from_document("7", "  Mine ", {"options": {"temperature": 5, "seed": 3}, "stop": "x", "keep_alive": []})
    assert preset == Preset("7", "Mine", {"seed": 3})
    assert from_document("8", "", None) == Preset("8", "8", {})


def test_panel_values_set_every_field_and_keep_alive_only_when_saved_with_one():
    preset = Preset("1", "p", {"temperature": 0.2}, ("END",))
    values = preset.panel_values()
    assert values == {spec.name: None for spec in OPTION_SPECS} | {"temperature": 0.2, "stop": "END"}
    assert "keep_alive" not in values
    assert Preset("1", "p", {}, keep_alive="10m").panel_values()["keep_alive"] == "10m"


def test_from_panel_round_trips_through_the_document():
    values = EMPTY_PANEL | {"temperature": 0.3, "top_k": 20, "stop": "A\n\nB", "keep_alive": "1h"}
    preset = from_panel("n", values, with_keep_alive=True)
    assert preset.document() == {"options": {"temperature": 0.3, "top_k": 20}, "stop": ["A", "B"], "keep_alive": "1h"}
    assert from_document("1", "n", preset.document()).panel_values() == {spec.name: None for spec in OPTION_SPECS} | {
        "temperature": 0.3,
        "top_k": 20,
        "stop": "A\nB",
        "keep_alive": "1h",
    }
    assert "keep_alive" not in from_panel("n", values, with_keep_alive=False).document()


def test_matches_tells_a_changed_panel():
    preset = Preset("1", "p", {"temperature": 0.2}, ("END",))
    values = EMPTY_PANEL | {"temperature": 0.2, "stop": "END", "keep_alive": "5m"}
    assert matches(preset, values)
    assert not matches(preset, values | {"temperature": 0.3})
    assert not matches(preset, values | {"seed": 1})
    assert not matches(preset, values | {"stop": ""})
    assert not matches(Preset("1", "p", {"temperature": 0.2}, ("END",), "1h"), values)


def test_values_that_are_not_finite_are_dropped_not_raised():
    assert clean_options({"num_ctx": math.nan, "seed": math.inf, "temperature": -math.inf, "top_k": 1e400}) == {}
