"""Saved prompt sets, runs and their answers in SQLite (standard library ``sqlite3``, WAL mode).

The same patterns as the chats' and the arena's stores (:mod:`lib.chat.store`, :mod:`lib.arena.store`):
every operation opens its own connection and runs in one ``BEGIN IMMEDIATE`` transaction,
``busy_timeout`` makes a second writer wait its turn instead of failing, and ``PRAGMA user_version``
is the schema version. :meth:`EvalStore.save_answer` is one such transaction, committed before it
returns: a run's job saves each answer as it finishes, so an app killed mid-run loses only the
answer it was streaming. An answer is keyed by (run, prompt, candidate): saving the same pair
again replaces it (a retried cell), never adds a second one.

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
"""

from __future__ import annotations

import json
import math
import sqlite3
import time
from typing import Any

from lib.chat import store as chat_store
from lib.chat import validation
from lib.evals.records import Answer, Candidate, Check, CheckResult, JudgeVerdict, Prompt, PromptSet, Run
from lib.evals.sets import prompt_document
from lib.ollama.stats import RunStats
from lib.sqlite_store import SqliteStore

FILE_NAME = "evals.sqlite3"
SCHEMA_VERSION = 1
UNREADABLE = "unreadable"  # the reason of a saved check result that cannot be read

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner TEXT,
    name TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    prompts TEXT NOT NULL DEFAULT '[]',
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner TEXT,
    set_id INTEGER,
    prompt_set TEXT NOT NULL DEFAULT '{}',
    prompt_count INTEGER NOT NULL,
    candidates TEXT NOT NULL DEFAULT '[]',
    candidate_count INTEGER NOT NULL,
    judge TEXT,
    rubric TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL,
    finished_at REAL
);
CREATE TABLE IF NOT EXISTS answers (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    prompt_index INTEGER NOT NULL,
    candidate_index INTEGER NOT NULL,
    content TEXT NOT NULL DEFAULT '',
    thinking TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'done',
    error TEXT NOT NULL DEFAULT '',
    stats TEXT,
    seconds REAL,
    checks TEXT NOT NULL DEFAULT '[]',
    verdict TEXT,
    saved_at REAL NOT NULL,
    PRIMARY KEY (run_id, prompt_index, candidate_index)
);
CREATE INDEX IF NOT EXISTS sets_by_owner ON sets (owner, updated_at);
CREATE INDEX IF NOT EXISTS runs_by_owner ON runs (owner, set_id, created_at);
"""


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


class EvalStore(SqliteStore):
    """The evals database at ``path`` (default: ``evals.sqlite3`` in the data folder); holds no connection."""

    FILE_NAME = FILE_NAME
    SCHEMA = _SCHEMA
    SCHEMA_VERSION = SCHEMA_VERSION
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
        with self._transaction() as db:
            if prompt_set.id is None:
                cursor = db.execute(
                    "INSERT INTO sets (owner, name, description, prompts, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (self.owner, prompt_set.name, prompt_set.description, prompts, now, now),
                )
                return _inserted_id(cursor)
            mine, owner = self._mine()
            changed = db.execute(
                f"UPDATE sets SET name = ?, description = ?, prompts = ?, updated_at = ? WHERE id = ? AND {mine}",
                (prompt_set.name, prompt_set.description, prompts, now, prompt_set.id, *owner),
            ).rowcount
            if not changed:
                raise NotFound(prompt_set.id)
            return prompt_set.id

    def sets(self) -> list[PromptSet]:
        """This owner's sets, the latest changed first."""
        mine, owner = self._mine()
        with self._transaction() as db:
            rows = db.execute(f"SELECT * FROM sets WHERE {mine} ORDER BY updated_at DESC, id DESC", owner).fetchall()
        return [_set(row) for row in rows]

    def get_set(self, set_id: int) -> PromptSet | None:
        """This owner's set ``set_id``; None when there is none (someone else's included)."""
        mine, owner = self._mine()
        with self._transaction() as db:
            row = db.execute(f"SELECT * FROM sets WHERE id = ? AND {mine}", (set_id, *owner)).fetchone()
        return _set(row) if row else None

    def delete_set(self, set_id: int) -> None:
        """Delete this owner's set and its runs (a run is part of its set's history); nothing for another's."""
        mine, owner = self._mine()
        with self._transaction() as db:
            if db.execute(f"DELETE FROM sets WHERE id = ? AND {mine}", (set_id, *owner)).rowcount:
                db.execute(f"DELETE FROM runs WHERE set_id = ? AND {mine}", (set_id, *owner))

    # Runs

    def start_run(self, run: Run) -> int:
        """Save a new run with its copy of the set and its candidates (its answers too, if it has some); returns its id.

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
        mine, owner = self._mine()
        with self._transaction() as db:
            set_id = run.prompt_set.id
            if (
                set_id is not None
                and db.execute(f"SELECT 1 FROM sets WHERE id = ? AND {mine}", (set_id, *owner)).fetchone() is None
            ):
                set_id = None
            cursor = db.execute(
                "INSERT INTO runs (owner, set_id, prompt_set, prompt_count, candidates, candidate_count, judge, "
                "rubric, created_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    self.owner,
                    set_id,
                    json.dumps(document, ensure_ascii=False),
                    len(run.prompt_set.prompts),
                    json.dumps(candidates, ensure_ascii=False),
                    len(run.candidates),
                    run.judge,
                    run.rubric,
                    run.created_at or time.time(),
                    run.finished_at,
                ),
            )
            run_id = _inserted_id(cursor)
            for answer in run.answers:
                self._put_answer(db, run_id, len(run.prompt_set.prompts), len(run.candidates), answer)
        return run_id

    def save_answer(self, run_id: int, answer: Answer) -> None:
        """Save one finished answer of this owner's run, committed before this returns; the same
        (prompt, candidate) saved again replaces the earlier answer.

        Raises :class:`NotFound` when the run is not this owner's (deleted meanwhile, say), and
        ``ValueError`` for a prompt or candidate the run does not have.
        """
        mine, owner = self._mine()
        with self._transaction() as db:
            row = db.execute(
                f"SELECT prompt_count, candidate_count FROM runs WHERE id = ? AND {mine}", (run_id, *owner)
            ).fetchone()
            if row is None:
                raise NotFound(run_id)
            self._put_answer(db, run_id, row["prompt_count"], row["candidate_count"], answer)

    @staticmethod
    def _put_answer(db: sqlite3.Connection, run_id: int, prompts: int, candidates: int, answer: Answer) -> None:
        if not (0 <= answer.prompt_index < prompts and 0 <= answer.candidate_index < candidates):
            raise ValueError(
                f"Run {run_id} has {prompts} prompts and {candidates} candidates: "
                f"no prompt {answer.prompt_index} of candidate {answer.candidate_index}."
            )
        db.execute(
            "INSERT OR REPLACE INTO answers (run_id, prompt_index, candidate_index, content, thinking, status, "
            "error, stats, seconds, checks, verdict, saved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                run_id,
                answer.prompt_index,
                answer.candidate_index,
                answer.content,
                answer.thinking,
                answer.status,
                answer.error,
                json.dumps(answer.stats.to_dict()) if answer.stats else None,
                answer.seconds,
                json.dumps([_check_result_document(result) for result in answer.checks], ensure_ascii=False),
                json.dumps(_verdict_document(answer.verdict), ensure_ascii=False) if answer.verdict else None,
                time.time(),
            ),
        )

    def finish_run(self, run_id: int) -> None:
        """Mark this owner's run finished now (every answer is in); nothing for another's."""
        mine, owner = self._mine()
        with self._transaction() as db:
            db.execute(f"UPDATE runs SET finished_at = ? WHERE id = ? AND {mine}", (time.time(), run_id, *owner))

    def run(self, run_id: int) -> Run | None:
        """This owner's run ``run_id`` with every answer saved so far; None when there is none."""
        mine, owner = self._mine()
        with self._transaction() as db:
            row = db.execute(f"SELECT * FROM runs WHERE id = ? AND {mine}", (run_id, *owner)).fetchone()
            if row is None:
                return None
            answers = db.execute(
                "SELECT * FROM answers WHERE run_id = ? ORDER BY candidate_index, prompt_index", (run_id,)
            ).fetchall()
        return _run(row, answers)

    def runs(self, set_id: int | None = None) -> list[Run]:
        """This owner's runs, newest first, with their answers: those of set ``set_id``, or all of them."""
        mine, owner = self._mine("r.owner")
        where = f"{mine}"
        parameters: list[Any] = [*owner]
        if set_id is not None:
            where += " AND r.set_id = ?"
            parameters.append(set_id)
        with self._transaction() as db:
            rows = db.execute(
                f"SELECT * FROM runs r WHERE {where} ORDER BY r.created_at DESC, r.id DESC", parameters
            ).fetchall()
            answers: dict[int, list[sqlite3.Row]] = {}
            for answer in db.execute(
                f"SELECT a.* FROM answers a JOIN runs r ON r.id = a.run_id WHERE {where} "
                "ORDER BY a.run_id, a.candidate_index, a.prompt_index",
                parameters,
            ):
                answers.setdefault(answer["run_id"], []).append(answer)
        return [_run(row, answers.get(row["id"], [])) for row in rows]

    def delete_run(self, run_id: int) -> None:
        """Delete this owner's run and its answers; nothing for another's."""
        mine, owner = self._mine()
        with self._transaction() as db:
            db.execute(f"DELETE FROM runs WHERE id = ? AND {mine}", (run_id, *owner))

    def take_over(self, former_owner: str) -> int:
        """Make every set and run of ``former_owner`` this owner's, in one transaction; returns how many moved.

        For a visitor who signs in, as :meth:`lib.chat.store.ChatStore.take_over` does for chats.
        """
        if self.owner is None:
            raise ValueError("Only a store with an owner can take sets and runs over.")
        if not former_owner or former_owner == self.owner:
            return 0
        with self._transaction() as db:
            moved = db.execute("UPDATE sets SET owner = ? WHERE owner = ?", (self.owner, former_owner)).rowcount
            return moved + db.execute("UPDATE runs SET owner = ? WHERE owner = ?", (self.owner, former_owner)).rowcount


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


