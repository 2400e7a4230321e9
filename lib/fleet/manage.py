"""Changing the session's list of servers from the sidebar: add one, rename or remove one added there,
and keep a key typed for it.

Each change returns ``None`` when done, else the sentence saying why it was refused. Only servers added
in the sidebar can be renamed, given a key or removed. The servers of ``OLLAMA_HOST`` stay as the
environment says: their names choose their key variables (``OLLAMA_API_KEY_<NAME>``), and chats saved
on them must keep finding them. The sidebar's own server is changed with the address box, as with a
single server. Locked, nothing changes: the list is ``OLLAMA_HOST``'s.

A typed key lives in ``state.SERVER_KEYS`` only: never put in a sentence, a log or the page.
"""

from __future__ import annotations

from lib import state
from lib.access import locked as access
from lib.fleet import session
from lib.fleet.servers import by_name, by_url, valid_name
from lib.i18n import Markdown, code, t
from lib.ollama.host import InvalidHost, display_host, normalize_host

Added = list[tuple[str, str | None]]


def added() -> Added:
    """The servers added in the sidebar, in the order they were added: ``(url, name or None)``."""
    return list(state.get(state.FLEET_ADDED) or [])


def editable(url: str) -> bool:
    """Whether the sidebar may rename, key or remove the server at ``url``: added there, not locked."""
    return not access.is_locked() and any(known == url for known, _ in added())


def removable(url: str) -> bool:
    """An added server that is not the sidebar's own (that one is changed with the address box)."""
    return editable(url) and url != session.current().url


def add(address: str, name: str = "", key: str = "") -> Markdown | None:
    """Add the server at ``address``, optionally named and with its own API key."""
    if access.is_locked():
        return t("fleet.locked")
    if not address.strip():
        return t("fleet.address_needed")
    try:
        url = normalize_host(address)
    except InvalidHost as error:
        return t(error.key, **error.values)
    listed = session.servers()
    same = by_url(listed, url)
    if same is not None:
        return t("fleet.already_listed", address=code(display_host(url)), server=same.name)
    name = name.strip()
    problem = _name_problem(name, url) if name else None
    if problem is not None:
        return problem
    state.put(state.FLEET_ADDED, [*added(), (url, name or None)])
    if key.strip():
        _keep_key(url, key)
    _forget_failure(url)
    return None


def rename(url: str, name: str) -> Markdown | None:
    """Give an added server another name; an empty name names it after its host again."""
    if not editable(url):
        return t("fleet.not_editable")
    name = name.strip()
    problem = _name_problem(name, url) if name else None
    if problem is not None:
        return problem
    state.put(state.FLEET_ADDED, [(known, (name or None) if known == url else old) for known, old in added()])
    return None


def remove(url: str) -> Markdown | None:
    """Take an added server out of the list, with its key and its client."""
    if not removable(url):
        return t("fleet.not_removable")
    state.put(state.FLEET_ADDED, [(known, name) for known, name in added() if known != url])
    keys = state.get(state.SERVER_KEYS) or {}
    state.put(state.SERVER_KEYS, {known: key for known, key in keys.items() if known != url})
    clients = dict(state.get(state.CLIENTS) or {})
    built = clients.pop(url, None)
    if built is not None:
        built[1].close()
    state.put(state.CLIENTS, clients)
    _forget_failure(url)
    return None


def set_key(url: str, key: str) -> Markdown | None:
    """Send ``key`` to the added server at ``url`` from now on; a blank key changes nothing."""
    if not editable(url):
        return t("fleet.not_editable")
    if key.strip():
        _keep_key(url, key)
    return None


def has_key(url: str) -> bool:
    return bool((state.get(state.SERVER_KEYS) or {}).get(url))


def _keep_key(url: str, key: str) -> None:
    state.put(state.SERVER_KEYS, {**(state.get(state.SERVER_KEYS) or {}), url: key.strip()})
    _forget_failure(url)  # a server that refused without a key is asked again at once


def _name_problem(name: str, url: str) -> Markdown | None:
    if not valid_name(name):
        return t("fleet.bad_name", name=name)
    other = by_name(session.servers(), name)
    if other is not None and other.url != url:
        return t("fleet.name_taken", name=name, address=code(display_host(other.url)))
    return None


def _forget_failure(url: str) -> None:
    down = state.get(state.FLEET_DOWN) or {}
    if url in down:
        state.put(state.FLEET_DOWN, {known: entry for known, entry in down.items() if known != url})
