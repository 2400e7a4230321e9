"""Shared by the Arena page tests: the page on the fake server, the store it saves to, and what the screen shows."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Node

from lib import state
from lib.arena.battle import Run
from lib.arena.store import ArenaStore
from lib.fleet.models import ModelRef
from lib.ui import navigation
from tests.conftest import ENTRY_POINT, SAME_BROWSER, pick_model

PAGE = navigation.ARENA
OWNER = f"browser:{SAME_BROWSER}"
CHAT_MODELS = ("llama3.2:latest", "llava:7b", "qwen3:0.6b")  # the fake's installed chat models


def open_arena(query: dict[str, str] | None = None) -> AppTest:
    """A new browser session of the same browser on the Arena page (a reload, when ``query`` names a battle)."""
    at = AppTest.from_file(ENTRY_POINT, default_timeout=30)
    at.session_state[state.VISITOR_TOKEN] = SAME_BROWSER
    if query:
        at.query_params.update(query)  # in the first run, as when a link opens the app
    at.run()
    at.switch_page(PAGE)
    if query:
        at.query_params.update(query)
    return at.run()


@pytest.fixture
def arena(studio_env: Path) -> AppTest:
    at = open_arena()
    assert not at.exception
    return at


@pytest.fixture
def store(studio_env: Path) -> ArenaStore:
    """The visitor's battles, in the database the app saves to (``studio_env`` points the data folder at tmp_path)."""
    return ArenaStore(studio_env / "arena.sqlite3", owner=OWNER)


def choose(at: AppTest, *models: str | ModelRef) -> None:
    """Choose mode with these models, one a column (a model's name: on the server its box is on)."""
    at.segmented_control(key=state.ARENA_PICK_INPUT).set_value("choose").run()
    at.segmented_control(key=state.ARENA_COUNT_INPUT).set_value(len(models)).run()
    for slot, model in enumerate(models):
        pick_model(at.selectbox(key=f"{state.ARENA_MODEL_INPUT}_{slot}"), model)
    at.run()


def start(at: AppTest, prompt: str = "Why is the sky blue?", **run_options) -> AppTest:
    at.text_area(key=state.ARENA_PROMPT_INPUT).input(prompt)
    at.button(key=state.ARENA_START_BUTTON).click().run(**run_options)
    assert not at.exception
    return at


def battle(at: AppTest) -> Run:
    run = at.session_state[state.ARENA_BATTLE]
    assert run is not None
    return run


def vote(at: AppTest, choice: str) -> AppTest:
    at.button(key=f"{state.ARENA_VOTE_BUTTON}_{choice}").click().run()
    assert not at.exception
    return at


def vote_buttons(at: AppTest) -> dict[str, bool]:
    """The vote buttons drawn, by choice: whether each can be clicked."""
    prefix = f"{state.ARENA_VOTE_BUTTON}_"
    return {
        button.key.removeprefix(prefix): not button.disabled
        for button in at.button
        if button.key and button.key.startswith(prefix)
    }


def unescaped(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def headings(at: AppTest) -> list[str]:
    return [unescaped(heading.value) for heading in at.main.subheader]


def _nodes(node: Node) -> Iterator[Node]:
    yield node
    if isinstance(node, Block):
        for child in node.children.values():
            yield from _nodes(child)


def sent_text(node: Node) -> str:
    """Everything drawn in ``node``: every element's and widget's message (labels, options, keys, help)."""
    return "\n".join(str(inner.proto) for inner in _nodes(node) if getattr(inner, "proto", None) is not None)


def main_area(at: AppTest) -> str:
    return sent_text(at.main)


def names_any(text: str, models: tuple[str, ...] = CHAT_MODELS) -> list[str]:
    """The models ``text`` names, also Markdown-escaped or without their tag."""
    found = []
    for model in models:
        base = model.split(":")[0]
        if base in text or base.replace(".", "\\.") in text:
            found.append(model)
    return found
