"""The Embeddings page in Chinese, state by state: no English left on the screen or in the charts.

Model names, code in backticks and what the server wrote itself are not ours to translate;
everything else is. Charts are checked through their Vega-Lite specs (titles, legends, tooltips).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from lib import i18n, state
from lib.ui import navigation
from tests import i18n_check
from tests.embeddings.test_page import chart_data, charts, embed, embed_bodies, type_lines

ZH = {i18n.QUERY_KEY: "zh"}
PETS = ["猫在温暖的窗台上打着呼噜。", "小猫追着毛线球满地跑。", "我家的狗每天早上都冲着快递员叫。"]
CODE = ["Python 的列表会按顺序保存元素。", "Git 提交记录项目的快照。"]


def spec_titles(spec: Any) -> Iterator[str]:
    """Every title in a Vega-Lite spec: axes, legends, tooltips, the chart's own."""
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key == "title" and isinstance(value, str):
                yield value
            else:
                yield from spec_titles(value)
    elif isinstance(spec, list):
        for value in spec:
            yield from spec_titles(value)


def assert_all_chinese(at: AppTest, fake, *server_words: str) -> None:
    assert not at.exception, at.exception
    names = i18n_check.installed_names(fake.url) | set(server_words)
    assert i18n_check.screen_leftovers(at, names) == []
    titles = [title for chart in charts(at) for title in spec_titles(json.loads(chart.proto.spec))]
    assert [title for title in titles if i18n_check.leftover_words(title, names)] == []


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    return at.file_uploader(key=state.EMBED_FILE_INPUT).set_value((name, data, "text/plain")).run()


@pytest.fixture
def zh_page(open_app, fake) -> AppTest:
    at = open_app(navigation.EMBEDDINGS, query=ZH)
    assert at.session_state[state.LANGUAGE] == "zh"
    assert_all_chinese(at, fake)
    return at


def test_the_chinese_example_embedded_shows_every_tab_in_chinese(zh_page, fake):
    next(b for b in zh_page.button if b.label == "试试示例").click().run()
    lines = zh_page.text_area(key=state.EMBED_LINES_INPUT).value.splitlines()
    assert lines[:3] == PETS and len(lines) == 10
    assert_all_chinese(zh_page, fake)
    assert any("多语言模型" in c.value for c in zh_page.caption)  # all-minilm is the default: mostly English
    embed(zh_page)
    assert [tab.label for tab in zh_page.tabs] == ["相似度", "文本对", "最相近的文本", "搜索", "分布图", "下载"]
    assert [m.label for m in zh_page.metric] == ["文本数", "维度", "token 数", "服务器耗时", "请求数"]
    assert list(zh_page.dataframe[0].value.columns) == ["相似度", "#A", "文本 A", "#B", "文本 B"]
    assert [b.label for b in zh_page.get("download_button")] == ["向量（CSV）", "向量（.npy）", "相似度矩阵（CSV）"]
    assert_all_chinese(zh_page, fake)
    heatmap = charts(zh_page)[0]
    order = json.loads(heatmap.proto.spec)["layer"][0]["encoding"]["y"]["sort"]
    position = {label.split(" · ")[0]: index for index, label in enumerate(order)}
    # The fake server reads Chinese topic words: the four pet texts and the three code texts stay together.
    assert max(position[n] for n in "1234") - min(position[n] for n in "1234") == 3
    assert max(position[n] for n in ("5", "6", "7")) - min(position[n] for n in ("5", "6", "7")) == 2
    zh_page.toggle(key=state.EMBED_FULL_SCALE_INPUT).set_value(True).run()
    zh_page.text_input(key=state.EMBED_QUERY_INPUT).input("会打呼噜的宠物").run()
    ranked = zh_page.dataframe[-1].value
    assert list(ranked.columns) == ["排名", "相似度", "#", "文本"]
    assert ranked["文本"][0] in PETS
    assert_all_chinese(zh_page, fake)


def test_two_models_compared_in_chinese(zh_page, fake):
    zh_page.selectbox(key=state.EMBED_COMPARE_INPUT).select("nomic-embed-text:latest").run()
    embed(type_lines(zh_page, PETS + CODE))
    assert "对比" in [tab.label for tab in zh_page.tabs]
    assert list(zh_page.dataframe[-1].value.columns) == [
        "文本 A",
        "文本 B",
        "all-minilm:latest",
        "nomic-embed-text:latest",
        "排名（第一个模型）",
        "排名（第二个模型）",
    ]
    assert_all_chinese(zh_page, fake)


def test_many_texts_choose_a_part_of_the_heatmap_in_chinese(zh_page, fake):
    embed(type_lines(zh_page, [f"第 {i} 条关于主题 {i % 7} 的句子" for i in range(65)]))
    assert any("热力图显示 65 条文本中的 60 条" in c.value for c in zh_page.caption)
    assert_all_chinese(zh_page, fake)
    zh_page.radio(key=state.EMBED_SUBSET_INPUT).set_value("neighbourhood").run()
    assert zh_page.radio(key=state.EMBED_SUBSET_INPUT).options == ["连续的一段", "一条文本及与它最相近的文本"]
    assert_all_chinese(zh_page, fake)


def test_too_many_texts_in_chinese(zh_page, fake):
    type_lines(zh_page, [f"第 {i} 条" for i in range(5002)])
    assert zh_page.warning[0].value == "只使用前 5,000 条文本，其余 2 条未使用。"
    assert zh_page.button(key=state.EMBED_RUN_BUTTON).label == "嵌入 5,000 条文本"
    assert_all_chinese(zh_page, fake)


