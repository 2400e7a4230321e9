"""Names and statuses a hostile server sends are shown literally on every page (issue 17, finding 5).

A server, or a proxy in front of it, chooses the model names it lists and the status lines and
errors it sends. Each test installs models under names Ollama itself would refuse (``**zqb**``,
``zqa](http://tracker.invalid/a.png)![x``, ...) on the fake server, walks one page through its
main actions in AppTest, and checks every text the browser was sent on the way, transient ones
too (a "waiting for the model" caption, a progress bar's text): where Streamlit reads Markdown the
name must be escaped or inside a code span, where it does not (placeholders, ``st.text``, select box
options, tables) it must show no escaping backslash. See :mod:`tests.markdown_audit`.
"""

from __future__ import annotations

import time

import pytest
import requests
from streamlit.testing.v1 import AppTest

from lib import state
from lib.fleet.models import ModelRef
from lib.ui import navigation
from tests.conftest import choose_models
from tests.evals.screens import small_set, store_of
from tests.markdown_audit import (
    BOLD_NAME,
    HOSTILE_STATUS,
    LINK_NAME,
    MIXED_NAME,
    markers,
    problems,
    record_sent,
    shown_texts,
)

EMBED_NAME = "**zqe** ![e](//tracker.invalid/e.png)/nomic-embed-text"  # read as nomic-embed-text: its hints show


@pytest.fixture
def hostile(fake, monkeypatch) -> list:
    """The fake lists hostile names (three chat models, one embedding model); every message sent is recorded."""
    for name in (LINK_NAME, BOLD_NAME, MIXED_NAME):
        fake.install_as(name, like="llama3.2")
    fake.install_as(EMBED_NAME, like="nomic-embed-text")
    return record_sent(monkeypatch)


def audit(sent: list, markdown: set[str], plain: frozenset[str] = frozenset()) -> None:
    """No problem in anything sent, and the names were seen in Markdown (and plain) texts, so the check was real."""
    shown = list(shown_texts(sent))
    assert problems(shown, (LINK_NAME, BOLD_NAME, MIXED_NAME, EMBED_NAME, HOSTILE_STATUS)) == []
    seen = [str(item) for item in shown if "zq" in item.text]
    assert markdown <= markers(shown, markdown=True), seen
    assert plain <= markers(shown, markdown=False), seen


def ok(at: AppTest) -> AppTest:
    assert not at.exception, at.exception
    return at


def load(fake, name: str) -> None:
    """Load a model on the fake, as another user of the server would."""
    body = {"model": name, "prompt": "", "keep_alive": "10m", "stream": False}
    requests.post(f"{fake.url}/api/generate", json=body, timeout=10).raise_for_status()


def test_home(open_app, fake, hostile):
    load(fake, LINK_NAME)
    load(fake, BOLD_NAME)
    at = ok(open_app())
    at.sidebar.selectbox(key=state.DEFAULT_MODEL_INPUT).select(MIXED_NAME)
    ok(at.run())
    audit(hostile, markdown=set(), plain=frozenset({"zqa", "zqb", "zqc"}))


def test_generate_waiting_sending_answer_and_history(open_app, fake, hostile):
    at = ok(open_app(navigation.GENERATE))
    at.selectbox(key=state.GENERATE_MODEL_INPUT).select(LINK_NAME).run()
    fake.add_fault("/api/generate", "slow_first", delay=1.5)
    at.text_area(key=state.GENERATE_PROMPT_INPUT).input("Why is the sky blue?")
    ok(at.button(key=state.GENERATE_RUN_BUTTON).click().run())
    history = [text.value for text in at.text]
    assert any(LINK_NAME in line for line in history), history
    audit(hostile, {"zqa"})


def test_generate_compare(open_app, fake, hostile):
    at = ok(open_app(navigation.GENERATE))
    at.segmented_control(key=state.GENERATE_MODE_INPUT).set_value("compare").run()
    choose_models(at, state.COMPARE_COUNT_INPUT, state.COMPARE_MODEL_INPUT, (BOLD_NAME, MIXED_NAME))
    fake.num_parallel = 1
    at.text_area(key=state.COMPARE_PROMPT_INPUT).input("Why is the sky blue?")
    ok(at.button(key=state.COMPARE_RUN_BUTTON).click().run())
    audit(hostile, {"zqb", "zqc"})


def test_embeddings_progress_results_and_a_model_that_cannot_embed(open_app, fake, hostile):
    at = ok(open_app(navigation.EMBEDDINGS))
    at.selectbox(key=state.EMBED_MODEL_INPUT).select(ModelRef(EMBED_NAME, fake.url)).run()
    at.text_area(key=state.EMBED_LINES_INPUT).input("cats purr\ndogs bark\n猫在叫").run()
    ok(at.button(key=state.EMBED_RUN_BUTTON).click().run())
    assert at.session_state[state.EMBED_RESULT] is not None
    at.selectbox(key=state.EMBED_MODEL_INPUT).select(ModelRef(BOLD_NAME, fake.url))
    ok(at.run())
    assert at.error
    audit(hostile, {"zqe", "zqb"}, plain=frozenset({"zqe", "zqb"}))


