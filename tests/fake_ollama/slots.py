"""Parallel request slots per loaded model, like OLLAMA_NUM_PARALLEL: extra requests queue."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class ClientGoneWhileQueued(Exception):
    """The client hung up before a slot became free."""


class Slots:
    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._busy: Counter[str] = Counter()

    @contextmanager
    def hold(self, model_key: str, limit: Callable[[], int], client_gone: Callable[[], bool]) -> Iterator[None]:
        """Wait for a free slot on `model_key` (re-reading `limit` as it may change), then hold it."""
        with self._changed:
            while self._busy[model_key] >= max(limit(), 1):
                if client_gone():
                    raise ClientGoneWhileQueued
                self._changed.wait(timeout=0.02)
            self._busy[model_key] += 1
        try:
            yield
        finally:
            with self._changed:
                self._busy[model_key] -= 1
                self._changed.notify_all()
