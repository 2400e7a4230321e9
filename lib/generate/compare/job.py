"""A side-by-side comparison as it runs: one :class:`~lib.generate.job.GenerateJob` per column.

Every column has its own worker thread, its own client and its own HTTP stream, so the server
can answer them at the same time. The workers share one inbox and one start time: the page,
in the script thread, reads the inbox and draws each column's text as it comes, and every
column's times are measured on the same clock (which is how a queued column is recognised,
see :mod:`lib.generate.compare.stats`).

Stop works as for a single run: :meth:`CompareJob.stop` freezes every column and each worker
closes its stream at its next object. A column the server has queued has no response yet;
its worker closes the connection when the server starts answering it.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Iterator, Sequence

from lib.generate.form import GenerateRequest
from lib.generate.job import WAITING, Event, GenerateJob
from lib.generate.record import RunResult
from lib.ollama.client import OllamaClient

ENDED = "ended"  # a column's answer is complete or has failed: see its result


class CompareJob:
    """Send every request now; iterate :meth:`events` while each column's result fills in."""

    def __init__(self, client: OllamaClient, requests: Sequence[GenerateRequest], results: Sequence[RunResult]) -> None:
        self._inbox: queue.Queue = queue.Queue()
        self._started = time.monotonic()
        self.jobs = [
            GenerateJob(client, request, result, inbox=self._inbox, started=self._started)
            for request, result in zip(requests, results, strict=True)
        ]
        self._columns = {id(job): column for column, job in enumerate(self.jobs)}

    @property
    def finished(self) -> bool:
        return all(job.finished for job in self.jobs)

    def elapsed(self) -> float:
        return time.monotonic() - self._started

    def events(self, poll: float = 0.2) -> Iterator[tuple[int | None, Event]]:
        """``(column, event)`` as text arrives in any column, ``(column, ENDED)`` when one ends, and
        ``(None, WAITING)`` after ``poll`` seconds of silence.

        Ends when every column is complete, has failed or was stopped.
        """
        while not self.finished:
            try:
                job, item, elapsed = self._inbox.get(timeout=poll)
            except queue.Empty:
                yield None, Event(WAITING, seconds=self.elapsed())
                continue
            column = self._columns[id(job)]
            was_ended = job.ended
            for event in job.take(item, elapsed):
                yield column, event
            if job.ended and not was_ended:
                yield column, Event(ENDED, seconds=elapsed or 0.0)

    def stop(self) -> None:
        """Stop every column (see :meth:`GenerateJob.stop`); safe to call twice or after the end."""
        for job in self.jobs:
            job.stop()

    def join(self, timeout: float | None = None) -> None:
        for job in self.jobs:
            job.join(timeout)
