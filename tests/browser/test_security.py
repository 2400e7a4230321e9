"""Security in a real browser: hostile text runs nothing and fetches nothing, protections stay on, keys stay secret.

Hostile text comes from everywhere a stranger can put it: model answers, error messages from the
server, model names, conversation titles, and imported files. After each is drawn, the flag the
payloads would set (``window.__xss``) must still be undefined, also after clicking the link, and
no element the payloads describe (script, img with onerror, javascript: link, iframe) may exist.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from lib.chat.export import to_json
from lib.chat.history import ASSISTANT, USER, Conversation, Message
from tests.browser.conftest import Listener
from tests.streamlit_process import ROOT

LOST_CLICK = 15_000  # ms after which a download click counts as lost
ANSWERED = 60_000  # ms to wait at most for a whole answer, its stats or a download (the machine may be busy)


@pytest.fixture
def requested(page: Page) -> list[str]:
    """Every URL the page asked for, from Playwright's request log."""
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    return urls


def payloads(listener: Listener, where: str) -> str:
    """Markdown and HTML that would run script, add elements or fetch from the listener if trusted."""
    return "\n\n".join(
        [
            f"Start of {where}.",
            "<script>window.__xss=1</script>",
            '<img src=x onerror="window.__xss=1">',
            "[click](javascript:window.__xss=1)",
            '<a href="javascript:window.__xss=1">raw link</a> <svg onload="window.__xss=1"></svg>',
            '<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>',
            f"![x]({listener.url}/?q=secret-{where})",
            f'<img src="{listener.url}/?q=html-{where}">',
            f"End of {where}.",
        ]
    )


FIND_PAYLOAD_ELEMENTS = """() => {
    const found = [];
    for (const el of document.querySelectorAll('*')) {
        const tag = el.tagName.toLowerCase();
        if (tag === 'script' && el.textContent.includes('__xss')) found.push('script');
        if (tag === 'iframe' && (el.hasAttribute('srcdoc') || (el.getAttribute('src') || '').includes('javascript'))) {
            found.push('iframe');
        }
        if (tag === 'img' && el.getAttribute('src') === 'x') found.push('img src=x');
        for (const name of el.getAttributeNames()) {
            const value = el.getAttribute(name) || '';
            if (name.startsWith('on') && value.includes('__xss')) found.push(tag + '[' + name + ']');
            if (['href', 'src', 'action', 'formaction', 'xlink:href'].includes(name)
                && value.trim().toLowerCase().startsWith('javascript:')) found.push(tag + '[' + name + ']');
        }
    }
    return found;
}"""


def assert_inert(page: Page) -> None:
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.evaluate(FIND_PAYLOAD_ELEMENTS) == []


def click_the_links(page: Page) -> None:
    """Click what a visitor would: every element showing the payload's link texts."""
    for text in ("click", "raw link"):
        for element in page.get_by_text(text, exact=True).all():
            element.click(force=True)
    page.wait_for_timeout(300)
    assert_inert(page)


def assert_nothing_fetched(listener: Listener, requested: list[str]) -> None:
    assert listener.hits == []
    assert not [url for url in requested if f":{listener.port}" in url]


def ask_chat(page: Page, text: str) -> None:
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(text)
    box.press("Enter")


# Model output


def test_a_chat_answer_with_payloads_runs_and_fetches_nothing(app, fake, page: Page, listener, requested):
    fake.script_reply(payloads(listener, "answer"))
    page.goto(app.url + "/chat")
    ask_chat(page, "Say something dangerous")
    answer = page.get_by_test_id("stChatMessage").nth(1)
    expect(answer).to_contain_text("End of answer.", timeout=ANSWERED)
    expect(answer).to_contain_text("tokens/s", timeout=ANSWERED)
    assert_inert(page)
    click_the_links(page)
    assert_nothing_fetched(listener, requested)
    page.reload()
    expect(page.get_by_test_id("stChatMessage").nth(1)).to_contain_text("End of answer.")
    assert_inert(page)
    assert_nothing_fetched(listener, requested)


