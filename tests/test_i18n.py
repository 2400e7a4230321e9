"""The interface in English and Simplified Chinese: catalogs, keys, the language choice, every page."""

from __future__ import annotations

import ast
from datetime import datetime

import pytest
from streamlit.testing.v1 import AppTest

from lib import i18n, state
from lib.formatting import date_time, human_seconds, time_until
from lib.ui import navigation
from tests import i18n_check
from tests.conftest import ENTRY_POINT, SAME_BROWSER
from tests.streamlit_process import free_port

PAGES = [
    navigation.HOME,
    navigation.CHAT,
    navigation.GENERATE,
    navigation.ARENA,
    "app_pages/evals.py",
    navigation.DOCUMENTS,
    navigation.EMBEDDINGS,
    navigation.MODELS,
]


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


# Values are escaped where they are interpolated (issue 17, finding 5)

LINK = "x](http://tracker.invalid/a.png)![y"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("llama3.2:latest", "llama3.2:latest"),
        ("**bold**", "\\*\\*bold\\*\\*"),
        (LINK, "x\\](http://tracker.invalid/a.png)!\\[y"),
        ("![i](http://tracker.invalid/i.png)", "!\\[i\\](http://tracker.invalid/i.png)"),
        ("hf.co/a_b:Q4_K_M", "hf.co/a\\_b:Q4\\_K\\_M"),
        ("$x$ `c` <b> ~s~ :red[r] a|b", "\\$x\\$ \\`c\\` \\<b\\> \\~s\\~ :red\\[r\\] a\\|b"),
        (3, "3"),
        (61.6, "61.6"),
    ],
)
def test_t_escapes_every_value_but_not_the_template(value, shown):
    entry = {"en": "**Loaded** {name} in `2 s`", "zh": "x"}
    assert i18n.render(entry, "en", {"name": value}) == f"**Loaded** {shown} in `2 s`"


def test_a_value_cannot_start_a_block_where_a_line_starts():
    entry = {"en": "{said}", "zh": "x"}
    said = "# Heading\n- item\n1. first\n2) second\n===\n---\n+ plus\nplain 1. text - here"
    assert i18n.render(entry, "en", {"said": said}) == (
        "\\# Heading\n\\- item\n1\\. first\n2\\) second\n\\===\n\\---\n\\+ plus\nplain 1. text - here"
    )
    mid_sentence = {"en": "The server said: {said}", "zh": "x"}
    assert i18n.render(mid_sentence, "en", {"said": "# not a heading"}) == "The server said: # not a heading"
    quoted = {"en": "> {said}", "zh": "x"}
    assert i18n.render(quoted, "en", {"said": "# h"}) == "> \\# h"
    assert i18n.render({"en": "{n} tok/s", "zh": "x"}, "en", {"n": "1.5"}) == "1.5 tok/s"


def test_in_a_code_span_of_the_template_a_value_goes_in_as_it_is():
    entry = {"en": "**Pulling `{model}`** from {where}", "zh": "x"}
    assert i18n.render(entry, "en", {"model": "**x**", "where": "*y*"}) == "**Pulling `**x**`** from \\*y\\*"
    assert i18n.render(entry, "en", {"model": "a`b", "where": ""}) == "**Pulling ``a`b``** from "
    assert i18n.render(entry, "en", {"model": "`a`", "where": ""}) == "**Pulling `` `a` ``** from "
    assert i18n.render(entry, "en", {"model": "two\nlines", "where": ""}) == "**Pulling `two lines`** from "
    assert i18n.render(entry, "en", {"model": "", "where": ""}) == "**Pulling ` `** from "
    assert i18n.render({"en": "``{a}`` and `{b}`", "zh": "x"}, "en", {"a": "``", "b": "c"}) == "``` `` ``` and `c`"


def test_code_shows_any_text_literally():
    assert i18n.code("vision") == "`vision`"
    assert i18n.code("a`b") == "``a`b``"
    assert i18n.code("``x") == "` ``x `"
    assert i18n.code("two\nlines") == "`two lines`"
    assert isinstance(i18n.code("x"), i18n.Markdown)


