"""The Arena's battle set-up: which models (or a surprise pair), their settings, the prompt and the tags.

Start is an ``on_click`` callback (:func:`start`): it reads what the set-up's widgets hold and
puts the new battle in session state before the page runs again, so the run that follows draws
the battle and never sends the model pickers again (their options and values name the models).
Everything the set-up holds is also kept under :data:`state.ARENA_FORM`, because Streamlit drops
a widget's value in every run that does not draw it, which is every run of a battle.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from lib import server_data, state, thinking
from lib.arena.battle import Pick, Run, draw_prompt, parse_prompts, parse_tags, surprise
from lib.arena.records import MAX_CONTESTANTS, MIN_CONTESTANTS
from lib.i18n import message_of, t
from lib.ollama.client import OllamaClient
from lib.ollama.errors import OllamaError
from lib.parameters import panel as options_panel
from lib.ui import think_control, widgets
from lib.ui.errors import error_text

CHOOSE, SURPRISE = "choose", "surprise"
ALL = "all"  # the slot of the settings every model of a surprise pair gets


class SetupProblem(ValueError):
    """Why Start sent nothing, as a sentence."""


def slot_key(key: str, slot: int | str) -> str:
    return f"{key}_{slot}"


def options_prefix(slot: int | str) -> str:
    return f"arena_{slot}"


def _form_keys() -> list[str]:
    slots: list[int | str] = [*range(MAX_CONTESTANTS), ALL]
    per_slot = [
        slot_key(key, slot)
        for slot in slots
        for key in (state.ARENA_MODEL_INPUT, state.ARENA_THINK_INPUT, state.ARENA_SYSTEM_INPUT)
    ]
    shared = [state.ARENA_PICK_INPUT, state.ARENA_COUNT_INPUT, state.ARENA_PROMPT_INPUT]
    return [*shared, state.ARENA_PROMPTS_INPUT, state.ARENA_TAGS_INPUT, *per_slot]


def restore() -> None:
    """Give the set-up's widgets the values they held before a battle hid them."""
    saved: dict[str, Any] = state.get(state.ARENA_FORM) or {}
    for key, value in saved.items():
        st.session_state.setdefault(key, value)
    st.session_state.setdefault(state.ARENA_PICK_INPUT, CHOOSE)
    st.session_state.setdefault(state.ARENA_COUNT_INPUT, MIN_CONTESTANTS)


def remember() -> None:
    state.put(state.ARENA_FORM, {key: st.session_state[key] for key in _form_keys() if key in st.session_state})


def draw(client: OllamaClient) -> None:
    """The whole set-up, ending with Start."""
    restore()
    problem: OllamaError | None = None
    try:
        installed = server_data.models_with(client, "completion")
    except OllamaError as error:
        installed, problem = [], error
    with st.container(border=True):
        how, count_slot = st.columns([3, 2], vertical_alignment="bottom")
        mode = how.segmented_control(
            t("arena.models"),
            [CHOOSE, SURPRISE],
            format_func=lambda choice: t("arena.choose") if choice == CHOOSE else t("arena.surprise"),
            required=True,
            key=state.ARENA_PICK_INPUT,
            help=t("arena.models_help"),
        )
        if mode == SURPRISE:
            st.caption(t("arena.surprise_hint"))
            if problem is not None:
                widgets.show_error(problem)
                widgets.retry_button()
            elif len(installed) < MIN_CONTESTANTS:
                st.info(t("arena.surprise_needs_two"), icon=":material/info:")
            settings(client, ALL, None)
        else:
            count = count_slot.segmented_control(
                t("arena.count"),
                list(range(MIN_CONTESTANTS, MAX_CONTESTANTS + 1)),
                required=True,
                key=state.ARENA_COUNT_INPUT,
            )
            for slot, column in enumerate(st.columns(count or MIN_CONTESTANTS, gap="medium")):
                with column:
                    if not choose_model(client, slot, installed):
                        break  # the first picker said why there is nothing to pick
    prompt_area()
    remember()
    st.button(
        t("arena.start"),
        type="primary",
        icon=":material/swords:",
        key=state.ARENA_START_BUTTON,
        on_click=start,
        args=(client,),
    )
    problem = state.get(state.ARENA_PROBLEM)
    if problem:
        st.error(problem, icon=":material/block:")
        state.put(state.ARENA_PROBLEM, None)


def choose_model(client: OllamaClient, slot: int, installed: list[str]) -> bool:
    """One model picker and its settings; False (after saying why) when there is nothing to pick.

    A new slot starts on another installed model than the slots before it. The page goes on
    without the picker: the leaderboard needs no server.
    """
    key = slot_key(state.ARENA_MODEL_INPUT, slot)
    if installed:
        st.session_state.setdefault(key, installed[slot % len(installed)])
    model = widgets.model_picker(t("arena.model_slot", number=slot + 1), "completion", key)
    if model is None:
        return False
    settings(client, slot, model)
    return True


