"""Similarity maths for embedding vectors, in numpy only (no Streamlit, no HTTP).

Conventions shared by every function here:

- Vectors are the rows of a 2-D array, one row per text.
- A zero vector has no direction, so its cosine similarity with anything, itself included,
  is 0 (not NaN): tables and charts stay drawable, and :func:`zero_rows` says which rows
  they are so the page can warn about them.
- Ties are broken by index, so every ordering is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NORMALISED_TOLERANCE = 1e-3
"""How far from 1 a norm may be and still count as unit length (float32 vectors from a server)."""


class DimensionMismatch(ValueError):
    """A query vector and the texts' vectors differ in length: different models or settings.

    The page words it for the user from ``query`` and ``texts`` (this module has no interface).
    """

    def __init__(self, query: int, texts: int) -> None:
        super().__init__(f"The query has {query} dimensions but the texts have {texts}.")
        self.query = query
        self.texts = texts


def as_matrix(vectors: np.ndarray | list[list[float]]) -> np.ndarray:
    """A float64 ``(n, d)`` array; an empty input becomes shape ``(0, 0)``."""
    matrix = np.asarray(vectors, dtype=np.float64)
    if matrix.ndim == 1 and matrix.size == 0:
        return np.zeros((0, 0))
    if matrix.ndim != 2:
        raise ValueError(f"Expected one vector per row (a 2-D array), got {matrix.ndim} dimension(s).")
    return matrix


def norms(vectors: np.ndarray) -> np.ndarray:
    """The Euclidean length of every row."""
    return np.linalg.norm(as_matrix(vectors), axis=1)


def zero_rows(vectors: np.ndarray) -> list[int]:
    """Indices of rows that are all zeros (no direction, so no meaningful similarity)."""
    return [int(i) for i in np.flatnonzero(norms(vectors) == 0)]


def is_normalised(vector_norms: np.ndarray, tolerance: float = NORMALISED_TOLERANCE) -> bool:
    """True when every vector has unit length (then cosine similarity equals the dot product)."""
    values = np.asarray(vector_norms, dtype=np.float64)
    return bool(values.size) and bool(np.all(np.abs(values - 1.0) <= tolerance))


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """Each row divided by its length; zero rows stay zero."""
    matrix = as_matrix(vectors)
    lengths = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.divide(matrix, lengths, out=np.zeros_like(matrix), where=lengths > 0)


def cosine_matrix(vectors: np.ndarray) -> np.ndarray:
    """The ``(n, n)`` cosine similarities, clipped to [-1, 1]; zero vectors give 0 everywhere."""
    unit = unit_rows(vectors)
    return np.clip(unit @ unit.T, -1.0, 1.0)


def cosine_to(vectors: np.ndarray, query: np.ndarray | list[float]) -> np.ndarray:
    """Cosine similarity of every row with one query vector (0 when either is a zero vector)."""
    matrix = as_matrix(vectors)
    query_vector = np.asarray(query, dtype=np.float64).reshape(-1)
    if matrix.shape[0] and matrix.shape[1] != query_vector.shape[0]:
        raise DimensionMismatch(query_vector.shape[0], matrix.shape[1])
    length = np.linalg.norm(query_vector)
    if matrix.shape[0] == 0 or length == 0:
        return np.zeros(matrix.shape[0])
    return np.clip(unit_rows(matrix) @ (query_vector / length), -1.0, 1.0)


def rank_against(vectors: np.ndarray, query: np.ndarray | list[float]) -> list[tuple[int, float]]:
    """``(index, similarity)`` of every row, most similar to the query first."""
    scores = cosine_to(vectors, query)
    order = np.lexsort((np.arange(scores.size), -scores))
    return [(int(i), float(scores[i])) for i in order]


def top_pairs(similarity: np.ndarray, k: int) -> list[tuple[int, int, float]]:
    """The ``k`` most similar pairs ``(i, j, score)`` with ``i < j``, best first."""
    rows, columns = np.triu_indices(similarity.shape[0], k=1)
    if rows.size == 0 or k <= 0:
        return []
    scores = similarity[rows, columns]
    k = min(k, scores.size)
    if k < scores.size:
        # Keep every pair that ties with the k-th best so that tie-breaking by index is exact.
        threshold = np.partition(scores, scores.size - k)[scores.size - k]
        keep = np.flatnonzero(scores >= threshold)
    else:
        keep = np.arange(scores.size)
    order = keep[np.lexsort((columns[keep], rows[keep], -scores[keep]))][:k]
    return [(int(rows[p]), int(columns[p]), float(scores[p])) for p in order]


def nearest_neighbours(similarity: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
    """For every row, its ``k`` most similar other rows as ``(index, score)``, best first."""
    n = similarity.shape[0]
    k = max(0, min(k, n - 1))
    if k == 0:
        return [[] for _ in range(n)]
    others = np.array(similarity, dtype=np.float64)
    np.fill_diagonal(others, -np.inf)
    # The k-th best score of each row; every score that reaches it is a candidate, so that ties
    # at the boundary are broken by index exactly as in the full sort.
    thresholds = -np.partition(-others, k - 1, axis=1)[:, k - 1]
    result = []
    for i in range(n):
        candidates = np.flatnonzero(others[i] >= thresholds[i])
        order = candidates[np.lexsort((candidates, -others[i, candidates]))][:k]
        result.append([(int(j), float(similarity[i, j])) for j in order])
    return result


def neighbourhood(similarity: np.ndarray, centre: int, size: int) -> list[int]:
    """``centre`` followed by its ``size - 1`` nearest neighbours: a subset worth a heatmap."""
    n = similarity.shape[0]
    scores = similarity[centre].astype(np.float64).copy()
    scores[centre] = np.inf
    return [int(i) for i in np.lexsort((np.arange(n), -scores))[: max(1, min(size, n))]]


def cluster_order(similarity: np.ndarray) -> list[int]:
    """An order of the rows in which similar texts sit next to each other.

    Average-linkage agglomerative clustering (UPGMA) on the distance ``1 - similarity``: the two
    closest clusters are merged until one remains, and each merge places the two clusters end to
    end, flipping either so the most similar ends touch. Cost is O(n³), meant for a heatmap of a
    few hundred texts at most.
    """
    n = similarity.shape[0]
    if n <= 2:
        return list(range(n))
    sim = np.asarray(similarity, dtype=np.float64)
    distance = 1.0 - sim.copy()
    np.fill_diagonal(distance, np.inf)
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    sizes = np.ones(n)
    alive = np.ones(n, dtype=bool)
    while len(members) > 1:
        masked = np.where(alive[:, None] & alive[None, :], distance, np.inf)
        a, b = divmod(int(np.argmin(masked)), n)
        a, b = min(a, b), max(a, b)
        members[a] = _join_ends(members[a], members.pop(b), sim)
        merged = (distance[a] * sizes[a] + distance[b] * sizes[b]) / (sizes[a] + sizes[b])
        distance[a, :] = merged
        distance[:, a] = merged
        distance[a, a] = np.inf
        distance[b, :] = np.inf
        distance[:, b] = np.inf
        sizes[a] += sizes[b]
        alive[b] = False
    return next(iter(members.values()))


def _join_ends(left: list[int], right: list[int], sim: np.ndarray) -> list[int]:
    """``left + right``, each possibly reversed, with the most similar ends touching."""
    candidates = (
        (left, right),
        (left[::-1], right),
        (left, right[::-1]),
        (left[::-1], right[::-1]),
    )
    best = max(range(4), key=lambda c: (sim[candidates[c][0][-1], candidates[c][1][0]], -c))
    first, second = candidates[best]
    return first + second


@dataclass(frozen=True)
class Projection:
    """Points in 2-D and the share of the total variance each axis explains."""

    points: np.ndarray  # (n, 2)
    explained: tuple[float, float]


def pca_2d(vectors: np.ndarray) -> Projection:
    """Principal component analysis to two dimensions, via the SVD of the centred vectors.

    Each axis's sign is fixed (its largest loading is positive) so the map does not flip between
    runs. With fewer than three texts or one dimension the missing axes are zeros.
    """
    matrix = as_matrix(vectors)
    n = matrix.shape[0]
    points = np.zeros((n, 2))
    if n < 2 or matrix.shape[1] == 0:
        return Projection(points, (0.0, 0.0))
    centred = matrix - matrix.mean(axis=0)
    _, singular, components = np.linalg.svd(centred, full_matrices=False)
    total = float(np.sum(singular**2))
    explained = [0.0, 0.0]
    for axis in range(min(2, singular.size)):
        if singular[axis] <= 1e-12 * max(1.0, singular[0]):
            continue
        component = components[axis]
        if component[np.argmax(np.abs(component))] < 0:
            component = -component
        points[:, axis] = centred @ component
        explained[axis] = float(singular[axis] ** 2 / total) if total else 0.0
    return Projection(points, (explained[0], explained[1]))


def upper_triangle(similarity: np.ndarray) -> np.ndarray:
    """The values above the diagonal, row by row: one per pair of different texts."""
    return similarity[np.triu_indices(similarity.shape[0], k=1)]


def ranks(values: np.ndarray) -> np.ndarray:
    """Ranks from 1, tied values sharing the average of their ranks (as Spearman needs)."""
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        return np.zeros(0)
    order = np.argsort(values, kind="stable")
    sorted_values = values[order]
    starts_group = np.r_[True, sorted_values[1:] != sorted_values[:-1]]
    group = np.cumsum(starts_group) - 1
    starts = np.flatnonzero(starts_group)
    ends = np.r_[starts[1:], values.size] - 1
    result = np.empty(values.size)
    result[order] = ((starts + ends) / 2 + 1)[group]
    return result


def spearman(a: np.ndarray, b: np.ndarray) -> float | None:
    """Spearman rank correlation of two equally long samples; ``None`` when it is undefined.

    Undefined means fewer than two values, or one side constant (no ranking to compare).
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError("Both samples need the same number of values.")
    if a.size < 2:
        return None
    rank_a, rank_b = ranks(a), ranks(b)
    spread_a, spread_b = rank_a - rank_a.mean(), rank_b - rank_b.mean()
    denominator = float(np.sqrt(np.sum(spread_a**2) * np.sum(spread_b**2)))
    if denominator == 0:
        return None
    return float(np.sum(spread_a * spread_b) / denominator)


