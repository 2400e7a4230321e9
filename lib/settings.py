"""Settings read from the environment, at call time (never at import), like Ollama's own tools."""

from __future__ import annotations

import os

from lib.host import InvalidHost, normalize_host

DEFAULT_HOST = "http://127.0.0.1:11434"


def env_host() -> str:
    """``OLLAMA_HOST`` as a base URL; an unreadable value falls back to the default."""
    try:
        return normalize_host(os.environ.get("OLLAMA_HOST"))
    except InvalidHost:
        return DEFAULT_HOST


def env_api_key() -> str | None:
    """``OLLAMA_API_KEY``, for servers behind an authenticating proxy or ollama.com."""
    return os.environ.get("OLLAMA_API_KEY", "").strip() or None
