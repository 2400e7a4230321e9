"""The Pairs and Neighbours tabs, drawn alone for a run of known vectors.

lib/embeddings/pairs_tab.py.
"""

from __future__ import annotations

from lib import state
from lib.embeddings import pairs_tab
from tests.embeddings.sections import compass, make_analysis

TEXTS = ["east", "north-east", "north", "north-west", "west"]


def test_the_most_similar_pairs_come_first(section):
    at = section(pairs_tab.pairs, make_analysis(TEXTS, compass(5)))
    assert at.number_input(key=state.EMBED_TOP_K_INPUT).value == 10  # the form's first value
    table = at.dataframe[0].value
    assert len(table) == 10  # every pair of five texts
    assert list(table["Similarity"]) == sorted(table["Similarity"], reverse=True)
    at.number_input(key=state.EMBED_TOP_K_INPUT).set_value(2).run()
    table = at.dataframe[0].value
    assert list(zip(table["#A"], table["#B"], strict=True)) == [(1, 2), (2, 3)]  # ties broken by number
    assert list(table["Text A"]) == ["east", "north-east"]


def test_pairs_need_two_texts(section):
    at = section(pairs_tab.pairs, make_analysis(["alone"], compass(1)))
    assert [i.value for i in at.info] == ["Pairs need at least two texts."]
    assert not at.dataframe
    assert at.number_input(key=state.EMBED_TOP_K_INPUT)  # the count stays, for the next run


def test_each_text_gets_its_nearest_neighbours(section):
    at = section(pairs_tab.neighbours, make_analysis(TEXTS, compass(5)))
    table = at.dataframe[0].value
    assert list(table.columns) == [
        "#",
        "Text",
        "Neighbour 1",
        "Similarity 1",
        "Neighbour 2",
        "Similarity 2",
        "Neighbour 3",
        "Similarity 3",
    ]
    assert list(table["Neighbour 1"]) == ["north-east", "east", "north-east", "north", "north-west"]
    at.number_input(key=state.EMBED_NEIGHBOUR_COUNT_INPUT).set_value(1).run()
    assert list(at.dataframe[0].value.columns) == ["#", "Text", "Neighbour 1", "Similarity 1"]


def test_neighbours_need_two_texts(section):
    at = section(pairs_tab.neighbours, make_analysis(["alone"], compass(1)))
    assert [i.value for i in at.info] == ["Neighbours need at least two texts."]
    assert not at.dataframe


def test_the_tables_are_worded_in_chinese(section):
    at = section(pairs_tab.pairs, make_analysis(TEXTS, compass(5)), language="zh")
    assert list(at.dataframe[0].value.columns) == ["相似度", "#A", "文本 A", "#B", "文本 B"]
