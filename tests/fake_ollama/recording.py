"""The request log: what clients sent, and how each exchange ended.

Streaming responses are still being written while tests look at the log, so the
server keeps one mutable `LiveRecord` per request and tests only ever see frozen
`RecordedRequest` snapshots taken under the log's lock.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any


class Headers(Mapping[str, str]):
    """Request headers with case-insensitive lookup, as HTTP defines them."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self._items: dict[str, tuple[str, str]] = {}
        for name, value in pairs:
            key = name.lower()
            if key in self._items:
                value = f"{self._items[key][1]}, {value}"
            self._items[key] = (name, value)

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()][1]

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Headers({dict(self.items())!r})"


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server saw it.

    `status` is 0 while no response has started (or when the connection was
    dropped without one). `chunks_sent` counts NDJSON lines written to a stream,
    or 1 for a non-empty single-body response. `prompt_messages` (chat only) are
    the messages the model saw: what was sent, less the oldest ones Ollama drops
    when the conversation does not fit the context window (see history.py);
    None where no prompt was built (other endpoints, refused or load-only requests).
    """

    method: str
    path: str
    query: dict[str, str]
    headers: Headers
    body: Any
    raw_body: bytes
    started: float
    finished: float | None
    status: int
    client_disconnected: bool
    chunks_sent: int
    prompt_messages: tuple[dict[str, Any], ...] | None = None


class LiveRecord:
    """The mutable record of a request in flight; every change takes the log's lock."""

    def __init__(
        self,
        lock: threading.Lock,
        method: str,
        path: str,
        query: dict[str, str],
        headers: Headers,
        body: Any,
        raw_body: bytes,
    ) -> None:
        self._lock = lock
        self._fixed = (method, path, query, headers, body, raw_body, time.monotonic())
        self._finished: float | None = None
        self._status = 0
        self._disconnected = False
        self._chunks = 0
        self._prompt_messages: tuple[dict[str, Any], ...] | None = None

    def set_prompt_messages(self, messages: list[dict[str, Any]]) -> None:
        with self._lock:
            self._prompt_messages = tuple(messages)

    def set_status(self, status: int) -> None:
        with self._lock:
            self._status = status

    def count_chunk(self) -> None:
        with self._lock:
            self._chunks += 1

    def mark_disconnected(self) -> None:
        with self._lock:
            self._disconnected = True

    def finish(self) -> None:
        with self._lock:
            if self._finished is None:
                self._finished = time.monotonic()

    def snapshot(self) -> RecordedRequest:
        """Call with the log's lock held."""
        method, path, query, headers, body, raw_body, started = self._fixed
        return RecordedRequest(
            method,
            path,
            dict(query),
            headers,
            body,
            raw_body,
            started,
            self._finished,
            self._status,
            self._disconnected,
            self._chunks,
            self._prompt_messages,
        )


class RequestLog:
    """All requests in arrival order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[LiveRecord] = []

    def open(
        self, method: str, path: str, query: dict[str, str], headers: Headers, body: Any, raw_body: bytes
    ) -> LiveRecord:
        record = LiveRecord(self._lock, method, path, query, headers, body, raw_body)
        with self._lock:
            self._records.append(record)
        return record

    def snapshot(self) -> list[RecordedRequest]:
        with self._lock:
            return [record.snapshot() for record in self._records]

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
