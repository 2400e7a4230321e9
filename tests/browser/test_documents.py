"""Chat with documents in a real browser: a file added in a chat, a question, the answer with its numbered
sources, a citation that opens its passage, and the library page.

``DOCUMENTS_SCREENSHOTS=<folder>`` keeps a screenshot of each step, for a person to look at.
"""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.test_chat_journey import ask
from tests.documents import samples

SCREENSHOTS = os.environ.get("DOCUMENTS_SCREENSHOTS")
CITATION = "[1] handbook.pdf · page 1, Returns and refunds"


def shot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=False)


def test_a_pdf_added_in_a_chat_grounds_the_answer_and_a_citation_opens_its_passage(app, fake, page: Page, tmp_path):
    handbook = tmp_path / "handbook.pdf"
    handbook.write_bytes(samples.handbook_pdf())
    page.goto(app.url + "/chat")
    button = page.get_by_role("button", name="Add documents")
    expect(button).to_be_visible()
    shot(page, "1-chat")
    button.click()
    panel = page.get_by_test_id("stPopoverBody")
    expect(panel).to_contain_text("Documents in this chat")
    shot(page, "2-panel")
    panel.locator("input[type=file]").set_input_files(str(handbook))
    expect(page.get_by_text("Answers come from handbook.pdf.")).to_be_visible(timeout=20_000)
    page.keyboard.press("Escape")
    shot(page, "3-attached")

    fake.script_reply("Items can be sent back within 30 days of delivery [1].")
    ask(page, "How long do I have to send an item back for a refund?")
    answer = page.get_by_test_id("stChatMessage").nth(1)
    expect(answer).to_contain_text("within 30 days of delivery [1].")
    citation = answer.get_by_role("button", name=CITATION)
    expect(citation).to_be_visible()
    shot(page, "4-answer")
    citation.click()
    passage = page.get_by_test_id("stPopoverBody")
    expect(passage).to_contain_text("the refund is paid to the original card within five working days")
    expect(passage).to_contain_text("similarity")
    shot(page, "5-citation")
    page.keyboard.press("Escape")

    answer.get_by_test_id("stExpander").get_by_text("Source (1 passage sent)").click()
    listed = answer.get_by_test_id("stExpanderDetails")
    expect(listed.get_by_text("handbook.pdf · page 1, Returns and refunds · similarity")).to_be_visible()
    expect(listed.get_by_text("Customers may send back any item")).to_be_visible()
    answer.get_by_text("Show what was sent").click()
    expect(answer.get_by_test_id("stCode")).to_contain_text('"role": "system"')
    expect(listed.get_by_text("Customers may send back any item")).to_be_visible()  # the sources stay open
    shot(page, "6-sources")

    page.reload()
    answer = page.get_by_test_id("stChatMessage").nth(1)
    expect(answer.get_by_role("button", name=CITATION)).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)

    page.goto(app.url + "/documents")
    expect(page.get_by_text("handbook.pdf", exact=True)).to_be_visible()
    expect(page.get_by_text("PDF · ", exact=False)).to_contain_text("3 passages")
    shot(page, "7-library")
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_an_answer_streams_to_its_end_while_a_file_is_being_indexed(app, fake, page: Page, tmp_path):
    """The uploads' poll (a fragment rerun every second) must not cut an answer that streams meanwhile."""
    notes = tmp_path / "notes.md"
    notes.write_text("# Kettles\n\nEvery kettle carries a two-year warranty.\n")
    page.goto(app.url + "/chat")
    ask(page, "Hello")
    expect(page.get_by_test_id("stChatMessage").nth(1)).to_contain_text("tokens/s")
    fake.add_fault("/api/embed", "latency", delay=4)
    page.get_by_role("button", name="Add documents").click()
    page.get_by_test_id("stPopoverBody").locator("input[type=file]").set_input_files(str(notes))
    # The file's own bar (the chat's context bar is a progress bar too).
    expect(page.get_by_test_id("stProgress").filter(has_text="notes.md")).to_be_visible()
    page.keyboard.press("Escape")
    fake.token_delay = 0.03
    fake.script_reply(" ".join(f"word{n}" for n in range(100)) + " done.")
    ask(page, "Talk for a while")
    answer = page.get_by_test_id("stChatMessage").nth(3)
    expect(answer).to_contain_text("word99 done.", timeout=20_000)
    expect(answer).not_to_contain_text("Stopped before the end")
    expect(page.get_by_text("Answers come from notes.md.")).to_be_visible(timeout=20_000)
    shot(page, "8-answer-while-indexing")
    expect(page.get_by_test_id("stException")).to_have_count(0)
