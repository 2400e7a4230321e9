"""The Generate page run with AppTest against the fake server: what users see, and what was sent."""

from __future__ import annotations

import base64
import json

import pytest
import requests
import streamlit as st
from streamlit.testing.v1 import AppTest

from lib import state
from lib.generate.form import EXAMPLE_SCHEMA, JSON, SCHEMA
from tests.conftest import ENTRY_POINT

LONG_REPLY = " ".join(f"word{number}" for number in range(300))
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg=="
)


@pytest.fixture
def page(open_app) -> AppTest:
    at = open_app("app_pages/generate.py")
    assert not at.exception
    pick(at, "llama3.2:latest")
    return at


def generate(at: AppTest, prompt: str = "Why is the sky blue?", **run_options) -> AppTest:
    at.text_area(key=state.GENERATE_PROMPT_INPUT).input(prompt)
    at.button(key=state.GENERATE_RUN_BUTTON).click().run(**run_options)
    assert not at.exception
    return at


def pick(at: AppTest, model: str) -> None:
    at.selectbox(key=state.GENERATE_MODEL_INPUT).select(model).run()


def option(at: AppTest, name: str):
    return at.number_input(key=f"generate_option_{name}")


def sent(fake) -> dict:
    return fake.requests_to("/api/generate")[-1].body


def codes(at: AppTest) -> list[str]:
    return [block.value for block in at.code]


def raw_answer(at: AppTest) -> str:
    """The "Raw text" tab: the answer exactly as the model wrote it."""
    raw_tab = next(tab for tab in at.tabs if tab.label == "Raw text")
    return raw_tab.code[0].value


def metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def texts(elements) -> str:
    return "\n".join(element.value for element in elements)


def test_the_page_offers_only_models_that_can_generate(page):
    options = page.selectbox(key=state.GENERATE_MODEL_INPUT).options
    assert "llama3.2:latest" in options and "qwen3:0.6b" in options and "llava:7b" in options
    assert not any("embed" in name or "minilm" in name for name in options)
    assert page.button(key=state.GENERATE_STOP_BUTTON).disabled


def test_streamed_answer_with_stats_and_markdown(page, fake):
    fake.script_reply("Because of **Rayleigh** scattering.")
    generate(page)
    assert sent(fake) == {"model": "llama3.2:latest", "prompt": "Why is the sky blue?", "stream": True}
    assert raw_answer(page) == "Because of **Rayleigh** scattering."
    answer_tab = next(tab for tab in page.tabs if tab.label == "Answer")
    assert "**Rayleigh**" in texts(answer_tab.markdown)
    shown = metrics(page)
    assert set(shown) == {
        "Time to first token",
        "Output tokens",
        "Tokens/s",
        "Prompt tokens",
        "Prompt eval rate",
        "Load time",
        "Total time",
    }
    assert shown["Output tokens"] != "—" and shown["Tokens/s"].endswith("tok/s")
    assert page.download_button[0].label == "Download the answer"
    assert page.text_area(key=state.GENERATE_PROMPT_INPUT).value == "Why is the sky blue?"


def test_one_non_streamed_response(page, fake):
    fake.script_reply("All at once.")
    page.toggle(key=state.GENERATE_STREAM_INPUT).set_value(False).run()
    generate(page)
    assert sent(fake)["stream"] is False
    assert raw_answer(page) == "All at once."
    assert "Estimated" in next(m for m in page.metric if m.label == "Time to first token").help


def test_every_input_and_option_reaches_the_request_body(page, fake):
    page.text_area(key=state.GENERATE_SYSTEM_INPUT).input("Answer in one line.")
    page.text_area(key=state.GENERATE_TEMPLATE_INPUT).input("{{ .System }}\n{{ .Prompt }}")
    option(page, "temperature").set_value(0.3)
    option(page, "seed").set_value(42)
    option(page, "num_predict").set_value(64)
    option(page, "top_k").set_value(20)
    page.text_area(key="generate_option_stop").input("END\n\n")
    page.text_input(key="generate_option_keep_alive").input("10m")
    generate(page)
    assert sent(fake) == {
        "model": "llama3.2:latest",
        "prompt": "Why is the sky blue?",
        "system": "Answer in one line.",
        "template": "{{ .System }}\n{{ .Prompt }}",
        "options": {"temperature": 0.3, "top_k": 20, "seed": 42, "num_predict": 64, "stop": ["END"]},
        "keep_alive": "10m",
        "stream": True,
    }


