"""The administrator password refuses every try for a while after five wrong ones."""

from __future__ import annotations

from lib import access, state
from lib.access import PAUSE, WRONG_PASSWORDS, PasswordBrake
from tests.test_access import PASSWORD, locked_env, management_hidden, open_models  # noqa: F401 (fixture)


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


def test_the_sidebar_says_to_wait_and_refuses_even_the_right_password(locked_env, fake):
    at = open_models(PASSWORD)
    box = lambda: at.sidebar.text_input(key=state.ADMIN_PASSWORD_INPUT)  # noqa: E731
    for _ in range(WRONG_PASSWORDS - 1):
        box().input("guess").run()
        assert "not the administrator password" in at.sidebar.error[0].value
    box().input("guess").run()
    assert at.sidebar.error[0].value == "Too many wrong passwords. Wait 30 seconds, then try again."
    box().input(PASSWORD).run()
    assert "Wait" in at.sidebar.error[0].value
    assert management_hidden(at) and at.session_state[state.ADMIN] is False


def test_the_wait_is_worded_in_whole_seconds(locked_env, fake, monkeypatch):
    at = open_models(PASSWORD)
    brake = PasswordBrake(until=access.time.monotonic() + 12.4)
    at.session_state[state.ADMIN_BRAKE] = brake
    at.sidebar.text_input(key=state.ADMIN_PASSWORD_INPUT).input(PASSWORD).run()
    assert at.sidebar.error[0].value in {"Too many wrong passwords. Wait 12 seconds, then try again.",
                                         "Too many wrong passwords. Wait 11 seconds, then try again."}