def test_a_model_that_cannot_embed_in_chinese(zh_page, fake):
    type_lines(zh_page, PETS)
    zh_page.selectbox(key=state.EMBED_MODEL_INPUT).select("llama3.2:latest（不能嵌入）").run()
    assert "llama3.2:latest 不是嵌入模型" in zh_page.error[0].value
    assert "llama3.2:latest（不能嵌入）" in zh_page.selectbox(key=state.EMBED_MODEL_INPUT).options
    assert_all_chinese(zh_page, fake)
    assert fake.requests_to("/api/embed") == []


def test_a_keep_alive_that_is_not_a_duration_in_chinese(zh_page, fake):
    type_lines(zh_page, PETS)
    zh_page.text_input(key=state.EMBED_KEEP_ALIVE_INPUT).input("很久").run()
    assert zh_page.error and not any(b.key == state.EMBED_RUN_BUTTON for b in zh_page.button)
    assert_all_chinese(zh_page, fake)


def test_server_refusals_and_warnings_in_chinese(zh_page, fake):
    fake.add_fault("/api/embed", "http", status=500, message="this model does not support embeddings")
    embed(type_lines(zh_page, PETS))
    assert any("嵌入模型有" in c.value for c in zh_page.caption)
    assert_all_chinese(zh_page, fake, "This model does not support embeddings.")  # the server's words
    zh_page.checkbox(key=state.EMBED_TRUNCATE_INPUT).uncheck().run()
    embed(type_lines(zh_page, ["字 " * 600]))
    assert any("超出了模型的上下文长度" in c.value for c in zh_page.caption)
    zh_page.checkbox(key=state.EMBED_TRUNCATE_INPUT).check().run()
    embed(zh_page)
    assert "可能超出了模型 512 token 的上下文" in zh_page.warning[0].value
    assert list(zh_page.dataframe[0].value.columns) == ["#", "文本", "token 数", "计数方式"]
    assert_all_chinese(zh_page, fake)
    type_lines(zh_page, PETS)
    assert any("有改动" in i.value for i in zh_page.info)
    assert_all_chinese(zh_page, fake)


def test_an_old_server_in_chinese(zh_page, fake):
    fake.legacy = True
    embed(type_lines(zh_page, PETS))
    captions = " ".join(c.value for c in zh_page.caption)
    assert "/api/embeddings" in captions and "未归一化" in captions
    assert_all_chinese(zh_page, fake)


def test_table_and_file_sources_in_chinese(zh_page, fake):
    type_lines(zh_page, PETS)
    zh_page.radio(key=state.EMBED_SOURCE_INPUT).set_value("table").run()
    assert zh_page.radio(key=state.EMBED_SOURCE_INPUT).options == ["逐行输入", "表格", "文件"]
    assert_all_chinese(zh_page, fake, "Label", "Text")  # the table's own column keys; its headers are Chinese
    zh_page.radio(key=state.EMBED_SOURCE_INPUT).set_value("file").run()
    assert_all_chinese(zh_page, fake)
    upload(zh_page, "notes.csv", b"text,label\n")
    assert zh_page.error[0].value == "notes.csv 的标题行下面没有数据行。"
    assert_all_chinese(zh_page, fake)
    upload(zh_page, "blank.txt", b"\n \n")
    assert zh_page.error[0].value == "blank.txt 中没有文本。"
    assert_all_chinese(zh_page, fake)
    upload(zh_page, "notes.txt", "\n".join(PETS).encode())
    assert zh_page.selectbox(key=state.EMBED_TEXT_COLUMN_INPUT).value == "文本"
    assert zh_page.selectbox(key=state.EMBED_LABEL_COLUMN_INPUT).options == ["无", "文本"]
    embed(zh_page)
    assert embed_bodies(fake)[0]["input"] == PETS
    assert_all_chinese(zh_page, fake)


def test_the_chinese_example_is_chosen_by_language_and_english_stays_english(open_app, fake):
    at = open_app(navigation.EMBEDDINGS, query={i18n.QUERY_KEY: "en"})
    next(b for b in at.button if b.label == "Try an example").click().run()
    assert at.text_area(key=state.EMBED_LINES_INPUT).value.startswith("The cat purred")
    assert not any("multilingual" in c.value for c in at.caption)
    embed(at)
    cells = next(rows for rows in chart_data(charts(at)[0]).values() if rows and "similarity" in rows[0])
    assert len(cells) == 100


def test_switching_the_language_rewords_the_results(zh_page, fake):
    embed(type_lines(zh_page, PETS + CODE))
    assert list(zh_page.dataframe[0].value.columns) == ["相似度", "#A", "文本 A", "#B", "文本 B"]
    zh_page.session_state[state.EMBED_TAB_INPUT] = "分布图"  # the open tab, as the tabs widget keeps it
    zh_page.sidebar.button_group(key=state.LANGUAGE_INPUT).set_value("en").run()
    assert zh_page.session_state[state.EMBED_TAB_INPUT] == "Map"  # the same tab stays open
    assert not zh_page.exception
    assert list(zh_page.dataframe[0].value.columns) == ["Similarity", "#A", "Text A", "#B", "Text B"]
    assert [tab.label for tab in zh_page.tabs][:2] == ["Similarity", "Pairs"]
    assert len(embed_bodies(fake)) == 1  # nothing is embedded again
