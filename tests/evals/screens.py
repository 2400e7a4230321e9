"""What the Evals page's tests share: the page opened on the fake server, its tabs, its store, and its job.

Helpers only (plain functions): each test module keeps its own fixtures.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

from lib import state
from lib.access.visitor import BROWSER
from lib.evals.records import Answer, Candidate, Check, CheckResult, Prompt, PromptSet, Run
from lib.evals.store import EvalStore
from tests.conftest import SAME_BROWSER

EVALS_PAGE = "app_pages/evals.py"
TAB_LABELS = {"sets": "Prompt sets", "run": "New run", "results": "Results"}


def store_of(data_dir: Path) -> EvalStore:
    """The store the page uses for the tests' browser (:data:`tests.conftest.SAME_BROWSER`)."""
    return EvalStore(data_dir / "evals.sqlite3", owner=f"{BROWSER}:{SAME_BROWSER}")


def open_evals(open_app: Callable[..., AppTest], tab: str | None = None, **options: Any) -> AppTest:
    at = open_app(EVALS_PAGE, **options)
    assert not at.exception, at.exception
    if tab is not None:
        open_tab(at, tab)
    return at


def open_tab(at: AppTest, tab: str) -> AppTest:
    """``tab`` by its id: the page turns a label of either language into this language's."""
    at.session_state[state.EVALS_TAB] = TAB_LABELS[tab]
    at.run()
    assert not at.exception, at.exception
    return at


def job_of(at: AppTest) -> Any:
    """The session's job (a :class:`lib.evals.progress_view.Tracked`), or None."""
    return at.session_state[state.EVALS_JOB] if state.EVALS_JOB in at.session_state else None  # noqa: SIM401 (no .get)


def finish_job(at: AppTest, timeout: float = 60) -> AppTest:
    """Wait for the session's job to end, then draw the page again."""
    tracked = job_of(at)
    assert tracked is not None
    assert tracked.job.wait(timeout)
    at.run()
    assert not at.exception, at.exception
    return at


def stop_job(at: AppTest) -> None:
    """A job a test left running must not outlive it."""
    tracked = job_of(at)
    if tracked is not None:
        tracked.job.stop()
        tracked.job.wait(10)


def texts(elements: Any) -> str:
    return "\n".join(str(element.value) for element in elements)


def button(at: AppTest, label: str) -> Any:
    return next(found for found in at.button if found.label == label)


def buttons(at: AppTest) -> list[str]:
    return [found.label for found in at.button]


def uploader(at: AppTest, key: str) -> Any:
    """The file uploader of ``key`` (uploaders get a fresh key, ``key_<round>``, after each upload)."""
    return at.file_uploader(key=f"{key}_{at.session_state[state.EVALS_UPLOAD_ROUND]}")


def small_set(name: str = "Capitals", id: int | None = None) -> PromptSet:
    """Three prompts with one contains check each, whose outcome on the fake's answers is known:
    the fake names a prompt's first keywords in its answer ("Here is a short answer about Paris")."""
    return PromptSet(
        name,
        (
            Prompt("Paris landmarks", tags=("europe",), checks=(Check("contains", "Paris"),)),
            Prompt("Tokyo food", tags=("asia",), checks=(Check("contains", "zebra"),)),
            Prompt("Lima weather", tags=("americas",), checks=(Check("not_contains", "Lima"),)),
        ),
        id=id,
    )


def finished_run(prompt_set: PromptSet, candidates: tuple[Candidate, ...], answers: tuple[Answer, ...]) -> Run:
    return Run(prompt_set, candidates, answers=answers, created_at=1_790_000_000)


def passed(kind: str = "contains", value: str = "x") -> CheckResult:
    return CheckResult(Check(kind, value), True)


def failed(kind: str = "contains", value: str = "x", reason: str = "missing") -> CheckResult:
    return CheckResult(Check(kind, value), False, reason)


def recording_downloads(monkeypatch: Any) -> list[dict[str, Any]]:
    """What each download button of the script was given (the button is still drawn), in a column or not."""
    given: list[dict[str, Any]] = []
    original = DeltaGenerator.download_button

    def recording(self: DeltaGenerator, label: str, data: Any, **options: Any) -> Any:
        given.append({"label": label, "data": data, **options})
        return original(self, label, data, **options)

    monkeypatch.setattr(DeltaGenerator, "download_button", recording)
    monkeypatch.setattr(st, "download_button", lambda *args, **options: recording(st._main, *args, **options))
    return given
