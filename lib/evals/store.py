"""Saved prompt sets, runs and their answers (SQLite or PostgreSQL, :mod:`lib.storage`).

As every store (:class:`lib.storage.store.Store`), every operation runs in one transaction of its own, and a
write takes the store's write lock at once, so a second writer waits its turn instead of failing.
:meth:`EvalStore.save_answer` is one such transaction, committed before it returns: a run's job saves each answer
as it finishes, so an app killed mid-run loses only the answer it was streaming. An answer is keyed by
(run, prompt, candidate): saving the same pair again replaces it (a retried cell, ``ON CONFLICT DO UPDATE``),
never adds a second one.

A run keeps its own copy of the prompt set as it was when it started, so editing the set later
changes no result; ``set_id`` still ties the run to its set for the set's history. Deleting a set
deletes its runs (they are its history); deleting a run deletes its answers.

Every set and run has an owner (a person: :mod:`lib.access.visitor`). A store built for an owner
reads and changes that owner's sets, runs and answers only: an id that belongs to someone else
behaves as one that does not exist. Without an owner (tests and maintenance tools) a store sees
everything and saves without owner.

What was saved is read leniently, as the other stores do (a column written by hand can hold
anything): what cannot be read is left out or read as empty, and a check result that cannot be
read counts as a failed check (``reason`` :data:`UNREADABLE`), never as a passed one.

The tables are :data:`SETS`, :data:`RUNS` and :data:`ANSWERS`; their revisions are in
``lib/storage/migrations/evals/``.
"""

from __future__ import annotations

import json
import math
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lib.chat import store as chat_store
from lib.chat import validation
from lib.evals.records import Answer, Candidate, Check, CheckResult, JudgeVerdict, Prompt, PromptSet, Run
from lib.evals.sets import prompt_document
from lib.ollama.stats import RunStats
from lib.storage.store import Store
from lib.storage.types import REAL

FILE_NAME = "evals.sqlite3"
UNREADABLE = "unreadable"  # the reason of a saved check result that cannot be read

METADATA = sa.MetaData()
SETS = sa.Table(
    "sets",
    METADATA,
    sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
    sa.Column("owner", sa.Text),
    sa.Column("name", sa.Text, nullable=False, server_default=""),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("prompts", sa.Text, nullable=False, server_default="[]"),
    sa.Column("created_at", REAL, nullable=False),
    sa.Column("updated_at", REAL, nullable=False),
    sa.Index("sets_by_owner", "owner", "updated_at"),
    sqlite_autoincrement=True,
)
RUNS = sa.Table(
    "runs",
    METADATA,
    sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
    sa.Column("owner", sa.Text),
    sa.Column("set_id", sa.Integer),  # no foreign key: delete_set deletes the set's runs itself
    sa.Column("prompt_set", sa.Text, nullable=False, server_default="{}"),
    sa.Column("prompt_count", sa.Integer, nullable=False),
    sa.Column("candidates", sa.Text, nullable=False, server_default="[]"),
    sa.Column("candidate_count", sa.Integer, nullable=False),
    sa.Column("judge", sa.Text),
    sa.Column("rubric", sa.Text, nullable=False, server_default=""),
    sa.Column("created_at", REAL, nullable=False),
    sa.Column("finished_at", REAL),
    sa.Column("judge_server", sa.Text, nullable=False, server_default=""),  # "": the sidebar's (revision 2)
    sa.Index("runs_by_owner", "owner", "set_id", "created_at"),
    sqlite_autoincrement=True,
)
ANSWERS = sa.Table(
    "answers",
    METADATA,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("prompt_index", sa.Integer, primary_key=True),
    sa.Column("candidate_index", sa.Integer, primary_key=True),
    sa.Column("content", sa.Text, nullable=False, server_default=""),
    sa.Column("thinking", sa.Text, nullable=False, server_default=""),
    sa.Column("status", sa.Text, nullable=False, server_default="done"),
    sa.Column("error", sa.Text, nullable=False, server_default=""),
    sa.Column("stats", sa.Text),
    sa.Column("seconds", REAL),
    sa.Column("checks", sa.Text, nullable=False, server_default="[]"),
    sa.Column("verdict", sa.Text),
    sa.Column("saved_at", REAL, nullable=False),
)
ANSWER_KEY = [ANSWERS.c.run_id, ANSWERS.c.prompt_index, ANSWERS.c.candidate_index]


