"""Each server of the session's fleet as Home shows it: answering or not (and why), its version, its
models and the models it has loaded, in the order of the list."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lib import server_data
from lib.fleet import catalog, session
from lib.fleet.servers import Server
from lib.ollama.errors import OllamaError


@dataclass(frozen=True)
class Health:
    """One server as last asked; ``error`` set when it could not be reached or read."""

    server: Server
    version: str = ""
    models: list[dict[str, Any]] = field(default_factory=list)
    loaded: list[dict[str, Any]] = field(default_factory=list)
    error: OllamaError | None = None

    @property
    def up(self) -> bool:
        return self.error is None


def check() -> list[Health]:
    """Every server of the session: a server that failed a moment ago is not asked again at once
    (:mod:`lib.fleet.catalog`), so a machine that went away does not hold up the page."""
    return [_health(entry) for entry in catalog.survey()]


def _health(entry: catalog.ServerState) -> Health:
    if entry.error is not None:
        return Health(entry.server, error=entry.error)
    client = session.client_for(entry.server.url)
    try:
        return Health(entry.server, server_data.version(client), entry.models, server_data.running(client))
    except OllamaError as error:
        return Health(entry.server, error=error)
