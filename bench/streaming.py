"""Streamed answers in the browser, as a user sees them: visible updates and their gaps, main-thread
time, websocket bytes, and the last token to the full text on screen.

One run: open the page in a new session and wait until it is idle; for the Chat pages, ask a short
first question, untimed (most questions follow others); then script the fake's replies, ask, and
wait until every answer's last words are on screen with no cursor, then until the app's run has
finished and the socket has been quiet for 0.3 s. Bytes and main-thread time cover that window.

What is on screen is watched with a ``MutationObserver`` on each answer's element (the last chat
message; Generate's answer; each Compare column): every change of its text length is a visible
update, timed with ``performance.timeOrigin + performance.now()``.
"""

from __future__ import annotations

import itertools
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from playwright.sync_api import Browser, Page

from bench.browser import Probe, bytes_by_kind, count_by_kind
from bench.fake_process import FakeServer
from bench.texts import tail

# For each selector: the times its last matching element's text changed length, and when it first
# held its tail (without whitespace) and no cursor.
_WATCH = """
({selectors, tails}) => {
  const bench = {updates: selectors.map(() => []), done: selectors.map(() => null)};
  window.__bench = bench;
  const shown = selectors.map(() => -1);
  const observer = new MutationObserver(() => {
    const now = performance.timeOrigin + performance.now();
    selectors.forEach((selector, i) => {
      if (bench.done[i] !== null) return;
      const all = document.querySelectorAll(selector);
      const element = all[all.length - 1];
      if (!element) return;
      const raw = element.textContent;
      if (raw.length !== shown[i]) {
        shown[i] = raw.length;
        bench.updates[i].push(now);
      }
      const text = raw.replace(/\\s+/g, '');
      if (text.includes(tails[i]) && !text.includes('\u258c')) bench.done[i] = now;
    });
    if (bench.done.every((done) => done !== null)) observer.disconnect();
  });
  observer.observe(document.body, {childList: true, subtree: true, characterData: true});
}
"""

FIRST_ANSWER = "A short first answer."
CHAT_MESSAGE = '[data-testid="stChatMessage"]'


@dataclass(frozen=True)
class Screen:
    """How to ask a question on one page, and where its answers appear."""

    path: str  # under the app's address
    endpoint: str  # the fake's route the answers stream from
    selectors: tuple[str, ...]  # one per answer shown at once
    ask: Callable[[Page, str], None]
    follow_up: bool = False  # ask a short first question first, untimed

    @property
    def columns(self) -> int:
        return len(self.selectors)


def _chat_box(page: Page) -> None:
    page.get_by_test_id("stChatInput").locator("textarea").wait_for()


def _ask_chat(page: Page, question: str) -> None:
    box = page.get_by_test_id("stChatInput").locator("textarea")
    box.fill(question)
    box.press("Enter")


def _ask_generate(page: Page, question: str) -> None:
    main = page.get_by_test_id("stMain")
    box = main.get_by_label("Prompt", exact=True)
    box.fill(question)
    box.press("Control+Enter")
    main.get_by_role("button", name="Generate", exact=True).click()


def _ask_compare(page: Page, question: str) -> None:
    main = page.get_by_test_id("stMain")
    box = main.get_by_label("Prompt", exact=True)
    box.fill(question)
    box.press("Control+Enter")
    main.get_by_role("button", name="Compare", exact=True).click()


def _prepare_compare(page: Page, columns: int) -> None:
    main = page.get_by_test_id("stMain")
    main.get_by_text("Compare side by side").click()
    main.get_by_test_id("stButtonGroup").filter(has_text="Columns").get_by_text(str(columns), exact=True).click()
    main.get_by_text(f"Column {'ABCD'[columns - 1]}", exact=True).wait_for()
    thinking_off = main.get_by_role("radiogroup", name="Think").get_by_role("radio", name="Off")
    for index in range(thinking_off.count()):  # a thinking model would think before writing: not this measure
        if not thinking_off.nth(index).is_checked():
            thinking_off.nth(index).click()


CHAT = Screen("/chat", "/api/chat", (CHAT_MESSAGE,), _ask_chat, follow_up=True)
NAIVE = Screen("", "/api/chat", (CHAT_MESSAGE,), _ask_chat, follow_up=True)
# While it streams, then drawn finished in the run's result.
GENERATE = Screen("/generate", "/api/generate", (".st-key-generate_answer, .st-key-generate_result",), _ask_generate)
COMPARE_COLUMNS = 4
COMPARE = Screen(
    "/generate",
    "/api/generate",
    # While they stream (by position on screen), then drawn finished (by column; not blind: the same).
    tuple(f".st-key-compare_answer_{column}, .st-key-compare_result_{column}" for column in range(COMPARE_COLUMNS)),
    _ask_compare,
)


