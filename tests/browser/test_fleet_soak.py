"""The fleet soak (issue 23): two fake servers, ``gpu`` restarting every minute, five browser sessions chatting.

For ``SOAK_SECONDS`` (default 600) five Playwright sessions, driven in turn by this one thread, keep asking
questions with unique tokens: sessions 0, 2 and 4 on ``llama3.2:latest · laptop``, 1 and 3 on
``llama3.2:latest · gpu``, each picked in the Chat page's model box. Every fake answers with its own name and
the question's token, streamed token by token, so an answer proves where it came from and a restart can cut it.
``gpu`` is restarted on its port every minute (every fourth of the soak when shorter), down for 2–3 s; every
other restart waits for an answer streaming from it, so answers are really cut. A session whose answer fails
does what a person would: waits a moment and uses the page's own Retry (or Regenerate, or the model box's Retry
while its server is away, or "Answer this message") until the answer is complete. Sessions start a new chat
every few questions and reload their page now and then: the chat must reopen on its own server.

At the end: every question got exactly one complete answer, on screen and in the database, from its session's
server; no question ever reached the other server; ``gpu`` really restarted and really cut answers.

Quick local run (about two minutes)::

    SOAK_SECONDS=60 .venv/bin/python -m pytest tests/browser/test_fleet_soak.py -p no:cacheprovider

The summary (questions, retries, restarts, cut answers) is printed even without ``-s``.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from lib.chat.history import ASSISTANT, DONE, USER
from lib.chat.store import FILE_NAME, ChatStore
from tests.fake_ollama import FakeOllama

SOAK_SECONDS = float(os.environ.get("SOAK_SECONDS", "600"))
RESTART_EVERY = min(60.0, SOAK_SECONDS / 4)  # seconds between gpu's restarts
DOWN_FOR = (2.0, 3.0)  # seconds gpu stays away at each restart
MODEL = "llama3.2:latest"
SERVERS = ("laptop", "gpu", "laptop", "gpu", "laptop")  # each session's server
TOKEN_DELAY = 0.04  # seconds between streamed tokens: an answer streams for about 1.5 s
WORDS = 30
QUESTIONS_PER_CHAT = 6
RELOAD_EVERY = 4  # a session reloads its page after every fourth answer
SCREEN = 120_000  # ms: the longest a screen state is waited for on a loaded machine
PAUSE = 1_000  # ms a session waits, as a person would, before trying again after a failure
LOOKS = 60  # looks at a settled page without the pending answer complete before the session is declared stuck

pytestmark = [pytest.mark.browser, pytest.mark.soak, pytest.mark.timeout(int(SOAK_SECONDS) + 1200)]


def reply(server: str, question: str) -> str:
    """What ``server`` answers to ``question``: its own name, the question's token, and an end mark."""
    return f"[{server}] answer to {question}: " + " ".join(f"w{n}" for n in range(WORDS)) + f" end-{question}."


def responder(server: str) -> Callable[[str], str]:
    return lambda question: reply(server, question)


