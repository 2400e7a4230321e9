"""Audience rooms: what each room's voters see right now, shared by every session of the server process.

One Streamlit server process serves every browser session, each in a thread of its own. The
presenter's session publishes the battle on their screen as a
:class:`~lib.arena.battle.Snapshot` (the prompt and the anonymised answers, no model names before
the reveal), and every voter's session polls :func:`live` for it. Votes, and whether a room is
open, live in the database (:mod:`lib.arena.store`); this registry holds only the live picture,
so after a restart a room shows nothing until the presenter's screen publishes again.

Also the pure parts of the room screens: the join link, built from the address the presenter's
browser opened the app under (or this machine's address on the local network when that was
localhost), and the tally as rows. Nothing here imports Streamlit.
"""

from __future__ import annotations

import functools
import io
import ipaddress
import re
import socket
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import segno

from lib.arena.records import BOTH_BAD, TIE

if TYPE_CHECKING:
    from lib.arena.battle import Snapshot

ROOM_QUERY = "room"
"""The query parameter of a join link: ``/arena?room=CODE``."""
ARENA_PATH = "arena"
"""The Arena page's URL path (lib/ui/navigation.py)."""
MAX_ROOMS = 1_000
"""Rooms remembered at once; past that, the one published to longest ago is forgotten first."""
WATCHING_SECONDS = 10.0
"""A voter whose screen asked for the room within this many seconds counts as watching."""
MAX_WATCHERS = 10_000
"""Watchers remembered per room; past that, new ones are not counted (a demo has tens)."""

_CODE = re.compile(r"[A-Z0-9]{1,16}")


@dataclass(frozen=True)
class Live:
    """A room as its voters see it now: the battle (None before the first one) and whether the room closed."""

    snapshot: Snapshot | None = None
    closed: bool = False


NOTHING = Live()

_lock = threading.Lock()
_rooms: dict[str, Live] = {}  # by canonical code, the least recently published first
_watchers: dict[str, dict[str, float]] = {}  # code -> voter -> when their screen last asked


def canonical(code: str) -> str:
    """A room code as the registry and the database know it: codes are case-insensitive."""
    return code.strip().upper()


def is_code(text: str) -> bool:
    """Whether ``text`` (canonical) can be a room code at all, before asking the database."""
    return _CODE.fullmatch(text) is not None


def publish(code: str, snapshot: Snapshot) -> None:
    """Show ``snapshot`` to the room's voters; a closed room stays closed and shows nothing more."""
    key = canonical(code)
    with _lock:
        if _rooms.get(key, NOTHING).closed:
            return
        _rooms.pop(key, None)
        _rooms[key] = Live(snapshot)
        _forget_oldest()


def close(code: str) -> None:
    """The room closed: its voters see that, and later publishes are ignored."""
    key = canonical(code)
    with _lock:
        _rooms.pop(key, None)
        _rooms[key] = Live(None, closed=True)
        _watchers.pop(key, None)
        _forget_oldest()


def live(code: str) -> Live:
    key = canonical(code)
    with _lock:
        return _rooms.get(key, NOTHING)


def current(code: str) -> Snapshot | None:
    """The battle the room's voters see now; None before the presenter's screen published one."""
    return live(code).snapshot


def seen(code: str, voter: str, now: float | None = None) -> None:
    """``voter``'s screen asked for the room (at ``now``, monotonic seconds)."""
    now = time.monotonic() if now is None else now
    key = canonical(code)
    with _lock:
        room = _watchers.setdefault(key, {})
        if voter not in room and len(room) >= MAX_WATCHERS:
            _drop_gone(room, now)
        if voter in room or len(room) < MAX_WATCHERS:
            room[voter] = now
        if len(_watchers) > MAX_ROOMS:
            del _watchers[next(iter(_watchers))]


def watching(code: str, now: float | None = None) -> int:
    """How many voters' screens asked for the room within the last :data:`WATCHING_SECONDS`."""
    now = time.monotonic() if now is None else now
    with _lock:
        room = _watchers.get(canonical(code), {})
        _drop_gone(room, now)
        return len(room)


def _drop_gone(room: dict[str, float], now: float) -> None:
    """Forget the voters not seen lately; call with ``_lock`` held."""
    for voter in [voter for voter, when in room.items() if now - when > WATCHING_SECONDS]:
        del room[voter]


def _forget_oldest() -> None:
    """Call with ``_lock`` held."""
    while len(_rooms) > MAX_ROOMS:
        del _rooms[next(iter(_rooms))]


def choices(letters: Sequence[str]) -> tuple[str, ...]:
    """What a vote on a battle with these columns may be, in the order the buttons show them."""
    return (*letters, TIE, BOTH_BAD)


