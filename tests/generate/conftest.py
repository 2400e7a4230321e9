"""The Generate page in single mode, opened on the fake server, and helpers to drive and read it."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from lib import state
from lib.ui import navigation

LONG_REPLY = " ".join(f"word{number}" for number in range(300))
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg=="
)


@pytest.fixture
def page(open_app) -> AppTest:
    at = open_app(navigation.GENERATE)
    assert not at.exception
    pick(at, "llama3.2:latest")
    return at


@pytest.fixture
def downloads(monkeypatch) -> list[dict]:
    """What each ``st.download_button`` of the script was given (the button is still drawn)."""
    given: list[dict] = []
    original = st.download_button

    def recording(label, data, **options):
        given.append({"label": label, "data": data, **options})
        return original(label, data, **options)

    monkeypatch.setattr(st, "download_button", recording)
    return given


def generate(at: AppTest, prompt: str = "Why is the sky blue?", **run_options) -> AppTest:
    at.text_area(key=state.GENERATE_PROMPT_INPUT).input(prompt)
    at.button(key=state.GENERATE_RUN_BUTTON).click().run(**run_options)
    assert not at.exception
    return at


def pick(at: AppTest, model: str) -> None:
    at.selectbox(key=state.GENERATE_MODEL_INPUT).select(model).run()


def option(at: AppTest, name: str):
    return at.number_input(key=f"generate_option_{name}")


def sent(fake) -> dict:
    return fake.requests_to("/api/generate")[-1].body


def codes(at: AppTest) -> list[str]:
    return [block.value for block in at.code]


def raw_answer(at: AppTest) -> str:
    """The "Raw text" tab: the answer exactly as the model wrote it."""
    raw_tab = next(tab for tab in at.tabs if tab.label == "Raw text")
    return raw_tab.code[0].value


def texts(elements) -> str:
    return "\n".join(element.value for element in elements)


@pytest.fixture
def recording_server() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that serves a schema to anyone who asks, and records every request; its URL."""
    requested: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requested.append(self.path)
            body = b'{"type": "integer", "title": "FETCHED DOCUMENT"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/schema.json", requested
    server.shutdown()
    server.server_close()
