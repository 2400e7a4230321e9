"""Which server a new chat goes to when its model is installed on several: routing. Pure: no Streamlit, no HTTP.

A server is asked what it has in memory (``/api/ps``) just before the chat's first question. The chat goes to

1. a server that has the model **loaded** (no load time): the picked server if it is one of them, else the
   least busy of them;
2. otherwise the **least busy** server: the fewest models loaded, then the least memory they take (``size_vram``,
   else ``size``), as a server with nothing loaded answers soonest and one with less in memory is likelier to
   have room for one more model without unloading another;
3. on a tie, the **picked** server (the one the box would have used), else the first of the tied.

A server whose list could not be read is left out (it may be going away); when no list could be read, the
picked server is used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

ANY = "any-server:"
"""The server of a ``ModelRef`` that lets the app choose: "qwen3:0.6b · any server". Never a URL, never saved."""

LOADED = "loaded"  # it has the model in memory
LEAST_BUSY = "least_busy"  # no server has it loaded; this one has the fewest or lightest models loaded
EQUAL = "equal"  # no server has it loaded, and they are equally busy: the picked one
ONLY = "only"  # the only server with the model that said what it has loaded
UNKNOWN = "unknown"  # no server said what it has loaded: the picked one


@dataclass(frozen=True, order=True)
class Busy:
    """How busy a server is, from its ``/api/ps`` list; compares as busier when greater."""

    models: int = 0
    memory: int = 0  # bytes


@dataclass(frozen=True)
class Route:
    """Where a chat was sent and why (``reason``: :data:`LOADED`, :data:`LEAST_BUSY`, :data:`EQUAL`, :data:`ONLY`
    or :data:`UNKNOWN`)."""

    server: str
    reason: str
    busy: Busy | None = None  # the chosen server's load; None when it could not be read


def busy(running: Sequence[Mapping[str, Any]]) -> Busy:
    """A server's load from its ``/api/ps`` entries; sizes that are not whole numbers count as nothing."""
    memory = 0
    for entry in running:
        size = entry.get("size_vram") or entry.get("size")
        if isinstance(size, int) and not isinstance(size, bool) and size > 0:
            memory += size
    return Busy(len(running), memory)


def has_loaded(running: Sequence[Mapping[str, Any]], model: str) -> bool:
    """Whether ``model`` is among a server's loaded models (``/api/ps`` names it in ``name`` or ``model``)."""
    return any(model in (entry.get("name"), entry.get("model")) for entry in running)


def route(model: str, picked: str, running: Mapping[str, Sequence[Mapping[str, Any]] | None]) -> Route:
    """The server for a new chat with ``model``.

    ``running``: each server that has the model installed (its URL, in the order the servers are listed)
    with its ``/api/ps`` entries, or None when they could not be read. ``picked``: the server to keep on a tie.
    """
    known = {url: list(entries) for url, entries in running.items() if entries is not None}
    if not known:
        return Route(picked, UNKNOWN)
    loads = {url: busy(entries) for url, entries in known.items()}
    loaded = [url for url, entries in known.items() if has_loaded(entries, model)]
    if loaded:
        chosen = picked if picked in loaded else min(loaded, key=lambda url: loads[url])
        return Route(chosen, LOADED, loads[chosen])
    least = min(loads.values())
    lightest = [url for url, load in loads.items() if load == least]
    chosen = picked if picked in lightest else lightest[0]
    if len(loads) == 1:
        return Route(chosen, ONLY, least)
    return Route(chosen, EQUAL if len(lightest) == len(loads) else LEAST_BUSY, least)
