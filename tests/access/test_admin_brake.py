"""The administrator password refuses every try for a while after five wrong ones."""

from __future__ import annotations

import pytest

from lib import state
from lib.access import locked as access
from lib.access.locked import PAUSE, WRONG_PASSWORDS, PasswordBrake
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
def test_the_wait_is_worded_in_whole_seconds(fake):
    at = open_models(PASSWORD)
    at.session_state[state.ADMIN_BRAKE] = PasswordBrake(until=access.time.monotonic() + 12.4)
    type_password(at, PASSWORD)
    assert at.sidebar.error[0].value in {
        "Too many wrong passwords. Wait 12 seconds, then try again.",
        "Too many wrong passwords. Wait 11 seconds, then try again.",
    }
