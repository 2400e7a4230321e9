"""Tool calling in a real browser: a calculator call at 20 tokens/s, shown as a step while the answer streams,
and still there after a reload."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Page, expect

SCREENSHOTS = os.environ.get("TOOLS_SCREENSHOTS")  # a folder to keep the screenshots in, for a person to look at


def ask(page: Page, text: str) -> None:
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(text)
    box.press("Enter")


def test_a_calculator_call_is_a_step_and_its_result_goes_into_the_streamed_answer(app, fake, page: Page, tmp_path):
    fake.token_delay = 0.05  # 20 tokens a second
    page.goto(app.url + "/chat")
    page.get_by_text("Tools and answer format").click()
    page.get_by_text("Calculator", exact=True).click()
    expect(page.get_by_test_id("stCheckbox").filter(has_text="Calculator").locator("input")).to_be_checked()
    ask(page, "What is 12*(3+4)?")
    answer = page.get_by_test_id("stChatMessage").nth(1)
    step = answer.get_by_test_id("stExpander").filter(has_text="calculator")
    expect(step).to_be_visible()
    expect(answer).to_contain_text("84")
    step.get_by_text("calculator").click()  # unfold: the arguments and the result
    expect(step).to_contain_text('"expression": "12*(3+4)"')
    expect(step.get_by_test_id("stCode").nth(1)).to_contain_text("84")
    expect(answer).to_contain_text("tokens/s")
    page.mouse.move(0, 0)
    page.wait_for_timeout(500)  # the expander's unfolding ends
    folder = Path(SCREENSHOTS) if SCREENSHOTS else tmp_path
    page.screenshot(path=str(folder / "tools-calculator.png"), full_page=True)
    bodies = [request.body for request in fake.requests_to("/api/chat")]
    assert [tool["function"]["name"] for tool in bodies[-2]["tools"]] == ["calculator"]
    assert bodies[-1]["messages"][-1] == {"role": "tool", "content": "84", "tool_name": "calculator"}
    page.reload()
    answer = page.get_by_test_id("stChatMessage").nth(1)
    expect(answer.get_by_test_id("stExpander").filter(has_text="calculator")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
