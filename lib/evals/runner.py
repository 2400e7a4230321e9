"""A run of a prompt set over its candidates, in a background thread that survives page switches.

Like :class:`lib.models.pull.PullJob`, an :class:`EvalJob` is kept in session state and the page
polls :meth:`EvalJob.view` from a fragment; the thread never calls Streamlit, and everything it
learns goes through the job, behind a lock. It asks the run's missing (prompt, candidate) pairs
in :func:`plan` order, each streamed with :mod:`lib.ollama.stream`, checks each answer and saves
it at once (a kill loses no finished answer). So a stopped or interrupted run resumes with a new
job on the run as stored: its :meth:`~lib.evals.records.Run.missing` pairs are what is left.

Models stay loaded: :func:`plan` asks all of one model's prompts on a server before the next
model's, and the judge, when the run has one, grades every answer after the last one is in (a
judge between answers would take turns with the candidates' models in memory). Nothing is sent as
``keep_alive``: a model the run no longer needs is unloaded by Ollama when another needs the room.

Each candidate runs on its own server (:attr:`~lib.evals.records.Candidate.server`), one answer at
a time, so no answer's figures are slowed by another's. The job is given a client per server when it
starts (the thread cannot ask the session); a candidate saved without a server runs on ``client``,
the sidebar's. A server that is down, or no longer one of the session's, fails its candidates'
answers with a sentence that names it (when the run has several servers), and the others go on.
The judge grades on the run's judge's server (:attr:`~lib.evals.records.Run.judge_server`, saved
with the run) and on no other: when that server is down or no longer the session's, each grade
fails with a sentence that names it.

A failed answer (a missing model, a server gone, an error mid-stream, a timeout) is saved with
status ``failed`` and its sentence, in the language of the session that started the run (the
thread has no script run to ask; plain text, see :mod:`lib.evals.wording`), and the run goes
on. Stop cuts the answer being written, which is not saved, and ends the job.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from lib import i18n
from lib.evals import judge
from lib.evals.checks import run_checks
from lib.evals.records import Answer, Candidate, JudgeVerdict, Prompt, Run
from lib.evals.store import EvalStore
from lib.evals.wording import error_sentence, say
from lib.ollama import stream
from lib.ollama.client import OllamaClient

POLL_SECONDS = 0.2


def plan(run: Run, pending: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``pending`` (prompt, candidate) pairs in the order that loads each model once on each server.

    Models on servers in the order their first candidate comes; a model's candidates on one server
    one after another (settings such as ``num_ctx`` reload a model, so each candidate's prompts stay
    together); prompts in order.
    """
    first: dict[tuple[str, str], int] = {}
    for candidate in run.candidates:
        first.setdefault(_loaded(candidate), len(first))
    return sorted(pending, key=lambda pair: (first[_loaded(run.candidates[pair[1]])], pair[1], pair[0]))


def _loaded(candidate: Candidate) -> tuple[str, str]:
    """What a candidate keeps loaded: its model on its server."""
    return candidate.server, model_key(candidate.model)


def model_key(name: str) -> str:
    """The model a name runs, as Ollama resolves it: case aside, ``llama3.2`` is ``llama3.2:latest``."""
    name = name.strip().lower()
    return name if ":" in name.rsplit("/", 1)[-1] else f"{name}:latest"


def answer_request(prompt: Prompt, candidate: Candidate) -> stream.Request:
    """What a candidate is asked for one prompt: its own system prompt if it has one, else the prompt's."""
    system = candidate.system.strip() or prompt.system.strip()
    user: dict[str, Any] = {"role": "user", "content": prompt.text}
    if prompt.images:
        user["images"] = list(prompt.images)
    messages = [{"role": "system", "content": system}, user] if system else [user]
    fields: dict[str, Any] = {"messages": messages}
    if prompt.schema is not None:
        fields["format"] = prompt.schema
    if candidate.options:
        fields["options"] = dict(candidate.options)
    if candidate.think is not None:
        fields["think"] = candidate.think
    return stream.Request(stream.CHAT, candidate.model, fields)


