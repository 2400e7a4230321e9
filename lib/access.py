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
import os
from collections.abc import Mapping

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from lib import settings, state

LOCKED_VARIABLE = "OLLAMA_STUDIO_LOCKED"
PASSWORD_SECRET = "admin_password"
_YES = frozenset({"1", "true", "yes", "on"})


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

    ``OLLAMA_API_KEY`` belongs to the servers in ``OLLAMA_HOST``: it is never sent to an address
    typed in the sidebar. A key typed in the sidebar goes to the server it was typed for (the
    sidebar forgets it when the address changes). Locked, only the environment's key is used.
    """
    if is_locked():
        return settings.env_api_key()
    if session_key:
        return session_key
    return settings.env_api_key() if server in settings.env_hosts() else None


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


def sign_in(typed: str) -> bool:
    """Check the typed password; a match makes this browser session an administrator's."""
    ok = password_matches(typed, configured_password())
    state.put(state.ADMIN, ok)
    return ok


def sign_out() -> None:
    state.put(state.ADMIN, False)
