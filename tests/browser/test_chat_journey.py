"""Chat in a real browser: an answer streams in, survives a reload, and Stop really stops."""

import time
from pathlib import Path

import requests
from playwright.sync_api import Page, expect

LONG_REPLY = "Streaming " + " ".join(f"word{n}" for n in range(120)) + " done."


def ask(page: Page, text: str) -> None:
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(text)
    box.press("Enter")


def test_an_answer_streams_and_is_still_there_after_a_reload(app, fake, page: Page):
    fake.token_delay = 0.03
    fake.script_reply(LONG_REPLY)
    page.goto(app.url + "/chat")
    ask(page, "Hello from the browser")
    messages = page.get_by_test_id("stChatMessage")
    expect(messages.nth(0)).to_contain_text("Hello from the browser")
    answer = messages.nth(1)
    expect(answer).to_contain_text("Streaming")
    assert "done." not in answer.inner_text()  # seen part-way: it streams, it does not arrive all at once
    expect(answer).to_contain_text("word119 done.")
    expect(answer).to_contain_text("tokens/s")
    assert "chat=" in page.url
    page.reload()
    expect(page.get_by_test_id("stChatMessage").nth(0)).to_contain_text("Hello from the browser")
    expect(page.get_by_test_id("stChatMessage").nth(1)).to_contain_text("word119 done.")
    expect(page.get_by_test_id("stSidebar")).to_contain_text("Hello from the browser")
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_stop_closes_the_request_and_keeps_the_partial_answer(app, fake, page: Page):
    """The chat box's stop button stops the script; the stopped answer is drawn with its buttons at once."""
    fake.token_delay = 0.05
    fake.script_reply(" ".join(f"word{n}" for n in range(400)))
    page.goto(app.url + "/chat")
    ask(page, "Talk for a long time")
    answer = page.get_by_test_id("stChatMessage").nth(1)
    expect(answer).to_contain_text("word3")
    page.get_by_test_id("stChatInputStopButton").click()
    expect(answer).to_contain_text("Stopped before the end")  # no reload needed
    expect(answer.get_by_role("button", name="Regenerate")).to_be_visible()
    assert fake.wait_for(lambda f: f.requests_to("/api/chat")[-1].client_disconnected, timeout=10)
    assert fake.requests_to("/api/chat")[-1].chunks_sent < 400
    page.reload()
    answer = page.get_by_test_id("stChatMessage").nth(1)
    expect(answer).to_contain_text("Stopped before the end")
    expect(answer).to_contain_text("word0 word1 word2")
    expect(answer).not_to_contain_text("word399")

    # An answer started by a button (here Regenerate) has its own Stop under it.
    fake.script_reply(" ".join(f"again{n}" for n in range(400)))
    page.get_by_role("button", name="Regenerate").click()
    answer = page.get_by_test_id("stChatMessage").nth(1)
    expect(answer).to_contain_text("again3")
    answer.get_by_role("button", name="Stop").click()
    assert fake.wait_for(lambda f: f.requests_to("/api/chat")[-1].client_disconnected, timeout=10)
    expect(answer).to_contain_text("Stopped before the end")
    expect(answer).to_contain_text("again0 again1 again2")


def test_a_second_regenerate_while_one_streams_leaves_one_answer(app, fake, page: Page):
    """Issue 18: the previous run's Regenerate stays clickable under a regenerated answer while it streams."""
    fake.script_reply("First answer.")
    page.goto(app.url + "/chat")
    ask(page, "Hi")
    expect(page.get_by_test_id("stChatMessage").nth(1)).to_contain_text("tokens/s")
    fake.token_delay = 0.05
    fake.script_reply(" ".join(f"again{n}" for n in range(200)))
    page.get_by_role("button", name="Regenerate").click()
    answer = page.get_by_test_id("stChatMessage").nth(1)
    expect(answer).to_contain_text("again3")
    fake.token_delay = 0.0
    fake.script_reply("Third answer.")
    page.get_by_test_id("stMain").get_by_role("button", name="Regenerate").last.click(force=True)
    expect(page.get_by_test_id("stChatMessage").nth(1)).to_contain_text("Third answer.", timeout=15_000)
    expect(page.get_by_test_id("stChatMessage").nth(1)).to_contain_text("tokens/s")
    page.reload()
    expect(page.get_by_test_id("stChatMessage").nth(1)).to_contain_text("Third answer.")
    expect(page.get_by_test_id("stChatMessage")).to_have_count(2)  # one question, one answer


