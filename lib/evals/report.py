"""A run as files: a self-contained HTML report, a CSV of every answer, and the whole run as JSON.

The HTML report is one file that reads the same anywhere: inline CSS, inline SVG bars, no script,
no image, font or style sheet fetched from anywhere, and no link. Everything in it that is not
the report's own markup (prompts, answers, model names, labels, errors, tags, the judge's
reasoning, even the catalog's words) goes through :func:`html.escape`, so an answer holding
``<script>`` shows those characters and runs nothing. Headings and notes are in the language
asked for (the report is made in Streamlit's download thread, where the session's language is
not known, so it is an argument).

The CSV has one row per answer, its text cells made safe for spreadsheets (a cell starting with
``= + - @`` gets a leading apostrophe, OWASP's advice against CSV injection: model answers are
untrusted). The JSON keeps every code and figure as saved, for tools, with a failed answer's
error as a sentence in the export's language.

:func:`candidate_name` and :func:`change_text` word a candidate and its change between runs for
the screen (Markdown, values escaped) or for files (``plain``). ``where`` (server names by URL, given
when the run's candidates need them: :func:`lib.evals.labels.places`) adds each candidate's server, and the
judge's wherever the judge is named.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Callable, Mapping
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from lib import i18n
from lib.chat import validation
from lib.evals import checks, scoring
from lib.evals.records import Answer, Candidate, JudgeVerdict, Prompt, Run
from lib.evals.scoring import CandidateScore, Change
from lib.evals.sets import prompt_document
from lib.fleet.models import SEPARATOR
from lib.formatting import whole_number
from lib.ollama.stream import CUT_OFF, FAILED, STOPPED, UNFINISHED

FORMAT = "ollama-studio.eval-run"
VERSION = 1
_ERROR_RECORD = '{"error_key": '  # a failed answer's error saved as lib.chat.history.error_record does
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_NONE = "—"


def _language(lang: str | None) -> str:
    return lang if lang in i18n.LANGUAGES else i18n.DEFAULT


def _plain(key: str, lang: str, **values: Any) -> str:
    return checks.say(key, lang, plain=True, **values)


# Naming candidates and changes


def candidate_name(
    candidate: Candidate, lang: str | None = None, *, plain: bool = False, where: Mapping[str, str] | None = None
) -> str:
    """The candidate's label, else its model and what sets it apart: "qwen2.5 at temperature 0",
    "llama3.2 (num_ctx 8192, thinking)"; followed by " · gpu" when ``where`` names its server."""
    server = (where or {}).get(candidate.server)
    name = _named(candidate, lang, plain=plain)
    if not server:
        return name
    return f"{name}{SEPARATOR}{server if plain else i18n.escape(server)}"


def judge_name(run: Run, where: Mapping[str, str] | None = None, model: str | None = None) -> str:
    """``qwen3:0.6b``, the run's judge (or ``model``, the one a verdict names), then `` · gpu`` when ``where``
    names the server the run's judge grades on. Plain text: for ``t()`` and :func:`html.escape`, which escape it."""
    name = (run.judge or "") if model is None else model
    server = (where or {}).get(run.judge_server)
    return f"{name}{SEPARATOR}{server}" if server and name else name


def _named(candidate: Candidate, lang: str | None, *, plain: bool) -> str:
    if candidate.label.strip():
        return candidate.label if plain else i18n.escape(candidate.label)
    settings = [f"{name} {_setting(value)}" for name, value in sorted(candidate.options.items())]
    if candidate.think is True:
        settings.append(checks.say("evals_core.setting_thinking", lang, plain=True))
    elif candidate.think is False:
        settings.append(checks.say("evals_core.setting_no_thinking", lang, plain=True))
    elif isinstance(candidate.think, str):
        settings.append(checks.say("evals_core.setting_think_level", lang, plain=True, level=candidate.think))
    if candidate.system.strip():
        settings.append(checks.say("evals_core.setting_system", lang, plain=True))
    if not settings:
        return candidate.model if plain else i18n.escape(candidate.model)
    if list(candidate.options) == ["temperature"] and len(settings) == 1:
        temperature = _setting(candidate.options["temperature"])
        values = {"model": candidate.model, "temperature": temperature}
        return checks.say("evals_core.candidate_at_temperature", lang, plain=plain, **values)
    values = {"model": candidate.model, "settings": ", ".join(settings)}
    return checks.say("evals_core.candidate_with_settings", lang, plain=plain, **values)