def test_a_generate_answer_with_payloads_runs_and_fetches_nothing(app, fake, page: Page, listener, requested):
    fake.script_reply(payloads(listener, "generate"))
    page.goto(app.url + "/generate")
    main = page.get_by_test_id("stMain")
    prompt = main.get_by_label("Prompt", exact=True)
    prompt.fill("Say something dangerous")
    prompt.press("Control+Enter")
    main.get_by_role("button", name="Generate", exact=True).click()
    expect(main.get_by_role("tabpanel", name="Answer")).to_contain_text("End of generate.", timeout=ANSWERED)
    assert_inert(page)
    click_the_links(page)
    main.get_by_role("tab", name="Raw text").click()
    assert_inert(page)
    assert_nothing_fetched(listener, requested)


# Server-controlled text: error messages and model names


def test_an_error_message_echoing_html_runs_and_fetches_nothing(app, fake, page: Page, listener, requested):
    fake.add_fault("/api/chat", "http", status=400, message=payloads(listener, "error").replace("\n\n", " "))
    page.goto(app.url + "/chat")
    ask_chat(page, "Make the server fail")
    answer = page.get_by_test_id("stChatMessage").nth(1)
    expect(answer.get_by_test_id("stAlert")).to_contain_text("End of error.")
    assert_inert(page)
    click_the_links(page)
    assert_nothing_fetched(listener, requested)


def test_a_hostile_version_string_is_shown_as_text(start_app, fake, page: Page, listener, requested):
    """Any server (or a proxy in front of it) chooses the version text that Home and the sidebar show."""
    fake.version = f"0.13.0 ![x]({listener.url}/?q=version) [click](javascript:window.__xss=1) <b>bold</b>"
    fresh = start_app(OLLAMA_HOST=fake.url)  # its own process: the shared app caches the version for a while
    page.goto(fresh.url)
    expect(page.get_by_test_id("stAlert").first).to_contain_text("Connected to Ollama 0.13.0", timeout=ANSWERED)
    expect(page.get_by_test_id("stSidebar")).to_contain_text("<b>bold</b>")
    assert_inert(page)
    click_the_links(page)
    assert_nothing_fetched(listener, requested)


HOSTILE_MODEL = "javascript:window.__xss/x_onerror/alert.1:__proto__"


def test_a_hostile_model_name_is_shown_as_text(app, fake, page: Page, listener, requested):
    """The most hostile name Ollama's name rules allow: a javascript: host, markdown underscores."""
    made = requests.post(f"{fake.url}/api/copy", json={"source": "llama3.2", "destination": HOSTILE_MODEL}, timeout=5)
    assert made.status_code == 200, made.text
    page.goto(app.url + "/models")
    main = page.get_by_test_id("stMain")
    main.get_by_role("button", name="Refresh").click()  # the app caches the model list for a few seconds
    expect(main.get_by_text("6 of 6 models")).to_be_visible(timeout=ANSWERED)
    main.get_by_test_id("stSelectbox").filter(has_text="Model").click()
    page.get_by_role("option", name=re.compile("javascript")).click()
    expect(main.get_by_text("Raw /api/show JSON")).to_be_visible()
    assert_inert(page)
    page.goto(app.url + "/chat")
    expect(page.get_by_test_id("stChatInput")).to_be_visible()
    assert_inert(page)
    assert_nothing_fetched(listener, requested)
    requests.delete(f"{fake.url}/api/delete", json={"model": HOSTILE_MODEL}, timeout=5).raise_for_status()
    page.goto(app.url + "/models")
    page.get_by_test_id("stMain").get_by_role("button", name="Refresh").click()  # later tests start without it
    expect(page.get_by_test_id("stMain").get_by_text("5 of 5 models")).to_be_visible(timeout=ANSWERED)


