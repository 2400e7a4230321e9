"""What a battle is, as the arena saves it and the leaderboard reads it.

A battle is one prompt answered by two to four models, shown as A, B, … in a shuffled order
with the models hidden. A vote picks the better answer: a column's letter (the best of them,
when there are more than two), :data:`TIE`, or :data:`BOTH_BAD`. For the ratings every vote
becomes pairwise results (:func:`pairwise`): the picked column beats each of the others, and
a tie or "both bad" is a draw between every pair, counted as half a win each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lib.ollama.stats import RunStats
from lib.ollama.stream import DONE, FAILED

LETTERS = ("A", "B", "C", "D")
MIN_CONTESTANTS, MAX_CONTESTANTS = 2, len(LETTERS)

TIE = "tie"
BOTH_BAD = "bad"

SERVER = "server"
"""The key of a contestant's saved ``settings`` that holds the base URL of the server it ran on (issue 23);
a battle saved before servers were recorded has none."""


@dataclass(frozen=True)
class Contestant:
    """One column of a battle: its letter on screen, the model behind it and how its answer went.

    ``settings`` are the request fields besides the prompt (``options``, ``system``, ``think``),
    and under :data:`SERVER` the server it ran on (kept there so the saved battle needs no column
    of its own); ``status`` is a :mod:`lib.ollama.stream` code; ``error`` the failure's sentence as
    the presenter read it; ``size`` the model's size in bytes when the battle ran (None: unknown).
    """

    letter: str
    model: str
    settings: dict[str, Any] = field(default_factory=dict)
    content: str = ""
    thinking: str = ""
    status: str = DONE
    error: str = ""
    stats: RunStats | None = None
    size: int | None = None

    @property
    def server(self) -> str:
        """The base URL of the server it ran on; "" for a battle saved before servers were recorded."""
        url = self.settings.get(SERVER)
        return url if isinstance(url, str) else ""

    @property
    def request_settings(self) -> dict[str, Any]:
        """The request fields it was sent with besides the prompt (its settings without the server)."""
        return {key: value for key, value in self.settings.items() if key != SERVER}


@dataclass(frozen=True)
class Battle:
    """A prompt and its contestants in screen order; ``room`` is the audience room it ran in, if any."""

    prompt: str
    contestants: tuple[Contestant, ...]
    tags: tuple[str, ...] = ()
    room: str | None = None
    created_at: float = 0.0
    id: int | None = None

    @property
    def failed(self) -> bool:
        """A column failed: the battle records no vote."""
        return any(contestant.status == FAILED for contestant in self.contestants)

    @property
    def choices(self) -> tuple[str, ...]:
        """What a vote on this battle may be."""
        return (*(contestant.letter for contestant in self.contestants), TIE, BOTH_BAD)

    def model_of(self, letter: str) -> str:
        for contestant in self.contestants:
            if contestant.letter == letter:
                return contestant.model
        raise KeyError(letter)


@dataclass(frozen=True)
class Vote:
    """One voter's choice on one battle (a voter votes once per battle)."""

    battle_id: int
    voter: str
    choice: str
    created_at: float = 0.0


@dataclass(frozen=True)
class Result:
    """One pairwise result: ``score`` is what ``first`` earned against ``second`` (1 win, 0.5 draw, 0 loss)."""

    first: str
    second: str
    score: float


def pairwise(battle: Battle, choice: str) -> list[Result]:
    """The pairwise results one vote gives; the same model in two columns plays no game against itself."""
    if choice not in battle.choices:
        raise ValueError(f"{choice!r} is not a choice of this battle.")
    models = [contestant.model for contestant in battle.contestants]
    if choice in (TIE, BOTH_BAD):
        return [
            Result(first, second, 0.5)
            for index, first in enumerate(models)
            for second in models[index + 1 :]
            if first != second
        ]
    winner = battle.model_of(choice)
    return [Result(winner, other, 1.0) for other in models if other != winner]
