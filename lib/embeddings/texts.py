"""Turning what the user typed, edited or uploaded into a list of texts with optional labels.

No widgets here: the page hands over strings, bytes and data frames, and gets back
:class:`TextItem` lists plus readable :class:`InputProblem` messages (in the session's language).
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass

import pandas as pd

from lib.i18n import t

MAX_TEXTS = 5000
"""More texts than this are cut off (with a message): the page stays responsive up to here."""

TEXT_COLUMN = "Text"
LABEL_COLUMN = "Label"
_CHINESE = re.compile(r"[\u4e00-\u9fff]")
_LIKELY_TEXT_NAMES = ("text", "sentence", "content", "document", "body", "passage", "question", "title")


class InputProblem(ValueError):
    """An upload or input that cannot be read; ``str()`` is a sentence for the user."""


@dataclass(frozen=True)
class TextItem:
    text: str
    label: str = ""


@dataclass(frozen=True)
class Collected:
    """The texts to embed, and how many were left out (blank rows, or over the limit)."""

    items: list[TextItem]
    blank: int = 0
    over_limit: int = 0


def _collect(pairs: list[tuple[str, str]]) -> Collected:
    items = [TextItem(text.strip(), label.strip()) for text, label in pairs if text.strip()]
    blank = len(pairs) - len(items)
    return Collected(items[:MAX_TEXTS], blank, max(0, len(items) - MAX_TEXTS))


def from_lines(text: str) -> Collected:
    """One text per non-blank line."""
    return _collect([(line, "") for line in text.splitlines()])


def table_from_lines(text: str) -> pd.DataFrame:
    """A label/text table holding the lines, so typed texts can be given labels in the table."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return pd.DataFrame({LABEL_COLUMN: [""] * len(lines), TEXT_COLUMN: lines}, dtype="str")


def from_table(table: pd.DataFrame) -> Collected:
    """Rows of a label/text table; rows without text are skipped, missing labels are empty."""
    if table is None or TEXT_COLUMN not in table:
        return Collected([])
    labels = table[LABEL_COLUMN] if LABEL_COLUMN in table else pd.Series([""] * len(table), index=table.index)
    return _collect([(_cell(text), _cell(label)) for text, label in zip(table[TEXT_COLUMN], labels, strict=True)])


def _cell(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def read_upload(name: str, text: str) -> pd.DataFrame:
    """A ``.txt`` file as one column named "text" in the session's language (a row per non-blank
    line), a ``.csv`` file as its columns; ``text`` is the file decoded (:func:`lib.embeddings.encoding.decode`)."""
    if name.lower().endswith(".csv"):
        try:
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=True)
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
            raise InputProblem(t("embeddings.csv_unreadable", name=name, reason=_first_line(error))) from None
        if frame.empty or not len(frame.columns):
            raise InputProblem(t("embeddings.csv_no_rows", name=name))
        frame.columns = [str(column) for column in frame.columns]
        return frame
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise InputProblem(t("embeddings.txt_empty", name=name))
    return pd.DataFrame({t("embeddings.txt_column"): lines}, dtype=str)


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def likely_text_column(frame: pd.DataFrame) -> str:
    """The column most likely to hold the texts: a well-known name, else the longest on average."""
    columns = list(frame.columns)
    for wanted in _LIKELY_TEXT_NAMES:
        for column in columns:
            if column.strip().lower() == wanted:
                return column
    lengths = {column: frame[column].astype(str).str.len().mean() for column in columns}
    return max(columns, key=lambda column: (lengths[column], -columns.index(column)))


def from_columns(frame: pd.DataFrame, text_column: str, label_column: str | None = None) -> Collected:
    texts = frame[text_column].astype(str).tolist()
    labels = frame[label_column].astype(str).tolist() if label_column else [""] * len(texts)
    return _collect(list(zip(texts, labels, strict=True)))


def has_chinese(items: list[TextItem]) -> bool:
    return any(_CHINESE.search(item.text) for item in items)


def _columns(character: str) -> int:
    """Screen columns a character takes: two for wide (CJK) characters, one otherwise."""
    return 2 if unicodedata.east_asian_width(character) in ("W", "F") else 1


def shorten(text: str, width: int) -> str:
    """One line of at most ``width`` columns (a Chinese character takes two), with an ellipsis when cut."""
    flat = " ".join(text.split())
    if sum(map(_columns, flat)) <= width:
        return flat
    kept, used = [], 0
    for character in flat:
        used += _columns(character)
        if used > width - 1:
            break
        kept.append(character)
    return "".join(kept).rstrip() + "…"


def axis_labels(items: list[TextItem], width: int = 28) -> list[str]:
    """Short, unique labels for chart axes: the number, then the label or the start of the text."""
    return [f"{number} · {shorten(item.label or item.text, width)}" for number, item in enumerate(items, start=1)]