def test_names_ollama_refuses_are_shown_as_text_and_fetch_nothing(start_app, fake, page: Page, listener, requested):
    """A hostile server lists any name: Generate's waiting caption and the Models page's notices show it as text."""
    hostile = f"![n]({listener.url}/?q=name) **zqb** [click](javascript:window.__xss=1)"
    fake.install_as(hostile, like="qwen3:0.6b")  # as small as the smallest, and first by name: every page picks it
    fresh = start_app(OLLAMA_HOST=fake.url)  # its own process: the shared app caches the model list for a while
    fake.add_fault("/api/generate", "slow_first", delay=2.0)
    page.goto(fresh.url + "/generate")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("combobox", name="Model", exact=True)).to_have_value(hostile, timeout=ANSWERED)
    prompt = main.get_by_label("Prompt", exact=True)
    prompt.fill("Hello")
    prompt.press("Control+Enter")
    main.get_by_role("button", name="Generate", exact=True).click()
    expect(main.get_by_text(f"Waiting for {hostile}", exact=False)).to_be_visible(timeout=ANSWERED)
    expect(main.get_by_test_id("stMetric").filter(has_text="Tokens/s")).to_be_visible(timeout=ANSWERED)
    assert_inert(page)
    page.goto(fresh.url + "/models")
    main.get_by_role("tab", name="Running").click()
    main.get_by_role("button", name="Load", exact=True).click()
    expect(main.get_by_test_id("stAlert").filter(has_text=f"{hostile} is loaded")).to_be_visible(timeout=ANSWERED)
    main.get_by_role("button", name=f"Unload {hostile}").click()
    expect(main.get_by_test_id("stAlert").filter(has_text=f"Unloaded {hostile}")).to_be_visible(timeout=ANSWERED)
    assert_inert(page)
    click_the_links(page)
    assert_nothing_fetched(listener, requested)


# Titles and imported files


def test_a_conversation_title_with_payloads_runs_and_fetches_nothing(app, fake, page: Page, listener, requested):
    """The title is taken from the first message; it is drawn as the heading and as a button in the sidebar."""
    fake.script_reply("A harmless answer.")
    page.goto(app.url + "/chat")
    ask_chat(page, f"![x]({listener.url}/?q=title)[click](javascript:window.__xss=1)<img src=x onerror=window.__xss=1>")
    expect(page.get_by_test_id("stChatMessage").nth(1)).to_contain_text("A harmless answer.", timeout=ANSWERED)
    assert_inert(page)
    click_the_links(page)
    assert_nothing_fetched(listener, requested)


def import_chat(page: Page, app, tmp_path: Path, title: str, messages: list[Message]) -> None:
    upload = tmp_path / "chat.json"
    upload.write_text(
        to_json(Conversation(title=title, model="llama3.2:latest", system="<script>window.__xss=1</script>"), messages)
    )
    page.goto(app.url + "/chat")
    page.get_by_test_id("stSidebar").get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(upload))


def test_an_imported_chat_with_payloads_runs_and_fetches_nothing(app, page: Page, listener, requested, tmp_path):
    import_chat(
        page,
        app,
        tmp_path,
        "Imported chat",
        [Message(USER, payloads(listener, "question")), Message(ASSISTANT, payloads(listener, "imported"))],
    )
    expect(page.get_by_test_id("stChatMessage").nth(1)).to_contain_text("End of imported.")
    expect(page.get_by_test_id("stChatMessage").nth(0)).to_contain_text("End of question.")
    assert_inert(page)
    click_the_links(page)
    assert_nothing_fetched(listener, requested)


def test_an_imported_chat_title_with_payloads_fetches_nothing(app, page: Page, listener, requested, tmp_path):
    import_chat(
        page,
        app,
        tmp_path,
        f"Imported ![x]({listener.url}/?q=import-title) [click](javascript:window.__xss=1)",
        [Message(USER, "question"), Message(ASSISTANT, "answer")],
    )
    expect(page.get_by_test_id("stChatMessage").nth(1)).to_contain_text("answer")
    assert_inert(page)
    click_the_links(page)
    assert_nothing_fetched(listener, requested)


