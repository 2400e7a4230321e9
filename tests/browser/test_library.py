"""Presets and saved prompts in Chromium: a preset fills the panel, a prompt's variables are asked and sent.

Each test leaves a screenshot in its temporary folder (``pytest --basetemp``) to look at.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def test_a_preset_fills_the_chat_parameters(app, fake, page: Page, tmp_path):
    page.goto(app.url + "/chat")
    # The page's first run has ended once the chat box names the model: nothing moves under the clicks after.
    expect(page.get_by_test_id("stChatInputTextArea")).to_have_attribute("placeholder", re.compile("^Message "))
    page.get_by_test_id("stMain").get_by_text("System prompt and parameters").click()
    expect(page.get_by_role("spinbutton", name="Temperature")).to_be_visible()
    picker = page.get_by_test_id("stSelectbox").filter(has_text="Preset").first
    creative = page.get_by_role("option", name="Creative (built in)")
    for _attempt in range(3):  # in headless Chromium the list sometimes ignores a click made as the page settles
        picker.click()
        page.keyboard.type("Creat")
        try:
            expect(creative).to_be_visible(timeout=2_000)
            break
        except AssertionError:
            page.keyboard.press("Escape")
    expect(creative).to_be_visible()
    page.keyboard.press("Enter")
    temperature = page.get_by_role("spinbutton", name="Temperature")
    expect(temperature).to_have_value("1.20")
    expect(page.get_by_role("spinbutton", name="Top K")).to_have_value("100")
    page.screenshot(path=tmp_path / "preset_picker.png", full_page=True)
    fake.script_reply("Warm answer.")
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill("Hello")
    box.press("Enter")
    expect(page.get_by_test_id("stChatMessage").nth(1)).to_contain_text("Warm answer.")
    options = fake.requests_to("/api/chat")[-1].body["options"]
    assert options == {"temperature": 1.2, "top_p": 0.95, "top_k": 100}


def test_a_saved_prompt_asks_for_its_variables_and_is_sent(app, fake, page: Page, tmp_path):
    page.goto(app.url + "/chat")
    dock = page.locator(".st-key-chat_dock")
    dock.get_by_role("button", name="Prompts").click()
    popover = page.get_by_test_id("stPopoverBody")
    popover.get_by_text("Library", exact=True).click()
    popover.get_by_label("Name").fill("Capital")
    popover.get_by_role("textbox", name="Text").fill("What is the capital of {{ country }}? Answer in {{language}}.")
    popover.get_by_role("button", name="Save prompt").click()
    expect(popover).to_contain_text("Prompt Capital saved.")
    popover.get_by_test_id("stSelectbox").first.click()
    page.keyboard.type("Capi")
    expect(page.get_by_role("option", name="Capital")).to_be_visible()
    page.keyboard.press("Enter")
    expect(popover.get_by_label("country")).to_be_visible()
    popover.get_by_label("country").fill("Peru")
    popover.get_by_label("country").press("Tab")
    page.screenshot(path=tmp_path / "prompt_variables.png", full_page=True)
    popover.get_by_role("button", name="Send").click()
    expect(popover).to_contain_text("Fill in every variable first: language.")
    popover.get_by_label("language").fill("Spanish")
    popover.get_by_label("language").press("Tab")
    fake.script_reply("Lima.")
    popover.get_by_role("button", name="Send").click()
    expect(page.get_by_test_id("stChatMessage").nth(0)).to_contain_text(
        "What is the capital of Peru? Answer in Spanish."
    )
    expect(page.get_by_test_id("stChatMessage").nth(1)).to_contain_text("Lima.")
    expect(popover).to_be_hidden()  # closed once sent: it would cover the answer
    assert fake.requests_to("/api/chat")[-1].body["messages"][-1]["content"] == (
        "What is the capital of Peru? Answer in Spanish."
    )


def test_presets_work_in_compare_columns_and_a_saved_one_is_offered_in_every_column(app, fake, page: Page, tmp_path):
    """A column's parameters sit in a popover, so the preset's Manage popover is one inside it."""
    page.goto(app.url + "/generate")
    main = page.get_by_test_id("stMain")
    main.get_by_text("Compare side by side").click()
    expect(main.get_by_text("Column B", exact=True)).to_be_visible()
    main.get_by_role("button", name="Parameters").first.click()
    column = page.get_by_test_id("stPopoverBody")
    column.get_by_test_id("stSelectbox").filter(has_text="Preset").click()
    page.keyboard.type("Prec")
    expect(page.get_by_role("option", name="Precise (built in)")).to_be_visible()
    page.keyboard.press("Enter")
    expect(column.get_by_role("spinbutton", name="Temperature")).to_have_value("0.00")
    column.get_by_role("spinbutton", name="Seed").fill("7")
    column.get_by_role("spinbutton", name="Seed").press("Tab")
    expect(column).to_contain_text("Changed since preset Precise was applied.")
    column.get_by_role("button", name="Manage").click()
    manage = page.get_by_test_id("stPopoverBody").last
    manage.get_by_role("textbox", name="Preset name").fill("Exact seven")
    manage.get_by_role("button", name="Save current values").click()
    expect(page.get_by_test_id("stPopoverBody").first).to_contain_text("Preset Exact seven saved.")
    page.screenshot(path=tmp_path / "compare_preset.png", full_page=True)
    page.keyboard.press("Escape")
    page.get_by_role("heading", name="Generate").first.click()
    main.get_by_role("button", name="Parameters").nth(1).click()
    second = page.get_by_test_id("stPopoverBody")
    second.get_by_test_id("stSelectbox").filter(has_text="Preset").click()
    page.keyboard.type("Exact")
    expect(page.get_by_role("option", name="Exact seven")).to_be_visible()
    page.keyboard.press("Enter")
    expect(second.get_by_role("spinbutton", name="Seed")).to_have_value("7")
    expect(page.get_by_test_id("stException")).to_have_count(0)
