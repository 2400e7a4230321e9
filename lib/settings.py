"""Settings read from the environment, at call time (never at import), like Ollama's own tools."""

from __future__ import annotations

import os

from lib.fleet.servers import DEFAULT_HOST, env_servers

__all__ = ["DEFAULT_HOST", "env_api_key", "env_host", "env_hosts"]


def env_host() -> str:
    """``OLLAMA_HOST`` as a base URL (the first, when it lists several).

    An unreadable value falls back to the default.
    """
    return env_hosts()[0]


def env_hosts() -> list[str]:
    """Every server in ``OLLAMA_HOST``, separated by commas, each ``url`` or ``name=url`` (lib/fleet/servers.py);
    locked mode offers only these; never empty."""
    return [server.url for server in env_servers()]


def env_api_key() -> str | None:
    """``OLLAMA_API_KEY``, for servers behind an authenticating proxy or ollama.com."""
    return os.environ.get("OLLAMA_API_KEY", "").strip() or None
