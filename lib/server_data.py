"""The session's client and short-lived caches of what the server reports.

Reruns happen on every click, so model lists and capabilities are cached for a few seconds
instead of being fetched for every widget. Cache keys are the server URL plus a fingerprint of
the API key (never the key itself), so two users of different servers never share entries.
Errors are not cached: a failed call to the sidebar's server is tried again on the next rerun. Another
server of the fleet that failed to list, report or answer is not asked again for :data:`DOWN_FOR` seconds
(the remembered error is raised at once): a page keeps a pick on a server that went away (lib/fleet/picker.py),
and without this every rerun would wait for that server's connect timeout once per question asked of it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from lib import model_choice, state, thinking
from lib.access import locked as access
from lib.ollama.client import OllamaClient, Timeouts
from lib.ollama.errors import NotOllamaResponse, OllamaError, ResponseError


def client() -> OllamaClient:
    """The session's client, rebuilt when the server address, key or timeout changes."""
    server = access.server_url(state.get(state.SERVER_URL))
    wanted = (server, access.api_key(state.get(state.API_KEY), server), float(state.get(state.MODEL_TIMEOUT)))
    built: tuple[tuple[Any, ...], OllamaClient] | None = state.get(state.CLIENT)
    if built is not None and built[0] == wanted:
        return built[1]
    if built is not None:
        built[1].close()
    fresh = OllamaClient(wanted[0], api_key=wanted[1], timeouts=Timeouts(model_read=wanted[2]))
    state.put(state.CLIENT, (wanted, fresh))
    return fresh


def _cache_key(c: OllamaClient) -> tuple[str, str]:
    return c.base_url, c.key_fingerprint


@st.cache_data(ttl=10, show_spinner=False)
def _version(base_url: str, auth: str, _client: OllamaClient) -> str:
    return _client.version()


@st.cache_data(ttl=10, show_spinner=False)
def _models(base_url: str, auth: str, _client: OllamaClient) -> list[dict[str, Any]]:
    return _client.list_models()


@st.cache_data(ttl=5, show_spinner=False)
def _running(base_url: str, auth: str, _client: OllamaClient) -> list[dict[str, Any]]:
    return _client.running_models()


@st.cache_data(ttl=300, show_spinner=False)
def _details(base_url: str, auth: str, model: str, digest: str, _client: OllamaClient) -> dict[str, Any]:
    return _client.show(model)


DOWN_FOR = 10.0
_Asked = TypeVar("_Asked")


def _ask(c: OllamaClient, fetch: Callable[[], _Asked]) -> _Asked:
    """``fetch()``, unless ``c``'s server is another server of the fleet that failed less than :data:`DOWN_FOR`
    seconds ago: then its error again, without a request. Outside a page run (a job's thread) it just fetches."""
    if get_script_run_ctx() is None or c.base_url == access.server_url(state.get(state.SERVER_URL)):
        return fetch()
    down: dict[str, tuple[float, OllamaError]] = state.get(state.FLEET_DOWN) or {}
    remembered = down.get(c.base_url)
    if remembered is not None and time.monotonic() - remembered[0] < DOWN_FOR:
        raise remembered[1]
    try:
        result = fetch()
    except OllamaError as error:
        state.put(state.FLEET_DOWN, {**down, c.base_url: (time.monotonic(), error)})
        raise
    if remembered is not None:
        state.put(state.FLEET_DOWN, {url: entry for url, entry in down.items() if url != c.base_url})
    return result


def version(c: OllamaClient) -> str:
    return _ask(c, lambda: _version(*_cache_key(c), c))


def models(c: OllamaClient) -> list[dict[str, Any]]:
    return _ask(c, lambda: _models(*_cache_key(c), c))


def running(c: OllamaClient) -> list[dict[str, Any]]:
    return _ask(c, lambda: _running(*_cache_key(c), c))


def details(c: OllamaClient, model: str, digest: str = "") -> dict[str, Any]:
    """``/api/show`` for a model; the digest in the key makes a re-pulled model refetch."""
    return _details(*_cache_key(c), model, digest, c)


