"""A blind battle as it runs in one browser session: the draw, the columns, the vote, what voters see.

Pure logic, no Streamlit (:mod:`lib.arena.battle_view` draws it). A battle starts from the
models picked for it (:class:`Pick`), shuffled into columns A, B, … with a system-grade random
source (:func:`shuffled`), so nobody can tell from the set-up which column is which model. While
it streams, each column's :class:`~lib.ollama.stream.Answer` fills in; once every answer has
ended (done, cut off, stopped or failed) the battle becomes a :class:`~lib.arena.records.Battle`
record to save, vote on, and reveal.

Blindness: before the reveal, nothing drawn from a :class:`Run` names a model. A failing column's
error may quote its model (``model "x" not found``), so its values are masked first
(:func:`masked_values`); a battle with a failed column records no vote, so it is revealed as
soon as every answer has ended (:meth:`Run.settle`).
"""

from __future__ import annotations

import random
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lib.arena.records import BOTH_BAD, LETTERS, MAX_CONTESTANTS, MIN_CONTESTANTS, SERVER, TIE, Battle, Contestant
from lib.fleet.models import ModelRef
from lib.ollama.errors import OllamaError
from lib.ollama.stream import FAILED, GENERATE, UNFINISHED, Answer, Request

_SYSTEM_RANDOM = random.SystemRandom()
_TAG = re.compile(r"#([^\s#]+)$")
_TAG_SEPARATORS = re.compile(r"[\s,，、;；]+")
MAX_TAG_LENGTH = 40


@dataclass(frozen=True)
class Pick:
    """One model in a battle: its request settings besides the prompt (``options``, ``system``,
    ``think``, ``keep_alive``; only what was set), its size in bytes when known, and the base URL of
    the server it runs on ("" for a battle saved before servers were recorded)."""

    model: str
    settings: dict[str, Any] = field(default_factory=dict)
    size: int | None = None
    server: str = ""


@dataclass(frozen=True)
class PromptLine:
    """One line of a prompt list: the prompt, and the tags written at its end (``#coding``)."""

    prompt: str
    tags: tuple[str, ...] = ()


def parse_tags(text: str) -> tuple[str, ...]:
    """The tags typed for a battle: words separated by commas or spaces, a leading ``#`` dropped.

    ``"#coding, 中文 reasoning"`` gives ``("coding", "中文", "reasoning")``: lower-cased (so
    ``Coding`` and ``coding`` are one tag), each once, in the order typed, at most
    :data:`MAX_TAG_LENGTH` characters each.
    """
    tags: list[str] = []
    for word in _TAG_SEPARATORS.split(text):
        tag = word.lstrip("#").strip().lower()[:MAX_TAG_LENGTH]
        if tag and tag not in tags:
            tags.append(tag)
    return tuple(tags)


def parse_prompts(text: str) -> list[PromptLine]:
    """A pasted prompt list: one prompt a line, with optional tags at the end of a line.

    ``Write a haiku about rain #poetry #short`` is the prompt ``Write a haiku about rain`` with the
    tags ``poetry`` and ``short``. Only words at the end of a line that start with ``#`` are tags, so
    ``What does C# add to C?`` keeps its ``#``. Blank lines, and lines that hold only tags, are skipped.
    """
    lines = []
    for raw in text.splitlines():
        words = raw.split()
        tags: list[str] = []
        while words and (match := _TAG.fullmatch(words[-1])):
            tags.insert(0, match[1])
            words.pop()
        prompt = " ".join(words) if tags else raw.strip()
        if prompt:
            lines.append(PromptLine(prompt, parse_tags(" ".join(tags))))
    return lines


def draw_prompt(lines: Sequence[PromptLine], rng: random.Random | None = None) -> PromptLine | None:
    """One line of the list, at random; None for an empty list."""
    return (rng or _SYSTEM_RANDOM).choice(list(lines)) if lines else None


def surprise(
    names: Sequence[str],
    remote: Iterable[str] = (),
    failing: Iterable[str] = (),
    rng: random.Random | None = None,
) -> tuple[str, str] | None:
    """Two different models at random among ``names`` (the installed chat models), or None when there
    are fewer than two.

    Models that run elsewhere (``remote``: cloud models) and models that failed this session
    (``failing``) are drawn only when fewer than two others are left: a surprise should answer,
    and a cloud model may need a sign-in the server lacks.
    """
    chooser = rng or _SYSTEM_RANDOM
    unique = list(dict.fromkeys(names))
    elsewhere, broken = set(remote), set(failing)
    tiers = (
        [name for name in unique if name not in elsewhere and name not in broken],
        [name for name in unique if name not in elsewhere and name in broken],
        [name for name in unique if name in elsewhere],
    )
    chosen: list[str] = []
    for tier in tiers:
        wanted = 2 - len(chosen)
        if wanted <= 0:
            break
        chosen += chooser.sample(tier, min(wanted, len(tier)))
    return (chosen[0], chosen[1]) if len(chosen) == 2 else None


