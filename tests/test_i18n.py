"""The interface in English and Simplified Chinese: catalogs, keys, the language choice, every page."""

from __future__ import annotations

from datetime import datetime

import pytest
from streamlit.testing.v1 import AppTest

from lib import i18n, state
from lib.formatting import date_time, human_seconds, time_until
from lib.ui import navigation
from tests import i18n_check
from tests.conftest import ENTRY_POINT, SAME_BROWSER
from tests.streamlit_process import free_port

PAGES = [navigation.HOME, navigation.CHAT, navigation.GENERATE, navigation.EMBEDDINGS, navigation.MODELS]


def test_every_catalog_entry_has_both_languages_and_is_used():
    assert list(i18n_check.catalog_findings()) == []


@pytest.mark.parametrize("path", i18n_check.PRODUCT_FILES, ids=lambda p: p.relative_to(i18n_check.ROOT).as_posix())
def test_ui_text_goes_through_the_catalogs(path):
    """Keys named in the code exist, t() gets literal keys and its placeholders, no UI text is a literal."""
    assert [str(finding) for finding in i18n_check.file_findings(path)] == []


@pytest.mark.parametrize(
    "code, expected",
    [
        ("zh", "zh"),
        ("zh-CN", "zh"),
        ("zh_Hans", "zh"),
        ("ZH-tw", "zh"),
        ("en-GB", "en"),
        ("en", "en"),
        ("fr-FR", None),
        ("", None),
        (None, None),
    ],
)
def test_language_from_url_or_browser_locale(code, expected):
    assert i18n.parse(code) == expected


@pytest.mark.parametrize(
    ("wanted", "locale", "shown", "notice"),
    [
        ("fr", "en-US", "en", "The address asks for a language this app does not have, so it is shown in English."),
        ("xx", "zh-CN", "zh", "网址指定了本应用没有的语言，因此以简体中文显示。"),
        ("", "en-US", "en", "The address asks for a language this app does not have, so it is shown in English."),
    ],
)
def test_a_language_the_app_does_not_have_in_the_address_is_ignored_with_a_notice(
    studio_env, wanted, locale, shown, notice
):
    """The browser's language is used instead, and the address is corrected."""
    at = AppTest.from_file(ENTRY_POINT, default_timeout=30)
    at.session_state[state.VISITOR_TOKEN] = SAME_BROWSER
    at.context = {"locale": locale}
    at.query_params[i18n.QUERY_KEY] = wanted
    at.run()
    assert not at.exception
    assert at.session_state[state.LANGUAGE] == shown
    assert [toast.value for toast in at.toast] == [notice]
    assert at.query_params[i18n.QUERY_KEY] in (shown, [shown])
    at.run()
    assert not at.toast


def test_a_language_named_in_the_address_gives_no_notice(open_app, fake):
    at = open_app(query={i18n.QUERY_KEY: "zh-CN"})
    assert at.session_state[state.LANGUAGE] == "zh" and not at.toast


def test_counted_entries_and_placeholders():
    entry = {"en": {"one": "{n} model", "other": "{n} models"}, "zh": "{n} 个模型"}
    assert i18n.render(entry, "en", {"n": 1}) == "1 model"
    assert i18n.render(entry, "en", {"n": 3}) == "3 models"
    assert i18n.render(entry, "en", {"n": "1"}) == "1 model"
    assert i18n.render(entry, "en", {"n": "1,000"}) == "1,000 models"
    assert i18n.render(entry, "zh", {"n": 1}) == "1 个模型"
    json_example = {"en": 'Use {"type": "object"} for {what}', "zh": '{what}：{"type": "object"}'}
    assert i18n.render(json_example, "en", {"what": "JSON"}) == 'Use {"type": "object"} for JSON'


def test_outside_a_script_run_the_language_is_english():
    assert i18n.language() == "en"
    assert human_seconds(0.25) == "250 ms"
    assert time_until("2999-01-01T00:00:00Z") == "never (kept loaded)"
    assert date_time(datetime(2026, 11, 25, 14, 3).astimezone()) == "25 Nov 2026, 14:03"


def test_leftover_detection_allows_terms_but_not_english_phrases():
    assert i18n_check.leftover_words("Installed models") == ["Installed", "models"]
    assert i18n_check.leftover_words("默认模型 llama3.2:latest", ["llama3.2:latest"]) == []
    assert i18n_check.leftover_words("API 密钥，格式同 `OLLAMA_HOST`") == []
    assert i18n_check.leftover_words("按 the quick brown fox 处理") != []


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.split("/")[-1])
@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_every_page_renders_in_each_language(open_app, fake, page, lang):
    at = open_app(page, query={i18n.QUERY_KEY: lang})
    assert not at.exception, at.exception
    assert at.session_state[state.LANGUAGE] == lang
    if lang == "zh":
        assert i18n_check.screen_leftovers(at, i18n_check.installed_names(fake.url)) == []


def test_the_language_follows_the_url_across_pages_and_the_sidebar_switch(open_app):
    at = open_app(navigation.CHAT, query={i18n.QUERY_KEY: "zh"})
    at.switch_page(navigation.MODELS).run()
    assert at.query_params[i18n.QUERY_KEY] in ("zh", ["zh"])
    assert at.session_state[state.LANGUAGE] == "zh"
    at.sidebar.button_group(key=state.LANGUAGE_INPUT).set_value("en").run()
    assert at.session_state[state.LANGUAGE] == "en"
    assert at.query_params[i18n.QUERY_KEY] in ("en", ["en"])
    assert at.sidebar.expander[0].label == "Connection"


def test_connection_help_in_chinese_when_the_server_is_down(open_app, monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST", f"http://127.0.0.1:{free_port()}")
    at = open_app(query={i18n.QUERY_KEY: "zh"})
    assert "无法使用位于" in at.subheader[0].value
    assert "没有任何应答" in at.error[0].value
    assert at.button(key="connection_retry").label == "重试"
    assert i18n_check.screen_leftovers(at) == []


def test_an_unreadable_address_is_explained_in_chinese(open_app, fake):
    at = open_app(query={i18n.QUERY_KEY: "zh"})
    at.sidebar.text_input(key=state.SERVER_URL_INPUT).set_value("localhost:port").run()
    assert at.sidebar.error[0].value == "'port' 不是有效的端口号（1-65535）。"


def test_a_chinese_session_sees_the_clients_errors_in_chinese(fake):
    from lib.ollama.client import OllamaClient
    from lib.ollama.errors import OllamaError

    fake.add_fault("/api/tags", "html")
    with pytest.raises(OllamaError) as raised:
        OllamaClient(fake.url).list_models()
    entry = i18n.catalog()[raised.value.key]
    assert "HTML" in i18n.render(entry, "zh", raised.value.values) and "{" not in i18n.render(
        entry, "zh", raised.value.values
    )
