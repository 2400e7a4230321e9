"""The chat's tools and answer format on screen: a switch per built-in tool, the editor of the user's own
tools, and the format (free text, JSON, a JSON schema edited and checked as on Generate).

Drawn by :mod:`lib.chat.settings_panel`; the values are kept under this module's keys and put back from
a saved conversation once, when it is opened.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import streamlit as st

from lib import state
from lib.chat.history import Conversation, Format
from lib.generate import schema
from lib.generate.form import JSON, PLAIN, SCHEMA
from lib.i18n import Markdown, t
from lib.tools import custom
from lib.tools.choice import BUILT_IN, ToolChoice
from lib.ui import format_control


@dataclass(frozen=True)
class Chosen:
    tools: ToolChoice
    format: Format


def load(conversation: Conversation | None) -> None:
    """Put a saved conversation's tools and format into the widgets, once; a new chat keeps what is set."""
    if conversation is None or state.get(state.CHAT_TOOLS_LOADED) == conversation.id:
        return
    for name in BUILT_IN:
        st.session_state[f"{state.CHAT_TOOL_INPUT}_{name}"] = name in conversation.tools.enabled
    st.session_state[state.CHAT_CUSTOM_TOOLS_INPUT] = custom.text_of(conversation.tools.custom)
    if isinstance(conversation.format, dict):
        st.session_state[state.CHAT_FORMAT_INPUT] = SCHEMA
        st.session_state[state.CHAT_SCHEMA_INPUT] = json.dumps(conversation.format, indent=2, ensure_ascii=False)
    else:
        st.session_state[state.CHAT_FORMAT_INPUT] = JSON if conversation.format == JSON else PLAIN
    state.put(state.CHAT_TOOLS_LOADED, conversation.id)


def draw(model: str, capabilities: frozenset[str], conversation: Conversation | None) -> Chosen | None:
    """The panel, folded away; the chat's choice, or None (after saying so) while a declaration or schema is wrong."""
    load(conversation)
    declared: tuple[dict[str, Any], ...] = ()
    problem: Markdown | None = None
    with st.expander(t("tools.panel"), icon=":material/build:"):
        st.caption(t("tools.tools"))
        if capabilities and "tools" not in capabilities:
            st.caption(f":material/info: {t('tools.cannot_call', model=model)}")
        row = st.container(horizontal=True, gap="medium")
        labels = _labels()
        enabled = tuple(
            name
            for name in BUILT_IN
            if row.toggle(labels[name][0], key=f"{state.CHAT_TOOL_INPUT}_{name}", help=labels[name][1])
        )
        if state.CHAT_CUSTOM_TOOLS_INPUT not in st.session_state:
            st.session_state[state.CHAT_CUSTOM_TOOLS_INPUT] = ""
        st.button(t("tools.custom_example"), key="chat_custom_tools_example", type="tertiary", on_click=_example)
        text = st.text_area(
            t("tools.custom"), key=state.CHAT_CUSTOM_TOOLS_INPUT, height=160, help=t("tools.custom_help")
        )
        try:
            declared = custom.parse(text or "", taken=BUILT_IN)
        except custom.Invalid as invalid:
            problem = say(invalid)
            st.error(problem, icon=":material/data_object:")
        else:
            if declared:
                names = ", ".join(custom.name_of(declaration) for declaration in declared)
                st.caption(f":material/check_circle: {t('tools.custom_declared', n=len(declared), names=names)}")
        chosen_format = format_control.draw(state.CHAT_FORMAT_INPUT, state.CHAT_SCHEMA_INPUT)
    if problem is not None:
        st.warning(t("tools.fix_custom"), icon=":material/build:")
        return None
    if chosen_format is None:
        st.warning(t("tools.fix_schema"), icon=":material/data_object:")
        return None
    return Chosen(ToolChoice(enabled, declared), chosen_format.request_value())


def _labels() -> dict[str, tuple[Markdown, Markdown]]:
    """Each built-in tool's switch label and help, in the session's language."""
    return {
        "calculator": (t("tools.calculator"), t("tools.calculator_help")),
        "current_time": (t("tools.current_time"), t("tools.current_time_help")),
        "convert_units": (t("tools.convert_units"), t("tools.convert_units_help")),
        "search_documents": (t("tools.search_documents"), t("tools.search_documents_help")),
    }


def _example() -> None:
    st.session_state[state.CHAT_CUSTOM_TOOLS_INPUT] = custom.EXAMPLE


def say(invalid: custom.Invalid) -> Markdown:
    """A declaration's problem as a sentence, naming the tool it is in."""
    values = {name: schema.say(v) if isinstance(v, schema.Problem) else v for name, v in invalid.values.items()}
    what = t(invalid.key, **values)
    return t("tools.custom_where", number=invalid.tool, what=what) if invalid.tool else what
