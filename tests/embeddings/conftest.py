"""The ``section`` fixture: one section of the Embeddings page drawn alone, as the page draws it."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from lib import state
from tests.embeddings.sections import call_in_app


@pytest.fixture
def section(monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """Draw one section function alone: ``section(heatmap_tab.similarity, analysis, language="zh")``.

    The arguments are handed to the script as they are (same process), and the app is run once,
    after ``session`` (a dict) is put into its session state.
    """
    # The script run makes its temporary file sys.modules["__main__"]; restored afterwards
    # (see tests/ui/test_live_markdown.py).
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])

    def draw(
        function: Callable[..., Any],
        *args: Any,
        language: str = "en",
        session: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> AppTest:
        at = AppTest.from_function(
            call_in_app, args=(function.__module__, function.__name__, args, kwargs), default_timeout=30
        )
        at.session_state[state.LANGUAGE] = language
        for key, value in (session or {}).items():
            at.session_state[key] = value
        return at.run()

    return draw
