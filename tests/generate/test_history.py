"""The session's Generate runs (lib/generate/history.py): kept newest first, restored and run again."""

from __future__ import annotations

from datetime import datetime

import requests
import streamlit as st
from streamlit.testing.v1 import AppTest

from lib import state
from lib.generate.form import GenerateForm
from lib.generate.history import HISTORY_LIMIT, remember
from lib.generate.record import RunRecord
from lib.ollama.stream import Answer
from tests.generate.conftest import generate, option, sent, texts

FORM = GenerateForm(model="llama3.2:latest", prompt="Why is the sky blue?")


def record(number: int, prompt: str = "Why is the sky blue?") -> RunRecord:
    return RunRecord(
        number, datetime(2026, 11, 25, 14, 2, 7), FORM.with_values(prompt=prompt), {}, Answer(final={"done": True})
    )


def test_history_is_newest_first_and_capped_at_twenty():
    history: list[RunRecord] = []
    for number in range(1, 26):
        history = remember(history, record(number))
    assert HISTORY_LIMIT == 20
    assert [entry.number for entry in history] == list(range(25, 5, -1))


def test_remembering_a_run_again_replaces_it():
    history = remember(remember([], record(1)), record(2))
    assert [entry.number for entry in remember(history, record(1, "again"))] == [1, 2]


def test_history_restores_and_reruns_earlier_runs(page, fake):
    generate(page, "First question")
    option(page, "seed").set_value(7)
    generate(page, "Second question")
    labels = [text.value for text in page.text]
    assert labels[0].startswith("#2 ·") and "Second question" in labels[0]
    assert labels[1].startswith("#1 ·") and "First question" in labels[1]
    first_body = fake.requests_to("/api/generate")[0].body

    page.button(key=f"{state.GENERATE_RESTORE_BUTTON}_1").click().run()
    assert page.text_area(key=state.GENERATE_PROMPT_INPUT).value == "First question"
    assert option(page, "seed").value is None
    assert len(fake.requests_to("/api/generate")) == 2

    page.button(key=f"{state.GENERATE_RERUN_BUTTON}_2").click().run()
    assert len(fake.requests_to("/api/generate")) == 3
    assert sent(fake)["prompt"] == "Second question" and sent(fake)["options"] == {"seed": 7}
    assert page.text[0].value.startswith("#3 ·")
    assert first_body["prompt"] == "First question"


def test_history_keeps_the_last_twenty_runs(page, fake):
    for number in range(22):
        generate(page, f"Question {number}")
    labels = [text.value for text in page.text]
    assert len(labels) == 20
    assert labels[0].startswith("#22 ·") and labels[-1].startswith("#3 ·")


def test_rerunning_a_run_whose_model_was_deleted_does_not_use_another_model(page, fake):
    generate(page)
    requests.delete(f"{fake.url}/api/delete", json={"model": "llama3.2:latest"}, timeout=5).raise_for_status()
    st.cache_data.clear()
    page.button(key=f"{state.GENERATE_RERUN_BUTTON}_1").click().run()
    assert "llama3.2:latest is no longer installed" in texts(page.error)
    assert len(fake.requests_to("/api/generate")) == 1


def history_app(kept: list) -> None:
    """Keep ``kept`` runs with :func:`history.keep`, then draw the history and what the session holds."""
    import streamlit as st

    from lib import state
    from lib.generate import history

    if "kept" not in st.session_state:
        st.session_state.kept = True
        for past in kept:
            history.keep(past)
    history.draw()
    last = state.get(state.GENERATE_LAST)
    pending = state.get(state.GENERATE_PENDING)
    st.caption(f"last={last.number if last else None} pending={pending}")


def test_an_empty_history_says_what_will_appear():
    at = AppTest.from_function(history_app, args=([],)).run()
    assert at.subheader[0].value == "This session's runs"
    assert at.caption[0].value == "Your last 20 runs appear here, to compare, restore into the form or run again."
    assert at.caption[1].value == "last=None pending=None"
    assert not at.button


def test_a_kept_run_becomes_the_last_one_and_the_newest_line():
    at = AppTest.from_function(history_app, args=([record(1, "First"), record(2, "Second")],)).run()
    assert [text.value for text in at.text] == [record(2, "Second").label(), record(1, "First").label()]
    assert at.caption[-1].value == "last=2 pending=None"
    assert [button.label for button in at.button] == ["Restore", "Re-run"] * 2


def test_restore_puts_the_form_back_and_shows_that_run_without_running_it():
    at = AppTest.from_function(history_app, args=([record(1, "First"), record(2, "Second")],)).run()
    at.button(key=f"{state.GENERATE_RESTORE_BUTTON}_1").click().run()
    assert at.caption[-1].value == "last=1 pending=None"
    assert at.session_state[state.GENERATE_PROMPT_INPUT] == "First"
    assert at.session_state[state.GENERATE_FORM].prompt == "First"


def test_rerun_asks_for_a_run_of_that_runs_model():
    at = AppTest.from_function(history_app, args=([record(1, "First"), record(2, "Second")],)).run()
    at.button(key=f"{state.GENERATE_RERUN_BUTTON}_2").click().run()
    assert at.caption[-1].value == "last=2 pending=ModelRef(model='llama3.2:latest', server='http://127.0.0.1:11434')"
    assert at.session_state[state.GENERATE_PROMPT_INPUT] == "Second"


def test_a_run_no_longer_in_the_history_is_not_brought_back():
    def script() -> None:
        import streamlit as st

        from lib import state
        from lib.generate import history

        history.bring_back(99, run_again=True)
        st.text(f"{state.get(state.GENERATE_LAST)} {state.get(state.GENERATE_PENDING)}")

    at = AppTest.from_function(script).run()
    assert at.text[0].value == "None None"
    assert state.GENERATE_PROMPT_INPUT not in at.session_state
