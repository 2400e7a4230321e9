"""The leaderboard: ratings with intervals, each model's record and speed, who beats whom, and exports.

What counts: a battle none of whose columns failed, with at least one vote, inside the tag and
time filters (a battle's time is when it ran, as the store filters it); every vote on such a
battle counts. Battles without votes and failed battles (which take no vote) are left out.

A vote becomes pairwise results (:func:`lib.arena.records.pairwise`), and a model's record is
counted per pairwise result, as the ratings see it: a pick among four columns is three wins for
the picked model and one loss for each of the other three; a tie or "both bad" among three
columns is two ties for each model. ``battles`` counts the battles a model was in, once each
however many people voted on it. The win rate is ``(wins + ties / 2) / games``, ties as half a
win like the ratings. Speeds are medians over a model's answers in the battles that count (its
``RunStats``), the size the latest one recorded.

Pure: no Streamlit. The exports are for people and tools: English field names, times in UTC
(ISO 8601), and in CSV files text a spreadsheet would run as a formula is defused.
"""

from __future__ import annotations

import csv
import io
import json
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone
from typing import Any

from lib.arena import rating
from lib.arena.records import LETTERS, Battle, Result, Vote, pairwise
from lib.embeddings.analysis import spreadsheet_safe


@dataclass(frozen=True)
class Row:
    """One model's line: rating and 95% interval, record, speed, size, and whether anyone beats it on both."""

    model: str
    rating: float
    low: float
    high: float
    battles: int
    wins: int
    ties: int
    losses: int
    win_rate: float
    tokens_per_second: float | None  # median output tokens per second
    time_to_first_token: float | None  # median seconds
    size: int | None  # bytes
    unbeaten: bool  # on the rating-vs-speed Pareto frontier


@dataclass(frozen=True)
class Board:
    """The rows best first; ``matrix[(a, b)]``: a's win rate against b (None: they never met, or a is b)."""

    rows: tuple[Row, ...]
    matrix: dict[tuple[str, str], float | None]
    tags: tuple[str, ...]
    votes: int


def selected(
    battles: Sequence[Battle], votes: Sequence[Vote], *, tag: str | None = None, since: float | None = None
) -> tuple[list[Battle], list[Vote]]:
    """The battles that count under the filters and the votes on them (a vote its battle does not offer is left out)."""
    kept = {
        battle.id: battle
        for battle in battles
        if battle.id is not None
        and not battle.failed
        and (tag is None or tag in battle.tags)
        and (since is None or battle.created_at >= since)
    }
    counted = [vote for vote in votes if vote.battle_id in kept and vote.choice in kept[vote.battle_id].choices]
    voted = {vote.battle_id for vote in counted}
    return [battle for battle in kept.values() if battle.id in voted], counted


def board(
    battles: Sequence[Battle],
    votes: Sequence[Vote],
    *,
    tag: str | None = None,
    since: float | None = None,
    rounds: int = 200,
    seed: int = 0,
) -> Board:
    """The leaderboard of the votes on ``battles`` that pass the filters (see the module's docstring).

    Each vote is one draw of the bootstrap (:func:`lib.arena.rating.bootstrap`): in a room, every
    voter's choice is its own piece of evidence. The votes are put in a fixed order first, so the
    board does not depend on the order they came in. ``tags`` are those of every battle given,
    so a filter can offer them all.
    """
    counted_battles, counted_votes = selected(battles, votes, tag=tag, since=since)
    counted_votes.sort(key=lambda vote: (vote.battle_id, vote.voter, vote.created_at, vote.choice))
    by_id = {battle.id: battle for battle in counted_battles}
    results_by_vote = [pairwise(by_id[vote.battle_id], vote.choice) for vote in counted_votes]
    results = [result for vote_results in results_by_vote for result in vote_results]
    ratings = rating.fit(results)
    intervals = rating.bootstrap(results_by_vote, rounds=rounds, seed=seed) if ratings else {}
    record = _record(results)
    in_battles = _battles(counted_battles)
    speeds = _medians(counted_battles)
    sizes = _sizes(counted_battles)
    speed = {model: speeds.get(model, (None, None)) for model in ratings}
    frontier = _frontier({model: (ratings[model], speed[model][0]) for model in ratings})
    rows = [
        Row(
            model=model,
            rating=ratings[model],
            low=intervals[model][0],
            high=intervals[model][1],
            battles=in_battles[model],
            wins=record[model][0],
            ties=record[model][1],
            losses=record[model][2],
            win_rate=(record[model][0] + record[model][1] / 2) / sum(record[model]),
            tokens_per_second=speed[model][0],
            time_to_first_token=speed[model][1],
            size=sizes.get(model),
            unbeaten=model in frontier,
        )
        for model in ratings
    ]
    rows.sort(key=lambda row: (-row.rating, row.model))
    return Board(tuple(rows), _matrix(results, [row.model for row in rows]), tags_of(battles), len(counted_votes))


def tags_of(battles: Iterable[Battle]) -> tuple[str, ...]:
    """Every tag of ``battles``, sorted."""
    return tuple(sorted({tag for battle in battles for tag in battle.tags}))


def _record(results: Iterable[Result]) -> dict[str, list[int]]:
    """Wins, ties and losses per model, one per pairwise result."""
    record: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for result in results:
        first, second = (0, 2) if result.score == 1 else (2, 0) if result.score == 0 else (1, 1)
        record[result.first][first] += 1
        record[result.second][second] += 1
    return record


