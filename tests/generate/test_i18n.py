"""The Generate page in Chinese, state by state: no English left on screen, in single and Compare mode.

Model output is never translated, so the fake answers in Chinese here: any English the scan
finds is then ours. Model names are allowed (they are never translated either).
"""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from lib import i18n, state
from lib.generate.compare import export as compare_export
from lib.generate.form import SCHEMA
from lib.ui import navigation
from tests import i18n_check
from tests.generate.compare.test_export import record as exported_record
from tests.markdown_audit import as_read

PROMPT = "天空为什么是蓝色的？"
REPLY = "因为瑞利散射：短波长的蓝光散射得更多。"


def model_thinking(at: AppTest) -> set[str]:
    """The fake's thinking models think in English: that is model output too."""
    runs = [at.session_state[key] for key in (state.GENERATE_LAST, state.COMPARE_LAST) if key in at.session_state]
    results = [
        result for run in runs if run is not None for result in getattr(run, "results", [getattr(run, "result", None)])
    ]
    return {result.thinking for result in results if result is not None and result.thinking}


def leftovers(at: AppTest, fake) -> list[str]:
    assert not at.exception, at.exception
    return i18n_check.screen_leftovers(at, i18n_check.installed_names(fake.url) | model_thinking(at))


@pytest.fixture
def single(open_app) -> AppTest:
    at = open_app(navigation.GENERATE, query={i18n.QUERY_KEY: "zh"})
    at.selectbox(key=state.GENERATE_MODEL_INPUT).select("qwen3:0.6b").run()
    return at


@pytest.fixture
def compare(open_app) -> AppTest:
    at = open_app(navigation.GENERATE, query={i18n.QUERY_KEY: "zh"})
    at.segmented_control(key=state.GENERATE_MODE_INPUT).set_value("compare").run()
    return at


def run_compare(at: AppTest, fake, models: tuple[str, ...], blind: bool = False) -> AppTest:
    at.segmented_control(key=state.COMPARE_COUNT_INPUT).set_value(len(models)).run()
    for index, model in enumerate(models):
        at.selectbox(key=f"{state.COMPARE_MODEL_INPUT}_{index}").select(model)
    at.toggle(key=state.COMPARE_BLIND_INPUT).set_value(blind)
    for _ in models:
        fake.script_reply(REPLY)
    at.text_area(key=state.COMPARE_PROMPT_INPUT).input(PROMPT)
    return at.button(key=state.COMPARE_RUN_BUTTON).click().run()


def test_the_form_in_chinese(single, fake):
    assert single.title[0].value == "生成"
    assert leftovers(single, fake) == []


def test_a_finished_run_with_its_statistics_and_history_in_chinese(single, fake):
    fake.script_reply(REPLY)
    single.text_area(key=state.GENERATE_PROMPT_INPUT).input(PROMPT)
    single.button(key=state.GENERATE_RUN_BUTTON).click().run()
    assert {metric.label for metric in single.metric} >= {"首个 token 用时", "token/秒", "总耗时"}
    assert any(metric.value.endswith("token/秒") for metric in single.metric)
    assert "完成" in single.text[-1].value
    assert leftovers(single, fake) == []


def test_a_stream_that_breaks_and_a_missing_model_in_chinese(single, fake):
    fake.script_reply(REPLY * 3)
    fake.add_fault("/api/generate", "error_line", after=3, message="model runner has unexpectedly stopped")
    single.text_area(key=state.GENERATE_PROMPT_INPUT).input(PROMPT)
    single.button(key=state.GENERATE_RUN_BUTTON).click().run()
    assert "出错前已收到的回答保留在下方。" in [caption.value for caption in single.caption]
    assert "失败" in single.text[-1].value
    server_words = {"model runner has unexpectedly stopped"}  # the server's own message is shown as it came
    assert (
        i18n_check.screen_leftovers(
            single, i18n_check.installed_names(fake.url) | model_thinking(single) | server_words
        )
        == []
    )
    fake.add_fault("/api/generate", "http", status=404, message="model 'qwen3:0.6b' not found")
    single.button(key=state.GENERATE_RUN_BUTTON).click().run()
    assert "该模型未安装在此服务器上。请在「模型」页拉取，或选择其他模型。" in [
        caption.value for caption in single.caption
    ]
    server_words.add("Model 'qwen3:0.6b' not found.")  # the client's sentence around the server's words
    assert (
        i18n_check.screen_leftovers(
            single, i18n_check.installed_names(fake.url) | model_thinking(single) | server_words
        )
        == []
    )


