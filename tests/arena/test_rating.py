"""The Bradley–Terry ratings and their bootstrap intervals, on cases whose answers are known."""

from __future__ import annotations

import math
import random

import pytest

from lib.arena import rating
from lib.arena.records import Result

K = rating.SCALE / math.log(10)


def games(first: str, second: str, wins: int = 0, losses: int = 0, ties: int = 0) -> list[Result]:
    return (
        [Result(first, second, 1.0)] * wins
        + [Result(first, second, 0.0)] * losses
        + [Result(first, second, 0.5)] * ties
    )


def chance(mine: float, theirs: float) -> float:
    """The formula the module cites: P(i beats j) = 1 / (1 + 10^((R_j − R_i) / 400))."""
    return 1 / (1 + 10 ** ((theirs - mine) / 400))


def simulated(strengths: dict[str, float], battles: int, seed: int, tie_share: float = 0.1) -> list[list[Result]]:
    """Two-column battles between random pairs, each won as the formula says, a share of them tied at random
    (ties that say nothing of strength pull the ratings together)."""
    draw = random.Random(seed)
    models = sorted(strengths)
    out = []
    for _ in range(battles):
        a, b = draw.sample(models, 2)
        if draw.random() < tie_share:
            out.append([Result(a, b, 0.5)])
        else:
            out.append([Result(a, b, 1.0 if draw.random() < chance(strengths[a], strengths[b]) else 0.0)])
    return out


def test_the_fit_is_where_the_penalised_likelihood_of_the_cited_formula_is_flat():
    """At the maximum, each model's score minus its expected score (by the formula) balances the prior's pull."""
    results = [r for battle in simulated({"a": 900, "b": 1000, "c": 1100, "d": 1250}, 300, seed=3) for r in battle]
    fitted = rating.fit(results)
    for model, value in fitted.items():
        surplus = sum(
            (r.score - chance(fitted[r.first], fitted[r.second]))
            if r.first == model
            else (1 - r.score) - chance(fitted[r.second], fitted[r.first])
            for r in results
            if model in (r.first, r.second)
        )
        assert surplus == pytest.approx(K * (value - rating.CENTRE) / rating.PRIOR_SD**2, abs=1e-6)


def test_three_wins_in_four_are_odds_of_three_to_one_when_the_prior_is_outweighed():
    fitted = rating.fit(games("a", "b", wins=3000, losses=1000))
    assert fitted["a"] - fitted["b"] == pytest.approx(400 * math.log10(3), abs=0.5)
    assert fitted["a"] + fitted["b"] == pytest.approx(2000)


def test_a_simulation_recovers_the_ratings_it_was_drawn_from():
    truth = {"a": 850.0, "b": 950.0, "c": 1050.0, "d": 1150.0}
    fitted = rating.fit([r for battle in simulated(truth, 4000, seed=7, tie_share=0) for r in battle])
    for model, value in truth.items():
        assert fitted[model] == pytest.approx(value, abs=25)


def test_a_model_that_wins_every_battle_ranks_first_with_its_lower_bound_above_every_upper_bound():
    draw = random.Random(11)
    battles = [[Result("champion", other, 1.0)] for other in ("b", "c", "d") for _ in range(15)]
    battles += [[Result(x, y, float(draw.random() < 0.5))] for x, y in [("b", "c"), ("c", "d"), ("b", "d")] * 10]
    fitted = rating.fit([r for battle in battles for r in battle])
    intervals = rating.bootstrap(battles, rounds=200, seed=1)
    assert max(fitted, key=fitted.__getitem__) == "champion"
    assert all(math.isfinite(value) for value in fitted.values())
    assert all(intervals["champion"][0] > intervals[other][1] for other in ("b", "c", "d"))


def test_a_model_that_wins_every_battle_stays_finite_and_rises_with_its_wins():
    ratings = [rating.fit(games("a", "b", wins=n))["a"] for n in (1, 10, 100, 10_000)]
    assert all(math.isfinite(value) for value in ratings)
    assert ratings == sorted(ratings)
    assert ratings[0] > rating.CENTRE
    assert ratings[-1] < 3000


def test_four_models_each_winning_every_battle_against_the_next_are_ordered_and_finite():
    results = games("a", "b", wins=5) + games("b", "c", wins=5) + games("c", "d", wins=5)
    fitted = rating.fit(results)
    assert sorted(fitted, key=fitted.__getitem__, reverse=True) == ["a", "b", "c", "d"]
    assert all(math.isfinite(value) for value in fitted.values())


@pytest.mark.parametrize(
    "results",
    [
        games("a", "b", wins=3, losses=3),
        games("a", "b", wins=2) + games("b", "c", wins=2) + games("c", "a", wins=2),
        games("a", "b", ties=5) + games("b", "c", wins=1, losses=1),
    ],
    ids=["even pair", "cycle", "ties and an even pair"],
)
def test_symmetric_results_give_equal_ratings(results):
    assert rating.fit(results) == pytest.approx(dict.fromkeys(rating.fit(results), 1000.0), abs=1e-6)


