"""What each server of the session's fleet offers right now: reachable or not, its version, models
and loaded models; the models of every server with a capability, as :class:`ModelRef` options.

Each server's lists come from :mod:`lib.server_data`'s short caches; a server of the fleet that failed
is not asked again for a few seconds there (its sentence is kept), so a machine that went away does not
slow every rerun of every page by a connect timeout.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lib import server_data, state
from lib.fleet import session
from lib.fleet.models import ModelRef
from lib.fleet.servers import Server
from lib.ollama.errors import NotOllamaResponse, OllamaError, ResponseError


@dataclass
class ServerState:
    """One server as last asked: ``error`` set when it could not be reached or read."""

    server: Server
    models: list[dict[str, Any]] = field(default_factory=list)
    error: OllamaError | None = None
    # A server that is down: its models as it last listed them in this session (none if it never answered).
    known: list[dict[str, Any]] = field(default_factory=list)

    @property
    def up(self) -> bool:
        return self.error is None


def survey() -> list[ServerState]:
    """Every server of the session, in order, with its models (or why they could not be read)."""
    return [_state_of(server) for server in session.servers()]


def _state_of(server: Server) -> ServerState:
    seen: dict[str, list[dict[str, Any]]] = state.get(state.FLEET_SEEN) or {}
    try:
        listed = server_data.models(session.client_for(server.url))  # a server down a moment ago is not asked
    except OllamaError as error:
        return ServerState(server, error=error, known=seen.get(server.url, []))
    if seen.get(server.url) != listed:
        state.put(state.FLEET_SEEN, {**seen, server.url: listed})
    return ServerState(server, models=listed)


def forget_down() -> None:
    """Ask every server again on the next survey (a Retry or Refresh button)."""
    state.put(state.FLEET_DOWN, {})


def refs_with(capability: str, states: list[ServerState] | None = None) -> list[ModelRef]:
    """Every model with ``capability`` on every reachable server: server by server, in each the
    order of :func:`lib.server_data.models_with` (local models first)."""
    refs: list[ModelRef] = []
    for entry in survey() if states is None else states:
        if not entry.up:
            continue
        try:
            names = server_data.models_with(session.client_for(entry.server.url), capability)
        except (ResponseError, NotOllamaResponse, OllamaError):
            continue
        refs += [ModelRef(name, entry.server.url) for name in names]
    return refs


def unavailable_refs(capability: str, states: list[ServerState]) -> list[ModelRef]:
    """The models of servers that are down, as they last listed them, that have ``capability`` (or did not
    say what they can do): shown as not answering rather than vanishing from the list."""
    refs: list[ModelRef] = []
    for entry in states:
        for model in [] if entry.up else entry.known:
            listed = model.get("capabilities")
            if isinstance(listed, list) and capability not in listed:
                continue
            name = str(model.get("name") or model.get("model") or "")
            if name:
                refs.append(ModelRef(name, entry.server.url))
    return refs


def running(states: list[ServerState] | None = None) -> dict[str, list[dict[str, Any]]]:
    """What each reachable server has loaded (``/api/ps``), by server URL; a server whose list cannot be
    read is left out (it is named down by :func:`survey` soon enough, or its models simply show as not loaded)."""
    loaded: dict[str, list[dict[str, Any]]] = {}
    for entry in survey() if states is None else states:
        if not entry.up:
            continue
        try:
            loaded[entry.server.url] = server_data.running(session.client_for(entry.server.url))
        except OllamaError:
            continue
    return loaded


def answering(states: list[ServerState]) -> int:
    """How many of the servers answered."""
    return sum(entry.up for entry in states)