def test_a_poems_lines_stay_lines_while_streaming_and_after_a_reload(app, fake, page: Page):
    fake.token_delay = 0.01
    fake.script_reply("Roses are red\nViolets are blue\nSugar is sweet")
    page.goto(app.url + "/chat")
    ask(page, "A poem, please")
    answer = page.get_by_test_id("stChatMessage").nth(1)
    expect(answer).to_contain_text("tokens/s")
    assert "Roses are red\nViolets are blue\nSugar is sweet" in answer.inner_text()
    page.reload()
    answer = page.get_by_test_id("stChatMessage").nth(1)
    expect(answer).to_contain_text("Sugar is sweet")
    assert "Roses are red\nViolets are blue\nSugar is sweet" in answer.inner_text()


def test_stop_under_a_regenerated_answer_works_with_the_parameters_open(app, fake, page: Page):
    """Issue 18 reported this Stop ignored while the parameters panel was open."""
    fake.script_reply("First answer.")
    page.goto(app.url + "/chat")
    ask(page, "Hi")
    expect(page.get_by_test_id("stChatMessage").nth(1)).to_contain_text("tokens/s")
    page.get_by_test_id("stMain").get_by_text("System prompt and parameters").click()
    expect(page.get_by_test_id("stMain").get_by_text("Temperature")).to_be_visible()
    fake.token_delay = 0.05
    fake.script_reply(" ".join(f"again{n}" for n in range(400)))
    page.get_by_role("button", name="Regenerate").click()
    answer = page.get_by_test_id("stChatMessage").nth(1)
    expect(answer).to_contain_text("again3")
    answer.get_by_role("button", name="Stop").click()
    assert fake.wait_for(lambda f: f.requests_to("/api/chat")[-1].client_disconnected, timeout=10)
    expect(answer).to_contain_text("Stopped before the end")
    assert fake.requests_to("/api/chat")[-1].chunks_sent < 400


def test_stop_before_the_first_word_leaves_no_waiting_line(app, fake, page: Page):
    fake.add_fault("/api/chat", "slow_first", delay=20)
    page.goto(app.url + "/chat")
    ask(page, "Take your time")
    answer = page.get_by_test_id("stChatMessage").nth(1)
    expect(answer).to_contain_text("Waiting for")
    page.get_by_test_id("stChatInputStopButton").click()
    expect(answer).to_contain_text("Stopped")
    expect(answer).not_to_contain_text("Waiting for")
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_a_chinese_session_downloads_a_chinese_transcript(app, fake, page: Page):
    """Streamlit makes a download's file in a thread of its own: the session's language must travel with it."""
    fake.script_reply("Rayleigh scattering.")
    page.goto(app.url + "/chat?lang=zh")
    ask(page, "天空为什么是蓝色的？")
    expect(page.get_by_test_id("stChatMessage").nth(1)).to_contain_text("token/秒")
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("当前对话").click()
    with page.expect_download() as download:
        sidebar.get_by_role("button", name="Markdown").click()
    transcript = Path(download.value.path()).read_text()
    assert transcript.startswith("# 天空为什么是蓝色的？\n")
    assert "## 你\n\n天空为什么是蓝色的？" in transcript and "## 助手\n\nRayleigh scattering." in transcript


def scroll_state(page: Page) -> dict[str, float]:
    """How far the page is from its end, and where the chat box's bottom edge is in the window."""
    return page.evaluate("""() => {
        const main = document.querySelector('[data-testid="stMain"]');
        const box = document.querySelector('[data-testid="stChatInput"]').getBoundingClientRect();
        return {fromEnd: main.scrollHeight - main.scrollTop - main.clientHeight, top: main.scrollTop,
                boxBottom: box.bottom, window: window.innerHeight};
    }""")


