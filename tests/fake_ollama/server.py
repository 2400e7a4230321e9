"""FakeOllama: a real HTTP server on 127.0.0.1 that behaves like a current Ollama."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Self

from . import gowire
from .catalog import CLOUD
from .faults import FaultBook
from .handler import FakeHTTPServer
from .names import parse_name, written_name
from .recording import RecordedRequest, RequestLog
from .slots import Slots
from .store import ModelStore

DEFAULT_VERSION = "0.13.0"
RUNNER_CRASH = (
    "llama runner process has terminated: error loading model: unable to allocate CUDA0 buffer\n"
    "goroutine 112 [running]:\n"
    "github.com/ollama/ollama/llm.(*llmServer).Completion(0xc0001a2000)\n"
    "\t/home/runner/work/ollama/ollama/llm/server.go:601 +0x1a5\n"
)
DEFAULT_NUM_PARALLEL = 4


class FakeOllama:
    """Start it, point a client at `url`, script it, then read `requests`.

    Settings (`token_delay`, `version`, `legacy`, `num_parallel`, `api_key`, `signed_in`,
    `tags_capabilities`) can change while it runs; `reset()` restores them and the initial models.
    `version` is what /api/version reports, and whether `think` takes "max" (0.21.3 and newer, as Ollama).
    `tags_capabilities` (default True) lists each model's capabilities in /api/tags, as newer
    servers do; False acts like an older server, where only /api/show reports them.
    `num_parallel` limits concurrent generations per model, like OLLAMA_NUM_PARALLEL;
    `max_loaded_models` how many models generate at once, like OLLAMA_MAX_LOADED_MODELS
    (None: no limit), so that requests for other models queue.
    `responder`, when set, writes every generate/chat reply that is not scripted: it gets the
    prompt (chat: the last user message) and returns the text, streamed as usual.

    It can be stopped and started again (`restart()`): it comes back on the same port with its
    installed models, settings and request log, and nothing loaded, as a restarted server does.
    """

    def __init__(self, token_delay: float = 0.0, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self._initial_token_delay = token_delay
        self._address = (host, port)
        self._httpd: FakeHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._replies: deque[str] = deque()
        self._tool_rounds: deque[list[dict[str, Any]]] = deque()
        self._replies_lock = threading.Lock()
        self.log = RequestLog()
        self.faults = FaultBook()
        self.store = ModelStore()
        self.slots = Slots()
        self._restore_settings()

    def _restore_settings(self) -> None:
        self.token_delay = self._initial_token_delay
        self.version = DEFAULT_VERSION
        self.legacy = False
        self.num_parallel = DEFAULT_NUM_PARALLEL
        self.max_loaded_models: int | None = None
        self.api_key: str | None = None
        self.signed_in = False
        self.tags_capabilities = True
        self.broken_models: dict[str, str] = {}
        self.responder: Callable[[str], str] | None = None

    # lifecycle

    def start(self) -> Self:
        if self._httpd is not None:
            raise RuntimeError("already started")
        self._httpd = FakeHTTPServer(self._address, self)
        self._address = (self._address[0], self._httpd.server_address[1])  # a restart binds the same port
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fake-ollama-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        with self._connections_lock:
            for connection in self._connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
            self._connections.clear()
        self._httpd = None

    def restart(self, down: float = 0.0) -> None:
        """Stop (cutting every open connection, streams included), stay away ``down`` seconds, start again
        on the same port. Installed models, settings and the request log stay; loaded models do not."""
        self.stop()
        for model in self.store.loaded():
            self.store.unload(model.spec)
        time.sleep(down)
        self.start()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The port it listens on, also while stopped once it has been started (a restart keeps it)."""
        if self._address[1] == 0:
            raise RuntimeError("not started")
        return self._address[1]

    @property
    def url(self) -> str:
        return f"http://{self._address[0]}:{self.port}"

    def track(self, connection: socket.socket) -> None:
        """Remember open client connections so stop() can close idle keep-alive ones."""
        with self._connections_lock:
            self._connections.add(connection)

    def untrack(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(connection)

    # scripting

    def reset(self) -> None:
        """Back to the initial models, with no log, faults, loaded models, scripted replies or tool calls,
        or changed settings."""
        self.store.reset()
        self.log.clear()
        self.faults.clear()
        with self._replies_lock:
            self._replies.clear()
            self._tool_rounds.clear()
        self._restore_settings()

    def add_cloud_models(self) -> None:
        """List the catalog's cloud models, as a server does after `ollama pull <model>-cloud`.

        They run only while `signed_in` is true; otherwise every request that would run one
        is refused with Ollama's 401 and a sign-in link.
        """
        for spec in CLOUD:
            self.store.put(spec)

    def break_model(self, name: str, text: str = RUNNER_CRASH) -> None:
        """Make every request that runs `name` fail with a plain-text 500, as an Ollama-compatible
        server does whose runner for that one model crashes; other models keep working."""
        self.broken_models[name] = text

    def script_reply(self, text: str) -> None:
        """Queue the text of the next generate/chat reply (first in, first out)."""
        with self._replies_lock:
            self._replies.append(text)

    def take_scripted_reply(self) -> str | None:
        with self._replies_lock:
            return self._replies.popleft() if self._replies else None

    def script_tool_calls(self, calls: list[dict[str, Any]]) -> None:
        """Queue one round of tool calls: the next /api/chat request that declares tools answers with
        exactly these (``[{"name": str, "arguments": anything}]``, arguments not even checked to be an
        object). Each call queues one more round, first in, first out: a model that keeps calling."""
        with self._replies_lock:
            self._tool_rounds.append([{"name": call["name"], "arguments": call["arguments"]} for call in calls])

    def take_tool_round(self) -> list[dict[str, Any]] | None:
        with self._replies_lock:
            return self._tool_rounds.popleft() if self._tool_rounds else None

    def install(self, name: str) -> None:
        """Install the registry model ``name`` at once, as a finished ``ollama pull`` would."""
        parsed = parse_name(name)
        spec = self.store.in_registry(parsed) if parsed is not None else None
        if spec is None:
            raise KeyError(name)
        self.store.put(spec.renamed(spec.name, gowire.now_ns()))

    def install_as(self, name: str, like: str = "llama3.2") -> None:
        """Install a copy of the model ``like`` under ``name``, even one Ollama's rules refuse.

        A hostile server (or a proxy in front of one) lists and answers any name it likes:
        ``**bold**``, ``x](http://tracker/a.png)![``. The copy answers to exactly that name.
        """
        spec = self.store.find(parse_name(like) or written_name(like))
        if spec is None:
            raise KeyError(like)
        self.store.put(spec.renamed(written_name(name), gowire.now_ns()))

    def add_fault(self, path: str, kind: str, *, times: int = 1, **params: Any) -> None:
        """Make the next `times` requests to `path` misbehave (times=0: all of them). See faults.py."""
        self.faults.add(path, kind, times=times, **params)

    def clear_faults(self) -> None:
        self.faults.clear()

    # observing

    @property
    def requests(self) -> list[RecordedRequest]:
        return self.log.snapshot()

    def requests_to(self, path: str) -> list[RecordedRequest]:
        return [request for request in self.requests if request.path == path]

    def wait_for(self, predicate: Callable[[FakeOllama], bool], timeout: float = 5) -> bool:
        """Poll until `predicate(self)` is true; an IndexError/KeyError (nothing logged yet) counts as false."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                if predicate(self):
                    return True
            except (IndexError, KeyError):
                pass
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)
