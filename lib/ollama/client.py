"""The Ollama HTTP client: the only module in the app that imports ``requests``.

Every call goes through :meth:`OllamaClient._send`, the one place where transport failures
become :mod:`lib.ollama.errors` exceptions. Streaming methods are generators that own their HTTP
response: stopping early (``close()``, ``break``, an exception in the caller) closes the
connection, which is how the server learns to stop generating.
"""

from __future__ import annotations

import contextlib
import hashlib
import socket
import weakref
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from lib.ollama import bodies as api_bodies
from lib.ollama.errors import (
    ConnectionDropped,
    EndpointNotFound,
    NotOllamaResponse,
    OllamaError,
    Partial,
    ResponseError,
    StreamError,
    dropped_error,
    server_words,
    transport_error,
)
from lib.ollama.host import display_host, join_url, normalize_host
from lib.ollama.ndjson import NotJsonLine, iter_ndjson

USER_AGENT = "ollama-studio/0.1"

# A streaming call: NDJSON objects as they arrive; close() ends the request.
Stream = Generator[dict[str, Any], None, None]


@dataclass(frozen=True)
class Timeouts:
    """``(connect, read)`` seconds; ``read`` is the longest silence between two bytes.

    Model calls get a long read timeout because the first byte waits for the model to load.
    """

    connect: float = 5.0
    read: float = 30.0
    model_read: float = 180.0


