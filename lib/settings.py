"""Settings read from the environment, at call time (never at import), like Ollama's own tools."""

from __future__ import annotations

import os

from lib.ollama.host import InvalidHost, normalize_host

DEFAULT_HOST = "http://127.0.0.1:11434"


def env_host() -> str:
    """``OLLAMA_HOST`` as a base URL (the first, when it lists several).

    An unreadable value falls back to the default.
    """
    return env_hosts()[0]


def env_hosts() -> list[str]:
    """Every server in ``OLLAMA_HOST``, separated by commas (locked mode offers only these); never empty."""
    hosts = []
    for part in os.environ.get("OLLAMA_HOST", "").split(","):
        try:
            host = normalize_host(part)
        except InvalidHost:
            continue
        if part.strip() and host not in hosts:
            hosts.append(host)
    return hosts or [DEFAULT_HOST]


def env_api_key() -> str | None:
    """``OLLAMA_API_KEY``, for servers behind an authenticating proxy or ollama.com."""
    return os.environ.get("OLLAMA_API_KEY", "").strip() or None