def test_raw_mode_is_sent_and_refused_with_a_system_prompt(page, fake):
    page.toggle(key=state.GENERATE_RAW_INPUT).set_value(True).run()
    generate(page)
    assert sent(fake)["raw"] is True
    page.text_area(key=state.GENERATE_SYSTEM_INPUT).input("Be brief.")
    before = len(fake.requests_to("/api/generate"))
    generate(page)
    assert "Raw mode sends the prompt exactly as typed" in texts(page.error)
    assert len(fake.requests_to("/api/generate")) == before


def test_a_bad_keep_alive_is_reported_and_nothing_sent(page, fake):
    page.text_input(key="generate_option_keep_alive").input("soon")
    generate(page)
    assert "Nothing was sent" in texts(page.error)
    assert fake.requests_to("/api/generate") == []


def test_json_mode_pretty_prints_the_answer(page, fake):
    fake.script_reply('{"colour": "blue", "reason": ["scattering"]}')
    page.radio(key=state.GENERATE_FORMAT_INPUT).set_value(JSON).run()
    generate(page)
    assert sent(fake)["format"] == "json"
    assert '{\n  "colour": "blue",\n  "reason": [\n    "scattering"\n  ]\n}' in codes(page)


def test_a_schema_is_sent_and_a_conforming_answer_is_confirmed(page, fake):
    page.radio(key=state.GENERATE_FORMAT_INPUT).set_value(SCHEMA).run()
    generate(page, "Tell me about Canada.")
    assert sent(fake)["format"] == json.loads(EXAMPLE_SCHEMA)
    assert "The answer matches the schema." in texts(page.success)
    answer = json.loads(raw_answer(page))
    assert set(answer) >= {"name", "capital", "languages"}


def test_an_invalid_schema_is_reported_before_anything_is_sent(page, fake):
    page.radio(key=state.GENERATE_FORMAT_INPUT).set_value(SCHEMA).run()
    page.text_area(key=state.GENERATE_SCHEMA_INPUT).input('{"type": "objekt"}').run()
    assert 'at $.type: "objekt" is not a type' in texts(page.error)
    generate(page)
    assert "Nothing was sent." in texts(page.error)
    assert fake.requests_to("/api/generate") == []


def test_an_answer_that_breaks_the_schema_is_flagged(page, fake):
    fake.script_reply('{"name": 5, "languages": "French"}')
    page.radio(key=state.GENERATE_FORMAT_INPUT).set_value(SCHEMA).run()
    generate(page)
    assert "The answer does not match the schema:" in texts(page.warning)
    problems = next(code for code in codes(page) if code.startswith("At $"))
    assert "At $: 'capital' is required but missing." in problems
    assert "At $.name: 5 is not of type 'string'." in problems
    assert "At $.languages: 'French' is not of type 'array'." in problems


def test_an_answer_that_is_not_json_says_so(page, fake):
    fake.script_reply("Sure! Here is some JSON: {")
    page.radio(key=state.GENERATE_FORMAT_INPUT).set_value(JSON).run()
    generate(page)
    assert "The answer is not valid JSON" in texts(page.warning)
    assert raw_answer(page) == "Sure! Here is some JSON: {"


def test_suffix_for_fill_in_the_middle(page, fake):
    requests.post(
        f"{fake.url}/api/pull", json={"model": "qwen2.5-coder:0.5b", "stream": False}, timeout=30
    ).raise_for_status()
    st.cache_data.clear()  # the model list is cached for a few seconds
    page.run()
    pick(page, "qwen2.5-coder:0.5b")
    page.text_area(key=state.GENERATE_SUFFIX_INPUT).input("    return result\n")
    generate(page, "def add(a, b):\n")
    assert sent(fake)["suffix"] == "    return result\n"
    assert raw_answer(page).strip()


