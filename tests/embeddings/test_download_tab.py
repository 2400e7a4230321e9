"""The Download tab, drawn alone: each model's three files, their names and what they hold.

lib/embeddings/download_tab.py. The files are made only when a button is clicked, which AppTest
cannot do, so the buttons' data functions are recorded and called here.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pandas as pd
import pytest
from streamlit.delta_generator import DeltaGenerator

from lib.embeddings import download_tab
from tests.embeddings.sections import make_analysis

TEXTS = ["east|dir", "north", "=SUM(A1)"]
VECTORS = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]], dtype=np.float32)


@pytest.fixture
def buttons(monkeypatch) -> list[dict[str, Any]]:
    """Every download button drawn: its arguments, by name."""
    drawn: list[dict[str, Any]] = []
    original = DeltaGenerator.download_button

    def record(self, label, data, **options):
        drawn.append({"label": label, "data": data, **options})
        return original(self, label, data, **options)

    monkeypatch.setattr(DeltaGenerator, "download_button", record)
    return drawn


def test_three_files_per_model_named_after_it(section, buttons):
    at = section(download_tab.draw, make_analysis(TEXTS, VECTORS, second=VECTORS[:, ::-1].copy()))
    labels = ["Vectors (CSV)", "Vectors (.npy)", "Similarity matrix (CSV)"]
    assert [b.label for b in at.get("download_button")] == labels * 2
    assert [(b["file_name"], b["mime"]) for b in buttons] == [
        ("embeddings-a.csv", "text/csv"),
        ("embeddings-a.npy", "application/octet-stream"),
        ("embeddings-a-similarity.csv", "text/csv"),
        ("embeddings-b.csv", "text/csv"),
        ("embeddings-b.npy", "application/octet-stream"),
        ("embeddings-b-similarity.csv", "text/csv"),
    ]
    assert all(b["on_click"] == "ignore" for b in buttons)  # a click does not rerun the page
    assert [m.value for m in at.markdown] == ["**a:latest**", "**b:latest**"]
    assert at.caption


def test_the_same_model_on_two_servers_gets_files_named_apart(section, buttons):
    from dataclasses import replace

    analysis = make_analysis(TEXTS, VECTORS, second=VECTORS[:, ::-1].copy())
    analysis.primary = replace(analysis.primary, server_name="laptop")
    analysis.second = replace(analysis.primary, server_name="10.0.0.7:11434")
    at = section(download_tab.draw, analysis)
    assert not at.exception
    assert [b["file_name"] for b in buttons][::3] == ["embeddings-a-laptop.csv", "embeddings-a-10.0.0.7-11434.csv"]
    assert [m.value for m in at.markdown][:2] == ["**a:latest · laptop**", "**a:latest · 10.0.0.7:11434**"]


def test_the_files_hold_each_models_own_vectors_and_similarities(section, buttons):
    second = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]], dtype=np.float32)  # other similarities than VECTORS
    section(download_tab.draw, make_analysis(TEXTS, VECTORS, second=second))
    files = [b["data"]() for b in buttons]
    vectors_a = pd.read_csv(io.BytesIO(files[0]), keep_default_na=False)
    assert list(vectors_a["text"]) == ["east", "north", "'=SUM(A1)"]  # no formula in a spreadsheet
    assert list(vectors_a["label"]) == ["dir", "", ""]
    assert vectors_a[["d0", "d1"]].to_numpy() == pytest.approx(VECTORS)
    assert np.load(io.BytesIO(files[4]), allow_pickle=False) == pytest.approx(second)
    similarity_a = pd.read_csv(io.BytesIO(files[2]), index_col="text")
    assert similarity_a.loc["1 · dir", "3 · =SUM(A1)"] == pytest.approx(-1.0)
    assert similarity_a.loc["1 · dir", "2 · north"] == pytest.approx(0.0, abs=1e-6)
    similarity_b = pd.read_csv(io.BytesIO(files[5]), index_col="text")
    assert similarity_b.loc["1 · dir", "2 · north"] == pytest.approx(1.0)
    assert similarity_b.loc["1 · dir", "3 · =SUM(A1)"] == pytest.approx(0.0, abs=1e-6)


def test_one_model_one_set_of_files(section, buttons):
    at = section(download_tab.draw, make_analysis(TEXTS, VECTORS))
    assert len(at.get("download_button")) == 3
    assert [b["file_name"] for b in buttons] == ["embeddings-a.csv", "embeddings-a.npy", "embeddings-a-similarity.csv"]
