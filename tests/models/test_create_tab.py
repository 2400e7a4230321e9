"""lib/models/create_tab.py: a model from a Modelfile or from the simple form, and "Edit as new"."""

from __future__ import annotations

from lib import state
from lib.models import modelfile
from tests.models.conftest import MODELS_PAGE, bodies, installed_names, open_tab, texts

MODELFILE = '''# a comment
FROM llama3.2
PARAMETER temperature 0.3
PARAMETER stop "<|eot_id|>"
PARAMETER stop User:
SYSTEM """You are Mario.
Answer briefly."""
MESSAGE user Who are you?
MESSAGE assistant It's-a me, Mario!
'''


def test_create_from_a_modelfile_sends_the_structured_request(page, fake):
    open_tab(page, "Create")
    page.text_input(key=state.MODELS_CREATE_NAME_INPUT).input("mario")
    page.text_area(key=state.MODELS_MODELFILE_INPUT).input(MODELFILE).run()
    expected = {
        "model": "mario",
        "from": "llama3.2",
        "system": "You are Mario.\nAnswer briefly.",
        "parameters": {"temperature": 0.3, "stop": ["<|eot_id|>", "User:"]},
        "messages": [
            {"role": "user", "content": "Who are you?"},
            {"role": "assistant", "content": "It's-a me, Mario!"},
        ],
        "stream": True,
    }
    assert any(j.value and '"from": "llama3.2"' in j.value for j in page.json)
    page.button(key="models_create").click().run()
    assert not page.exception
    assert bodies(fake, "/api/create") == [expected]
    assert "Created mario." in texts(page.success)
    assert "mario:latest" in installed_names(page)


def test_a_broken_modelfile_lists_its_problems_and_sends_nothing(page, fake):
    open_tab(page, "Create")
    page.text_input(key=state.MODELS_CREATE_NAME_INPUT).input("x")
    page.text_area(key=state.MODELS_MODELFILE_INPUT).input(
        "FROM ./model.gguf\nPARAMETER warmth 2\nADAPTER ./lora"
    ).run()
    error = texts(page.error)
    assert "Line 1: FROM ./model.gguf points at a file" in error
    assert 'Line 2: unknown parameter "warmth"' in error
    assert "Line 3: ADAPTER" in error
    assert not [b for b in page.button if b.key == "models_create"]
    assert not fake.requests_to("/api/create")


def test_create_needs_a_name(page, fake):
    open_tab(page, "Create")
    page.text_input(key=state.MODELS_CREATE_NAME_INPUT).input("  ").run()
    assert any('"model": "<new name>"' in j.value for j in page.json)
    page.button(key="models_create").click().run()
    assert "Type a model name" in texts(page.error)
    assert not fake.requests_to("/api/create")


def test_a_new_session_starts_from_the_example_and_keeps_what_was_typed(page):
    open_tab(page, "Create")
    example = page.text_area(key=state.MODELS_MODELFILE_INPUT).value
    assert example.startswith("FROM ")
    page.text_input(key=state.MODELS_CREATE_NAME_INPUT).input("keeper")
    page.text_area(key=state.MODELS_MODELFILE_INPUT).input("FROM qwen3:0.6b\nSYSTEM Keep me.").run()
    page.switch_page("app_pages/home.py").run()
    page.switch_page(MODELS_PAGE).run()
    open_tab(page, "Create")
    assert page.text_area(key=state.MODELS_MODELFILE_INPUT).value == "FROM qwen3:0.6b\nSYSTEM Keep me."
    assert page.text_input(key=state.MODELS_CREATE_NAME_INPUT).value == "keeper"


def test_simple_form_creates_from_base_system_and_parameters(page, fake):
    open_tab(page, "Create")
    page.selectbox(key=state.MODELS_FORM_BASE_INPUT).select("qwen3:0.6b")
    page.text_input(key=state.MODELS_FORM_NAME_INPUT).input("brief")
    page.text_area(key=state.MODELS_FORM_SYSTEM_INPUT).input("Answer in one sentence.")
    page.number_input(key=state.MODELS_FORM_OPTION_PREFIX + "temperature").set_value(0.2)
    page.text_area(key=state.MODELS_FORM_STOP_INPUT).input("END\n").run()
    page.button(key="models_form_create").click().run()
    assert bodies(fake, "/api/create") == [
        {
            "model": "brief",
            "from": "qwen3:0.6b",
            "system": "Answer in one sentence.",
            "parameters": {"temperature": 0.2, "stop": ["END"]},
            "stream": True,
        }
    ]
    assert "brief:latest" in installed_names(page)


def test_the_simple_form_with_a_bad_name_sends_nothing(page, fake):
    open_tab(page, "Create")
    page.text_input(key=state.MODELS_FORM_NAME_INPUT).input("two words").run()
    page.button(key="models_form_create").click().run()
    assert "is not a model name" in texts(page.error)
    assert not fake.requests_to("/api/create")


def simple_form_page(names: list[str]) -> None:
    from lib.models import create_tab
    from lib.ollama.client import OllamaClient

    create_tab.simple_form(OllamaClient("http://127.0.0.1:9"), names)


def test_the_simple_form_needs_an_installed_model(script):
    at = script(simple_form_page, []).run()
    assert "Install a model first" in texts(at.info)
    assert not at.selectbox and not at.button


def test_edit_as_new_prefills_the_modelfile_of_an_installed_model(page, fake):
    page.selectbox(key=state.MODELS_DETAILS_INPUT).select("llama3.2:latest").run()
    page.button(key="models_edit_as_new").click().run()
    assert page.session_state[state.MODELS_TAB] == "Create"
    text = page.text_area(key=state.MODELS_MODELFILE_INPUT).value
    assert "FROM llama3.2:latest" in text and "/blobs/" not in text
    assert page.text_input(key=state.MODELS_CREATE_NAME_INPUT).value == "llama3.2-custom:latest"
    assert not texts(page.error)
    page.button(key="models_create").click().run()
    sent = bodies(fake, "/api/create")[0]
    assert sent["from"] == "llama3.2:latest" and sent["model"] == "llama3.2-custom:latest"
    assert "template" in sent


SHOWN = '# Modelfile generated by "ollama show"\nFROM /root/.ollama/models/blobs/sha256-abc\nSYSTEM Be brief.\n'


def prefill_page(shown: str, names: list[str]) -> None:
    import streamlit as st

    from lib.models import create_tab
    from lib.ollama.client import OllamaClient

    st.button("Edit", key="edit", on_click=create_tab.prefill, args=("tiny:1b", shown, names))
    create_tab.from_modelfile(OllamaClient("http://127.0.0.1:9"))


def test_prefill_replaces_what_was_typed_and_opens_the_tab(script):
    at = script(prefill_page, SHOWN, ["tiny:1b", "tiny-custom:1b"]).run()
    at.text_input(key=state.MODELS_CREATE_NAME_INPUT).input("typed before")
    at.text_area(key=state.MODELS_MODELFILE_INPUT).input("FROM typed-before").run()
    at.session_state[state.MODELS_TAB] = "Installed"
    at.button(key="edit").click().run()
    assert at.session_state[state.MODELS_TAB] == "Create"
    prefilled = modelfile.edit_as_new(SHOWN, "tiny:1b")
    assert "FROM tiny:1b\n" in prefilled and "blobs" not in prefilled
    assert at.text_area(key=state.MODELS_MODELFILE_INPUT).value == prefilled
    assert at.text_input(key=state.MODELS_CREATE_NAME_INPUT).value == "tiny-custom-2:1b"