class Restarter(threading.Thread):
    """Restart ``fake`` on its port every ``every`` seconds until told to stop; counts the restarts.

    Every other restart first waits (a few seconds at most) for an answer streaming from it, so that restarts
    cut answers, not only refuse new ones.
    """

    def __init__(self, fake: FakeOllama, every: float) -> None:
        super().__init__(name="gpu-restarter", daemon=True)
        self.fake = fake
        self.every = every
        self.restarts = 0
        self.while_streaming = 0  # restarts that found an answer streaming
        self.finish = threading.Event()
        self._random = random.Random(23)

    def run(self) -> None:
        started = time.monotonic()
        while not self.finish.wait(started + (self.restarts + 1) * self.every - time.monotonic()):
            if self.restarts % 2 == 0 and self._answer_streaming(within=8.0):
                self.while_streaming += 1
            self.fake.restart(down=self._random.uniform(*DOWN_FOR))
            self.restarts += 1

    def _answer_streaming(self, within: float) -> bool:
        """Wait up to ``within`` seconds for a chat answer streaming from the fake (its log is read a few times
        a second, not more: it grows long)."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if any(r.finished is None and r.chunks_sent > 1 for r in self.fake.requests_to("/api/chat")[-20:]):
                return True
            time.sleep(0.2)
        return False


@dataclass
class Chat:
    questions: list[str] = field(default_factory=list)
    id: int | None = None  # known from the address once its first question is in


@dataclass
class Session:
    """One browser session and what it asked; :meth:`step` does its next thing (one of several turns)."""

    number: int
    server: str
    context: BrowserContext
    page: Page
    chats: list[Chat] = field(default_factory=list)
    pending: str | None = None  # the question waiting for its complete answer
    asked: int = 0
    answered: int = 0
    retries: int = 0  # failed or stopped answers asked again
    reconnects: int = 0  # the model box's Retry while the chat's server was away
    reloads: int = 0
    failures: list[str] = field(default_factory=list)  # the sentences of the failures seen
    dropped: list[str] = field(default_factory=list)  # questions sent that the page lost (never in the chat)
    clicked: set[str] = field(default_factory=set)  # the answers (message ids) already asked again
    looks: int = 0  # looks at the page since the pending question was sent
    unseen: int = 0  # looks in a row at a page that could take a question and does not show the pending one
    journal: list[str] = field(default_factory=list)  # what the session did, to read when something fails

    def note(self, event: str) -> None:
        self.journal.append(f"{time.strftime('%H:%M:%S')} s{self.number} {event}")

    @property
    def label(self) -> str:
        return f"{MODEL} · {self.server}"

    @property
    def main(self) -> Locator:
        return self.page.get_by_test_id("stMain")

    @property
    def last(self) -> Locator:
        return self.page.get_by_test_id("stChatMessage").last

    def step(self, soaking: bool) -> None:
        self._check_no_exception()
        if self.pending is not None:
            self._follow()
        elif soaking:
            self._ask()

    # asking

    def _ask(self) -> None:
        if self.answered and self.answered % RELOAD_EVERY == 0 and self.reloads < self.answered // RELOAD_EVERY:
            self.reload_and_check()
        if not self.chats or len(self.chats[-1].questions) >= QUESTIONS_PER_CHAT:
            if self.chats:
                self.page.locator(".st-key-chat_new").get_by_role("button").click()
                settle(self.page, acted=True)
                expect(self.page.get_by_test_id("stChatMessage")).to_have_count(0, timeout=SCREEN)
            self.chats.append(Chat())
        box = self.page.get_by_test_id("stChatInputTextArea")
        if self._away():
            self._reconnect()
            return
        if not box.is_enabled():
            self.page.wait_for_timeout(PAUSE)  # the page has not caught up yet
            return
        if not self.chats[-1].questions and not self._pick_model():
            # Its server's models are not listed now (it is restarting): a person waits a moment and reloads.
            self.page.wait_for_timeout(PAUSE)
            self.page.reload()
            settle(self.page)
            return
        question = f"s{self.number}-q{self.asked + 1:04d}"
        box.fill(question)
        box.press("Enter")
        self.asked += 1
        self.pending = question
        self.chats[-1].questions.append(question)
        self.looks = self.unseen = 0
        asked = self.page.get_by_test_id("stChatMessage").filter(has_text=question)
        away = self.page.locator(".st-key-connection_retry")  # the chat's server went away as it was sent
        expect(asked.or_(away).first).to_be_visible(timeout=SCREEN)
        self.note(f"asked {question}" + ("" if asked.count() else " (its server is away)"))

    def _pick_model(self) -> bool:
        """The session's ``model · server`` in the box of a new chat, picked as a person would."""
        value = self.page.locator(".st-key-chat_model_input input")
        if value.input_value() == self.label:
            return True
        self.page.locator(".st-key-chat_model_input").click()
        option = self.page.get_by_role("option", name=self.label, exact=True)
        try:
            option.wait_for(timeout=5_000)
        except PlaywrightTimeout:
            self.page.keyboard.press("Escape")
            return False
        option.click()
        settle(self.page, acted=True)
        return value.input_value() == self.label

    # following an answer

    def _follow(self) -> None:
        """Look at the settled page: the answer complete, or what a person would click to get it."""
        assert self.pending is not None
        settle(self.page)
        self._check_on_its_server()
        last = self.last
        text = last.inner_text()
        if f"end-{self.pending}." in text and last.get_by_role("button", name="Regenerate").count():
            if reply(self.server, self.pending) not in text:
                self._fail(f"{self.pending} was answered by another server than {self.server}")
            self._complete(text)
            return
        self.looks += 1
        if self.looks > LOOKS:
            self._fail(f"no complete answer to {self.pending} after {LOOKS} looks")
        again = self._again_button(last)
        if again is not None:
            key, button, failed = again
            if failed:
                self.failures.append(last.get_by_test_id("stAlert").first.inner_text())
            self.note(f"{'failed' if failed else 'cut'}: {key}, asked again")
            self.page.wait_for_timeout(PAUSE)
            button.click()
            self.clicked.add(key)
            self.retries += 1
            settle(self.page, acted=True)
        elif self._away():
            self._reconnect()
        elif self.page.locator(".st-key-chat_answer").count():
            self.note("Answer this message")
            self.page.locator(".st-key-chat_answer").get_by_role("button").click()
            settle(self.page, acted=True)
        elif (
            self.page.get_by_test_id("stChatMessage").filter(has_text=self.pending).count() == 0
            and self.page.get_by_test_id("stChatInputTextArea").is_enabled()
        ):
            self.unseen += 1
            if self.unseen >= 2:  # it was sent as the server went away, and the page lost it: noted, asked anew
                self.dropped.append(self.pending)
                self.note(f"lost {self.pending}, after: {' / '.join(self.journal[-6:])}")
                self.chats[-1].questions.remove(self.pending)
                self.pending = None
            else:
                self.page.wait_for_timeout(PAUSE)
        else:
            self.page.wait_for_timeout(PAUSE)  # still streaming, or the page has not caught up yet

    def _check_on_its_server(self) -> None:
        """A chat that has begun stays on its server: its box shows the session's ``model · server``."""
        if not self.chats or not self.chats[-1].questions:
            return
        value = self.page.locator(".st-key-chat_model_input input").input_value()
        if value not in (self.label, f"{self.label} · not answering"):
            self._fail(f"the chat's model box moved from {self.label!r} to {value!r}")

    def _fail(self, problem: str) -> None:
        self.page.screenshot(path=os.environ.get("SOAK_SCREENSHOT", "/tmp/fleet-soak-failure.png"), full_page=True)
        chat = self.chats[-1] if self.chats else Chat()
        raise AssertionError(
            f"session {self.number} ({self.server}), chat {chat.id} {chat.questions}: {problem}\n"
            + "\n".join(self.journal[-30:])
            + f"\n{' | '.join(self.main.inner_text().split())}"
        )

    def _complete(self, text: str) -> None:
        assert self.pending is not None
        assert f"{self.label} · " in text, text  # the answer's figures name the chat's server
        chat = self.chats[-1]
        address = parse_qs(urlsplit(self.page.url).query).get("chat", [])
        assert address, self.page.url
        if chat.id is None:
            chat.id = int(address[0])
        assert int(address[0]) == chat.id
        self.note(f"answered {self.pending}")
        self.pending = None
        self.answered += 1
        self.looks = 0

    def _again_button(self, last: Locator) -> tuple[str, Locator, bool] | None:
        """Retry under a failed answer, or Regenerate under a stopped or cut one, not clicked yet."""
        holder = last.locator("[class*='st-key-chat_again_']")
        if holder.count() == 0:
            return None
        key = re.search(r"st-key-(chat_again_\d+)", holder.first.get_attribute("class") or "")
        if key is None or key.group(1) in self.clicked:
            return None
        failed = holder.get_by_role("button", name="Retry").count() > 0
        if not failed and f"answer to {self.pending}" not in last.inner_text():
            return None  # the previous question's answer: nothing to do with it
        return key.group(1), holder.first.get_by_role("button"), failed

    def _away(self) -> bool:
        """The model box says the chat's server is not answering (its Retry is shown)."""
        return self.page.locator(".st-key-connection_retry").count() > 0

    def _reconnect(self) -> None:
        """The model box's Retry, after a moment: the page asks the servers again."""
        self.page.wait_for_timeout(PAUSE)
        self.page.locator(".st-key-connection_retry").get_by_role("button").click()
        self.reconnects += 1
        self.note("the model box's Retry")
        settle(self.page, acted=True)

    def _check_no_exception(self) -> None:
        exceptions = self.page.get_by_test_id("stException")
        if exceptions.count():
            raise AssertionError(f"session {self.number}: {exceptions.first.inner_text()}")

    # reloading

    def reload_and_check(self) -> None:
        """Reload: the open chat comes back whole, on its own server (the box shows its ``model · server``)."""
        self.reloads += 1
        self.note("reload")
        self.page.reload()
        settle(self.page, acted=True)
        chat = self.chats[-1] if self.chats else None
        if chat is None or chat.id is None:
            return
        assert f"chat={chat.id}" in self.page.url
        value = self.page.locator(".st-key-chat_model_input input")
        expect(value).to_have_value(re.compile(rf"^{re.escape(self.label)}( · not answering)?$"), timeout=SCREEN)
        messages = self.page.get_by_test_id("stChatMessage")
        expect(messages).to_have_count(2 * len(chat.questions), timeout=SCREEN)
        for index, question in enumerate(chat.questions):
            expect(messages.nth(2 * index)).to_contain_text(question)
            expect(messages.nth(2 * index + 1)).to_contain_text(reply(self.server, question))


