"""A model on a server, and how it is named on screen: ``qwen3:0.6b · gpu``. Pure: no Streamlit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lib.fleet.servers import Server, by_url, host_name

SEPARATOR = " · "


@dataclass(frozen=True, order=True)
class ModelRef:
    """``model`` as installed on the server at ``server`` (its base URL). A select box's option value."""

    model: str
    server: str


def server_name(url: str, servers: Sequence[Server]) -> str:
    found = by_url(servers, url)
    return found.name if found is not None else host_name(url)


def label(ref: ModelRef, servers: Sequence[Server]) -> str:
    """``model · server`` when the fleet has several servers, the model alone when it has one (plain text)."""
    if len(servers) <= 1:
        return ref.model
    return f"{ref.model}{SEPARATOR}{server_name(ref.server, servers)}"
