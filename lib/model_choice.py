"""Which listed models run elsewhere, and which model a visitor starts on.

A server's ``/api/tags`` lists cloud models (``gpt-oss:120b-cloud``) beside installed ones when
someone pulled them, and an Ollama-compatible server may list a provider's hosted models. They
look installed but run elsewhere, and fail on a server that is not signed in. So they are known
by what the server says (``remote_host``), or else by name, sorted after local models, and never
picked for a visitor who did not pick them.

Pure functions over the server's JSON; :mod:`lib.server_data` feeds them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

CLOUD_HOST = "ollama.com"

# Namespaces under which Ollama-compatible gateways list hosted models ("openai/gpt-4o"). Ollama's
# own namespaces are user names on ollama.com ("library", "mannix"), which these are not.
PROVIDERS = frozenset(
    {
        "anthropic",
        "azure",
        "bedrock",
        "cohere",
        "fireworks_ai",
        "gemini",
        "google",
        "groq",
        "openai",
        "openrouter",
        "perplexity",
        "together_ai",
        "vertex_ai",
        "xai",
    }
)


def entry_name(entry: Mapping[str, Any]) -> str:
    return str(entry.get("name") or entry.get("model") or "")


def remote_host(entry: Mapping[str, Any]) -> str | None:
    """Where a listed model runs when it does not run on the server itself; ``None`` for a local model.

    The server's ``remote_host`` when it sends one; otherwise ollama.com for a ``-cloud`` tag
    (``gpt-oss:120b-cloud``, ``kimi-k2:1t-cloud``, ``qwen3-vl:cloud``) and the provider for a
    provider-style name (``openai/gpt-4o``).
    """
    host = entry.get("remote_host")
    if isinstance(host, str) and host.strip():
        return _readable_host(host.strip())
    name = entry_name(entry).lower()
    model = name.rsplit("/", 1)[-1]
    base, _, tag = model.partition(":")
    if tag == "cloud" or tag.endswith("-cloud") or (not tag and base.endswith("-cloud")):
        return CLOUD_HOST
    namespace = name.split("/", 1)[0] if "/" in name else ""
    return namespace if namespace in PROVIDERS else None


def _readable_host(url: str) -> str:
    """``https://ollama.com:443`` as ``ollama.com``: the scheme and the default port say nothing to a reader."""
    host = url.split("://", 1)[-1].split("/", 1)[0]
    for default in (":443", ":80"):
        host = host.removesuffix(default)
    return host or url


def remote_models(entries: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Name → where it runs, for every listed model that runs elsewhere."""
    found = {}
    for entry in entries:
        host = remote_host(entry)
        if host is not None:
            found[entry_name(entry)] = host
    return found


def model_failure_status(status: int | None) -> bool:
    """An HTTP status by which the server refused or failed one model, rather than the request or the connection."""
    return status in (401, 403, 404) or (status or 0) >= 500


def local_first(names: Iterable[str], remote: Mapping[str, str]) -> list[str]:
    """Local models by name, then remote ones by name."""
    return sorted(names, key=lambda name: (name in remote, name))


def preferred(
    candidates: Sequence[str],
    entries: Iterable[Mapping[str, Any]],
    *,
    loaded: Sequence[str] = (),
    used: Sequence[str] = (),
    failing: Iterable[str] = (),
) -> str | None:
    """The model a visitor starts on, among ``candidates`` (the models fit for the page).

    A local model already in memory (``loaded``, as ``/api/ps`` orders them: the most recently
    used first) answers at once; then the model the visitor used last (``used``, most recent
    first); then the smallest local model, which loads fastest. A model known to run elsewhere
    or to have failed this session is never preferred; when nothing else is left, the first
    candidate is.
    """
    if not candidates:
        return None
    listed = list(entries)
    remote = remote_models(listed)
    unfit = set(remote) | set(failing)
    fit = [name for name in candidates if name not in unfit]
    for name in (*loaded, *used):
        if name in fit:
            return name
    if not fit:
        return candidates[0]
    sizes = {entry_name(entry): _size(entry) for entry in listed}
    return min(fit, key=lambda name: (sizes.get(name, float("inf")), name))


def _size(entry: Mapping[str, Any]) -> float:
    size = entry.get("size")
    return float(size) if isinstance(size, int | float) and not isinstance(size, bool) and size > 0 else float("inf")
