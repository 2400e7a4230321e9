"""The administrator password's brake in a real browser, over IPv4 and IPv6 loopback and behind a proxy.

After five wrong passwords, a NEW browser session from the same client is refused too: the count is
kept per client address (lib/access/locked.py), not per session, whatever the address family.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Browser, Page, expect

PASSWORD = "a long random password"
REFUSED = "Too many wrong passwords. Wait 30 seconds, then try again."
PAUSED = "Too many wrong passwords. Wait"
WRONG = "That is not the administrator password."
SIGNED_IN = "signed in"
CHECKED = """() => {
    const box = document.querySelector('[data-testid="stSidebar"] input[aria-label="Administrator password"]');
    return !box || box.value === "";
}"""


@pytest.fixture
def secrets(tmp_path) -> str:
    path = tmp_path / "secrets.toml"
    path.write_text(f'admin_password = "{PASSWORD}"\n')
    return str(path)


@contextmanager
def visitor(browser: Browser, forwarded_for: str | None = None) -> Iterator[Page]:
    """A new browser session, optionally through a proxy that says it forwards ``forwarded_for``."""
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US", extra_http_headers=headers)
    context.set_default_timeout(20_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def type_password(page: Page, url: str, passwords: list[str]) -> str:
    """Open Models, type each password into the Administration box; what the sidebar then says."""
    page.goto(url + "/models")
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Administration").click()
    box = sidebar.get_by_label("Administrator password", exact=True).and_(sidebar.locator("input"))
    for password in passwords:
        box.fill(password)
        box.press("Enter")
        # The try was checked: the box was emptied, or is gone because the password was taken.
        page.wait_for_function(CHECKED)
        expect(page.get_by_test_id("stApp")).to_have_attribute("data-test-script-state", "notRunning")
    error, sign_out = sidebar.get_by_test_id("stAlertContentError"), sidebar.get_by_role("button", name="Sign out")
    expect(error.or_(sign_out)).to_be_visible()
    return SIGNED_IN if sign_out.count() else error.inner_text()


def guess_five_times(page: Page, url: str) -> None:
    assert type_password(page, url, [f"guess {n}" for n in range(5)]) == REFUSED


@pytest.mark.parametrize("address", ["127.0.0.1", "::1"])
def test_a_new_session_from_the_same_address_is_still_refused(start_app, fake_server, browser, secrets, address):
    app = start_app(address, OLLAMA_HOST=fake_server.url, OLLAMA_STUDIO_LOCKED="1", STREAMLIT_SECRETS_FILES=secrets)
    with visitor(browser) as page:
        guess_five_times(page, app.url)
    with visitor(browser) as page:
        assert type_password(page, app.url, [PASSWORD]).startswith(PAUSED)
        expect(page.get_by_role("tab", name="Pull")).to_have_count(0)


def test_behind_a_proxy_each_forwarded_client_has_a_count_of_its_own(start_app, fake_server, browser, secrets):
    """The proxy on this machine sets X-Forwarded-For: Streamlit's server uses it, so one guesser does not
    lock out everyone, and that guesser's new sessions stay refused."""
    app = start_app(OLLAMA_HOST=fake_server.url, OLLAMA_STUDIO_LOCKED="1", STREAMLIT_SECRETS_FILES=secrets)
    with visitor(browser, "203.0.113.7") as page:
        guess_five_times(page, app.url)
    with visitor(browser, "203.0.113.7") as page:
        assert type_password(page, app.url, [PASSWORD]).startswith(PAUSED)
    with visitor(browser, "2001:db8:1:2::7") as page:
        assert type_password(page, app.url, ["guess"]) == WRONG
    with visitor(browser, "198.51.100.9") as page:
        assert type_password(page, app.url, [PASSWORD]) == SIGNED_IN
        expect(page.get_by_role("tab", name="Pull")).to_be_visible()


def test_x_forwarded_for_from_a_peer_that_is_not_trusted_is_ignored(start_app, fake_server, browser, secrets):
    """With no trusted proxy (``FORWARDED_ALLOW_IPS`` empty), a header the browser makes up changes nothing:
    every try counts against the connection's own address."""
    app = start_app(
        OLLAMA_HOST=fake_server.url,
        OLLAMA_STUDIO_LOCKED="1",
        STREAMLIT_SECRETS_FILES=secrets,
        FORWARDED_ALLOW_IPS="",
    )
    with visitor(browser, "203.0.113.7") as page:
        guess_five_times(page, app.url)
    with visitor(browser, "198.51.100.9") as page:
        assert type_password(page, app.url, [PASSWORD]).startswith(PAUSED)
