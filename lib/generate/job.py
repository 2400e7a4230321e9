"""One Generate run, read by a worker thread so the page stays stoppable.

Streamlit stops or reruns a script only at its own calls. A script blocked reading a socket,
while a cold model loads or while a non-streamed answer is being written, could not react to
Stop. So a worker thread does the HTTP call and hands every object to the page through a
queue; the page waits in short steps and draws a "waiting" line between objects, and every
step is a point where Stop can take effect.

When the page stops (Stop, any other click that reruns it, a closed tab) it calls
:meth:`GenerateJob.stop`: the result is frozen and marked stopped, and the worker closes the
stream at the next object, which closes the HTTP connection, and the server stops generating.
The worker uses its own client, because a ``requests`` session is not thread-safe.

With Streamlit's fast reruns (the default), a click during a run starts the next run at once,
while the interrupted one is still unwinding; that next run may read the result before the old
one has marked it. So the page keeps the job in session state and the next run calls
:meth:`stop` too: whichever comes first settles it, and nothing is added afterwards.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lib.generate.form import GenerateRequest
from lib.generate.record import RunResult
from lib.ollama.client import OllamaClient
from lib.ollama.errors import OllamaError

RESPONSE = "response"
THINKING = "thinking"
WAITING = "waiting"

_END = object()


@dataclass(frozen=True)
class Event:
    kind: str  # RESPONSE or THINKING: ``text`` arrived; WAITING: nothing for a while, ``seconds`` since the request
    text: str = ""
    seconds: float = 0.0


class GenerateJob:
    """Send ``request`` now; iterate :meth:`events` while :attr:`result` fills in.

    Several jobs can share one ``inbox`` and one ``started`` time (a side-by-side comparison,
    :mod:`lib.generate.compare.job`): each worker puts ``(job, item, elapsed)`` there, and whoever reads
    the inbox hands each item to its job's :meth:`take`.
    """

    def __init__(
        self,
        client: OllamaClient,
        request: GenerateRequest,
        result: RunResult | None = None,
        *,
        inbox: queue.Queue | None = None,
        started: float | None = None,
    ) -> None:
        self.result = result if result is not None else RunResult()
        self.ended = False  # the worker's last item (the end, or a failure) has been taken
        self._items: queue.Queue = inbox if inbox is not None else queue.Queue()
        self._cancelled = threading.Event()
        self._started = time.monotonic() if started is None else started
        self._client = client.clone()
        self._worker = threading.Thread(
            target=self._read, args=(self._client, request), name="generate-job", daemon=True
        )
        self._worker.start()

    @property
    def finished(self) -> bool:
        """Nothing more will be added to the result: it ended, failed or was stopped."""
        return self.ended or self._cancelled.is_set()

    def events(self, poll: float = 0.2) -> Iterator[Event]:
        """Text as it arrives, and a WAITING event after every ``poll`` seconds of silence.

        Ends when the answer is complete or has failed; a failure is in ``result.error``, with
        the text that arrived before it kept.
        """
        while not self.finished:
            try:
                _job, item, elapsed = self._items.get(timeout=poll)
            except queue.Empty:
                yield Event(WAITING, seconds=time.monotonic() - self._started)
                continue
            yield from self.take(item, elapsed)

    def take(self, item: Any, elapsed: float | None) -> list[Event]:
        """Add one item of this job's worker to the result; the text it brought. Nothing once finished."""
        if self.finished:
            return []
        if item is _END or isinstance(item, OllamaError):
            self.ended = True
            if isinstance(item, OllamaError):
                self.result.error = item
                self.result.ended_after = elapsed
            return []
        text, thought = self.result.add(item, elapsed)
        return [Event(kind, piece) for kind, piece in ((THINKING, thought), (RESPONSE, text)) if piece]

    def stop(self) -> None:
        """Freeze the result, marked stopped unless it already ended, and cut the connection at once.

        Cutting it also ends a request still waiting for a model to load. Safe to call twice, from
        two script runs, or after the end.
        """
        self._cancelled.set()
        if self.result.final is None and self.result.error is None:
            self.result.stopped = True
        self._client.abort()

    def join(self, timeout: float | None = None) -> None:
        self._worker.join(timeout)

    def _read(self, client: OllamaClient, request: GenerateRequest) -> None:
        try:
            if request.stream:
                stream = client.generate_stream(request.model, request.prompt, **request.fields)
                try:
                    for chunk in stream:
                        if self._cancelled.is_set():
                            return
                        self._put(chunk, measured=True)
                finally:
                    stream.close()
            else:
                answer: dict[str, Any] = client.generate(request.model, request.prompt, **request.fields)
                self._put({**answer, "done": True}, measured=False)
            self._put(_END)
        except OllamaError as error:
            if not self._cancelled.is_set():  # after stop() the cut connection is not a failure
                self._put(error)
        except Exception as error:
            self._put(OllamaError("generate.reading_failed", {"detail": f"{type(error).__name__}: {error}"}))
        finally:
            client.close()

    def _put(self, item: object, *, measured: bool = True) -> None:
        """``measured=False``: the time is not a streaming time (a non-streamed answer), so none is given."""
        self._items.put((self, item, time.monotonic() - self._started if measured else None))
