"""Ratings from pairwise results: the Bradley–Terry model, fitted by maximum likelihood, on an Elo-like scale.

The model (Bradley & Terry 1952, "Rank Analysis of Incomplete Block Designs: I. The Method of
Paired Comparisons", Biometrika 39(3/4): 324–345; Zermelo 1929) gives every model a rating
``R`` and says that model ``i`` beats model ``j`` with probability

    P(i beats j) = 1 / (1 + 10^((R_j − R_i) / 400))

which is the logistic function of the rating difference, ``σ(β_i − β_j)`` with the natural-log
strength ``β = (R − 1000) · ln 10 / 400``: 400 points are odds of 10 to 1, and 1000 is the
centre of the scale. A tie (or "both bad") is counted as half a win and half a loss, as the
Chatbot Arena does (Chiang et al. 2024, "Chatbot Arena: An Open Platform for Evaluating LLMs by
Human Preference", arXiv:2403.04132, section 5), so a result with score ``s`` (1 win, 0.5 tie,
0 loss) adds

    s · log P(i beats j) + (1 − s) · log P(j beats i)

to the log-likelihood, and the ratings maximise the sum over every result. Two ties weigh
exactly as one win plus one loss.

Pure maximum likelihood has no answer in two everyday cases: a model that won every battle
(the likelihood keeps growing as its rating runs off to infinity), and models in groups that
never met (each group may slide up or down as a whole). So the fit adds a weak Gaussian prior
to each rating, centred on 1000 with a standard deviation of 400 points (one step of 10-to-1
odds): a single result outweighs it, a model that won every battle gets a finite rating that
keeps rising (about logarithmically) with its wins, the ratings average exactly 1000, and so
does every group that never met another (those groups are comparable only through the prior,
which the wide intervals show). The estimate is the maximum of this penalised likelihood,
found by Newton's method with a backtracking line search; the objective is strictly concave,
so it converges to the one maximum from any start.

95% intervals come from the bootstrap over battles (Efron 1979; the Chatbot Arena's method):
resample the battles' result lists with replacement, refit, and take the 2.5th and 97.5th
percentiles of each model's ratings. A battle's results stay together (a four-column vote is
three results that one voter gave at once). Pure numpy, no Streamlit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from lib.arena.records import Result

CENTRE = 1000.0
SCALE = 400.0
"""Rating points per factor of 10 in the odds."""
PRIOR_SD = 400.0
"""The prior's standard deviation, in rating points (see the module's docstring)."""

_POINTS_PER_NAT = SCALE / math.log(10)
_PRIOR_PRECISION = (_POINTS_PER_NAT / PRIOR_SD) ** 2
_MAX_ITERATIONS = 100
_TOLERANCE = 1e-10


def fit(results: Sequence[Result]) -> dict[str, float]:
    """The rating of every model that played a game in ``results`` (a model against itself plays none)."""
    models = _models(results)
    if not models:
        return {}
    index = {model: position for position, model in enumerate(models)}
    first, second, score = _arrays(results, index)
    ratings = _ratings(_wins(first, second, score, np.ones(len(score)), len(models)))
    return dict(zip(models, ratings.tolist(), strict=True))


def bootstrap(
    results_by_battle: Sequence[Sequence[Result]], rounds: int = 200, seed: int = 0
) -> dict[str, tuple[float, float]]:
    """Each model's 95% interval: the 2.5th and 97.5th percentiles of its rating over ``rounds`` refits.

    Every round draws as many battles as there are, with replacement, from the battles that gave
    a result (a random generator seeded with ``seed``: the same input gives the same intervals).
    A model absent from a round's draw is rated by the prior alone there (1000), which widens
    the interval of a model seen in few battles, as it should. The models are those of :func:`fit`.
    """
    if rounds < 1:
        raise ValueError("The bootstrap needs at least one round.")
    battles = [[result for result in battle if result.first != result.second] for battle in results_by_battle]
    battles = [battle for battle in battles if battle]
    models = _models([result for battle in battles for result in battle])
    if not models:
        return {}
    index = {model: position for position, model in enumerate(models)}
    flat = [result for battle in battles for result in battle]
    first, second, score = _arrays(flat, index)
    battle_of = np.repeat(np.arange(len(battles)), [len(battle) for battle in battles])
    generator = np.random.default_rng(seed)
    samples = np.empty((rounds, len(models)))
    for round_ in range(rounds):
        drawn = np.bincount(generator.integers(0, len(battles), len(battles)), minlength=len(battles))
        samples[round_] = _ratings(_wins(first, second, score, drawn[battle_of].astype(float), len(models)))
    low, high = np.percentile(samples, [2.5, 97.5], axis=0)
    return {model: (float(low[i]), float(high[i])) for i, model in enumerate(models)}


def _models(results: Sequence[Result]) -> list[str]:
    """The models that played a game, sorted (so the fit does not depend on the results' order)."""
    for result in results:
        if not 0.0 <= result.score <= 1.0:
            raise ValueError(f"A score is between 0 and 1, not {result.score!r}.")
    return sorted(
        {name for result in results if result.first != result.second for name in (result.first, result.second)}
    )


def _arrays(results: Sequence[Result], index: dict[str, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    games = [result for result in results if result.first != result.second]
    first = np.array([index[result.first] for result in games], dtype=np.intp)
    second = np.array([index[result.second] for result in games], dtype=np.intp)
    score = np.array([result.score for result in games], dtype=float)
    return first, second, score


def _wins(first: np.ndarray, second: np.ndarray, score: np.ndarray, weight: np.ndarray, size: int) -> np.ndarray:
    """``wins[i, j]``: what ``i`` scored against ``j`` over all games (each game weighted), ties as halves."""
    wins = np.bincount(first * size + second, weights=weight * score, minlength=size * size)
    wins += np.bincount(second * size + first, weights=weight * (1.0 - score), minlength=size * size)
    return wins.reshape(size, size)


def _ratings(wins: np.ndarray) -> np.ndarray:
    """The penalised maximum-likelihood ratings for the score matrix ``wins``, on the 1000/400 scale."""
    return CENTRE + _POINTS_PER_NAT * _strengths(wins)


def _strengths(wins: np.ndarray) -> np.ndarray:
    """Newton's method on the log-strengths ``β`` (gradient and Hessian of the penalised log-likelihood).

    With ``p_ij = σ(β_i − β_j)`` and ``n_ij`` the games between ``i`` and ``j``, the gradient is
    ``Σ_j wins_ij − Σ_j n_ij p_ij − λ β_i`` and the negative Hessian is the graph Laplacian of
    the weights ``n_ij p_ij (1 − p_ij)`` plus ``λ`` on the diagonal: positive definite, so the
    Newton step always exists and points uphill; the line search halves it until it gains.
    """
    games = wins + wins.T
    won = wins.sum(axis=1)
    strengths = np.zeros(len(wins))
    value = _objective(strengths, wins)
    for _ in range(_MAX_ITERATIONS):
        chance = _logistic(strengths[:, None] - strengths[None, :])
        gradient = won - (games * chance).sum(axis=1) - _PRIOR_PRECISION * strengths
        if np.abs(gradient).max() < _TOLERANCE:
            break
        weight = games * chance * (1.0 - chance)
        curvature = np.diag(weight.sum(axis=1) + _PRIOR_PRECISION) - weight
        step = np.linalg.solve(curvature, gradient)
        length = 1.0
        while True:
            candidate = strengths + length * step
            candidate_value = _objective(candidate, wins)
            if candidate_value >= value or length < 1e-6:
                break
            length /= 2
        if candidate_value < value:
            break
        strengths, value = candidate, candidate_value
    return strengths


def _objective(strengths: np.ndarray, wins: np.ndarray) -> float:
    """The penalised log-likelihood: ``Σ wins_ij · log σ(β_i − β_j) − λ/2 · Σ β_i²``."""
    log_chance = -np.logaddexp(0.0, strengths[None, :] - strengths[:, None])
    return float((wins * log_chance).sum() - _PRIOR_PRECISION / 2 * (strengths**2).sum())


def _logistic(x: np.ndarray) -> np.ndarray:
    """``1 / (1 + e^−x)``, written with tanh so that no exponential overflows."""
    return 0.5 * (1.0 + np.tanh(x / 2.0))