Step = tuple[str, str]
"""What a step of a job runs: (model, server URL)."""


class Eta:
    """Seconds left, from the mean seconds each step of this job took, per model on its server when that has
    finished one (the same model is slower on the laptop than on the GPU box)."""

    def __init__(self) -> None:
        self._seconds: dict[tuple[str, str], list[float]] = {}

    def add(self, step: Step, seconds: float) -> None:
        self._seconds.setdefault(_key(step), []).append(seconds)

    def mean(self, step: Step) -> float | None:
        """The step's model's mean on its server, else the mean of every step so far; None before any step finished."""
        own = self._seconds.get(_key(step))
        every = own or [seconds for steps in self._seconds.values() for seconds in steps]
        return sum(every) / len(every) if every else None

    def left(self, current: Step | None, elapsed: float, queued: Iterable[Step]) -> float | None:
        """For the step under way (``elapsed`` seconds in) and the steps after it."""
        if not self._seconds:
            return None
        total = 0.0
        if current is not None:
            total += max(0.0, (self.mean(current) or 0.0) - elapsed)
        return total + sum(self.mean(step) or 0.0 for step in queued)


def _key(step: Step) -> tuple[str, str]:
    model, server = step
    return model_key(model), server


@dataclass(frozen=True)
class EvalView:
    """A consistent picture of a job at one moment, safe to read in the script thread.

    ``done`` and ``total`` count the run's steps: every (prompt, candidate) answer, and, when
    the run is judged, every answer's grading (a failed answer has none). ``current`` is the
    (prompt, candidate) being answered, or graded when ``judging``; ``text`` and ``thinking``
    what has arrived of that answer. ``failures`` counts the run's failed answers.
    """

    done: int
    total: int
    current: tuple[int, int] | None
    judging: bool
    eta_seconds: float | None
    failures: int
    finished: bool  # the job has ended: completed, stopped, or crashed
    stopped: bool
    completed: bool  # every pair is answered (and graded): the run is finished
    text: str
    thinking: str
    crash: str  # why the job itself ended early, as a plain sentence (lib.evals.wording); "" if it did not

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0