def test_chat_waiting_answer_and_compare(open_app, fake, hostile):
    at = ok(open_app(navigation.CHAT))
    at.selectbox(key=state.CHAT_MODEL_INPUT).select(ModelRef(MIXED_NAME, fake.url)).run()
    fake.add_fault("/api/chat", "slow_first", delay=1.5)
    ok(at.chat_input(key=state.CHAT_PROMPT_INPUT).set_value("Hello there").run())
    at.segmented_control(key=state.CHAT_MODE_INPUT).set_value("compare").run()
    columns = (ModelRef(LINK_NAME, fake.url), ModelRef(BOLD_NAME, fake.url))
    choose_models(at, state.CHAT_COMPARE_COUNT_INPUT, state.CHAT_COMPARE_MODEL_INPUT, columns)
    ok(at.chat_input(key=state.CHAT_COMPARE_PROMPT_INPUT).set_value("Hello both").run())
    audit(hostile, {"zqa", "zqb", "zqc"})


def test_models_details_copy_delete_load_unload(open_app, fake, hostile):
    at = ok(open_app("app_pages/models.py"))
    at.selectbox(key=state.MODELS_DETAILS_INPUT).select(BOLD_NAME).run()
    at.text_input(key=state.MODELS_COPY_NAME_INPUT).input("plain-copy")
    ok(at.button(key="models_copy").click().run())
    at.selectbox(key=state.MODELS_DETAILS_INPUT).select(LINK_NAME).run()
    ok(at.button(key="models_delete").click().run())
    at.session_state[state.MODELS_TAB] = "Running"
    at.run()
    at.selectbox(key=state.MODELS_WARM_MODEL_INPUT).select(MIXED_NAME)
    ok(at.button(key="models_load").click().run())
    ok(at.button(key=f"models_unload_{MIXED_NAME}").click().run())
    audit(hostile, {"zqa", "zqb", "zqc"})


def test_a_pull_that_fails_with_a_hostile_message(open_app, fake, hostile):
    fake.add_fault("/api/pull", "error_line", after=2, message=HOSTILE_STATUS)
    at = ok(open_app("app_pages/models.py"))
    at.session_state[state.MODELS_TAB] = "Pull"
    at.run()
    at.text_input(key=state.MODELS_PULL_NAME_INPUT).input("tinyllama")
    ok(at.button(key="models_pull_submit").click().run())
    job = at.session_state[state.MODELS_PULL_JOB]
    assert job.wait(10)
    time.sleep(0.1)
    ok(at.run())
    assert "zqs" in " ".join(error.value for error in at.error)
    audit(hostile, {"zqs"})


def test_arena_battle_vote_and_reveal(open_app, fake, hostile):
    at = ok(open_app(navigation.ARENA))
    choose_models(at, state.ARENA_COUNT_INPUT, state.ARENA_MODEL_INPUT, (LINK_NAME, BOLD_NAME, MIXED_NAME))
    fake.break_model(MIXED_NAME, "the runner crashed")
    at.text_area(key=state.ARENA_PROMPT_INPUT).input("Why is the sky blue?")
    ok(at.button(key=state.ARENA_START_BUTTON).click().run())
    assert at.error  # the failing column, revealed with its name
    ok(at.button(key=state.ARENA_NEW_BUTTON).click().run())
    choose_models(at, state.ARENA_COUNT_INPUT, state.ARENA_MODEL_INPUT, (LINK_NAME, BOLD_NAME))
    ok(at.button(key=state.ARENA_START_BUTTON).click().run())
    ok(at.button(key=f"{state.ARENA_VOTE_BUTTON}_A").click().run())
    assert at.success  # the verdict names the model picked
    audit(hostile, {"zqa", "zqb", "zqc"})


def test_evals_run_progress_grid_and_a_failed_cell(open_app, fake, hostile, studio_env):
    store_of(studio_env).save_set(small_set())
    at = ok(open_app("app_pages/evals.py"))
    at.session_state[state.EVALS_TAB] = "New run"
    ok(at.run())
    choose_models(at, state.EVALS_COUNT_INPUT, state.EVALS_MODEL_INPUT, (LINK_NAME, BOLD_NAME, MIXED_NAME))
    fake.add_fault("/api/chat", "error_line", after=2, message=HOSTILE_STATUS)  # the first answer breaks off
    fake.break_model(MIXED_NAME, "the runner crashed")
    fake.token_delay = 0.01
    ok(at.button(key=state.EVALS_START_BUTTON).click().run())
    job = at.session_state[state.EVALS_JOB].job
    deadline = time.monotonic() + 10
    while not job.view().text and time.monotonic() < deadline:
        time.sleep(0.02)
    ok(at.run())  # the panel, with the candidate being asked
    assert job.wait(30)
    ok(at.run())
    assert "zqs" in " ".join(error.value for error in at.error)  # the failed cell, in the server's words
    at.selectbox(key=state.EVALS_CANDIDATE_INPUT).select(1)
    ok(at.run())
    at.selectbox(key=state.EVALS_CANDIDATE_INPUT).select(2)
    ok(at.run())
    assert "the runner crashed" in " ".join(error.value for error in at.error)
    audit(hostile, {"zqa", "zqb", "zqc", "zqs"}, plain=frozenset({"zqa", "zqb", "zqc"}))
