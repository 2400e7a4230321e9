"""Shared by the access tests: every test starts with no password brake held."""

from __future__ import annotations

import pytest

from lib.access import locked as access


@pytest.fixture(autouse=True)
def no_brakes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The brakes live in the process, as in the app: AppTest sessions share them, so each test starts afresh."""
    monkeypatch.setattr(access, "_brakes", {})