def settle(page: Page, *, acted: bool = False) -> None:
    """Wait for the page to be at rest (no script running); ``acted``: an action was just taken, so first give
    its run a moment to begin (it may be over already)."""
    app = page.get_by_test_id("stApp")
    if acted:
        with contextlib.suppress(AssertionError):  # already over, or nothing to run
            expect(app).not_to_have_attribute("data-test-script-state", "notRunning", timeout=1_500)
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=SCREEN)


@pytest.fixture
def fleet() -> Iterator[tuple[FakeOllama, FakeOllama]]:
    with FakeOllama(token_delay=TOKEN_DELAY) as laptop, FakeOllama(token_delay=TOKEN_DELAY) as gpu:
        laptop.responder, gpu.responder = responder("laptop"), responder("gpu")
        yield laptop, gpu


def test_five_sessions_chat_through_a_restarting_server_and_no_answer_is_lost_or_misrouted(
    start_app, browser: Browser, fleet, capsys
):
    laptop, gpu = fleet
    urls = {"laptop": laptop.url, "gpu": gpu.url}
    app = start_app(OLLAMA_HOST=f"laptop={laptop.url},gpu={gpu.url}")
    sessions: list[Session] = []
    restarter = Restarter(gpu, RESTART_EVERY)
    try:
        for number, server in enumerate(SERVERS):
            context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
            context.set_default_timeout(SCREEN)
            page = context.new_page()
            page.goto(app.url + "/chat")
            expect(page.locator(".st-key-chat_model_input input")).to_be_visible(timeout=SCREEN)
            settle(page, acted=True)
            sessions.append(Session(number, server, context, page))
        restarter.start()
        end = time.monotonic() + SOAK_SECONDS
        while True:
            soaking = time.monotonic() < end
            if not soaking:
                restarter.finish.set()
                if all(session.pending is None for session in sessions):
                    break
            for session in sessions:
                session.step(soaking)
        restarter.join()
        for session in sessions:  # at the end, every session's open chat once more, after a reload
            session.reload_and_check()
    finally:
        restarter.finish.set()
        for session in sessions:
            session.context.close()

    asked = {question: session for session in sessions for chat in session.chats for question in chat.questions}
    chat_requests = {name: fake.requests_to("/api/chat") for name, fake in (("laptop", laptop), ("gpu", gpu))}
    cut = [r for r in chat_requests["gpu"] if r.client_disconnected]
    summary = (
        f"fleet soak: {SOAK_SECONDS:.0f} s, {len(sessions)} sessions, {len(asked)} questions "
        f"({sum(s.answered for s in sessions)} answered), "
        f"{sum(len(s.chats) for s in sessions)} chats, {sum(s.reloads for s in sessions)} reloads; "
        f"gpu restarted {restarter.restarts} times ({restarter.while_streaming} while streaming), "
        f"{len(cut)} answers cut; {sum(s.retries for s in sessions)} retries, "
        f"{sum(s.reconnects for s in sessions)} reconnects, {sum(len(s.failures) for s in sessions)} failures seen, "
        f"{sum(' (its server is away)' in line for s in sessions for line in s.journal)} questions sent as their "
        f"server went away, {sum(len(s.dropped) for s in sessions)} of them lost; requests: "
        f"{len(chat_requests['laptop'])} to laptop, {len(chat_requests['gpu'])} to gpu"
    )
    with capsys.disabled():
        print("\n" + summary)

    # Every question sent: exactly one complete answer in the database, from its session's server.
    store = ChatStore(Path(app.log_path.parent) / FILE_NAME)
    tracked = {chat.id: (session, chat) for session in sessions for chat in session.chats if chat.id is not None}
    assert {entry.id for entry in store.summaries(limit=100_000)} == set(tracked)
    for chat_id, (session, chat) in tracked.items():
        conversation = store.get(chat_id)
        assert conversation is not None
        assert (conversation.model, conversation.server) == (MODEL, urls[session.server])
        saved = store.messages(chat_id)
        assert [m.role for m in saved] == [USER, ASSISTANT] * len(chat.questions)
        assert [m.content for m in saved[::2]] == chat.questions
        for question, answer in zip(chat.questions, saved[1::2], strict=True):
            assert answer.status == DONE, (question, answer.status, answer.error)
            assert answer.server == conversation.server
            assert answer.content == reply(session.server, question)
    assert all(not chat.questions or chat.id is not None for session in sessions for chat in session.chats)

    # No question ever reached the other server; every question reached its own.
    for name, requests in chat_requests.items():
        for request in requests:
            questions = [m["content"] for m in request.body["messages"] if m["role"] == "user"]
            owners = {asked[question].number if question in asked else None for question in questions}
            assert len(owners) == 1 and None not in owners, (name, questions)
            assert asked[questions[-1]].server == name, (name, questions)
    reached = {name: {r.body["messages"][-1]["content"] for r in requests} for name, requests in chat_requests.items()}
    assert all(question in reached[session.server] for question, session in asked.items())

    # A soak that never hit a restart proves nothing.
    assert restarter.restarts >= int(SOAK_SECONDS // RESTART_EVERY) - 1
    assert cut, "no answer was cut by a restart"
    assert sum(len(s.failures) for s in sessions if s.server == "gpu") >= 1
    assert not [s.failures for s in sessions if s.server == "laptop" and s.failures]  # the steady server's chats
    lost = [line for s in sessions for line in s.journal if " lost " in line]
    assert not lost, "questions sent as their chat's server went away were lost:\n" + "\n".join(lost)
