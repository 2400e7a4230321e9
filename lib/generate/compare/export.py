"""A comparison as a file: the prompt, each column's settings, answer and figures, as Markdown or JSON.

Both name every model (a blind comparison is exported only once revealed, see the page).
Columns come in the order they were shown. The JSON holds the exact request bodies and the
server's own figures (nanoseconds) next to the readable ones.

The Markdown is for people and is written in the session's language. The JSON is for tools:
its keys, the ``status`` codes and the figure names stay English whatever the language; only
the texts that repeat what the screen showed (column labels, settings, error messages) are in
the session's language.
"""

from __future__ import annotations

import json
import re
from typing import Any

from lib.formatting import date_time
from lib.generate.compare import stats as compare_stats
from lib.generate.compare.record import CompareRecord
from lib.generate.record import status_text
from lib.i18n import escape, t
from lib.ui.errors import error_plain, error_text
from lib.ui.markdown_safety import keep_line_breaks
from lib.ui.stats import stat_rows


def to_dict(record: CompareRecord) -> dict[str, Any]:
    timings = record.timings()
    waited = compare_stats.queued_behind(timings)
    return {
        "comparison": record.number,
        "when": record.when.isoformat(timespec="seconds"),
        "prompt": record.form.prompt,
        "system": record.form.system or None,
        "shared_seed": record.form.shared_seed,
        "blind": record.form.blind,
        "wall_time_seconds": compare_stats.wall_time(timings),
        "queued": bool(waited),
        "columns": [_column(record, column, waited) for column in record.order],
    }


def to_json(record: CompareRecord) -> str:
    return json.dumps(to_dict(record), indent=2, ensure_ascii=False)


def to_markdown(record: CompareRecord) -> str:
    form = record.form
    labels = [record.label(column, reveal=True) for column in range(len(record.bodies))]
    lines = [
        t("compare.md_title", number=record.number),
        "",
        date_time(record.when),
        "",
        f"## {t('generate.prompt')}",
        "",
        _fenced(form.prompt),
        "",
    ]
    if form.system:
        lines += [f"## {t('generate.system')}", "", _fenced(form.system), ""]
    if form.shared_seed is not None:
        lines += [t("compare.md_shared_seed", seed=form.shared_seed), ""]
    lines += [
        f"## {t('compare.summary')}",
        "",
        *_summary_table(record, labels),
        "",
        compare_stats.wall_time_sentence(record.timings(), labels),
        "",
    ]
    for column in record.order:
        result = record.results[column]
        lines += [
            f"## {escape(labels[column])}",
            "",
            t("compare.md_model", model=form.columns[column].model) + "  ",
            *([t("compare.md_server", server=record.server_name(column)) + "  "] if record.server_name(column) else []),
            t("compare.md_settings", settings=record.settings(column)) + "  ",
            t("compare.md_status", status=status_text(result)),
            "",
        ]
        if result.error is not None:
            lines += [t("compare.md_error", error=error_text(result.error)), ""]
        if result.thinking:
            lines += [f"### {t('generate.thinking')}", "", _fenced(result.thinking), ""]
        lines += [f"### {t('generate.answer')}", "", keep_line_breaks(result.content) or t("compare.md_no_answer"), ""]
    return "\n".join(lines).rstrip() + "\n"


def _column(record: CompareRecord, column: int, waited: dict[int, int]) -> dict[str, Any]:
    result = record.results[column]
    stats = result.stats()
    return {
        "label": record.label(column, reveal=True),
        "model": record.form.columns[column].model,
        "server": record.form.columns[column].server or None,
        "server_name": record.server_name(column) or None,
        "settings": record.settings(column),
        "request": record.bodies[column],
        "status": result.status,
        "error": None if result.error is None else error_plain(result.error),
        "thinking": result.thinking or None,
        "answer": result.content,
        "stats": None if stats is None else compare_stats.figures(stats),
        "time_to_first_token_measured": result.first_token,
        "ended_after_seconds": result.ended_after,
        "waited_for": record.label(waited[column], reveal=True) if column in waited else None,
        "server_figures": {
            key: value for key, value in (result.final or {}).items() if key.endswith(("_duration", "_count"))
        }
        or None,
    }


def _summary_table(record: CompareRecord, labels: list[str]) -> list[str]:
    measured = {column: record.results[column].stats() for column in record.order}
    names = next(([row.label for row in stat_rows(stats)] for stats in measured.values() if stats), [])
    heading = [t("compare.table_column"), t("compare.table_status"), *names]
    lines = ["| " + " | ".join(heading) + " |", "|" + " --- |" * len(heading)]
    for column, stats in measured.items():
        values = [row.value for row in stat_rows(stats)] if stats else ["—"] * len(names)
        status = status_text(record.results[column])
        lines.append(f"| {escape(labels[column])} | {status} | " + " | ".join(values) + " |")
    return lines


def _fenced(text: str) -> str:
    """``text`` in a code fence longer than any backtick run inside it."""
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{text}\n{fence}"
