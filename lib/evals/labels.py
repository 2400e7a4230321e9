"""How the Evals page names candidates, prompts and runs, as plain text (select boxes, table headers).

Candidates are lettered A to H in the order they were set up, followed by their model (and their
own label, if they have one), so two candidates of one model at different settings stay apart;
and by their server (``A · qwen3:0.6b · laptop``, ``B · qwen3:0.6b · gpu``) when the session has
several servers or the run ran on several (:func:`places`, which names the judge's server too:
:func:`lib.evals.report.judge_name`). Model names, server names and prompts are untrusted: these
texts are for places that show text as it is (select box options, table cells, chart labels),
never for Markdown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from lib.evals.records import Candidate, PromptSet, Run
from lib.fleet import session
from lib.fleet.models import SEPARATOR, server_name
from lib.fleet.servers import Server
from lib.formatting import date_time
from lib.generate.compare.form import settings_summary
from lib.i18n import t_plain

LETTERS = "ABCDEFGH"
MAX_CANDIDATES = len(LETTERS)
SHORT_PROMPT = 60


def letter(index: int) -> str:
    return LETTERS[index] if 0 <= index < len(LETTERS) else str(index + 1)


Places = Mapping[str, str]
"""Server names by base URL, for the names of a run's candidates; empty when they need none."""
NO_PLACES: Places = {}


def places(run: Run, servers: Sequence[Server]) -> dict[str, str]:
    """The names of ``run``'s servers (its judge's too) by URL when the session has several servers or the
    run is on several (its judge on another than its candidates counts), else none. ``run`` is placed
    (:meth:`~lib.evals.records.Run.placed`)."""
    urls = [*run.servers, *([run.judge_server] if run.judge else [])]
    if len(servers) <= 1 and len(set(urls)) <= 1:
        return {}
    return {url: server_name(url, servers) for url in urls if url}


def in_session(run: Run) -> tuple[Run, dict[str, str]]:
    """``run`` as this session shows it: what was saved without a server on the sidebar's server, and
    the names of its servers when its candidates' names need them."""
    placed = run.placed(session.current().url)
    return placed, places(placed, session.servers())


def candidate_name(candidate: Candidate, index: int, where: Places = NO_PLACES) -> str:
    """``B · qwen3:0.6b``, or ``B · fast (qwen3:0.6b)`` when the candidate has a label of its own; then
    `` · gpu`` when ``where`` names its server."""
    if candidate.label.strip():
        name = f"{letter(index)} · {candidate.label.strip()} ({candidate.model})"
    else:
        name = f"{letter(index)} · {candidate.model}"
    server = where.get(candidate.server)
    return f"{name}{SEPARATOR}{server}" if server else name


def candidate_settings(candidate: Candidate) -> str:
    """``temperature 0 · seed 42 · no thinking`` (or ``thinking high``), or "model defaults"; with the candidate's
    system prompt noted."""
    summary = settings_summary(candidate.options, None, candidate.think if candidate.think is not True else None)
    if candidate.system.strip():
        return f"{summary} · {t_plain('evals.own_system')}"
    return summary


def short(text: str, length: int = SHORT_PROMPT) -> str:
    """One line of ``text``, cut with an ellipsis."""
    line = " ".join(text.split())
    return line if len(line) <= length else line[: length - 1].rstrip() + "…"


def prompt_name(prompt_set: PromptSet, index: int) -> str:
    """``3. What is the capital of…``"""
    return f"{index + 1}. {short(prompt_set.prompts[index].text)}"


def run_name(run: Run) -> str:
    """``General knowledge · 25 Nov 2026, 14:03 · 3 candidates``"""
    when = date_time(datetime.fromtimestamp(run.created_at)) if run.created_at else "—"
    count = t_plain("evals.candidate_count", n=len(run.candidates))
    return f"{run.prompt_set.name or t_plain('evals.unnamed_set')} · {when} · {count}"


def run_names(runs: Sequence[Run]) -> dict[int | None, str]:
    """Each run's :func:`run_name` by id, no two alike: runs that would share one are numbered, oldest first.

    A select box tells its options apart by their text, so two runs of a set started in the same
    minute would be one option, and picking either would show the older.
    """
    oldest_first = sorted(runs, key=lambda run: (run.created_at, run.id or 0))
    return _numbered([(run.id, run_name(run)) for run in oldest_first])


def set_names(sets: Sequence[PromptSet]) -> dict[int | None, str]:
    """Each set's :func:`set_name` by id, no two alike (two sets may share a name): numbered, oldest first."""
    return _numbered(
        [(prompt_set.id, set_name(prompt_set)) for prompt_set in sorted(sets, key=lambda one: one.id or 0)]
    )


def _numbered(named: list[tuple[int | None, str]]) -> dict[int | None, str]:
    """Names by id, in the order given; names that several share get "(1)", "(2)"… in that order."""
    counts: dict[str, int] = {}
    for _key, name in named:
        counts[name] = counts.get(name, 0) + 1
    names: dict[int | None, str] = {}
    seen: dict[str, int] = {}
    for key, name in named:
        if counts[name] > 1:
            seen[name] = seen.get(name, 0) + 1
            name = t_plain("evals.run_name_numbered", name=name, number=seen[name])
        names[key] = name
    return names


def set_name(prompt_set: PromptSet) -> str:
    """``General knowledge (20 prompts)``"""
    count = t_plain("evals.prompt_count", n=len(prompt_set.prompts))
    return f"{prompt_set.name or t_plain('evals.unnamed_set')} ({count})"
