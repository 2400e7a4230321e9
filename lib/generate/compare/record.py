"""One comparison, while it runs and afterwards: its form, what each column sent and received.

Columns are lettered A to D in the order they are set up. In a blind comparison the answers
are shown in a shuffled order and numbered, "Answer 1" to "Answer 4", with no model named,
until the user reveals them; the letters of the set-up would give the order away. When the
session has several servers, each column's server is named after its model, as it was named
when the comparison ran.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lib.fleet.models import SEPARATOR
from lib.generate.compare.form import LETTERS, CompareForm, column_options, settings_summary
from lib.generate.compare.stats import Timing, timing
from lib.generate.record import level_word
from lib.i18n import t, t_plain
from lib.ollama.stream import Answer
from lib.thinking import Think


@dataclass
class CompareRecord:
    number: int
    when: datetime
    form: CompareForm
    bodies: tuple[dict[str, Any], ...]
    results: tuple[Answer, ...] = ()
    order: tuple[int, ...] = ()  # column shown at each position, left to right
    revealed: bool = False
    thinks: tuple[Think | None, ...] = field(default=())  # per column: think sent, None for models that cannot
    # per column: seconds from sending to the first answer text (after any thinking), measured while streaming
    answer_started: list[float | None] = field(default_factory=list)
    # per column: its server's name, shown after the model; empty when the session had one server
    server_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        count = len(self.bodies)
        self.results = self.results or tuple(Answer() for _ in range(count))
        self.order = self.order or tuple(range(count))
        self.thinks = self.thinks or tuple(body.get("think") for body in self.bodies)
        self.answer_started = self.answer_started or [None] * count

    @property
    def hidden(self) -> bool:
        """Whether model names are hidden (a blind comparison not yet revealed)."""
        return self.form.blind and not self.revealed

    def label(self, column: int, *, reveal: bool = False) -> str:
        """``A · llama3.2:latest``; in a blind comparison ``Answer 2``, with the model once revealed.

        The server follows the model when there were several (``A · llama3.2:latest · gpu``), then
        the thinking level sent (``A · gpt-oss:20b · high``), and "no thinking"
        does when the same model is in another column too, so columns that differ only there
        can be told apart.
        """
        model = self.model_words(column)
        if not self.form.blind:
            return f"{LETTERS[column]} · {model}"
        answer = t("compare.answer_number", number=self.order.index(column) + 1)
        return answer if self.hidden and not reveal else f"{answer} · {model}"

    def short_label(self, column: int) -> str:
        """``A``, or ``Answer 2`` in a blind comparison: a column named in a sentence, without its model."""
        return t("compare.answer_number", number=self.order.index(column) + 1) if self.form.blind else LETTERS[column]

    def server_name(self, column: int) -> str:
        """The column's server as named when it ran; empty when the session had one server."""
        return self.server_names[column] if column < len(self.server_names) else ""

    def model_words(self, column: int) -> str:
        setup = self.form.columns[column]
        model = setup.model or ""
        think = self.thinks[column] if column < len(self.thinks) else None
        level = level_word(think)
        same_elsewhere = [c.ref for c in self.form.columns].count(setup.ref) > 1
        if level is None and think is False and same_elsewhere:
            level = t_plain("compare.no_thinking")
        named = f"{model}{SEPARATOR}{self.server_name(column)}" if self.server_name(column) else model
        return t_plain("generate.history_level", model=named, level=level) if level else named

    def settings(self, column: int) -> str:
        setup = self.form.columns[column]
        return settings_summary(column_options(self.form, setup), setup.keep_alive, self.thinks[column])

    def timings(self) -> list[Timing]:
        columns = self.form.columns
        return [
            timing(result, columns[index].server if index < len(columns) else "")
            for index, result in enumerate(self.results)
        ]


def shuffled_order(count: int, blind: bool, rng: random.Random | None = None) -> tuple[int, ...]:
    """Columns left to right: as set up, or shuffled for a blind comparison (never left as set up)."""
    order = list(range(count))
    if blind and count > 1:
        chooser = rng or random.Random()
        while order == sorted(order):
            chooser.shuffle(order)
    return tuple(order)
