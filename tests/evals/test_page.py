"""The Evals page as a whole (app_pages/evals.py, lib/evals/page.py): its tabs, its notices, its
language, whose sets it shows, and a database it cannot open."""

from __future__ import annotations

from lib import i18n, state
from lib.evals import page
from lib.evals.records import Answer, Candidate, Check, CheckResult, Prompt, PromptSet, Run
from tests import i18n_check
from tests.evals.screens import open_evals, open_tab, small_set, store_of, texts


def test_the_page_has_its_title_and_three_tabs(open_app):
    at = open_evals(open_app)
    assert at.title[0].value == "Evals"
    assert [tab.label for tab in at.tabs] == ["Prompt sets", "New run", "Results"]


def test_in_chinese(open_app):
    at = open_evals(open_app, query={i18n.QUERY_KEY: "zh"})
    assert at.title[0].value == "评测"
    assert [tab.label for tab in at.tabs] == ["提示词集", "新建运行", "结果"]


def test_the_open_tab_is_kept_across_pages(open_app):
    at = open_evals(open_app, tab="results")
    at.switch_page("app_pages/chat.py").run()
    at.switch_page("app_pages/evals.py").run()
    assert at.session_state[state.EVALS_TAB] == "Results"
    assert "No runs yet" in texts(at.info)


def test_a_notice_is_shown_once(open_app):
    at = open_evals(open_app)
    at.session_state[state.EVALS_NOTICE] = ("warning", "Mind the gap.")
    at.run()
    assert texts(at.warning) == "Mind the gap."
    at.run()
    assert not at.warning


def test_each_visitor_sees_their_own_sets(open_app, studio_env):
    store_of(studio_env).save_set(small_set("Mine"))
    mine = open_evals(open_app)
    assert mine.text_input(key=state.EVALS_NAME_INPUT).value == "Mine"
    stranger = open_evals(open_app, browser=None)
    assert stranger.selectbox(key=state.EVALS_SET_INPUT).value == page.sets_view.NEW
    assert "You have no prompt sets yet" in texts(stranger.info)


def test_a_data_folder_that_cannot_be_written_says_what_to_do(open_app, studio_env, monkeypatch):
    blocked = studio_env / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("OLLAMA_STUDIO_DATA_DIR", str(blocked))
    at = open_app("app_pages/evals.py")
    assert not at.exception
    shown = texts(at.error)
    assert "Evaluations cannot be saved in" in shown and "OLLAMA_STUDIO_DATA_DIR" in shown
    assert not at.tabs


def test_the_results_tab_is_opened_by_an_action(open_app):
    at = open_evals(open_app)
    at.session_state[state.EVALS_OPEN_TAB] = "results"
    at.run()
    assert at.session_state[state.EVALS_TAB] == "Results"
    open_tab(at, "sets")
    assert at.session_state[state.EVALS_TAB] == "Prompt sets"


def test_every_tab_in_chinese_has_no_english_left(open_app, studio_env, fake):
    store = store_of(studio_env)
    chinese = PromptSet("首都", (Prompt("法国的首都是哪里？", tags=("地理",)), Prompt("日本的首都是哪里？")))
    set_id = store.save_set(chinese)  # what people write is not translated: Chinese here, so only UI text is checked
    prompt_set = store.get_set(set_id)
    answers = (
        Answer(0, 0, "巴黎。", checks=(CheckResult(Check("contains", "巴黎"), True),)),
        Answer(1, 0, status="failed", error="服务器出错"),
    )
    store.start_run(Run(prompt_set, (Candidate("llama3.2:latest", options={"temperature": 0}),), answers=answers))
    at = open_evals(open_app, query={i18n.QUERY_KEY: "zh"})
    names = i18n_check.installed_names(fake.url)
    for tab in ("sets", "run", "results"):
        at.session_state[state.EVALS_TAB] = {"sets": "提示词集", "run": "新建运行", "results": "结果"}[tab]
        at.run()
        assert not at.exception
        assert i18n_check.screen_leftovers(at, names) == [], tab
