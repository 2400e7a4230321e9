"""One embedding run's results and the tables, summaries and files the Embeddings page shows.

Pandas and numpy, no widgets: the page draws these frames, tests read them. Column names and
sentences are worded in the session's language where they are built; the CSV files keep English
column names for the tools that read them. Expensive results (the
2-D map, the agreement between two models) are computed on first use and kept with the run,
which lives in session state, so reruns for other widgets do not recompute them.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from lib.embeddings import similarity as sim
from lib.embeddings.cache import Embedded, EmbedSettings, Truncation, likely_truncated
from lib.embeddings.texts import TextItem, axis_labels, shorten
from lib.fleet.models import SEPARATOR
from lib.i18n import language, t

TOOLTIP_CHARS = 240
TABLE_CHARS = 120
CSV_ENCODING = "utf-8-sig"
"""UTF-8 with a byte-order mark: without it Excel reads Chinese texts as the local code page."""


@dataclass
class ModelResult:
    """The vectors of one model for the run's texts, and what follows from them."""

    embedded: Embedded
    context_limit: int | None = None
    server_name: str = ""  # the model's server as named when it ran; empty when the session had one server

    @cached_property
    def similarity(self) -> np.ndarray:
        return sim.cosine_matrix(self.embedded.vectors).astype(np.float32)

    @cached_property
    def norms(self) -> np.ndarray:
        return sim.norms(self.embedded.vectors)

    @cached_property
    def zero_rows(self) -> list[int]:
        return sim.zero_rows(self.embedded.vectors)

    @cached_property
    def projection(self) -> sim.Projection:
        return sim.pca_2d(self.embedded.vectors)

    @cached_property
    def truncated(self) -> list[Truncation]:
        return likely_truncated(self.embedded, self.context_limit)

    @property
    def model(self) -> str:
        return self.embedded.settings.model

    @property
    def name(self) -> str:
        """The model as the results name it (plain text): ``nomic-embed-text:latest · gpu`` on a fleet."""
        return f"{self.model}{SEPARATOR}{self.server_name}" if self.server_name else self.model


@dataclass
class Analysis:
    """Texts and their vectors under one or two models."""

    items: list[TextItem]
    primary: ModelResult
    second: ModelResult | None = None
    signature: tuple = ()  # run_signature() of the inputs it was made from
    labels: list[str] = field(init=False)
    _memo: dict[tuple, Any] = field(init=False, default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.labels = axis_labels(self.items)

    def memo(self, key: tuple, build: Callable[[], Any]) -> Any:
        """``build()`` once per key and language (the tables' headers are words): tables for
        thousands of texts take a while, reruns are frequent."""
        key = (*key, language())
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]

    @property
    def size(self) -> int:
        return len(self.items)

    @staticmethod
    def query_settings(result: ModelResult, query_prefix: str) -> EmbedSettings:
        """A search query goes through the texts' model and options, with its own prefix."""
        settings = result.embedded.settings
        return replace(settings, prefix=query_prefix)

    @cached_property
    def agreement(self) -> float | None:
        """Spearman rank correlation between the two models' similarities over all pairs."""
        if self.second is None:
            return None
        return sim.spearman(sim.upper_triangle(self.primary.similarity), sim.upper_triangle(self.second.similarity))


def run_signature(items: list[TextItem], settings: list[EmbedSettings]) -> tuple:
    """What a run depends on: when this changes, the shown results are out of date."""
    return tuple((item.text, item.label) for item in items), tuple(settings)


ZERO_ROWS_LISTED = 10
"""At most this many all-zero vectors are named by their text's number; more are counted."""


