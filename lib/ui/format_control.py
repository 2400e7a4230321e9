"""The output format control (free text, JSON, or a JSON schema) and an answer shown checked against it.

Shared by the pages that ask for structured output beside Generate (Chat's compare columns first); the
schema is read and answers are checked by :mod:`lib.generate.schema`, as on Generate, so a schema typed
here is refused or accepted with the same sentences, and patterns and references are as safe.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from lib.generate.form import EXAMPLE_SCHEMA, JSON, PLAIN, SCHEMA, format_label
from lib.generate.schema import InvalidSchema, check_output, parse_schema, say
from lib.i18n import markdown, t


@dataclass(frozen=True)
class OutputFormat:
    """What the answers should be: :data:`PLAIN` text, any :data:`JSON`, or JSON matching ``schema``."""

    kind: str = PLAIN
    schema: dict[str, Any] | None = None

    @property
    def structured(self) -> bool:
        return self.kind in (JSON, SCHEMA)

    @classmethod
    def of(cls, value: Any) -> OutputFormat:
        """The format a request's ``format`` field asked for: a schema object, ``"json"``, or free text."""
        if isinstance(value, dict):
            return cls(SCHEMA, value)
        return cls(JSON) if value == JSON else cls()

    def request_value(self) -> str | dict[str, Any] | None:
        """The request's ``format`` field: none for free text, ``"json"``, or the schema object."""
        if self.kind == SCHEMA:
            return self.schema
        return "json" if self.kind == JSON else None


def draw(format_key: str, schema_key: str, *, where: Any = st) -> OutputFormat | None:
    """The choice and, for a schema, its editor checked as typed; None (after saying where) while it has a mistake."""
    st.session_state.setdefault(format_key, PLAIN)  # not default=: a saved chat may have set the key already
    kind = where.segmented_control(
        t("generate.output_format"),
        [PLAIN, JSON, SCHEMA],
        format_func=format_label,
        key=format_key,
        required=True,
        help=t("generate.output_format_help"),
    )
    if kind != SCHEMA:
        return OutputFormat(kind or PLAIN)
    st.session_state.setdefault(schema_key, EXAMPLE_SCHEMA)
    text = where.text_area(t("generate.schema"), key=schema_key, height=200, help=t("generate.schema_help"))
    try:
        return OutputFormat(SCHEMA, parse_schema(text))
    except InvalidSchema as error:
        where.error(say(error.problem), icon=":material/data_object:")
        return None


def show_answer(text: str, chosen: OutputFormat, *, complete: bool) -> None:
    """A JSON answer pretty-printed, with whether it is JSON and, for a schema, where it breaks it.

    Model output is untrusted: it goes into code blocks and the problems are worded by the app.
    ``complete``: the answer ended by itself (a stopped one is said to be unfinished, not wrong).
    The single chat and every compare column show answers this way.
    """
    check = check_output(text, chosen.schema if chosen.kind == SCHEMA else None)
    if not check.is_json:
        problem = check.problems[0] if complete else t("generate.json_unfinished", problem=check.problems[0])
        st.warning(problem, icon=":material/data_object:")
        st.code(text, language=None, wrap_lines=True)
        return
    st.code(check.pretty, language="json", wrap_lines=True)
    if check.not_checked:
        st.warning(check.not_checked, icon=":material/rule:")
    elif chosen.kind == SCHEMA and check.problems:
        st.error(
            markdown(t("generate.schema_mismatch") + "\n" + "\n".join(f"- {problem}" for problem in check.problems)),
            icon=":material/cancel:",
        )
    elif chosen.kind == SCHEMA:
        st.success(t("generate.schema_match"), icon=":material/check_circle:")