def surprise_on_servers(
    refs: Sequence[ModelRef],
    remote: Iterable[ModelRef] = (),
    failing: Iterable[str] = (),
    rng: random.Random | None = None,
) -> tuple[ModelRef, ModelRef] | None:
    """Two different models at random among ``refs`` (the chat models of every server), as :func:`surprise`
    draws them, each on a server that has it: at random among those where it runs on the server itself
    rather than elsewhere (``remote``), when there are any. None when there are fewer than two models.

    A model counts as running elsewhere only when it does so on every server that lists it.
    """
    chooser = rng or _SYSTEM_RANDOM
    elsewhere = set(remote)
    names = list(dict.fromkeys(ref.model for ref in refs))
    remote_everywhere = {name for name in names if all(ref in elsewhere for ref in refs if ref.model == name)}
    pair = surprise(names, remote_everywhere, failing, chooser)
    if pair is None:
        return None

    def placed(name: str) -> ModelRef:
        servers = [ref for ref in refs if ref.model == name]
        return chooser.choice([ref for ref in servers if ref not in elsewhere] or servers)

    return placed(pair[0]), placed(pair[1])


def shuffled(picks: Sequence[Pick], rng: random.Random | None = None) -> tuple[Pick, ...]:
    """The picks in a uniformly random order (the set-up's order as likely as any other), one per column."""
    order = list(picks)
    (rng or _SYSTEM_RANDOM).shuffle(order)
    return tuple(order)


def choices(count: int) -> tuple[str, ...]:
    """What a vote on ``count`` columns may be: a column's letter (the better, or the best), a tie, or all bad."""
    return (*LETTERS[:count], TIE, BOTH_BAD)


def masked_values(
    values: Mapping[str, Any],
    models: Iterable[str],
    stand_in: str,
    *,
    places: Iterable[str] = (),
    place_stand_in: str = "",
) -> dict[str, Any]:
    """An error's values with every mention of ``models`` replaced by ``stand_in``, for a blind screen,
    and every one of ``places`` (the servers' names and addresses: which server failed can tell which
    model it was) by ``place_stand_in``.

    A server names a model in its own words: as it was asked for it, without its tag, or without
    its namespace (``hf.co/user/x:q4`` as ``x``), in any case. The longest names are replaced first,
    so one name inside another goes whole; names shorter than three characters are left alone.
    """
    replacements = {place.lower(): place_stand_in for place in places if len(place) >= 3}
    replacements |= {name.lower(): stand_in for model in models for name in _mentions(model) if len(name) >= 3}
    if not replacements:
        return dict(values)
    pattern = re.compile(
        "|".join(re.escape(name) for name in sorted(replacements, key=len, reverse=True)), re.IGNORECASE
    )

    def masked(text: str) -> str:
        return pattern.sub(lambda found: replacements[found[0].lower()], text)

    return {key: masked(value) if isinstance(value, str) else value for key, value in values.items()}


def _mentions(model: str) -> tuple[str, ...]:
    base = model.split(":", 1)[0]
    return model, model.removesuffix(":latest"), base, base.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Snapshot:
    """What a room's voters may see of the battle on the presenter's screen: no model names before the reveal."""

    battle_key: str  # random, new per battle
    battle_id: int | None  # saved id once every answer ended (votes go to it); None while streaming
    prompt: str
    letters: tuple[str, ...]
    texts: tuple[str, ...]
    statuses: tuple[str, ...]  # lib.ollama.stream codes; "unfinished" while streaming
    votable: bool  # every answer ended or was stopped, none failed, and it is saved
    models: tuple[str, ...] | None  # None until the presenter reveals


