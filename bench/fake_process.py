"""The fake Ollama server in a child process, scripted from the benchmark through a manager proxy.

A separate process keeps the server's timing free of the benchmark's own work (decoding
websocket frames, Playwright's event loop). ``time.monotonic`` is the system-wide
``CLOCK_MONOTONIC`` on Linux, so the times in the server's request log compare directly with
``time.monotonic()`` here.
"""

from __future__ import annotations

import json
import multiprocessing
import socket
import socketserver
import threading
from dataclasses import dataclass
from multiprocessing.managers import BaseManager
from typing import Self
from urllib.parse import urlsplit

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

    def record_replay(self, path: str, body: dict) -> str:
        """Record the fake's whole HTTP response to ``body`` once; serve it verbatim, at memory speed.

        Returns the replay server's URL. Every request to it, whatever it asks, gets the same
        bytes in one write, then the connection closes: the client is then the only bottleneck.
        """
        raw = _fetch_raw(self._fake.url, path, body)
        head, separator, rest = raw.partition(b"\r\n\r\n")
        self._replay = _ReplayServer(("127.0.0.1", 0), head + b"\r\nConnection: close" + separator + rest)
        threading.Thread(target=self._replay.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return f"http://127.0.0.1:{self._replay.server_address[1]}"

    def stop(self) -> None:
        if getattr(self, "_replay", None) is not None:
            self._replay.shutdown()
            self._replay.server_close()
        self._fake.stop()


def _fetch_raw(url: str, path: str, body: dict) -> bytes:
    """The raw bytes of one response (status line, headers, chunked body), read to the end."""
    address = urlsplit(url)
    payload = json.dumps(body).encode()
    request = (
        f"POST {path} HTTP/1.1\r\nHost: {address.netloc}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n"
    ).encode() + payload
    with socket.create_connection((address.hostname, address.port)) as connection:
        connection.sendall(request)
        parts = []
        while chunk := connection.recv(1 << 16):
            parts.append(chunk)
    return b"".join(parts)


class _ReplayServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], response: bytes) -> None:
        self.response = response
        super().__init__(address, _ReplayHandler)


class _ReplayHandler(socketserver.StreamRequestHandler):
    server: _ReplayServer

    def handle(self) -> None:
        length = 0
        while (line := self.rfile.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        self.rfile.read(length)
        self.wfile.write(self.server.response)
        self.wfile.flush()


class _Manager(BaseManager):
    pass


_Manager.register("FakeControl", FakeControl)


class FakeServer:
    """Start with ``with FakeServer() as fake:``; ``fake.control`` is the proxy, ``fake.url`` its address."""

    def __init__(self) -> None:
        # Spawned, not forked: the benchmark or a test session may have threads running.
        self._manager = _Manager(ctx=multiprocessing.get_context("spawn"))
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