@dataclass(frozen=True)
class StreamRun:
    app: str
    tokens: int  # over every answer
    characters: int  # over every answer
    ws_bytes: int
    main_thread: float  # seconds of TaskDuration
    last_token_to_screen: float  # seconds: the last answer's last token to all of it on screen
    stream_seconds: float  # server's first byte to last token, the longest answer's
    updates: int  # visible updates while tokens arrive, the median answer's
    median_gap: float  # seconds between visible updates while tokens arrive, over every answer
    longest_gap: float  # seconds, over every answer
    by_kind: Counter
    frames_by_kind: Counter

    @property
    def bytes_per_char(self) -> float:
        return self.ws_bytes / self.characters

    @property
    def main_thread_per_1000(self) -> float:
        return self.main_thread / self.tokens * 1000

    @property
    def updates_per_second(self) -> float:
        return 1 / self.median_gap if self.median_gap else 0.0


def stream_once(
    browser: Browser, fake: FakeServer, url: str, app: str, screen: Screen, texts: list[str], tokens: int
) -> StreamRun:
    """Ask once on ``screen`` of the app at ``url``; each answer is one of ``texts`` (``tokens`` in all)."""
    with Probe(browser) as probe:
        page = probe.page
        page.goto(url + screen.path)
        if screen is COMPARE:
            page.get_by_test_id("stMain").get_by_text("Compare side by side").wait_for()
            probe.wait_for_run(0, quiet=0.5)
            start = len(probe.received)
            _prepare_compare(page, screen.columns)
            probe.wait_for_run(start, quiet=0.5)
        elif screen is GENERATE:
            page.get_by_test_id("stMain").get_by_label("Prompt", exact=True).wait_for()
            probe.wait_for_run(0, quiet=0.5)
        else:
            _chat_box(page)
            probe.wait_for_run(0, quiet=0.5)
        if screen.follow_up:
            fake.control.script_reply(FIRST_ANSWER)
            first = len(probe.received)
            screen.ask(page, "First question")
            page.get_by_test_id("stChatMessage").filter(has_text=FIRST_ANSWER).wait_for(timeout=60_000)
            probe.wait_for_run(first, quiet=0.5)
        page.evaluate(_WATCH, {"selectors": list(screen.selectors), "tails": [tail(text) for text in texts]})
        fake.control.clear_log()
        for text in texts:
            fake.control.script_reply(text)
        start = len(probe.received)
        before = probe.main_thread()
        screen.ask(page, "Benchmark question")
        page.wait_for_function("() => window.__bench.done.every((d) => d !== null)", timeout=600_000, polling=100)
        probe.wait_for_run(start, timeout=120, quiet=0.3)
        after = probe.main_thread()
        watched = page.evaluate("window.__bench")
        clock_offset = time.time() - time.monotonic()
        exchanges = fake.control.exchanges(screen.endpoint)[-len(texts) :]
        frames = probe.received[start:]
    assert all(exchange.finished is not None for exchange in exchanges)
    first_byte = min(exchange.started for exchange in exchanges) + clock_offset
    last_token = max(exchange.finished for exchange in exchanges) + clock_offset
    done = [moment / 1000 for moment in watched["done"]]
    gaps, counts = [], []
    for updates, finished in zip(watched["updates"], done, strict=True):
        shown = [moment / 1000 for moment in updates if first_byte < moment / 1000 <= finished]
        counts.append(len(shown))
        gaps += answer_gaps(shown)
    return StreamRun(
        app=app,
        tokens=tokens,
        characters=sum(len(text) for text in texts),
        ws_bytes=sum(frame.size for frame in frames),
        main_thread=after["TaskDuration"] - before["TaskDuration"],
        last_token_to_screen=max(done) - last_token,
        stream_seconds=max(exchange.finished - exchange.started for exchange in exchanges),
        updates=int(statistics.median(counts)),
        median_gap=statistics.median(gaps) if gaps else 0.0,
        longest_gap=max(gaps, default=0.0),
        by_kind=bytes_by_kind(frames),
        frames_by_kind=count_by_kind(frames),
    )


def answer_gaps(updates: list[float]) -> list[float]:
    """The times between an answer's visible updates while its tokens arrive: from its first words to its last.

    The wait for the first words (the model loading, the request queued) is the server's, not a pause.
    """
    return [later - earlier for earlier, later in itertools.pairwise(updates)]


def idle_main_thread(browser: Browser, url: str, seconds: float) -> float:
    """Main-thread seconds per second of a page left alone once drawn: nothing streams, nothing is drawn."""
    with Probe(browser) as probe:
        probe.page.goto(url)
        probe.page.get_by_test_id("stChatInput").locator("textarea").wait_for()
        probe.wait_for_run(0, quiet=0.5)
        before = probe.main_thread()
        probe.page.wait_for_timeout(int(seconds * 1000))
        after = probe.main_thread()
    return (after["TaskDuration"] - before["TaskDuration"]) / seconds