@dataclass
class Run:
    """One battle in a session, from the start to the reveal; kept in session state so a rerun keeps it.

    ``picks`` are in column order (already shuffled); ``answers`` fill in while the columns
    stream. ``record`` is the battle as saved, set once every answer has ended (with its id once
    the store took it), after which the screen draws from it. ``choice`` is the vote cast.
    """

    prompt: str
    picks: tuple[Pick, ...]
    tags: tuple[str, ...] = ()
    key: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    created_at: float = field(default_factory=time.time)
    answers: tuple[Answer, ...] = ()
    started: bool = False  # its requests were sent
    record: Battle | None = None
    choice: str | None = None
    revealed: bool = False
    published: Snapshot | None = None  # what on_change was last given
    room: str | None = None  # the audience room it runs in (None: the visitor's own battle)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)  # held while saving

    def __post_init__(self) -> None:
        if not MIN_CONTESTANTS <= len(self.picks) <= MAX_CONTESTANTS:
            raise ValueError(f"A battle has {MIN_CONTESTANTS} to {MAX_CONTESTANTS} models, not {len(self.picks)}.")
        self.answers = self.answers or tuple(Answer() for _ in self.picks)

    @classmethod
    def new(cls, prompt: str, picks: Sequence[Pick], tags: Sequence[str] = (), rng: random.Random | None = None) -> Run:
        """A battle about to start, its columns in a random order."""
        return cls(prompt, shuffled(picks, rng), tuple(tags))

    @classmethod
    def restored(cls, battle: Battle, choice: str | None) -> Run:
        """A saved battle opened again (a reload): revealed when it was voted on or a column failed."""
        picks = tuple(
            Pick(contestant.model, contestant.request_settings, contestant.size, contestant.server)
            for contestant in battle.contestants
        )
        run = cls(battle.prompt, picks, battle.tags, created_at=battle.created_at, started=True, record=battle)
        run.room = battle.room
        run.choice = choice
        run.revealed = choice is not None or battle.failed
        return run

    @property
    def letters(self) -> tuple[str, ...]:
        return LETTERS[: len(self.picks)]

    @property
    def models(self) -> tuple[str, ...]:
        return tuple(pick.model for pick in self.picks)

    @property
    def servers(self) -> tuple[str, ...]:
        """Each column's server (its base URL; "" when the saved battle did not record it)."""
        return tuple(pick.server for pick in self.picks)

    @property
    def choices(self) -> tuple[str, ...]:
        return choices(len(self.picks))

    def requests(self) -> list[Request]:
        """One streamed ``/api/generate`` request per column, in column order."""
        return [Request(GENERATE, pick.model, {"prompt": self.prompt, **pick.settings}) for pick in self.picks]

    @property
    def ended(self) -> bool:
        """Every answer is done, cut off, stopped or failed."""
        return self.record is not None or (self.started and all(a.status != UNFINISHED for a in self.answers))

    @property
    def failed(self) -> bool:
        return self.record.failed if self.record is not None else any(a.status == FAILED for a in self.answers)

    @property
    def battle_id(self) -> int | None:
        return self.record.id if self.record is not None else None

    @property
    def votable(self) -> bool:
        """Every answer ended or was stopped, none failed, and the battle is saved (votes go to its id)."""
        return self.battle_id is not None and not self.failed

    @property
    def statuses(self) -> tuple[str, ...]:
        if self.record is not None:
            return tuple(contestant.status for contestant in self.record.contestants)
        return tuple(answer.status for answer in self.answers)

    @property
    def texts(self) -> tuple[str, ...]:
        if self.record is not None:
            return tuple(contestant.content for contestant in self.record.contestants)
        return tuple(answer.content for answer in self.answers)

    def settle(self, word: Callable[[OllamaError], str]) -> Battle:
        """The record of a battle whose answers have all ended, ``word`` putting each failure into a sentence.

        A battle with a failed column records no vote, so it is revealed now.
        """
        if not self.ended:
            raise ValueError("The battle is still running.")
        if self.record is None:
            contestants = tuple(
                Contestant(
                    letter=letter,
                    model=pick.model,
                    settings={**pick.settings, SERVER: pick.server} if pick.server else dict(pick.settings),
                    content=answer.content,
                    thinking=answer.thinking,
                    status=answer.status,
                    error=word(answer.error) if answer.error is not None else "",
                    stats=answer.stats(),
                    size=pick.size,
                )
                for letter, pick, answer in zip(self.letters, self.picks, self.answers, strict=True)
            )
            self.record = Battle(self.prompt, contestants, self.tags, room=self.room, created_at=self.created_at)
        if self.record.failed:
            self.revealed = True
        return self.record

    def vote(self, choice: str) -> None:
        """Take the vote cast (after the store took it) and reveal the models."""
        if not self.votable:
            raise ValueError("This battle takes no vote.")
        if choice not in self.choices:
            raise ValueError(f"{choice!r} is not a choice of this battle.")
        self.choice = choice
        self.revealed = True

    def reveal(self) -> None:
        """Show the models of a battle run in an audience room: its votes come from the room, not from here."""
        if self.room is None or not self.ended:
            raise ValueError("Only a finished battle of an audience room is revealed without a vote.")
        self.revealed = True

    def snapshot(self, names: Sequence[str] | None = None) -> Snapshot:
        """What voters see now; once revealed, each column named by ``names`` (``model · server``), else its model."""
        return Snapshot(
            battle_key=self.key,
            battle_id=self.battle_id,
            prompt=self.prompt,
            letters=self.letters,
            texts=self.texts,
            statuses=self.statuses,
            votable=self.votable,
            models=(tuple(names) if names is not None else self.models) if self.revealed else None,
        )
