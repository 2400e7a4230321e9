"""Fabricated battles and votes for the leaderboard's tests."""

from __future__ import annotations

from lib.arena.records import LETTERS, Battle, Contestant, Vote
from lib.ollama.stats import RunStats
from lib.ollama.stream import DONE, FAILED

DAY = 24 * 3600.0
NOW = 1_800_000_000.0


def fight(
    battle_id: int,
    *models: str,
    tags: tuple[str, ...] = (),
    at: float = NOW,
    speeds: tuple[float | None, ...] = (),
    firsts: tuple[float | None, ...] = (),
    sizes: tuple[int | None, ...] = (),
    failed: int | None = None,
    prompt: str = "Why is the sky blue?",
) -> Battle:
    contestants = tuple(
        Contestant(
            LETTERS[i],
            model,
            status=FAILED if failed == i else DONE,
            stats=RunStats(
                output_tokens_per_second=speeds[i] if speeds else None,
                time_to_first_token=firsts[i] if firsts else None,
            ),
            size=sizes[i] if sizes else None,
        )
        for i, model in enumerate(models)
    )
    return Battle(prompt, contestants, tags=tags, created_at=at, id=battle_id)


def vote(battle_id: int, choice: str, voter: str = "me", at: float = NOW) -> Vote:
    return Vote(battle_id, voter, choice, created_at=at)
