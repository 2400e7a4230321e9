"""Every text a script sends to the browser, sorted into what Streamlit draws as Markdown and what it
shows as it is, and a check that hostile names come out literally in both.

The server chooses model names and status lines; a hostile one (or a proxy in front of one) sends
``**bold**`` or ``x](http://tracker/a.png)![``, which the fake serves with
:meth:`~tests.fake_ollama.FakeOllama.install_as`. :func:`record_sent` keeps every message a script
run sends, transient ones included (a "waiting for the model" caption replaced a moment later), and
:func:`problems` lists every place where such a name could be read as Markdown, or shows escaping
backslashes where Streamlit does not read Markdown.

Where Streamlit reads Markdown (its documentation says so for each parameter): Markdown bodies and
captions, alerts, toasts, headings, progress and spinner texts, metric labels and values, widget
labels, help tooltips, radio and button-group options, expander, status, tab and popover labels.
Where it does not: ``st.text``, ``st.code``, ``st.json``, placeholders, select box options, widget
values, and table cells.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pytest
from google.protobuf.message import Message
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.scriptrunner_utils.script_run_context import ScriptRunContext

from lib.i18n import escape

# Each carries a marker (zq + a letter) that appears nowhere else, so any text mentioning it can be checked.
LINK_NAME = "zqa](http://tracker.invalid/a.png)![x"
BOLD_NAME = "**zqb**"
MIXED_NAME = "zqc $x$ `c` <b>b</b> _i_ ~s~ [l](http://tracker.invalid/l) :red[r]"
HOSTILE_NAMES = (LINK_NAME, BOLD_NAME, MIXED_NAME)
HOSTILE_STATUS = "![zqs](http://tracker.invalid/s.png) **zqs** :material/home:"
_MARKER = re.compile(r"zq[a-z]")
_ESCAPED = re.compile(r"\\[\\`*_\[\]<>$~|#]")  # what escape() writes; JSON's own escapes (\n, \") differ

# (element, field) pairs Streamlit shows as they are, besides the fields below; html is our own markup.
_PLAIN_ELEMENTS = frozenset({"text", "code", "json"})
_SKIPPED_ELEMENTS = frozenset({"html", "bidi_component", "component_instance"})
_MARKDOWN_FIELDS = frozenset({"body", "label", "help", "text", "delta", "captions", "title", "content"})
_MARKDOWN_OPTIONS = frozenset({"radio"})  # select box and multiselect options are plain text


@dataclass(frozen=True)
class Shown:
    """One text the browser received: the element (or block) type, the field, and whether it is Markdown."""

    element: str
    field: str
    text: str
    markdown: bool

    def __str__(self) -> str:
        return f"{self.element}.{self.field} ({'Markdown' if self.markdown else 'plain'}): {self.text!r}"


def as_read(markdown: str) -> str:
    """Markdown as a person reads it, for simple sentences: backslash escapes removed."""
    return re.sub(r"\\(.)", r"\1", markdown)


def record_sent(monkeypatch: pytest.MonkeyPatch) -> list[ForwardMsg]:
    """From now on, a copy of every message any script run of this process sends (AppTest runs in it)."""
    sent: list[ForwardMsg] = []
    original = ScriptRunContext.enqueue

    def enqueue(self: ScriptRunContext, msg: ForwardMsg) -> None:
        kept = ForwardMsg()
        kept.CopyFrom(msg)
        sent.append(kept)
        original(self, msg)

    monkeypatch.setattr(ScriptRunContext, "enqueue", enqueue)
    return sent


def shown_texts(messages: Iterable[ForwardMsg]) -> Iterator[Shown]:
    """Every text of every element and block in ``messages``, table cells included."""
    for msg in messages:
        if msg.WhichOneof("type") != "delta":
            continue
        delta = msg.delta
        kind = delta.WhichOneof("type")
        if kind == "new_element":
            element = delta.new_element.WhichOneof("type")
            if element and element not in _SKIPPED_ELEMENTS:
                yield from _texts(element, getattr(delta.new_element, element), "")
        elif kind == "add_block":
            block = delta.add_block.WhichOneof("type")
            if block:
                yield from _texts(block, getattr(delta.add_block, block), "")


def _texts(element: str, proto: Message, path: str) -> Iterator[Shown]:
    for field, value in proto.ListFields():
        values = list(value) if field.is_repeated else [value]
        name = f"{path}{field.name}"
        if field.type == field.TYPE_STRING:
            markdown = element not in _PLAIN_ELEMENTS and (
                field.name in _MARKDOWN_FIELDS or (field.name == "options" and element in _MARKDOWN_OPTIONS)
            )
            yield from (Shown(element, name, text, markdown) for text in values)
        elif field.type == field.TYPE_BYTES and field.name in ("data", "display_values"):
            yield from (Shown(element, name, cell, False) for data in values for cell in _arrow_texts(data))
        elif field.type == field.TYPE_MESSAGE:
            for item in values:
                yield from _texts(element, item, f"{name}.")


def _arrow_texts(data: bytes) -> Iterator[str]:
    """Column names and string cells of a table sent as Arrow."""
    try:
        table = pa.ipc.open_stream(pa.py_buffer(data)).read_all()
    except pa.ArrowInvalid:
        return
    yield from (str(name) for name in table.column_names)
    for column in table.columns:
        yield from _strings(column.to_pylist())


def _strings(values: list[Any]) -> Iterator[str]:
    for value in values:
        if isinstance(value, str):
            yield value
        elif isinstance(value, list):
            yield from _strings(value)


def problems(shown: Iterable[Shown], hostile: Iterable[str] = (*HOSTILE_NAMES, HOSTILE_STATUS)) -> list[str]:
    """Each text that draws a hostile name as Markdown, or shows escaping backslashes as plain text."""
    found = []
    for item in shown:
        for name in hostile:
            marker = _MARKER.search(name)
            assert marker is not None, name
            if marker[0] not in item.text:
                continue
            if item.markdown and marker[0] in _without_inert(item.text, name):
                found.append(f"{name!r} is read as Markdown in {item}")
            elif not item.markdown and _ESCAPED.search(item.text):
                found.append(f"{name!r} shows escapes in {item}")
    return found


def markers(shown: Iterable[Shown], *, markdown: bool) -> set[str]:
    """The markers found in Markdown (or plain) texts: proof that a check looked where it meant to."""
    return {marker for item in shown if item.markdown == markdown for marker in _MARKER.findall(item.text)}


def _without_inert(text: str, name: str) -> str:
    """``text`` without the places that show ``name`` literally: escaped, or the whole of a code span."""
    for form in {escape(name), escape(name, line_start=False)}:
        text = text.replace(form, "")
    for start, end, content in reversed(list(code_spans(text))):
        if name in content:
            text = text[:start] + text[end:]
    return text


def code_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """CommonMark code spans (start, end, content) outside backslash escapes, left to right."""
    index = 0
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text[index] != "`":
            index += 1
            continue
        run = len(text[index:]) - len(text[index:].lstrip("`"))
        closer = next(
            (found for found in re.finditer(r"`+", text[index + run :]) if len(found[0]) == run),
            None,
        )
        if closer is None:
            index += run
            continue
        end = index + run + closer.end()
        content = text[index + run : index + run + closer.start()]
        yield index, end, content.strip(" ") if content.strip(" ") else content
        index = end
