"""A kill of the app in the middle of an eval run, in a real browser: every answer the run had finished is
in the database afterwards, whole, and the run can be resumed from there.

The runner saves an answer before it asks the next, so once the fake has seen the fourth request
start, three answers were finished and saved: the app is killed then (SIGKILL: no clean-up runs).
"""

from __future__ import annotations

import signal
from pathlib import Path

from playwright.sync_api import Browser, expect

from lib.evals.records import CONTAINS, Check, Prompt, PromptSet
from lib.evals.store import EvalStore
from tests.streamlit_process import SERVED_APP, StreamlitApp

TOKEN = "k" * 43  # the visitor's browser id (lib.access.visitor.COOKIE), so the test can read their runs
OWNER = f"browser:{TOKEN}"
REPLY = "Paris is the capital of France, and this answer takes a little while to write."
PROMPTS = 6


def test_a_killed_app_keeps_every_finished_answer_and_the_run_resumes(fake, browser: Browser, tmp_path: Path):
    store = EvalStore(tmp_path / "evals.sqlite3", owner=OWNER)
    store.save_set(
        PromptSet(
            "Capitals", tuple(Prompt(f"Question {n}", checks=(Check(CONTAINS, "Paris"),)) for n in range(PROMPTS))
        )
    )
    fake.token_delay = 0.05
    for _ in range(PROMPTS * 2):  # the run's two candidates (the page starts with two)
        fake.script_reply(REPLY)
    env = {"OLLAMA_STUDIO_DATA_DIR": str(tmp_path), "OLLAMA_HOST": fake.url}
    app = StreamlitApp(SERVED_APP, env, tmp_path / "streamlit.log")
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    context.add_cookies([{"name": "ollama_studio_visitor", "value": TOKEN, "url": app.url}])
    try:
        page = context.new_page()
        page.goto(app.url + "/evals")
        main = page.get_by_test_id("stMain")
        main.get_by_role("tab", name="New run").click()
        main.get_by_role("button", name="Start").click()
        expect(main.get_by_role("button", name="Stop")).to_be_visible()
        assert fake.wait_for(lambda f: len(f.requests_to("/api/chat")) >= 4, timeout=60)
        app.process.send_signal(signal.SIGKILL)
        app.process.wait(timeout=10)
        asked = fake.requests_to("/api/chat")
    finally:
        context.close()
        app.stop()

    [run] = store.runs()
    finished = [request for request in asked if request.finished is not None and request.status == 200]
    assert len(finished) >= 3
    assert run.finished_at is None and len(run.answers) >= 3
    assert len(run.answers) >= len(finished) - 1  # at most the answer written as the kill came is not saved
    assert all(answer.content == REPLY and answer.status == "done" for answer in run.answers)
    assert all(answer.passed for answer in run.answers)
    assert len(run.missing()) == PROMPTS * len(run.candidates) - len(run.answers)

    restarted = StreamlitApp(SERVED_APP, env, tmp_path / "streamlit-again.log")
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    context.add_cookies([{"name": "ollama_studio_visitor", "value": TOKEN, "url": restarted.url}])
    try:
        for _ in range(PROMPTS * 2):
            fake.script_reply(REPLY)
        page = context.new_page()
        page.goto(restarted.url + "/evals")
        main = page.get_by_test_id("stMain")
        main.get_by_role("tab", name="Results").click()
        main.get_by_role("button", name="Resume").click()
        expect(page.locator(".st-key-evals_progress")).to_be_visible()  # the job's panel: the whole page saw it
        total = PROMPTS * 2
        expect(main.get_by_text(f"Finished: {total} of {total} answers.")).to_be_visible(timeout=60_000)
    finally:
        context.close()
        restarted.stop()
    [run] = store.runs()
    assert len(run.answers) == PROMPTS * len(run.candidates) and not run.missing()
