"""Who is visiting: the person whose saved conversations the Chat page shows.

The first of these that applies names the owner of the conversations (:mod:`lib.chat.store`):

1. the signed-in user, when Streamlit authentication (``st.login``) is configured and the visitor
   signed in: their identity provider's subject id, else their email address;
2. the user a reverse proxy vouches for, when the operator names its header in
   ``OLLAMA_STUDIO_USER_HEADER`` (e.g. ``X-Forwarded-User``). Only then is a header believed: the
   proxy must set it on every request and drop any copy sent by the browser;
3. this browser: a random, unguessable id kept in a long-lived cookie. A new browser (or one
   whose cookies were cleared) starts with an empty history.

A visitor who chatted as their browser and is then known otherwise (signs in, or a trusted header
names them) takes those chats along: once per session, the conversations of the id in the
browser's cookie become theirs (:func:`carry_over`).

Streamlit reads cookies (``st.context.cookies``, those sent when the session opened) but has no
way to set one, so the page writes the cookie itself with a small constant script. Until the
next visit the id lives in the session state.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from lib import state
from lib.access import locked as access
from lib.chat.history import FAILED, failed_for_its_model
from lib.chat.store import ChatStore, StoreFailed, StoreUnavailable
from lib.i18n import t

if TYPE_CHECKING:
    from streamlit.delta_generator import DeltaGenerator

COOKIE = "ollama_studio_visitor"
HEADER_VARIABLE = "OLLAMA_STUDIO_USER_HEADER"
COOKIE_MAX_AGE = 400 * 24 * 60 * 60  # the longest a browser keeps a cookie (Chromium caps it at 400 days)
HEADER_VALUE_LENGTH = 320

USER, HEADER, BROWSER = "user", "header", "browser"

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)

# The settings that make a table of ``[auth]`` a provider, as Streamlit tells them apart (``client_kwargs``,
# the unnamed provider's options, is a table too); the unnamed provider has them directly under ``[auth]``.
_PROVIDER_SETTINGS = frozenset(
    {"client_id", "client_secret", "server_metadata_url", "authorize_url", "api_base_url", "request_token_url"}
)
# How providers often named in ``[auth.<name>]`` write their own names; any other name is title-cased.
_PROVIDER_NAMES = {
    "google": "Google",
    "microsoft": "Microsoft",
    "okta": "Okta",
    "auth0": "Auth0",
    "keycloak": "Keycloak",
    "gitlab": "GitLab",
    "apple": "Apple",
    "cognito": "Amazon Cognito",
}


@dataclass(frozen=True)
class Visitor:
    """How the visitor is known (``kind``) and the owner id their conversations are saved under."""

    kind: str
    owner: str
    browser_token: str | None = None  # the id to keep in the cookie, for a visitor known by their browser
    accounts: bool = False  # sign-in or a trusted user header is configured: visitors have accounts


def new_token() -> str:
    return secrets.token_urlsafe(32)


def is_token(text: object) -> bool:
    return isinstance(text, str) and _TOKEN.fullmatch(text) is not None


def identify(
    user: Mapping[str, Any],
    headers: Mapping[str, str],
    cookies: Mapping[str, str],
    header_name: str | None,
    session_token: str,
) -> Visitor:
    """The visitor from what the request carries; ``session_token`` is this session's new id, used without a cookie.

    ``user`` is ``st.user``: it holds ``is_logged_in`` only when authentication is configured.
    """
    header_name = (header_name or "").strip()
    accounts = "is_logged_in" in user or bool(header_name)
    if user.get("is_logged_in") is True:
        subject, email = user.get("sub"), user.get("email")
        if isinstance(subject, str) and subject:
            return Visitor(USER, f"user:{user.get('iss') or ''}|{subject}", accounts=True)
        if isinstance(email, str) and email:
            return Visitor(USER, f"email:{email.strip().lower()}", accounts=True)
    if header_name:
        value = headers.get(header_name)
        value = value.strip() if isinstance(value, str) else ""
        if value and len(value) <= HEADER_VALUE_LENGTH:
            return Visitor(HEADER, f"header:{value}", accounts=True)
    token = cookies.get(COOKIE)
    if not is_token(token):
        token = session_token
    return Visitor(BROWSER, f"browser:{token}", browser_token=token, accounts=accounts)


def browser_cookies() -> Mapping[str, str]:
    """The cookies this session's browser sent when it opened; never anything from the address."""
    return st.context.cookies


