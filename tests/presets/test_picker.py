"""The preset picker on top of the parameters panel (lib/presets/picker.py), through its widgets with AppTest."""

from __future__ import annotations

import sys

import pytest
from streamlit.testing.v1 import AppTest

from lib import state
from lib.library.store import LibraryStore
from lib.parameters.panel import ChosenOptions

PREFIX = "page"
ALICE = "A" * 43
BOB = "B" * 43


@pytest.fixture(autouse=True)
def data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("OLLAMA_STUDIO_DATA_DIR", str(tmp_path))
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])
    return tmp_path


def panel_app(keep_alive: bool) -> None:
    import streamlit as st

    from lib.parameters import panel

    st.session_state["chosen"] = panel.render("page", keep_alive=keep_alive)


def open_panel(visitor: str = ALICE, *, keep_alive: bool = True, language: str | None = None) -> AppTest:
    at = AppTest.from_function(panel_app, args=(keep_alive,), default_timeout=30)
    at.session_state[state.VISITOR_TOKEN] = visitor
    if language:
        at.session_state[state.LANGUAGE] = language
    return at.run()


def chosen(at: AppTest) -> ChosenOptions:
    return at.session_state["chosen"]


def picker(at: AppTest):
    return at.selectbox(key=f"{PREFIX}_preset_choice")


def save_as(at: AppTest, name: str) -> None:
    at.text_input(key=f"{PREFIX}_preset_name").set_value(name)
    at.button(key=f"{PREFIX}_preset_save").click().run()


def number(at: AppTest, name: str):
    return at.number_input(key=f"{PREFIX}_option_{name}")


def labels(at: AppTest) -> list[str]:
    return list(picker(at).options)


def test_built_in_presets_are_offered_and_fill_the_panel():
    at = open_panel()
    assert not at.exception
    assert labels(at) == ["Precise (built in)", "Balanced (built in)", "Creative (built in)", "Reproducible (built in)"]
    picker(at).set_value("builtin:creative").run()
    assert number(at, "temperature").value == 1.2
    assert number(at, "top_k").value == 100
    assert chosen(at).options == {"temperature": 1.2, "top_p": 0.95, "top_k": 100}
    picker(at).set_value("builtin:precise").run()  # another preset replaces every parameter
    assert chosen(at).options == {"temperature": 0.0, "top_k": 1}
    assert not at.caption or all("Changed" not in caption.value for caption in at.caption)


def test_a_field_changed_by_hand_is_said_and_sent():
    at = open_panel()
    picker(at).set_value("builtin:precise").run()
    number(at, "seed").set_value(5).run()
    assert chosen(at).options == {"temperature": 0.0, "top_k": 1, "seed": 5}
    assert any(caption.value == "Changed since preset Precise was applied." for caption in at.caption)


def test_saving_renaming_and_deleting_a_preset_of_ones_own():
    at = open_panel()
    number(at, "temperature").set_value(0.4).run()
    at.text_area(key=f"{PREFIX}_option_stop").set_value("END").run()
    at.text_input(key=f"{PREFIX}_option_keep_alive").set_value("10m").run()
    save_as(at, "  Code   review ")
    assert at.success[0].value == "Preset Code review saved."
    assert labels(at)[-1] == "Code review"
    (item,) = LibraryStore(owner=f"browser:{ALICE}").items("preset")
    assert picker(at).value == str(item.id)  # the saved preset is the one chosen
    assert item.body == {"options": {"temperature": 0.4}, "stop": ["END"], "keep_alive": "10m"}

    picker(at).set_value("builtin:balanced").run()
    assert chosen(at).options == {"temperature": 0.7, "top_p": 0.9}
    assert chosen(at).keep_alive == "10m"  # Balanced has no keep-alive: the panel's stays
    picker(at).set_value(str(item.id)).run()
    assert chosen(at).options == {"temperature": 0.4, "stop": ["END"]}

    at.text_input(key=f"{PREFIX}_preset_name").set_value("Review").run()
    at.button(key=f"{PREFIX}_preset_rename").click().run()
    assert at.success[0].value == "Preset Code review is now called Review."
    assert labels(at)[-1] == "Review"
    at.button(key=f"{PREFIX}_preset_delete").click().run()
    assert at.success[0].value == "Preset Review deleted."
    assert len(labels(at)) == 4
    assert LibraryStore(owner=f"browser:{ALICE}").items("preset") == []


