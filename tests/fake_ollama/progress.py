"""Status streams for pull, push and create, and the pull itself (create reuses it for `from`).

With `stream: false` Ollama waits and answers only the last status (or the
error); streamed, an error before the first line is an HTTP error and after it
is an `{"error": ...}` line with status 200.
"""

from __future__ import annotations

from typing import Any, NoReturn

from . import gowire
from .apierror import ApiError
from .call import Call
from .catalog import ModelSpec
from .exchange import PLAIN_JSON, ClientGone, StreamCut
from .names import ModelName

_BIG_LAYER = 50_000_000


class Progress:
    def __init__(self, call: Call, stream: bool) -> None:
        self._call = call
        self._stream = stream
        self._opened = False
        self._latest: dict[str, Any] = {}

    def send(self, payload: dict[str, Any], *, final: bool = False) -> None:
        exchange = self._call.exchange
        if self._call.app.token_delay > 0:
            exchange.pause(self._call.app.token_delay)
        if not self._stream:
            if exchange.client_gone():
                raise ClientGone
            self._latest = payload
            return
        if not self._opened:
            exchange.open_stream()
            self._opened = True
        exchange.send_line(payload, final=final)

    def fail(self, message: str, status: int = 500) -> NoReturn:
        """Report an error and end the response: an HTTP error before the first line, an error line after."""
        if not self._opened:
            raise ApiError(status, message, PLAIN_JSON)
        self._call.exchange.send_line({"error": message}, final=True)
        self._call.exchange.close_stream()
        raise StreamCut

    def finish(self) -> None:
        if self._opened:
            self._call.exchange.close_stream()
        elif not self._stream:
            self._call.exchange.send_json(200, self._latest, PLAIN_JSON)


def pull(call: Call, progress: Progress, name: ModelName, *, final: bool) -> ModelSpec:
    """Fetch `name` from the fake registry, layer by layer, and install it."""
    store = call.app.store
    progress.send({"status": "pulling manifest"})
    spec = store.in_registry(name)
    if spec is None:
        progress.fail("pull model manifest: file does not exist")
    for layer in (*spec.layers, spec.config):
        line = {"status": f"pulling {layer.digest[7:19]}", "digest": layer.digest, "total": layer.size}
        if store.has_blob(layer.digest):
            progress.send({**line, "completed": layer.size})
            continue
        progress.send(line)
        steps = 8 if layer.size > _BIG_LAYER else 2
        for step in range(1, steps + 1):
            progress.send({**line, "completed": layer.size * step // steps})
    progress.send({"status": "verifying sha256 digest"})
    progress.send({"status": "writing manifest"})
    installed = spec.renamed(spec.name, gowire.now_ns())
    store.put(installed)
    progress.send({"status": "success"}, final=final)
    return installed
