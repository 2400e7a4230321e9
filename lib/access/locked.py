"""Locked mode for public demos: visitors use a fixed server and cannot change the models on it.

Start the app with ``OLLAMA_STUDIO_LOCKED=1``. Then:

- the server is the one in ``OLLAMA_HOST`` (or, with several separated by commas, one of them):
  the sidebar shows it instead of an address box, and the API key box is gone, so a visitor can
  neither point the app at another address (for example a machine inside your network) nor read
  or replace the key from ``OLLAMA_API_KEY``;
- pulling, creating, copying and deleting models are hidden on the Models page, unless the
  visitor enters the administrator password set as ``admin_password`` in Streamlit's secrets
  (``.streamlit/secrets.toml``). Without a configured password they stay hidden for everyone.

The session state cannot widen this: :func:`server_url` and :func:`api_key` are applied where the
client is built, whatever the session holds.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

import streamlit as st
from streamlit import runtime
from streamlit.errors import StreamlitSecretNotFoundError
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from lib import settings, state
from lib.fleet import servers as fleet_servers
from lib.i18n import t

LOCKED_VARIABLE = "OLLAMA_STUDIO_LOCKED"
PASSWORD_SECRET = "admin_password"
_YES = frozenset({"1", "true", "yes", "on"})
WRONG_PASSWORDS = 5  # in a row, then the password box refuses every try for PAUSE seconds
PAUSE = 30.0


def is_locked(environ: Mapping[str, str] | None = None) -> bool:
    """Whether ``OLLAMA_STUDIO_LOCKED`` is set to 1, true, yes or on (any case)."""
    value = (os.environ if environ is None else environ).get(LOCKED_VARIABLE, "")
    return value.strip().lower() in _YES


def allowed_server(requested: str | None, servers: list[str], locked: bool) -> str:
    """The server to use: any when unlocked; when locked, the requested one only if it is fixed, else the first."""
    if not locked:
        return requested or servers[0]
    return requested if requested in servers else servers[0]


def server_url(requested: str | None) -> str:
    return allowed_server(requested, settings.env_hosts(), is_locked())


def api_key(session_key: str | None, server: str) -> str | None:
    """The key to send to ``server``.

    The environment's keys (``OLLAMA_API_KEY_<NAME>``, else ``OLLAMA_API_KEY``: lib/fleet/servers.py)
    belong to the servers in ``OLLAMA_HOST``: they are never sent to an address typed in the
    sidebar. A key typed in the sidebar goes to the server it was typed for (the sidebar forgets it
    when the address changes). Locked, only the environment's keys are used.
    """
    listed = fleet_servers.by_url(fleet_servers.env_servers(), server)
    from_env = fleet_servers.env_key(listed) if listed is not None else None
    if is_locked():
        return from_env
    return session_key or from_env


def password_matches(typed: str, expected: str | None) -> bool:
    """Constant-time comparison; nothing matches when no password is configured."""
    if not expected or not typed:
        return False
    return hmac.compare_digest(typed.encode(), expected.encode())


def configured_password() -> str | None:
    """``admin_password`` from Streamlit's secrets, or None when there are no secrets or no such entry."""
    try:
        value = st.secrets.get(PASSWORD_SECRET)
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        return None
    return value if isinstance(value, str) and value else None


def can_change_server() -> bool:
    return not is_locked()


def can_manage_models() -> bool:
    """Pull, create, copy and delete: always when unlocked; locked, only after the admin password."""
    return not is_locked() or (state.get(state.ADMIN) is True and configured_password() is not None)


