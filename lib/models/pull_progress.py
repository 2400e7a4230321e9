"""Overall progress of a pull from its stream of status lines.

Ollama reports a pull layer by layer: ``{"status": "pulling <digest>", "digest", "total",
"completed"}``, with ``completed`` missing at first. A bar per layer would reset several times,
so this sums every layer seen: overall = sum(completed) / sum(total). Speed is measured over the
last few seconds only, so a resumed pull (which starts with most bytes already there) or a
stall shows the current rate, not the average since the start.
"""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lib.i18n import escape, t, t_plain

SPEED_WINDOW_SECONDS = 5.0
ALMOST_DONE = 0.99


@dataclass(frozen=True)
class Snapshot:
    """What the page shows: fraction is 0..1, speed in bytes/s, seconds_left ``None`` when unknown."""

    status: str
    completed: int
    total: int
    fraction: float
    speed: float | None
    seconds_left: float | None
    layers: int
    done: bool


class PullProgress:
    """Feed it every chunk of a pull stream with :meth:`update`; read :meth:`snapshot`."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._layers: dict[str, tuple[int, int]] = {}
        self._samples: deque[tuple[float, int]] = deque()
        self._status = "starting"
        self._done = False

    def update(self, chunk: dict[str, Any]) -> None:
        status = str(chunk.get("status") or "").strip()
        if status:
            self._status = status
        digest = chunk.get("digest")
        total = _whole(chunk.get("total"))
        if digest and total is not None:
            completed = _whole(chunk.get("completed"))
            _, previous = self._layers.get(digest, (0, 0))
            self._layers[digest] = (total, min(total, max(previous, completed or 0)))
        if status == "success":
            self._done = True
        self._sample()

    def _sample(self) -> None:
        now = self._clock()
        self._samples.append((now, self.completed))
        while len(self._samples) > 2 and now - self._samples[1][0] >= SPEED_WINDOW_SECONDS:
            self._samples.popleft()

    @property
    def completed(self) -> int:
        return sum(done for _, done in self._layers.values())

    @property
    def total(self) -> int:
        return sum(size for size, _ in self._layers.values())

    def fraction(self) -> float:
        """Done only says 100 %: until then more layers may still be announced."""
        if self._done:
            return 1.0
        total = self.total
        return min(ALMOST_DONE, self.completed / total) if total else 0.0

    def speed(self) -> float | None:
        """Bytes per second over the last few seconds; ``None`` until there are two samples apart in time."""
        if len(self._samples) < 2:
            return None
        (start, first), (end, last) = self._samples[0], self._samples[-1]
        if end - start <= 0:
            return None
        return max(0.0, (last - first) / (end - start))

    def seconds_left(self) -> float | None:
        if self._done:
            return 0.0
        speed = self.speed()
        remaining = self.total - self.completed
        if not speed or remaining <= 0:
            return None
        return remaining / speed

    def snapshot(self) -> Snapshot:
        return Snapshot(
            status=self._status,
            completed=self.completed,
            total=self.total,
            fraction=self.fraction(),
            speed=self.speed(),
            seconds_left=self.seconds_left(),
            layers=len(self._layers),
            done=self._done,
        )


def _whole(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return max(0, int(value))


def step_label(status: str, *, plain: bool = False) -> str:
    """A pull's or create's status line as a person reads it, in the session's language.

    ``pulling 6a0746a1ec1a`` becomes ``Downloading layer 6a0746a1ec1a``; the statuses Ollama is
    known to send are translated, any other line is shown as the server wrote it. Markdown, the
    server's words escaped, unless ``plain`` (for ``st.text``).
    """
    say = t_plain if plain else t
    if status.startswith("pulling ") and status != "pulling manifest":
        return say("models.step_downloading_layer", digest=_short_digest(status.removeprefix("pulling ")))
    if status.startswith("using existing layer "):
        return say("models.step_existing_layer", digest=_short_digest(status.removeprefix("using existing layer ")))
    if status.startswith("creating new layer "):
        return say("models.step_new_layer", digest=_short_digest(status.removeprefix("creating new layer ")))
    quantizing = _QUANTIZING.fullmatch(status)
    if quantizing:
        return say("models.step_quantizing", source=quantizing.group(1), target=quantizing.group(2))
    labels = {
        "starting": t("models.step_starting"),
        "pulling manifest": t("models.step_manifest"),
        "verifying sha256 digest": t("models.step_verifying"),
        "writing manifest": t("models.step_writing_manifest"),
        "removing any unused layers": t("models.step_removing_layers"),
        "success": t("models.step_done"),
    }
    shown = labels.get(status) or status[:1].upper() + status[1:]
    return shown if plain else escape(shown)


_QUANTIZING = re.compile(r"quantizing (\S+) model to (\S+)")


def _short_digest(digest: str) -> str:
    return digest.removeprefix("sha256:")[:12]
