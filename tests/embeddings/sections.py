"""For the tests of the page's sections: the script that draws one section alone, and runs built from known vectors."""

from __future__ import annotations

from typing import Any

import numpy as np

from lib.embeddings import analysis as ea
from lib.embeddings.cache import Embedded, EmbedSettings, RunReport
from lib.embeddings.texts import TextItem

RETURNED = "returned"
"""Where the script keeps what the section returned (absent when the section ended the run)."""


def call_in_app(module: str, function: str, args: tuple, kwargs: dict) -> None:
    """The script: ``module.function(*args, **kwargs)`` between the page's form.restore() and form.keep()."""
    import importlib

    import streamlit as st

    from lib import state
    from lib.embeddings import form

    state.init()
    st.session_state.pop("returned", None)
    form.restore()
    st.session_state["returned"] = getattr(importlib.import_module(module), function)(*args, **kwargs)
    form.keep()


def model_result(
    model: str,
    vectors: np.ndarray,
    *,
    report: RunReport | None = None,
    tokens: list[float] | None = None,
    exact: bool = False,
    context_limit: int | None = None,
) -> ea.ModelResult:
    """One model's run over ``vectors`` (float32, one row per text), 3 tokens per text unless given."""
    n = len(vectors)
    return ea.ModelResult(
        Embedded(
            EmbedSettings(model),
            np.asarray(vectors, dtype=np.float32),
            np.array(tokens if tokens is not None else [3.0] * n, dtype=np.float64),
            np.full(n, exact, dtype=bool),
            report or RunReport(texts=n, sent=n, requests=1, tokens=3 * n),
        ),
        context_limit,
    )


def make_analysis(
    texts: list[str], vectors: np.ndarray, second: np.ndarray | None = None, **options: Any
) -> ea.Analysis:
    """``texts`` (a label after "|": ``"cats purr|pets"``) under "a:latest", and "b:latest" for ``second``.

    ``options`` go to :func:`model_result` for the first model.
    """
    items = [TextItem(*text.split("|", 1)) for text in texts]
    return ea.Analysis(
        items,
        model_result("a:latest", vectors, **options),
        None if second is None else model_result("b:latest", second),
    )


def compass(n: int) -> np.ndarray:
    """``n`` unit vectors around a circle: neighbours in the list are the most similar."""
    angles = np.linspace(0, np.pi, n)
    return np.stack([np.cos(angles), np.sin(angles)], axis=1).astype(np.float32)
