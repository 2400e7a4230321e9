"""Parallel request slots per loaded model, like OLLAMA_NUM_PARALLEL, and how many models may run at
once, like OLLAMA_MAX_LOADED_MODELS: extra requests queue."""

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
    def hold(
        self,
        model_key: str,
        limit: Callable[[], int],
        client_gone: Callable[[], bool],
        models_limit: Callable[[], int | None] = lambda: None,
    ) -> Iterator[None]:
        """Wait for a free slot on `model_key` (re-reading `limit` as it may change), then hold it.

        With a `models_limit`, a request for a model that is not running also waits while that
        many other models are: the server must unload one before it can load another.
        """
        with self._changed:
            while self._busy[model_key] >= max(limit(), 1) or self._models_full(model_key, models_limit()):
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

    def _models_full(self, model_key: str, models_limit: int | None) -> bool:
        running = {key for key, count in self._busy.items() if count > 0}
        return models_limit is not None and model_key not in running and len(running) >= max(models_limit, 1)