class StoreUnavailable(chat_store.StoreUnavailable):
    """The evals' database cannot be opened or created; ``str()`` says where and what to do.

    A kind of the chats' error, so what already catches that one (pages, the entry script) shows this too.
    """


class StoreFailed(chat_store.StoreFailed):
    """A read or write of the evals' database failed once it was open; ``str()`` says so in a sentence.

    A kind of the chats' error, so the entry script shows it under what the page drew.
    """


class NotFound(LookupError):
    """No such set or run for this owner (never saved, deleted, or someone else's)."""


class EvalStore(Store):
    """The evals' database: ``evals.sqlite3`` in the data folder, or the shared database (lib/storage/)."""

    NAME = "evals"
    FILE_NAME = FILE_NAME
    METADATA = METADATA
    LEGACY_VERSION = 1
    UNAVAILABLE_KEY = "evals_core.store_unavailable"
    FAILED_KEY = "evals_core.store_failed"
    UNAVAILABLE = StoreUnavailable
    FAILED = StoreFailed

    # Prompt sets

    def save_set(self, prompt_set: PromptSet) -> int:
        """Save a new set (``id`` None) or replace this owner's set ``id``; returns its id.

        Raises :class:`NotFound` when ``id`` is not one of this owner's sets (someone else's, or deleted).
        """
        now = time.time()
        prompts = json.dumps([prompt_document(prompt) for prompt in prompt_set.prompts], ensure_ascii=False)
        values = {"name": prompt_set.name, "description": prompt_set.description, "prompts": prompts, "updated_at": now}
        with self._transaction() as db:
            if prompt_set.id is None:
                new = sa.insert(SETS).values(owner=self.owner, created_at=now, **values).returning(SETS.c.id)
                return int(db.execute(new).scalar_one())
            changed = db.execute(
                sa.update(SETS).where(SETS.c.id == prompt_set.id, self._mine(SETS.c.owner)).values(values)
            ).rowcount
            if not changed:
                raise NotFound(prompt_set.id)
            return prompt_set.id

    def sets(self) -> list[PromptSet]:
        """This owner's sets, the latest changed first."""
        query = sa.select(SETS).where(self._mine(SETS.c.owner)).order_by(SETS.c.updated_at.desc(), SETS.c.id.desc())
        with self._transaction(write=False) as db:
            rows = db.execute(query).all()
        return [_set(row) for row in rows]

    def get_set(self, set_id: int) -> PromptSet | None:
        """This owner's set ``set_id``; None when there is none (someone else's included)."""
        with self._transaction(write=False) as db:
            row = db.execute(sa.select(SETS).where(SETS.c.id == set_id, self._mine(SETS.c.owner))).first()
        return _set(row) if row else None

    def delete_set(self, set_id: int) -> None:
        """Delete this owner's set and its runs (a run is part of its set's history); nothing for another's."""
        with self._transaction() as db:
            if db.execute(sa.delete(SETS).where(SETS.c.id == set_id, self._mine(SETS.c.owner))).rowcount:
                db.execute(sa.delete(RUNS).where(RUNS.c.set_id == set_id, self._mine(RUNS.c.owner)))

    # Runs

    def start_run(self, run: Run) -> int:
        """Save a new run with its copy of the set, its candidates and its judge's server (its answers too, if it has
        some); returns its id.

        ``run.prompt_set.id`` ties the run to that set when it is one of this owner's sets;
        otherwise (an example set, someone else's) the run belongs to no set. ``created_at`` 0 means now.
        """
        document = {
            "name": run.prompt_set.name,
            "description": run.prompt_set.description,
            "updated_at": run.prompt_set.updated_at,
            "prompts": [prompt_document(prompt) for prompt in run.prompt_set.prompts],
        }
        candidates = [_candidate_document(candidate) for candidate in run.candidates]
        with self._transaction() as db:
            set_id = run.prompt_set.id
            if set_id is not None and (
                db.execute(sa.select(SETS.c.id).where(SETS.c.id == set_id, self._mine(SETS.c.owner))).first() is None
            ):
                set_id = None
            values = {
                "owner": self.owner,
                "set_id": set_id,
                "prompt_set": json.dumps(document, ensure_ascii=False),
                "prompt_count": len(run.prompt_set.prompts),
                "candidates": json.dumps(candidates, ensure_ascii=False),
                "candidate_count": len(run.candidates),
                "judge": run.judge,
                "judge_server": run.judge_server if run.judge else "",
                "rubric": run.rubric,
                "created_at": run.created_at or time.time(),
                "finished_at": run.finished_at,
            }
            run_id = int(db.execute(sa.insert(RUNS).values(values).returning(RUNS.c.id)).scalar_one())
            for answer in run.answers:
                self._put_answer(db, run_id, len(run.prompt_set.prompts), len(run.candidates), answer)
        return run_id

    def save_answer(self, run_id: int, answer: Answer) -> None:
        """Save one finished answer of this owner's run, committed before this returns; the same
        (prompt, candidate) saved again replaces the earlier answer.

        Raises :class:`NotFound` when the run is not this owner's (deleted meanwhile, say), and
        ``ValueError`` for a prompt or candidate the run does not have.
        """
        with self._transaction() as db:
            row = db.execute(
                sa.select(RUNS.c.prompt_count, RUNS.c.candidate_count).where(
                    RUNS.c.id == run_id, self._mine(RUNS.c.owner)
                )
            ).first()
            if row is None:
                raise NotFound(run_id)
            self._put_answer(db, run_id, row.prompt_count, row.candidate_count, answer)

    def _put_answer(self, db: Connection, run_id: int, prompts: int, candidates: int, answer: Answer) -> None:
        """Insert the answer, or replace the one of the same (run, prompt, candidate)."""
        if not (0 <= answer.prompt_index < prompts and 0 <= answer.candidate_index < candidates):
            raise ValueError(
                f"Run {run_id} has {prompts} prompts and {candidates} candidates: "
                f"no prompt {answer.prompt_index} of candidate {answer.candidate_index}."
            )
        values = {
            "content": answer.content,
            "thinking": answer.thinking,
            "status": answer.status,
            "error": answer.error,
            "stats": json.dumps(answer.stats.to_dict()) if answer.stats else None,
            "seconds": answer.seconds,
            "checks": json.dumps([_check_result_document(result) for result in answer.checks], ensure_ascii=False),
            "verdict": json.dumps(_verdict_document(answer.verdict), ensure_ascii=False) if answer.verdict else None,
            "saved_at": time.time(),
        }
        key = {"run_id": run_id, "prompt_index": answer.prompt_index, "candidate_index": answer.candidate_index}
        db.execute(
            self._insert(ANSWERS).values(**key, **values).on_conflict_do_update(index_elements=ANSWER_KEY, set_=values)
        )

    def finish_run(self, run_id: int) -> None:
        """Mark this owner's run finished now (every answer is in); nothing for another's."""
        with self._transaction() as db:
            db.execute(
                sa.update(RUNS).where(RUNS.c.id == run_id, self._mine(RUNS.c.owner)).values(finished_at=time.time())
            )

    def run(self, run_id: int) -> Run | None:
        """This owner's run ``run_id`` with every answer saved so far; None when there is none."""
        with self._transaction(write=False) as db:
            row = db.execute(sa.select(RUNS).where(RUNS.c.id == run_id, self._mine(RUNS.c.owner))).first()
            if row is None:
                return None
            answers = db.execute(
                sa.select(ANSWERS)
                .where(ANSWERS.c.run_id == run_id)
                .order_by(ANSWERS.c.candidate_index, ANSWERS.c.prompt_index)
            ).all()
        return _run(row, list(answers))

    def runs(self, set_id: int | None = None) -> list[Run]:
        """This owner's runs, newest first, with their answers: those of set ``set_id``, or all of them."""
        chosen = self._mine(RUNS.c.owner)
        if set_id is not None:
            chosen = sa.and_(chosen, RUNS.c.set_id == set_id)
        with self._transaction(write=False) as db:
            rows = db.execute(sa.select(RUNS).where(chosen).order_by(RUNS.c.created_at.desc(), RUNS.c.id.desc())).all()
            answers: dict[int, list[sa.Row[Any]]] = {}
            for answer in db.execute(
                sa.select(ANSWERS)
                .select_from(ANSWERS.join(RUNS, RUNS.c.id == ANSWERS.c.run_id))
                .where(chosen)
                .order_by(ANSWERS.c.run_id, ANSWERS.c.candidate_index, ANSWERS.c.prompt_index)
            ):
                answers.setdefault(answer.run_id, []).append(answer)
        return [_run(row, answers.get(row.id, [])) for row in rows]

    def delete_run(self, run_id: int) -> None:
        """Delete this owner's run and its answers; nothing for another's."""
        with self._transaction() as db:
            db.execute(sa.delete(RUNS).where(RUNS.c.id == run_id, self._mine(RUNS.c.owner)))

    def take_over(self, former_owner: str) -> int:
        """Make every set and run of ``former_owner`` this owner's, in one transaction; returns how many moved.

        For a visitor who signs in, as :meth:`lib.chat.store.ChatStore.take_over` does for chats.
        """
        if self.owner is None:
            raise ValueError("Only a store with an owner can take sets and runs over.")
        if not former_owner or former_owner == self.owner:
            return 0
        with self._transaction() as db:
            moved = db.execute(sa.update(SETS).where(SETS.c.owner == former_owner).values(owner=self.owner)).rowcount
            return int(
                moved
                + db.execute(sa.update(RUNS).where(RUNS.c.owner == former_owner).values(owner=self.owner)).rowcount
            )