def norm_summary(result: ModelResult) -> str:
    """A sentence on the vectors' lengths and what it means for similarity.

    All-zero vectors get a second sentence naming their texts: their similarities are all 0,
    which the tables and charts cannot tell apart from unrelated texts. Servers have sent them
    for some inputs or under load, with no error.
    """
    norms = result.norms
    if norms.size == 0:
        return t("embeddings.no_vectors")
    if sim.is_normalised(norms):
        summary = t("embeddings.normalised")
    else:
        summary = t("embeddings.not_normalised", low=f"{norms.min():.3g}", high=f"{norms.max():.3g}")
    zero = result.zero_rows
    if not zero:
        return summary
    numbers = t("embeddings.list_separator").join(str(index + 1) for index in zero[:ZERO_ROWS_LISTED])
    if len(zero) > ZERO_ROWS_LISTED:
        numbers += "…"
    return " ".join([summary, t("embeddings.zero_vectors", n=len(zero), texts=numbers)])


def subset_range(size: int, start: int, limit: int) -> list[int]:
    """``limit`` consecutive indices from ``start`` (1-based, clamped so the window is full)."""
    first = max(0, min(start - 1, size - limit))
    return list(range(first, min(size, first + limit)))


def heatmap_frame(similarity: np.ndarray, labels: list[str], subset: list[int]) -> pd.DataFrame:
    """Long form for a heatmap: one row per (row text, column text) cell of the subset."""
    rows = np.repeat(subset, len(subset))
    columns = np.tile(subset, len(subset))
    return pd.DataFrame(
        {
            "row": [labels[i] for i in rows],
            "column": [labels[j] for j in columns],
            "similarity": similarity[rows, columns].astype(np.float64).round(4),
        }
    )


def text_frame(items: list[TextItem], labels: list[str], subset: list[int]) -> pd.DataFrame:
    """Axis label to full text (shortened for a tooltip), looked up by the charts."""
    return pd.DataFrame(
        {"label": [labels[i] for i in subset], "text": [shorten(items[i].text, TOOLTIP_CHARS) for i in subset]}
    )


def _name(analysis: Analysis, index: int) -> str:
    return shorten(analysis.items[index].text, TABLE_CHARS)


def pairs_frame(analysis: Analysis, k: int) -> pd.DataFrame:
    return analysis.memo(("pairs", k), lambda: _pairs_frame(analysis, k))


def _pairs_frame(analysis: Analysis, k: int) -> pd.DataFrame:
    pairs = sim.top_pairs(analysis.primary.similarity, k)
    return pd.DataFrame(
        {
            t("embeddings.similarity"): [score for _, _, score in pairs],
            "#A": [i + 1 for i, _, _ in pairs],
            t("embeddings.column_text_a"): [_name(analysis, i) for i, _, _ in pairs],
            "#B": [j + 1 for _, j, _ in pairs],
            t("embeddings.column_text_b"): [_name(analysis, j) for _, j, _ in pairs],
        }
    )


def neighbours_frame(analysis: Analysis, k: int) -> pd.DataFrame:
    """Every text with its ``k`` nearest neighbours and their similarities."""
    return analysis.memo(("neighbours", k), lambda: _neighbours_frame(analysis, k))


def _neighbours_frame(analysis: Analysis, k: int) -> pd.DataFrame:
    neighbours = sim.nearest_neighbours(analysis.primary.similarity, k)
    columns: dict[str, list] = {
        "#": list(range(1, analysis.size + 1)),
        t("embeddings.column_text"): [_name(analysis, i) for i in range(analysis.size)],
    }
    for rank in range(max((len(row) for row in neighbours), default=0)):
        columns[t("embeddings.column_neighbour_k", k=rank + 1)] = [_name(analysis, row[rank][0]) for row in neighbours]
        columns[t("embeddings.column_similarity_k", k=rank + 1)] = [row[rank][1] for row in neighbours]
    return pd.DataFrame(columns)


