"""An answer's tool rounds on screen: each call folded in its own expander, with a clear icon (the tool's
own, a keyboard while it waits for the user, an error sign when refused), its arguments and its result.

The tool's name, the arguments and the results come from the model or the user: the name goes into
the label through :func:`lib.i18n.t` (escaped), arguments and results into code blocks, and what the
model wrote with its calls through :mod:`lib.ui.live_markdown`.
"""

from __future__ import annotations

import json

import streamlit as st

from lib.i18n import catalog, t, t_plain
from lib.tools import registry
from lib.tools.steps import MAX_ROUNDS, Round, Step
from lib.ui.live_markdown import render_markdown

NOT_RUN_ICON = ":material/block:"


def draw_round(each: Round) -> None:
    """A saved round: the thinking and text that came with its calls, then the calls."""
    if each.thinking:
        with st.expander(t("chat.thinking"), icon=":material/psychology:"):
            render_markdown(each.thinking)
    if each.content:
        render_markdown(each.content)
    for step in each.steps:
        draw_step(step, not_run=each.not_run)
    if each.not_run:
        limit_reached()


# A built-in tool's name on screen, in the session's language; the user's own tools go by their own name.
_TITLES = {
    "calculator": "tools.calculator",
    "current_time": "tools.current_time",
    "convert_units": "tools.convert_units",
    "search_documents": "tools.search_documents",
}
SHOWN_RESULT = 60  # characters of a result in a step's title


def title(step: Step) -> str:
    key = _TITLES.get(step.name)
    return t_plain(key) if key is not None else step.name


def one_line(text: str, limit: int = SHOWN_RESULT) -> str:
    """A result as a title shows it: on one line, shortened."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def draw_step(step: Step, *, not_run: bool = False) -> None:
    name = title(step)
    if not_run:
        label, icon = t("tools.step_not_run", name=name), NOT_RUN_ICON
    elif step.refusal is not None:
        label, icon = t("tools.step_refused", name=name), registry.icon(step)
    elif step.waiting:
        label, icon = t("tools.step_waiting", name=name), registry.icon(step)
    else:
        label, icon = t("tools.step", name=name, result=one_line(step.result or "")), registry.icon(step)
    with st.expander(label, icon=icon):
        st.caption(t("tools.arguments"))
        st.code(json.dumps(step.arguments, indent=2, ensure_ascii=False, default=str), language="json")
        if not_run:
            return
        if step.refusal is not None and step.refusal.key in catalog():
            st.error(t(step.refusal.key, **step.refusal.values), icon=":material/error:")
        elif step.refusal is not None:  # a saved refusal of a key this version no longer has: its sentence as sent
            st.code(step.result or "", language=None, wrap_lines=True)
        elif step.waiting:
            st.caption(t("tools.waiting_for_you"))
        else:
            st.caption(t("tools.result"))
            st.code(step.result or "", language=None, wrap_lines=True)


def limit_reached() -> None:
    st.warning(t("tools.round_limit", limit=MAX_ROUNDS), icon=":material/repeat:")
