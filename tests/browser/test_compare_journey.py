"""Generate's Compare mode in a real browser: three columns stream side by side and finish with a stats table."""

import re
import time

from playwright.sync_api import Page, expect

from tests.ollama.test_stream import overlapped

WHOLE_RUN = 20_000  # ms: the streams take a few seconds, longer than expect's default wait


def reply(number: int) -> str:
    return f"Column{number} says " + " ".join(f"word{n}" for n in range(100)) + f" end{number}."


def test_three_columns_stream_together_and_finish_with_a_stats_table(app, fake, page: Page):
    fake.token_delay = 0.04
    for number in range(3):
        fake.script_reply(reply(number))
    page.goto(app.url + "/generate")
    main = page.get_by_test_id("stMain")
    main.get_by_text("Compare side by side").click()
    main.get_by_test_id("stButtonGroup").filter(has_text="Columns").get_by_text("3", exact=True).click()
    expect(main.get_by_text("Column C", exact=True)).to_be_visible()
    off = main.get_by_role("radiogroup", name="Think").get_by_role("radio", name="Off")  # only column C's can think
    off.click()  # qwen3 would think before writing its first word
    expect(off).to_be_checked()
    box = main.get_by_label("Prompt", exact=True)
    box.fill("Why is the sky blue?")
    box.press("Control+Enter")
    main.get_by_role("button", name="Compare", exact=True).click()

    for number in range(3):
        expect(main.get_by_text(f"Column{number} says word0", exact=False)).to_be_visible()
    shown = main.inner_text()
    assert not any(f"end{number}." in shown for number in range(3))  # seen part-way: all three stream at once
    started = [request.started for request in fake.requests_to("/api/generate")]
    assert len(started) == 3

    table = main.get_by_test_id("stDataFrame")
    expect(table).to_be_visible(timeout=WHOLE_RUN)
    for number in range(3):
        expect(main.get_by_text(f"end{number}.", exact=False)).to_be_visible()
    expect(main.get_by_test_id("stMarkdown").filter(has_text=re.compile(r"^Tokens/s: \d"))).to_have_count(
        3
    )  # one per column
    expect(main.get_by_text("the server answered the columns in parallel", exact=False)).to_be_visible()
    expect(main.get_by_role("button", name="Export as Markdown")).to_be_visible()
    assert overlapped(fake)
    models = sorted(r.body["model"] for r in fake.requests_to("/api/generate"))
    assert models == ["llama3.2:latest", "llava:7b", "qwen3:0.6b"]
    assert [r.body.get("think") for r in fake.requests_to("/api/generate") if r.body["model"] == "qwen3:0.6b"] == [
        False
    ]
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_two_models_answer_a_chat_message_side_by_side_then_one_goes_on(app, fake, page: Page):
    fake.token_delay = 0.03
    fake.script_reply("First column " + " ".join(f"word{n}" for n in range(120)) + " end.")
    fake.script_reply("Second column " + " ".join(f"word{n}" for n in range(120)) + " end.")
    page.goto(app.url + "/chat")
    page.get_by_text("Compare models").click()
    expect(page.get_by_text("Model 2", exact=True)).to_be_visible()
    box = page.get_by_placeholder("Message every model")  # the single chat's box may linger a moment
    expect(page.get_by_test_id("stChatInputTextArea")).to_have_count(1)
    box.fill("Hello, both of you")
    box.press("Enter")
    messages = page.get_by_test_id("stChatMessage")
    expect(messages).to_have_count(4)
    expect(page.get_by_text("column word0", exact=False)).to_have_count(2)
    assert "end." not in page.get_by_test_id("stChatMessage").nth(1).inner_text()  # both still streaming
    expect(page.get_by_role("button", name="Continue with llava:7b")).to_be_visible(timeout=WHOLE_RUN)
    assert "compare=" in page.url
    page.get_by_role("button", name="Continue with llava:7b").click()
    expect(page.get_by_role("heading", name="Hello, both of you · llava:7b")).to_be_visible()
    expect(page.get_by_test_id("stChatMessage")).to_have_count(2)
    assert "chat=" in page.url and "compare=" not in page.url
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_a_chat_column_that_fails_says_so_while_the_other_still_streams(app, fake, page: Page):
    """Issue 18: a failing column showed "Waiting for … 0 ms" for minutes while the other column streamed."""
    fake.add_cloud_models()
    fake.token_delay = 0.05
    fake.script_reply("Local column " + " ".join(f"word{n}" for n in range(200)) + " end.")
    page.goto(app.url + "/chat")
    page.get_by_text("Compare models").click()
    expect(page.get_by_text("Model 2", exact=True)).to_be_visible()
    main = page.get_by_test_id("stMain")
    second = main.get_by_test_id("stSelectbox").filter(has_text="Model 2").locator("input")
    deadline = time.monotonic() + 20  # the app keeps the server's model list for 10 s
    while time.monotonic() < deadline:
        second.click()
        cloud = page.get_by_role("option", name="gpt-oss:120b-cloud · cloud, runs on ollama.com")
        if cloud.count():
            cloud.click()
            break
        page.keyboard.press("Escape")
        page.wait_for_timeout(1000)
        page.reload()  # a new session: single mode again
        page.get_by_text("Compare models").click()
        expect(page.get_by_text("Model 2", exact=True)).to_be_visible()
    expect(second).to_have_value("gpt-oss:120b-cloud · cloud, runs on ollama.com")
    box = page.get_by_placeholder("Message every model")
    box.fill("Hello")
    box.press("Enter")
    expect(main.get_by_text("This is a cloud model", exact=False)).to_be_visible(timeout=5_000)
    assert "end." not in main.inner_text()  # the other column is still writing
    expect(main.get_by_text("Waiting for gpt-oss", exact=False)).to_have_count(0)
    expect(main.get_by_text("Local column", exact=False).first).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
