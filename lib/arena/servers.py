"""Which server each contestant ran on, and how the arena names a contestant: ``qwen3:0.6b · gpu``.

The leaderboard rates a model *on a server*: the same model on the laptop and on the GPU box are
two entries. Their ratings come from the same weights, but a battle between them is the issue's
"laptop vs GPU box" comparison (a different quantisation pulled under the same name, a context
cut short on the small machine), and the board's speed figures (tokens/s, time to first token)
and its ★ (nobody beats it on both rating and speed) belong to a machine, not to a model: a median
over both machines would describe neither. With one server nothing changes: names are the models.

A battle saved before servers were recorded counts as run on the sidebar's server (``default``),
where every battle ran then. Names show the server when the session has several servers or the
battles named ran on several, so two entries never share a name. Pure: no Streamlit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from urllib.parse import urlsplit

from lib.arena.records import Battle, Contestant
from lib.fleet.models import SEPARATOR, server_name
from lib.fleet.servers import Server, host_name
from lib.ollama.host import display_host


def place(url: str, default: str) -> str:
    """The server a contestant ran on: its own, else (saved before servers were recorded) ``default``."""
    return url or default


def several(urls: Iterable[str], servers: Sequence[Server]) -> bool:
    """Whether names need their server: the session has several servers, or ``urls`` are not all one."""
    return len(servers) > 1 or len(set(urls)) > 1


def name(model: str, url: str, servers: Sequence[Server], *, with_server: bool) -> str:
    """``model · server`` (the server's name in the session, else its host), or the model alone; plain text."""
    return f"{model}{SEPARATOR}{server_name(url, servers)}" if with_server else model


def names(picks: Sequence[tuple[str, str]], servers: Sequence[Server], default: str) -> tuple[str, ...]:
    """A battle's columns named, from their (model, server URL) in column order."""
    urls = [place(url, default) for _model, url in picks]
    shown = several(urls, servers)
    return tuple(name(model, url, servers, with_server=shown) for (model, _url), url in zip(picks, urls, strict=True))


def entries(battles: Sequence[Battle], servers: Sequence[Server], default: str) -> list[Battle]:
    """The battles with each contestant's model replaced by its leaderboard entry's name (see the module's notes).

    The leaderboard counts by name, so this is what makes one model on two servers two entries.
    """
    urls = {place(contestant.server, default) for battle in battles for contestant in battle.contestants}
    shown = several(urls, servers)

    def entry(contestant: Contestant) -> Contestant:
        url = place(contestant.server, default)
        return replace(contestant, model=name(contestant.model, url, servers, with_server=shown))

    return [replace(battle, contestants=tuple(entry(c) for c in battle.contestants)) for battle in battles]


def mentions(url: str, servers: Sequence[Server]) -> tuple[str, ...]:
    """How a server's error sentence may name it: its address as shown, its URL, its host, its name."""
    if not url:
        return ()
    host = urlsplit(url).hostname or ""
    return display_host(url), url, host, host_name(url), server_name(url, servers)