def search_frame(analysis: Analysis, query_vector: np.ndarray, result: ModelResult | None = None) -> pd.DataFrame:
    """All texts ranked by cosine similarity to the query, best first."""
    ranked = sim.rank_against((result or analysis.primary).embedded.vectors, query_vector)
    label = t("embeddings.column_label")
    frame = pd.DataFrame(
        {
            t("embeddings.column_rank"): list(range(1, len(ranked) + 1)),
            t("embeddings.similarity"): [score for _, score in ranked],
            "#": [i + 1 for i, _ in ranked],
            label: [analysis.items[i].label for i, _ in ranked],
            t("embeddings.column_text"): [_name(analysis, i) for i, _ in ranked],
        }
    )
    return frame if any(item.label for item in analysis.items) else frame.drop(columns=label)


def map_frame(analysis: Analysis, result: ModelResult | None = None) -> pd.DataFrame:
    points = (result or analysis.primary).projection.points
    return pd.DataFrame(
        {
            "x": points[:, 0],
            "y": points[:, 1],
            "label": analysis.labels,
            "number": [str(number) for number in range(1, analysis.size + 1)],
            "group": [item.label for item in analysis.items],
            "text": [shorten(item.text, TOOLTIP_CHARS) for item in analysis.items],
        }
    )


def disagreement_frame(analysis: Analysis, k: int) -> pd.DataFrame:
    """The pairs the two models rank most differently, with both scores and rank percentiles."""
    return analysis.memo(("disagreements", k), lambda: _disagreement_frame(analysis, k))


def _disagreement_frame(analysis: Analysis, k: int) -> pd.DataFrame:
    assert analysis.second is not None
    found = sim.disagreements(analysis.primary.similarity, analysis.second.similarity, k)
    return pd.DataFrame(
        {
            t("embeddings.column_text_a"): [_name(analysis, d.i) for d in found],
            t("embeddings.column_text_b"): [_name(analysis, d.j) for d in found],
            analysis.primary.name: [d.score_a for d in found],
            analysis.second.name: [d.score_b for d in found],
            t("embeddings.column_rank_first"): [d.percentile_a * 100 for d in found],
            t("embeddings.column_rank_second"): [d.percentile_b * 100 for d in found],
        }
    )


def truncation_frame(analysis: Analysis, result: ModelResult) -> pd.DataFrame:
    reported, estimated = t("embeddings.count_reported"), t("embeddings.count_estimated")
    return pd.DataFrame(
        {
            "#": [cut.index + 1 for cut in result.truncated],
            t("embeddings.column_text"): [_name(analysis, cut.index) for cut in result.truncated],
            t("embeddings.tokens"): [round(cut.tokens) for cut in result.truncated],
            t("embeddings.column_count"): [reported if cut.exact else estimated for cut in result.truncated],
        }
    )


def spreadsheet_safe(text: str) -> str:
    """Text that a spreadsheet shows instead of running: a leading ``= + - @`` or tab starts a formula
    in Excel and LibreOffice (CSV injection), so such a cell gets a leading apostrophe (OWASP's advice)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def vectors_csv(items: list[TextItem], vectors: np.ndarray) -> bytes:
    """One row per text: label, text, then one column per dimension (English names, for tools)."""
    frame = pd.DataFrame(vectors, columns=[f"d{k}" for k in range(vectors.shape[1] if vectors.ndim == 2 else 0)])
    frame.insert(0, "text", [spreadsheet_safe(item.text) for item in items])
    frame.insert(0, "label", [spreadsheet_safe(item.label) for item in items])
    return frame.to_csv(index=False).encode(CSV_ENCODING)


def vectors_npy(vectors: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(vectors, dtype=np.float32), allow_pickle=False)
    return buffer.getvalue()


def similarity_csv(labels: list[str], similarity: np.ndarray) -> bytes:
    safe = [spreadsheet_safe(label) for label in labels]
    frame = pd.DataFrame(np.asarray(similarity, dtype=np.float64).round(6), index=safe, columns=safe)
    return frame.to_csv(index_label="text").encode(CSV_ENCODING)
