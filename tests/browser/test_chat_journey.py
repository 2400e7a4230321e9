"""Chat in a real browser: an answer streams in, survives a reload, and Stop really stops."""

from pathlib import Path

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
    """The chat box's stop button stops the script; the stopped answer is marked from the next run on."""
    fake.token_delay = 0.05
    fake.script_reply(" ".join(f"word{n}" for n in range(400)))
    page.goto(app.url + "/chat")
    ask(page, "Talk for a long time")
    answer = page.get_by_test_id("stChatMessage").nth(1)
    expect(answer).to_contain_text("word3")
    page.get_by_test_id("stChatInputStopButton").click()
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
