"""The Similarity and Compare tabs, drawn alone for runs of known vectors.

lib/embeddings/heatmap_tab.py.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from lib import state
from lib.embeddings import heatmap_tab
from lib.embeddings.heatmap_tab import HEATMAP_LIMIT, HeatmapView
from tests.embeddings.sections import RETURNED, compass, make_analysis

# Two topics, interleaved: grouping puts each topic's texts next to each other.
TEXTS = ["cats purr", "git push", "a kitten purrs", "git commit"]
VECTORS = np.array([[1.0, 0.1], [0.1, 1.0], [0.9, 0.2], [0.2, 0.9]], dtype=np.float32)
LABELS = ["1 · cats purr", "2 · git push", "3 · a kitten purrs", "4 · git commit"]


def spec(chart) -> dict:
    return json.loads(chart.proto.spec)


def y_order(chart) -> list[str]:
    found = spec(chart)
    return (found["layer"][0] if "layer" in found else found)["encoding"]["y"]["sort"]


def test_similar_texts_are_grouped_unless_the_toggle_is_off(section):
    at = section(heatmap_tab.similarity, make_analysis(TEXTS, VECTORS))
    view: HeatmapView = at.session_state[RETURNED]
    assert view.subset == [0, 1, 2, 3]
    assert abs(view.order.index(LABELS[0]) - view.order.index(LABELS[2])) == 1
    assert abs(view.order.index(LABELS[1]) - view.order.index(LABELS[3])) == 1
    assert y_order(at.get("vega_lite_chart")[0]) == view.order
    assert list(view.texts["text"]) == TEXTS
    assert not at.radio  # few texts: no choice of a part
    at.toggle(key=state.EMBED_CLUSTER_INPUT).set_value(False).run()
    assert at.session_state[RETURNED].order == LABELS
    assert y_order(at.get("vega_lite_chart")[0]) == LABELS


def test_the_full_scale_toggle_changes_the_colours_and_is_passed_on(section):
    at = section(heatmap_tab.similarity, make_analysis(TEXTS, VECTORS))
    assert at.session_state[RETURNED].full_scale is False
    at.toggle(key=state.EMBED_FULL_SCALE_INPUT).set_value(True).run()
    assert at.session_state[RETURNED].full_scale is True
    scale = spec(at.get("vega_lite_chart")[0])["layer"][0]["encoding"]["color"]["scale"]
    assert scale["domain"] == [-1, 1]


def many() -> list[str]:
    return [f"text {i}" for i in range(1, HEATMAP_LIMIT + 6)]


def test_too_many_texts_show_a_range_from_a_chosen_start(section):
    texts = many()
    at = section(heatmap_tab.similarity, make_analysis(texts, compass(len(texts))))
    assert at.radio(key=state.EMBED_SUBSET_INPUT).value == "range"
    assert at.session_state[RETURNED].subset == list(range(HEATMAP_LIMIT))
    assert any(
        c.value.startswith(f"The heatmap shows {HEATMAP_LIMIT} of {len(texts)} texts; the Pairs and Neighbours tabs")
        for c in at.caption
    )
    at.number_input(key=state.EMBED_SUBSET_START_INPUT).set_value(len(texts)).run()
    assert at.session_state[RETURNED].subset == list(range(5, len(texts)))  # the window stays full


def test_too_many_texts_can_show_one_text_and_its_neighbours(section):
    texts = many()
    at = section(heatmap_tab.similarity, make_analysis(texts, compass(len(texts))))
    at.radio(key=state.EMBED_SUBSET_INPUT).set_value("neighbourhood").run()
    centre = at.selectbox(key=state.EMBED_SUBSET_CENTRE_INPUT)
    assert centre.value == 0 and centre.options[:2] == ["1 · text 1", "2 · text 2"]
    centre.set_value(len(texts) - 1).run()
    subset = at.session_state[RETURNED].subset
    assert subset[0] == len(texts) - 1 and len(subset) == HEATMAP_LIMIT
    assert set(subset) == set(range(5, len(texts)))  # on the circle, the nearest are the last ones


def compare_in_app(analysis) -> None:
    """The Compare tab as the page draws it: after the Similarity tab, with what that one shows."""
    from lib.embeddings import heatmap_tab

    heatmap_tab.compare(analysis, heatmap_tab.similarity(analysis))


@pytest.fixture
def compared(section):
    return lambda analysis, **options: section(compare_in_app, analysis, **options)


def test_compare_draws_both_models_in_the_same_order(compared):
    flipped = VECTORS[:, ::-1].copy()
    at = compared(make_analysis(TEXTS, VECTORS, second=flipped))
    first, left, right = at.get("vega_lite_chart")
    assert [spec(left).get("title"), spec(right).get("title")] == ["a:latest", "b:latest"]
    assert y_order(left) == y_order(right) == y_order(first)
    agreement = next(m for m in at.metric if m.label == "Rank agreement (Spearman)")
    assert -1.0 <= float(agreement.value) <= 1.0
    assert any(m.value == "**Pairs the models disagree on most**" for m in at.markdown)
    table = at.dataframe[0].value
    assert list(table.columns) == ["Text A", "Text B", "a:latest", "b:latest", "Rank, first", "Rank, second"]
    assert len(table) == 6  # every pair of four texts, fewer than ten


def test_compare_of_two_texts_has_no_agreement_and_no_table(compared):
    at = compared(make_analysis(TEXTS[:2], VECTORS[:2], second=VECTORS[:2].copy()))
    assert next(m for m in at.metric if m.label == "Rank agreement (Spearman)").value == "–"
    assert not at.dataframe
    assert len(at.get("vega_lite_chart")) == 3
