"""The heatmap and the 2-D map as Vega-Lite specs: scales, cell sizes, labels, tooltips, layers.

lib/embeddings/charts.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lib.embeddings import analysis as ea
from lib.embeddings import charts

SIMILARITY = np.array([[1.0, 0.5, 0.2], [0.5, 1.0, 0.8], [0.2, 0.8, 1.0]], dtype=np.float32)


def labels_for(n: int) -> list[str]:
    return [f"{i} · text {i}" for i in range(1, n + 1)]


def heatmap_spec(similarity: np.ndarray = SIMILARITY, **options) -> dict:
    labels = labels_for(len(similarity))
    cells = ea.heatmap_frame(similarity, labels, list(range(len(labels))))
    texts = pd.DataFrame({"label": labels, "text": [f"full text {i}" for i in range(1, len(labels) + 1)]})
    return charts.heatmap(cells, texts, labels, **options).to_dict()


def rects(spec: dict) -> dict:
    return spec["layer"][0] if "layer" in spec else spec


def points(n: int, groups: list[str] | None = None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "x": np.arange(n, dtype=float),
            "y": np.arange(n, dtype=float) ** 2,
            "label": labels_for(n),
            "number": [str(i) for i in range(1, n + 1)],
            "group": groups or [""] * n,
            "text": [f"full text {i}" for i in range(1, n + 1)],
        }
    )


def test_the_default_colour_scale_fits_the_values_off_the_diagonal():
    scale = rects(heatmap_spec())["encoding"]["color"]["scale"]
    assert scale["scheme"] == "viridis"
    assert scale["domain"] == pytest.approx([0.2, 0.8])
    assert scale["clamp"] is True


def test_full_scale_is_diverging_around_zero():
    scale = rects(heatmap_spec(full_scale=True))["encoding"]["color"]["scale"]
    assert scale["scheme"] == "redblue"
    assert scale["domain"] == [-1, 1] and scale["domainMid"] == 0


def test_a_single_text_or_equal_values_still_get_a_usable_scale():
    single = rects(heatmap_spec(np.eye(1, dtype=np.float32)))["encoding"]["color"]["scale"]
    assert single["domain"] == [-1, 1]  # no pair to fit a scale to
    flat = np.full((3, 3), 0.5, dtype=np.float32)
    np.fill_diagonal(flat, 1.0)
    low, high = rects(heatmap_spec(flat))["encoding"]["color"]["scale"]["domain"]
    assert low == pytest.approx(0.5) and high > low


def test_few_texts_get_their_values_written_in_readable_colours():
    spec = heatmap_spec()
    values = spec["layer"][1]
    assert values["mark"]["type"] == "text"
    assert values["encoding"]["text"]["format"] == ".2f"
    # White on the dark low end of viridis: below 45% of the fitted range (0.2 + 0.6 * 0.45).
    test = values["encoding"]["color"]["condition"]["test"]
    assert test.startswith("datum.similarity < 0.47")
    full = heatmap_spec(full_scale=True)["layer"][1]["encoding"]["color"]["condition"]["test"]
    assert full == "abs(datum.similarity) > 0.6"  # both ends of red-blue are dark


def test_large_heatmaps_drop_the_cell_values():
    spec = heatmap_spec(np.eye(charts.VALUES_IN_CELLS_UP_TO + 1, dtype=np.float32))
    assert spec["mark"]["type"] == "rect" and "layer" not in spec
    assert "layer" in heatmap_spec(np.eye(charts.VALUES_IN_CELLS_UP_TO, dtype=np.float32))


@pytest.mark.parametrize(
    ("texts", "pixels_across", "cell", "angle"),
    [
        (3, charts.HEATMAP_PIXELS, 36, 0),
        (20, charts.HEATMAP_PIXELS, 28, 0),
        (60, charts.HEATMAP_PIXELS, 9, -90),
        (20, 280, 14, -90),
    ],
)
def test_cells_stay_between_9_and_36_pixels_and_narrow_columns_turn_their_labels(texts, pixels_across, cell, angle):
    spec = heatmap_spec(np.eye(texts, dtype=np.float32), pixels_across=pixels_across)
    assert spec["width"] == {"step": cell} and spec["height"] == {"step": cell}
    assert rects(spec)["encoding"]["x"]["axis"]["labelAngle"] == angle


def test_rows_and_columns_follow_the_order_and_columns_show_numbers_only():
    order = list(reversed(labels_for(3)))
    labels = labels_for(3)
    cells = ea.heatmap_frame(SIMILARITY, labels, [0, 1, 2])
    spec = charts.heatmap(cells, pd.DataFrame({"label": labels, "text": labels}), order, label_limit=110).to_dict()
    encoding = rects(spec)["encoding"]
    assert encoding["x"]["sort"] == order and encoding["y"]["sort"] == order
    assert encoding["x"]["axis"]["labelExpr"] == "split(datum.label, ' · ')[0]"
    assert encoding["y"]["axis"]["labelLimit"] == 110


def test_tooltips_look_up_each_full_text_once():
    spec = heatmap_spec()
    lookups = rects(spec)["transform"]
    assert [(step["lookup"], step["as"]) for step in lookups] == [("row", ["row_text"]), ("column", ["column_text"])]
    texts_data = lookups[0]["from"]["data"]["name"]
    assert [row["text"] for row in spec["datasets"][texts_data]] == ["full text 1", "full text 2", "full text 3"]
    tooltips = [tip["field"] for tip in rects(spec)["encoding"]["tooltip"]]
    assert tooltips == ["similarity", "row", "row_text", "column", "column_text"]


def test_titles_are_worded_and_only_given_ones_shown():
    spec = heatmap_spec(title="all-minilm:latest")
    assert spec["title"] == "all-minilm:latest"
    assert "title" not in heatmap_spec()
    assert rects(spec)["encoding"]["color"]["title"] == "cosine"


def test_the_map_numbers_few_points_and_shows_their_texts_on_hover():
    spec = charts.scatter(points(5), colour_by_group=False).to_dict()
    dots, numbers = spec["layer"]
    assert dots["mark"]["type"] == "circle" and numbers["mark"]["type"] == "text"
    assert numbers["encoding"]["text"]["field"] == "number"
    assert [tip["field"] for tip in dots["encoding"]["tooltip"]] == ["label", "text"]
    assert "color" not in dots["encoding"]
    assert dots["encoding"]["x"]["title"] == "first principal component"
    assert dots["encoding"]["x"]["scale"] == {"zero": False}


def test_the_map_colours_groups_when_asked():
    spec = charts.scatter(points(4, ["pets", "", "code", "pets"]), colour_by_group=True, title="M").to_dict()
    dots = spec["layer"][0]
    assert dots["encoding"]["color"]["field"] == "group"
    assert [tip["field"] for tip in dots["encoding"]["tooltip"]] == ["label", "group", "text"]
    assert spec["title"] == "M"


def test_a_crowded_map_has_no_numbers():
    spec = charts.scatter(points(charts.NUMBERS_ON_MAP_UP_TO + 1), colour_by_group=False).to_dict()
    assert spec["mark"]["type"] == "circle" and "layer" not in spec
    assert "layer" in charts.scatter(points(charts.NUMBERS_ON_MAP_UP_TO), colour_by_group=False).to_dict()