def test_suffix_with_a_model_that_cannot_insert_is_refused(page, fake):
    page.text_area(key=state.GENERATE_SUFFIX_INPUT).input("}")
    generate(page)
    assert "cannot fill in the middle" in texts(page.error)
    assert fake.requests_to("/api/generate") == []


def test_images_are_sent_as_raw_base64_to_vision_models(page, fake):
    assert not page.file_uploader
    pick(page, "llava:7b")
    page.file_uploader[0].set_value(("dot.png", PNG, "image/png")).run()
    generate(page, "What is in this picture?")
    images = sent(fake)["images"]
    assert images == [base64.b64encode(PNG).decode()]
    assert not images[0].startswith("data:")
    assert "I can see 1 image" in raw_answer(page)


def test_think_is_sent_to_thinking_models_and_thinking_shown_apart(page, fake):
    pick(page, "qwen3:0.6b")
    assert page.toggle(key=state.GENERATE_THINK_INPUT).value is True
    generate(page)
    assert sent(fake)["think"] is True
    thinking = next(expander for expander in page.expander if expander.label == "Thinking")
    assert "Let me think" in texts(thinking.markdown)
    assert "Let me think" not in raw_answer(page)
    page.toggle(key=state.GENERATE_THINK_INPUT).set_value(False).run()
    generate(page)
    assert sent(fake)["think"] is False
    assert not [expander for expander in page.expander if expander.label == "Thinking"]


def test_think_is_not_offered_to_other_models(page, fake):
    labels = [toggle.label for toggle in page.toggle]
    assert "Think before answering" not in labels
    generate(page)
    assert "think" not in sent(fake)


def test_stop_closes_the_stream_and_keeps_the_partial_answer(page, fake):
    fake.token_delay = 0.05
    fake.script_reply(LONG_REPLY)
    page.text_area(key=state.GENERATE_PROMPT_INPUT).input("Tell me a long story.")
    # A click during a run interrupts the script at its next Streamlit call; AppTest does the
    # same when a run outlives its timeout, which is how Stop is exercised here.
    with pytest.raises(RuntimeError, match="timed out"):
        page.button(key=state.GENERATE_RUN_BUTTON).click().run(timeout=4)
    assert fake.wait_for(lambda f: f.requests_to("/api/generate")[-1].client_disconnected, timeout=10)
    assert fake.requests_to("/api/generate")[-1].chunks_sent < len(LONG_REPLY.split())
    page.button(key=state.GENERATE_RUN_BUTTON).set_value(False)
    page.run()
    assert "Stopped before the answer was complete." in texts(page.warning)
    kept = raw_answer(page)
    assert kept and LONG_REPLY.startswith(kept)
    assert page.text_area(key=state.GENERATE_PROMPT_INPUT).value == "Tell me a long story."
    assert "stopped" in texts(page.text)


def request_panel(at: AppTest) -> dict[str, str]:
    panel = next(expander for expander in at.expander if expander.label == "API request")
    return {tab.label: tab.code[0].value for tab in panel.tabs}


def test_the_request_panel_shows_the_exact_body_curl_and_python(page, fake):
    option(page, "temperature").set_value(0.2)
    generate(page)
    shown = request_panel(page)
    assert json.loads(shown["JSON body"]) == sent(fake)
    assert shown["curl"].startswith(f"curl {fake.url}/api/generate \\")
    assert "Authorization" not in shown["curl"]
    assert "'temperature': 0.2" in shown["Python (requests)"]
    assert "stream=True" in shown["Python (requests)"]


def test_the_request_panel_never_shows_the_api_key(fake, monkeypatch, tmp_path):
    fake.api_key = "sk-secret-123"
    monkeypatch.setenv("OLLAMA_HOST", fake.url)
    monkeypatch.setenv("OLLAMA_API_KEY", "sk-secret-123")
    monkeypatch.setenv("OLLAMA_STUDIO_DATA_DIR", str(tmp_path))
    at = AppTest.from_file(ENTRY_POINT, default_timeout=30)
    at.run()
    at.switch_page("app_pages/generate.py").run()
    generate(at)
    assert fake.requests_to("/api/generate")[-1].headers["Authorization"] == "Bearer sk-secret-123"
    shown = request_panel(at)
    assert '-H "Authorization: Bearer $OLLAMA_API_KEY"' in shown["curl"]
    assert "os.environ['OLLAMA_API_KEY']" in shown["Python (requests)"]
    everything = "\n".join(codes(at) + [m.value for m in at.markdown] + [c.value for c in at.caption])
    assert "sk-secret-123" not in everything


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


