"""What the Models tests share: the page opened on the fake server, its tabs, and small scripts of one piece.

Helpers are imported by the test modules (``from tests.models.conftest import ...``), fixtures
are found by pytest.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from lib import state

MODELS_PAGE = "app_pages/models.py"


def stop_pull(at: AppTest) -> None:
    """A pull a test left running must not outlive it."""
    job = at.session_state[state.MODELS_PULL_JOB] if state.MODELS_PULL_JOB in at.session_state else None  # noqa: SIM401 (no .get)
    if job is not None:
        job.cancel()
        job.wait(10)


@pytest.fixture
def page(open_app) -> Iterator[AppTest]:
    """The Models page in a fresh session, on its first tab."""
    at = open_app(MODELS_PAGE)
    assert not at.exception
    yield at
    stop_pull(at)


@pytest.fixture
def script(monkeypatch) -> Callable[..., AppTest]:
    """``AppTest.from_function`` for one piece of the page, called with the given arguments.

    A script run makes its temporary file ``sys.modules["__main__"]``; it is restored afterwards,
    or processes started later with "spawn" would try to run that file.
    """
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])

    def build(function: Callable[..., Any], *args: Any, **kwargs: Any) -> AppTest:
        return AppTest.from_function(function, args=args, kwargs=kwargs, default_timeout=30)

    return build


def open_tab(at: AppTest, tab: str) -> AppTest:
    """``tab`` by its English label: the page turns a label of either language into this language's."""
    at.session_state[state.MODELS_TAB] = tab
    return at.run()


def installed_names(at: AppTest) -> list[str]:
    open_tab(at, "Installed")
    return list(at.dataframe[0].value["Model"])


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def bodies(fake, path: str) -> list:
    return [r.body for r in fake.requests_to(path)]


def start_pull(at: AppTest, name: str) -> None:
    open_tab(at, "Pull")
    at.text_input(key=state.MODELS_PULL_NAME_INPUT).input(name)
    at.button(key="models_pull_submit").click().run()


def pull_job(at: AppTest):
    return at.session_state[state.MODELS_PULL_JOB]


def button_keys(at: AppTest) -> set[str]:
    return {button.key for button in at.button}


def shown_cells(element) -> pd.DataFrame:
    """A styled table as drawn: every cell as the text the browser shows."""
    return pa.ipc.open_stream(element.proto.arrow_data.styler.display_values).read_pandas()