def settings(client: OllamaClient, slot: int | str, model: str | None) -> None:
    """Think, system prompt and parameters, folded away. ``model`` None: for every model of a surprise pair."""
    # For every model of a surprise pair: off/on, each model then gets its nearest (a gpt-oss model low/medium).
    offered = thinking.ON_OFF if model is None else server_data.think_choices(client, model)
    with st.expander(t("arena.settings") if model else t("arena.settings_all"), icon=":material/tune:"):
        if offered:
            st.session_state.setdefault(slot_key(state.ARENA_THINK_INPUT, slot), True)
            think_control.draw(offered, slot_key(state.ARENA_THINK_INPUT, slot))
            if model is None:
                st.caption(t("arena.think_all_help"))
        st.text_area(
            t("arena.system"),
            key=slot_key(state.ARENA_SYSTEM_INPUT, slot),
            height=68,
            placeholder=t("arena.system_placeholder"),
        )
        options_panel.render(options_prefix(slot))


def prompt_area() -> None:
    with st.container(border=True):
        st.text_area(
            t("arena.prompt"), key=state.ARENA_PROMPT_INPUT, height=100, placeholder=t("arena.prompt_placeholder")
        )
        listed = parse_prompts(st.session_state.get(state.ARENA_PROMPTS_INPUT) or "")
        with st.expander(t("arena.prompt_list", n=len(listed)), icon=":material/list:"):
            st.text_area(
                t("arena.prompt_list_input"),
                key=state.ARENA_PROMPTS_INPUT,
                height=150,
                placeholder=t("arena.prompt_list_placeholder"),
                help=t("arena.prompt_list_help"),
            )
        tags_slot, draw_slot = st.columns([3, 1], vertical_alignment="bottom")
        tags_slot.text_input(
            t("arena.tags"),
            key=state.ARENA_TAGS_INPUT,
            placeholder=t("arena.tags_placeholder"),
            help=t("arena.tags_help"),
        )
        draw_slot.button(
            t("arena.draw"),
            icon=":material/casino:",
            key=state.ARENA_DRAW_BUTTON,
            on_click=draw_from_list,
            disabled=not listed,
            help=t("arena.draw_help"),
            width="stretch",
        )


def draw_from_list() -> None:
    """Draw a prompt from the list into the prompt box, with its tags (on_click)."""
    line = draw_prompt(parse_prompts(st.session_state.get(state.ARENA_PROMPTS_INPUT) or ""))
    if line is None:
        state.put(state.ARENA_PROBLEM, t("arena.list_empty"))
        return
    st.session_state[state.ARENA_PROMPT_INPUT] = line.prompt
    st.session_state[state.ARENA_TAGS_INPUT] = ", ".join(line.tags)


def start(client: OllamaClient) -> None:
    """Start's on_click: the battle the set-up describes goes into session state, or the reason it cannot."""
    state.put(state.ARENA_PROBLEM, None)
    try:
        run = planned(client)
    except SetupProblem as problem:
        state.put(state.ARENA_PROBLEM, message_of(problem))
        return
    remember()
    state.put(state.ARENA_BATTLE, run)


def planned(client: OllamaClient) -> Run:
    """The battle the set-up's widgets describe, its columns shuffled; raises :class:`SetupProblem`."""
    values = st.session_state
    prompt = (values.get(state.ARENA_PROMPT_INPUT) or "").strip()
    if not prompt:
        raise SetupProblem(t("arena.no_prompt"))
    try:
        installed = server_data.models_with(client, "completion")
        sizes = {str(entry.get("name")): entry.get("size") for entry in server_data.models(client)}
    except OllamaError as error:
        raise SetupProblem(t("arena.cannot_list", problem=error_text(error))) from None
    if values.get(state.ARENA_PICK_INPUT) == SURPRISE:
        pair = surprise(installed, server_data.remote_models(client), state.get(state.FAILED_MODELS) or ())
        if pair is None:
            raise SetupProblem(t("arena.surprise_needs_two"))
        slots: list[tuple[str, int | str]] = [(model, ALL) for model in pair]
    else:
        count = values.get(state.ARENA_COUNT_INPUT) or MIN_CONTESTANTS
        slots = [(values.get(slot_key(state.ARENA_MODEL_INPUT, slot)) or "", slot) for slot in range(count)]
        if not all(model for model, _slot in slots):
            raise SetupProblem(t("arena.no_model"))
    picks = []
    for number, (model, slot) in enumerate(slots, start=1):
        size = sizes.get(model)
        fields = request_settings(client, model, slot, number)
        picks.append(Pick(model, fields, size if isinstance(size, int) else None))
    tags = parse_tags(values.get(state.ARENA_TAGS_INPUT) or "")
    return Run.new(prompt, picks, tags)


def request_settings(client: OllamaClient, model: str, slot: int | str, number: int) -> dict[str, Any]:
    """The request fields besides the prompt for ``model`` from a slot's settings: only what is set.

    ``think`` goes only to a model that can think, as on the other pages.
    """
    chosen = options_panel.current(options_prefix(slot))
    if chosen.error:
        if slot == ALL:
            raise SetupProblem(t("arena.bad_parameter_all", problem=chosen.error))
        raise SetupProblem(t("arena.bad_parameter", number=number, problem=chosen.error))
    fields: dict[str, Any] = {}
    system = (st.session_state.get(slot_key(state.ARENA_SYSTEM_INPUT, slot)) or "").strip()
    if system:
        fields["system"] = system
    if chosen.options:
        fields["options"] = chosen.options
    if chosen.keep_alive is not None:
        fields["keep_alive"] = chosen.keep_alive
    think = thinking.request_value(
        st.session_state.get(slot_key(state.ARENA_THINK_INPUT, slot), True), server_data.think_choices(client, model)
    )
    if think is not None:
        fields["think"] = think
    return fields
