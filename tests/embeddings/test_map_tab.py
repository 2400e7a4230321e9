"""The Map tab, drawn alone for a run of known vectors.

lib/embeddings/map_tab.py.
"""

from __future__ import annotations

import json

import numpy as np

from lib.embeddings import map_tab
from tests.embeddings.sections import compass, make_analysis

TEXTS = ["east", "north-east", "north", "north-west", "west"]


def test_the_map_has_a_point_per_text_and_says_how_much_it_shows(section):
    at = section(map_tab.draw, make_analysis(TEXTS, compass(5)))
    chart = at.get("vega_lite_chart")[0]
    assert json.loads(chart.proto.spec)["layer"][0]["mark"]["type"] == "circle"
    # Five points on a half circle in 2-D: the two components hold all of the spread.
    caption = at.caption[0].value
    assert caption.startswith("Principal component analysis squeezes the 2 dimensions into two")
    first, second = (
        float(part.split("%")[0]) for part in caption.split("that keep ")[1].split(" of the")[0].split(" and ")
    )
    assert first + second == 100


def test_the_map_needs_three_texts(section):
    at = section(map_tab.draw, make_analysis(["one", "two"], compass(2)))
    assert [i.value for i in at.info] == ["The map needs at least three texts."]
    assert not at.get("vega_lite_chart")


def test_points_are_coloured_by_label_only_when_labels_make_few_groups():
    assert map_tab.grouped(make_analysis(["a|pets", "b|pets", "c|code"], compass(3)))
    assert map_tab.grouped(make_analysis(["a|pets", "b", "c"], compass(3)))  # unlabelled texts form a group
    assert not map_tab.grouped(make_analysis(["a", "b", "c"], compass(3)))
    many = [f"text {i}|label {i}" for i in range(map_tab.GROUPS_UP_TO + 1)]
    assert not map_tab.grouped(make_analysis(many, np.eye(len(many), dtype=np.float32)))
    assert map_tab.grouped(make_analysis(many[:-1], np.eye(len(many) - 1, dtype=np.float32)))


def test_the_map_colours_labelled_texts_and_is_worded_in_chinese(section):
    at = section(map_tab.draw, make_analysis(["a|pets", "b|pets", "c|code"], compass(3)), language="zh")
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert spec["layer"][0]["encoding"]["color"]["field"] == "group"
    assert "主成分分析" in at.caption[0].value