# Writing


def _candidate_document(candidate: Candidate) -> dict[str, Any]:
    return {
        "model": candidate.model,
        "options": candidate.options,
        "system": candidate.system,
        "think": candidate.think,
        "label": candidate.label,
        "server": candidate.server,
    }


def _check_result_document(result: CheckResult) -> dict[str, Any]:
    return {
        "kind": result.check.kind,
        "value": result.check.value,
        "passed": result.passed,
        "reason": result.reason,
        "detail": result.detail,
    }


def _verdict_document(verdict: JudgeVerdict) -> dict[str, Any]:
    return {
        "judge_model": verdict.judge_model,
        "request": verdict.request,
        "reasoning": verdict.reasoning,
        "score": verdict.score,
        "winner": verdict.winner,
        "error": verdict.error,
    }


# Reading, whatever the columns hold


def _set(row: sa.Row[Any]) -> PromptSet:
    prompts, problem = validation.stored_json(row.prompts, ("prompts",))
    return PromptSet(
        name=validation.stored_text(row.name),
        prompts=_prompts(prompts if problem is None else None),
        description=validation.stored_text(row.description),
        id=row.id,
        updated_at=_number(row.updated_at) or 0.0,
    )


def _run(row: sa.Row[Any], answers: list[sa.Row[Any]]) -> Run:
    copy, problem = validation.stored_json(row.prompt_set, ("prompt_set",))
    copy = copy if problem is None and isinstance(copy, dict) else {}
    set_id = row.set_id
    prompt_set = PromptSet(
        name=_str(copy.get("name")),
        prompts=_prompts(copy.get("prompts")),
        description=_str(copy.get("description")),
        id=set_id if isinstance(set_id, int) else None,
        updated_at=_number(copy.get("updated_at")) or 0.0,
    )
    candidates, problem = validation.stored_json(row.candidates, ("candidates",))
    judge = row.judge
    return Run(
        prompt_set=prompt_set,
        candidates=tuple(_candidate(item) for item in _list(candidates if problem is None else None)),
        answers=tuple(_answer(answer) for answer in answers),
        id=row.id,
        created_at=_number(row.created_at) or 0.0,
        finished_at=_number(row.finished_at),
        judge=None if judge is None else validation.stored_text(judge),
        rubric=validation.stored_text(row.rubric),
        judge_server=validation.stored_text(row.judge_server),
    )


