"""Turn whatever a user puts in ``OLLAMA_HOST`` into a base URL, the way Ollama's own CLI does.

| input                            | base URL                          |
|----------------------------------|-----------------------------------|
| (empty)                          | http://127.0.0.1:11434            |
| ``0.0.0.0``                      | http://127.0.0.1:11434            |
| ``0.0.0.0:8080``                 | http://127.0.0.1:8080             |
| ``myhost``                       | http://myhost:11434               |
| ``myhost:11434``                 | http://myhost:11434               |
| ``:56789``                       | http://127.0.0.1:56789            |
| ``http://10.0.0.5:11434/``       | http://10.0.0.5:11434             |
| ``https://ollama.example.com``   | https://ollama.example.com:443    |
| ``http://ollama.example.com``    | http://ollama.example.com:80      |
| ``https://example.com/ollama/``  | https://example.com:443/ollama    |
| ``http://myhost:11434/api``      | http://myhost:11434               |
| ``[::1]`` / ``::1``              | http://[::1]:11434                |
| ``[::]``                         | http://[::1]:11434                |

An explicit ``http://`` or ``https://`` without a port means that scheme's own port (80/443),
as in Ollama's ``envconfig.Host``: a URL with a scheme usually points at a reverse proxy.
The bind-all addresses ``0.0.0.0`` and ``::`` are what a server listens on, not somewhere a
client can connect to, so they become the loopback address. A trailing ``/api`` is dropped
because every endpoint path already starts with ``/api/``.
"""

from __future__ import annotations

import ipaddress
from typing import Any

DEFAULT_PORT = 11434
SCHEME_PORTS = {"http": 80, "https": 443}


class InvalidHost(ValueError):
    """The text cannot be read as a host, e.g. a port that is not a number.

    Carries a catalog key and its values (``lib/locales/host.toml``) for the sidebar to word;
    this module stays free of the interface.
    """

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def normalize_host(raw: str | None) -> str:
    """Return ``scheme://host:port[/path]`` for an ``OLLAMA_HOST``-style value."""
    text = (raw or "").strip()
    scheme, sep, rest = text.partition("://")
    if sep:
        scheme = scheme.lower()
        if scheme not in SCHEME_PORTS:
            raise InvalidHost("host.unsupported_scheme", scheme=repr(scheme))
        default_port = SCHEME_PORTS[scheme]
    else:
        scheme, rest, default_port = "http", text, DEFAULT_PORT

    hostport, _, path = rest.partition("/")
    if "@" in hostport:
        # user:password@host: the password would be shown and saved wherever the address is (never repeated here).
        raise InvalidHost("host.credentials")
    host, port = _split_host_port(hostport, default_port)
    return f"{scheme}://{_format_host(host)}:{port}{_clean_path(path)}"


def display_host(base_url: str) -> str:
    """The base URL without the scheme's default port, for showing to people."""
    for scheme, port in SCHEME_PORTS.items():
        prefix = f"{scheme}://"
        if base_url.startswith(prefix):
            hostport, slash, path = base_url[len(prefix) :].partition("/")
            if hostport.endswith(f":{port}"):
                hostport = hostport[: -len(f":{port}")]
            return f"{prefix}{hostport}{slash}{path}"
    return base_url


def join_url(base_url: str, path: str) -> str:
    """Join a base URL from :func:`normalize_host` and an ``/api/...`` path."""
    return base_url.rstrip("/") + "/" + path.lstrip("/")


def _split_host_port(hostport: str, default_port: int) -> tuple[str, int]:
    if not hostport:
        return "127.0.0.1", default_port
    if hostport.startswith("["):
        host, bracket, after = hostport[1:].partition("]")
        if not bracket or (after and not after.startswith(":")):
            raise InvalidHost("host.unreadable", address=repr(hostport))
        return _loopback_if_any(host), _parse_port(after[1:], default_port) if after else default_port
    if hostport.count(":") > 1:
        return _loopback_if_any(hostport), default_port
    host, colon, port_text = hostport.partition(":")
    port = _parse_port(port_text, default_port) if colon else default_port
    return _loopback_if_any(host or "127.0.0.1"), port


def _parse_port(text: str, default_port: int) -> int:
    if not text:
        return default_port
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise InvalidHost("host.bad_port", port=repr(text))
    return int(text)


def _loopback_if_any(host: str) -> str:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host.lower()
    if address.is_unspecified:
        return "::1" if address.version == 6 else "127.0.0.1"
    return address.compressed


def _format_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _clean_path(path: str) -> str:
    segments = [segment for segment in path.split("/") if segment]
    if segments and segments[-1] == "api":
        segments.pop()
    return "".join(f"/{segment}" for segment in segments)