def test_the_chat_box_stays_at_the_bottom_and_the_page_follows_the_answer_unless_scrolled_up(app, fake, page: Page):
    """lib/chat/dock.py: the chat box is ours, not Streamlit's pinned one (whose scroll timer runs every 17 ms)."""
    page.set_viewport_size({"width": 1200, "height": 700})
    long_answer = "\n\n".join([LONG_REPLY] * 5)  # several windows tall
    fake.token_delay = 0.002
    fake.script_reply(long_answer)
    page.goto(app.url + "/chat")
    page.get_by_test_id("stChatInput").wait_for()
    empty = scroll_state(page)
    assert empty["window"] - 120 < empty["boxBottom"] <= empty["window"]  # at the bottom of an empty chat too
    ask(page, "Write a lot")
    answer = page.get_by_test_id("stChatMessage").nth(1)
    expect(answer).to_contain_text("tokens/s")
    page.evaluate(
        "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
    )  # it follows per frame
    followed = scroll_state(page)
    assert followed["fromEnd"] < 48  # the page followed the answer to its end
    assert followed["window"] - 120 < followed["boxBottom"] <= followed["window"]  # the box at the window's bottom

    fake.token_delay = 0.02
    fake.script_reply(long_answer)
    ask(page, "Write more")
    second = page.get_by_test_id("stChatMessage").nth(3)
    expect(second).to_contain_text("word10")
    page.get_by_test_id("stMain").hover()
    page.mouse.wheel(0, -100_000)  # the reader scrolls back up while the answer streams
    expect(second).to_contain_text("tokens/s", timeout=60_000)
    left_alone = scroll_state(page)
    assert left_alone["top"] == 0  # nobody pulled the reader back down
    assert left_alone["window"] - 120 < left_alone["boxBottom"] <= left_alone["window"]  # the box is still in view

    fake.script_reply(long_answer)
    ask(page, "And more")  # sending a question follows again
    third = page.get_by_test_id("stChatMessage").nth(5)
    expect(third).to_contain_text("word10")
    page.evaluate("() => { const main = document.querySelector('[data-testid=\"stMain\"]'); main.scrollTop -= 600; }")
    read_from = scroll_state(page)["top"]  # up by the scroll bar this time: no wheel, only a scroll
    expect(third).to_contain_text("tokens/s", timeout=60_000)
    assert scroll_state(page)["top"] <= read_from + 1


def test_a_first_visit_gets_an_answer_when_the_server_lists_a_failing_cloud_model_first(app, fake, page: Page):
    """Issue 18: the alphabetically and first listed model is a cloud model that fails on this server."""
    fake.add_cloud_models()
    assert requests.get(f"{fake.url}/api/tags", timeout=5).json()["models"][0]["name"] == "deepseek-v3.1:671b-cloud"
    fake.token_delay = 0.01
    fake.script_reply("Hello! How can I help?")
    page.goto(app.url + "/chat")
    model_box = page.get_by_test_id("stMain").get_by_test_id("stSelectbox").first
    deadline = time.monotonic() + 20  # the app keeps the server's model list for 10 s
    while "cloud" not in _options(page, model_box) and time.monotonic() < deadline:
        page.wait_for_timeout(1000)
        page.reload()
    assert "deepseek-v3.1:671b-cloud · cloud, runs on ollama.com" in _options(page, model_box)
    expect(model_box.locator("input")).to_have_value("qwen3:0.6b")
    ask(page, "Hi")
    answer = page.get_by_test_id("stChatMessage").nth(1)
    expect(answer).to_contain_text("Hello! How can I help?")
    expect(answer).to_contain_text("tokens/s")
    assert fake.requests_to("/api/chat")[-1].body["model"] == "qwen3:0.6b"
    default_box = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").first
    expect(default_box.locator("input")).to_have_value("qwen3:0.6b")  # the sidebar's default model too
    expect(page.get_by_test_id("stException")).to_have_count(0)


def _options(page: Page, box) -> str:
    """The texts of a select box's options: opened, read, closed again."""
    box.click()
    listed = page.get_by_test_id("stSelectboxVirtualDropdown").inner_text()
    page.keyboard.press("Escape")
    return listed