def _setting(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def change_text(
    change: Change, run: Run, lang: str | None = None, *, plain: bool = False, where: Mapping[str, str] | None = None
) -> str:
    """ "qwen2.5 at temperature 0: 14/20 → 17/20" (``run`` is the current run)."""
    name = candidate_name(run.candidates[change.candidate], lang, plain=plain, where=where)
    name = name if plain else i18n.markdown(name)  # escaped already
    now = f"{change.now[0]}/{change.now[1]}"
    if change.before is None:
        return checks.say("evals_core.change_new", lang, plain=plain, name=name, now=now)
    before = f"{change.before[0]}/{change.before[1]}"
    return checks.say("evals_core.change_line", lang, plain=plain, name=name, before=before, now=now)


def error_text(saved: str, lang: str | None = None) -> str:
    """A failed answer's saved ``error`` as a plain sentence in ``lang``: a saved error record
    (:func:`lib.chat.history.error_record`) is worded from its key, any other text is as it was saved."""
    if not saved.startswith(_ERROR_RECORD):
        return saved
    try:
        record = json.loads(saved)
        entry = i18n.catalog().get(record["error_key"])
        if entry is None or not isinstance(record["values"], dict):
            return str(record.get("text", ""))
        return i18n.render(entry, _language(lang), record["values"], escaped=False)
    except (ValueError, KeyError, TypeError, AttributeError):
        return saved


# Figures


def _number(value: float | None, digits: int = 1) -> str:
    if value is None:
        return _NONE
    return f"{value:,.{digits}f}"


def _share(value: float | None) -> str:
    return _NONE if value is None else f"{value:.0%}"


def _when(moment: float | None) -> str:
    sane = validation.sane_time(moment)
    return _NONE if sane is None else datetime.fromtimestamp(sane, UTC).strftime("%Y-%m-%d %H:%M UTC")


# The HTML report

_STYLE = """
:root { color-scheme: light; --pass: #15803d; --fail: #b91c1c; --muted: #6b7280; --line: #e5e7eb; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "Noto Sans", "PingFang SC", "Microsoft YaHei", sans-serif;
  color: #111827; margin: 0 auto; padding: 24px; max-width: 1400px; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 19px; margin: 32px 0 8px; }
.meta, .note, footer { color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { border: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: #f9fafb; font-weight: 600; }
td.figure { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.grid { overflow-x: auto; } .grid td { min-width: 180px; } .grid th.prompt { min-width: 260px; font-weight: normal; }
.pass { background: #f0fdf4; } .fail { background: #fef2f2; } .failed { background: #fff7ed; }
.none { background: #fff; }
.mark-pass { color: var(--pass); font-weight: 600; } .mark-fail { color: var(--fail); font-weight: 600; }
pre { white-space: pre-wrap; word-break: break-word; background: #f9fafb; border: 1px solid var(--line);
  padding: 8px; margin: 6px 0; max-height: 420px; overflow: auto; font-size: 13px; }
details summary { cursor: pointer; } ul.checks { margin: 6px 0; padding-left: 18px; }
.tags span { display: inline-block; background: #eef2ff; border-radius: 4px; padding: 0 6px; margin: 2px 4px 0 0;
  font-size: 12px; }
svg { vertical-align: middle; }
"""


def html_report(run: Run, scores: list[CandidateScore], language: str, where: Mapping[str, str] | None = None) -> str:
    """The run as one self-contained HTML page in ``language`` ("en" or "zh")."""
    lang = _language(language)

    def say(key: str, **values: Any) -> str:
        return html.escape(_plain(key, lang, **values))

    names = [html.escape(candidate_name(candidate, lang, plain=True, where=where)) for candidate in run.candidates]
    title = say("evals_core.report_title", name=run.prompt_set.name or _NONE)
    answered = len(run.answers)
    total = len(run.prompt_set.prompts) * len(run.candidates)
    if run.finished_at is not None:
        status = say("evals_core.report_finished", when=_when(run.finished_at))
    else:
        status = say("evals_core.report_unfinished", done=whole_number(answered), total=whole_number(total))
    meta = [
        say("evals_core.report_prompts", n=whole_number(len(run.prompt_set.prompts))),
        say("evals_core.report_candidates", n=whole_number(len(run.candidates))),
        say("evals_core.report_started", when=_when(run.created_at)),
        status,
    ]
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-Hans" if lang == "zh" else "en"}">',
        '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title><style>{_STYLE}</style></head>",
        "<body>",
        f"<h1>{title}</h1>",
        f'<p class="meta">{" · ".join(meta)}</p>',
    ]
    if run.prompt_set.description:
        parts.append(f"<p>{html.escape(run.prompt_set.description)}</p>")
    if run.judge:
        parts.append(f'<p class="meta">{say("evals_core.report_judge", model=judge_name(run, where))}</p>')
        if run.rubric:
            parts.append(f"<details><summary>{say('evals_core.report_rubric')}</summary>")
            parts.append(f"<pre>{html.escape(run.rubric)}</pre></details>")
    parts += _candidates_table(scores, names, say)
    parts += _tags_table(scores, names, say)
    parts += _grid(run, names, lang, say, where or {})
    parts.append(f'<p class="note">{say("evals_core.report_scoring_note")}</p>')
    parts.append(f"<footer>{say('evals_core.report_footer', when=_when(datetime.now(UTC).timestamp()))}</footer>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _bar(share: float | None, colour: str, label: str, width: int = 120) -> str:
    """A horizontal bar of ``share`` (0 to 1) of ``width`` pixels: inline SVG, no script, nothing fetched."""
    filled = 0 if share is None else round(max(0.0, min(1.0, share)) * width)
    return (
        f'<svg width="{width}" height="12" role="img" aria-label="{label}">'
        f'<rect width="{width}" height="12" fill="#e5e7eb"></rect>'
        f'<rect width="{filled}" height="12" fill="{colour}"></rect></svg>'
    )


def _candidates_table(scores: list[CandidateScore], names: list[str], say: Any) -> list[str]:
    fastest = max((score.tokens_per_second_median or 0.0 for score in scores), default=0.0)
    headings = [
        say("evals_core.col_candidate"),
        say("evals_core.col_pass_rate"),
        say("evals_core.col_passed"),
        say("evals_core.col_failed"),
        say("evals_core.col_speed_median"),
        say("evals_core.col_speed_p90"),
        say("evals_core.col_ttft_median"),
        say("evals_core.col_ttft_p90"),
        say("evals_core.col_tokens"),
        say("evals_core.col_load"),
        say("evals_core.col_judge"),
    ]
    rows = [f"<h2>{say('evals_core.report_section_candidates')}</h2>", "<table><thead><tr>"]
    rows.append("".join(f"<th>{heading}</th>" for heading in headings) + "</tr></thead><tbody>")
    for score in scores:
        speed = score.tokens_per_second_median
        cells = [
            names[score.candidate] if score.candidate < len(names) else _NONE,
            f"{_bar(score.pass_rate, '#15803d', _share(score.pass_rate))} {_share(score.pass_rate)}",
            f"{score.passed}/{score.checked}",
            whole_number(score.failed),
            f"{_bar(speed / fastest if speed and fastest else None, '#2563eb', _number(speed), 80)} {_number(speed)}",
            _number(score.tokens_per_second_p90),
            _number(score.ttft_median, 2),
            _number(score.ttft_p90, 2),
            whole_number(score.total_tokens),
            _number(score.load_seconds, 2),
            _number(score.judge_mean),
        ]
        rows.append(
            "<tr>" + f"<td>{cells[0]}</td>" + "".join(f'<td class="figure">{cell}</td>' for cell in cells[1:]) + "</tr>"
        )
    rows.append("</tbody></table>")
    return rows


def _tags_table(scores: list[CandidateScore], names: list[str], say: Any) -> list[str]:
    tags = list(dict.fromkeys(tag for score in scores for tag in score.by_tag))
    if not tags:
        return []
    rows = [f"<h2>{say('evals_core.report_section_tags')}</h2>", "<table><thead><tr>"]
    rows.append(f"<th>{say('evals_core.col_tag')}</th>" + "".join(f"<th>{name}</th>" for name in names))
    rows.append("</tr></thead><tbody>")
    for tag in tags:
        cells = []
        for score in scores:
            passed, checked = score.by_tag.get(tag, (0, 0))
            share = passed / checked if checked else None
            cells.append(f'<td class="figure">{_bar(share, "#15803d", _share(share), 60)} {passed}/{checked}</td>')
        rows.append(f"<tr><td>{html.escape(tag)}</td>{''.join(cells)}</tr>")
    rows.append("</tbody></table>")
    return rows


def _grid(run: Run, names: list[str], lang: str, say: Any, where: Mapping[str, str]) -> list[str]:
    """The prompts × candidates table; a verdict names its judge with the judge's server when ``where`` names it."""

    def judge(model: str) -> str:
        return judge_name(run, where, model)

    answers = {(answer.prompt_index, answer.candidate_index): answer for answer in run.answers}
    rows = [f"<h2>{say('evals_core.report_section_answers')}</h2>", '<div class="grid"><table><thead><tr>']
    rows.append(f"<th>{say('evals_core.col_prompt')}</th>" + "".join(f"<th>{name}</th>" for name in names))
    rows.append("</tr></thead><tbody>")
    for index, prompt in enumerate(run.prompt_set.prompts):
        cells = "".join(
            _cell(answers.get((index, candidate)), prompt, lang, say, judge) for candidate in range(len(run.candidates))
        )
        rows.append(f'<tr><th class="prompt">{_prompt_cell(index, prompt, say)}</th>{cells}</tr>')
    rows.append("</tbody></table></div>")
    return rows


def _prompt_cell(index: int, prompt: Prompt, say: Any) -> str:
    parts = [f"<strong>{index + 1}.</strong> {html.escape(prompt.text)}"]
    if prompt.tags:
        tags = "".join(f"<span>{html.escape(tag)}</span>" for tag in prompt.tags)
        parts.append(f'<div class="tags">{tags}</div>')
    if prompt.system:
        system = html.escape(prompt.system)
        parts.append(f"<details><summary>{say('evals_core.cell_system')}</summary><pre>{system}</pre></details>")
    if prompt.images:
        parts.append(f'<div class="meta">{say("evals_core.cell_images", n=len(prompt.images))}</div>')
    if prompt.schema is not None:
        schema = html.escape(json.dumps(prompt.schema, ensure_ascii=False, indent=2))
        parts.append(f"<details><summary>{say('evals_core.cell_schema')}</summary><pre>{schema}</pre></details>")
    return "".join(parts)


def _cell(answer: Answer | None, prompt: Prompt, lang: str, say: Any, judge: Callable[[str], str]) -> str:
    if answer is None:
        return f'<td class="none">{say("evals_core.cell_missing")}</td>'
    if answer.status == FAILED:
        error = html.escape(error_text(answer.error, lang))
        return f'<td class="failed"><strong class="mark-fail">{say("evals_core.cell_failed")}</strong><br>{error}</td>'
    passed = sum(result.passed for result in answer.checks)
    if not answer.checks:
        css, summary = "none", say("evals_core.cell_no_checks")
    elif answer.passed:
        css, summary = "pass", f'<span class="mark-pass">✓</span> {passed}/{len(answer.checks)}'
    else:
        css, summary = "fail", f'<span class="mark-fail">✗</span> {passed}/{len(answer.checks)}'
    if answer.verdict is not None and answer.verdict.score is not None and not answer.verdict.error:
        summary += " · " + say("evals_core.cell_judge_score", score=_number(answer.verdict.score))
    body = [f"<pre>{html.escape(answer.content)}</pre>"]
    if answer.status == CUT_OFF:
        body.append(f'<div class="meta">{say("evals_core.cell_cut_off")}</div>')
    elif answer.status in (STOPPED, UNFINISHED):
        body.append(f'<div class="meta">{say("evals_core.cell_unfinished")}</div>')
    if answer.thinking:
        thinking = html.escape(answer.thinking)
        body.append(f"<details><summary>{say('evals_core.cell_thinking')}</summary><pre>{thinking}</pre></details>")
    if answer.checks:
        items = []
        for result in answer.checks:
            mark = '<span class="mark-pass">✓</span>' if result.passed else '<span class="mark-fail">✗</span>'
            reason = checks.reason_text(result, lang, plain=True)
            text = html.escape(checks.check_text(result.check, lang, plain=True))
            items.append(f"<li>{mark} {text}{' — ' + html.escape(reason) if reason else ''}</li>")
        body.append(f'<ul class="checks">{"".join(items)}</ul>')
    figures = _figures(answer, lang)
    if figures:
        body.append(f'<div class="meta">{html.escape(figures)}</div>')
    if answer.verdict is not None:
        body.append(_verdict(answer.verdict, say, judge(answer.verdict.judge_model)))
    return f'<td class="{css}"><details><summary>{summary}</summary>{"".join(body)}</details></td>'


def _figures(answer: Answer, lang: str) -> str:
    stats = answer.stats
    parts = []
    if stats is not None and stats.output_tokens is not None:
        parts.append(_plain("evals_core.stat_tokens", lang, n=whole_number(stats.output_tokens)))
    if stats is not None and stats.output_tokens_per_second is not None:
        parts.append(_plain("evals_core.stat_speed", lang, n=_number(stats.output_tokens_per_second)))
    if stats is not None and stats.time_to_first_token is not None:
        parts.append(_plain("evals_core.stat_first_token", lang, n=_number(stats.time_to_first_token, 2)))
    if stats is not None and stats.load_time:
        parts.append(_plain("evals_core.stat_load", lang, n=_number(stats.load_time, 2)))
    if answer.seconds is not None:
        parts.append(_plain("evals_core.stat_seconds", lang, n=_number(answer.seconds, 2)))
    return " · ".join(parts)


def _verdict(verdict: JudgeVerdict, say: Any, judge: str) -> str:
    if verdict.error:
        head = say("evals_core.cell_judge_failed", model=judge, error=verdict.error)
    elif verdict.score is not None:
        head = say("evals_core.cell_judge_scored", model=judge, score=_number(verdict.score))
    elif verdict.winner is not None:
        head = say("evals_core.cell_judge_winner", model=judge, n=verdict.winner + 1)
    else:
        head = say("evals_core.cell_judge_tie", model=judge)
    request = html.escape(json.dumps(verdict.request, ensure_ascii=False, indent=2))
    return (
        f'<div class="meta">{head}</div>'
        + (f"<pre>{html.escape(verdict.reasoning)}</pre>" if verdict.reasoning else "")
        + f"<details><summary>{say('evals_core.cell_judge_request')}</summary><pre>{request}</pre></details>"
    )


# CSV and JSON


CSV_COLUMNS = (
    "prompt_number",
    "prompt",
    "tags",
    "candidate_number",
    "candidate",
    "model",
    "server",
    "options",
    "status",
    "error",
    "passed",
    "checks_passed",
    "checks",
    "failed_checks",
    "content",
    "thinking",
    "output_tokens",
    "prompt_tokens",
    "tokens_per_second",
    "time_to_first_token",
    "load_time",
    "seconds",
    "judge_score",
    "judge_winner",
    "judge_reasoning",
)


def _cell_text(value: Any) -> str:
    """A CSV cell a spreadsheet shows as text (see the module's notes)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA) else text


def runs_csv(run: Run, lang: str = i18n.DEFAULT, where: Mapping[str, str] | None = None) -> str:
    """One row per saved answer (prompts in order, then candidates), English column names, sentences in ``lang``;
    ``server`` is the candidate's server's name (its address when ``where`` does not name it)."""
    lang = _language(lang)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    prompts = run.prompt_set.prompts
    for answer in sorted(run.answers, key=lambda a: (a.prompt_index, a.candidate_index)):
        prompt = prompts[answer.prompt_index] if 0 <= answer.prompt_index < len(prompts) else Prompt("")
        candidate = (
            run.candidates[answer.candidate_index]
            if 0 <= answer.candidate_index < len(run.candidates)
            else Candidate("")
        )
        stats, verdict = answer.stats, answer.verdict
        failed = [
            f"{checks.check_text(result.check, lang, plain=True)}: {checks.reason_text(result, lang, plain=True)}"
            for result in answer.checks
            if not result.passed
        ]
        row = [
            answer.prompt_index + 1,
            prompt.text,
            ";".join(prompt.tags),
            answer.candidate_index + 1,
            candidate_name(candidate, lang, plain=True, where=where),
            candidate.model,
            (where or {}).get(candidate.server, candidate.server),
            json.dumps(candidate.options, ensure_ascii=False, sort_keys=True),
            answer.status,
            error_text(answer.error, lang),
            {True: "yes", False: "no", None: ""}[answer.passed],
            sum(result.passed for result in answer.checks),
            len(answer.checks),
            "\n".join(failed),
            answer.content,
            answer.thinking,
            stats.output_tokens if stats else None,
            stats.prompt_tokens if stats else None,
            stats.output_tokens_per_second if stats else None,
            stats.time_to_first_token if stats else None,
            stats.load_time if stats else None,
            answer.seconds,
            verdict.score if verdict else None,
            None if verdict is None or verdict.winner is None else verdict.winner + 1,
            verdict.reasoning if verdict else None,
        ]
        writer.writerow([_cell_text(value) for value in row])
    return buffer.getvalue()


def run_json(run: Run, lang: str = i18n.DEFAULT, where: Mapping[str, str] | None = None) -> str:
    """The whole run for tools: the set as it ran, the candidates (each with its server's address, and
    its name when ``where`` has it), the judge (with its server's address, and name likewise), every answer with
    its codes and figures as saved, and the scores; a failed answer's error as a sentence in ``lang``."""
    lang = _language(lang)
    document = {
        "format": FORMAT,
        "version": VERSION,
        "set": {
            "name": run.prompt_set.name,
            "description": run.prompt_set.description,
            "prompts": [prompt_document(prompt) for prompt in run.prompt_set.prompts],
        },
        "candidates": [
            {
                "model": candidate.model,
                "options": candidate.options,
                "system": candidate.system,
                "think": candidate.think,
                "label": candidate.label,
                "server": candidate.server,
                **({"server_name": where[candidate.server]} if where and candidate.server in where else {}),
            }
            for candidate in run.candidates
        ],
        "judge": run.judge,
        "judge_server": run.judge_server if run.judge else "",
        **({"judge_server_name": where[run.judge_server]} if run.judge and where and run.judge_server in where else {}),
        "rubric": run.rubric,
        "created_at": validation.sane_time(run.created_at),
        "finished_at": validation.sane_time(run.finished_at),
        "answers": [_answer_document(answer, lang) for answer in run.answers],
        "scores": [asdict(score) for score in scoring.scores(run)],
    }
    return json.dumps(document, ensure_ascii=False, indent=2, default=str)


def _answer_document(answer: Answer, lang: str) -> dict[str, Any]:
    document: dict[str, Any] = {
        "prompt": answer.prompt_index,
        "candidate": answer.candidate_index,
        "status": answer.status,
        "content": answer.content,
    }
    if answer.thinking:
        document["thinking"] = answer.thinking
    if answer.error:
        document["error"] = error_text(answer.error, lang)
    if answer.stats is not None:
        document["stats"] = answer.stats.to_dict()
    if answer.seconds is not None:
        document["seconds"] = answer.seconds
    document["passed"] = answer.passed
    document["checks"] = [
        {
            "kind": result.check.kind,
            "value": result.check.value,
            "passed": result.passed,
            "reason": result.reason,
            "detail": result.detail,
        }
        for result in answer.checks
    ]
    if answer.verdict is not None:
        document["verdict"] = asdict(answer.verdict)
    return document
