"""Chat with documents in a real browser: a file added in a chat, a question, the answer with its numbered
sources, a citation that opens its passage, and the library page.

``DOCUMENTS_SCREENSHOTS=<folder>`` keeps a screenshot of each step, for a person to look at.
"""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.test_chat_journey import ask

SCREENSHOTS = os.environ.get("DOCUMENTS_SCREENSHOTS")
NOTES = (
    "# Cats\n\nCats purr when they are content, and a kitten purrs while it feeds.\n\n"
    "# Bread\n\nBake the bread in a hot oven until the crust is brown and the loaf sounds hollow.\n"
)


def shot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=False)


def test_a_file_added_in_a_chat_grounds_the_answer_and_a_citation_opens_its_passage(app, fake, page: Page, tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text(NOTES)
    page.goto(app.url + "/chat")
    button = page.get_by_role("button", name="Add documents")
    expect(button).to_be_visible()
    shot(page, "1-chat")
    button.click()
    panel = page.get_by_test_id("stPopoverBody")
    expect(panel).to_contain_text("Documents in this chat")
    shot(page, "2-panel")
    panel.locator("input[type=file]").set_input_files(str(notes))
    expect(page.get_by_text("Answers come from notes.md.")).to_be_visible(timeout=20_000)
    page.keyboard.press("Escape")
    shot(page, "3-attached")

    fake.script_reply("Cats purr when they are content [1].")
    ask(page, "Why do cats purr?")
    answer = page.get_by_test_id("stChatMessage").nth(1)
    expect(answer).to_contain_text("Cats purr when they are content [1].")
    citation = answer.get_by_role("button", name="[1] notes.md · Cats")
    expect(citation).to_be_visible()
    shot(page, "4-answer")
    citation.click()
    passage = page.get_by_test_id("stPopoverBody")
    expect(passage).to_contain_text("a kitten purrs while it feeds")
    expect(passage).to_contain_text("similarity")
    shot(page, "5-citation")
    page.keyboard.press("Escape")

    answer.get_by_text("Source (1 passage sent)").click()
    expect(answer).to_contain_text("[1] notes.md · Cats · similarity")
    answer.get_by_text("Show what was sent").click()
    expect(answer.get_by_test_id("stCode")).to_contain_text('"role": "system"')
    shot(page, "6-sources")

    page.reload()
    answer = page.get_by_test_id("stChatMessage").nth(1)
    expect(answer.get_by_role("button", name="[1] notes.md · Cats")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)

    page.goto(app.url + "/documents")
    expect(page.get_by_text("notes.md", exact=True)).to_be_visible()
    expect(page.get_by_text("2 passages", exact=False)).to_be_visible()
    shot(page, "7-library")
    expect(page.get_by_test_id("stException")).to_have_count(0)
