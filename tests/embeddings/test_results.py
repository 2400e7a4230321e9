"""The Results section, drawn alone for runs of known vectors: figures per model, warnings, the tabs.

lib/embeddings/results.py.
"""

from __future__ import annotations

import pytest

from lib.embeddings import results
from lib.embeddings.cache import RunReport, VectorCache
from tests.embeddings.sections import compass, make_analysis

TEXTS = ["east", "north-east", "north", "north-west", "west"]
TABS = ["Similarity", "Pairs", "Neighbours", "Search", "Map", "Download"]


@pytest.fixture
def drawn(section, studio_env):
    def draw(analysis, *, current: bool = True, language: str = "en"):
        return section(
            results.draw,
            analysis,
            current=current,
            query_prefix="",
            cache=VectorCache(),
            language=language,
        )

    return draw


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_figures_of_a_run(drawn):
    report = RunReport(texts=5, from_cache=1, sent=4, requests=2, tokens=1234, server_seconds=1.5, load_seconds=0.5)
    at = drawn(make_analysis(TEXTS, compass(5), report=report))
    assert not at.exception
    assert [h.value for h in at.subheader] == ["Results"]
    assert [m.value for m in at.markdown][:1] == ["**a:latest**"]
    assert metrics(at) == {
        "Texts": "5",
        "Dimensions": "2",
        "Tokens": "1,234",
        "Server time": "1.5 s",
        "Requests": "2",
    }
    assert "Every vector has length 1 (normalised)" in at.caption[0].value
    assert not at.info and not at.warning


def test_a_run_served_from_the_cache_has_no_token_or_time_figures(drawn):
    report = RunReport(texts=5, from_cache=5, sent=0, requests=0)
    figures = metrics(drawn(make_analysis(TEXTS, compass(5), report=report)))
    assert (figures["Tokens"], figures["Server time"], figures["Requests"]) == ("–", "–", "0")


def test_out_of_date_results_say_so_first(drawn):
    at = drawn(make_analysis(TEXTS, compass(5)), current=False)
    assert at.info[0].value.startswith("The texts or settings have changed since these results")
    assert at.main.children[0].type == "info"  # above the Results heading


def test_the_tabs_and_the_compare_tab_only_with_a_second_model(drawn):
    assert [tab.label for tab in drawn(make_analysis(TEXTS, compass(5))).tabs] == TABS
    at = drawn(make_analysis(TEXTS, compass(5), second=compass(5)[:, ::-1].copy()))
    assert [tab.label for tab in at.tabs] == [*TABS[:5], "Compare", "Download"]
    assert [m.value for m in at.markdown if m.value.startswith("**") and ":latest" in m.value][:2] == [
        "**a:latest**",
        "**b:latest**",
    ]
    assert len(at.metric) == 2 * 5 + 1  # five figures per model, and the models' agreement


def test_an_old_server_and_unnormalised_vectors_are_explained(drawn):
    report = RunReport(texts=5, sent=5, requests=5, legacy_endpoint=True)
    at = drawn(make_analysis(TEXTS, compass(5) * 3, report=report))
    captions = [c.value for c in at.caption]
    assert any("range from 3 to 3 (not normalised)" in c for c in captions)
    assert any("older /api/embeddings" in c for c in captions)


@pytest.mark.parametrize(
    ("exact", "how"),
    [(False, "token counts estimated from each batch's total"), (True, "token counts as reported by the server")],
)
def test_texts_the_model_probably_cut_are_listed(drawn, exact, how):
    at = drawn(make_analysis(TEXTS, compass(5), tokens=[3, 600, 10, 512, 1], exact=exact, context_limit=512))
    warning = at.warning[0].value
    assert warning.startswith("2 texts probably exceeded the model's context of 512 tokens")
    assert how in warning
    table = at.dataframe[0].value
    assert list(table["#"]) == [2, 4] and list(table["Text"]) == ["north-east", "north-west"]


def test_the_section_in_chinese(drawn):
    at = drawn(make_analysis(TEXTS, compass(5)), current=False, language="zh")
    assert [tab.label for tab in at.tabs] == ["相似度", "文本对", "最相近的文本", "搜索", "分布图", "下载"]
    assert list(metrics(at)) == ["文本数", "维度", "token 数", "服务器耗时", "请求数"]
    assert "有改动" in at.info[0].value
    assert metrics(at)["维度"] == "2"


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("en", "1 vector is all zeros (text 3): its similarity to every text is 0."),
        ("zh", "有 1 个向量全为零（第 3 条文本），它们与任何文本的相似度都是 0。"),
    ],
)
def test_texts_that_came_back_as_zero_vectors_are_named(drawn, language, sentence):
    vectors = compass(5)
    vectors[2] = 0.0
    at = drawn(make_analysis(TEXTS, vectors), language=language)
    assert at.caption[0].value.endswith(sentence)
