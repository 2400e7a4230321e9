"""The servers of the fleet: read from ``OLLAMA_HOST``, named, each with its own API key variable.

``OLLAMA_HOST`` lists servers separated by commas, each ``url`` or ``name=url``::

    OLLAMA_HOST="laptop=127.0.0.1:11434, gpu=http://10.0.0.7:11434"

A server without a name is named after its host (``10.0.0.7``), with the port when two share a host.
Its API key is ``OLLAMA_API_KEY_<NAME>`` (the name upper-cased, anything but letters and digits as
``_``), else ``OLLAMA_API_KEY``; keys from the environment go only to the servers listed there.
Nothing here imports Streamlit: :mod:`lib.fleet.session` keeps the session's list and clients.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from lib.ollama.host import InvalidHost, display_host, normalize_host

DEFAULT_HOST = "http://127.0.0.1:11434"
HOST_VARIABLE = "OLLAMA_HOST"
KEY_VARIABLE = "OLLAMA_API_KEY"
NAME_LENGTH = 24
_NAME = re.compile(r"^[\w.\-]{1,24}$")


@dataclass(frozen=True)
class Server:
    """One Ollama server: ``url`` (normalized, its identity everywhere: stored chats, caches) and a short ``name``."""

    url: str
    name: str
    from_env: bool = False  # listed in OLLAMA_HOST: the environment's keys may go to it


def valid_name(name: str) -> bool:
    """A name people type and read beside a model: 1–24 letters, digits, ``.``, ``_`` or ``-``."""
    return bool(_NAME.match(name))


def host_name(url: str) -> str:
    """``http://10.0.0.7:11434`` → ``10.0.0.7``; loopback addresses → ``localhost``."""
    host = urlsplit(url).hostname or url
    return "localhost" if host in ("127.0.0.1", "::1", "localhost") else host


def named(
    urls_and_names: Iterable[tuple[str, str | None]], *, from_env: bool = False, taken: Iterable[str] = ()
) -> list[Server]:
    """Servers for ``(url, name or None)`` pairs: duplicates (by URL) dropped, the first pair kept; unnamed
    ones named after their host (with the port, then a number, when that name is taken here or in ``taken``)."""
    servers: list[Server] = []
    pairs = [(url, name) for url, name in urls_and_names]
    taken = {*taken, *(name for _, name in pairs if name)}
    for url, name in pairs:
        if any(server.url == url for server in servers):
            continue
        if not name:
            name = _free_name(url, taken)
            taken.add(name)
        servers.append(Server(url, name, from_env))
    return servers


def _free_name(url: str, taken: set[str]) -> str:
    for candidate in (host_name(url), display_host(url).partition("://")[2] or url):
        if candidate not in taken:
            return candidate[:NAME_LENGTH]
    number = 2
    while f"{host_name(url)}-{number}" in taken:
        number += 1
    return f"{host_name(url)}-{number}"[:NAME_LENGTH]


def _host_entries(value: str) -> Iterator[tuple[str, str | None]]:
    """``OLLAMA_HOST``'s non-empty entries as (address as written, name or None)."""
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        before, equals, after = part.partition("=")
        if equals and "://" not in before and valid_name(before.strip()):
            yield after.strip(), before.strip()
        else:
            yield part, None


def parse_hosts(value: str) -> list[tuple[str, str | None]]:
    """``OLLAMA_HOST``'s entries as ``(url, name)``; unreadable entries (and bad names) are skipped
    (:func:`unreadable_hosts` says which, for Home)."""
    entries: list[tuple[str, str | None]] = []
    for address, name in _host_entries(value):
        try:
            entries.append((normalize_host(address), name))
        except InvalidHost:
            continue
    return entries


def unreadable_hosts(environ: Mapping[str, str] | None = None) -> list[tuple[int, InvalidHost]]:
    """``OLLAMA_HOST``'s entries that :func:`parse_hosts` skips, as (their place from 1, why)."""
    environ = os.environ if environ is None else environ
    problems: list[tuple[int, InvalidHost]] = []
    for place, (address, _name) in enumerate(_host_entries(environ.get(HOST_VARIABLE, "")), start=1):
        try:
            normalize_host(address)
        except InvalidHost as problem:
            problems.append((place, problem))
    return problems


def env_servers(environ: Mapping[str, str] | None = None) -> list[Server]:
    """The servers in ``OLLAMA_HOST``, in its order; never empty (the default local server)."""
    environ = os.environ if environ is None else environ
    entries = parse_hosts(environ.get(HOST_VARIABLE, ""))
    return named(entries or [(DEFAULT_HOST, None)], from_env=True)


def key_variable(server: Server) -> str:
    """The variable holding this server's own key: ``OLLAMA_API_KEY_GPU`` for ``gpu``."""
    return f"{KEY_VARIABLE}_" + re.sub(r"[^A-Za-z0-9]", "_", server.name).upper()


def env_key(server: Server, environ: Mapping[str, str] | None = None) -> str | None:
    """The environment's key for ``server``: its own variable, else ``OLLAMA_API_KEY``; none for a
    server that is not in ``OLLAMA_HOST`` (a key is never sent to an address someone typed)."""
    if not server.from_env:
        return None
    environ = os.environ if environ is None else environ
    own = environ.get(key_variable(server), "").strip()
    return own or environ.get(KEY_VARIABLE, "").strip() or None


def by_url(servers: Iterable[Server], url: str) -> Server | None:
    return next((server for server in servers if server.url == url), None)


def by_name(servers: Iterable[Server], name: str) -> Server | None:
    """The server called ``name``, whatever the case of its letters ("GPU" is "gpu": one key variable)."""
    wanted = name.casefold()
    return next((server for server in servers if server.name.casefold() == wanted), None)
