"""Headless Chromium through the DevTools protocol: websocket frames and main-thread time.

Every websocket frame the page receives is decoded as Streamlit's ``ForwardMsg``, so a run's
end is the ``script_finished`` message itself, and bytes can be broken down by what they
carried. Frames the page sends are decoded as ``BackMsg`` (a rerun request starts a rerun).
"""

from __future__ import annotations

import base64
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Self

from google.protobuf.message import DecodeError
from playwright.sync_api import Browser, Page, sync_playwright
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
FINISHED = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_SUCCESSFULLY")


@dataclass(frozen=True)
class Frame:
    """One websocket message: its DevTools timestamp (seconds), payload size and what it carried."""

    timestamp: float
    size: int
    kind: str  # ForwardMsg/BackMsg type, e.g. "delta", "script_finished", "rerun_script"
    detail: str = ""  # a delta's element type, or a script_finished status


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Probe:
    """A page in a fresh browser context (a new Streamlit session) with DevTools listeners."""

    def __init__(self, browser: Browser) -> None:
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.context.set_default_timeout(60_000)
        self.page: Page = self.context.new_page()
        self.cdp = self.context.new_cdp_session(self.page)
        self.received: list[Frame] = []
        self.sent: list[Frame] = []
        self.cdp.on("Network.webSocketFrameReceived", self._on_received)
        self.cdp.on("Network.webSocketFrameSent", self._on_sent)
        self.cdp.send("Network.enable")
        self.cdp.send("Performance.enable", {"timeDomain": "threadTicks"})

    def close(self) -> None:
        self.context.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # listeners

    def _on_received(self, event: dict) -> None:
        data = _payload(event["response"])
        message = ForwardMsg()
        kind, detail = "undecoded", ""
        if _parses(message, data):
            kind = message.WhichOneof("type") or "other"
            if kind == "delta":
                detail = message.delta.WhichOneof("type") or ""
                if detail == "new_element":
                    detail = message.delta.new_element.WhichOneof("type") or "element"
            elif kind == "script_finished":
                detail = ForwardMsg.ScriptFinishedStatus.Name(message.script_finished)
        self.received.append(Frame(event["timestamp"], len(data), kind, detail))

    def _on_sent(self, event: dict) -> None:
        data = _payload(event["response"])
        message = BackMsg()
        kind = (message.WhichOneof("type") or "other") if _parses(message, data) else "undecoded"
        self.sent.append(Frame(event["timestamp"], len(data), kind))

    # measuring

    def main_thread(self) -> dict[str, float]:
        """Cumulative seconds of main-thread work (TaskDuration, ScriptDuration, ...).

        Measured in thread CPU time (``threadTicks``), not wall time, so other processes competing
        for the shared cores do not inflate it.
        """
        return {m["name"]: m["value"] for m in self.cdp.send("Performance.getMetrics")["metrics"]}

    def wait_until(self, condition: Callable[[], bool], timeout: float = 60, step_ms: int = 20) -> None:
        """Poll ``condition`` while Playwright delivers DevTools events."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("the page did not reach the expected state in time")
            self.page.wait_for_timeout(step_ms)

    def finished_after(self, index: int) -> Frame | None:
        """The first successful ``script_finished`` among the frames received from ``index`` on."""
        return next(
            (f for f in self.received[index:] if f.kind == "script_finished" and f.detail == "FINISHED_SUCCESSFULLY"),
            None,
        )

    def wait_for_run(self, index: int, timeout: float = 60, quiet: float = 0.3) -> Frame:
        """Wait for a run to finish after frame ``index``, then for ``quiet`` seconds without frames."""
        self.wait_until(lambda: self.finished_after(index) is not None, timeout)
        self.wait_quiet(quiet)
        finished = self.finished_after(index)
        assert finished is not None
        return finished

    def wait_quiet(self, quiet: float = 0.3, timeout: float = 30) -> None:
        def calm() -> bool:
            count = len(self.received)
            self.page.wait_for_timeout(int(quiet * 1000))
            return len(self.received) == count

        self.wait_until(calm, timeout, step_ms=1)


def bytes_by_kind(frames: list[Frame]) -> Counter[str]:
    """Payload bytes per message kind (``delta:markdown``, ``script_finished``, ...)."""
    total: Counter[str] = Counter()
    for frame in frames:
        total[_kind(frame)] += frame.size
    return total


def count_by_kind(frames: list[Frame]) -> Counter[str]:
    """Messages per kind: each delta is a separate update the page's React tree applies."""
    return Counter(_kind(frame) for frame in frames)


def _kind(frame: Frame) -> str:
    return f"{frame.kind}:{frame.detail}" if frame.kind == "delta" else frame.kind


def _parses(message: ForwardMsg | BackMsg, data: bytes) -> bool:
    try:
        message.ParseFromString(data)
    except DecodeError:
        return False
    return True


def _payload(response: dict) -> bytes:
    if response.get("opcode") == 2:
        return base64.b64decode(response["payloadData"])
    return response["payloadData"].encode()
