"""Whose conversations a session shows: the signed-in user, a trusted header, else the browser."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from lib import state
from lib.access import locked as access
from lib.access import visitor
from lib.access.visitor import BROWSER, COOKIE, HEADER, Visitor, identify
from lib.access.visitor import USER as SIGNED_IN
from lib.chat.history import USER, Conversation, Message
from lib.chat.store import ChatStore
from lib.i18n import t
from tests.conftest import ENTRY_POINT

PAGE = "app_pages/chat.py"
TOKEN = "A" * 43
OTHER_TOKEN = "b" * 43
SESSION_TOKEN = "s" * 43
NO_AUTH: dict = {"email": "test@example.com"}  # what st.user holds without [auth] in the secrets


# Identity as a pure function


@pytest.mark.parametrize(
    ("user", "headers", "cookies", "header_name", "expected"),
    [
        # Signed in: the provider's subject, else the email address, before any header or cookie.
        (
            {"is_logged_in": True, "sub": "42", "iss": "https://idp.example", "email": "a@x.org"},
            {"X-User": "eve"},
            {COOKIE: TOKEN},
            "X-User",
            Visitor(SIGNED_IN, "user:https://idp.example|42", accounts=True),
        ),
        (
            {"is_logged_in": True, "email": " Ann@Example.org"},
            {},
            {},
            None,
            Visitor(SIGNED_IN, "email:ann@example.org", accounts=True),
        ),
        # Authentication configured but signed out: the browser, and accounts exist.
        (
            {"is_logged_in": False},
            {},
            {COOKIE: TOKEN},
            None,
            Visitor(BROWSER, f"browser:{TOKEN}", TOKEN, accounts=True),
        ),
        # A trusted header only when the operator names it.
        (NO_AUTH, {"X-User": "ann"}, {COOKIE: TOKEN}, "X-User", Visitor(HEADER, "header:ann", accounts=True)),
        (NO_AUTH, {"X-User": "ann"}, {COOKIE: TOKEN}, None, Visitor(BROWSER, f"browser:{TOKEN}", TOKEN)),
        (NO_AUTH, {"X-User": "ann"}, {COOKIE: TOKEN}, "  ", Visitor(BROWSER, f"browser:{TOKEN}", TOKEN)),
        (
            NO_AUTH,
            {"X-User": " "},
            {},
            "X-User",
            Visitor(BROWSER, f"browser:{SESSION_TOKEN}", SESSION_TOKEN, accounts=True),
        ),
        (
            NO_AUTH,
            {"X-User": "x" * 321},
            {},
            "X-User",
            Visitor(BROWSER, f"browser:{SESSION_TOKEN}", SESSION_TOKEN, accounts=True),
        ),
        # The browser's cookie, else this session's new id; a cookie that is not one of our ids is ignored.
        (NO_AUTH, {}, {}, None, Visitor(BROWSER, f"browser:{SESSION_TOKEN}", SESSION_TOKEN)),
        (NO_AUTH, {}, {COOKIE: "guess"}, None, Visitor(BROWSER, f"browser:{SESSION_TOKEN}", SESSION_TOKEN)),
        (
            NO_AUTH,
            {},
            {COOKIE: TOKEN + "'; alert(1)"},
            None,
            Visitor(BROWSER, f"browser:{SESSION_TOKEN}", SESSION_TOKEN),
        ),
    ],
)
def test_identify(user, headers, cookies, header_name, expected):
    assert identify(user, headers, cookies, header_name, SESSION_TOKEN) == expected


def test_new_ids_are_random_and_valid():
    tokens = {visitor.new_token() for _ in range(100)}
    assert len(tokens) == 100 and all(visitor.is_token(token) for token in tokens)


def test_the_cookie_script_is_constant_apart_from_a_checked_id():
    script = visitor.cookie_script(TOKEN)
    assert f"'{COOKIE}={TOKEN}; Max-Age={visitor.COOKIE_MAX_AGE}; Path=/; SameSite=Strict'" in script
    for hostile in ["x", TOKEN + "'</script><script>alert(1)//", ""]:
        with pytest.raises(ValueError):
            visitor.cookie_script(hostile)


@pytest.mark.parametrize(
    ("kind", "accounts", "locked", "shown"),
    [
        (BROWSER, False, False, True),  # a single-user install keeps its chats from before owners
        (BROWSER, False, True, False),  # a public demo never shows them
        (BROWSER, True, False, False),  # nor an install with accounts
        (HEADER, True, False, False),
        (SIGNED_IN, True, False, False),
    ],
)
def test_chats_from_before_owners_show_on_a_single_user_install_only(kind, accounts, locked, shown):
    assert visitor.shows_unowned(Visitor(kind, "owner", accounts=accounts), locked) is shown


# The Chat page, two people


def send(at: AppTest, text: str) -> AppTest:
    return at.chat_input(key=state.CHAT_PROMPT_INPUT).set_value(text).run()


def shown(at: AppTest) -> list[str]:
    return ["\n".join(md.value for md in message.markdown) for message in at.chat_message]


def chat_list(at: AppTest) -> list[str]:
    return [button.label for button in at.sidebar.button if button.key and button.key.startswith("chat_open")]


def store_of(studio_env, owner: str | None = None) -> ChatStore:
    """The app's chats as ``owner`` sees them: ``chats.sqlite3`` in the data folder, or the ``backend``'s database."""
    return ChatStore(owner=owner)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"user": {"is_logged_in": True, "sub": "ann"}}, {"user": {"is_logged_in": True, "sub": "bob"}}),
        ({"browser": TOKEN}, {"browser": OTHER_TOKEN}),
    ],
    ids=["signed-in users", "browsers"],
)
def test_one_persons_chat_is_invisible_to_another_even_through_its_link(studio_env, open_app, fake, first, second):
    fake.script_reply("Ann's answer.")
    ann = send(open_app(PAGE, **first), "Ann's secret")
    [saved] = store_of(studio_env).summaries()
    assert shown(ann) == ["Ann's secret", "Ann's answer."]

    bob = open_app(PAGE, **second, query={"chat": str(saved.id)})
    assert shown(bob) == []
    assert "Ann's secret" not in chat_list(bob)
    assert "chat" not in bob.query_params
    fake.script_reply("Bob's answer.")
    send(bob, "Bob's question")

    ann_again = open_app(PAGE, **first, query={"chat": str(saved.id)})
    assert shown(ann_again) == ["Ann's secret", "Ann's answer."]
    assert "Bob's question" not in chat_list(ann_again)
    assert {summary.title for summary in store_of(studio_env).summaries()} == {"Ann's secret", "Bob's question"}


def test_a_comparison_link_of_another_person_opens_nothing(studio_env, open_app, fake):
    ann = store_of(studio_env, f"browser:{TOKEN}")
    ids = [ann.create(Conversation(title=f"Ann {n}", model="llama3.2:latest")) for n in range(2)]
    for conversation_id in ids:
        ann.add(conversation_id, Message(USER, "Ann's secret"))
    bob = open_app(PAGE, browser=OTHER_TOKEN, query={"compare": ",".join(map(str, ids))})
    assert not any("Ann's secret" in text for text in shown(bob))
    assert "compare" not in bob.query_params


def test_a_new_browser_session_gets_its_own_id_and_keeps_it(studio_env, open_app, fake):
    at = open_app(PAGE, browser=None)
    token = at.session_state[state.VISITOR_TOKEN]
    assert visitor.is_token(token)
    send(at, "hello")
    assert at.session_state[state.VISITOR_TOKEN] == token
    assert open_app(PAGE, browser=None).session_state[state.VISITOR_TOKEN] != token


def test_chats_from_before_owners_are_hidden_in_locked_mode(studio_env, open_app, fake, monkeypatch):
    old = store_of(studio_env).create(Conversation(title="Old chat"))
    store_of(studio_env).add(old, Message(USER, "from before owners"))
    assert "Old chat" in chat_list(open_app(PAGE, browser=TOKEN))
    monkeypatch.setenv(access.LOCKED_VARIABLE, "1")
    locked = open_app(PAGE, browser=TOKEN, query={"chat": str(old)})
    assert "Old chat" not in chat_list(locked) and shown(locked) == []


def test_signing_in_is_offered_only_where_authentication_is_configured(studio_env, open_app, fake):
    assert not [
        b for b in open_app(PAGE, browser=TOKEN).sidebar.button if b.key in {"visitor_sign_in", "visitor_sign_out"}
    ]

    signed_out = open_app(PAGE, user={"is_logged_in": False}, browser=TOKEN)
    assert [b.label for b in signed_out.sidebar.button if b.key == "visitor_sign_in"] == ["Sign in"]
    assert any("saved for this browser only" in caption.value for caption in signed_out.sidebar.caption)

    signed_in = open_app(PAGE, user={"is_logged_in": True, "sub": "7", "email": "ann_b@example.org"})
    assert [b.label for b in signed_in.sidebar.button if b.key == "visitor_sign_out"] == ["Sign out"]
    assert any(caption.value.startswith("Signed in as ann\\_b@example.org.") for caption in signed_in.sidebar.caption)


@pytest.mark.parametrize(
    ("who", "sentence"),
    [
        (Visitor(BROWSER, f"browser:{TOKEN}", TOKEN), "Saved for this browser only"),
        (Visitor(SIGNED_IN, "user:|7", accounts=True), "Saved for your account"),
        (Visitor(HEADER, "header:ann*", accounts=True), "Saved for ann\\*."),
    ],
)
def test_the_chat_list_says_whose_chats_these_are(who, sentence):
    assert visitor.where_saved(who).startswith(sentence)


# Signing in with the configured providers

SHARED = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "cookie-secret-value"}
PROVIDER = {
    "client_id": "client-id-value",
    "client_secret": "client-secret-value",
    "server_metadata_url": "https://idp.example/.well-known/openid-configuration",
}


@pytest.mark.parametrize(
    ("auth", "expected"),
    [
        ({**SHARED, **PROVIDER}, [None]),  # one unnamed provider: st.login()
        ({**SHARED, **PROVIDER, "client_kwargs": {"prompt": "login"}}, [None]),  # its options are no provider
        ({**SHARED, "google": PROVIDER}, ["google"]),
        (
            {**SHARED, "google": PROVIDER, "microsoft": {**PROVIDER, "client_kwargs": {"prompt": "login"}}},
            ["google", "microsoft"],
        ),
        ({**SHARED, **PROVIDER, "okta": PROVIDER}, [None, "okta"]),
        ({**SHARED, "google": {"prompt": "login"}}, [None]),  # a table without provider settings is no provider
        (SHARED, [None]),  # none configured: Streamlit says what is missing when the visitor signs in
        ({}, [None]),
    ],
)
def test_providers_are_read_from_the_auth_secrets(auth, expected):
    assert visitor.providers(auth) == expected


@pytest.mark.parametrize(
    ("provider", "label"),
    [
        ("google", "Google"),
        ("microsoft", "Microsoft"),
        ("auth0", "Auth0"),
        ("GitLab", "GitLab"),
        ("company-sso", "Company-Sso"),
        ("acme", "Acme"),
    ],
)
def test_a_provider_is_named_as_people_know_it(provider, label):
    assert visitor.provider_label(provider) == label


def open_signed_out(auth: dict) -> AppTest:
    """The Chat page for a visitor who has not signed in, with ``auth`` as the ``[auth]`` secrets."""
    at = AppTest.from_file(ENTRY_POINT, default_timeout=30)
    at.secrets["auth"] = auth
    at.session_state[state.VISITOR_TOKEN] = TOKEN
    at.user = {"is_logged_in": False}
    at.run()
    at.switch_page(PAGE)
    return at.run()


def sign_in_buttons(at: AppTest) -> dict[str, str]:
    return {b.key: b.label for b in at.sidebar.button if b.key and b.key.startswith("visitor_sign_in")}


def everything_shown(at: AppTest) -> str:
    """Every element the run sent to the browser, as protobuf text."""

    def walk(node) -> Iterator[str]:
        yield str(getattr(node, "proto", ""))
        for child in getattr(node, "children", {}).values():
            yield from walk(child)

    return "\n".join(walk(at._tree))


@pytest.mark.parametrize(
    ("auth", "buttons", "called"),
    [
        ({**SHARED, **PROVIDER}, {"visitor_sign_in": "Sign in"}, None),
        (
            {**SHARED, "google": PROVIDER, "my*idp": PROVIDER},
            {"visitor_sign_in_google": "Sign in with Google", "visitor_sign_in_my*idp": "Sign in with My\\*Idp"},
            "google",
        ),
    ],
    ids=["unnamed provider", "named providers"],
)
def test_each_provider_gets_its_sign_in_button(studio_env, fake, monkeypatch, auth, buttons, called):
    logins = []
    monkeypatch.setattr(st, "login", lambda provider=None: logins.append(provider))
    at = open_signed_out(auth)
    assert sign_in_buttons(at) == buttons
    shown_text = everything_shown(at)
    assert "Sign in to keep your chats" in shown_text and "Saved for this browser only" in shown_text
    assert not [value for value in ("secret-value", "client-id-value", "idp.example") if value in shown_text]

    at.sidebar.button(key=next(iter(buttons))).click().run()
    assert logins == [called]


# A browser's chats follow its visitor into their account

ANN = {"is_logged_in": True, "sub": "ann", "iss": "https://idp.example"}
ANNS_ACCOUNT = "user:https://idp.example|ann"


@pytest.mark.parametrize(
    ("who", "cookies", "token"),
    [
        (Visitor(SIGNED_IN, ANNS_ACCOUNT, accounts=True), {COOKIE: TOKEN}, TOKEN),
        (Visitor(HEADER, "header:ann", accounts=True), {COOKIE: TOKEN}, TOKEN),
        # Still known by the browser: nothing to carry over.
        (Visitor(BROWSER, f"browser:{TOKEN}", TOKEN, accounts=True), {COOKIE: TOKEN}, None),
        # No cookie, or one that is not one of our ids.
        (Visitor(SIGNED_IN, ANNS_ACCOUNT, accounts=True), {}, None),
        (Visitor(SIGNED_IN, ANNS_ACCOUNT, accounts=True), {COOKIE: "browser:" + TOKEN}, None),
        (Visitor(SIGNED_IN, ANNS_ACCOUNT, accounts=True), {COOKIE: TOKEN + "' OR 1=1"}, None),
        (Visitor(SIGNED_IN, ANNS_ACCOUNT, accounts=True), {"other": TOKEN}, None),
    ],
)
def test_the_browser_carried_over_is_the_one_in_the_cookie_of_a_visitor_known_otherwise(who, cookies, token):
    assert visitor.carried_token(who, cookies) == token


def test_carrying_over_moves_the_browsers_chats_once_and_no_one_elses(backend):
    for owner, title in [
        (f"browser:{TOKEN}", "Ann's first"),
        (f"browser:{TOKEN}", "Ann's second"),
        (f"browser:{OTHER_TOKEN}", "Bob's"),
    ]:
        ChatStore(owner=owner).create(Conversation(title=title))
    ChatStore().create(Conversation(title="From before owners"))
    ann = Visitor(SIGNED_IN, ANNS_ACCOUNT, accounts=True)
    account = ChatStore(owner=ANNS_ACCOUNT)

    assert visitor.carry_over(ann, {COOKIE: TOKEN}, account) == 2
    assert visitor.carry_over(ann, {COOKIE: TOKEN}, account) == 0
    assert {s.title for s in account.summaries()} == {"Ann's first", "Ann's second"}
    assert [s.title for s in ChatStore(owner=f"browser:{OTHER_TOKEN}").summaries()] == ["Bob's"]
    assert visitor.carry_over(ann, {}, account) == 0
    unowned_too = ChatStore(owner=ANNS_ACCOUNT, with_unowned=True)
    assert {s.title for s in unowned_too.summaries()} == {"Ann's first", "Ann's second", "From before owners"}


def test_the_sentence_says_how_many_chats_moved():
    assert t("privacy.carried_over", n=2) == "The 2 chats saved in this browser are now saved for your account."


def sidebar_notes(at: AppTest) -> list[str]:
    return [info.value for info in at.sidebar.info]


def test_signing_in_brings_the_browsers_chats_along_and_says_how_many(studio_env, backend, open_app, fake, monkeypatch):
    fake.script_reply("An answer.")
    send(open_app(PAGE, browser=TOKEN), "Asked before signing in")
    other = store_of(studio_env, f"browser:{OTHER_TOKEN}").create(Conversation(title="Another browser's"))
    monkeypatch.setattr(visitor, "browser_cookies", lambda: {COOKIE: TOKEN})  # AppTest cannot send cookies

    signed_in = open_app(PAGE, user=ANN)
    assert chat_list(signed_in) == ["Asked before signing in"]
    assert sidebar_notes(signed_in) == ["The chat saved in this browser is now saved for your account."]
    send(signed_in, "Asked after signing in")
    assert sidebar_notes(signed_in) == ["The chat saved in this browser is now saved for your account."]
    assert store_of(studio_env, f"browser:{TOKEN}").summaries() == []
    assert store_of(studio_env, f"browser:{OTHER_TOKEN}").get(other) is not None

    again = open_app(PAGE, user=ANN)  # another visit: nothing left to move, nothing said
    assert sorted(chat_list(again)) == ["Asked after signing in", "Asked before signing in"]
    assert sidebar_notes(again) == []


def test_only_the_cookie_carries_chats_over_not_the_address_or_the_session(studio_env, open_app, fake):
    mine = store_of(studio_env, f"browser:{TOKEN}")
    mine.create(Conversation(title="This browser's"))
    signed_in = open_app(PAGE, user=ANN, browser=TOKEN, query={COOKIE: TOKEN, "token": TOKEN})
    assert chat_list(signed_in) == [] and sidebar_notes(signed_in) == []
    assert [s.title for s in mine.summaries()] == ["This browser's"]


def test_a_signed_in_visitor_takes_their_browsers_battles_along_once_a_session(tmp_path, monkeypatch):
    """The Arena's battles follow the chats to the account (quietly: only the chats are announced)."""
    from lib.arena.records import Battle, Contestant
    from lib.arena.store import ArenaStore

    path = tmp_path / "arena.sqlite3"
    ArenaStore(path, f"browser:{TOKEN}").save_battle(Battle("Why?", (Contestant("A", "a"), Contestant("B", "b"))))
    ann = Visitor(SIGNED_IN, ANNS_ACCOUNT, accounts=True)
    account = ArenaStore(path, ANNS_ACCOUNT)
    monkeypatch.setattr(visitor, "browser_cookies", lambda: {COOKIE: TOKEN})
    taken: list[str] = []
    monkeypatch.setattr(
        account, "take_over", lambda former: taken.append(former) or ArenaStore.take_over(account, former)
    )

    kept: dict[str, object] = {}  # one session's state
    monkeypatch.setattr(state, "get", kept.get)
    monkeypatch.setattr(state, "put", kept.__setitem__)
    visitor.carry_over_quietly(ann, account, "arena")
    visitor.carry_over_quietly(ann, account, "arena")
    assert taken == [f"browser:{TOKEN}"]  # once, though asked twice in the session
    assert [battle.prompt for battle in account.battles()] == ["Why?"]