def test_two_ties_weigh_as_one_win_and_one_loss():
    rest = games("a", "c", wins=3) + games("c", "b", wins=2, losses=1)
    with_ties = rating.fit(games("a", "b", wins=1, ties=2) + rest)
    with_split = rating.fit(games("a", "b", wins=2, losses=1) + rest)
    assert with_ties == pytest.approx(with_split, abs=1e-6)
    assert with_ties["a"] > with_ties["b"] + 1  # not trivially equal: the record is lopsided


def test_a_tie_only_record_equals_a_fifty_fifty_record():
    rest = games("a", "c", wins=3) + games("b", "c", losses=2)
    assert rating.fit(games("a", "b", ties=4) + rest) == pytest.approx(
        rating.fit(games("a", "b", wins=2, losses=2) + rest), abs=1e-6
    )


def test_the_order_of_the_results_and_of_each_pair_does_not_matter():
    results = [r for battle in simulated({"a": 900, "b": 1000, "c": 1100}, 200, seed=5) for r in battle]
    shuffled = results[:]
    random.Random(2).shuffle(shuffled)
    flipped = [Result(r.second, r.first, 1.0 - r.score) for r in results]
    assert rating.fit(shuffled) == pytest.approx(rating.fit(results), abs=1e-6)
    assert rating.fit(flipped) == pytest.approx(rating.fit(results), abs=1e-6)


def test_groups_that_never_met_are_each_centred_and_finite():
    fitted = rating.fit(games("a", "b", wins=4) + games("c", "d", wins=2, losses=2) + games("e", "f", wins=1))
    assert fitted["a"] + fitted["b"] == pytest.approx(2000)
    assert fitted["c"] == pytest.approx(1000) and fitted["d"] == pytest.approx(1000)
    assert fitted["e"] + fitted["f"] == pytest.approx(2000)
    assert fitted["a"] > fitted["e"] > rating.CENTRE  # four straight wins say more than one


def test_the_interval_narrows_as_votes_grow():
    def width(battles: int) -> float:
        low, high = rating.bootstrap(simulated({"a": 1060, "b": 940}, battles, seed=9), seed=4)["a"]
        return high - low

    few, many = width(20), width(500)
    assert many < few / 2
    assert many > 0


def test_the_interval_holds_the_rating_and_covers_the_truth_about_95_times_in_100():
    truth = {"a": 900.0, "b": 1000.0, "c": 1100.0}
    covered = []
    for seed in range(20):
        battles = simulated(truth, 300, seed=seed, tie_share=0)
        fitted = rating.fit([r for battle in battles for r in battle])
        for model, (low, high) in rating.bootstrap(battles, rounds=100, seed=seed).items():
            assert low < fitted[model] < high
            covered.append(low < truth[model] < high)
    assert sum(covered) >= 0.8 * len(covered)


def test_the_bootstrap_is_repeatable_with_its_seed_and_varies_with_another():
    battles = simulated({"a": 900, "b": 1000, "c": 1100}, 60, seed=1)
    assert rating.bootstrap(battles, rounds=50, seed=3) == rating.bootstrap(battles, rounds=50, seed=3)
    assert rating.bootstrap(battles, rounds=50, seed=3) != rating.bootstrap(battles, rounds=50, seed=4)


def test_a_battle_s_results_are_drawn_together():
    """One four-column vote is one draw: with a single battle every round draws that battle, so no spread."""
    battle = [Result("a", "b", 1.0), Result("a", "c", 1.0), Result("a", "d", 1.0)]
    intervals = rating.bootstrap([battle], rounds=30)
    fitted = rating.fit(battle)
    for model, (low, high) in intervals.items():
        assert low == pytest.approx(fitted[model]) and high == pytest.approx(fitted[model])


def test_no_results_no_ratings():
    assert rating.fit([]) == {}
    assert rating.bootstrap([]) == {}
    assert rating.bootstrap([[], []]) == {}


def test_a_model_against_itself_plays_no_game():
    assert rating.fit([Result("a", "a", 0.5)]) == {}
    assert rating.bootstrap([[Result("a", "a", 1.0)]]) == {}
    assert set(rating.fit([Result("a", "a", 1.0), Result("a", "b", 1.0)])) == {"a", "b"}


def test_a_score_outside_zero_to_one_and_no_rounds_are_refused():
    with pytest.raises(ValueError):
        rating.fit([Result("a", "b", 2.0)])
    with pytest.raises(ValueError):
        rating.bootstrap([[Result("a", "b", 1.0)]], rounds=0)