def tally_rows(tally: Mapping[str, int], letters: Sequence[str]) -> list[tuple[str, int]]:
    """Every choice of the battle with its count (0 when nobody chose it), in button order."""
    return [(choice, int(tally.get(choice, 0))) for choice in choices(letters)]


def voters(tally: Mapping[str, int]) -> int:
    """How many voted: everyone votes once per battle, so the sum of the counts."""
    return sum(int(count) for count in tally.values())


# The join link and its QR code


@dataclass(frozen=True)
class JoinLink:
    """The address voters open, and what the presenter needs to know about reaching it from a phone.

    ``local``: the presenter opened the app as localhost (or another loopback address), which a
    phone cannot reach; ``network_host`` is then this machine's address on the local network that
    ``url`` uses instead (None when none was found, and ``url`` keeps localhost).
    ``listening_here_only``: the server accepts connections from this machine only
    (``server.address`` is a loopback address), so no phone can join whatever the link says.
    """

    url: str
    local: bool = False
    network_host: str | None = None
    listening_here_only: bool = False


def app_address(page_url: str | None, host: str | None, base_path: str = "") -> str | None:
    """The app's root address as the presenter's browser reached it: scheme, host and port, and the base path.

    ``page_url`` is ``st.context.url`` (the browser's own address bar, so behind a proxy it has the
    proxy's scheme and host); without it, the request's ``Host`` header over http. ``base_path``
    is Streamlit's ``server.baseUrlPath``.
    """
    scheme, netloc = "", ""
    if page_url:
        parts = urlsplit(page_url)
        scheme, netloc = parts.scheme, parts.netloc
    if not netloc and host:
        scheme, netloc = "http", host.strip()
    if not netloc or scheme not in ("http", "https"):
        return None
    base = base_path.strip("/")
    return urlunsplit((scheme, netloc, f"/{base}" if base else "", "", ""))


def join_url(address: str, code: str) -> str:
    """The short link voters open: the app's address, the Arena page and the room."""
    return f"{address.rstrip('/')}/{ARENA_PATH}?{ROOM_QUERY}={canonical(code)}"


def is_loopback_host(host: str | None, *, unspecified: bool = True) -> bool:
    """``localhost``, ``127.0.0.1``, ``::1`` and the like: names that mean "this machine" to whoever uses them.

    A browser takes ``0.0.0.0`` (``unspecified``) for this machine too; a server listening on it
    listens on every interface, so :func:`join_link` asks about ``server.address`` without it.
    """
    if not host:
        return False
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or (unspecified and address.is_unspecified)


def with_host(address: str, host: str) -> str:
    """``address`` with its host replaced by ``host`` (an IPv4 or IPv6 address), keeping scheme, port and path."""
    parts = urlsplit(address)
    shown = f"[{host}]" if ":" in host else host
    netloc = f"{shown}:{parts.port}" if parts.port is not None else shown
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


# Addresses on private networks a UDP socket is pointed at to learn which local address the
# machine would send from; connecting a UDP socket sends nothing.
_PROBES = ("10.255.255.255", "192.168.255.255", "172.31.255.255")


def network_host() -> str | None:
    """This machine's IPv4 address on its local network, as phones on that network reach it; None if unknown."""
    for probe in _PROBES:
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                udp.connect((probe, 9))
                found = udp.getsockname()[0]
        except OSError:
            continue
        if isinstance(found, str) and not is_loopback_host(found):
            return found
    return None


def join_link(
    address: str, code: str, server_address: str | None, find_network_host: Callable[[], str | None] | None = None
) -> JoinLink:
    """The join link for a room, from the app's address (:func:`app_address`).

    ``server_address`` is Streamlit's ``server.address`` (empty: every interface);
    ``find_network_host`` (default :func:`network_host`) is asked for this machine's address only
    when ``address`` is a loopback one.
    """
    here_only = is_loopback_host(server_address, unspecified=False)
    if not is_loopback_host(urlsplit(address).hostname):
        return JoinLink(join_url(address, code), listening_here_only=here_only)
    lan_host = None if here_only else (find_network_host or network_host)()
    if lan_host is None:
        return JoinLink(join_url(address, code), local=True, listening_here_only=here_only)
    return JoinLink(join_url(with_host(address, lan_host), code), local=True, network_host=lan_host)


@functools.lru_cache(maxsize=64)
def qr_png(url: str) -> bytes:
    """``url`` as a QR code, a PNG image (black on white, 8 pixels a module, a quiet zone phones read easily)."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="png", scale=8, border=3)
    return buffer.getvalue()
