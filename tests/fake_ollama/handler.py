"""The HTTP/1.1 request handler: read the request, log it, dispatch it, note how it ended."""

from __future__ import annotations

import json
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from . import routing
from .call import Call
from .exchange import ClientGone, Exchange, StreamCut
from .recording import Headers
from .slots import ClientGoneWhileQueued

if TYPE_CHECKING:
    from .server import FakeOllama


class FakeHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: FakeOllama) -> None:
        self.app = app
        super().__init__(address, Handler)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FakeHTTPServer

    def do_GET(self) -> None:
        self._serve()

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_GET  # noqa: N815 (http.server's names)

    def handle(self) -> None:
        """Serve keep-alive requests until the client goes; a reset between requests is normal."""
        try:
            super().handle()
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    def setup(self) -> None:
        super().setup()
        self.server.app.track(self.connection)

    def finish(self) -> None:
        self.server.app.untrack(self.connection)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log is the record."""

    def _serve(self) -> None:
        app = self.server.app
        started = time.monotonic_ns()
        raw = self._read_body()
        url = urlsplit(self.path)
        headers = Headers(self.headers.items())
        record = app.log.open(self.command, url.path, dict(parse_qsl(url.query)), headers, _json_or_none(raw), raw)
        faults = app.faults.take(url.path)
        exchange = Exchange(self, record, faults)
        call = Call(app, self.command, url.path, headers, raw, exchange, started, record)
        try:
            routing.dispatch(call, faults)
        except (ClientGone, ClientGoneWhileQueued):
            record.mark_disconnected()
            if not exchange.started:
                record.set_status(499)
            self.close_connection = True
        except StreamCut:
            pass
        finally:
            record.finish()

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""


def _json_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw.strip() else None
    except ValueError:
        return None
