"""The one streaming engine: worker threads read Ollama answers into events, one or several at once.

Streamlit stops or reruns a script only at its own calls. A script blocked reading a socket (a
cold model loading for a minute, a non-streamed answer being written) could not react to Stop.
So each answer has a worker thread that does the HTTP call and hands every object to the page
through one queue; the page waits on it in short steps and gets a WAITING event between
objects, and every step is a point where Stop can take effect.

Every page streams through :class:`Streams`: Chat and Generate with one :class:`Request`, the
compare modes with one per column. All columns share the queue and one start time, so their
times are measured on the same clock (which is how a column the server queued is recognised).
Each worker has its own client: a ``requests`` session is not thread-safe.

Stop: :meth:`Streams.stop` freezes every answer, marked stopped unless it already ended, and
cuts the connections at once (a request waiting for a model to load too); the server sees the
client leave and stops generating. With Streamlit's fast reruns a click during an answer starts
the next run while the interrupted one still unwinds, so a page keeps its :class:`Streams` in
session state and the next run calls :meth:`Streams.stop` as well: whichever comes first
settles it, and nothing is added afterwards.

Whatever ends an answer early (a server error, a dropped connection, Stop), the text that had
arrived stays in its :class:`Answer`, with the error as data for the screen to word.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from lib.ollama.client import OllamaClient, Stream
from lib.ollama.errors import OllamaError, StreamError
from lib.ollama.stats import RunStats, run_stats

# Endpoints a request streams from.
CHAT = "chat"
GENERATE = "generate"

# Event kinds.
CONTENT = "content"  # answer text arrived in ``text``
THINKING = "thinking"  # thinking text arrived in ``text``
WAITING = "waiting"  # nothing for ``poll`` seconds; ``seconds`` since the requests were sent (for text: when it came)
ENDED = "ended"  # the column's answer is complete or has failed: see its Answer

# How an answer ended: codes kept in exports and saved chats as they are; the screen words them.
DONE, STOPPED, FAILED, CUT_OFF, UNFINISHED = "done", "stopped", "failed", "length", "unfinished"

ALL_COLUMNS = -1
"""The column of a WAITING event: it concerns every column still silent."""


@dataclass(frozen=True)
class Request:
    """One answer to ask for: ``fields`` are the body's fields besides ``model`` and ``stream``.

    For :data:`CHAT` they hold ``messages`` (and ``think``, ``options``, ``format``…), for
    :data:`GENERATE` ``prompt`` (and ``system``, ``images``…), as :mod:`lib.ollama.bodies` takes them.
    """

    endpoint: str
    model: str
    fields: dict[str, Any] = field(default_factory=dict)
    stream: bool = True

    def __post_init__(self) -> None:
        if self.endpoint not in (CHAT, GENERATE):
            raise ValueError(f"Unknown endpoint {self.endpoint!r}.")
        if self.endpoint == CHAT and not self.stream:
            raise ValueError("Chat answers are always streamed.")


@dataclass(frozen=True)
class Event:
    kind: str
    column: int = 0
    text: str = ""
    seconds: float = 0.0


@dataclass
class Answer:
    """One answer as it arrives and afterwards: its text, how it ended, and its figures."""

    content: str = ""
    thinking: str = ""
    tool_calls: list[dict[str, Any]] = field(default_factory=list)  # ``message.tool_calls`` of every object, in order
    logprobs: list[dict[str, Any]] = field(default_factory=list)  # one ``{token, logprob, top_logprobs?}`` a token
    final: dict[str, Any] | None = None  # the ``done`` object, with the server's figures
    first_token: float | None = None  # seconds from sending to the first text, measured when streaming
    ended_after: float | None = None  # seconds from sending to the last object or the failure, when streaming
    error: OllamaError | None = None
    stopped: bool = False

    def add(self, chunk: dict[str, Any], elapsed: float | None = None) -> tuple[str, str]:
        """Take one object of ``/api/chat`` or ``/api/generate``; returns its ``(content, thinking)`` text.

        ``elapsed`` is seconds since the request was sent (None for a non-streamed answer): the
        first time an object carries text it becomes :attr:`first_token`; the final object's is
        :attr:`ended_after`.
        """
        message = chunk.get("message")
        source = message if isinstance(message, dict) else chunk
        text = str(source.get("content") or source.get("response") or "")
        thought = str(source.get("thinking") or "")
        calls = [call for call in _listed(source.get("tool_calls")) if isinstance(call, dict)]
        if (text or thought or calls) and self.first_token is None and elapsed is not None:
            self.first_token = elapsed
        self.content += text
        self.thinking += thought
        self.tool_calls.extend(calls)
        self.logprobs.extend(entry for entry in _listed(chunk.get("logprobs")) if isinstance(entry, dict))
        if chunk.get("done") is True:
            self.final = chunk
            self.ended_after = elapsed
        return text, thought

    def fail(self, error: OllamaError, elapsed: float | None) -> None:
        """End with ``error``, keeping whatever arrived (a broken stream may hold a little more)."""
        self.error = error
        self.ended_after = elapsed
        if isinstance(error, StreamError):
            if len(error.partial.content) > len(self.content):
                self.content = error.partial.content
            if len(error.partial.thinking) > len(self.thinking):
                self.thinking = error.partial.thinking

    @property
    def complete(self) -> bool:
        return self.final is not None and self.error is None and not self.stopped

    @property
    def done_reason(self) -> str | None:
        reason = (self.final or {}).get("done_reason")
        return str(reason) if reason is not None else None

    @property
    def status(self) -> str:
        """How the answer ended, as a code (:data:`DONE`, :data:`STOPPED`, …)."""
        if self.stopped:
            return STOPPED
        if self.error is not None:
            return FAILED
        if self.done_reason == "length":
            return CUT_OFF
        return DONE if self.final is not None else UNFINISHED

    def stats(self) -> RunStats | None:
        """The figures: the server's when the answer completed, else the measured first-token time if any."""
        if self.final is not None:
            return run_stats(self.final, self.first_token)
        if self.first_token is not None:
            return RunStats(time_to_first_token=self.first_token, first_token_measured=True)
        return None


