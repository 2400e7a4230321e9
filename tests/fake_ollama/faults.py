"""Scripted misbehaviour: faults queued per path and consumed by the next matching requests."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

DEFAULT_ERROR_MESSAGE = "an error was encountered while running the model: unexpected EOF"
DEFAULT_GARBAGE = "<html><body><h1>Welcome!</h1><p>Please log in to continue.</p></body></html>"

_DEFAULTS: dict[str, dict[str, Any]] = {
    "error_line": {"after": 3, "message": DEFAULT_ERROR_MESSAGE},
    "drop": {"after": 3},
    "slow_first": {"delay": 1.0},
    "pause": {"after": 3, "delay": 2.0},  # a stream that stops for `delay` seconds after `after` lines, then goes on
    "latency": {"delay": 1.0},
    "http": {"status": 500, "message": "internal server error"},
    "html": {},
    "unauthorized": {},
    "garbage": {"body": DEFAULT_GARBAGE},
}

FAULT_KINDS = frozenset(_DEFAULTS)


@dataclass(frozen=True)
class Fault:
    path: str
    kind: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Queued:
    fault: Fault
    remaining: int  # 0 means forever


class FaultBook:
    """Faults waiting for their requests. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queued: list[_Queued] = []

    def add(self, path: str, kind: str, *, times: int = 1, **params: Any) -> None:
        if kind not in _DEFAULTS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {sorted(FAULT_KINDS)}")
        unknown = set(params) - set(_DEFAULTS[kind])
        if unknown:
            raise TypeError(f"fault {kind!r} takes no parameter(s) {sorted(unknown)}")
        if times < 0:
            raise ValueError("times must be >= 0 (0 means forever)")
        fault = Fault(path, kind, {**_DEFAULTS[kind], **params})
        with self._lock:
            self._queued.append(_Queued(fault, times))

    def take(self, path: str) -> list[Fault]:
        """Consume one use of every fault queued for `path`, oldest first."""
        taken: list[Fault] = []
        with self._lock:
            for queued in list(self._queued):
                if queued.fault.path != path:
                    continue
                taken.append(queued.fault)
                if queued.remaining == 1:
                    self._queued.remove(queued)
                elif queued.remaining > 1:
                    queued.remaining -= 1
        return taken

    def clear(self) -> None:
        with self._lock:
            self._queued.clear()
