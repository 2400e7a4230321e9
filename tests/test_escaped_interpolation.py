"""The rule that keeps hostile names from being read as Markdown, checked on the code (issue 17, finding 5).

Streamlit reads Markdown in most of what it draws: ``st.markdown`` and captions, alerts, toasts,
headings, progress and spinner texts, metric labels and values, and the label and help of every
widget, expander, tab and popover. A value put into such a text must be escaped where it is
interpolated, so the rule is:

1. a sentence with values comes from ``t("area.key", name=value)``, which escapes them;
2. text glued together by the code itself (an f-string or ``+``) may only glue literals and what
   already is safe Markdown: ``t()``, ``escape()``, ``markdown()`` (code-built markup),
   ``code()``, the error and figure helpers that word with ``t()``, or a number formatted with a
   format spec (``{share:.0%}``);
3. a field the server fills (``.model``, ``.name``, ``.title``, ``.status``, ``.version``, the
   server's own message) is never handed to such a call as it is.

This test reads every module of ``lib/`` and lists each call that breaks 2 or 3. It cannot follow a
value through variables (``st.caption(line)`` is trusted to hold Markdown built by the rules),
which :mod:`tests.test_hostile_names` covers by drawing every page with hostile names.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted((ROOT / "lib").rglob("*.py"))

# Streamlit calls that draw their first argument as Markdown (the caption of a progress bar is its `text`).
MARKDOWN_FIRST = frozenset(
    {
        "markdown",
        "caption",
        "title",
        "header",
        "subheader",
        "error",
        "warning",
        "info",
        "success",
        "toast",
        "write",
        "spinner",
        "status",
        "expander",
        "popover",
        "button",
        "download_button",
        "link_button",
        "form_submit_button",
        "checkbox",
        "toggle",
        "radio",
        "selectbox",
        "multiselect",
        "segmented_control",
        "pills",
        "text_input",
        "text_area",
        "number_input",
        "slider",
        "select_slider",
        "file_uploader",
        "metric",
        "dialog",
    }
)
MARKDOWN_KEYWORDS = frozenset({"label", "help", "body", "text"})
# Helpers that return Markdown made safe (escaped values, or figures worded by t()).
SAFE_CALLS = frozenset(
    {
        "t",
        "escape",
        "escape_markdown",
        "markdown",
        "message_of",
        "code",
        "error_text",
        "saved_error_text",
        "human_seconds",
        "human_size",
        "whole_number",
        "rate_text",
        "figure_label",
        "step_label",
        "date_time",
        "time_until",
    }
)
# Fields whose text a server, a file or a person chose.
OUTSIDE_FIELDS = frozenset({"model", "name", "title", "status", "version", "server_message", "digest"})


def _called(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def _is_safe(node: ast.expr) -> bool:
    """Whether ``node``, put into Markdown, is a literal or Markdown made safe."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Call):
        return _called(node.func) in SAFE_CALLS
    if isinstance(node, ast.IfExp):
        return _is_safe(node.body) and _is_safe(node.orelse)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _is_safe(node.left) and _is_safe(node.right)
    if isinstance(node, ast.JoinedStr):
        return all(_is_safe_part(part) for part in node.values)
    return False


def _is_safe_part(part: ast.expr) -> bool:
    if isinstance(part, ast.FormattedValue):
        return part.format_spec is not None or _is_safe(part.value)
    return _is_safe(part)


def _markdown_arguments(call: ast.Call) -> Iterator[ast.expr]:
    """The arguments Streamlit draws as Markdown, of a call on ``st`` or a container (``slot.caption(...)``)."""
    if not isinstance(call.func, ast.Attribute):
        return  # a function of ours, such as i18n's markdown(), not Streamlit's
    name = call.func.attr
    if name in MARKDOWN_FIRST and call.args:
        yield call.args[0]
    if name == "tabs" and call.args and isinstance(call.args[0], (ast.List, ast.Tuple)):
        yield from call.args[0].elts
    if name in ("progress", "metric") and len(call.args) > 1:
        yield call.args[1]
    keywords = MARKDOWN_KEYWORDS | {"value", "delta"} if name == "metric" else MARKDOWN_KEYWORDS
    if name in MARKDOWN_FIRST or name in ("progress", "update", "page_link"):
        yield from (keyword.value for keyword in call.keywords if keyword.arg in keywords)


def findings(source: str, where: str) -> Iterator[str]:
    """Each call in ``source`` that glues an unescaped value into Markdown, or draws a server's field as it is."""
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        for argument in _markdown_arguments(node):
            glued = isinstance(argument, ast.JoinedStr) or (
                isinstance(argument, ast.BinOp) and isinstance(argument.op, ast.Add)
            )
            if glued and not _is_safe(argument):
                yield f"{where}:{argument.lineno}: {ast.unparse(argument)} glues in a value that is not escaped"
            if isinstance(argument, ast.Attribute) and argument.attr in OUTSIDE_FIELDS:
                yield f"{where}:{argument.lineno}: {ast.unparse(argument)} is drawn as Markdown unescaped"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_values_drawn_as_markdown_are_escaped_where_they_are_interpolated(path):
    assert list(findings(path.read_text(), path.relative_to(ROOT).as_posix())) == []


@pytest.mark.parametrize(
    ("code", "found"),
    [
        ('st.markdown(f"**{result.model}**")', True),
        ('st.markdown(f"**{escape(result.model)}**")', False),
        ('st.caption("Sending to " + request.model)', True),
        ('st.caption(":material/x: " + t("chat.waiting", model=model))', False),
        ('st.progress(0.5, text=f"{fraction:.0%} · {status}")', True),
        ('st.progress(0.5, text=f"{fraction:.0%} · {step_label(status)}")', False),
        ("st.subheader(conversation.model)", True),
        ("st.subheader(escape(conversation.model))", False),
        ("st.tabs([record.title, t('a.b')])", True),
        ('st.button(f"Unload {name}", help=t("x.y"))', True),
        ('status.update(label=f"Created {name}")', True),
        ("st.text(f'{model}')", False),  # st.text shows text as it is
        ("columns[0].metric(t('a.b'), sizes.name)", True),
        ("st.text_input(t('a.b'), value=conversation.title)", False),  # a widget's value is plain text
        ('markdown("\\n".join(f"- {p}" for p in problems))', False),  # i18n.markdown marks code-built markup
    ],
)
def test_the_rule_itself(code, found):
    assert bool(list(findings(code, "example"))) is found