@dataclass
class PasswordBrake:
    """Slows down guessing.

    After :data:`WRONG_PASSWORDS` wrong passwords in a row, every try is refused for :data:`PAUSE` seconds.
    """

    wrong: int = 0
    until: float = 0.0
    last: float = 0.0  # when a password was last checked

    def wait(self, now: float) -> float:
        """Seconds left before a password is checked again; 0 when it is checked now."""
        return max(0.0, self.until - now)

    def record(self, ok: bool, now: float) -> None:
        self.last = now
        if ok:
            self.wrong = 0
            return
        self.wrong += 1
        if self.wrong >= WRONG_PASSWORDS:
            self.wrong = 0
            self.until = now + PAUSE

    def idle(self, now: float) -> bool:
        """Nothing to remember: no pause running, and no wrong password lately."""
        return not self.wait(now) and (self.wrong == 0 or now - self.last > FORGET_AFTER)


EVERYONE = "everyone"
"""The brake of every visitor whose address cannot be known: one for all of them, never one per session."""
LOOPBACK = "loopback"
"""The brake of connections from this machine: 127.0.0.1, any other 127.x.y.z, and ::1 alike."""
FORGET_AFTER = 3600.0  # seconds after which a few wrong passwords (fewer than five) are forgotten
MAX_CLIENTS = 10_000  # clients remembered at once; past that, new ones share the EVERYONE brake


def client_key(address: str | None) -> str:
    """Whose brake a connection from ``address`` uses.

    One per IPv4 address; one per IPv6 /64 network, since a single IPv6 host usually holds a whole
    /64 and could take a new address for every guess; one for the app's own machine, whichever
    loopback address it connects from; and :data:`EVERYONE` when the address is unknown or
    unreadable, so a client without an address never gets a fresh count by opening a new session.
    """
    if not address:
        return EVERYONE
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # "fe80::1%eth0": the zone is not part of it
    except ValueError:
        return EVERYONE
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # "::ffff:192.0.2.1" on a dual-stack socket is the IPv4 client 192.0.2.1
    if ip.is_loopback:
        return LOOPBACK
    if isinstance(ip, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def client_address() -> str | None:
    """The address of this session's browser connection, as Streamlit's web server saw it; None if unknown.

    Not ``st.context.ip_address``: that reports 127.0.0.1 and ::1 as None, which cannot be told
    apart from "no address", and a reverse proxy on this machine connects from one of them.
    Streamlit's server (uvicorn) has already replaced the address with the client named in
    ``X-Forwarded-For`` when the connection came from an address in ``FORWARDED_ALLOW_IPS``
    (by default 127.0.0.1 and ::1), and only then.
    """
    context = get_script_run_ctx(suppress_warning=True)
    if context is None or not runtime.exists():
        return None
    session_client = runtime.get_instance().get_client(context.session_id)
    address = getattr(getattr(session_client, "client_context", None), "remote_ip", None)
    return address if isinstance(address, str) else None


# Brakes by client (client_key), so opening a new session does not start the count again.
_brakes: dict[str, PasswordBrake] = {}
_brakes_lock = threading.Lock()


def _brake(now: float) -> PasswordBrake:
    """This visitor's brake; call with ``_brakes_lock`` held."""
    key = client_key(client_address())
    if key not in _brakes:
        for known in [known for known, old in _brakes.items() if old.idle(now)]:
            del _brakes[known]
        if len(_brakes) >= MAX_CLIENTS:
            key = EVERYONE
    return _brakes.setdefault(key, PasswordBrake())


def sign_in(typed: str, now: float | None = None) -> bool:
    """Check the typed password unless the brake holds; a match makes this browser session an administrator's."""
    now = time.monotonic() if now is None else now
    with _brakes_lock:
        brake = _brake(now)
        held = brake.wait(now) > 0
        ok = not held and password_matches(typed, configured_password())
        if not held:
            brake.record(ok, now)
    state.put(state.ADMIN, ok)
    return ok


def refusal(now: float | None = None) -> str | None:
    """The sentence to show while the brake holds, else None."""
    now = time.monotonic() if now is None else now
    with _brakes_lock:
        seconds = _brake(now).wait(now)
    return t("privacy.admin_wait", seconds=max(1, round(seconds))) if seconds else None


def sign_out() -> None:
    state.put(state.ADMIN, False)
