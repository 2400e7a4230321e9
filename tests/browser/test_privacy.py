"""Visitors in separate browsers: each sees only their own saved chats, also when many chat at once."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from itertools import combinations

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from lib.access.visitor import COOKIE, COOKIE_MAX_AGE
from lib.chat.store import FILE_NAME
from tests.streamlit_process import StreamlitApp

# One distinct word per session; the fake model's answer names the topic of the question.
TOPICS = [
    "Pelicans",
    "Volcanoes",
    "Harpsichords",
    "Glaciers",
    "Origami",
    "Tangerines",
    "Lighthouses",
    "Meteorites",
    "Saxophones",
    "Dandelions",
]


@pytest.fixture(scope="module")
def own_app(start_app, fake_server) -> StreamlitApp:
    """An app with a data folder no other test writes to."""
    return start_app(OLLAMA_HOST=fake_server.url)


@pytest.fixture
def contexts(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """Separate browsers, as far as cookies go: each context has its own cookie jar."""
    opened: list[BrowserContext] = []

    def new(**options) -> BrowserContext:
        context = browser.new_context(viewport={"width": 1100, "height": 800}, **options)
        context.set_default_timeout(30_000)
        opened.append(context)
        return context

    yield new
    for context in opened:
        context.close()


def ask(page: Page, text: str) -> None:
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(text)
    box.press("Enter")


def saved(app: StreamlitApp) -> list[tuple[int, str, list[tuple[str, str]]]]:
    """Every conversation in the app's database: (id, owner, [(role, text), ...])."""
    path = app.log_path.parent / FILE_NAME
    if not path.exists():
        return []
    with sqlite3.connect(path) as db:
        conversations = db.execute("SELECT id, owner FROM conversations ORDER BY id").fetchall()
        return [
            (
                conversation_id,
                owner,
                db.execute(
                    "SELECT role, content FROM messages WHERE conversation_id = ? ORDER BY id", (conversation_id,)
                ).fetchall(),
            )
            for conversation_id, owner in conversations
        ]


def test_another_browser_sees_no_saved_chat_not_even_through_its_link(own_app, fake, contexts):
    first = contexts().new_page()
    first.goto(own_app.url + "/chat")
    ask(first, "Tell me about Pelicans")
    answer = first.get_by_test_id("stChatMessage").nth(1)
    expect(answer).to_contain_text("tokens/s")
    expect(first.get_by_test_id("stSidebar")).to_contain_text("Tell me about Pelicans")
    link = first.url
    assert "chat=" in link

    [cookie] = [c for c in first.context.cookies() if c["name"] == COOKIE]
    assert cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert cookie["expires"] > time.time() + COOKIE_MAX_AGE - 3600

    second = contexts().new_page()
    second.goto(own_app.url + "/chat")
    expect(second.get_by_test_id("stChatInputTextArea")).to_be_visible()
    second.goto(link)
    expect(second.get_by_test_id("stChatInputTextArea")).to_be_visible()
    expect(second.get_by_text("Type a message below to start")).to_be_visible()
    expect(second.get_by_test_id("stChatMessage")).to_have_count(0)
    expect(second.get_by_test_id("stSidebar")).not_to_contain_text("Pelicans")
    assert "chat=" not in second.url
    assert "Pelicans" not in second.content()

    first.reload()
    expect(first.get_by_test_id("stChatMessage").nth(1)).to_contain_text("Pelicans")
    # A new tab of the first browser is a new session: the cookie, not the address, finds the chat.
    tab = first.context.new_page()
    tab.goto(own_app.url + "/chat")
    expect(tab.get_by_test_id("stSidebar")).to_contain_text("Tell me about Pelicans")


def test_ten_browsers_chatting_at_once_each_get_their_own_answer(own_app, fake, contexts):
    fake.token_delay = 0.03  # a few seconds per answer, so the ten overlap
    before = {conversation_id for conversation_id, _, _ in saved(own_app)}
    pages = [contexts().new_page() for _ in TOPICS]
    for page in pages:
        page.goto(own_app.url + "/chat")
    for page in pages:
        expect(page.get_by_test_id("stChatInputTextArea")).to_be_enabled()
    for page, topic in zip(pages, TOPICS, strict=True):
        page.get_by_test_id("stChatInputTextArea").fill(f"Tell me about {topic}")
    for page in pages:
        page.get_by_test_id("stChatInputTextArea").press("Enter")

    for page, topic in zip(pages, TOPICS, strict=True):
        answer = page.get_by_test_id("stChatMessage").nth(1)
        expect(answer).to_contain_text("tokens/s", timeout=90_000)  # ten streams on a busy machine
        expect(answer).to_contain_text(topic)
        expect(page.get_by_test_id("stChatMessage")).to_have_count(2)
        text = page.get_by_test_id("stMainBlockContainer").inner_text() + page.get_by_test_id("stSidebar").inner_text()
        assert [other for other in TOPICS if other in text] == [topic]

    conversations = [entry for entry in saved(own_app) if entry[0] not in before]
    assert len(conversations) == len(TOPICS)
    assert len({owner for _, owner, _ in conversations}) == len(TOPICS)
    by_topic = {}
    for _, owner, messages in conversations:
        assert [role for role, _ in messages] == ["user", "assistant"]
        (_, question), (_, answer) = messages
        topic = question.removeprefix("Tell me about ")
        assert [other for other in TOPICS if other in answer] == [topic]
        by_topic[topic] = owner
    assert sorted(by_topic) == sorted(TOPICS)
    with sqlite3.connect(own_app.log_path.parent / FILE_NAME) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # The server was asked ten times, each request carrying one visitor's question only.
    assert fake.wait_for(lambda f: all(r.finished is not None for r in f.requests_to("/api/chat")), timeout=10)
    requests = fake.requests_to("/api/chat")
    bodies = [request.body["messages"] for request in requests]
    assert sorted(messages[-1]["content"] for messages in bodies) == sorted(f"Tell me about {t}" for t in TOPICS)
    assert all(len(messages) == 1 for messages in bodies)
    assert any(a.started < b.finished and b.started < a.finished for a, b in combinations(requests, 2)), "never at once"


def test_behind_a_trusted_proxy_chats_follow_the_user_header_not_the_browser(start_app, fake_server, fake, contexts):
    app = start_app(OLLAMA_HOST=fake_server.url, OLLAMA_STUDIO_USER_HEADER="X-Forwarded-User")

    def as_user(name: str) -> Page:
        return contexts(extra_http_headers={"X-Forwarded-User": name}).new_page()

    ann = as_user("ann")
    ann.goto(app.url + "/chat")
    ask(ann, "Tell me about Glaciers")
    expect(ann.get_by_test_id("stChatMessage").nth(1)).to_contain_text("tokens/s")

    ann_elsewhere = as_user("ann")  # another browser, the same user
    ann_elsewhere.goto(app.url + "/chat")
    expect(ann_elsewhere.get_by_test_id("stSidebar")).to_contain_text("Tell me about Glaciers")

    bob = as_user("bob")
    bob.goto(ann.url)
    expect(bob.get_by_test_id("stChatInputTextArea")).to_be_visible()
    expect(bob.get_by_test_id("stChatMessage")).to_have_count(0)
    expect(bob.get_by_test_id("stSidebar")).not_to_contain_text("Glaciers")
    assert {owner for _, owner, _ in saved(app)} == {"header:ann"}