def test_an_imported_csv_with_payloads_runs_and_fetches_nothing(app, fake, page: Page, listener, requested, tmp_path):
    rows = [
        ("1", '<img src=x onerror="window.__xss=1">', "<script>window.__xss=1</script>"),
        ("2", "[click](javascript:window.__xss=1)", f"![x]({listener.url}/?q=label)"),
        ("3", f'<img src="{listener.url}/?q=csv">', '<svg onload="window.__xss=1"></svg>'),
    ]
    upload = tmp_path / "texts.csv"
    upload.write_text(
        "id,sentence,topic\n"
        + "".join(
            ",".join(json.dumps(cell) if "," in cell or '"' in cell else cell for cell in row) + "\n" for row in rows
        )
    )
    page.goto(app.url + "/embeddings")
    main = page.get_by_test_id("stMain")
    main.get_by_text("File", exact=True).click()
    main.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(upload))
    expect(main.get_by_test_id("stSelectbox").filter(has_text="Text column").locator("input")).to_have_value("sentence")
    main.get_by_test_id("stSelectbox").filter(has_text="Label column").click()
    page.get_by_role("option", name="topic").click()
    main.get_by_role("button", name=re.compile("Embed 3 texts")).click()
    chart = main.get_by_test_id("stVegaLiteChart").first
    expect(chart).to_be_visible()
    drawing = chart.locator("canvas, svg").first
    box = drawing.bounding_box()
    assert box is not None
    for fraction in (0.2, 0.5, 0.8):  # hover cells so their tooltips (both texts) are drawn
        page.mouse.move(box["x"] + box["width"] * fraction, box["y"] + box["height"] * fraction)
        page.wait_for_timeout(150)
    assert_inert(page)
    for tab in ("Pairs", "Neighbours", "Map"):
        tabs = main.get_by_role("tab", name=re.compile(tab))
        if tabs.count():
            tabs.first.click()
            page.wait_for_timeout(200)
            assert_inert(page)
    assert_nothing_fetched(listener, requested)


# Streamlit's own protections


def test_the_config_keeps_xsrf_and_cors_protection_on():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["enableCORS"] is True
    assert "corsAllowedOrigins" not in config["server"]


def test_the_running_app_refuses_cross_site_uploads_and_websockets(app):
    evil = {"Origin": "http://evil.example"}
    upload = requests.put(
        f"{app.url}/_stcore/upload_file/some-session/some-file",
        headers=evil,
        files={"file": ("a.txt", b"hello", "text/plain")},
        timeout=5,
    )
    assert upload.status_code == 403
    health = requests.get(f"{app.url}/_stcore/health", headers=evil, timeout=5)
    assert health.headers.get("Access-Control-Allow-Origin") not in ("*", "http://evil.example")
    handshake = {
        "Connection": "Upgrade",
        "Upgrade": "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
    }
    cross = requests.get(f"{app.url}/_stcore/stream", headers={**handshake, **evil}, timeout=5)
    assert cross.status_code == 403
    same = requests.get(f"{app.url}/_stcore/stream", headers={**handshake, "Origin": app.url}, timeout=5, stream=True)
    assert same.status_code == 101
    same.close()


# The API key


KEY = "sk-studio-SECRET-4f9c2e7d1a"


def collect_frames(page: Page) -> tuple[list[str], list[str]]:
    """Text of every websocket frame the page received and sent (binary frames decoded leniently)."""
    received: list[str] = []
    sent: list[str] = []

    def text(payload: str | bytes) -> str:
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload

    def watch(ws) -> None:
        ws.on("framereceived", lambda payload: received.append(text(payload)))
        ws.on("framesent", lambda payload: sent.append(text(payload)))

    page.on("websocket", watch)
    return received, sent


def downloaded(page: Page, button) -> str:
    """The file a click on ``button`` downloads, clicked once the app's run has finished.

    About one full-suite run in three, the Generate page's request download gave no download
    event at all, never when this file runs alone; the cause is not found yet (see the issue
    notes). This test is about keys, not downloads, so a lost click is clicked once more.
    """
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=ANSWERED)
    try:
        with page.expect_download(timeout=LOST_CLICK) as info:
            button.click()
    except PlaywrightTimeoutError:
        with page.expect_download(timeout=ANSWERED) as info:
            button.click()
    return Path(info.value.path()).read_text(errors="replace")


