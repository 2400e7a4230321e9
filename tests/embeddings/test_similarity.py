"""The similarity maths, on small vectors whose answers can be checked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lib.embeddings import similarity as sim

SQRT_HALF = math.sqrt(0.5)

# Four 2-D vectors: east, north-east (45°), north, west.
COMPASS = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 2.0], [-3.0, 0.0]])
COMPASS_COSINES = np.array(
    [
        [1.0, SQRT_HALF, 0.0, -1.0],
        [SQRT_HALF, 1.0, SQRT_HALF, -SQRT_HALF],
        [0.0, SQRT_HALF, 1.0, 0.0],
        [-1.0, -SQRT_HALF, 0.0, 1.0],
    ]
)


def test_norms_and_normalisation():
    assert sim.norms(COMPASS) == pytest.approx([1.0, math.sqrt(2), 2.0, 3.0])
    assert not sim.is_normalised(sim.norms(COMPASS))
    assert sim.is_normalised(sim.norms(sim.unit_rows(COMPASS)))
    assert sim.is_normalised(np.array([1.0, 0.9995]))
    assert not sim.is_normalised(np.array([]))


def test_cosine_matrix_by_hand():
    assert sim.cosine_matrix(COMPASS) == pytest.approx(COMPASS_COSINES)


def test_zero_vectors_have_similarity_zero_and_are_reported():
    vectors = np.array([[0.0, 0.0], [3.0, 4.0], [0.0, 0.0]])
    matrix = sim.cosine_matrix(vectors)
    assert not np.isnan(matrix).any()
    assert matrix == pytest.approx(np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]]))
    assert sim.zero_rows(vectors) == [0, 2]
    assert sim.unit_rows(vectors)[1] == pytest.approx([0.6, 0.8])


def test_single_text_and_no_text():
    assert sim.cosine_matrix(np.array([[2.0, 0.0]])) == pytest.approx(np.array([[1.0]]))
    assert sim.cosine_matrix(np.zeros((0, 0))).shape == (0, 0)
    assert sim.as_matrix([]).shape == (0, 0)
    single = np.array([[1.0]])
    assert sim.top_pairs(single, 5) == []
    assert sim.nearest_neighbours(single, 3) == [[]]
    assert sim.cluster_order(single) == [0]
    assert sim.upper_triangle(single).size == 0


def test_values_are_clipped_to_the_cosine_range():
    nearly_same = np.array([[1e-8, 1.0], [1e-8, 1.0]]) * 1e154
    assert sim.cosine_matrix(nearly_same).max() <= 1.0


def test_one_dimensional_input_is_rejected():
    with pytest.raises(ValueError, match="2-D"):
        sim.as_matrix([1.0, 2.0])


def test_ranking_against_a_query():
    ranked = sim.rank_against(COMPASS, [1.0, 0.0])
    assert [i for i, _ in ranked] == [0, 1, 2, 3]
    assert [s for _, s in ranked] == pytest.approx([1.0, SQRT_HALF, 0.0, -1.0])
    # A north query: north, then north-east, then east and west tied at 0, east first by index.
    assert [i for i, _ in sim.rank_against(COMPASS, [0.0, 5.0])] == [2, 1, 0, 3]


def test_ranking_with_a_zero_query_or_no_texts():
    assert sim.rank_against(COMPASS, [0.0, 0.0]) == [(0, 0.0), (1, 0.0), (2, 0.0), (3, 0.0)]
    assert sim.rank_against(np.zeros((0, 2)), [1.0, 0.0]) == []


def test_ranking_rejects_a_query_of_another_size():
    with pytest.raises(sim.DimensionMismatch, match="3 dimensions but the texts have 2") as raised:
        sim.cosine_to(COMPASS, [1.0, 0.0, 0.0])
    assert (raised.value.query, raised.value.texts) == (3, 2)


def test_top_pairs_best_first_with_ties_by_index():
    pairs = sim.top_pairs(COMPASS_COSINES, 3)
    # (0,1) and (1,2) tie at √½; (0,2) and (2,3) tie at 0.
    assert [(i, j) for i, j, _ in pairs] == [(0, 1), (1, 2), (0, 2)]
    assert [s for _, _, s in pairs] == pytest.approx([SQRT_HALF, SQRT_HALF, 0.0])
    assert len(sim.top_pairs(COMPASS_COSINES, 100)) == 6
    assert sim.top_pairs(COMPASS_COSINES, 0) == []


def test_nearest_neighbours_skip_the_text_itself():
    neighbours = sim.nearest_neighbours(COMPASS_COSINES, 2)
    assert [[j for j, _ in row] for row in neighbours] == [[1, 2], [0, 2], [1, 0], [2, 1]]
    assert neighbours[3][1][1] == pytest.approx(-SQRT_HALF)
    assert all(len(row) == 3 for row in sim.nearest_neighbours(COMPASS_COSINES, 10))


def test_neighbourhood_is_a_text_and_its_closest_texts():
    assert sim.neighbourhood(COMPASS_COSINES, 3, 2) == [3, 2]
    assert sim.neighbourhood(COMPASS_COSINES, 0, 10) == [0, 1, 2, 3]
    assert sim.neighbourhood(COMPASS_COSINES, 0, 0) == [0]


def test_cluster_order_puts_similar_texts_together():
    # Two groups, interleaved in the input: {0, 2, 4} point east-ish, {1, 3} point north-ish.
    vectors = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.1], [0.1, 1.0], [1.0, 0.05]])
    order = sim.cluster_order(sim.cosine_matrix(vectors))
    assert sorted(order) == [0, 1, 2, 3, 4]
    position = {text: place for place, text in enumerate(order)}
    east = sorted(position[i] for i in (0, 2, 4))
    north = sorted(position[i] for i in (1, 3))
    assert east[-1] - east[0] == 2 and north[-1] - north[0] == 1
    # Within the east group the order follows the angle: 0 (0°), 4 (≈2.9°), 2 (≈5.7°), or reversed.
    assert [i for i in order if i in (0, 2, 4)] in ([0, 4, 2], [2, 4, 0])


def test_cluster_order_of_two_and_with_zero_vectors():
    assert sim.cluster_order(np.eye(2)) == [0, 1]
    with_zero = sim.cosine_matrix(np.array([[1.0, 0.0], [0.0, 0.0], [1.0, 0.01]]))
    order = sim.cluster_order(with_zero)
    assert sorted(order) == [0, 1, 2]
    assert abs(order.index(0) - order.index(2)) == 1


def test_pca_of_points_on_a_line():
    vectors = np.array([[0.0, 0.0, 1.0], [1.0, 1.0, 1.0], [2.0, 2.0, 1.0]])
    projection = sim.pca_2d(vectors)
    # All variance lies along (1, 1, 0)/√2; the centred points are at -√2, 0, √2 along it.
    assert projection.points[:, 0] == pytest.approx([-math.sqrt(2), 0.0, math.sqrt(2)])
    assert projection.points[:, 1] == pytest.approx([0.0, 0.0, 0.0], abs=1e-12)
    assert projection.explained == pytest.approx((1.0, 0.0))


def test_pca_of_a_rectangle_keeps_distances_and_fixed_signs():
    vectors = np.array([[2.0, 1.0], [-2.0, 1.0], [-2.0, -1.0], [2.0, -1.0]]) + 10
    projection = sim.pca_2d(vectors)
    assert projection.points == pytest.approx(np.array([[2.0, 1.0], [-2.0, 1.0], [-2.0, -1.0], [2.0, -1.0]]))
    assert projection.explained == pytest.approx((0.8, 0.2))


def test_pca_of_one_text_or_identical_texts():
    assert sim.pca_2d(np.array([[1.0, 2.0]])).points == pytest.approx(np.zeros((1, 2)))
    same = sim.pca_2d(np.array([[1.0, 2.0], [1.0, 2.0]]))
    assert same.points == pytest.approx(np.zeros((2, 2)))
    assert same.explained == (0.0, 0.0)
    assert sim.pca_2d(np.zeros((0, 0))).points.shape == (0, 2)


def test_ranks_average_ties():
    assert list(sim.ranks(np.array([10.0, 30.0, 20.0, 30.0]))) == [1.0, 3.5, 2.0, 3.5]


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([1, 2, 3, 4], [10, 20, 30, 40], 1.0),
        ([1, 2, 3, 4], [4, 3, 2, 1], -1.0),
        ([1, 2, 3], [1, 3, 2], 0.5),  # d² = 0+1+1 → 1 - 6·2/(3·8)
        ([1, 2, 3, 4, 5], [2, 1, 4, 3, 5], 0.8),  # d² = 4 → 1 - 6·4/(5·24)
        ([1, 1, 1], [1, 2, 3], None),
        ([1], [1], None),
    ],
)
def test_spearman_by_hand(a, b, expected):
    result = sim.spearman(np.array(a, dtype=float), np.array(b, dtype=float))
    assert result == (None if expected is None else pytest.approx(expected))


def test_spearman_needs_equal_lengths():
    with pytest.raises(ValueError):
        sim.spearman(np.array([1.0, 2.0]), np.array([1.0]))


def test_upper_triangle_reads_pairs_row_by_row():
    assert list(sim.upper_triangle(COMPASS_COSINES)) == pytest.approx(
        [SQRT_HALF, 0.0, -1.0, SQRT_HALF, -SQRT_HALF, 0.0]
    )


def test_disagreements_find_the_pair_ranked_differently():
    a = np.array([[1.0, 0.9, 0.5], [0.9, 1.0, 0.1], [0.5, 0.1, 1.0]])
    # Model B agrees on pairs (0,1) > (0,2) but thinks (1,2) is the most similar pair.
    b = np.array([[1.0, 0.6, 0.4], [0.6, 1.0, 0.8], [0.4, 0.8, 1.0]])
    found = sim.disagreements(a, b, 2)
    assert (found[0].i, found[0].j) == (1, 2)
    assert (found[0].percentile_a, found[0].percentile_b) == (0.0, 1.0)
    assert found[0].gap == -1.0
    assert (found[0].score_a, found[0].score_b) == (0.1, 0.8)
    assert (found[1].i, found[1].j) == (0, 1)  # 1.0 → 0.5, ahead of (0,2) at 0.5 → 0.0 by index
    assert sim.disagreements(a, a, 3)[0].gap == 0.0
    assert sim.disagreements(np.eye(1), np.eye(1), 3) == []


def test_disagreements_need_the_same_texts():
    with pytest.raises(ValueError):
        sim.disagreements(np.eye(2), np.eye(3), 1)
