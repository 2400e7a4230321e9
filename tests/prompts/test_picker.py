"""The Prompts popover (lib/prompts/picker.py) through its widgets: pick, fill the variables, use, send, manage."""

from __future__ import annotations

import json
import sys

import pytest
from streamlit.testing.v1 import AppTest

from lib import state
from lib.library.store import LibraryStore
from lib.prompts.library import KIND, SYSTEM, USER, Prompt
from tests.chat.conftest import last_chat_body, open_chat, pick
from tests.conftest import SAME_BROWSER
from tests.evals.screens import recording_downloads

OWNER = f"browser:{SAME_BROWSER}"
WHERE = "field"


@pytest.fixture(autouse=True)
def data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("OLLAMA_STUDIO_DATA_DIR", str(tmp_path))
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])
    return tmp_path


def field_app(role: str) -> None:
    import streamlit as st

    from lib.prompts import picker

    picker.popover(role, "field", "field", send_key="sent")
    st.text_area("Field", key="field")
    st.session_state["taken"] = picker.take_sent("sent")


def open_field(role: str = USER) -> AppTest:
    at = AppTest.from_function(field_app, args=(role,), default_timeout=30)
    at.session_state[state.VISITOR_TOKEN] = SAME_BROWSER
    return at.run()


def save(name: str, text: str, role: str = USER, values: dict[str, str] | None = None) -> int:
    return LibraryStore(owner=OWNER).save(KIND, name, Prompt(None, name, role, text, values or {}).document())


def choose(at: AppTest, prompt_id: int) -> None:
    at.selectbox(key=f"{WHERE}_prompt_choice").set_value(prompt_id).run()


def variable(at: AppTest, prompt_id: int, name: str):
    return at.text_input(key=f"{WHERE}_prompt_var_{prompt_id}_{name}")


def click(at: AppTest, what: str) -> None:
    at.button(key=f"{WHERE}_prompt_{what}").click().run()


def test_only_the_fields_role_is_offered():
    save("sys", "Be brief.", SYSTEM)
    user_id = save("ask", "Why?")
    at = open_field(USER)
    assert at.selectbox(key=f"{WHERE}_prompt_choice").options == ["ask"]
    choose(at, user_id)
    click(at, "use")
    assert at.text_area(key="field").value == "Why?"


def test_variables_are_asked_filled_in_once_and_remembered_with_the_prompt():
    prompt_id = save("translate", "Translate into {{ language }}:\n{{text}}", values={"language": "French"})
    at = open_field()
    choose(at, prompt_id)
    assert [field.label for field in at.text_input if field.key.startswith(f"{WHERE}_prompt_var_")] == [
        "language",
        "text",
    ]
    assert variable(at, prompt_id, "language").value == "French"  # remembered from last time
    click(at, "use")
    assert at.warning[0].value == "Fill in every variable first: text."
    assert at.text_area(key="field").value == ""
    variable(at, prompt_id, "language").set_value("German")
    variable(at, prompt_id, "text").set_value("{{language}} stays")
    click(at, "use")
    assert at.text_area(key="field").value == "Translate into German:\n{{language}} stays"
    (item,) = LibraryStore(owner=OWNER).items(KIND)
    assert item.body["values"] == {"language": "German", "text": "{{language}} stays"}


def test_send_leaves_the_filled_prompt_for_the_chat_box_once():
    prompt_id = save("hello", "Say hello to {{name}}")
    at = open_field()
    choose(at, prompt_id)
    variable(at, prompt_id, "name").set_value("Ann")
    click(at, "send")
    assert at.session_state["taken"].text == "Say hello to Ann"
    assert at.session_state["taken"].files == []
    at.run()
    assert at.session_state["taken"] is None


def test_adding_editing_and_deleting_prompts_in_the_library():
    at = open_field(SYSTEM)
    at.text_input(key=f"{WHERE}_prompt_name").set_value("Pirate")
    at.text_area(key=f"{WHERE}_prompt_text").set_value("Talk like a pirate.")
    click(at, "save")
    assert at.success[0].value == "Prompt Pirate saved."
    (item,) = LibraryStore(owner=OWNER).items(KIND)
    assert item.body["role"] == SYSTEM  # the field's role, unless changed
    choose(at, item.id)
    click(at, "edit")
    assert at.text_area(key=f"{WHERE}_prompt_text").value == "Talk like a pirate."
    at.text_area(key=f"{WHERE}_prompt_text").set_value("Talk like a pirate, briefly.")
    click(at, "save")
    assert [i.body["text"] for i in LibraryStore(owner=OWNER).items(KIND)] == ["Talk like a pirate, briefly."]
    click(at, "delete")
    assert at.success[0].value == "Prompt Pirate deleted."
    assert LibraryStore(owner=OWNER).items(KIND) == []


def test_a_prompt_needs_a_name_and_a_text():
    at = open_field()
    at.text_input(key=f"{WHERE}_prompt_name").set_value("empty")
    click(at, "save")
    assert at.warning[0].value == "A prompt needs a name and a text."
    assert LibraryStore(owner=OWNER).items(KIND) == []


