"""The Results tab's charts as Vega-Lite specs (lib/evals/charts.py)."""

from __future__ import annotations

import pandas as pd

from lib.evals import charts, tables

HOSTILE = "<img src=x onerror=alert(1)>"


def candidates() -> pd.DataFrame:
    return pd.DataFrame(
        {
            tables.CANDIDATE: ["A · llama3.2", f"B · {HOSTILE}", "C · never checked"],
            tables.PASS_RATE: [0.5, 1.0, float("nan")],
            tables.SPEED: [40.0, 12.5, 30.0],
            tables.PASSED: ["1 / 2", "2 / 2", "0 / 0"],
        }
    )


def test_pass_rate_against_speed_plots_each_checked_candidate_once_with_its_letter():
    spec = charts.speed_chart(candidates()).to_dict()
    points, letters = spec["layer"]
    assert points["mark"]["type"] == "circle" and letters["mark"]["type"] == "text"
    assert points["encoding"]["x"]["field"] == tables.SPEED
    assert points["encoding"]["y"]["field"] == tables.PASS_RATE
    assert points["encoding"]["y"]["scale"]["domain"] == [0, 1]
    data = next(iter(spec["datasets"].values()))
    assert [row["letter"] for row in data] == ["A", "B"]  # C has no pass rate: not plotted
    assert data[1][tables.CANDIDATE] == f"B · {HOSTILE}"  # data for Vega to draw as text, never markup
    assert [tip["title"] for tip in points["encoding"]["tooltip"]] == [
        "Candidate",
        "Pass rate",
        "Passed",
        "Median tokens per second",
    ]


def test_pass_rate_per_tag_puts_the_candidates_side_by_side_in_each_tag():
    frame = pd.DataFrame(
        {
            tables.TAGS: ["maths", "maths"],
            tables.CANDIDATE: ["A · a", "B · b"],
            tables.PASS_RATE: [1.0, 0.5],
            tables.PASSED: [2, 1],
            "checked": [2, 2],
        }
    )
    spec = charts.tag_chart(frame).to_dict()
    bars, counts = spec["layer"]
    assert bars["mark"]["type"] == "bar" and counts["mark"]["type"] == "text"
    encoding = bars["encoding"]
    assert encoding["y"]["field"] == tables.TAGS
    assert encoding["yOffset"]["field"] == tables.CANDIDATE
    assert encoding["x"]["axis"]["format"] == ".0%"
    data = next(iter(spec["datasets"].values()))
    assert [row["count"] for row in data] == ["2/2", "1/2"]  # a bar of 0 % still says what was checked