def test_markdown_goes_in_as_it_is_and_trust_is_not_inherited():
    entry = {"en": "Waiting for {model}: {time}", "zh": "x"}
    inner = i18n.render({"en": "{n} s", "zh": "x"}, "en", {"n": 3})
    assert i18n.render(entry, "en", {"model": i18n.markdown("**bold**"), "time": i18n.Markdown(inner)}) == (
        "Waiting for **bold**: 3 s"
    )
    trusted = i18n.markdown("*a*")
    for derived in (trusted + "!", f"{trusted}", trusted.upper(), " ".join([trusted]), trusted[:3]):
        assert type(derived) is str
        assert i18n.render(entry, "en", {"model": derived, "time": ""}).startswith("Waiting for \\*")


def test_t_returns_markdown_and_t_plain_fills_values_as_they_are():
    assert isinstance(i18n.t("models.deleted", name="x"), i18n.Markdown)
    assert i18n.t("models.deleted", name="**x**") == i18n.t("models.deleted", name=i18n.escape("**x**"))
    assert "\\*\\*x\\*\\*" in i18n.t("models.deleted", name="**x**")
    plain = i18n.t_plain("chat.placeholder", model="**x**_y")
    assert "**x**_y" in plain and "\\" not in plain
    assert not isinstance(plain, i18n.Markdown)  # plain text is never trusted as Markdown


def test_message_of_keeps_a_refusals_markdown_and_escapes_other_words():
    refusal = ValueError(i18n.t("models.name_invalid", name="*x*"))
    assert i18n.message_of(refusal) == refusal.args[0]
    assert i18n.render({"en": "Not sent: {why}", "zh": "x"}, "en", {"why": i18n.message_of(refusal)}).count("\\*") == 2
    assert i18n.message_of(ValueError("*raw*")) == "\\*raw\\*"
    assert i18n.message_of(KeyError("a", "b")) == "('a', 'b')"


def test_outside_a_script_run_the_language_is_english():
    assert i18n.language() == "en"
    assert human_seconds(0.25) == "250 ms"
    assert time_until("2999-01-01T00:00:00Z") == "never (kept loaded)"
    assert date_time(datetime(2026, 11, 25, 14, 3).astimezone()) == "25 Nov 2026, 14:03"


def test_a_file_name_beside_an_area_of_the_same_name_is_not_taken_for_a_key():
    found = [key for _line, key in i18n_check.key_literals(ast.parse('("arena.sqlite3", "arena.start", "arena.x")'))]
    assert found == ["arena.start", "arena.x"]


def test_a_column_named_for_sqlalchemy_is_not_taken_for_a_key():
    source = 'sa.Column("d", sa.Integer, sa.ForeignKey("documents.id")); t("documents.id"); x("documents.id")'
    found = [key for _line, key in i18n_check.key_literals(ast.parse(source))]
    assert found == ["documents.id", "documents.id"]  # what t() and anything else is given is still a key


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


def test_log_lines_are_for_developers_not_translated():
    tree = ast.parse('logger.warning("A second answer was not saved")\nst.warning("Unsaved")')
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    assert [i18n_check._call_name(call) for call in calls] == [None, "warning"]


def _table_page(label: str) -> None:
    import pandas as pd
    import streamlit as st

    frame = pd.DataFrame({"prompt": ["一"], "hidden_column": ["二"]})
    st.dataframe(frame, column_config={"prompt": st.column_config.TextColumn(label), "hidden_column": None})


@pytest.mark.parametrize(("label", "found"), [("提示词", []), ("Prompt text here", ["Prompt text here"])])
def test_a_tables_headers_are_read_as_drawn_from_its_column_config(label, found):
    """Columns named by code are titled by their config's label, and a hidden column is not drawn at all."""
    at = AppTest.from_function(_table_page, args=(label,)).run()
    assert i18n_check.screen_leftovers(at) == found
