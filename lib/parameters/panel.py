"""The parameters panel shared by the Chat and Generate pages.

Every field starts empty, meaning "the model's own default", so only what the user changes is
sent. Values are also kept under one session-state key per page, because Streamlit forgets a
widget's value when the user visits a page that does not draw it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from lib import state
from lib.i18n import message_of, t
from lib.parameters.catalog import OPTION_SPECS, build_options, keep_alive_help, parse_keep_alive, stop_help
from lib.presets import picker


@dataclass(frozen=True)
class ChosenOptions:
    options: dict[str, Any]
    keep_alive: str | int | None
    error: str | None = None


_NAMES = (*(spec.name for spec in OPTION_SPECS), "stop", "keep_alive")
_EMPTY = {"stop": "", "keep_alive": ""}


def load(prefix: str, options: dict[str, Any], keep_alive: str | int | None = None) -> None:
    """Put saved values (e.g. a conversation's) into the panel; call before :func:`render` draws."""
    values: dict[str, Any] = {spec.name: _number_or_none(options.get(spec.name), spec.kind) for spec in OPTION_SPECS}
    values["stop"] = "\n".join(options.get("stop") or [])
    values["keep_alive"] = "" if keep_alive is None else str(keep_alive)
    state.put(state.options_key(prefix), values)
    for name, value in values.items():
        st.session_state[_widget_key(prefix, name)] = value
    picker.forget(prefix)


def _number_or_none(value: Any, kind: type) -> int | float | None:
    """A saved value as the number field takes it; anything else (an imported file's ``"hot"``) is left empty."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return kind(value)


def render(prefix: str, *, keep_alive: bool = True) -> ChosenOptions:
    """Draw the panel in the current container, a preset picker at its top, and return what is set.

    ``keep_alive=False`` leaves out "Keep loaded" for a page that decides itself how long models stay
    loaded (an eval run loads each model once and lets Ollama unload it when the next needs room).
    """
    saved: dict[str, Any] = state.get(state.options_key(prefix)) or {}
    for name in _NAMES:
        st.session_state.setdefault(_widget_key(prefix, name), saved.get(name, _EMPTY.get(name)))
    picker.draw(
        prefix, _NAMES if keep_alive else _NAMES[:-1], lambda name: _widget_key(prefix, name), keep_alive=keep_alive
    )
    values: dict[str, Any] = {}
    columns = st.columns(2)
    for index, spec in enumerate(OPTION_SPECS):
        values[spec.name] = columns[index % 2].number_input(
            spec.label,
            min_value=spec.kind(spec.minimum),
            max_value=spec.kind(spec.maximum),
            step=spec.kind(spec.step),
            value=None,
            placeholder=t("options.model_default"),
            help=spec.help,
            key=_widget_key(prefix, spec.name),
        )
    values["stop"] = st.text_area(
        t("options.stop_sequences"), help=stop_help(), height=68, key=_widget_key(prefix, "stop")
    )
    values["keep_alive"] = (
        st.text_input(
            t("options.keep_alive"),
            help=keep_alive_help(),
            placeholder=t("options.server_default"),
            key=_widget_key(prefix, "keep_alive"),
        )
        if keep_alive
        else ""
    )
    state.put(state.options_key(prefix), values)
    chosen = _chosen(values)
    if chosen.error:
        st.error(chosen.error)
    return chosen


def current(prefix: str) -> ChosenOptions:
    """What the panel under ``prefix`` is set to now, as its widgets hold it, without drawing it.

    For a button's ``on_click``, which runs before the page (and the panel) is drawn again: a
    value changed together with the click is in the widget's state, not yet in the saved values.
    """
    saved: dict[str, Any] = state.get(state.options_key(prefix)) or {}
    values = {
        name: st.session_state.get(_widget_key(prefix, name), saved.get(name, _EMPTY.get(name))) for name in _NAMES
    }
    return _chosen(values)


def _chosen(values: dict[str, Any]) -> ChosenOptions:
    options = build_options(values, values["stop"] or "")
    try:
        keep_alive = parse_keep_alive(values["keep_alive"] or "")
    except ValueError as error:
        return ChosenOptions(options, None, message_of(error))
    return ChosenOptions(options, keep_alive)


def _widget_key(prefix: str, name: str) -> str:
    return f"{prefix}_option_{name}"