def _inserted_id(cursor: sqlite3.Cursor) -> int:
    if cursor.lastrowid is None:
        raise sqlite3.DatabaseError("the insert returned no row id")
    return cursor.lastrowid


# Reading, whatever the columns hold


def _set(row: sqlite3.Row) -> PromptSet:
    prompts, problem = validation.stored_json(row["prompts"], ("prompts",))
    return PromptSet(
        name=validation.stored_text(row["name"]),
        prompts=_prompts(prompts if problem is None else None),
        description=validation.stored_text(row["description"]),
        id=row["id"],
        updated_at=_number(row["updated_at"]) or 0.0,
    )


def _run(row: sqlite3.Row, answers: list[sqlite3.Row]) -> Run:
    copy, problem = validation.stored_json(row["prompt_set"], ("prompt_set",))
    copy = copy if problem is None and isinstance(copy, dict) else {}
    set_id = row["set_id"]
    prompt_set = PromptSet(
        name=_str(copy.get("name")),
        prompts=_prompts(copy.get("prompts")),
        description=_str(copy.get("description")),
        id=set_id if isinstance(set_id, int) else None,
        updated_at=_number(copy.get("updated_at")) or 0.0,
    )
    candidates, problem = validation.stored_json(row["candidates"], ("candidates",))
    judge = row["judge"]
    return Run(
        prompt_set=prompt_set,
        candidates=tuple(_candidate(item) for item in _list(candidates if problem is None else None)),
        answers=tuple(_answer(answer) for answer in answers),
        id=row["id"],
        created_at=_number(row["created_at"]) or 0.0,
        finished_at=_number(row["finished_at"]),
        judge=None if judge is None else validation.stored_text(judge),
        rubric=validation.stored_text(row["rubric"]),
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


def _answer(row: sqlite3.Row) -> Answer:
    stats: RunStats | None = None
    if row["stats"] is not None:
        raw_stats, problem = validation.stored_json(row["stats"], ("stats",))
        stats = validation.stored_stats(raw_stats)[0] if problem is None else None
    checks, problem = validation.stored_json(row["checks"], ("checks",))
    verdict: JudgeVerdict | None = None
    if row["verdict"] is not None:
        raw_verdict, verdict_problem = validation.stored_json(row["verdict"], ("verdict",))
        verdict = _verdict(raw_verdict) if verdict_problem is None else None
    return Answer(
        prompt_index=row["prompt_index"],
        candidate_index=row["candidate_index"],
        content=validation.stored_text(row["content"]),
        thinking=validation.stored_text(row["thinking"]),
        status=validation.stored_text(row["status"]),
        error=validation.stored_text(row["error"]),
        stats=stats,
        seconds=_number(row["seconds"]),
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