class OllamaClient:
    """A client for one Ollama server. Not thread-safe: use one per thread when streaming in parallel."""

    def __init__(
        self,
        host: str | None = None,
        *,
        api_key: str | None = None,
        headers: dict[str, str] | None = None,
        timeouts: Timeouts = Timeouts(),
    ) -> None:
        self.base_url = normalize_host(host)
        self.timeouts = timeouts
        self._api_key = api_key or None
        self._extra_headers = dict(headers or {})
        self._sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        self._session = requests.Session()
        adapter = _socket_tracking_adapter(self._sockets)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        self._session.headers.update(self._extra_headers)
        if self._api_key:
            self._session.headers["Authorization"] = f"Bearer {self._api_key}"

    def __repr__(self) -> str:
        return f"OllamaClient({self.base_url!r}, api_key={'set' if self._api_key else 'unset'})"

    @property
    def has_api_key(self) -> bool:
        return self._api_key is not None

    @property
    def key_fingerprint(self) -> str:
        """A short hash of the API key ("" without one), for cache keys: never the key itself."""
        return hashlib.sha256(self._api_key.encode()).hexdigest()[:12] if self._api_key else ""

    def clone(self) -> OllamaClient:
        """A client with the same settings and its own connection pool, for another thread."""
        return OllamaClient(self.base_url, api_key=self._api_key, headers=self._extra_headers, timeouts=self.timeouts)

    def close(self) -> None:
        self._session.close()

    def abort(self) -> None:
        """Cut every connection of this client, from any thread.

        A request waiting for a model to load is blocked in a socket read that no flag can
        reach; shutting the socket down ends it at once, and the server sees the client leave.
        The call in progress then raises an :class:`OllamaError` in its own thread.
        """
        for connection in list(self._sockets):
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    # Server and models

    def version(self) -> str:
        return str(self._json("GET", "/api/version").get("version", ""))

    def list_models(self) -> list[dict[str, Any]]:
        return list(self._json("GET", "/api/tags").get("models") or [])

    def running_models(self) -> list[dict[str, Any]]:
        return list(self._json("GET", "/api/ps").get("models") or [])

    def show(self, model: str, *, verbose: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {"model": model}
        if verbose:
            body["verbose"] = True
        return self._json("POST", "/api/show", body)

    def copy(self, source: str, destination: str) -> None:
        self._send("POST", "/api/copy", {"source": source, "destination": destination})

    def delete(self, model: str) -> None:
        self._send("DELETE", "/api/delete", {"model": model})

    def load(self, model: str, keep_alive: api_bodies.KeepAlive = None) -> dict[str, Any]:
        return self._json("POST", "/api/generate", api_bodies.load_body(model, keep_alive), model_call=True)

    def unload(self, model: str) -> dict[str, Any]:
        return self._json("POST", "/api/generate", api_bodies.unload_body(model), model_call=True)

    def pull(self, model: str, *, insecure: bool = False) -> Stream:
        body: dict[str, Any] = {"model": model, "stream": True}
        if insecure:
            body["insecure"] = True
        return self._stream("/api/pull", body, _status_success)

    def create(self, model: str, **fields: Any) -> Stream:
        """Stream ``/api/create`` statuses; ``fields`` are those of :func:`api_bodies.create_body`.

        Read to the end of the stream: when ``from`` names a model that is not installed, the server
        pulls it first and reports that pull's own ``success`` mid-stream; closing the connection
        there would cancel the create.
        """
        body = api_bodies.create_body(model, stream=True, **fields)
        return self._stream("/api/create", body, _status_success, read_to_end=True)

    # Generation

    def generate(self, model: str, prompt: str | None = None, **fields: Any) -> dict[str, Any]:
        body = api_bodies.generate_body(model, prompt, stream=False, **fields)
        return self._json("POST", "/api/generate", body, model_call=True)

    def generate_stream(self, model: str, prompt: str | None = None, **fields: Any) -> Stream:
        body = api_bodies.generate_body(model, prompt, stream=True, **fields)
        return self._stream("/api/generate", body, _done)

    def chat_stream(self, model: str, messages: list[dict[str, Any]], **fields: Any) -> Stream:
        body = api_bodies.chat_body(model, messages, stream=True, **fields)
        return self._stream("/api/chat", body, _done)

    def embed(self, model: str, texts: list[str], **fields: Any) -> dict[str, Any]:
        """Embed ``texts`` in one request; servers without ``/api/embed`` get one legacy call per text."""
        try:
            return self._json("POST", "/api/embed", api_bodies.embed_body(model, texts, **fields), model_call=True)
        except EndpointNotFound:
            return self._embed_legacy(model, texts, fields.get("keep_alive"))

    def _embed_legacy(self, model: str, texts: list[str], keep_alive: api_bodies.KeepAlive) -> dict[str, Any]:
        vectors = []
        for text in texts:
            body: dict[str, Any] = {"model": model, "prompt": text}
            if keep_alive is not None:
                body["keep_alive"] = keep_alive
            vectors.append(self._json("POST", "/api/embeddings", body, model_call=True).get("embedding") or [])
        return {"model": model, "embeddings": vectors, "legacy_endpoint": True}

    # Transport

    def _json(
        self, method: str, path: str, body: dict[str, Any] | None = None, *, model_call: bool = False
    ) -> dict[str, Any]:
        response = self._send(method, path, body, model_call=model_call)
        try:
            value = response.json()
        except ValueError:
            raise _not_ollama(response, response.url) from None
        if not isinstance(value, dict):
            raise _not_ollama(response, response.url)
        return value

    def _stream(
        self,
        path: str,
        body: dict[str, Any],
        is_last: Callable[[dict[str, Any]], bool],
        *,
        read_to_end: bool = False,
    ) -> Stream:
        """``read_to_end``: keep reading after a final-looking chunk; the stream is complete if its last chunk was."""
        url = join_url(self.base_url, path)
        partial = Partial()
        complete = False
        with self._send("POST", path, body, stream=True, model_call=True) as response:
            try:
                for chunk in iter_ndjson(response.iter_content(chunk_size=None)):
                    if "error" in chunk:
                        said = str(chunk["error"]).strip()
                        raise StreamError(
                            "errors.stream_error" if said else "errors.stream_error_unknown",
                            {"said": _with_stop(said)},
                            partial=partial,
                            url=url,
                            server_message=said,
                        )
                    _accumulate(partial, chunk)
                    yield chunk
                    complete = is_last(chunk)
                    if complete and not read_to_end:
                        return
            except NotJsonLine:
                raise _not_ollama(response, url) from None
            except requests.RequestException as exc:
                raise dropped_error(display_host(self.base_url), exc, self.timeouts.model_read, partial, url) from None
        if complete:
            return
        raise ConnectionDropped("errors.ended_early", {"where": display_host(self.base_url)}, partial=partial, url=url)

    def _send(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        stream: bool = False,
        model_call: bool = False,
    ) -> requests.Response:
        url = join_url(self.base_url, path)
        read = self.timeouts.model_read if model_call else self.timeouts.read
        try:
            response = self._session.request(
                method, url, json=body, stream=stream, timeout=(self.timeouts.connect, read)
            )
        except requests.RequestException as exc:
            raise transport_error(self.base_url, display_host(self.base_url), exc, read) from None
        if response.ok:
            return response
        model = body.get("model") if model_call and isinstance(body, dict) else None
        try:
            raise _status_error(response, self.base_url, path, model if isinstance(model, str) else None)
        finally:
            response.close()


def _socket_tracking_adapter(sockets: weakref.WeakSet[socket.socket]) -> HTTPAdapter:
    """An adapter whose connections add their sockets to ``sockets`` (see :meth:`OllamaClient.abort`)."""

    class TrackedConnection(HTTPConnection):
        def connect(self) -> None:
            super().connect()
            sockets.add(self.sock)

    class TrackedSecureConnection(HTTPSConnection):
        def connect(self) -> None:
            super().connect()
            sockets.add(self.sock)

    class Pool(HTTPConnectionPool):
        ConnectionCls = TrackedConnection

    class SecurePool(HTTPSConnectionPool):
        ConnectionCls = TrackedSecureConnection

    adapter = HTTPAdapter()
    adapter.poolmanager.pool_classes_by_scheme = {"http": Pool, "https": SecurePool}
    return adapter


def _done(chunk: dict[str, Any]) -> bool:
    return chunk.get("done") is True


def _status_success(chunk: dict[str, Any]) -> bool:
    return chunk.get("status") == "success"


def _accumulate(partial: Partial, chunk: dict[str, Any]) -> None:
    message = chunk.get("message")
    source = message if isinstance(message, dict) else chunk
    partial.content += str(source.get("content") or source.get("response") or "")
    partial.thinking += str(source.get("thinking") or "")


def _with_stop(said: str) -> str:
    return said if said.endswith((".", "!", "?", "。", "！", "？")) else said + "."


# Statuses by which a proxy in front of the server says it failed; another 5xx for a model's request: the model failed.
_GATEWAY_STATUSES = (502, 503, 504)
_RUNS_A_MODEL = ("/api/chat", "/api/generate", "/api/embed", "/api/embeddings")


def _status_error(response: requests.Response, base_url: str, path: str, model: str | None = None) -> OllamaError:
    """The error for an answer with an error status; ``model`` is the model the request named.

    Ollama words its own failures as JSON. A plain-text 5xx other than a gateway's, for a request
    that runs a model, is a compatible server whose runner for that model failed (other models
    may work): it is the model's failure, in the server's own words, not a proxy's.
    """
    status = response.status_code
    label = f"HTTP {status} {response.reason}" if response.reason else f"HTTP {status}"
    values = {"where": display_host(base_url), "label": label, "path": path}
    message = _error_field(response)
    html = "html" in response.headers.get("Content-Type", "")
    if (
        message is None
        and model
        and path in _RUNS_A_MODEL
        and status >= 500
        and status not in _GATEWAY_STATUSES
        and not html
    ):
        said = server_words(response.text)
        return ResponseError(
            "errors.model_failed" if said else "errors.model_failed_silently",
            {**values, "model": model, "said": said},
            status_code=status,
            url=response.url,
            server_message=response.text[:2000],
        )
    if message is None:
        if status == 404:
            return EndpointNotFound("errors.no_endpoint", values, status_code=status, url=response.url)
        if status in (401, 403):
            return ResponseError("errors.refused", values, status_code=status, url=response.url)
        return NotOllamaResponse(
            "errors.proxy_html" if html else "errors.proxy_not_json",
            values,
            status_code=status,
            url=response.url,
        )
    if status == 401 and _asks_signin(response):
        return ResponseError(
            "errors.cloud_signin", values, status_code=status, url=response.url, server_message=message
        )
    if status in (401, 403):
        return ResponseError(
            "errors.refused",
            {**values, "label": f"{label}: {message}"},
            status_code=status,
            url=response.url,
            server_message=message,
        )
    return ResponseError(
        "errors.server_said",
        {"said": _sentence(message)},
        status_code=status,
        url=response.url,
        server_message=message,
    )


def _error_field(response: requests.Response) -> str | None:
    try:
        value = response.json()
    except ValueError:
        return None
    if isinstance(value, dict) and value.get("error"):
        return str(value["error"])
    return None


def _asks_signin(response: requests.Response) -> bool:
    """Ollama's answer for a cloud model on a server not signed in to ollama.com: 401 with a ``signin_url``."""
    try:
        value = response.json()
    except ValueError:
        return False
    return isinstance(value, dict) and bool(value.get("signin_url"))


def _not_ollama(response: requests.Response, url: str) -> NotOllamaResponse:
    content_type = response.headers.get("Content-Type", "")
    return NotOllamaResponse(
        "errors.not_ollama_json" if content_type else "errors.not_ollama_json_untyped",
        {"url": response.url, "status": response.status_code, "content_type": content_type},
        status_code=response.status_code,
        url=url,
    )


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
