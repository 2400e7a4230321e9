"""The one family of errors the Ollama client raises, as data the screen words.

Every failure that can reach a user is an :class:`OllamaError`; nothing else leaves the client
(no ``requests`` or ``JSONDecodeError``)::

    OllamaError                 base: key, values, status_code (None when no HTTP answer), url, server_message
    ├── ServerUnreachable       refused, unknown host, connect timeout, TLS failure
    ├── RequestTimedOut         connected, but the server went quiet for longer than the read timeout
    ├── ResponseError           the server answered with an error status and {"error": ...}
    ├── NotOllamaResponse       the answer is not Ollama's JSON (an HTML page, garbage, empty)
    └── StreamError             a stream broke after it started; ``partial`` keeps what arrived
        └── ConnectionDropped   the connection closed or went quiet mid-stream

An error is a catalog key (``lib/locales/errors.toml``) and its values, like
:class:`lib.ollama.host.InvalidHost`: the screen turns it into a sentence in the visitor's
language (:func:`lib.ui.errors.error_text`), even when a worker thread raised it. Values are
kept as they came (the server's own words too, in ``server_message``); the screen escapes them.
Callers branch on the class or on ``status_code``.

:func:`transport_error` and :func:`dropped_error` turn ``requests``' exceptions into these, by
exception type, in one table each (as httpx's ``map_httpcore_exceptions`` does).
"""

from __future__ import annotations

import http.client
import re
import socket
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import requests
import urllib3.exceptions


class OllamaError(Exception):
    """Base class: what went wrong as a catalog key and values, the HTTP status if any, and the URL."""

    def __init__(
        self,
        key: str,
        values: Mapping[str, Any] | None = None,
        *,
        status_code: int | None = None,
        url: str = "",
        server_message: str = "",
    ) -> None:
        super().__init__(key)
        self.key = key
        self.values = dict(values or {})
        self.status_code = status_code
        self.url = url
        self.server_message = server_message  # the server's own words, unescaped, for callers that rephrase

    def __str__(self) -> str:
        """For logs and tracebacks; the screen words the error with :func:`lib.ui.errors.error_text`."""
        return f"{self.key} {self.values}" if self.values else self.key


class ServerUnreachable(OllamaError):
    """No HTTP conversation happened at all."""


class RequestTimedOut(OllamaError):
    """The server accepted the request but sent nothing for longer than the read timeout."""


class ResponseError(OllamaError):
    """The server answered with an error status and an ``{"error": ...}`` body."""

    @property
    def model_missing(self) -> bool:
        return self.status_code == 404


class NotOllamaResponse(OllamaError):
    """The body is not what an Ollama server sends."""


class EndpointNotFound(NotOllamaResponse):
    """The server has no such route (a plain-text 404): too old, or not Ollama."""


@dataclass
class Partial:
    """What a generate/chat stream delivered before it broke."""

    content: str = ""
    thinking: str = ""


class StreamError(OllamaError):
    """An ``{"error": ...}`` line arrived inside a 200 stream; the text before it is real output."""

    def __init__(
        self,
        key: str,
        values: Mapping[str, Any] | None = None,
        *,
        partial: Partial,
        status_code: int | None = 200,
        url: str = "",
        server_message: str = "",
    ) -> None:
        super().__init__(key, values, status_code=status_code, url=url, server_message=server_message)
        self.partial = partial


class ConnectionDropped(StreamError):
    """The stream ended without its final object: the connection closed or timed out."""


