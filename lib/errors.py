"""The one family of errors the Ollama client raises.

Every failure that can reach a user is an :class:`OllamaError` whose ``str()`` is a sentence a
person can act on; nothing else leaves the client (no ``requests`` or ``JSONDecodeError``)::

    OllamaError                 base: message, status_code (None when no HTTP answer), url
    ├── ServerUnreachable       refused, unknown host, connect timeout, TLS failure
    ├── RequestTimedOut         connected, but the server went quiet for longer than the read timeout
    ├── ResponseError           the server answered with an error status and {"error": ...}
    ├── NotOllamaResponse       the answer is not Ollama's JSON (an HTML page, garbage, empty)
    └── StreamError             a stream broke after it started; ``partial`` keeps what arrived
        └── ConnectionDropped   the connection closed or went quiet mid-stream

Callers branch on the class or on ``status_code``; users read the message. The client words
its messages as a catalog key and values (``lib/locales/errors.toml``), so a message is read in
the language of the session that shows it, even when a worker thread raised it; a message the
server wrote itself is shown as it came (``server_message``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lib.i18n import t


class OllamaError(Exception):
    """Base class: a readable message, the HTTP status if there was one, and the URL."""

    def __init__(self, message: str = "", *, key: str = "", values: Mapping[str, Any] | None = None,
                 status_code: int | None = None, url: str = "", server_message: str = "") -> None:
        super().__init__(message or key)
        self._message = message
        self.key = key
        self.values = dict(values or {})
        self.status_code = status_code
        self.url = url
        self.server_message = server_message  # the server's own words (Markdown-escaped), for callers that rephrase

    @property
    def message(self) -> str:
        """The sentence for the user, in the current session's language when the client worded it."""
        return t(self.key, **self.values) if self.key else self._message

    def __str__(self) -> str:
        return self.message


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


@dataclass
class Partial:
    """What a generate/chat stream delivered before it broke."""

    content: str = ""
    thinking: str = ""


class StreamError(OllamaError):
    """An ``{"error": ...}`` line arrived inside a 200 stream; the text before it is real output."""

    def __init__(self, message: str = "", *, partial: Partial, key: str = "", values: Mapping[str, Any] | None = None,
                 status_code: int | None = 200, url: str = "", server_message: str = "") -> None:
        super().__init__(message, key=key, values=values, status_code=status_code, url=url, server_message=server_message)
        self.partial = partial


class ConnectionDropped(StreamError):
    """The stream ended without its final object: the connection closed or timed out."""
