"""Shared by the Chat tests: the page in a browser session, the store it saves to, and what the screen shows."""

from __future__ import annotations

import base64
import io
import os
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from lib import state
from lib.chat.store import ChatStore
from lib.fleet.models import ModelRef
from lib.ollama.host import normalize_host
from lib.ui import navigation
from tests.conftest import ENTRY_POINT, SAME_BROWSER, choose_models

PAGE = navigation.CHAT


def picture(kind: str = "PNG", size: tuple[int, int] = (2, 2)) -> bytes:
    """A real image file, as Pillow writes it: "PNG", "JPEG", "WEBP", or any other format Pillow writes."""
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, kind)
    return buffer.getvalue()


PNG_BASE64 = base64.b64encode(picture("PNG")).decode()


def ref(model: str, server: str | None = None) -> ModelRef:
    """A model box's value: ``model`` on ``server``, by default the one server of ``OLLAMA_HOST`` (the fake's)."""
    return ModelRef(model, normalize_host(server or os.environ["OLLAMA_HOST"]))


def open_chat(query: dict[str, str] | None = None) -> AppTest:
    """A fresh browser session on the Chat page (as after a reload when ``query`` carries ``chat``)."""
    at = AppTest.from_file(ENTRY_POINT, default_timeout=30)
    at.session_state[state.VISITOR_TOKEN] = SAME_BROWSER
    at.run()
    at.switch_page(PAGE)
    if query:
        at.query_params.update(query)
    return at.run()


@pytest.fixture
def store(tmp_path: Path) -> ChatStore:
    """The database the app saves to: ``studio_env`` points the app's data folder at ``tmp_path``."""
    return ChatStore(tmp_path / "chats.sqlite3")


@pytest.fixture
def chat(studio_env: Path) -> AppTest:
    """The Chat page on a new chat, talking to the fake server."""
    return open_chat()


@pytest.fixture
def compare(studio_env: Path) -> AppTest:
    """The Chat page in compare mode, before the first message."""
    at = open_chat()
    at.segmented_control(key=state.CHAT_MODE_INPUT).set_value("compare").run()
    assert not at.exception
    return at


def send(at: AppTest, text: str) -> AppTest:
    return at.chat_input(key=state.CHAT_PROMPT_INPUT).set_value(text).run()


def send_to_all(at: AppTest, text: str, **run_options: float) -> AppTest:
    """A message to every column of the comparison."""
    return at.chat_input(key=state.CHAT_COMPARE_PROMPT_INPUT).set_value(text).run(**run_options)


def pick(at: AppTest, *models: str | ModelRef) -> None:
    """The comparison's columns: how many, and the model in each (on the fake unless a ModelRef says where)."""
    refs = tuple(model if isinstance(model, ModelRef) else ref(model) for model in models)
    choose_models(at, state.CHAT_COMPARE_COUNT_INPUT, state.CHAT_COMPARE_MODEL_INPUT, refs)


def messages(at: AppTest) -> list[tuple[str, str]]:
    """(role, text) of each chat message on screen; text is the message's markdown joined."""
    return [(m.name, "\n".join(md.value for md in m.markdown)) for m in at.chat_message]


def screen(at: AppTest) -> list[tuple[str, list[str], list[str], list[str]]]:
    """Each message bubble as the user sees it: role, texts, captions and button labels."""
    return [
        (m.name, [md.value for md in m.markdown], [c.value for c in m.caption], [b.label for b in m.button])
        for m in at.chat_message
    ]


def sidebar_view(at: AppTest) -> list[tuple[str, ...]]:
    """The sidebar's chat list and panel as the user sees them: buttons with their kind, expanders, inputs."""
    return (
        [("button", b.label, b.proto.type) for b in at.sidebar.button]
        + [("expander", e.label) for e in at.sidebar.expander]
        + [("text_input", i.label, i.value) for i in at.sidebar.text_input]
    )


def query_value(at: AppTest, key: str) -> str | None:
    """One value of the address's query, as AppTest reports it (a string or a list of one)."""
    if key not in at.query_params:
        return None
    value = at.query_params[key]
    return value[0] if isinstance(value, list) else value


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def last_chat_body(fake) -> dict:
    return fake.requests_to("/api/chat")[-1].body


def refuse(store: ChatStore, when: str) -> None:
    """From now on the database refuses a kind of write, as a full disk would (a real SQLite error)."""
    with closing(sqlite3.connect(store.path)) as db, db:
        db.execute(f"CREATE TRIGGER refuse {when} BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")
