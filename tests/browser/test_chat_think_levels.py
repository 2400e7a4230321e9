"""Chat's compare mode in a real browser (issue 22): one gpt-oss model in two columns, low against high, streamed
side by side at 20 tokens a second, each column named by its level and ending with its figures."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from playwright.sync_api import Page, expect

WHOLE_RUN = 60_000  # ms: high thinks for a while at 20 tokens a second
SCREENSHOT = Path(os.environ.get("CHAT_LEVELS_SCREENSHOT", "/tmp/chat-compare-levels.png"))


def choose_model(page: Page, column: str, model: str) -> None:
    """Pick ``model`` in a column, waiting out the app's copy of the model list (kept 10 s) after an install."""
    main = page.get_by_test_id("stMain")
    deadline = time.monotonic() + 25
    while True:
        main.get_by_test_id("stSelectbox").filter(has_text=column).locator("input").click()
        option = page.get_by_role("option", name=model, exact=True)
        if option.count() or time.monotonic() > deadline:
            option.click()
            return
        page.keyboard.press("Escape")
        page.wait_for_timeout(1000)
        page.reload()
        page.get_by_text("Compare models").click()
        expect(page.get_by_text(column, exact=True)).to_be_visible()


def test_one_model_low_against_high_side_by_side(app, fake, page: Page):
    fake.install("gpt-oss:20b")
    fake.token_delay = 0.05  # 20 tokens a second
    page.goto(app.url + "/chat")
    page.get_by_text("Compare models").click()
    expect(page.get_by_text("Model 2", exact=True)).to_be_visible()
    choose_model(page, "Model 1", "gpt-oss:20b")
    choose_model(page, "Model 2", "gpt-oss:20b")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text("Columns 1 and 2 would ask the same model the same way", exact=False)).to_be_visible()
    groups = main.get_by_test_id("stButtonGroup").filter(has_text="Medium")
    expect(groups).to_have_count(2)
    groups.nth(0).get_by_text("Low", exact=True).click()
    expect(main.get_by_text("Columns 1 and 2 would ask", exact=False)).to_have_count(0)
    groups.nth(1).get_by_text("High", exact=True).click()
    box = page.get_by_placeholder("Message every model")
    expect(page.get_by_test_id("stChatInputTextArea")).to_have_count(1)
    box.fill("Is 97 a prime number?")
    box.press("Enter")

    expect(main.get_by_role("heading", name="gpt-oss:20b · Low")).to_be_visible()
    expect(main.get_by_role("heading", name="gpt-oss:20b · High")).to_be_visible()
    expect(main.get_by_role("button", name="Continue with gpt-oss:20b")).to_have_count(2, timeout=WHOLE_RUN)
    figures = main.get_by_test_id("stCaptionContainer").filter(has_text=re.compile(r"tokens/s"))
    expect(figures).to_have_count(2)
    low, high = (r.body for r in sorted(fake.requests_to("/api/chat"), key=lambda r: r.body["think"] != "low"))
    assert (low["think"], high["think"]) == ("low", "high")
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    expect(page.get_by_test_id("stException")).to_have_count(0)
