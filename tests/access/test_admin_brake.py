"""The administrator password refuses every try for a while after five wrong ones, per client, not per session.

Over real connections (127.0.0.1, ::1, a proxy's X-Forwarded-For): tests/browser/test_admin_brake.py.
"""

from __future__ import annotations

import pytest

from lib import state
from lib.access import locked as access
from lib.access.locked import EVERYONE, FORGET_AFTER, LOOPBACK, PAUSE, WRONG_PASSWORDS, PasswordBrake
from tests.access.test_locked import PASSWORD, locked_env, management_hidden, open_models  # noqa: F401 (fixture)


def test_the_brake_holds_after_five_wrong_passwords_in_a_row_and_lets_go_after_the_pause():
    brake = PasswordBrake()
    now = 1000.0
    for _ in range(WRONG_PASSWORDS - 1):
        brake.record(False, now)
        assert brake.wait(now) == 0
    brake.record(False, now)
    assert brake.wait(now) == PAUSE
    assert brake.wait(now + PAUSE - 1) == 1
    assert brake.wait(now + PAUSE) == 0
    for _ in range(WRONG_PASSWORDS - 1):
        brake.record(False, now + PAUSE)
    assert brake.wait(now + PAUSE) == 0


def test_a_right_password_starts_the_count_again():
    brake = PasswordBrake()
    for _ in range(WRONG_PASSWORDS - 1):
        brake.record(False, 0.0)
    brake.record(True, 0.0)
    for _ in range(WRONG_PASSWORDS - 1):
        brake.record(False, 0.0)
    assert brake.wait(0.0) == 0


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("127.0.0.1", LOOPBACK),
        ("127.8.9.10", LOOPBACK),
        ("::1", LOOPBACK),
        ("::ffff:127.0.0.1", LOOPBACK),
        ("203.0.113.7", "203.0.113.7"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2::7", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:1:2:3", "2001:db8:1:2::/64"),
        ("2001:db8:1:3::7", "2001:db8:1:3::/64"),
        ("fe80::1%eth0", "fe80::/64"),
        (None, EVERYONE),
        ("", EVERYONE),
        ("not an address", EVERYONE),
        ("/run/streamlit.sock", EVERYONE),
    ],
)
def test_each_client_has_one_brake_whatever_its_address_family(address, key):
    """Loopback is one client whichever address it uses; IPv6 by /64, as one host holds a whole /64;
    an unknown address shares one brake with every other unknown one, never a fresh one per session."""
    assert access.client_key(address) == key


def test_a_few_wrong_passwords_are_forgotten_after_a_while_but_a_pause_is_not():
    brake = PasswordBrake()
    brake.record(False, 0.0)
    assert not brake.idle(FORGET_AFTER) and brake.idle(FORGET_AFTER + 1)
    brake = PasswordBrake()
    for _ in range(WRONG_PASSWORDS):
        brake.record(False, 0.0)
    assert not brake.idle(1.0) and brake.idle(PAUSE)


def test_new_clients_share_one_brake_once_too_many_are_remembered(monkeypatch):
    monkeypatch.setattr(access, "MAX_CLIENTS", 2)
    addresses = iter(["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"])
    monkeypatch.setattr(access, "client_address", lambda: next(addresses))
    for _ in range(4):
        access.sign_in("guess", now=0.0)
    assert set(access._brakes) == {"192.0.2.1", "192.0.2.2", EVERYONE}
    assert access._brakes[EVERYONE].wrong == 2


def test_outside_a_served_session_the_address_is_unknown():
    assert access.client_address() is None


def type_password(at, text: str) -> None:
    at.sidebar.text_input(key=state.ADMIN_PASSWORD_INPUT).input(text).run()


@pytest.mark.usefixtures("locked_env")
def test_the_sidebar_says_to_wait_and_refuses_even_the_right_password(fake):
    at = open_models(PASSWORD)
    for _ in range(WRONG_PASSWORDS - 1):
        type_password(at, "guess")
        assert "not the administrator password" in at.sidebar.error[0].value
    type_password(at, "guess")
    assert at.sidebar.error[0].value == "Too many wrong passwords. Wait 30 seconds, then try again."
    type_password(at, PASSWORD)
    assert "Wait" in at.sidebar.error[0].value
    assert management_hidden(at) and at.session_state[state.ADMIN] is False


@pytest.mark.usefixtures("locked_env")
def test_a_new_session_is_still_refused_when_the_address_is_unknown(fake):
    """AppTest sessions have no address, like a connection Streamlit cannot name: they share one brake."""
    at = open_models(PASSWORD)
    for _ in range(WRONG_PASSWORDS):
        type_password(at, "guess")
    again = open_models(PASSWORD)
    type_password(again, PASSWORD)
    assert again.sidebar.error[0].value.startswith("Too many wrong passwords.")
    assert management_hidden(again) and again.session_state[state.ADMIN] is False


@pytest.mark.usefixtures("locked_env")
def test_the_wait_is_worded_in_whole_seconds(fake):
    at = open_models(PASSWORD)
    access._brakes[EVERYONE] = PasswordBrake(until=access.time.monotonic() + 12.4)
    type_password(at, PASSWORD)
    assert at.sidebar.error[0].value in {
        "Too many wrong passwords. Wait 12 seconds, then try again.",
        "Too many wrong passwords. Wait 11 seconds, then try again.",
    }