def test_the_library_is_exported_as_json(monkeypatch):
    given = recording_downloads(monkeypatch)
    save("a", "one {{x}}", values={"x": "private"})
    at = open_field()
    assert not given  # only on request
    at.toggle(key=f"{WHERE}_prompt_importing").set_value(True).run()
    (export,) = given
    assert export["file_name"] == "prompts.json"
    assert json.loads(export["data"])["prompts"] == [{"name": "a", "role": "user", "text": "one {{x}}"}]


def test_the_chat_page_sends_a_filled_prompt(studio_env, fake):
    prompt_id = save("capital", "What is the capital of {{country}}?")
    at = open_chat()
    choose_in_chat = at.selectbox(key="chat_box_prompt_choice")
    choose_in_chat.set_value(prompt_id).run()
    at.text_input(key=f"chat_box_prompt_var_{prompt_id}_country").set_value("Peru")
    at.button(key="chat_box_prompt_send").click().run()
    assert not at.exception
    assert last_chat_body(fake)["messages"][-1]["content"] == "What is the capital of Peru?"
    assert any(message.markdown[0].value == "What is the capital of Peru?" for message in at.chat_message[:1])


def test_the_comparisons_chat_box_sends_a_filled_prompt_to_every_column(studio_env, fake):
    prompt_id = save("capital", "What is the capital of {{country}}?")
    at = open_chat()
    at.segmented_control(key=state.CHAT_MODE_INPUT).set_value("compare").run()
    pick(at, "llama3.2:latest", "llava:7b")
    at.selectbox(key="compare_box_prompt_choice").set_value(prompt_id).run()
    at.text_input(key=f"compare_box_prompt_var_{prompt_id}_country").set_value("Chile")
    at.button(key="compare_box_prompt_send").click().run()
    assert not at.exception
    asked = {r.body["model"]: r.body["messages"][-1]["content"] for r in fake.requests_to("/api/chat")}
    assert asked == {"llama3.2:latest": "What is the capital of Chile?", "llava:7b": "What is the capital of Chile?"}


def test_the_chat_settings_offer_saved_system_prompts(studio_env, fake):
    prompt_id = save("terse", "Answer in {{n}} words.", SYSTEM)
    at = open_chat()
    at.selectbox(key=f"{state.CHAT_SYSTEM_INPUT}_prompt_choice").set_value(prompt_id).run()
    at.text_input(key=f"{state.CHAT_SYSTEM_INPUT}_prompt_var_{prompt_id}_n").set_value("five")
    at.button(key=f"{state.CHAT_SYSTEM_INPUT}_prompt_use").click().run()
    assert at.text_area(key=state.CHAT_SYSTEM_INPUT).value == "Answer in five words."


def test_import_without_a_file_says_so():
    at = open_field()
    assert not at.file_uploader and not at.get("download_button")  # only on request
    at.toggle(key=f"{WHERE}_prompt_importing").set_value(True).run()
    assert at.file_uploader[0].label == "Library file"
    click(at, "import")
    assert at.warning[0].value == "Choose a file to import first."


def test_a_library_file_is_imported_and_a_bad_one_refused_in_a_sentence():
    save("Greet", "old text")
    at = open_field()
    at.toggle(key=f"{WHERE}_prompt_importing").set_value(True).run()
    document = {
        "prompts": [{"name": "Greet", "text": "Hello {{who}}"}, {"name": "Sys", "role": "system", "text": "Be kind."}]
    }
    at.file_uploader(key=f"{WHERE}_prompt_file").set_value(
        ("prompts.json", json.dumps(document).encode(), "application/json")
    ).run()
    click(at, "import")
    assert at.success[0].value == "2 prompts imported."
    stored = {item.name: item.body for item in LibraryStore(owner=OWNER).items(KIND)}
    assert stored == {
        "Greet": {
            "role": "user",
            "text": "Hello {{who}}",
            "values": {},
        },  # the file's prompt replaced the one of that name
        "Sys": {"role": "system", "text": "Be kind.", "values": {}},
    }
    at.file_uploader(key=f"{WHERE}_prompt_file").set_value(
        ("prompts.json", b'[{"name": "x"}]', "application/json")
    ).run()
    click(at, "import")
    assert at.warning[0].value == "Prompt 1 of the file has no name or no text: nothing was imported."


def test_generates_compare_mode_offers_saved_prompts_for_its_prompt_and_system_prompt(studio_env, open_app):
    user_id = save("capital", "What is the capital of {{country}}?")
    system_id = save("terse", "Answer in one word.", SYSTEM)
    at = open_app("app_pages/generate.py")
    at.segmented_control(key=state.GENERATE_MODE_INPUT).set_value("compare").run()
    at.selectbox(key=f"{state.COMPARE_PROMPT_INPUT}_prompt_choice").set_value(user_id).run()
    at.text_input(key=f"{state.COMPARE_PROMPT_INPUT}_prompt_var_{user_id}_country").set_value("Chile")
    at.button(key=f"{state.COMPARE_PROMPT_INPUT}_prompt_use").click().run()
    at.selectbox(key=f"{state.COMPARE_SYSTEM_INPUT}_prompt_choice").set_value(system_id).run()
    at.button(key=f"{state.COMPARE_SYSTEM_INPUT}_prompt_use").click().run()
    assert not at.exception
    assert at.text_area(key=state.COMPARE_PROMPT_INPUT).value == "What is the capital of Chile?"
    assert at.text_area(key=state.COMPARE_SYSTEM_INPUT).value == "Answer in one word."
