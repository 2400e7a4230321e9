"""lib/models/pull_tab.py: a name is checked, then pulled in the background; one pull at a time."""

from __future__ import annotations

from lib import state
from tests.models.conftest import MODELS_PAGE, bodies, open_tab, pull_job, start_pull, texts


def test_a_bad_pull_name_is_explained_and_nothing_sent(page, fake):
    start_pull(page, "![x](http://example.com/x.png)")
    assert "is not a model name" in texts(page.error)
    assert page.session_state[state.MODELS_PULL_JOB] is None
    assert not fake.requests_to("/api/pull")


def test_the_name_is_pulled_without_the_spaces_around_it(page, fake):
    start_pull(page, "  qwen2.5:0.5b ")
    assert pull_job(page).wait(20)
    assert bodies(fake, "/api/pull") == [{"model": "qwen2.5:0.5b", "stream": True}]


def test_while_a_pull_runs_another_cannot_start(page, fake):
    fake.token_delay = 0.2
    start_pull(page, "mxbai-embed-large:latest")
    page.run()
    assert page.button(key="models_pull_submit").disabled
    assert "One pull at a time" in texts(page.caption)
    pull_job(page).cancel()
    assert pull_job(page).wait(10)
    page.run()
    assert not page.button(key="models_pull_submit").disabled
    assert "One pull at a time" not in texts(page.caption)


def test_the_last_name_sent_is_still_there_after_a_page_switch(page):
    start_pull(page, "my model")
    assert "is not a model name" in texts(page.error)
    page.switch_page("app_pages/home.py").run()
    page.switch_page(MODELS_PAGE).run()
    open_tab(page, "Pull")
    assert page.text_input(key=state.MODELS_PULL_NAME_INPUT).value == "my model"