# What a failed connection attempt means, by the type of the exception at its root. The first
# row whose type appears anywhere in the exception's chain (causes, contexts, wrapped reasons) wins.
# (urllib3's ConnectTimeoutError is not listed: its NewConnectionError, a refusal, derives from it.)
_CONNECT_FAILURES: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((requests.exceptions.ConnectTimeout,), "errors.connect_timeout"),
    ((requests.exceptions.ReadTimeout, urllib3.exceptions.ReadTimeoutError), "errors.read_timeout"),
    ((requests.exceptions.SSLError, urllib3.exceptions.SSLError), "errors.tls"),
    ((urllib3.exceptions.NameResolutionError, socket.gaierror), "errors.unknown_host"),
    (
        (http.client.RemoteDisconnected, http.client.BadStatusLine, ConnectionResetError),
        "errors.closed_without_answer",
    ),
    ((ConnectionRefusedError, requests.exceptions.ConnectionError), "errors.nothing_answers"),
)

# A stream that broke after it started: quiet for too long, or cut.
_QUIET = (requests.exceptions.ReadTimeout, urllib3.exceptions.ReadTimeoutError, TimeoutError)


def transport_error(base_url: str, where: str, exc: requests.RequestException, read_timeout: float) -> OllamaError:
    """The error for a request that got no HTTP answer at all."""
    values: dict[str, Any] = {"where": where}
    key = next((key for types, key in _CONNECT_FAILURES if _caused_by(exc, types)), "errors.request_failed")
    if key == "errors.read_timeout":
        return RequestTimedOut(key, {**values, "n": seconds_value(read_timeout)}, url=base_url)
    if key == "errors.request_failed":
        values["kind"] = type(exc).__name__
    return ServerUnreachable(key, values, url=base_url)


def dropped_error(
    where: str, exc: requests.RequestException, read_timeout: float, partial: Partial, url: str
) -> ConnectionDropped:
    """The error for a stream that broke after it started, keeping what arrived."""
    kept = bool(partial.content or partial.thinking)
    if _caused_by(exc, _QUIET):
        key = "errors.went_quiet_kept" if kept else "errors.went_quiet"
    else:
        key = "errors.dropped_kept" if kept else "errors.dropped"
    return ConnectionDropped(key, {"where": where, "n": seconds_value(read_timeout)}, partial=partial, url=url)


# A file path (with its line and column, if any). Where a server's own code failed says nothing to a user.
_PATH = re.compile(
    r"(?:[A-Za-z]:)?(?:[\\/][\w.@+-]+){2,}(?::\d+)*|\b[\w-]+\.(?:go|py|c|cc|cpp|h|rs|js|ts):\d+(?::\d+)*"
)
_TRACEBACK = "Traceback (most recent call last):"
SERVER_WORDS_LIMIT = 200


def server_words(text: str) -> str:
    """What a server said about a failure, fit to show a user: one line, no file paths or stack, at most 200 characters.

    A Python traceback gives its last line (the exception); any other text its first non-empty
    line (a Go panic's message comes before its goroutine dump).
    """
    lines = [line.strip() for line in text.replace("\r", "\n").split("\n") if line.strip()]
    if not lines:
        return ""
    line = lines[-1] if lines[0].startswith(_TRACEBACK) else lines[0]
    line = re.sub(r"\s+([:,;])", r"\1", " ".join(_PATH.sub("", line).split())).strip(" :,;")
    return line if len(line) <= SERVER_WORDS_LIMIT else line[: SERVER_WORDS_LIMIT - 1].rstrip() + "…"


def seconds_value(value: float) -> int | float:
    """Seconds as typed: 30, not 30.0; the catalog's counted forms say "1 second" or "30 seconds"."""
    return int(value) if float(value).is_integer() else value


def _caused_by(exc: BaseException, types: tuple[type[BaseException], ...]) -> bool:
    return any(isinstance(link, types) for link in _chain(exc))


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and every exception behind it: ``__cause__``, ``__context__``, and the exceptions
    ``requests`` and ``urllib3`` wrap in their arguments (``MaxRetryError.reason``, ``ProtocolError``'s
    second argument)."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        link = pending.pop()
        if id(link) in seen:
            continue
        seen.add(id(link))
        yield link
        behind = [link.__cause__, link.__context__, getattr(link, "reason", None), *link.args]
        pending.extend(item for item in behind if isinstance(item, BaseException))