def _prompts(value: Any) -> tuple[Prompt, ...]:
    return tuple(_prompt(item) for item in _list(value) if isinstance(item, dict))


def _prompt(document: dict[str, Any]) -> Prompt:
    schema = document.get("schema")
    checks = document.get("checks")
    return Prompt(
        text=_str(document.get("prompt")),
        tags=_strings(document.get("tags")),
        system=_str(document.get("system")),
        images=_strings(document.get("images")),
        schema=schema if isinstance(schema, dict) else None,
        checks=tuple(
            Check(_str(item.get("kind")), _value(item.get("value"))) for item in _list(checks) if isinstance(item, dict)
        ),
    )


def _candidate(document: Any) -> Candidate:
    if not isinstance(document, dict):
        return Candidate("")
    options = document.get("options")
    think = document.get("think")
    return Candidate(
        model=_str(document.get("model")),
        options=options if isinstance(options, dict) else {},
        system=_str(document.get("system")),
        think=think if isinstance(think, bool | str) else None,
        label=_str(document.get("label")),
        server=_str(document.get("server")),
    )


def _answer(row: sa.Row[Any]) -> Answer:
    stats: RunStats | None = None
    if row.stats is not None:
        raw_stats, problem = validation.stored_json(row.stats, ("stats",))
        stats = validation.stored_stats(raw_stats)[0] if problem is None else None
    checks, problem = validation.stored_json(row.checks, ("checks",))
    verdict: JudgeVerdict | None = None
    if row.verdict is not None:
        raw_verdict, verdict_problem = validation.stored_json(row.verdict, ("verdict",))
        verdict = _verdict(raw_verdict) if verdict_problem is None else None
    return Answer(
        prompt_index=row.prompt_index,
        candidate_index=row.candidate_index,
        content=validation.stored_text(row.content),
        thinking=validation.stored_text(row.thinking),
        status=validation.stored_text(row.status),
        error=validation.stored_text(row.error),
        stats=stats,
        seconds=_number(row.seconds),
        checks=tuple(_check_result(item) for item in _list(checks if problem is None else None)),
        verdict=verdict,
    )


