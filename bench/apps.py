"""The scripts the benchmark serves: our app (Home.py) and the minimal pages under bench/."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
NAIVE_PAGE = BENCH / "naive_app.py"
HEATMAP_PAGE = BENCH / "heatmap_app.py"