def capabilities(c: OllamaClient, model: dict[str, Any]) -> list[str]:
    """Capabilities of an ``/api/tags`` entry; empty for servers too old to report them.

    Newer servers list them in the entry itself; only for older ones is ``/api/show`` asked, once
    per model and digest (cached).
    """
    listed = model.get("capabilities")
    if isinstance(listed, list):
        return [str(capability) for capability in listed]
    name = model.get("model") or model.get("name") or ""
    return list(details(c, name, model.get("digest", "")).get("capabilities") or [])


def capabilities_of(c: OllamaClient, name: str) -> frozenset[str]:
    """What the installed model ``name`` can do; empty when unknown (old servers, not installed, unreadable)."""
    try:
        entry = next((m for m in models(c) if name in (m.get("name"), m.get("model"))), None)
        return frozenset(capabilities(c, entry)) if entry else frozenset()
    except OllamaError:
        return frozenset()


def family_of(c: OllamaClient, name: str) -> str:
    """The installed model's family as ``/api/tags`` reports it (``"gptoss"``, ``"qwen3"``…); empty when unknown."""
    try:
        entry = next((m for m in models(c) if name in (m.get("name"), m.get("model"))), None)
    except OllamaError:
        return ""
    details = (entry or {}).get("details")
    return str(details.get("family") or "") if isinstance(details, dict) else ""


def think_choices(c: OllamaClient, name: str) -> tuple[thinking.Think, ...]:
    """What the think control offers for ``name``: levels, off/on, or nothing (see :mod:`lib.thinking`).

    Only a model that takes levels needs the server's version (whether it takes "max"), so only then is it asked.
    """
    capabilities, family = capabilities_of(c, name), family_of(c, name)
    levels = "thinking" in capabilities and thinking.takes_levels(name, family)
    return thinking.choices(capabilities, name=name, family=family, version=version_or_unknown(c) if levels else "")


def version_or_unknown(c: OllamaClient) -> str:
    """The server's version, or "" when it cannot be read (:func:`lib.thinking.takes_max` takes that as old)."""
    try:
        return version(c)
    except OllamaError:
        return ""


def models_with(c: OllamaClient, capability: str) -> list[str]:
    """Names of listed models that report ``capability``: local ones by name, then remote ones.

    Servers too old to report capabilities report none, and a model whose details cannot be
    read is treated the same: it is offered, and the server's own error explains a wrong choice.
    """
    names = []
    for model in models(c):
        try:
            found = capabilities(c, model)
        except (ResponseError, NotOllamaResponse):
            found = []
        if not found or capability in found:
            names.append(model["name"])
    return model_choice.local_first(names, remote_models(c))


def remote_models(c: OllamaClient) -> dict[str, str]:
    """Listed models that run elsewhere (cloud models), with where they run; empty when the list cannot be read."""
    try:
        return model_choice.remote_models(models(c))
    except OllamaError:
        return {}


def preferred_model(c: OllamaClient, candidates: list[str], used: list[str], failing: set[str]) -> str | None:
    """The model to start a visitor on among ``candidates``: see :func:`lib.model_choice.preferred`.

    ``used`` and ``failing`` come from earlier visits; this session's own are added.
    """
    try:
        loaded = [str(m.get("name") or m.get("model") or "") for m in running(c)]
        listed = models(c)
    except OllamaError:
        loaded, listed = [], []
    return model_choice.preferred(
        candidates,
        listed,
        loaded=loaded,
        used=[*(state.get(state.USED_MODELS) or []), *used],
        failing={*(state.get(state.FAILED_MODELS) or set()), *failing},
    )


def note_request(model: str, error: OllamaError | None = None) -> None:
    """Remember that this session asked ``model`` something, and whether it failed for a reason of its own.

    A model fails for a reason of its own when the server answered for it with an error status
    (not found, cloud sign-in, a crashed runner) rather than being unreachable.
    """
    used = [model, *(name for name in state.get(state.USED_MODELS) or [] if name != model)]
    state.put(state.USED_MODELS, used[:10])
    failed = set(state.get(state.FAILED_MODELS) or ())
    if error is not None and model_choice.model_failure_status(error.status_code):
        failed.add(model)
    elif error is None:
        failed.discard(model)
    state.put(state.FAILED_MODELS, failed)


def forget_models() -> None:
    """Drop cached server data after a change such as pull, create, copy, delete, load or unload."""
    for cached in (_version, _models, _running, _details):
        cached.clear()