def _check_result(document: Any) -> CheckResult:
    if not isinstance(document, dict) or not isinstance(document.get("passed"), bool):
        kind = _str(document.get("kind")) if isinstance(document, dict) else ""
        return CheckResult(Check(kind), passed=False, reason=UNREADABLE)
    detail = document.get("detail")
    return CheckResult(
        check=Check(_str(document.get("kind")), _value(document.get("value"))),
        passed=document["passed"],
        reason=_str(document.get("reason")),
        detail=detail if isinstance(detail, dict) else {},
    )


def _verdict(document: Any) -> JudgeVerdict | None:
    if not isinstance(document, dict):
        return None
    request = document.get("request")
    winner = document.get("winner")
    return JudgeVerdict(
        judge_model=_str(document.get("judge_model")),
        request=request if isinstance(request, dict) else {},
        reasoning=_str(document.get("reasoning")),
        score=_number(document.get("score")),
        winner=winner if isinstance(winner, int) and not isinstance(winner, bool) else None,
        error=_str(document.get("error")),
    )


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(item for item in _list(value) if isinstance(item, str))


def _value(value: Any) -> str | int | float | None:
    if isinstance(value, bool):
        return None
    return value if isinstance(value, str | int | float) else None


def _number(value: Any) -> float | None:
    """A finite number, else None."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None
