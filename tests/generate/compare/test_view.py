"""Generate's Compare mode run with AppTest against the fake server: what users see, and what was sent."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from lib import state
from lib.generate.compare import export as compare_export
from tests.conftest import choose_models
from tests.generate.compare.test_job import overlapped

REPLY = " ".join(f"word{number}" for number in range(20))
LONG_REPLY = " ".join(f"word{number}" for number in range(300))
MODELS = ("llama3.2:latest", "llava:7b", "qwen3:0.6b")


@pytest.fixture
def page(open_app) -> AppTest:
    at = open_app("app_pages/generate.py")
    at.segmented_control(key=state.GENERATE_MODE_INPUT).set_value("compare").run()
    assert not at.exception
    return at


def columns(at: AppTest, *models: str) -> None:
    choose_models(at, state.COMPARE_COUNT_INPUT, state.COMPARE_MODEL_INPUT, models)


def option(at: AppTest, column: int, name: str):
    return at.number_input(key=f"compare_{column}_option_{name}")


def compare(at: AppTest, prompt: str = "Why is the sky blue?", **run_options) -> AppTest:
    at.text_area(key=state.COMPARE_PROMPT_INPUT).input(prompt)
    at.button(key=state.COMPARE_RUN_BUTTON).click().run(**run_options)
    assert not at.exception
    return at


def sent(fake) -> list[dict]:
    return [request.body for request in fake.requests_to("/api/generate")]


def texts(elements) -> str:
    """The elements' text as the user reads it (Markdown escapes removed)."""
    return re.sub(r"\\(.)", r"\1", "\n".join(element.value for element in elements))


def headings(at: AppTest) -> list[str]:
    """Column headings as the user reads them (their Markdown escapes removed)."""
    return [re.sub(r"\\(.)", r"\1", heading.value) for heading in at.subheader]


def summary(at: AppTest):
    return at.dataframe[0].value


def test_the_mode_switch_shows_compare_mode_and_back(page):
    assert page.button(key=state.COMPARE_RUN_BUTTON).label == "Compare"
    assert [box.value for box in page.selectbox if box.key.startswith(state.COMPARE_MODEL_INPUT)] == list(MODELS[:2])
    page.segmented_control(key=state.GENERATE_MODE_INPUT).set_value("single").run()
    assert page.button(key=state.GENERATE_RUN_BUTTON).label == "Generate"
    assert not [button for button in page.button if button.key == state.COMPARE_RUN_BUTTON]


def test_every_column_reaches_the_fake_with_its_own_options(page, fake):
    columns(page, "llama3.2:latest", "llama3.2:latest", "qwen3:0.6b")
    option(page, 0, "temperature").set_value(0.2)
    option(page, 1, "temperature").set_value(1.0)
    option(page, 2, "top_k").set_value(20)
    page.toggle(key=f"{state.COMPARE_THINK_INPUT}_2").set_value(False)
    page.number_input(key=state.COMPARE_SEED_INPUT).set_value(42)
    page.text_area(key=state.COMPARE_SYSTEM_INPUT).input("Be brief.")
    compare(page)
    common = {"prompt": "Why is the sky blue?", "system": "Be brief.", "stream": True}
    assert sorted(sent(fake), key=str) == sorted(
        [
            {"model": "llama3.2:latest", **common, "options": {"temperature": 0.2, "seed": 42}},
            {"model": "llama3.2:latest", **common, "options": {"temperature": 1.0, "seed": 42}},
            {"model": "qwen3:0.6b", **common, "options": {"top_k": 20, "seed": 42}, "think": False},
        ],
        key=str,
    )
    assert headings(page)[:3] == ["A · llama3.2:latest", "B · llama3.2:latest", "C · qwen3:0.6b"]
    captions = texts(page.caption)
    assert "temperature 0.2 · seed 42" in captions and "top k 20 · seed 42 · no thinking" in captions


def test_the_streams_overlap_and_each_column_shows_its_answer_and_figures(page, fake):
    fake.token_delay = 0.02
    for number in range(3):
        fake.script_reply(f"Answer {number}: {REPLY}")
    columns(page, *MODELS)
    compare(page)
    requests = fake.requests_to("/api/generate")
    assert len(requests) == 3
    assert overlapped(fake)
    shown = texts(page.markdown)
    assert all(f"Answer {number}: {REPLY}" in shown for number in range(3))
    assert texts(page.markdown).count("Tokens/s: **") == 3  # three columns: compact figures, not metrics
    table = summary(page)
    assert list(table["Column"]) == ["A · llama3.2:latest", "B · llava:7b", "C · qwen3:0.6b"]
    assert list(table["Status"]) == ["done"] * 3 and table["Tokens/s"].notna().all()
    assert "the server answered the columns in parallel" in texts(page.caption)
    assert "Best, highlighted" in texts(page.caption)


