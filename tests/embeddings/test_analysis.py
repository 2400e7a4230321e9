"""Tables, summaries and downloads of an embedding run.

lib/embeddings/analysis.py.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from lib.embeddings import analysis as ea
from lib.embeddings.cache import Embedded, EmbedSettings
from lib.embeddings.texts import TextItem

ITEMS = [TextItem("east", "dir"), TextItem("north-east"), TextItem("north", "dir"), TextItem("west")]
VECTORS = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 2.0], [-3.0, 0.0]], dtype=np.float32)


def analysis(second: np.ndarray | None = None) -> ea.Analysis:
    def result(model: str, vectors: np.ndarray) -> ea.ModelResult:
        n = len(vectors)
        return ea.ModelResult(
            Embedded(
                EmbedSettings(model, prefix="doc: ", dimensions=2), vectors, np.full(n, 3.0), np.zeros(n, dtype=bool)
            ),
            context_limit=512,
        )

    return ea.Analysis(ITEMS, result("a", VECTORS), None if second is None else result("b", second))


def test_labels_and_query_settings():
    run = analysis()
    assert run.labels == ["1 · dir", "2 · north-east", "3 · dir", "4 · west"]
    assert run.query_settings(run.primary, "q: ") == EmbedSettings("a", "q: ", True, 2, None)
    assert run.agreement is None


def vectors_of_length(*lengths: float) -> ea.ModelResult:
    vectors = np.zeros((len(lengths), 2), dtype=np.float32)
    vectors[:, 0] = lengths
    n = len(lengths)
    return ea.ModelResult(Embedded(EmbedSettings("a"), vectors, np.ones(n), np.zeros(n, dtype=bool)))


@pytest.mark.parametrize(
    ("lengths", "expected"),
    [
        ((1.0, 1.0), "Every vector has length 1 (normalised), so cosine similarity equals the dot product."),
        ((1.0, 3.0), "Vector lengths range from 1 to 3 (not normalised)"),
        ((), "No vectors."),
    ],
)
def test_norm_summary(lengths, expected):
    result = vectors_of_length(*lengths)
    assert ea.norm_summary(result).startswith(expected)
    assert "zeros" not in ea.norm_summary(result)


def test_all_zero_vectors_are_named_by_their_texts_number():
    result = vectors_of_length(1.0, 0.0, 1.0)
    assert result.zero_rows == [1]
    assert ea.norm_summary(result).endswith(
        "(not normalised): cosine similarity divides by the lengths, the dot product would not."
        " 1 vector is all zeros (text 2): its similarity to every text is 0."
    )
    assert ea.norm_summary(vectors_of_length(0.0, 2.0, 0.0)).endswith(
        "2 vectors are all zeros (texts 1, 3): their similarity to every text is 0."
    )


def test_many_zero_vectors_are_counted_and_the_first_ones_named():
    many = vectors_of_length(*([0.0] * (ea.ZERO_ROWS_LISTED + 2)), 1.0)
    assert ea.norm_summary(many).endswith(
        "12 vectors are all zeros (texts 1, 2, 3, 4, 5, 6, 7, 8, 9, 10…): their similarity to every text is 0."
    )


@pytest.mark.parametrize(
    ("size", "start", "limit", "expected"),
    [(10, 1, 4, [0, 1, 2, 3]), (10, 9, 4, [6, 7, 8, 9]), (3, 2, 4, [0, 1, 2]), (10, 0, 2, [0, 1])],
)
def test_subset_range(size, start, limit, expected):
    assert ea.subset_range(size, start, limit) == expected


def test_heatmap_and_text_frames_cover_the_subset():
    run = analysis()
    cells = ea.heatmap_frame(run.primary.similarity, run.labels, [0, 3])
    assert list(cells["row"]) == ["1 · dir", "1 · dir", "4 · west", "4 · west"]
    assert list(cells["column"]) == ["1 · dir", "4 · west", "1 · dir", "4 · west"]
    assert list(cells["similarity"]) == pytest.approx([1.0, -1.0, -1.0, 1.0])
    assert list(ea.text_frame(ITEMS, run.labels, [0, 3])["text"]) == ["east", "west"]


def test_pairs_neighbours_and_search():
    run = analysis()
    pairs = ea.pairs_frame(run, 2)
    assert list(zip(pairs["#A"], pairs["#B"], strict=True)) == [(1, 2), (2, 3)]
    neighbours = ea.neighbours_frame(run, 1)
    assert list(neighbours["Neighbour 1"]) == ["north-east", "east", "north-east", "north"]
    ranked = ea.search_frame(run, np.array([0.0, 1.0]))
    assert list(ranked["#"]) == [3, 2, 1, 4]
    assert list(ranked["Label"]) == ["dir", "", "dir", ""]


def test_map_frame_has_a_point_per_text():
    points = ea.map_frame(analysis())
    assert list(points["number"]) == ["1", "2", "3", "4"]
    assert list(points["group"]) == ["dir", "", "dir", ""]
    assert points[["x", "y"]].notna().all().all()


def test_comparison_of_two_models():
    flipped = VECTORS[:, ::-1].copy()  # mirrors the compass: east↔north, so some pairs change rank
    run = analysis(flipped)
    assert run.agreement is not None and -1.0 <= run.agreement <= 1.0
    assert analysis(VECTORS.copy()).agreement == pytest.approx(1.0)
    table = ea.disagreement_frame(run, 3)
    assert list(table.columns) == ["Text A", "Text B", "a", "b", "Rank, first", "Rank, second"]
    assert len(table) == 3


def test_truncation_frame_says_how_tokens_were_counted():
    run = analysis()
    run.primary.embedded.tokens[1] = 600
    run.primary.embedded.exact_tokens[1] = True
    table = ea.truncation_frame(run, run.primary)
    assert table.to_dict("list") == {
        "#": [2],
        "Text": ["north-east"],
        "Tokens": [600],
        "Count": ["reported by the server"],
    }


def test_vector_downloads_round_trip():
    data = ea.vectors_csv(ITEMS, VECTORS)
    assert data.startswith("\ufefflabel,text,d0,d1".encode())  # Excel needs the mark to read Chinese as UTF-8
    csv = pd.read_csv(io.BytesIO(data), keep_default_na=False)
    assert list(csv.columns) == ["label", "text", "d0", "d1"]
    assert list(csv["text"]) == ["east", "north-east", "north", "west"]
    assert csv[["d0", "d1"]].to_numpy() == pytest.approx(VECTORS)
    loaded = np.load(io.BytesIO(ea.vectors_npy(VECTORS)), allow_pickle=False)
    assert loaded.dtype == np.float32 and loaded.shape == (4, 2)
    assert loaded == pytest.approx(VECTORS)


@pytest.mark.parametrize(
    "text, cell",
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1", "'+1"),
        ("-2 degrees", "'-2 degrees"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("plain = fine", "plain = fine"),
        ("猫", "猫"),
    ],
)
def test_csv_cells_cannot_start_a_spreadsheet_formula(text, cell):
    items = [TextItem(text, text), TextItem("other")]
    vectors = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    csv = pd.read_csv(io.BytesIO(ea.vectors_csv(items, vectors)), keep_default_na=False)
    assert csv["text"][0] == cell and csv["label"][0] == cell
    matrix = pd.read_csv(io.BytesIO(ea.similarity_csv([text, "other"], np.eye(2))), index_col="text")
    assert next(iter(matrix.index)) == cell and next(iter(matrix.columns)) == cell


def test_similarity_download_is_a_labelled_square():
    run = analysis()
    matrix = pd.read_csv(io.BytesIO(ea.similarity_csv(run.labels, run.primary.similarity)), index_col="text")
    assert list(matrix.index) == run.labels and list(matrix.columns) == run.labels
    assert matrix.loc["1 · dir", "4 · west"] == pytest.approx(-1.0)
    assert np.diag(matrix.to_numpy()) == pytest.approx([1.0] * 4)