def current() -> Visitor:
    """This session's visitor."""
    token = state.get(state.VISITOR_TOKEN)
    if not is_token(token):
        token = new_token()
        state.put(state.VISITOR_TOKEN, token)
    return identify(st.user.to_dict(), st.context.headers, browser_cookies(), os.environ.get(HEADER_VARIABLE), token)


def cookie_script(token: str) -> str:
    """Our constant script that keeps ``token`` in the browser's cookie; refuses anything but a token.

    Two tabs of a new browser opened at the same instant each get a new id from their session,
    and the cookie can hold one. A tab therefore never replaces another valid id: it reloads, and
    its new session reads that id from the cookie. A tab that wrote its id tells the others
    (``localStorage``, whose change reaches every other tab of the origin), so a tab that wrote
    first and lost the cookie to another reloads too. A tab reloads at most once in a row, in case
    its cookie does not come back to the app.
    """
    if not is_token(token):
        raise ValueError("Not a visitor id.")
    reloaded = f"{COOKIE}_reloaded"
    return (
        "<script>(() => {"
        f"const held = () => (document.cookie.match(/(?:^|;\\s*){COOKIE}=([A-Za-z0-9_-]{{43}})(?=;|$)/) || [])[1];"
        f"const adopt = () => {{ if (!sessionStorage.getItem('{reloaded}')) {{"
        f" sessionStorage.setItem('{reloaded}', '1'); location.reload(); }} }};"
        f"const other = held(); if (other && other !== '{token}') {{ adopt(); return; }}"
        f"sessionStorage.removeItem('{reloaded}');"
        "document.cookie = "
        f"'{COOKIE}={token}; Max-Age={COOKIE_MAX_AGE}; Path=/; SameSite=Strict'"
        " + (location.protocol === 'https:' ? '; Secure' : '');"
        f"localStorage.setItem('{COOKIE}', '{token}');"
        f"addEventListener('storage', (event) => {{ if (event.key === '{COOKIE}' && held() !== '{token}') adopt(); }});"
        "})();</script>"
    )


def remember(visitor: Visitor, where: DeltaGenerator | None = None) -> None:
    """Write (or renew) the browser's cookie, so the next visit from this browser is the same visitor.

    Drawn in the sidebar, where the empty element's gap goes unnoticed, or in ``where`` on a
    screen without a sidebar (an Arena room's voter).
    """
    if visitor.browser_token is not None:
        (st.sidebar if where is None else where).html(
            cookie_script(visitor.browser_token), unsafe_allow_javascript=True
        )


def chat_store() -> ChatStore:
    """The saved conversations of this session's visitor.

    Conversations saved before they had owners stay visible on a single-user install only: not
    in locked mode and without accounts (sign-in or a trusted header), where every visitor could
    be someone else.
    """
    visitor = current()
    remember(visitor)
    store = ChatStore(owner=visitor.owner, with_unowned=shows_unowned(visitor, access.is_locked()))
    account(visitor, carry_over_once(visitor, store))
    return store


def carried_token(visitor: Visitor, cookies: Mapping[str, str]) -> str | None:
    """The browser id whose chats become the visitor's: the one in their cookie, once they are known otherwise.

    That is a visitor who signed in, or whom a trusted header names, in a browser that had
    chatted before as itself. Only the session's own cookie counts, and only a well-formed id.
    """
    if visitor.kind == BROWSER:
        return None
    token = cookies.get(COOKIE)
    return token if is_token(token) else None


class Transferable(Protocol):
    """A store of one owner's things that can take over another owner's (chats, battles, prompt sets)."""

    def ready(self) -> None: ...

    def take_over(self, former_owner: str) -> int: ...


def carry_over(visitor: Visitor, cookies: Mapping[str, str], store: Transferable) -> int:
    """Move what the visitor's browser saved in ``store`` to their account; returns how many moved.

    Raises :class:`StoreUnavailable` when the database cannot be opened.
    """
    token = carried_token(visitor, cookies)
    if token is None:
        return 0
    store.ready()
    return store.take_over(f"{BROWSER}:{token}")


def carry_over_once(visitor: Visitor, store: ChatStore) -> int:
    """:func:`carry_over` on the session's first run; how many chats moved then, on every run.

    While the database cannot be opened or written nothing moves: the page says why, and the next run tries again.
    """
    done = state.get(state.VISITOR_CARRIED)
    if done is None or done[0] != visitor.owner:
        try:
            done = (visitor.owner, carry_over(visitor, browser_cookies(), store))
        except (StoreUnavailable, StoreFailed):
            return 0
        state.put(state.VISITOR_CARRIED, done)
    return done[1]


