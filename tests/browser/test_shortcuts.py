"""Keyboard shortcuts in Chromium (lib/ui/shortcuts.py): each key pressed, its effect checked on screen and server."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def ask(page: Page, text: str) -> None:
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(text)
    box.press("Enter")


def press_when_idle(page: Page, keys: str) -> None:
    """Press ``keys`` once the page's run is over: a key pressed mid-run can land while the sidebar is redrawn."""
    expect(page.get_by_test_id("stApp")).to_have_attribute("data-test-script-state", "notRunning")
    page.keyboard.press(keys)


def answered(page: Page, count: int = 2) -> None:
    expect(page.get_by_test_id("stChatMessage")).to_have_count(count)
    expect(page.get_by_test_id("stChatMessage").nth(count - 1)).to_contain_text("tokens/s")


def test_new_chat_and_regenerate(app, fake, page: Page):
    fake.script_reply("First answer.")
    page.goto(app.url + "/chat")
    ask(page, "Keys please")
    answered(page)
    fake.script_reply("Second answer.")
    before = len(fake.requests_to("/api/chat"))
    press_when_idle(page, "Alt+Shift+G")
    expect(page.get_by_test_id("stChatMessage").nth(1)).to_contain_text("Second answer.")
    assert len(fake.requests_to("/api/chat")) == before + 1
    assert fake.requests_to("/api/chat")[-1].body["messages"][-1]["content"] == "Keys please"
    assert "chat=" in page.url
    page.get_by_test_id("stChatInputTextArea").focus()  # works while typing in the chat box too
    press_when_idle(page, "Alt+Shift+N")
    expect(page.get_by_test_id("stChatMessage")).to_have_count(0)
    expect(page).not_to_have_url(r".*chat=.*")


def test_escape_stops_an_answer_from_the_chat_box_and_one_started_by_a_button(app, fake, page: Page):
    fake.token_delay = 0.05
    fake.script_reply(" ".join(f"word{n}" for n in range(400)))
    page.goto(app.url + "/chat")
    ask(page, "Talk for a long time")
    answer = page.get_by_test_id("stChatMessage").nth(1)
    expect(answer).to_contain_text("word3")
    page.keyboard.press("Escape")
    assert fake.wait_for(lambda f: f.requests_to("/api/chat")[-1].client_disconnected, timeout=10)
    expect(answer).to_contain_text("Stopped before the end")

    fake.script_reply(" ".join(f"again{n}" for n in range(400)))
    page.get_by_role("button", name="Regenerate").click()
    expect(answer).to_contain_text("again3")
    page.keyboard.press("Escape")
    assert fake.wait_for(lambda f: f.requests_to("/api/chat")[-1].client_disconnected, timeout=10)
    expect(answer).to_contain_text("Stopped before the end")
    fake.token_delay = 0.0


def test_slash_focuses_the_chat_box_but_types_in_other_fields(app, fake, page: Page):
    page.goto(app.url + "/chat")
    box = page.get_by_test_id("stChatInputTextArea")
    expect(box).to_be_enabled()
    page.get_by_role("heading", name="Chat").first.click()
    expect(box).not_to_be_focused()
    page.keyboard.press("/")
    expect(box).to_be_focused()
    expect(box).to_have_value("")  # the key moved the focus, it typed nothing
    search = page.get_by_test_id("stSidebar").get_by_role("textbox").first
    search.click()
    page.keyboard.type("a/b")
    expect(search).to_have_value("a/b")
    expect(box).not_to_be_focused()


def test_alt_shift_digits_open_the_pages_and_the_help_lists_them(app, fake, page: Page):
    page.goto(app.url + "/")
    expect(page.get_by_test_id("stSidebar")).to_contain_text("Keyboard shortcuts")
    expect(page.get_by_role("button", name="Refresh")).to_be_visible()  # the page's last element: its run is over
    expect(page.get_by_test_id("stSidebar").get_by_role("button", name="Open Chat")).to_be_hidden()
    press_when_idle(page, "Alt+Shift+3")
    expect(page).to_have_url(re.compile(re.escape(app.url) + r"/generate(\?.*)?$"))
    expect(page.get_by_role("heading", name="Generate")).to_be_visible()
    press_when_idle(page, "Alt+Shift+2")
    expect(page).to_have_url(re.compile(re.escape(app.url) + r"/chat(\?.*)?$"))
    press_when_idle(page, "Alt+Shift+1")
    expect(page).to_have_url(re.compile(re.escape(app.url) + r"/(\?.*)?$"))
    page.get_by_test_id("stSidebar").get_by_text("Keyboard shortcuts").click()
    help_table = page.get_by_test_id("stPopoverBody")
    expect(help_table).to_contain_text("Alt+Shift+N")
    expect(help_table).to_contain_text("Open Models")
