"""One Generate run as it happens and afterwards: the text that arrived, how it ended, its figures.

A :class:`RunResult` collects the chunks of a stream (or the one object of a non-streamed
answer). Whatever ends the run early, a server error, a dropped connection or the user's
Stop, the text collected so far stays in it. :class:`RunRecord` ties a result to the form
and the exact body that produced it; :mod:`lib.generate.history` keeps the session's last runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lib.generate.form import GenerateForm
from lib.i18n import t
from lib.ollama.errors import OllamaError
from lib.run_stats import RunStats, run_stats

# How a run ended: codes kept in exports as they are; status_text() words them.
DONE, STOPPED, FAILED, CUT_OFF, UNFINISHED = "done", "stopped", "failed", "length", "unfinished"
PREVIEW_LENGTH = 60


@dataclass
class RunResult:
    output: str = ""
    thinking: str = ""
    final: dict[str, Any] | None = None  # the ``done`` object, with the server's figures
    time_to_first_token: float | None = None  # seconds, measured when streaming
    ended_after: float | None = None  # seconds from sending to the last object or the failure, measured when streaming
    error: OllamaError | None = None
    stopped: bool = False

    def add(self, chunk: dict[str, Any], elapsed: float | None = None) -> tuple[str, str]:
        """Take one streamed object; returns its ``(response, thinking)`` text.

        ``elapsed`` is seconds since the request was sent: the first time a chunk carries text,
        it becomes the time to first token; the final chunk's is :attr:`ended_after`.
        """
        text = str(chunk.get("response") or "")
        thought = str(chunk.get("thinking") or "")
        if (text or thought) and self.time_to_first_token is None and elapsed is not None:
            self.time_to_first_token = elapsed
        self.output += text
        self.thinking += thought
        if chunk.get("done") is True:
            self.final = chunk
            self.ended_after = elapsed
        return text, thought

    @property
    def complete(self) -> bool:
        return self.final is not None and self.error is None and not self.stopped

    @property
    def done_reason(self) -> str | None:
        return (self.final or {}).get("done_reason")

    def stats(self) -> RunStats | None:
        return run_stats(self.final, self.time_to_first_token) if self.final is not None else None

    def status(self) -> str:
        """How the run ended, as a code (``done``, ``stopped``...) that exports keep in English."""
        if self.stopped:
            return STOPPED
        if self.error:
            return FAILED
        if self.done_reason == "length":
            return CUT_OFF
        return DONE if self.final is not None else UNFINISHED

    def status_text(self) -> str:
        """A few words for the history list and the comparison table."""
        return {
            DONE: t("generate.status_done"),
            STOPPED: t("generate.status_stopped"),
            FAILED: t("generate.status_failed"),
            CUT_OFF: t("generate.status_cut_off"),
            UNFINISHED: t("generate.status_unfinished"),
        }[self.status()]


@dataclass(frozen=True)
class RunRecord:
    number: int
    when: datetime
    form: GenerateForm
    body: dict[str, Any]
    result: RunResult = field(default_factory=RunResult)

    def label(self) -> str:
        """``#3 · 14:02:07 · llama3.2:latest · "Why is the sky…" · done``."""
        prompt = " ".join(self.form.prompt.split())
        if len(prompt) > PREVIEW_LENGTH:
            prompt = prompt[: PREVIEW_LENGTH - 1].rstrip() + "…"
        return t(
            "generate.history_entry",
            number=self.number,
            time=f"{self.when:%H:%M:%S}",
            model=self.form.model,
            prompt=prompt,
            status=self.result.status_text(),
        )
