"""The fake Ollama server in a child process, scripted from the benchmark through a manager proxy.

A separate process keeps the server's timing free of the benchmark's own work (decoding
websocket frames, Playwright's event loop). ``time.monotonic`` is the system-wide
``CLOCK_MONOTONIC`` on Linux, so the times in the server's request log compare directly with
``time.monotonic()`` here.
"""

from __future__ import annotations

from dataclasses import dataclass
from multiprocessing.managers import BaseManager
from typing import Self

from tests.fake_ollama import FakeOllama


@dataclass(frozen=True)
class Exchange:
    """What the server's log says about one request."""

    path: str
    started: float
    finished: float | None
    chunks: int
    status: int


class FakeControl:
    """Lives in the child process; the benchmark calls it through a proxy."""

    def __init__(self) -> None:
        self._fake = FakeOllama().start()

    def url(self) -> str:
        return self._fake.url

    def set_token_delay(self, seconds: float) -> None:
        self._fake.token_delay = seconds

    def script_reply(self, text: str) -> None:
        self._fake.script_reply(text)

    def clear_log(self) -> None:
        self._fake.log.clear()

    def exchanges(self, path: str) -> list[Exchange]:
        return [Exchange(r.path, r.started, r.finished, r.chunks_sent, r.status) for r in self._fake.requests_to(path)]

    def stop(self) -> None:
        self._fake.stop()


class _Manager(BaseManager):
    pass


_Manager.register("FakeControl", FakeControl)


class FakeServer:
    """Start with ``with FakeServer() as fake:``; ``fake.control`` is the proxy, ``fake.url`` its address."""

    def __init__(self) -> None:
        self._manager = _Manager()
        self.control: FakeControl
        self.url = ""

    def __enter__(self) -> Self:
        self._manager.start()
        self.control = self._manager.FakeControl()  # type: ignore[attr-defined]
        self.url = self.control.url()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.control.stop()
        self._manager.shutdown()