def test_an_invalid_schema_and_a_problem_with_the_form_in_chinese(single, fake):
    single.radio(key=state.GENERATE_FORMAT_INPUT).set_value(SCHEMA).run()
    single.text_area(key=state.GENERATE_SCHEMA_INPUT).input('{"type": "strin"}').run()
    single.button(key=state.GENERATE_RUN_BUTTON).click().run()
    errors = [error.value for error in single.error]
    assert any("JSON Schema 在 `$.type` 处无效" in error for error in errors)
    assert any(error.startswith("未发送任何内容。") for error in errors)
    assert fake.requests_to("/api/generate") == []
    assert leftovers(single, fake) == []


def test_an_answer_that_breaks_the_schema_in_chinese(single, fake):
    fake.script_reply('{"name": "中国"}')
    single.radio(key=state.GENERATE_FORMAT_INPUT).set_value(SCHEMA).run()
    single.text_area(key=state.GENERATE_PROMPT_INPUT).input(PROMPT)
    single.button(key=state.GENERATE_RUN_BUTTON).click().run()
    assert "回答不符合 JSON Schema：" in [warning.value for warning in single.warning]
    assert "$：缺少必填的 'capital'。" in as_read("\n".join(block.value for block in single.markdown))
    assert leftovers(single, fake) == []


def test_compare_mode_before_a_run_in_chinese(compare, fake):
    assert compare.button(key=state.COMPARE_RUN_BUTTON).label == "对比"
    assert leftovers(compare, fake) == []


def test_a_finished_comparison_with_its_summary_and_export_in_chinese(compare, fake):
    run_compare(compare, fake, ("llama3.2:latest", "qwen3:0.6b"))
    table = compare.dataframe[0].value
    assert list(table.columns[:3]) == ["列", "参数", "状态"] and "token/秒" in table.columns
    assert list(table["状态"]) == ["完成", "完成"]
    assert [metric.label for metric in compare.metric].count("token/秒") == 2
    assert leftovers(compare, fake) == []


def test_a_blind_comparison_of_three_before_the_reveal_in_chinese(compare, fake):
    run_compare(compare, fake, ("llama3.2:latest", "qwen3:0.6b", "llava:7b"), blind=True)
    assert [heading.value for heading in compare.subheader][:3] == ["回答 1", "回答 2", "回答 3"]
    assert "\n".join(block.value for block in compare.markdown).count(":small[token/秒：**") == 3
    assert compare.button(key=state.COMPARE_REVEAL_BUTTON).label == "揭晓模型"
    assert leftovers(compare, fake) == []


def test_the_markdown_export_is_chinese_and_the_json_keeps_english_keys_codes_and_figure_names(monkeypatch):
    monkeypatch.setattr(i18n, "language", lambda: "zh")
    record = exported_record()
    markdown = compare_export.to_markdown(record)
    assert markdown.startswith("# 对比 3\n")
    for text in (
        "## 提示词",
        "## 汇总",
        "| 列 | 状态 | 首个 token 用时 |",
        "状态：失败",
        "参数：温度 0.2 · 随机种子 7",
        "### 回答",
        "服务器并行回答了各列",
    ):
        assert text in markdown
    english = [
        line
        for line in markdown.splitlines()
        if i18n_check.leftover_words(
            line,
            [
                "llama3.2:latest",
                "qwen3:0.6b",
                "Why is the sky blue?",
                "Be brief.",
                "Rayleigh scattering.",
                "Blue light | scatters ```more```.",
                "Rayleigh",
                "gpu-box",
            ],
        )
    ]
    assert english == []
    data = json.loads(compare_export.to_json(record))
    first, failed = data["columns"][0], data["columns"][2]
    assert (first["status"], failed["status"]) == ("done", "failed")
    assert set(first["stats"]) == {
        "time_to_first_token",
        "output_tokens",
        "tokens_per_second",
        "load_time",
        "total_time",
    }
    assert first["settings"] == "温度 0.2 · 随机种子 7"  # what the screen showed, in its language
