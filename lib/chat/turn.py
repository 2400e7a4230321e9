"""One streaming chat answer, read by a worker thread so the page stays stoppable.

Streamlit can only stop or rerun a script at its own calls (each ``st.*`` call is a checkpoint).
A script blocked reading a socket, e.g. while a cold model loads for a minute, could not be
stopped. So a worker thread reads the stream into a queue, and the page waits on the queue in
short steps, updating a "waiting" line between chunks: every step is a checkpoint.

When the page stops (Stop, a rerun, a closed tab) it calls :meth:`Turn.cancel`; the worker then
closes the stream, which closes the HTTP connection, and the server stops generating. The
worker uses its own client (``requests`` sessions are not thread-safe).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lib.chat.history import DONE, FAILED, STOPPED, Stats, stats_from_final
from lib.ollama.client import OllamaClient
from lib.ollama.errors import OllamaError, StreamError

THINKING = "thinking"
CONTENT = "content"
WAITING = "waiting"


@dataclass(frozen=True)
class Event:
    kind: str  # THINKING or CONTENT: ``text`` arrived; WAITING: nothing yet, ``seconds`` since the request
    text: str = ""
    seconds: float = 0.0


@dataclass
class Outcome:
    """What the user saw: the text so far, and how the turn ended."""

    content: str = ""
    thinking: str = ""
    status: str = STOPPED
    error: OllamaError | None = None
    stats: Stats | None = None


_END = object()


@dataclass
class _Shared:
    chunks: queue.Queue = field(default_factory=queue.Queue)
    cancelled: threading.Event = field(default_factory=threading.Event)
    first_token: float | None = None
    final: dict[str, Any] | None = None


class Turn:
    """Stream ``/api/chat`` for one answer. Iterate :meth:`events`, then read :attr:`outcome`."""

    def __init__(self, client: OllamaClient, model: str, messages: list[dict[str, Any]], **fields: Any) -> None:
        self._shared = _Shared()
        self.outcome = Outcome()
        self._started = time.monotonic()
        self._client = client.clone()
        self._worker = threading.Thread(
            target=_read,
            args=(self._client, model, messages, fields, self._shared, self._started),
            name="chat-turn",
            daemon=True,
        )
        self._worker.start()

    def events(self, poll: float = 0.2) -> Iterator[Event]:
        """Text as it arrives, and a WAITING event every ``poll`` seconds of silence."""
        while True:
            try:
                item = self._shared.chunks.get(timeout=poll)
            except queue.Empty:
                yield Event(WAITING, seconds=time.monotonic() - self._started)
                continue
            if item is _END:
                self.outcome.status = DONE
                self.outcome.stats = stats_from_final(self._shared.final, self._shared.first_token)
                return
            if isinstance(item, OllamaError):
                self._fail(item)
                return
            kind, text = item
            if kind == THINKING:
                self.outcome.thinking += text
            else:
                self.outcome.content += text
            yield Event(kind, text)

    def _fail(self, error: OllamaError) -> None:
        self.outcome.status = FAILED
        self.outcome.error = error
        if isinstance(error, StreamError):
            # The worker may have read a little more than was shown; keep what arrived.
            if len(error.partial.content) > len(self.outcome.content):
                self.outcome.content = error.partial.content
            if len(error.partial.thinking) > len(self.outcome.thinking):
                self.outcome.thinking = error.partial.thinking
        self.outcome.stats = Stats(first_token=self._shared.first_token) if self._shared.first_token else None

    def cancel(self) -> None:
        """Cut the connection at once (also while the model loads); harmless once the turn has ended."""
        self._shared.cancelled.set()
        self._client.abort()
        if self.outcome.status == STOPPED and self._shared.first_token is not None:
            self.outcome.stats = Stats(first_token=self._shared.first_token)

    def join(self, timeout: float | None = None) -> None:
        self._worker.join(timeout)


def _read(
    client: OllamaClient,
    model: str,
    messages: list[dict[str, Any]],
    fields: dict[str, Any],
    shared: _Shared,
    started: float,
) -> None:
    stream = None
    try:
        stream = client.chat_stream(model, messages, **fields)
        for chunk in stream:
            if shared.cancelled.is_set():
                return
            message = chunk.get("message") or {}
            for kind in (THINKING, CONTENT):
                text = message.get(kind) or ""
                if text:
                    if shared.first_token is None:
                        shared.first_token = time.monotonic() - started
                    shared.chunks.put((kind, text))
            if chunk.get("done"):
                shared.final = chunk
        shared.chunks.put(_END)
    except OllamaError as error:
        if not shared.cancelled.is_set():  # after cancel() the cut connection is not a failure
            shared.chunks.put(error)
    except Exception as error:
        shared.chunks.put(OllamaError("chat.turn_failed", {"problem": f"{type(error).__name__}: {error}"}))
    finally:
        if stream is not None:
            stream.close()
        client.close()