@pytest.mark.parametrize(
    ("kind", "params", "expected"),
    [
        ("http", {"status": 404, "message": "model 'llama3.2:latest' not found"}, "Model 'llama3.2:latest' not found."),
        ("http", {"status": 500, "message": "out of memory"}, "Out of memory."),
        ("html", {}, "HTTP 502"),
        ("unauthorized", {}, "API key"),
        ("garbage", {}, "not Ollama's JSON"),
    ],
)
def test_failures_are_readable_and_the_prompt_is_kept(page, fake, kind, params, expected):
    fake.add_fault("/api/generate", kind, **params)
    generate(page)
    assert expected in texts(page.error)
    assert not page.exception
    assert page.text_area(key=state.GENERATE_PROMPT_INPUT).value == "Why is the sky blue?"
    assert "failed" in page.text[0].value
    assert ("Pull it on the Models page" in texts(page.caption)) is (params.get("status") == 404)


@pytest.mark.parametrize(
    ("kind", "params", "expected"),
    [
        (
            "error_line",
            {"after": 5, "message": "model runner has unexpectedly stopped"},
            "model runner has unexpectedly stopped",
        ),
        ("drop", {"after": 5}, "dropped before the answer was complete"),
    ],
)
def test_a_broken_stream_keeps_the_partial_answer(page, fake, kind, params, expected):
    fake.script_reply(LONG_REPLY)
    fake.add_fault("/api/generate", kind, **params)
    generate(page)
    assert expected in texts(page.error)
    assert "kept below" in texts(page.caption)
    kept = raw_answer(page)
    assert kept and LONG_REPLY.startswith(kept) and kept != LONG_REPLY


def test_rerunning_a_run_whose_model_was_deleted_does_not_use_another_model(page, fake):
    generate(page)
    requests.delete(f"{fake.url}/api/delete", json={"model": "llama3.2:latest"}, timeout=5).raise_for_status()
    st.cache_data.clear()
    page.button(key=f"{state.GENERATE_RERUN_BUTTON}_1").click().run()
    assert "llama3.2:latest is no longer installed" in texts(page.error)
    assert len(fake.requests_to("/api/generate")) == 1


def test_restored_images_are_kept_shown_and_removable(page, fake):
    pick(page, "llava:7b")
    page.file_uploader[0].set_value(("dot.png", PNG, "image/png")).run()
    generate(page, "What is in this picture?")
    page.button(key=f"{state.GENERATE_RESTORE_BUTTON}_1").click().run()
    assert "1 image kept from before:" in texts(page.caption)
    generate(page, "And now?")
    assert sent(fake)["images"] == [base64.b64encode(PNG).decode()]
    page.button(key=state.GENERATE_CLEAR_IMAGES_BUTTON).click().run()
    generate(page, "Without the picture")
    assert "images" not in sent(fake)


def test_the_form_survives_a_visit_to_another_page(page, fake):
    page.text_area(key=state.GENERATE_PROMPT_INPUT).input("Keep me").run()
    page.text_area(key=state.GENERATE_SYSTEM_INPUT).input("Be brief.").run()
    option(page, "temperature").set_value(0.4).run()
    page.switch_page("app_pages/home.py").run()
    page.switch_page("app_pages/generate.py").run()
    assert page.text_area(key=state.GENERATE_PROMPT_INPUT).value == "Keep me"
    assert page.text_area(key=state.GENERATE_SYSTEM_INPUT).value == "Be brief."
    assert option(page, "temperature").value == 0.4
    assert page.selectbox(key=state.GENERATE_MODEL_INPUT).value == "llama3.2:latest"
