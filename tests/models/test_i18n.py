"""The Models page in Chinese, state by state: no English left on screen, server words excepted."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from lib import i18n, state
from lib.access import locked as access
from tests import i18n_check
from tests.models.conftest import MODELS_PAGE, open_tab, start_pull, stop_pull, texts

ZH = {i18n.QUERY_KEY: "zh"}


def assert_all_chinese(at: AppTest, fake, *server_words: str) -> None:
    """Model names, what the server wrote itself and JSON (the request we send, /api/show as it came) are data,
    not ours to translate; anything else is."""
    assert not at.exception, at.exception
    data = {element.proto.body for element in at.get("json")}
    assert i18n_check.screen_leftovers(at, i18n_check.installed_names(fake.url) | data | set(server_words)) == []


@pytest.fixture
def zh_page(open_app):
    at = open_app(MODELS_PAGE, query=ZH)
    assert at.session_state[state.LANGUAGE] == "zh"
    yield at
    stop_pull(at)


@pytest.mark.parametrize(
    "tab, label", [("Installed", "已安装"), ("Running", "已加载"), ("Pull", "拉取"), ("Create", "创建")]
)
def test_every_tab(zh_page, fake, tab, label):
    open_tab(zh_page, tab)
    assert zh_page.session_state[state.MODELS_TAB] == label
    assert_all_chinese(zh_page, fake)


def test_table_columns_and_capabilities_are_chinese_but_the_filter_uses_the_apis_values(zh_page, fake):
    table = zh_page.dataframe[0].value
    assert list(table.columns) == ["模型", "大小", "系列", "参数量", "量化", "修改时间", "能力"]
    assert "视觉" in table[table["模型"] == "llava:7b"].iloc[0]["能力"]
    capability = zh_page.selectbox(key=state.MODELS_CAPABILITY_INPUT)
    assert "向量嵌入" in capability.options and "embedding" not in capability.options
    capability.select("向量嵌入").run()  # AppTest selects by the label shown; the page filters by the API's value
    assert sorted(zh_page.dataframe[0].value["模型"]) == ["all-minilm:latest", "nomic-embed-text:latest"]
    assert "显示 2 / 5 个模型" in texts(zh_page.caption)
    assert_all_chinese(zh_page, fake)


def test_a_models_details(zh_page, fake):
    zh_page.selectbox(key=state.MODELS_DETAILS_INPUT).select("llava:7b").run()
    assert "**能力：**" in texts(zh_page.markdown)
    assert {e.label for e in zh_page.expander} >= {"模板", "Modelfile", "原始 /api/show JSON"}
    assert_all_chinese(zh_page, fake)


def test_confirm_delete(zh_page, fake):
    zh_page.selectbox(key=state.MODELS_DETAILS_INPUT).select("all-minilm:latest").run()
    zh_page.button(key="models_delete").click().run()
    assert "要从服务器删除 **all-minilm:latest** 吗？" in texts(zh_page.warning)
    assert_all_chinese(zh_page, fake)
    zh_page.button(key="models_delete_confirm").click().run()
    assert "已删除 all-minilm:latest。" in texts(zh_page.success)
    assert_all_chinese(zh_page, fake)


def test_a_loaded_model_in_the_running_table(zh_page, fake):
    open_tab(zh_page, "Running")
    zh_page.selectbox(key=state.MODELS_WARM_MODEL_INPUT).select("qwen3:0.6b")
    zh_page.text_input(key=state.MODELS_KEEP_ALIVE_INPUT).input("10m")
    zh_page.button(key="models_load").click().run()
    assert "qwen3:0.6b 已加载" in texts(zh_page.success)
    running = zh_page.dataframe[0].value
    assert list(running.columns) == ["模型", "内存", "GPU 占用", "上下文", "卸载时间"]
    assert running["卸载时间"][0].endswith("后")
    assert_all_chinese(zh_page, fake)


def test_a_pull_in_progress_and_finished(zh_page, fake):
    fake.token_delay = 0.2
    start_pull(zh_page, "mxbai-embed-large:latest")
    assert fake.wait_for(lambda f: any(r.chunks_sent >= 3 for r in f.requests_to("/api/pull")), 10)
    zh_page.run()
    assert "**正在拉取 `mxbai-embed-large:latest`**" in texts(zh_page.markdown)
    assert "正在下载层" in zh_page.get("progress")[0].proto.text
    assert_all_chinese(zh_page, fake)
    fake.token_delay = 0
    assert zh_page.session_state[state.MODELS_PULL_JOB].wait(30)
    zh_page.run()
    assert "mxbai-embed-large:latest 已安装。" in texts(zh_page.success)
    assert "完成" in zh_page.get("progress")[0].proto.text
    assert_all_chinese(zh_page, fake)


def test_a_failed_pull_is_worded_in_chinese_although_the_worker_speaks_english(zh_page, fake):
    start_pull(zh_page, "no-such-model:1b")
    job = zh_page.session_state[state.MODELS_PULL_JOB]
    assert job.wait(20)
    zh_page.run()
    error = texts(zh_page.error)
    assert error.startswith("无法拉取 no-such-model:1b：模型库中没有这个名称的模型。")
    assert job.view().error.startswith("Could not pull no-such-model:1b")  # read outside a session: English
    server_words = error.split("服务器返回：", 1)[1]
    assert_all_chinese(zh_page, fake, server_words)


def test_a_bad_model_name(zh_page, fake):
    start_pull(zh_page, "my model")
    assert "「my model」不是模型名称" in texts(zh_page.error)
    assert_all_chinese(zh_page, fake, "my model")


MALFORMED = "FROM ./model.gguf\nPARAMETER warmth 2\nPARAMETER temperature hot\nADAPTER ./lora\nRENDERER x\nMESSAGE"


def test_create_with_a_malformed_modelfile(zh_page, fake):
    open_tab(zh_page, "Create")
    zh_page.text_input(key=state.MODELS_CREATE_NAME_INPUT).input("x")
    zh_page.text_area(key=state.MODELS_MODELFILE_INPUT).input(MALFORMED).run()
    error = texts(zh_page.error)
    assert error.startswith("这个 Modelfile 无法发送：")
    assert "第 1 行：FROM ./model.gguf 指向一个文件。" in error
    assert "第 6 行：MESSAGE 缺少角色" in error
    assert_all_chinese(zh_page, fake)
    assert not fake.requests_to("/api/create")


def test_modelfile_warnings_and_the_request_preview(zh_page, fake):
    open_tab(zh_page, "Create")
    zh_page.text_area(key=state.MODELS_MODELFILE_INPUT).input(
        "FROM llama3.2\nFROM qwen3:0.6b\nRENDERER x\nPARAMETER mirostat 1"
    ).run()
    warnings = texts(zh_page.warning)
    assert "第 2 行：这个 FROM 会替换第 1 行的 FROM。" in warnings
    assert "第 3 行：RENDERER 不会发送" in warnings
    assert "第 4 行：参数 mirostat 已弃用" in warnings
    assert any(json.loads(j.value).get("model") == "<新名称>" for j in zh_page.json)
    assert_all_chinese(zh_page, fake)


def create(at: AppTest, name: str, text: str) -> None:
    """Create ``name`` from the Modelfile ``text`` on the Create tab."""
    open_tab(at, "Create")
    at.text_input(key=state.MODELS_CREATE_NAME_INPUT).input(name)
    at.text_area(key=state.MODELS_MODELFILE_INPUT).input(text).run()
    at.button(key="models_create").click().run()


def test_create_from_a_modelfile(zh_page, fake):
    create(zh_page, "mario", "FROM llama3.2\nSYSTEM 你是马里奥。")
    assert "已创建 mario。" in texts(zh_page.success)
    assert_all_chinese(zh_page, fake)


def test_locked_mode_without_admin(open_app, fake, monkeypatch):
    monkeypatch.setenv(access.LOCKED_VARIABLE, "1")
    at = open_app(MODELS_PAGE, query=ZH)
    assert [tab.label for tab in at.tabs] == ["已安装", "已加载"]
    assert "此演示已关闭" in texts(at.caption)
    assert_all_chinese(at, fake)
    open_tab(at, "Running")
    assert_all_chinese(at, fake)


def test_the_open_tab_stays_open_when_the_language_changes(zh_page):
    open_tab(zh_page, "Create")
    zh_page.sidebar.button_group(key=state.LANGUAGE_INPUT).set_value("en").run()
    assert zh_page.session_state[state.MODELS_TAB] == "Create"
    assert zh_page.text_area(key=state.MODELS_MODELFILE_INPUT).label == "Modelfile"
    assert zh_page.text_input(key=state.MODELS_CREATE_NAME_INPUT).label == "New model name"


def test_a_bad_keep_alive(zh_page, fake):
    open_tab(zh_page, "Running")
    zh_page.text_input(key=state.MODELS_KEEP_ALIVE_INPUT).input("十分钟").run()
    assert zh_page.error
    assert_all_chinese(zh_page, fake)


def test_a_server_error_while_creating(zh_page, fake):
    create(zh_page, "ghost", "FROM no-such-base:1b")
    assert zh_page.get("status")[0].proto.label == "无法创建 ghost"
    assert zh_page.error
    assert_all_chinese(zh_page, fake, "no-such-base:1b", *fake_server_words(zh_page))


def fake_server_words(at: AppTest) -> list[str]:
    """The server's own error text, quoted after the colon of the client's sentence."""
    return [error.value.split("：", 1)[-1] for error in at.error]
