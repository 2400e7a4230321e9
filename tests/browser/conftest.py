"""Browser fixtures: the real app under `streamlit run`, driven by Debian's headless Chromium."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.streamlit_process import SERVED_APP, StreamlitApp

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# What the page shows after an action is waited for this long (Playwright's own default is 5 s): on CI's two
# loaded cores a rerun that draws a panel can take longer, and a wait that gives up early fails a working page.
# Speed is the benchmark's business, not the tests'.
expect.set_options(timeout=20_000)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def start_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., StreamlitApp]]:
    """Start the app on ``address`` with extra environment variables; every app started is stopped at the end."""
    started: list[StreamlitApp] = []

    def start(address: str = "127.0.0.1", **env: str) -> StreamlitApp:
        folder = tmp_path_factory.mktemp("app")
        app = StreamlitApp(
            SERVED_APP, {"OLLAMA_STUDIO_DATA_DIR": str(folder), **env}, folder / "streamlit.log", address
        )
        started.append(app)
        return app

    yield start
    for app in started:
        app.stop()


@pytest.fixture(scope="session")
def app(start_app: Callable[..., StreamlitApp], fake_server) -> StreamlitApp:
    """The app pointed at the session's fake Ollama server."""
    return start_app(OLLAMA_HOST=fake_server.url)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@contextmanager
def fresh_page(browser: Browser, locale: str = "en-US") -> Iterator[Page]:
    """A new browser context: a new Streamlit session, no shared storage, a browser in ``locale``."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale=locale)
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh English browser per test."""
    with fresh_page(browser) as new_page:
        yield new_page


class Listener:
    """A tiny HTTP server that only counts who asked: nothing should."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                listener.hits.append(self.path)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    started = Listener()
    yield started
    started.close()