def open_page(page: Page, title: str) -> None:
    """Follow the sidebar's link: the same Streamlit session (a new address would start another)."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()


def visit_everything(page: Page) -> list[str]:
    """Use every page the way a visitor would, in one session; return the HTML and every file downloaded."""
    seen: list[str] = []
    expect(page.get_by_text("Connected to Ollama", exact=False).first).to_be_visible(timeout=ANSWERED)
    seen.append(page.content())

    open_page(page, "Chat")
    ask_chat(page, "Tell me a secret")
    expect(page.get_by_test_id("stChatMessage").nth(1)).to_contain_text("tokens/s", timeout=ANSWERED)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("This chat").click()
    seen.append(downloaded(page, sidebar.get_by_role("button", name="JSON")))
    seen.append(downloaded(page, sidebar.get_by_role("button", name="Markdown")))
    seen.append(page.content())

    open_page(page, "Generate")
    main = page.get_by_test_id("stMain")
    prompt = main.get_by_label("Prompt", exact=True)
    prompt.fill("Tell me a secret")
    prompt.press("Control+Enter")
    main.get_by_role("button", name="Generate", exact=True).click()
    expect(main.get_by_test_id("stMetric").filter(has_text="Tokens/s")).to_contain_text("tok/s", timeout=ANSWERED)
    main.get_by_text("API request").click()
    for tab in ("JSON body", "curl", "Python (requests)"):
        main.get_by_role("tab", name=tab).click()
        panel = main.get_by_role("tabpanel", name=tab)
        expect(panel.get_by_test_id("stCode")).to_be_visible()
        seen.append(panel.inner_text())
    assert "$OLLAMA_API_KEY" in seen[-2]  # the curl command reads the key from the environment
    seen.append(downloaded(page, main.get_by_role("button", name="Download the JSON body")))
    seen.append(page.content())

    open_page(page, "Embeddings")
    main = page.get_by_test_id("stMain")
    box = main.get_by_label("One text per line")
    box.fill("one secret\nanother secret")
    box.press("Control+Enter")
    main.get_by_role("button", name=re.compile("Embed 2 texts")).click()
    expect(page.get_by_test_id("stMetric").filter(has_text="Texts")).to_contain_text("2")
    seen.append(page.content())

    open_page(page, "Models")
    main = page.get_by_test_id("stMain")
    main.get_by_text("Raw /api/show JSON").click()
    seen.append(page.content())
    return seen


def test_an_api_key_from_the_environment_never_reaches_the_browser_or_the_log(start_app, fake, page: Page):
    fake.api_key = KEY
    keyed = start_app(OLLAMA_HOST=fake.url, OLLAMA_API_KEY=KEY)
    received, sent = collect_frames(page)
    page.goto(keyed.url)
    seen = visit_everything(page)
    assert fake.requests_to("/api/chat")[-1].headers["Authorization"] == f"Bearer {KEY}"
    assert not [text for text in seen if KEY in text]
    assert not [frame for frame in received + sent if KEY in frame]
    assert received
    assert KEY not in keyed.log()


def test_an_api_key_typed_in_the_sidebar_is_never_sent_back(start_app, fake, page: Page):
    fake.api_key = KEY
    app = start_app(OLLAMA_HOST=fake.url)  # its own process: no model list cached by earlier tests without a key
    received, sent = collect_frames(page)
    page.goto(app.url)
    expect(page.get_by_text("needs an API key").first).to_be_visible()
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Connection").click()
    key_box = sidebar.locator("input[type=password]")
    key_box.fill(KEY)
    key_box.press("Enter")
    expect(page.get_by_text("Connected to Ollama", exact=False).first).to_be_visible(timeout=ANSWERED)
    expect(key_box).to_have_value("")
    seen = visit_everything(page)
    assert fake.requests_to("/api/chat")[-1].headers["Authorization"] == f"Bearer {KEY}"
    assert not [text for text in seen if KEY in text]
    assert not [frame for frame in received if KEY in frame]
    assert len([frame for frame in sent if KEY in frame]) == 1  # the typing itself, once
    assert KEY not in app.log()