def test_a_server_that_queues_the_columns_is_called_out(page, fake):
    fake.token_delay = 0.02
    fake.num_parallel = 1
    fake.script_reply(REPLY)
    fake.script_reply(REPLY)
    columns(page, "llama3.2:latest", "llama3.2:latest")
    option(page, 1, "temperature").set_value(1.5)
    compare(page)
    said = texts(page.caption)
    assert "The server queued these requests" in said
    assert "started writing only after" in said and "OLLAMA_NUM_PARALLEL" in said


def test_stop_closes_every_stream_and_keeps_the_partial_answers(page, fake):
    fake.token_delay = 0.05
    for _ in range(3):
        fake.script_reply(LONG_REPLY)
    columns(page, *MODELS[:2], "llama3.2:latest")
    page.text_area(key=state.COMPARE_PROMPT_INPUT).input("Tell me a long story.")
    # A click during a run interrupts the script at its next Streamlit call; AppTest does the
    # same when a run outlives its timeout, which is how Stop is exercised here.
    with pytest.raises(RuntimeError, match="timed out"):
        page.button(key=state.COMPARE_RUN_BUTTON).click().run(timeout=3)
    assert fake.wait_for(
        lambda f: (
            len(f.requests_to("/api/generate")) == 3
            and all(r.client_disconnected for r in f.requests_to("/api/generate"))
        ),
        timeout=10,
    )
    assert all(request.chunks_sent < 300 for request in fake.requests_to("/api/generate"))
    page.button(key=state.COMPARE_RUN_BUTTON).set_value(False)
    page.run()
    assert texts(page.warning).count("Stopped before the answer was complete.") == 3
    assert list(summary(page)["Status"]) == ["stopped"] * 3
    assert "word0 word1" in texts(page.markdown)
    assert page.text_area(key=state.COMPARE_PROMPT_INPUT).value == "Tell me a long story."


def test_blind_mode_hides_the_models_until_revealed(page, fake):
    columns(page, *MODELS)
    page.toggle(key=state.COMPARE_BLIND_INPUT).set_value(True)
    compare(page)
    answers = headings(page)[:3]
    assert sorted(answers) == ["Answer 1", "Answer 2", "Answer 3"]
    table = summary(page)
    assert list(table["Column"]) == ["Answer 1", "Answer 2", "Answer 3"] and "Settings" not in table.columns
    shown = "\n".join([*headings(page), texts(page.caption), texts(page.markdown), texts(page.info)])
    assert not any(model in shown for model in ("llama3.2", "llava", "qwen3"))
    assert not page.get("download_button")
    record = page.session_state[state.COMPARE_LAST]
    assert record.order != (0, 1, 2)  # shown in another order than set up
    page.button(key=state.COMPARE_REVEAL_BUTTON).click().run()
    revealed = headings(page)[:3]
    assert revealed == [f"Answer {position + 1} · {MODELS[column]}" for position, column in enumerate(record.order)]
    assert [button.label for button in page.get("download_button")] == ["Export as Markdown", "Export as JSON"]


def test_the_export_contains_every_column(page, fake):
    for number in range(4):
        fake.script_reply(f"Reply {number}.")
    columns(page, *MODELS, "llama3.2:latest")
    option(page, 3, "temperature").set_value(0.7)
    compare(page)
    assert [button.label for button in page.get("download_button")] == ["Export as Markdown", "Export as JSON"]
    record = page.session_state[state.COMPARE_LAST]
    markdown = compare_export.to_markdown(record)
    for heading in ("## A · llama3.2:latest", "## B · llava:7b", "## C · qwen3:0.6b", "## D · llama3.2:latest"):
        assert heading in markdown
    assert all(f"Reply {number}." in markdown for number in range(4))
    exported = compare_export.to_dict(record)["columns"]
    assert sorted(map(str, (column["request"] for column in exported))) == sorted(map(str, sent(fake)))
    assert sorted(column["answer"] for column in exported) == [f"Reply {number}." for number in range(4)]
    assert exported[3]["request"]["options"] == {"temperature": 0.7}


def test_a_problem_in_one_column_sends_nothing(page, fake):
    columns(page, *MODELS[:2])
    option(page, 1, "temperature").set_value(0.5)
    page.text_input(key="compare_1_option_keep_alive").input("soon")
    compare(page)
    assert "Nothing was sent. Column B:" in texts(page.error)
    assert fake.requests_to("/api/generate") == []


def test_the_form_survives_a_visit_to_another_page(page, fake):
    columns(page, "qwen3:0.6b", "llama3.2:latest", "llava:7b")
    option(page, 2, "temperature").set_value(0.4)
    page.text_area(key=state.COMPARE_PROMPT_INPUT).input("Kept?").run()
    page.switch_page("app_pages/home.py").run()
    page.switch_page("app_pages/generate.py").run()
    assert page.segmented_control(key=state.GENERATE_MODE_INPUT).value == "compare"
    assert page.text_area(key=state.COMPARE_PROMPT_INPUT).value == "Kept?"
    assert [page.selectbox(key=f"{state.COMPARE_MODEL_INPUT}_{i}").value for i in range(3)] == [
        "qwen3:0.6b",
        "llama3.2:latest",
        "llava:7b",
    ]
    assert option(page, 2, "temperature").value == 0.4
