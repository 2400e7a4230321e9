"""Rerun time of the Chat page holding a 1,000-message conversation.

The conversation is written with the app's own store (lib/chat/store.py) into the app's data
directory, then opened at ``/chat?chat=<id>``. Each rerun is Streamlit's own "Rerun" (the
``r`` key, as in the app menu), which changes no widget; it is timed in the browser from the
``rerun_script`` message the page sends to the ``script_finished`` message it receives (both
DevTools timestamps on the websocket), so it includes the script run and the sending of its
output, but not the page's drawing.
"""

from __future__ import annotations

import random
import statistics
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser

from bench.browser import Probe
from lib.chat.history import ASSISTANT, USER, Conversation, Message
from lib.chat.store import FILE_NAME, ChatStore
from lib.ollama.stats import RunStats

MODEL = "llama3.2:latest"


def create_conversation(data_dir: Path, messages: int, title: str = "Benchmark: long chat") -> int:
    """A conversation of ``messages`` alternating questions and answers of realistic length."""
    rng = random.Random(3)
    words = ("model", "answer", "stream", "token", "server", "paragraph", "message", "context", "detail", "value")
    history = []
    for index in range(messages):
        if index % 2 == 0:
            history.append(Message(USER, " ".join(rng.choice(words) for _ in range(12)).capitalize() + "?"))
        else:
            paragraphs = [
                "\n".join(" ".join(rng.choice(words) for _ in range(15)).capitalize() + "." for _ in range(4))
                for _ in range(3)
            ]
            history.append(
                Message(
                    ASSISTANT,
                    "\n\n".join(paragraphs),
                    model=MODEL,
                    stats=RunStats(time_to_first_token=0.2, output_tokens=180, output_tokens_per_second=42.0),
                )
            )
    store = ChatStore(data_dir / FILE_NAME)
    return store.import_conversation(Conversation(title=title, model=MODEL), history)


@dataclass(frozen=True)
class RerunResult:
    messages: int
    times: list[float]  # seconds per rerun
    sent: list[tuple[int, int]]  # websocket messages and bytes the page received per rerun

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def median_messages(self) -> float:
        return statistics.median(count for count, _ in self.sent)

    @property
    def median_bytes(self) -> float:
        return statistics.median(size for _, size in self.sent)


def time_reruns(browser: Browser, url: str, messages: int, reruns: int) -> RerunResult:
    """Open ``url`` and time ``reruns`` reruns after the first (warm-up) one."""
    times, traffic = [], []
    with Probe(browser) as probe:
        page = probe.page
        page.goto(url)
        page.get_by_test_id("stChatInput").wait_for()
        probe.wait_for_run(0, quiet=0.5)
        for attempt in range(reruns + 1):
            sent, received = len(probe.sent), len(probe.received)
            page.locator("body").press("r")
            finished = probe.wait_for_run(received, quiet=0.2)
            request = next(frame for frame in probe.sent[sent:] if frame.kind == "rerun_script")
            if attempt:
                times.append(finished.timestamp - request.timestamp)
                frames = [frame for frame in probe.received[received:] if frame.timestamp <= finished.timestamp]
                traffic.append((len(frames), sum(frame.size for frame in frames)))
    return RerunResult(messages, times, traffic)
