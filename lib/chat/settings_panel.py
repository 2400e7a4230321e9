"""The single chat's settings above the conversation: model (and its server), how much it thinks, system prompt
and parameters.

Also what the chat box says for the model chosen there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from lib import server_data, state, thinking
from lib.chat import model_box
from lib.chat import session as chat_session
from lib.chat.history import Conversation
from lib.chat.session import Settings
from lib.fleet import routing
from lib.i18n import t, t_plain
from lib.ollama.client import OllamaClient
from lib.parameters import panel as options_panel
from lib.parameters.panel import ChosenOptions
from lib.prompts import picker as prompts_picker
from lib.tools import panel as tools_panel
from lib.ui import think_control


@dataclass(frozen=True)
class Panel:
    """What the settings above the conversation chose."""

    settings: Settings | None  # None while no model can be used (or a value needs fixing)
    installed: set[str] | None  # the chosen server's chat models; None when it cannot be asked
    client: OllamaClient | None = None  # the chosen server's client, when it answers
    away: str = ""  # the name of the chat's server, when it cannot answer now (several servers)
    route_slot: Any = None  # where a new chat on "any server" says which server it was sent to
    held: Settings | None = None  # the chat's settings while its server cannot answer: a question sent is kept


def draw(conversation: Conversation | None) -> Panel:
    """Model (``model · server``), think control, system prompt and parameters, each read from the chosen server."""
    offered = model_box.offer(conversation)
    if offered is None:
        return Panel(None, None)
    top = st.columns([3, 2], vertical_alignment="bottom")
    choice = model_box.draw(offered, conversation, top[0])
    model, client = choice.ref.model, choice.client
    offered_think = server_data.think_choices(client, model) if client is not None else ()
    if tuple(offered_think) == thinking.ON_OFF:
        st.session_state.setdefault(state.CHAT_THINK_INPUT, False)  # a chat starts without thinking, as before levels
    think = think_control.draw(offered_think, state.CHAT_THINK_INPUT, where=top[1])
    model_box.notes(choice, offered, conversation)
    route_slot = st.empty() if choice.ref.server == routing.ANY else None
    chosen = system_and_parameters(state.CHAT_SYSTEM_INPUT, chat_session.OPTIONS_PREFIX, t("chat.system_help"))
    capabilities = server_data.capabilities_of(client, model) if client is not None else frozenset()
    extras = tools_panel.draw(model, capabilities, conversation)
    if chosen is None or extras is None:
        state.put(state.CHAT_SETTINGS_TO_FIX, True)  # the chat box says so, not "choose a model"
        return Panel(None, choice.installed, client, choice.away)
    state.put(state.CHAT_SETTINGS_TO_FIX, False)
    system, options = chosen
    settings = Settings(
        model, system, options.options, options.keep_alive, think, extras.tools, extras.format, choice.ref.server
    )
    if choice.away:
        return Panel(None, choice.installed, client, choice.away, held=settings)
    return Panel(settings, choice.installed, client, route_slot=route_slot)


def system_and_parameters(system_key: str, options_prefix: str, system_help: str) -> tuple[str, ChosenOptions] | None:
    """The system prompt and the parameters panel, folded away; ``None`` (after saying so) while a value is wrong.

    Shared by the single chat and the comparison, whose every column gets the same.
    """
    with st.expander(t("chat.settings"), icon=":material/tune:"):
        prompts_picker.popover(prompts_picker.SYSTEM, system_key, system_key)
        system = st.text_area(
            t("chat.system"), key=system_key, height=80, placeholder=t("chat.system_placeholder"), help=system_help
        )
        chosen = options_panel.render(options_prefix)
    if chosen.error:
        st.warning(t("chat.fix_parameter"), icon=":material/tune:")
        return None
    return system or "", chosen


def prompt_placeholder(panel: Panel) -> str:
    """What the chat box says before typing: the model, and whether images can be attached for it.

    Plain text: a placeholder is not drawn as Markdown, so the model's name goes in as it is.
    """
    settings = panel.settings
    if settings is None:
        if panel.away:
            return t_plain("chat_fleet.placeholder_away", server=panel.away)
        return (
            t_plain("chat.fix_settings_first")
            if state.get(state.CHAT_SETTINGS_TO_FIX)
            else t("chat.choose_model_first")
        )
    capabilities = server_data.capabilities_of(panel.client, settings.model) if panel.client else frozenset()
    if capabilities and "vision" not in capabilities:
        return t_plain("chat.placeholder_text_only", model=settings.model)
    if "vision" in capabilities:
        return t_plain("chat.placeholder_images", model=settings.model)
    return t_plain("chat.placeholder", model=settings.model)