def _listed(value: Any) -> list[Any]:
    """A field that should be a list, as one: a lone object is a list of one, anything else none
    (an Ollama-compatible server may send either; neither may break the page)."""
    if isinstance(value, list):
        return value
    return [value] if isinstance(value, dict) else []


_END = object()


class _Worker:
    """Reads one request's stream on its own thread and puts ``(column, item, elapsed)`` in the inbox."""

    def __init__(self, client: OllamaClient, request: Request, column: int, inbox: queue.Queue, started: float) -> None:
        self.column = column
        self.ended = False  # its last item (the end, or a failure) has been taken
        self.cancelled = threading.Event()
        self._inbox = inbox
        self._started = started
        self._client = client.clone()
        self._thread = threading.Thread(target=self._read, args=(request,), name=f"stream-{column}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.cancelled.set()
        self._client.abort()

    def join(self, timeout: float | None) -> None:
        self._thread.join(timeout)

    def _read(self, request: Request) -> None:
        try:
            if request.stream:
                stream = _open(self._client, request)
                try:
                    for chunk in stream:
                        if self.cancelled.is_set():
                            return
                        self._put(chunk)
                finally:
                    stream.close()
            else:
                self._put({**_ask(self._client, request), "done": True}, measured=False)
            self._put(_END)
        except OllamaError as error:
            if not self.cancelled.is_set():  # after stop() the cut connection is not a failure
                self._put(error)
        except Exception as error:  # a bug must end the answer with a sentence, not hang the page
            self._put(OllamaError("errors.reading_failed", {"problem": f"{type(error).__name__}: {error}"}))
        finally:
            self._client.close()

    def _put(self, item: object, *, measured: bool = True) -> None:
        """``measured=False``: a non-streamed answer, whose arrival is no streaming time."""
        self._inbox.put((self.column, item, time.monotonic() - self._started if measured else None))


def _open(client: OllamaClient, request: Request) -> Stream:
    if request.endpoint == CHAT:
        return client.chat_stream(request.model, **request.fields)
    return client.generate_stream(request.model, **request.fields)


def _ask(client: OllamaClient, request: Request) -> dict[str, Any]:
    """A non-streamed answer: Generate's "stream" switch off."""
    return client.generate(request.model, **request.fields)


class Streams:
    """Send every request now; iterate :meth:`events` while each column's :class:`Answer` fills in."""

    def __init__(
        self,
        client: OllamaClient | Sequence[OllamaClient],
        requests: Sequence[Request],
        answers: Sequence[Answer] | None = None,
    ) -> None:
        """``client`` serves every request, or ``client[i]`` serves ``requests[i]`` (columns on several servers)."""
        clients = [client] * len(requests) if isinstance(client, OllamaClient) else list(client)
        if len(clients) != len(requests):
            raise ValueError("One client per request.")
        self.answers = list(answers) if answers is not None else [Answer() for _ in requests]
        if len(self.answers) != len(requests):
            raise ValueError("One answer per request.")
        self._inbox: queue.Queue = queue.Queue()
        self._started = time.monotonic()
        self._workers = [
            _Worker(clients[column], request, column, self._inbox, self._started)
            for column, request in enumerate(requests)
        ]

    @property
    def finished(self) -> bool:
        """Nothing more will be added to any answer: each ended, failed or was stopped."""
        return all(self.column_finished(column) for column in range(len(self._workers)))

    def column_finished(self, column: int) -> bool:
        worker = self._workers[column]
        return worker.ended or worker.cancelled.is_set()

    def elapsed(self) -> float:
        """Seconds since the requests were sent."""
        return time.monotonic() - self._started

    def events(self, poll: float = 0.2) -> Iterator[Event]:
        """Text as it arrives in any column, ENDED when a column ends, and WAITING after ``poll`` seconds of silence.

        Ends when every column is complete, has failed or was stopped.
        """
        while not self.finished:
            try:
                column, item, elapsed = self._inbox.get(timeout=poll)
            except queue.Empty:
                yield Event(WAITING, ALL_COLUMNS, seconds=self.elapsed())
                continue
            yield from self._take(column, item, elapsed)

    def _take(self, column: int, item: Any, elapsed: float | None) -> list[Event]:
        if self.column_finished(column):
            return []
        answer = self.answers[column]
        if item is _END or isinstance(item, OllamaError):
            self._workers[column].ended = True
            if isinstance(item, OllamaError):
                answer.fail(item, elapsed)
            return [Event(ENDED, column, seconds=elapsed or 0.0)]
        content, thinking = answer.add(item, elapsed)
        arrived = self.elapsed() if elapsed is None else elapsed
        return [Event(kind, column, text, arrived) for kind, text in ((THINKING, thinking), (CONTENT, content)) if text]

    def stop(self) -> None:
        """Freeze every answer, marked stopped unless it already ended, and cut the connections at once.

        Safe to call twice, from two script runs, or after the end.
        """
        self._take_waiting()
        for column, worker in enumerate(self._workers):
            answer = self.answers[column]
            if not worker.ended and answer.final is None and answer.error is None:
                answer.stopped = True
            worker.stop()

    def _take_waiting(self) -> None:
        """What the workers sent that no one read yet: a column that failed (or ended) before Stop keeps
        its error (or its end), not a stop mark, even when the page was not reading events any more."""
        while True:
            try:
                column, item, elapsed = self._inbox.get_nowait()
            except queue.Empty:
                return
            self._take(column, item, elapsed)

    def join(self, timeout: float | None = None) -> None:
        for worker in self._workers:
            worker.join(timeout)
