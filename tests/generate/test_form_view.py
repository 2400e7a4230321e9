"""The Generate form on screen (lib/generate/form_view.py): which fields a model is offered, what each
sends, and Run and Stop."""

from __future__ import annotations

import base64
import json

import requests
import streamlit as st
from streamlit.testing.v1 import AppTest

from lib import state
from lib.generate.form import SCHEMA
from tests.generate.conftest import PNG, generate, option, pick, raw_answer, sent, texts
from tests.markdown_audit import as_read


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


def test_an_invalid_schema_is_reported_before_anything_is_sent(page, fake):
    page.radio(key=state.GENERATE_FORMAT_INPUT).set_value(SCHEMA).run()
    page.text_area(key=state.GENERATE_SCHEMA_INPUT).input('{"type": "objekt"}').run()
    assert 'at $.type: "objekt" is not a type' in as_read(texts(page.error))
    generate(page)
    assert "Nothing was sent." in texts(page.error)
    assert fake.requests_to("/api/generate") == []


def test_suffix_for_fill_in_the_middle(page, fake):
    requests.post(
        f"{fake.url}/api/pull", json={"model": "qwen2.5-coder:0.5b", "stream": False}, timeout=30
    ).raise_for_status()
    st.cache_data.clear()  # the model list is cached for a few seconds
    page.run()
    page.run()
    pick(page, "qwen2.5-coder:0.5b")
    page.text_area(key=state.GENERATE_SUFFIX_INPUT).input("    return result\n")
    generate(page, "def add(a, b):\n")
    assert sent(fake)["suffix"] == "    return result\n"
    assert raw_answer(page).strip()


def test_suffix_with_a_model_that_cannot_insert_is_refused(page, fake):
    assert 'lacks the "insert" capability' in texts(page.caption)
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


def test_think_is_sent_to_thinking_models_and_thinking_shown_apart(page, fake):
    pick(page, "qwen3:0.6b")
    think = page.segmented_control(key=state.GENERATE_THINK_INPUT)
    assert think.value is True and think.options == ["Off", "On"]
    generate(page)
    assert sent(fake)["think"] is True
    thinking = next(expander for expander in page.expander if expander.label == "Thinking")
    assert "Let me think" in texts(thinking.markdown)
    assert "Let me think" not in raw_answer(page)
    page.segmented_control(key=state.GENERATE_THINK_INPUT).set_value(False).run()
    generate(page)
    assert sent(fake)["think"] is False
    assert not [expander for expander in page.expander if expander.label == "Thinking"]


def test_a_gpt_oss_model_is_offered_levels_and_sends_the_one_picked(page, fake):
    fake.install("gpt-oss:20b")
    st.cache_data.clear()  # the model list is cached for a few seconds
    page.run()
    pick(page, "gpt-oss:20b")
    think = page.segmented_control(key=state.GENERATE_THINK_INPUT)
    assert think.options == ["Low", "Medium", "High"] and think.value == "medium"  # "on" means the server's default
    generate(page)
    assert sent(fake)["think"] == "medium"
    medium = len(page.session_state[state.GENERATE_LAST].result.thinking)
    page.segmented_control(key=state.GENERATE_THINK_INPUT).set_value("high").run()
    generate(page)
    assert sent(fake)["think"] == "high"
    assert len(page.session_state[state.GENERATE_LAST].result.thinking) > medium
    page.segmented_control(key=state.GENERATE_THINK_INPUT).set_value("low").run()
    preview = next(block.value for block in page.code if block.language == "json" and '"prompt"' in block.value)
    assert '"think": "low"' in preview  # the request preview shows the level the form would send
    page.button(key=f"{state.GENERATE_RESTORE_BUTTON}_2").click().run()
    assert page.segmented_control(key=state.GENERATE_THINK_INPUT).value == "high"  # the run kept its level
    assert "gpt-oss:20b · high" in page.text[0].value


def test_think_is_not_offered_to_other_models(page, fake):
    unavailable = page.segmented_control(key=f"{state.GENERATE_THINK_INPUT}.unavailable")
    assert unavailable.disabled
    generate(page)
    assert "think" not in sent(fake)


def buttons_app(model: str, pending: str | None, sendable: bool, pending_server: str = "http://laptop:11434") -> None:
    """Run and Stop alone, for a form that can (or cannot) be sent and an optional Re-run's model (on a server)."""
    import streamlit as st

    from lib import state
    from lib.fleet.models import ModelRef
    from lib.generate import form_view
    from lib.generate.form import GenerateForm, checked

    if "asked" not in st.session_state:
        st.session_state.asked = True
        state.put(state.GENERATE_PENDING, ModelRef(pending, pending_server) if pending else None)
    laptop = "http://laptop:11434"
    form = GenerateForm(model=model, server=laptop, prompt="Why?" if sendable else "")
    draft, starting = form_view.run_buttons(ModelRef(model, laptop), checked(form, {"completion"}))
    st.text(f"starting={starting} sendable={draft.request is not None} problem={draft.problem}")


