"""The Content-Security-Policy in a real browser: remote media drawn on purpose is never fetched.

A test page (``apps/remote_media.py``) draws a Markdown image, raw ``<img>``, ``<video>``,
``<audio>`` and ``<iframe>`` pointing at a local server that records requests, as if the
sanitizer had missed every case. Served as plain ``streamlit run`` the browser fetches them
(the control: the test can fail); served behind the policy, as ``serve.py`` serves the app, the
server hears nothing. The app itself must keep working under the policy, with no violation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, expect

from lib.content_policy import POLICY
from tests.browser.conftest import Listener
from tests.streamlit_process import StreamlitApp

APPS = Path(__file__).resolve().parent / "apps"
ANSWERED = 60_000

# Records every Content-Security-Policy violation the page reports, from the first script on.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (event) => {
    window.__violations.push(event.effectiveDirective + ' ' + event.blockedURI);
});
"""


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., StreamlitApp]]:
    started: list[StreamlitApp] = []

    def start(script: Path, **env: str) -> StreamlitApp:
        app = StreamlitApp(script, env, tmp_path / f"streamlit-{len(started)}.log")
        started.append(app)
        return app

    yield start
    for app in started:
        app.stop()


def draw_remote_media(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.get_by_text("End of the remote media page.")).to_be_visible(timeout=ANSWERED)
    expect(page.locator('img[alt="markdown image"]')).to_have_count(1)
    page.wait_for_timeout(1_500)  # time for the browser to fetch, were it allowed to


def test_without_the_policy_the_page_fetches_remote_media(serve, listener: Listener, page: Page):
    """The control: the page really does ask for every kind of remote media when nothing stops it."""
    plain = serve(APPS / "remote_media.py", LISTENER_URL=listener.url)
    draw_remote_media(page, plain.url)
    assert {"/markdown.png", "/markdown-html.png", "/st-html.png", "/frame.html"} <= set(listener.hits)


def test_behind_the_policy_the_browser_fetches_nothing_remote(serve, listener: Listener, page: Page):
    guarded = serve(APPS / "with_policy.py", LISTENER_URL=listener.url, POLICY_PAGE="remote_media.py")
    page.add_init_script(RECORD_VIOLATIONS)
    draw_remote_media(page, guarded.url)
    assert listener.hits == []
    blocked = page.evaluate("window.__violations")
    assert any(violation.startswith("img-src " + listener.url) for violation in blocked), blocked
    assert any(violation.startswith("frame-src " + listener.url) for violation in blocked), blocked


def test_every_response_of_the_app_carries_the_policy(app):
    """The HTML of every page, Streamlit's own endpoints and its static files (served as the app is)."""
    index = requests.get(app.url + "/chat", timeout=10)
    script = re.search(r'src="\./(static/js/[^"]+\.js)"', index.text)
    assert script is not None
    for path in ("/", "/chat", "/generate", "/no-such-page", "/_stcore/health", "/" + script[1]):
        response = requests.get(app.url + path, timeout=10)
        assert response.headers.get("Content-Security-Policy") == POLICY, path


def test_the_app_works_under_the_policy_without_a_violation(app, fake, page: Page):
    """Streamlit's own scripts, styles, fonts, charts, maths and the app's constant scripts are all allowed."""
    fake.script_reply("An answer with maths $e^{i\\pi} + 1 = 0$ and code:\n\n```python\nprint('hi')\n```\n\nDone.")
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto(app.url + "/chat")
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill("Hello")
    box.press("Enter")
    answer = page.get_by_test_id("stChatMessage").nth(1)
    expect(answer).to_contain_text("tokens/s", timeout=ANSWERED)
    expect(answer.locator(".katex")).to_have_count(1)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Embeddings").click()
    main = page.get_by_test_id("stMain")
    texts = main.get_by_label("One text per line")
    texts.fill("one cat\nanother cat\na dog")
    texts.press("Control+Enter")
    main.get_by_role("button", name=re.compile("Embed 3 texts")).click()
    expect(main.get_by_test_id("stVegaLiteChart").first.locator("canvas, svg").first).to_be_visible(timeout=ANSWERED)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Generate").click()
    prompt = main.get_by_label("Prompt", exact=True)
    prompt.fill("Hello")
    prompt.press("Control+Enter")
    main.get_by_role("button", name="Generate", exact=True).click()
    expect(main.get_by_test_id("stMetric").filter(has_text="Tokens/s")).to_contain_text("tok/s", timeout=ANSWERED)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Models").click()
    expect(main.get_by_text("Raw /api/show JSON")).to_be_visible(timeout=ANSWERED)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Home").click()
    expect(page.get_by_text("Connected to Ollama", exact=False).first).to_be_visible(timeout=ANSWERED)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert page.evaluate("window.__violations") == []
