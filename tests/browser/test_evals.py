"""Evals in a real browser: import a set of 20 prompts, run it over 3 candidates against the fake,
leave for another page mid-run and come back to find it went on, then read the grid.

Every answer is the same scripted sentence, so what each candidate answers depends only on its
``num_predict`` (the fake cuts the sentence there, whatever order the run asks in), and what each
check gives is known in advance:

    "The answer is 42 and the colour is blue."  is 10 tokens: The| answer| is| 42| and| the| colour| is| blue|.

- prompts 1-5 check that the answer contains "42"      (cut at 3 tokens: no)
- prompts 6-10 that it contains "blue"                  (cut at 3 or 6 tokens: no)
- prompts 11-15 that it does not contain "red"          (always yes)
- prompts 16-20 that it has at most 5 tokens            (only when cut at 3)

Candidate A (llama3.2, whole answers) passes 15, B (llava, 6 tokens) 10, C (qwen3 without
thinking, 3 tokens) 10.
"""

from __future__ import annotations

import json

from playwright.sync_api import Locator, Page, expect

REPLY = "The answer is 42 and the colour is blue."
PROMPTS = 20
CANDIDATES = (("llama3.2:latest", None, True), ("llava:7b", 6, False), ("qwen3:0.6b", 3, True))
# The marks each candidate's column should hold, prompt by prompt.
EXPECTED = {
    "llama3.2:latest": ["✓"] * 5 + ["✓"] * 5 + ["✓"] * 5 + ["✗"] * 5,
    "llava:7b": ["✓"] * 5 + ["✗"] * 5 + ["✓"] * 5 + ["✗"] * 5,
    "qwen3:0.6b": ["✗"] * 5 + ["✗"] * 5 + ["✓"] * 5 + ["✓"] * 5,
}
WHOLE_RUN = 90_000  # ms


def the_set() -> bytes:
    lines = []
    for number in range(PROMPTS):
        group = number // 5
        check = [
            {"kind": "contains", "value": "42"},
            {"kind": "contains", "value": "blue"},
            {"kind": "not_contains", "value": "red"},
            {"kind": "max_tokens", "value": 5},
        ][group]
        tag = ["number", "colour", "absent", "short"][group]
        lines.append(json.dumps({"prompt": f"Question {number + 1}: what is it?", "tags": [tag], "checks": [check]}))
    return ("\n".join(lines) + "\n").encode()


def pick(box: Locator, label: str, value: str) -> None:
    combo = box.get_by_role("combobox", name=label)
    combo.click()
    combo.fill(value)
    box.page.keyboard.press("Enter")
    expect(combo).to_have_value(value)


def grid_column(main: Locator, column: int) -> list[str]:
    """The marks in one column of the grid (its accessible table: every row is drawn, the grid fits them)."""
    grid = main.get_by_test_id("stDataFrame").first
    return [grid.get_by_test_id(f"glide-cell-{column}-{row}").inner_text() for row in range(PROMPTS)]


def test_a_run_of_three_candidates_over_twenty_prompts_goes_on_elsewhere_and_fills_the_grid(app, fake, page: Page):
    fake.token_delay = 0.03
    for _ in range(PROMPTS * len(CANDIDATES)):
        fake.script_reply(REPLY)
    page.goto(app.url + "/evals")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="Evals")).to_be_visible()

    main.get_by_text("Import a set").click()
    upload = main.get_by_test_id("stFileUploader").filter(has_text="JSONL or CSV file")
    upload.locator("input[type=file]").set_input_files(
        {"name": "answers.jsonl", "mimeType": "application/jsonl", "buffer": the_set()}
    )
    expect(main.get_by_text("Added answers with 20 prompts to your sets.")).to_be_visible()
    expect(main.get_by_label("Name")).to_have_value("answers")

    main.get_by_role("tab", name="New run").click()
    main.get_by_test_id("stButtonGroup").filter(has_text="Candidates").get_by_text("3", exact=True).click()
    expect(main.get_by_text("Candidate C", exact=True)).to_be_visible()
    for index, (model, limit, _thinks) in enumerate(CANDIDATES):
        box = main.locator(f".st-key-evals_candidate_{index}")
        pick(box, "Model", model)
        if model.startswith("qwen3"):
            off = box.get_by_role("radiogroup", name="Think").get_by_role("radio", name="Off")
            off.click()
            expect(off).to_be_checked()
        if limit is not None:
            box.get_by_role("button", name="Parameters").click()
            field = page.get_by_role("spinbutton", name="Maximum answer length")
            field.fill(str(limit))
            field.press("Enter")
            page.keyboard.press("Escape")
            expect(box.get_by_text(f"maximum answer length {limit}", exact=False)).to_be_visible()
    main.get_by_role("button", name="Start").click()

    expect(main.get_by_text("Running answers")).to_be_visible()
    expect(main.get_by_role("button", name="Stop")).to_be_visible()
    assert fake.wait_for(lambda f: len(f.requests_to("/api/chat")) >= 3, timeout=30)

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Models").click()
    expect(main.get_by_role("heading", name="Models")).to_be_visible()
    asked_when_leaving = len(fake.requests_to("/api/chat"))
    assert fake.wait_for(lambda f: len(f.requests_to("/api/chat")) >= asked_when_leaving + 5, timeout=30)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Evals").click()
    expect(main.get_by_text("answers: finished")).to_be_visible(timeout=WHOLE_RUN)
    assert len(fake.requests_to("/api/chat")) == PROMPTS * len(CANDIDATES)

    expect(main.get_by_role("tab", name="Results", selected=True)).to_be_visible()
    expect(main.get_by_text("Finished: 60 of 60 answers.")).to_be_visible()
    expect(main.get_by_text("✓ every check passed: 35 · ✗ a check failed: 25", exact=False)).to_be_visible()
    for column, (model, _limit, _thinks) in enumerate(CANDIDATES, start=2):
        assert grid_column(main, column) == EXPECTED[model], model
    cells = [grid_column(main, column) for column in (2, 3, 4)]
    assert sum(column.count("✓") for column in cells) == 35 and sum(column.count("✗") for column in cells) == 25

    bodies = [request.body for request in fake.requests_to("/api/chat")]
    assert [body["model"] for body in bodies] == [model for model, _, _ in CANDIDATES for _ in range(PROMPTS)]
    assert all(body["options"] == {"num_predict": 6} for body in bodies[PROMPTS : 2 * PROMPTS])
    assert all(body["think"] is False for body in bodies[2 * PROMPTS :])

    grid = main.get_by_test_id("stDataFrame").first
    corner = grid.bounding_box()
    assert corner is not None
    page.mouse.click(corner["x"] + 20, corner["y"] + 52)  # the grid is drawn on a canvas: prompt 1's text cell
    opened = main.get_by_text("Prompt 1 · C · qwen3:0.6b")
    for _ in range(6):  # then along the row to qwen3's answer, a key at a time (each selection reruns the page)
        if opened.is_visible():
            break
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(1_000)
    expect(opened).to_be_visible(timeout=15_000)
    expect(main.get_by_text("“42” is not in the answer.", exact=False)).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
