"""A streamed answer in the browser: websocket bytes, main-thread time, last token to full text on screen.

One run: open the page in a new session, wait until it is idle, and (for a follow-up) ask a short
first question, untimed; then script the fake's next reply, type the question into the chat box,
and wait until the answer's last words are on screen with no cursor, then until the run (and any
rerun: our Chat page reruns after the first answer of a new chat) has finished and the socket has
been quiet for 0.3 s. Bytes and main-thread time cover that whole window.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter
from dataclasses import dataclass

from playwright.sync_api import Browser

from bench.browser import Probe, bytes_by_kind, count_by_kind
from bench.fake_process import FakeServer
from bench.texts import answer, tail

# Records the wall-clock time in ms when the last chat message first holds `tail` (both without
# whitespace) and no cursor, and
# before that each time the text of the last chat message changed length (the answer visibly moving).
_WATCH = """
(tail) => {
  window.__benchDone = undefined;
  window.__benchUpdates = [];
  let shownLength = -1;
  const observer = new MutationObserver(() => {
    const messages = document.querySelectorAll('[data-testid="stChatMessage"]');
    const last = messages[messages.length - 1];
    if (!last) return;
    const now = performance.timeOrigin + performance.now();
    const raw = last.textContent;
    if (raw.length !== shownLength) {
      shownLength = raw.length;
      window.__benchUpdates.push(now);
    }
    const text = raw.replace(/\\s+/g, '');
    if (text.includes(tail) && !text.includes('\u258c')) {
      window.__benchDone = now;
      observer.disconnect();
    }
  });
  observer.observe(document.body, {childList: true, subtree: true, characterData: true});
}
"""


FIRST_ANSWER = "A short first answer."


@dataclass(frozen=True)
class StreamRun:
    app: str
    tokens: int
    characters: int
    ws_bytes: int
    main_thread: float  # seconds of TaskDuration
    script: float  # seconds of ScriptDuration
    last_token_to_screen: float  # seconds
    stream_seconds: float  # server's first byte to last token
    longest_pause: float  # seconds: the longest time the answer on screen did not change while streaming
    by_kind: Counter
    frames_by_kind: Counter

    @property
    def bytes_per_char(self) -> float:
        return self.ws_bytes / self.characters

    @property
    def main_thread_per_1000(self) -> float:
        return self.main_thread / self.tokens * 1000


def stream_once(
    browser: Browser, fake: FakeServer, url: str, app: str, tokens: int, seed: int, *, follow_up: bool = True
) -> StreamRun:
    """``follow_up``: the measured question is the second of a conversation, as most questions are."""
    text = answer(tokens, seed)
    with Probe(browser) as probe:
        page = probe.page
        page.goto(url)
        box = page.get_by_test_id("stChatInput").locator("textarea")
        box.wait_for()
        probe.wait_for_run(0, quiet=0.5)
        if follow_up:
            fake.control.script_reply(FIRST_ANSWER)
            first = len(probe.received)
            box.fill("First question")
            box.press("Enter")
            page.get_by_test_id("stChatMessage").filter(has_text=FIRST_ANSWER).wait_for(timeout=60_000)
            probe.wait_for_run(first, quiet=0.5)
        page.evaluate(_WATCH, tail(text))
        fake.control.clear_log()
        fake.control.script_reply(text)
        start = len(probe.received)
        before = probe.main_thread()
        box.fill("Benchmark question")
        box.press("Enter")
        page.wait_for_function("window.__benchDone !== undefined", timeout=180_000, polling=100)
        probe.wait_for_run(start, timeout=120, quiet=0.3)
        after = probe.main_thread()
        shown_at = page.evaluate("window.__benchDone") / 1000
        updates = [t / 1000 for t in page.evaluate("window.__benchUpdates")]
        clock_offset = time.time() - time.monotonic()
        exchange = fake.control.exchanges("/api/chat")[-1]
        frames = probe.received[start:]
    assert exchange.finished is not None
    return StreamRun(
        app=app,
        tokens=tokens,
        characters=len(text),
        ws_bytes=sum(frame.size for frame in frames),
        main_thread=after["TaskDuration"] - before["TaskDuration"],
        script=after["ScriptDuration"] - before["ScriptDuration"],
        last_token_to_screen=shown_at - (exchange.finished + clock_offset),
        stream_seconds=exchange.finished - exchange.started,
        longest_pause=longest_pause(updates, exchange.started + clock_offset, shown_at),
        by_kind=bytes_by_kind(frames),
        frames_by_kind=count_by_kind(frames),
    )


def longest_pause(updates: list[float], started: float, done: float) -> float:
    """The longest gap between the answer's visible changes from the server's first token until it is all shown.

    ``updates`` are the times the last chat message changed; the stream's start counts as one (the
    first words are awaited too), changes before it (the question appearing) do not.
    """
    times = [started, *(t for t in updates if started < t < done), done]
    return max(later - earlier for earlier, later in itertools.pairwise(times))


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