@dataclass(frozen=True)
class Disagreement:
    """One pair of texts whose similarity two models rank differently."""

    i: int
    j: int
    score_a: float
    score_b: float
    percentile_a: float  # 0 = the least similar pair under model A, 1 = the most similar
    percentile_b: float

    @property
    def gap(self) -> float:
        return self.percentile_a - self.percentile_b


def disagreements(similarity_a: np.ndarray, similarity_b: np.ndarray, k: int) -> list[Disagreement]:
    """The ``k`` pairs whose rank among all pairs differs most between two similarity matrices.

    Ranks rather than raw scores are compared because models use different ranges (one may put
    every pair between 0.4 and 0.9, another between 0 and 1).
    """
    if similarity_a.shape != similarity_b.shape:
        raise ValueError("Both similarity matrices must cover the same texts.")
    rows, columns = np.triu_indices(similarity_a.shape[0], k=1)
    if rows.size == 0 or k <= 0:
        return []
    scores_a, scores_b = similarity_a[rows, columns], similarity_b[rows, columns]
    scale = max(rows.size - 1, 1)
    percentile_a = (ranks(scores_a) - 1) / scale
    percentile_b = (ranks(scores_b) - 1) / scale
    gaps = np.abs(percentile_a - percentile_b)
    k = min(k, gaps.size)
    # Sort only the candidates: every gap that reaches the k-th largest (ties broken by index).
    threshold = np.partition(gaps, gaps.size - k)[gaps.size - k]
    candidates = np.flatnonzero(gaps >= threshold)
    order = candidates[np.lexsort((columns[candidates], rows[candidates], -gaps[candidates]))][:k]
    return [
        Disagreement(
            int(rows[p]),
            int(columns[p]),
            float(scores_a[p]),
            float(scores_b[p]),
            float(percentile_a[p]),
            float(percentile_b[p]),
        )
        for p in order
    ]