class EvalJob:
    """Ask ``run``'s missing pairs (saved in ``store`` under ``run_id``) in a daemon thread.

    ``client``: the sidebar's server, for candidates (and a judge) without a server of their own;
    ``servers``: a client for each other server, by base URL; ``names``: each server's name by URL,
    given when the run names servers (then a failed answer's sentence says which server it was on).
    ``language``: the session's, for the sentences saved with failed answers and verdicts.
    """

    def __init__(
        self,
        client: OllamaClient,
        store: EvalStore,
        run_id: int,
        run: Run,
        language: str = i18n.DEFAULT,
        *,
        servers: Mapping[str, OllamaClient] | None = None,
        names: Mapping[str, str] | None = None,
    ) -> None:
        self.run_id = run_id
        self.language = language
        self._client = client
        self._servers = dict(servers or {})
        self._names = dict(names or {})
        self._store = store
        self._run = run
        self._judge = run.judge or None
        self._answers = {(answer.prompt_index, answer.candidate_index): answer for answer in run.answers}
        self._pending = plan(run, run.missing())
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._streams: stream.Streams | None = None
        self._eta = Eta()
        self._current: tuple[int, int] | None = None
        self._judging = False
        self._step_started = 0.0
        self._text = ""
        self._thinking = ""
        self._finished = False
        self._completed = False
        self._crash = ""
        self._acknowledged = False
        self._thread = threading.Thread(target=self._work, name=f"eval run {run_id}", daemon=True)

    def start(self) -> EvalJob:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Cut the answer being written (it is not saved) and end the job; safe from any thread, and twice."""
        self._stop.set()
        with self._lock:
            streams = self._streams
        if streams is not None:
            streams.stop()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job ends (tests and shutdown); True when it has."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def acknowledge(self) -> bool:
        """True the first time it is called after the job ended: the page reloads the run once."""
        with self._lock:
            if not self._finished or self._acknowledged:
                return False
            self._acknowledged = True
            return True

    def view(self) -> EvalView:
        with self._lock:
            answers = list(self._answers.values())
            judged = self._judge is not None
            pairs = len(self._run.prompt_set.prompts) * len(self._run.candidates)
            failed = sum(answer.status == stream.FAILED for answer in answers)
            graded = sum(answer.verdict is not None for answer in answers)
            eta = self._left(answers) if not self._finished else (0.0 if self._completed else None)
            return EvalView(
                done=len(answers) + (graded if judged else 0),
                total=pairs + (pairs - failed if judged else 0),
                current=self._current,
                judging=self._judging,
                eta_seconds=eta,
                failures=failed,
                finished=self._finished,
                stopped=self._stop.is_set() and not self._completed,
                completed=self._completed,
                text=self._text,
                thinking=self._thinking,
                crash=self._crash,
            )

    def _left(self, answers: list[Answer]) -> float | None:
        """The ETA: the step under way, the answers not asked yet, then the gradings (held under the lock)."""
        asked = {(answer.prompt_index, answer.candidate_index) for answer in answers}
        waiting = [pair for pair in self._pending if pair not in asked and pair != self._current]
        queued = [self._step(candidate) for _, candidate in waiting]
        current = None
        if self._current is not None:
            current = self._judge_step() if self._judging else self._step(self._current[1])
        if self._judge is not None:
            ungraded = sum(answer.status != stream.FAILED and answer.verdict is None for answer in answers)
            # Each answer still to come will be graded; the answer being graded is the current step.
            gradings = ungraded + len(waiting) + (0 if current is None else -1 if self._judging else 1)
            queued += [self._judge_step()] * gradings
        return self._eta.left(current, time.monotonic() - self._step_started, queued)

    def _step(self, candidate_index: int) -> Step:
        candidate = self._run.candidates[candidate_index]
        return candidate.model, candidate.server

    def _judge_step(self) -> Step:
        return self._judge or "", self._run.judge_server

    def client_of(self, url: str) -> OllamaClient | None:
        """The client for the server at ``url`` ("": the sidebar's); None for a server the job was given none for."""
        if not url or url == self._client.base_url:
            return self._client
        return self._servers.get(url)

    # The worker thread

    def _work(self) -> None:
        try:
            if self._answer_all() and self._grade_all():
                self._store.finish_run(self.run_id)
                with self._lock:
                    self._completed = True
        except Exception as error:  # a bug or a store that cannot write: end with a sentence, not a hung page
            with self._lock:
                self._crash = say(self.language, "evals_run.crashed", kind=type(error).__name__)
        finally:
            with self._lock:
                streams, self._streams = self._streams, None
                self._finished = True
                self._current = None
                self._judging = False
                self._text = self._thinking = ""
            if streams is not None:  # after a crash mid-answer its worker must not read on; harmless after an end
                streams.stop()

    def _answer_all(self) -> bool:
        """Ask every missing pair; False when stopped."""
        for prompt_index, candidate_index in self._pending:
            candidate = self._run.candidates[candidate_index]
            prompt = self._run.prompt_set.prompts[prompt_index]
            client = self.client_of(candidate.server)
            if client is None:
                if self._stop.is_set():
                    return False
                self._save(self._unknown_server(prompt_index, candidate_index), self._step(candidate_index))
                continue
            request = answer_request(prompt, candidate)
            live = self._stream(client, request, (prompt_index, candidate_index), judging=False)
            if live is None:
                return False
            self._save(self._answer(prompt_index, candidate_index, live), self._step(candidate_index))
        return True

    def _grade_all(self) -> bool:
        """Have the judge grade every answer that has no grade yet; False when stopped."""
        judge_model = self._judge
        if judge_model is None:
            return True
        pairs = plan(self._run, list(self._answers))
        for pair in pairs:
            answer = self._answers[pair]
            if answer.status == stream.FAILED or answer.verdict is not None:
                continue
            prompt = self._run.prompt_set.prompts[pair[0]]
            request = judge.rubric_request(judge_model, prompt, answer.content, self._run.rubric)
            client = self.client_of(self._run.judge_server)
            if client is None:  # never graded on another server than the run's judge's
                if self._stop.is_set():
                    return False
                self._save(replace(answer, verdict=self._judge_unknown_server(judge_model)), self._judge_step())
                continue
            live = self._stream(client, request, pair, judging=True)
            if live is None:
                return False
            verdict = judge.score_verdict(request, live, self.language)
            if live.error is not None:  # the server failed, not the judge's reply: say which server
                verdict = replace(verdict, error=self._on_server(self._run.judge_server, verdict.error))
            self._save(replace(answer, verdict=verdict), self._judge_step())
        return True

    def _stream(
        self, client: OllamaClient, request: stream.Request, pair: tuple[int, int], *, judging: bool
    ) -> stream.Answer | None:
        """Stream one answer from ``client`` with its live text shown; None when Stop cut it (or came before it)."""
        if self._stop.is_set():
            return None
        streams = stream.Streams(client, [request])
        with self._lock:
            self._streams = streams
            self._current = pair
            self._judging = judging
            self._step_started = time.monotonic()
            self._text = self._thinking = ""
        if self._stop.is_set():  # Stop came while the request was being sent: stop() may have missed it
            streams.stop()
        live = streams.answers[0]
        for event in streams.events(POLL_SECONDS):
            if event.kind in (stream.CONTENT, stream.THINKING):
                with self._lock:
                    self._text, self._thinking = live.content, live.thinking
        return None if live.stopped else live

    def _answer(self, prompt_index: int, candidate_index: int, live: stream.Answer) -> Answer:
        """The answer to save: checked when it arrived, its error's sentence when it failed."""
        stats = live.stats()
        answer = Answer(
            prompt_index,
            candidate_index,
            content=live.content,
            thinking=live.thinking,
            status=live.status,
            stats=stats,
            seconds=live.ended_after,
        )
        if live.error is not None:
            candidate = self._run.candidates[candidate_index]
            sentence = error_sentence(live.error, candidate.model, self.language)
            return replace(answer, error=self._on_server(candidate.server, sentence))
        prompt = self._run.prompt_set.prompts[prompt_index]
        return replace(answer, checks=run_checks(prompt, live.content, stats, live.ended_after))

    def _unknown_server(self, prompt_index: int, candidate_index: int) -> Answer:
        """The failed answer of a candidate whose server the session no longer has (nothing was sent)."""
        url = self._run.candidates[candidate_index].server
        name = self._names.get(url, url)
        sentence = say(self.language, "evals_run.server_unknown", server=name)
        with self._lock:
            self._step_started = time.monotonic()
        return Answer(prompt_index, candidate_index, status=stream.FAILED, error=sentence)

    def _judge_unknown_server(self, judge_model: str) -> JudgeVerdict:
        """The failed grade of an answer whose judge's server the session no longer has (nothing was sent)."""
        url = self._run.judge_server
        sentence = say(self.language, "evals_run.judge_server_unknown", server=self._names.get(url, url))
        with self._lock:
            self._step_started = time.monotonic()
        return JudgeVerdict(judge_model, {}, "", error=sentence)

    def _on_server(self, url: str, sentence: str) -> str:
        """``sentence`` saying which server it happened on, when the run names servers."""
        name = self._names.get(url or self._client.base_url)
        return say(self.language, "evals_run.on_server", server=name, problem=sentence) if name else sentence

    def _save(self, answer: Answer, step: Step) -> None:
        self._store.save_answer(self.run_id, answer)
        with self._lock:
            self._answers[(answer.prompt_index, answer.candidate_index)] = answer
            self._eta.add(step, time.monotonic() - self._step_started)
            self._current = None
            self._judging = False
            self._text = self._thinking = ""
