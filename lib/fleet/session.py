"""The session's fleet: the servers it may use, and one client per server.

The sidebar's server (``state.SERVER_URL``, what the pages used before there was a fleet) is always
in the list; so are the servers of ``OLLAMA_HOST`` and, where the app is not locked, those added in
the sidebar. Locked, only ``OLLAMA_HOST``'s servers are listed and :func:`client_for` refuses any
other address, whatever the session state holds.
"""

from __future__ import annotations

from typing import Any

from lib import server_data, state
from lib.access import locked as access
from lib.fleet.servers import Server, by_url, env_key, env_servers, named
from lib.ollama.client import OllamaClient, Timeouts


class UnknownServer(LookupError):
    """An address that is not one of the session's servers (a stale choice, or a locked app)."""


def servers() -> list[Server]:
    """The session's servers: ``OLLAMA_HOST``'s first, then the sidebar's own and those added there.

    A lone ``OLLAMA_HOST`` server is left out once the sidebar's address points elsewhere (see below);
    the servers of a list of several always stay."""
    fixed = env_servers()
    if access.is_locked():
        return fixed
    added: list[tuple[str, str | None]] = list(state.get(state.FLEET_ADDED) or [])
    current = state.get(state.SERVER_URL)
    if len(fixed) == 1 and current and current != fixed[0].url and not added:
        # One server in OLLAMA_HOST (or none: the local default), no server added, and another address typed
        # in the sidebar: the typed address replaces it, as it always did, instead of making a fleet of two
        # with a server nobody asked for. Once a server is added, the session is a fleet and keeps it.
        fixed = []
    listed = by_url(fixed, current) is not None or any(url == current for url, _ in added)
    extra = [] if not current or listed else [(current, None)]
    taken = [server.name for server in fixed]
    return fixed + [s for s in named(extra + added, taken=taken) if by_url(fixed, s.url) is None]


def current() -> Server:
    """The sidebar's server: where a new chat goes unless another is chosen."""
    url = access.server_url(state.get(state.SERVER_URL))
    found = by_url(servers(), url)
    return found if found is not None else named([(url, None)])[0]


def server(url: str) -> Server:
    """The session's server at ``url``; :class:`UnknownServer` when it is not one of them."""
    found = by_url(servers(), url)
    if found is None:
        raise UnknownServer(url)
    return found


def client_for(url: str) -> OllamaClient:
    """The session's client for the server at ``url`` (kept and reused; rebuilt when its key or the
    timeout changes). The sidebar's server uses :func:`lib.server_data.client`."""
    if url == current().url:
        return server_data.client()
    chosen = server(url)
    typed: dict[str, str] = state.get(state.SERVER_KEYS) or {}
    key = None if access.is_locked() else typed.get(url)
    wanted = (url, key or env_key(chosen), float(state.get(state.MODEL_TIMEOUT)))
    clients: dict[str, tuple[tuple[Any, ...], OllamaClient]] = state.get(state.CLIENTS) or {}
    built = clients.get(url)
    if built is not None and built[0] == wanted:
        return built[1]
    if built is not None:
        built[1].close()
    fresh = OllamaClient(url, api_key=wanted[1], timeouts=Timeouts(model_read=wanted[2]))
    state.put(state.CLIENTS, {**clients, url: (wanted, fresh)})
    return fresh