def _battles(battles: Iterable[Battle]) -> dict[str, int]:
    count: dict[str, int] = defaultdict(int)
    for battle in battles:
        for model in {contestant.model for contestant in battle.contestants}:
            count[model] += 1
    return count


def _medians(battles: Iterable[Battle]) -> dict[str, tuple[float | None, float | None]]:
    """Median output tokens per second and time to first token per model, over the answers that have them."""
    speeds: dict[str, list[float]] = defaultdict(list)
    firsts: dict[str, list[float]] = defaultdict(list)
    for battle in battles:
        for contestant in battle.contestants:
            stats = contestant.stats
            if stats is not None and stats.output_tokens_per_second is not None:
                speeds[contestant.model].append(stats.output_tokens_per_second)
            if stats is not None and stats.time_to_first_token is not None:
                firsts[contestant.model].append(stats.time_to_first_token)
    return {model: (_median(speeds.get(model)), _median(firsts.get(model))) for model in speeds.keys() | firsts.keys()}


def _median(values: list[float] | None) -> float | None:
    return statistics.median(values) if values else None


def _sizes(battles: Iterable[Battle]) -> dict[str, int]:
    """The size each model had in the latest battle that recorded it."""
    sizes: dict[str, int] = {}
    for battle in sorted(battles, key=lambda battle: battle.created_at):
        for contestant in battle.contestants:
            if contestant.size is not None:
                sizes[contestant.model] = contestant.size
    return sizes


def _frontier(points: dict[str, tuple[float, float | None]]) -> set[str]:
    """The models no other model beats on both rating and speed (at least as good on both, better on one).

    Only models with a known speed take part: without one a model cannot be placed against the others.
    """
    known = {model: (value, speed) for model, (value, speed) in points.items() if speed is not None}
    return {
        model
        for model, (value, speed) in known.items()
        if not any(
            other_value >= value and other_speed >= speed and (other_value > value or other_speed > speed)
            for other, (other_value, other_speed) in known.items()
            if other != model
        )
    }


def _matrix(results: Iterable[Result], models: list[str]) -> dict[tuple[str, str], float | None]:
    """Each ordered pair's win rate, ties as halves; None where the two never met and on the diagonal."""
    scored: dict[tuple[str, str], float] = defaultdict(float)
    played: dict[tuple[str, str], int] = defaultdict(int)
    for result in results:
        scored[result.first, result.second] += result.score
        scored[result.second, result.first] += 1.0 - result.score
        played[result.first, result.second] += 1
        played[result.second, result.first] += 1
    return {
        (row, column): scored[row, column] / played[row, column] if played.get((row, column)) else None
        for row in models
        for column in models
    }


# Exports


def vote_records(battles: Sequence[Battle], votes: Sequence[Vote]) -> list[dict[str, Any]]:
    """One record per vote on one of ``battles``, oldest first: the battle, its prompt and tags, the models
    behind the letters, the choice and the model it picked (empty for a tie or "both bad"), and when."""
    by_id = {battle.id: battle for battle in battles if battle.id is not None}
    records = []
    for vote in sorted(votes, key=lambda vote: (vote.created_at, vote.battle_id)):
        battle = by_id.get(vote.battle_id)
        if battle is None:
            continue
        letters = {contestant.letter for contestant in battle.contestants}
        records.append(
            {
                "battle": vote.battle_id,
                "prompt": battle.prompt,
                "tags": list(battle.tags),
                "models": {contestant.letter: contestant.model for contestant in battle.contestants},
                "choice": vote.choice,
                "chosen_model": battle.model_of(vote.choice) if vote.choice in letters else "",
                "time": _utc(vote.created_at),
            }
        )
    return records


def votes_csv(battles: Sequence[Battle], votes: Sequence[Vote]) -> str:
    """The votes as CSV: battle, prompt, tags (comma-separated), model_A … model_D, choice, chosen_model, time."""
    columns = ["battle", "prompt", "tags", *(f"model_{letter}" for letter in LETTERS), "choice", "chosen_model", "time"]
    rows = []
    for record in vote_records(battles, votes):
        models = record.pop("models")
        record["tags"] = ", ".join(record["tags"])
        record.update({f"model_{letter}": models.get(letter, "") for letter in LETTERS})
        rows.append(record)
    return _csv(columns, rows)


def votes_json(battles: Sequence[Battle], votes: Sequence[Vote]) -> str:
    """The votes as a JSON array of :func:`vote_records`."""
    return json.dumps(vote_records(battles, votes), ensure_ascii=False, indent=2)


TABLE_COLUMNS = tuple(field.name for field in fields(Row))


def table_csv(shown: Board) -> str:
    """The table as CSV, one line per model best first, the columns named as :class:`Row`'s fields."""
    return _csv(list(TABLE_COLUMNS), [asdict(row) for row in shown.rows])


def table_json(shown: Board) -> str:
    """The table as a JSON array of :class:`Row` objects, best first."""
    return json.dumps([asdict(row) for row in shown.rows], ensure_ascii=False, indent=2)


def _csv(columns: list[str], rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {key: spreadsheet_safe(value) if isinstance(value, str) else value for key, value in row.items()}
        )
    return buffer.getvalue()


def _utc(moment: float) -> str:
    return datetime.fromtimestamp(moment, timezone.utc).isoformat(timespec="seconds")