def test_run_and_stop_before_any_click():
    at = AppTest.from_function(buttons_app, args=("llama3.2:latest", None, True)).run()
    assert not at.exception
    assert at.text[0].value == "starting=False sendable=True problem=None"
    assert at.button(key=state.GENERATE_STOP_BUTTON).disabled
    assert not at.error


def test_run_starts_a_sendable_form_and_enables_stop():
    at = AppTest.from_function(buttons_app, args=("llama3.2:latest", None, True)).run()
    at.button(key=state.GENERATE_RUN_BUTTON).click().run()
    assert at.text[0].value == "starting=True sendable=True problem=None"
    assert not at.button(key=state.GENERATE_STOP_BUTTON).disabled


def test_run_on_a_form_that_cannot_be_sent_says_nothing_was_sent_and_why():
    at = AppTest.from_function(buttons_app, args=("llama3.2:latest", None, False)).run()
    at.button(key=state.GENERATE_RUN_BUTTON).click().run()
    assert at.text[0].value.startswith("starting=False sendable=False")
    assert at.error[0].value.startswith("Nothing was sent.") and "Type a prompt first" in at.error[0].value


def test_a_rerun_of_the_picked_model_starts_once():
    at = AppTest.from_function(buttons_app, args=("llama3.2:latest", "llama3.2:latest", True)).run()
    assert at.text[0].value == "starting=True sendable=True problem=None"
    assert at.session_state[state.GENERATE_PENDING] is None
    assert at.run().text[0].value == "starting=False sendable=True problem=None"


def test_a_rerun_of_a_model_no_longer_installed_sends_nothing():
    at = AppTest.from_function(buttons_app, args=("llama3.2:latest", "gone:latest", True)).run()
    assert at.text[0].value.startswith("starting=False sendable=False")
    assert "gone:latest is no longer installed" in at.error[0].value
    assert at.button(key=state.GENERATE_STOP_BUTTON).disabled


def test_a_rerun_on_a_server_no_longer_answering_is_not_sent_to_another():
    at = AppTest.from_function(buttons_app, args=("llama3.2:latest", "llama3.2:latest", True, "http://gpu:11434")).run()
    assert at.text[0].value.startswith("starting=False sendable=False")
    assert "llama3.2:latest on **gpu** cannot be used now" in at.error[0].value


def format_app(saved_schema: str) -> None:
    import streamlit as st

    from lib.generate import form_view

    output_format, schema_text = form_view.format_fields(saved_schema)
    st.text(f"{output_format}|{schema_text}")


def test_the_schema_editor_appears_only_for_a_schema_and_is_checked_as_typed():
    at = AppTest.from_function(format_app, args=('{"type": "object"}',)).run()
    assert at.text[0].value == 'plain|{"type": "object"}'
    assert not at.text_area
    at.radio(key=state.GENERATE_FORMAT_INPUT).set_value(SCHEMA).run()
    assert at.text_area(key=state.GENERATE_SCHEMA_INPUT).label == "JSON schema"
    at.text_area(key=state.GENERATE_SCHEMA_INPUT).input('{"type": 5}').run()
    assert at.text[0].value == 'schema|{"type": 5}'
    assert "not valid JSON Schema at $.type" in as_read(at.error[0].value)


def test_a_schema_that_would_reach_a_server_or_nests_too_deep_is_a_sentence_and_nothing_is_sent(
    page, fake, recording_server
):
    url, requested = recording_server
    page.radio(key=state.GENERATE_FORMAT_INPUT).set_value(SCHEMA).run()
    for schema, expected in [
        (json.dumps({"properties": {"a": {"$dynamicRef": url}}}), "The $dynamicRef at $.properties.a points outside"),
        ('{"items": ' * 100 + "{}" + "}" * 100, "The schema is nested more than 64 levels deep."),
        ('{"a": ' + "[" * 50_000, "The schema is nested more than 64 levels deep."),
    ]:
        page.text_area(key=state.GENERATE_SCHEMA_INPUT).input(schema).run()
        assert expected in as_read(texts(page.error))
        generate(page)
        assert "Nothing was sent." in texts(page.error)
    assert fake.requests_to("/api/generate") == []
    assert requested == []
