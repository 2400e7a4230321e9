"""The Generate page's layout (lib/generate/page.py and app_pages/generate.py): what it draws, in what
order, and when it stops early."""

from __future__ import annotations

import ast
from pathlib import Path

import requests
import streamlit as st
from streamlit.testing.v1 import AppTest

from lib import state
from lib.generate import page as generate_page
from lib.ui import navigation
from tests.generate.conftest import generate

PAGE_SCRIPT = Path(__file__).resolve().parents[2] / navigation.GENERATE


def top_level(at: AppTest) -> list[tuple[str, str]]:
    """The main area's elements in order: ``(type, its text or label)``; columns as ``("columns", "")``."""
    shown = []
    for child in at.main.children.values():
        kind = getattr(child, "type", "")
        if kind == "flex_container":
            shown.append(("columns", ""))
        else:
            shown.append((kind, str(getattr(child, "label", None) or getattr(child, "value", ""))))
    return shown


def column_elements(at: AppTest) -> list[list[str]]:
    """What each column of single mode draws first: the element types, in order."""
    columns = next(child for child in at.main.children.values() if getattr(child, "type", "") == "flex_container")
    return [
        [getattr(element, "type", "") for element in column.children.values()] for column in columns.children.values()
    ]


def test_the_page_offers_only_models_that_can_generate(page):
    options = page.selectbox(key=state.GENERATE_MODEL_INPUT).options
    assert "llama3.2:latest" in options and "qwen3:0.6b" in options and "llava:7b" in options
    assert not any("embed" in name or "minilm" in name for name in options)
    assert page.button(key=state.GENERATE_STOP_BUTTON).disabled


def test_single_mode_draws_title_switch_form_beside_output_then_request_and_history(page):
    shown = top_level(page)
    assert [kind for kind, _text in shown] == [
        "title",
        "button_group",
        "caption",
        "columns",
        "expander",
        "subheader",
        "caption",
    ]
    assert shown[0] == ("title", "Generate")
    assert shown[4] == ("expander", "API request")
    assert shown[5] == ("subheader", "This session's runs")
    form, output = column_elements(page)
    assert form[:5] == ["selectbox", "popover", "text_area", "popover", "text_area"]  # a saved prompt beside each
    assert output == ["caption"]
    assert page.caption[0].value.startswith("One prompt, one answer")


def test_the_mode_switch_shows_compare_mode_and_back(page):
    page.segmented_control(key=state.GENERATE_MODE_INPUT).set_value("compare").run()
    assert page.button(key=state.COMPARE_RUN_BUTTON).label == "Compare"
    models = [box.value.model for box in page.selectbox if box.key.startswith(state.COMPARE_MODEL_INPUT)]
    assert models == ["llama3.2:latest", "llava:7b"]
    assert [kind for kind, _text in top_level(page)][:3] == ["title", "button_group", "caption"]
    assert "API request" not in [label for _kind, label in top_level(page)]
    page.segmented_control(key=state.GENERATE_MODE_INPUT).set_value("single").run()
    assert page.button(key=state.GENERATE_RUN_BUTTON).label == "Generate"
    assert not [button for button in page.button if button.key == state.COMPARE_RUN_BUTTON]


def test_the_mode_is_kept_across_a_visit_to_another_page(page):
    page.segmented_control(key=state.GENERATE_MODE_INPUT).set_value("compare").run()
    page.switch_page(navigation.HOME).run()
    page.switch_page(navigation.GENERATE).run()
    assert page.segmented_control(key=state.GENERATE_MODE_INPUT).value == "compare"
    assert page.session_state[state.GENERATE_MODE] == "compare"


def test_a_server_that_cannot_be_reached_is_said_and_the_page_stops(open_app, monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST", "http://127.0.0.1:9")
    at = open_app(navigation.GENERATE)
    assert not at.exception
    assert at.error and "127.0.0.1:9" in at.error[0].value
    assert not [area for area in at.text_area if area.key == state.GENERATE_PROMPT_INPUT]
    assert "API request" not in [label for _kind, label in top_level(at)]
    assert not at.subheader


def test_without_a_model_that_can_generate_the_page_says_so_and_stops(open_app, fake):
    for model in ("llama3.2:latest", "qwen3:0.6b", "llava:7b"):
        requests.delete(f"{fake.url}/api/delete", json={"model": model}, timeout=5).raise_for_status()
    st.cache_data.clear()
    at = open_app(navigation.GENERATE)
    assert not at.exception
    assert "completion" in at.info[0].value
    assert not [area for area in at.text_area if area.key == state.GENERATE_PROMPT_INPUT]
    assert not at.subheader


def test_a_run_left_streaming_is_stopped_before_the_page_draws():
    def script() -> None:
        import streamlit as st

        from lib import state
        from lib.generate import page as generate_page

        class Job:
            def __init__(self, name: str) -> None:
                self.name = name

            def stop(self) -> None:
                st.session_state.stopped.append(self.name)

        st.session_state.stopped = []
        state.put(state.GENERATE_JOB, Job("run"))
        state.put(state.COMPARE_JOB, Job("comparison"))
        generate_page.settle_interrupted()
        st.text(f"{st.session_state.stopped} {state.get(state.GENERATE_JOB)} {state.get(state.COMPARE_JOB)}")

    at = AppTest.from_function(script).run()
    assert not at.exception
    assert at.text[0].value == "['run', 'comparison'] None None"


def test_the_mode_switch_returns_the_chosen_mode():
    def script() -> None:
        import streamlit as st

        from lib.generate import page as generate_page

        st.text(generate_page.mode_switch())

    at = AppTest.from_function(script).run()
    assert at.text[0].value == generate_page.SINGLE
    assert at.caption[0].value.startswith("One prompt, one answer")
    at.segmented_control[0].set_value(generate_page.COMPARE).run()
    assert at.text[0].value == generate_page.COMPARE
    assert at.caption[0].value.startswith("One prompt answered side by side")


def test_the_page_script_only_lays_out():
    """Pages hold no logic: no function or class of their own, no loop (app_pages/generate.py)."""
    tree = ast.parse(PAGE_SCRIPT.read_text())
    defined = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda | ast.For | ast.While)
    ]
    assert defined == []


def test_a_run_draws_its_answer_in_the_output_column_and_its_line_in_the_history(page, fake):
    fake.script_reply("Blue.")
    generate(page)
    form, output = column_elements(page)
    assert form[0] == "selectbox"
    assert "tab_container" in output  # the answer's tabs
    assert "The answer appears here." not in [caption.value for caption in page.caption]
    assert page.text[0].value.startswith("#1 ·")


def test_cloud_models_are_offered_after_local_ones_marked_and_not_preselected(open_app, fake):
    fake.add_cloud_models()
    at = open_app("app_pages/generate.py")
    box = at.selectbox(key=state.GENERATE_MODEL_INPUT)
    assert box.options[-2:] == [
        "deepseek-v3.1:671b-cloud · cloud, runs on ollama.com",
        "gpt-oss:120b-cloud · cloud, runs on ollama.com",
    ]
    assert box.value.model == "qwen3:0.6b"