def test_built_in_presets_cannot_be_renamed_or_deleted():
    at = open_panel()
    picker(at).set_value("builtin:precise").run()
    assert not [button for button in at.button if button.key in (f"{PREFIX}_preset_rename", f"{PREFIX}_preset_delete")]
    assert any("cannot be renamed or deleted" in caption.value for caption in at.caption)


def test_a_name_is_needed_and_a_taken_name_is_refused_on_rename():
    at = open_panel()
    save_as(at, "   ")
    assert at.warning[0].value == "Type a name for the preset first."
    save_as(at, "one")
    save_as(at, "two")
    at.text_input(key=f"{PREFIX}_preset_name").set_value("one").run()
    at.button(key=f"{PREFIX}_preset_rename").click().run()
    assert at.warning[0].value == "You already have a preset called one: choose another name."


def test_presets_belong_to_their_owner():
    at = open_panel(ALICE)
    save_as(at, "mine")
    assert "mine" in labels(at)
    assert "mine" not in labels(open_panel(BOB))


def test_a_preset_stored_with_bad_values_applies_what_is_valid(data_dir):
    store = LibraryStore(owner=f"browser:{ALICE}")
    preset_id = store.save("preset", "odd", {"options": {"temperature": 99, "top_k": "x", "seed": 3}, "stop": 5})
    at = open_panel()
    picker(at).set_value(str(preset_id)).run()
    assert not at.exception
    assert chosen(at).options == {"seed": 3}
    assert number(at, "temperature").value is None


def test_a_panel_without_keep_alive_saves_and_applies_none(data_dir):
    store = LibraryStore(owner=f"browser:{ALICE}")
    preset_id = store.save("preset", "long", {"options": {"seed": 1}, "keep_alive": "1h"})
    at = open_panel(keep_alive=False)
    picker(at).set_value(str(preset_id)).run()
    assert not at.exception
    assert chosen(at) == ChosenOptions({"seed": 1}, None)
    save_as(at, "evals")
    saved = {item.name: item.body for item in store.items("preset")}
    assert saved["evals"] == {"options": {"seed": 1}}


def test_a_database_that_cannot_be_opened_leaves_the_built_in_presets(monkeypatch, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("OLLAMA_STUDIO_DATA_DIR", str(blocker))
    at = open_panel()
    assert not at.exception
    assert len(labels(at)) == 4
    assert any("could not be read or written" in caption.value for caption in at.caption)
    picker(at).set_value("builtin:precise").run()
    assert chosen(at).options == {"temperature": 0.0, "top_k": 1}


def test_the_picker_speaks_chinese():
    at = open_panel(language="zh")
    assert labels(at)[0] == "精确（内置）"
    assert picker(at).label == "预设"


def loading_app() -> None:
    import streamlit as st

    from lib.parameters import panel

    if st.session_state.pop("load", False):
        panel.load("page", {"seed": 9})
    st.session_state["chosen"] = panel.render("page")


def test_parameters_loaded_from_elsewhere_leave_no_preset_chosen():
    at = AppTest.from_function(loading_app, default_timeout=30)
    at.session_state[state.VISITOR_TOKEN] = ALICE
    at.run()
    picker(at).set_value("builtin:precise").run()
    at.session_state["load"] = True
    at.run()
    assert picker(at).value is None
    assert chosen(at).options == {"seed": 9}
    assert not any("Changed since" in caption.value for caption in at.caption)


def test_a_built_in_presets_name_is_refused_for_ones_own():
    at = open_panel()
    number(at, "temperature").set_value(0.3).run()
    save_as(at, " precise ")
    assert "is the name of a built-in preset" in " ".join(w.value for w in at.warning)
    assert labels(at) == ["Precise (built in)", "Balanced (built in)", "Creative (built in)", "Reproducible (built in)"]
