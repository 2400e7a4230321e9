"""The single chat's settings above the conversation: model, how much it thinks, system prompt and parameters.

Also what the chat box says for the model chosen there.
"""

from __future__ import annotations

import streamlit as st

from lib import server_data, state, thinking
from lib.chat import session as chat_session
from lib.chat.history import Conversation
from lib.chat.messages import models_link
from lib.chat.session import Settings
from lib.i18n import t, t_plain
from lib.ollama.client import OllamaClient
from lib.ollama.errors import OllamaError
from lib.parameters import panel as options_panel
from lib.parameters.panel import ChosenOptions
from lib.prompts import picker as prompts_picker
from lib.tools import panel as tools_panel
from lib.ui import think_control, widgets
from lib.ui.errors import error_text


def draw(client: OllamaClient, conversation: Conversation | None) -> tuple[Settings | None, set[str] | None]:
    """Model, think control, system prompt and parameters. Returns the settings (None when no model
    can be used) and the installed chat models (None when the server cannot be asked)."""
    try:
        names = server_data.models_with(client, "completion")
        installed: set[str] | None = set(names)
        problem = None
    except OllamaError as error:
        names, installed, problem = [], None, error
    saved = conversation.model if conversation else ""
    if saved and saved not in names:
        names.append(saved)
    if problem is not None:
        st.warning(t("chat.offline", problem=error_text(problem)), icon=":material/cloud_off:")
        widgets.retry_button()
    elif not names:
        st.info(t("chat.no_models"), icon=":material/info:")
        return None, installed
    if not names:
        return None, installed
    widgets.ensure_choice(state.CHAT_MODEL_INPUT, names)
    top = st.columns([3, 2], vertical_alignment="bottom")
    model = top[0].selectbox(
        t("chat.model"),
        names,
        key=state.CHAT_MODEL_INPUT,
        help=t("chat.model_help"),
        format_func=widgets.model_label(server_data.remote_models(client)),
    )
    offered = server_data.think_choices(client, model)
    if tuple(offered) == thinking.ON_OFF:
        st.session_state.setdefault(state.CHAT_THINK_INPUT, False)  # a chat starts without thinking, as before levels
    think = think_control.draw(offered, state.CHAT_THINK_INPUT, where=top[1])
    if installed is not None and model not in installed:
        st.warning(t("chat.not_installed", model=model), icon=":material/warning:")
        models_link(model)
    chosen = system_and_parameters(state.CHAT_SYSTEM_INPUT, chat_session.OPTIONS_PREFIX, t("chat.system_help"))
    extras = tools_panel.draw(model, server_data.capabilities_of(client, model), conversation)
    if chosen is None or extras is None:
        state.put(state.CHAT_SETTINGS_TO_FIX, True)  # the chat box says so, not "choose a model"
        return None, installed
    state.put(state.CHAT_SETTINGS_TO_FIX, False)
    system, options = chosen
    return Settings(model, system, options.options, options.keep_alive, think, extras.tools, extras.format), installed


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


def prompt_placeholder(client: OllamaClient, settings: Settings | None) -> str:
    """What the chat box says before typing: the model, and whether images can be attached for it.

    Plain text: a placeholder is not drawn as Markdown, so the model's name goes in as it is.
    """
    if settings is None:
        return (
            t_plain("chat.fix_settings_first")
            if state.get(state.CHAT_SETTINGS_TO_FIX)
            else t("chat.choose_model_first")
        )
    capabilities = server_data.capabilities_of(client, settings.model)
    if capabilities and "vision" not in capabilities:
        return t_plain("chat.placeholder_text_only", model=settings.model)
    if "vision" in capabilities:
        return t_plain("chat.placeholder_images", model=settings.model)
    return t_plain("chat.placeholder", model=settings.model)
