"""What to tell a user whose server cannot be used: advice chosen by what went wrong."""

from __future__ import annotations

from lib.errors import NotOllamaResponse, OllamaError, RequestTimedOut, ResponseError, ServerUnreachable

START_OLLAMA = "Start Ollama: open the Ollama app, or run `ollama serve` in a terminal, then press Retry."
SET_HOST = (
    "If Ollama runs on another computer, type its address in the sidebar or start this app with "
    "`OLLAMA_HOST` set, e.g. `OLLAMA_HOST=http://192.168.1.20:11434`."
)
REMOTE_LISTEN = (
    "On that other computer Ollama only accepts local connections by default: start it with "
    "`OLLAMA_HOST=0.0.0.0 ollama serve` so other machines can reach it."
)
DOCKER = (
    "If this app runs in Docker and Ollama on the host machine, use `http://host.docker.internal:11434` "
    "as the server address."
)
API_KEY = (
    "The server is behind a proxy that wants an API key: set `OLLAMA_API_KEY` before starting the app, "
    "or enter the key under Connection in the sidebar."
)
WRONG_SERVICE = (
    "The address answers, but not like Ollama. Check the port (Ollama's is 11434) and, behind a reverse "
    "proxy, the path prefix it forwards to Ollama."
)
SLOW = (
    "The server is reachable but slow to answer. A model may be loading; wait and retry, or raise the "
    "timeout under Connection in the sidebar."
)


def advice(error: OllamaError, base_url: str) -> list[str]:
    """Steps worth trying, most likely first."""
    if isinstance(error, ResponseError) and error.status_code in (401, 403):
        return [API_KEY]
    if isinstance(error, RequestTimedOut):
        return [SLOW]
    if isinstance(error, NotOllamaResponse):
        return [WRONG_SERVICE, API_KEY]
    if isinstance(error, ServerUnreachable):
        local = _is_loopback(base_url)
        steps = [START_OLLAMA, SET_HOST, DOCKER] if local else [REMOTE_LISTEN, SET_HOST, START_OLLAMA]
        return steps + [API_KEY]
    return [WRONG_SERVICE]


def _is_loopback(base_url: str) -> bool:
    host = base_url.split("://", 1)[-1].rsplit(":", 1)[0]
    return host in ("127.0.0.1", "localhost", "[::1]") or host.startswith("127.")