def carry_over_quietly(visitor: Visitor, store: Transferable, kind: str) -> None:
    """:func:`carry_over` for the other stores (``kind``: "arena", "evals"…), once a session each: a visitor
    who signs in finds their battles and prompt sets with their chats. Only the chats are announced."""
    done: dict[str, str] = state.get(state.VISITOR_CARRIED_KINDS) or {}
    if done.get(kind) == visitor.owner:
        return
    try:
        carry_over(visitor, browser_cookies(), store)
    except (StoreUnavailable, StoreFailed):
        return  # the page says why it cannot read the database; the next run tries again
    state.put(state.VISITOR_CARRIED_KINDS, {**done, kind: visitor.owner})


def shows_unowned(visitor: Visitor, locked: bool) -> bool:
    return not locked and not visitor.accounts


def account(visitor: Visitor, carried: int = 0) -> None:
    """Sign in and out in the sidebar, when Streamlit authentication is configured (``[auth]`` in the secrets).

    ``carried`` chats were moved from this browser to the visitor's account in this session.
    """
    if carried:
        st.sidebar.info(t("privacy.carried_over", n=carried), icon=":material/drive_file_move:")
    user = st.user.to_dict()
    if "is_logged_in" not in user:
        return
    with st.sidebar:
        if visitor.kind == USER:
            name = user.get("email") or user.get("name") or ""
            st.caption(t("privacy.signed_in_as", name=name))
            if st.button(t("privacy.sign_out"), icon=":material/logout:", key="visitor_sign_out"):
                st.logout()
        else:
            st.caption(t("privacy.sign_in_hint"))
            for provider in configured_providers():
                if st.button(sign_in_label(provider), icon=":material/login:", key=sign_in_key(provider)):
                    st.login(provider)


def providers(auth: Mapping[str, Any]) -> list[str | None]:
    """The identity providers of Streamlit's ``[auth]`` secrets, each as ``st.login`` takes it.

    None stands for the unnamed provider (its settings directly under ``[auth]``, ``st.login()``);
    a table such as ``[auth.google]`` is a named one (``st.login("google")``). Without either,
    the unnamed one: signing in then shows Streamlit's own word on what is missing. Only names
    and keys are read here, never a value.
    """
    named = [
        name
        for name, section in auth.items()
        if isinstance(name, str) and isinstance(section, Mapping) and _PROVIDER_SETTINGS & section.keys()
    ]
    unnamed: list[str | None] = [None] if _PROVIDER_SETTINGS & auth.keys() else []
    return unnamed + named or [None]


def configured_providers() -> list[str | None]:
    """:func:`providers` of this app's secrets."""
    try:
        auth = st.secrets.get("auth")
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        auth = None
    return providers(auth if isinstance(auth, Mapping) else {})


def provider_label(provider: str) -> str:
    """A provider's name as people know it: "Google" for ``google``; a name we do not know, title-cased."""
    return _PROVIDER_NAMES.get(provider.lower(), provider.title())


def sign_in_label(provider: str | None) -> str:
    if provider is None:
        return t("privacy.sign_in")
    return t("privacy.sign_in_with", provider=provider_label(provider))


def sign_in_key(provider: str | None) -> str:
    return "visitor_sign_in" if provider is None else f"visitor_sign_in_{provider}"


def where_saved(visitor: Visitor | None = None) -> str:
    """One sentence on whose the listed chats are, for the chat list's help."""
    visitor = visitor or current()
    if visitor.kind == BROWSER:
        return t("privacy.saved_for_browser")
    if visitor.kind == USER:
        return t("privacy.saved_for_account")
    return t("privacy.saved_for_user", name=visitor.owner.removeprefix("header:"))


def recent_models(chats: int = 20) -> tuple[list[str], set[str]]:
    """The models of this visitor's latest saved chats, the latest first, and those whose last answer failed
    for a reason of the model's own; read without drawing anything, empty when the chats cannot be read."""
    visitor = current()
    store = ChatStore(owner=visitor.owner, with_unowned=shows_unowned(visitor, access.is_locked()))
    used: list[str] = []
    failing: set[str] = set()
    try:
        for summary in store.summaries(limit=chats):
            if not summary.model or summary.model in used:
                continue
            used.append(summary.model)
            last = store.messages(summary.id, last=1)
            if last and last[0].status == FAILED and failed_for_its_model(last[0].error):
                failing.add(summary.model)
    except (StoreUnavailable, StoreFailed):
        return [], set()
    return used, failing
