"""The visitor cookie in Chromium: two tabs of a new browser opened at once end up with one id.

The script tests serve lib/access/visitor.py's cookie script from a made-up origin, so each step is
in the test's hands; the last test opens two tabs of the real app at the same instant.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from lib.access.visitor import COOKIE, cookie_script
from lib.chat.store import FILE_NAME
from tests.streamlit_process import StreamlitApp

ORIGIN = "http://studio.test"
TOKEN = "A" * 43
OTHER = "b" * 43
RELOADED = f"{COOKIE}_reloaded"


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """One browser: its tabs share cookies and storage."""
    opened = browser.new_context()
    opened.set_default_timeout(20_000)
    yield opened
    opened.close()


def serve(page: Page, tokens: Callable[[int], str]) -> None:
    """Serve the cookie script for ``tokens(n)`` on the page's n-th load, then a paragraph with n."""
    loads = 0

    def answer(route: Route) -> None:
        nonlocal loads
        loads += 1
        route.fulfill(content_type="text/html", body=f"{cookie_script(tokens(loads))}<p id='load'>{loads}</p>")

    page.route(f"{ORIGIN}/**", answer)


def held(context: BrowserContext, url: str = ORIGIN) -> str | None:
    """The id in the browser's cookie for ``url``."""
    values = [cookie["value"] for cookie in context.cookies(url) if cookie["name"] == COOKIE]
    return values[0] if values else None


def settled(page: Page, load: int) -> None:
    """Wait for the page's ``load``-th load, then for anything its script started."""
    expect(page.locator("#load")).to_have_text(str(load))
    page.wait_for_load_state("load")


def test_a_new_browser_keeps_its_tabs_id_without_reloading(context):
    page = context.new_page()
    serve(page, lambda load: TOKEN)
    page.goto(ORIGIN + "/")
    settled(page, 1)
    assert held(context) == TOKEN
    page.reload()
    settled(page, 2)  # the reload asked for here; the script added none
    assert held(context) == TOKEN


def test_a_tab_keeps_the_id_another_tab_wrote_and_reloads_to_use_it(context):
    context.add_cookies([{"name": COOKIE, "value": OTHER, "url": ORIGIN}])
    page = context.new_page()
    serve(page, lambda load: TOKEN if load == 1 else OTHER)  # the reloaded session reads the cookie
    page.goto(ORIGIN + "/")
    settled(page, 2)
    assert held(context) == OTHER
    assert page.evaluate(f"sessionStorage.getItem('{RELOADED}')") is None


def test_a_tab_that_wrote_first_reloads_when_a_racing_tab_writes_its_own_id(context):
    first = context.new_page()
    serve(first, lambda load: TOKEN if load == 1 else OTHER)
    first.goto(ORIGIN + "/")
    settled(first, 1)
    assert held(context) == TOKEN

    # What the second tab's script does when it read the cookie before the first tab wrote it.
    second = context.new_page()
    second.route(f"{ORIGIN}/**", lambda route: route.fulfill(content_type="text/html", body="<p>second</p>"))
    second.goto(ORIGIN + "/second")
    second.evaluate(f"document.cookie = '{COOKIE}={OTHER}; Path=/'; localStorage.setItem('{COOKIE}', '{OTHER}')")

    settled(first, 2)
    assert held(context) == OTHER


def test_a_tab_reloads_at_most_once_in_a_row_when_its_cookie_does_not_reach_the_app(context):
    context.add_cookies([{"name": COOKIE, "value": OTHER, "url": ORIGIN}])
    page = context.new_page()
    serve(page, lambda load: TOKEN)  # every session a new id, as if the cookie never came back
    page.goto(ORIGIN + "/")
    settled(page, 2)
    assert page.evaluate(f"sessionStorage.getItem('{RELOADED}')") == "1"  # so this load did not reload again
    assert page.locator("#load").text_content() == "2"
    assert held(context) == OTHER  # the other tab's id is not overwritten either


# The real app


@pytest.fixture(scope="module")
def own_app(start_app, fake_server) -> StreamlitApp:
    """An app with a data folder no other test writes to."""
    return start_app(OLLAMA_HOST=fake_server.url)


def session_id(page: Page) -> str | None:
    """The id the page's session saves chats under, from the cookie script it was sent."""
    found = re.search(rf"{COOKIE}=([A-Za-z0-9_-]{{43}}); Max-Age", page.content())
    return found.group(1) if found else None


def owners(app: StreamlitApp) -> list[str]:
    with sqlite3.connect(app.log_path.parent / FILE_NAME) as db:
        return [owner for (owner,) in db.execute("SELECT owner FROM conversations ORDER BY id")]


def test_two_tabs_of_a_new_browser_opened_at_once_save_their_chats_for_one_id(own_app, fake, context):
    tabs = [context.new_page(), context.new_page()]
    for tab in tabs:
        tab.goto(own_app.url + "/chat", wait_until="commit")  # both sessions open before either writes the cookie
    for tab in tabs:
        expect(tab.get_by_test_id("stChatInputTextArea")).to_be_enabled()
        tab.wait_for_function(  # the tab's session uses the id in the cookie, after a reload if it lost the race
            "() => { const c = document.cookie.match(/(?:^|;\\s*)" + COOKIE + "=([A-Za-z0-9_-]{43})/);"
            " return c !== null && document.documentElement.innerHTML.includes('"
            + COOKIE
            + "=' + c[1] + '; Max-Age'); }"
        )
    cookie = held(context, own_app.url)
    assert [session_id(tab) for tab in tabs] == [cookie, cookie]

    for tab, topic in zip(tabs, ["Pelicans", "Glaciers"], strict=True):
        expect(tab.get_by_test_id("stChatInputTextArea")).to_be_enabled()
        box = tab.get_by_test_id("stChatInputTextArea")
        box.fill(f"Tell me about {topic}")
        box.press("Enter")
        expect(tab.get_by_test_id("stChatMessage").nth(1)).to_contain_text("tokens/s")
    assert owners(own_app) == [f"browser:{cookie}"] * 2

    later = context.new_page()
    later.goto(own_app.url + "/chat")
    for topic in ["Pelicans", "Glaciers"]:
        expect(later.get_by_test_id("stSidebar")).to_contain_text(f"Tell me about {topic}")
