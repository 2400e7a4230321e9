"""Keyboard shortcuts (lib/ui/shortcuts.py): the hidden page buttons, the keys on Chat's buttons, the help list.

That each key really works in a browser is tests/browser/test_shortcuts.py.
"""

from __future__ import annotations

import pytest
from streamlit.elements.lib.shortcut_utils import normalize_shortcut

from lib import state
from lib.ui import navigation, shortcuts

PAGE_KEYS = [f"alt+shift+{position}" for position in range(1, 9)]


def shortcut_of(button) -> str:
    return button.proto.shortcut


def test_every_page_has_a_hidden_button_with_its_keys(open_app):
    at = open_app()
    hidden = [button for button in at.sidebar.button if button.key.startswith(f"{shortcuts.PAGES_KEY}_")]
    assert [shortcut_of(button) for button in hidden] == PAGE_KEYS
    assert [button.label for button in hidden][:3] == ["Open Home", "Open Chat", "Open Generate"]


def test_a_page_button_opens_its_page(open_app):
    at = open_app()
    at.button(key=f"{shortcuts.PAGES_KEY}_2").click().run()
    assert not at.exception
    assert at.title[0].value == "Chat"
    at.button(key=f"{shortcuts.PAGES_KEY}_8").click().run()
    assert at.title[0].value == "Models"


def test_new_chat_and_regenerate_carry_their_keys(open_app):
    at = open_app(navigation.CHAT)
    assert shortcut_of(at.button(key="chat_new")) == "alt+shift+n"
    at.chat_input(key=state.CHAT_PROMPT_INPUT).set_value("Hello").run()
    again = [button for button in at.button if button.key.startswith("chat_again_")]
    assert [shortcut_of(button) for button in again] == ["alt+shift+g"]


def test_the_help_lists_every_shortcut_in_both_languages(open_app):
    at = open_app()
    table = next(text.value for text in at.sidebar.markdown if "Alt+Shift+N" in text.value)
    assert "| `Alt+Shift+2` | Open Chat |" in table
    assert "| `Esc` | Stop the answer being written |" in table
    at.sidebar.segmented_control(key=state.LANGUAGE_INPUT).set_value("zh").run()
    assert any("打开对话" in text.value for text in at.sidebar.markdown)


@pytest.mark.parametrize(
    "keys", [shortcuts.NEW_CHAT, shortcuts.REGENERATE, *map(shortcuts.page_shortcut, range(1, 10))]
)
def test_the_keys_are_valid_and_not_reserved_by_browsers(keys, caplog):
    normalized = normalize_shortcut(keys)
    assert "typically reserved" not in caplog.text
    assert normalized.startswith("alt+shift+")


def test_keys_are_worded_for_a_mac():
    assert shortcuts.keys_label("Alt+Shift+N", mac=True) == "⌥ Option+⇧ Shift+N"
    assert shortcuts.keys_label("Alt+Shift+N", mac=False) == "Alt+Shift+N"
    assert "⌥ Option" in shortcuts.help_table(["Home"], mac=True)


def test_the_script_is_constant():
    script = shortcuts.script()
    assert script == shortcuts.script()
    assert state.CHAT_STOP_BUTTON in script and shortcuts.PAGES_KEY in script
