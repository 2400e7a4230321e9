"""What to tell a user whose server cannot be used: advice chosen by what went wrong."""

from __future__ import annotations

from lib.i18n import t
from lib.ollama.errors import NotOllamaResponse, OllamaError, RequestTimedOut, ResponseError, ServerUnreachable

START_OLLAMA = "doctor.start_ollama"
SET_HOST = "doctor.set_host"
REMOTE_LISTEN = "doctor.remote_listen"
DOCKER = "doctor.docker"
API_KEY = "doctor.api_key"
WRONG_SERVICE = "doctor.wrong_service"
SLOW = "doctor.slow"


def advice(error: OllamaError, base_url: str) -> list[str]:
    """Steps worth trying, most likely first, worded in the session's language."""
    return [t(key) for key in advice_keys(error, base_url)]


def advice_keys(error: OllamaError, base_url: str) -> list[str]:
    """The catalog keys of :func:`advice`."""
    if isinstance(error, ResponseError) and error.status_code in (401, 403):
        return [API_KEY]
    if isinstance(error, RequestTimedOut):
        return [SLOW]
    if isinstance(error, NotOllamaResponse):
        return [WRONG_SERVICE, API_KEY]
    if isinstance(error, ServerUnreachable):
        local = _is_loopback(base_url)
        steps = [START_OLLAMA, SET_HOST, DOCKER] if local else [REMOTE_LISTEN, SET_HOST, START_OLLAMA]
        return [*steps, API_KEY]
    return [WRONG_SERVICE]


def _is_loopback(base_url: str) -> bool:
    host = base_url.split("://", 1)[-1].rsplit(":", 1)[0]
    return host in ("127.0.0.1", "localhost", "[::1]") or host.startswith("127.")
