"""Writing one HTTP response: single bodies, NDJSON streams, and the faults that corrupt them.

Stream-corrupting faults ("error_line", "drop", "slow_first", "pause") live here so the
endpoints can produce their normal output and stay unaware of them.
"""

from __future__ import annotations

import contextlib
import json
import select
import socket
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler
from typing import Any

from .faults import Fault
from .recording import LiveRecord

JSON = "application/json; charset=utf-8"
PLAIN_JSON = "application/json"
"""What Ollama's own handlers set (instead of gin's default) for errors reported by a background goroutine."""
NDJSON = "application/x-ndjson"
TEXT = "text/plain; charset=utf-8"


_GO_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


class ClientGone(Exception):
    """The client closed the connection; stop producing output."""


class StreamCut(Exception):
    """The response already ended (a fault, or an in-stream error); the endpoint must stop here."""


def encode(payload: Any) -> bytes:
    """JSON the way Go writes it: compact, UTF-8, HTML-sensitive characters escaped."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in _GO_ESCAPES:
        text = text.replace(char, escaped)
    return text.encode()


class Exchange:
    def __init__(self, handler: BaseHTTPRequestHandler, record: LiveRecord, faults: list[Fault]) -> None:
        self._handler = handler
        self._record = record
        self._head_only = handler.command == "HEAD"
        self._line_fault = next((f for f in faults if f.kind in ("error_line", "drop")), None)
        self._first_byte_delay = sum(f.params["delay"] for f in faults if f.kind == "slow_first")
        self._pause = next((f for f in faults if f.kind == "pause"), None)
        self._lines = 0
        self.started = False

    # single responses

    def send_json(self, status: int, payload: Any, content_type: str = JSON) -> None:
        self._send_body(status, encode(payload), content_type)

    def send_error(self, status: int, message: str, content_type: str = JSON) -> None:
        self.send_json(status, {"error": message}, content_type)

    def send_text(
        self, status: int, text: str, content_type: str | None = TEXT, headers: tuple[tuple[str, str], ...] = ()
    ) -> None:
        self._send_body(status, text.encode(), content_type, headers)

    def send_empty(self, status: int = 200) -> None:
        self._send_body(status, b"", None)

    def _send_body(
        self, status: int, body: bytes, content_type: str | None, headers: tuple[tuple[str, str], ...] = ()
    ) -> None:
        """One body with a Content-Length; a pending "error_line"/"drop" fault makes a 200 a 500 or nothing."""
        fault = self._line_fault
        if fault is not None and status == 200:
            self._line_fault = None
            if fault.kind == "drop":
                self._drop()
            status, body, content_type, headers = 500, encode({"error": fault.params["message"]}), JSON, ()
        self._start(status, content_type, (*headers, ("Content-Length", str(len(body)))))
        if body and not self._head_only:
            self._write(body)
            self._record.count_chunk()

    # streams

    def open_stream(self, content_type: str = NDJSON) -> None:
        self._start(200, content_type, (("Transfer-Encoding", "chunked"),))

    def send_line(self, payload: Any, *, final: bool = False) -> None:
        """Write one NDJSON line as its own chunk, unless a fault cuts the stream here.

        A pending fault fires at the `final` line at the latest, so it always happens.
        """
        fault = self._line_fault
        if fault is not None and (final or self._lines >= fault.params["after"]):
            self._cut(fault)
        if self._pause is not None and self._lines == self._pause.params["after"]:
            delay, self._pause = self._pause.params["delay"], None
            self.pause(delay)
        if self.client_gone():
            raise ClientGone
        self._write_chunk(encode(payload) + b"\n")
        self._lines += 1
        self._record.count_chunk()

    def close_stream(self) -> None:
        self._write(b"0\r\n\r\n")

    def _cut(self, fault: Fault) -> None:
        self._line_fault = None
        if fault.kind == "drop":
            self._drop()
        self._write_chunk(encode({"error": fault.params["message"]}) + b"\n")
        self._record.count_chunk()
        self._write(b"0\r\n\r\n")
        raise StreamCut

    def _write_chunk(self, data: bytes) -> None:
        self._write(f"{len(data):x}\r\n".encode() + data + b"\r\n")

    # connection

    def client_gone(self) -> bool:
        """True once the peer has closed its end (readable socket with nothing to read)."""
        sock = self._handler.connection
        try:
            readable, _, _ = select.select([sock], [], [], 0)
            return bool(readable) and sock.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True

    def pause(self, seconds: float) -> None:
        """Sleep, noticing a client that hangs up meanwhile."""
        deadline = time.monotonic() + seconds
        while True:
            if self.client_gone():
                raise ClientGone
            left = deadline - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(left, 0.01))

    def _start(self, status: int, content_type: str | None, headers: tuple[tuple[str, str], ...]) -> None:
        if self._first_byte_delay:
            delay, self._first_byte_delay = self._first_byte_delay, 0
            self.pause(delay)
        handler = self._handler
        handler.send_response_only(status)
        handler.send_header("Date", formatdate(usegmt=True))
        if content_type:
            handler.send_header("Content-Type", content_type)
        for name, value in headers:
            handler.send_header(name, value)
        try:
            handler.end_headers()
        except OSError as error:
            raise ClientGone from error
        self.started = True
        self._record.set_status(status)

    def _write(self, data: bytes) -> None:
        try:
            self._handler.wfile.write(data)
            self._handler.wfile.flush()
        except OSError as error:
            raise ClientGone from error

    def _drop(self) -> None:
        """Close the socket abruptly: no terminating chunk, no more bytes."""
        self._handler.close_connection = True
        with contextlib.suppress(OSError):
            self._handler.connection.shutdown(socket.SHUT_RDWR)
        raise StreamCut
