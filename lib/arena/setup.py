"""The Arena's battle set-up: which models (or a surprise pair), their settings, the prompt and the tags.

Start is an ``on_click`` callback (:func:`start`): it reads what the set-up's widgets hold and
puts the new battle in session state before the page runs again, so the run that follows draws
the battle and never sends the model pickers again (their options and values name the models).
Everything the set-up holds is also kept under :data:`state.ARENA_FORM`, because Streamlit drops
a widget's value in every run that does not draw it, which is every run of a battle.

Each slot picks a model on any server of the session (:func:`lib.fleet.picker.model_picker`,
``model · server``); its settings ask that server what the model can do, and its column streams
from that server. Surprise me draws from every reachable server's models.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from lib import server_data, state, thinking
from lib.arena.battle import Pick, Run, draw_prompt, parse_prompts, parse_tags, surprise_on_servers
from lib.arena.records import MAX_CONTESTANTS, MIN_CONTESTANTS
from lib.fleet import catalog, session
from lib.fleet.catalog import ServerState
from lib.fleet.models import ModelRef
from lib.fleet.picker import model_picker
from lib.i18n import message_of, t
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


def draw() -> None:
    """The whole set-up, ending with Start."""
    restore()
    states = catalog.survey()
    installed = catalog.refs_with("completion", states)
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
            surprise_sources(states, installed)
            settings(ALL, None)
        else:
            count = count_slot.segmented_control(
                t("arena.count"),
                list(range(MIN_CONTESTANTS, MAX_CONTESTANTS + 1)),
                required=True,
                key=state.ARENA_COUNT_INPUT,
            )
            for slot, column in enumerate(st.columns(count or MIN_CONTESTANTS, gap="medium")):
                with column:
                    if not choose_model(slot, installed):
                        break  # the first picker said why there is nothing to pick
    prompt_area()
    remember()
    st.button(
        t("arena.start"),
        type="primary",
        icon=":material/swords:",
        key=state.ARENA_START_BUTTON,
        on_click=start,
    )
    problem = state.get(state.ARENA_PROBLEM)
    if problem:
        st.error(problem, icon=":material/block:")
        state.put(state.ARENA_PROBLEM, None)


def surprise_sources(states: list[ServerState], installed: list[ModelRef]) -> None:
    """Under Surprise me: why nothing can be drawn, or which servers the draw leaves out (not answering)."""
    down = [entry for entry in states if not entry.up]
    if not installed and down and len(down) == len(states):
        assert down[0].error is not None
        widgets.show_error(down[0].error)
        widgets.retry_button()
        return
    if len({ref.model for ref in installed}) < MIN_CONTESTANTS:
        st.info(t("arena.surprise_needs_two"), icon=":material/info:")
    for entry in down:
        st.caption(t("fleet.server_down", server=entry.server.name))


def choose_model(slot: int, installed: list[ModelRef]) -> bool:
    """One model picker (``model · server``) and its settings; False (after saying why) when there is nothing to pick.

    A new slot starts on another installed model than the slots before it, the sidebar's server's
    models first. The page goes on without the picker: the leaderboard needs no server.
    """
    key = slot_key(state.ARENA_MODEL_INPUT, slot)
    if installed:
        here = session.current().url
        ordered = sorted(installed, key=lambda ref: ref.server != here)  # stable: each server's order kept
        st.session_state.setdefault(key, ordered[slot % len(ordered)])
    model = model_picker(t("arena.model_slot", number=slot + 1), "completion", key)
    if model is None:
        return False
    settings(slot, model)
    return True


def settings(slot: int | str, model: ModelRef | None) -> None:
    """Think, system prompt and parameters, folded away. ``model`` None: for every model of a surprise pair."""
    # For every model of a surprise pair: off/on, each model then gets its nearest (a gpt-oss model low/medium).
    offered = thinking.ON_OFF if model is None else think_choices(model)
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


def think_choices(model: ModelRef) -> tuple[thinking.Think, ...]:
    """What ``model`` offers for thinking, as its own server says (nothing when it cannot say)."""
    try:
        return server_data.think_choices(session.client_for(model.server), model.model)
    except (OllamaError, session.UnknownServer):
        return ()


def start() -> None:
    """Start's on_click: the battle the set-up describes goes into session state, or the reason it cannot."""
    state.put(state.ARENA_PROBLEM, None)
    try:
        run = planned()
    except SetupProblem as problem:
        state.put(state.ARENA_PROBLEM, message_of(problem))
        return
    remember()
    state.put(state.ARENA_BATTLE, run)


def planned() -> Run:
    """The battle the set-up's widgets describe, its columns shuffled; raises :class:`SetupProblem`."""
    values = st.session_state
    prompt = (values.get(state.ARENA_PROMPT_INPUT) or "").strip()
    if not prompt:
        raise SetupProblem(t("arena.no_prompt"))
    if values.get(state.ARENA_PICK_INPUT) == SURPRISE:
        slots: list[tuple[ModelRef, int | str]] = [(ref, ALL) for ref in surprise_pair()]
    else:
        count = values.get(state.ARENA_COUNT_INPUT) or MIN_CONTESTANTS
        chosen = [values.get(slot_key(state.ARENA_MODEL_INPUT, slot)) for slot in range(count)]
        refs = [ref for ref in chosen if isinstance(ref, ModelRef) and ref.model]
        if len(refs) != count:
            unreachable()
            raise SetupProblem(t("arena.no_model"))
        slots = [(ref, slot) for slot, ref in enumerate(refs)]
    picks = []
    for number, (ref, slot) in enumerate(slots, start=1):
        size = sizes_on(ref.server).get(ref.model)
        fields = request_settings(ref, slot, number)
        picks.append(Pick(ref.model, fields, size if isinstance(size, int) else None, ref.server))
    tags = parse_tags(values.get(state.ARENA_TAGS_INPUT) or "")
    return Run.new(prompt, picks, tags)


def surprise_pair() -> tuple[ModelRef, ModelRef]:
    """Two different models drawn from every reachable server; raises :class:`SetupProblem` when it cannot."""
    installed = catalog.refs_with("completion")
    if not installed:
        unreachable()
    remote = {
        ModelRef(name, url)
        for url in {ref.server for ref in installed}
        for name in server_data.remote_models(session.client_for(url))
    }
    pair = surprise_on_servers(installed, remote, state.get(state.FAILED_MODELS) or ())
    if pair is None:
        raise SetupProblem(t("arena.surprise_needs_two"))
    return pair


def unreachable() -> None:
    """Raise :class:`SetupProblem` with the first server's sentence when no server of the session answers."""
    states = catalog.survey()
    if states and all(not entry.up for entry in states) and states[0].error is not None:
        raise SetupProblem(t("arena.cannot_list", problem=error_text(states[0].error)))


def sizes_on(url: str) -> dict[str, Any]:
    """Each model's size in bytes on the server at ``url``; raises :class:`SetupProblem` naming a server
    that cannot list its models (gone since the set-up was drawn, or no longer one of the session's)."""
    try:
        return {str(entry.get("name")): entry.get("size") for entry in server_data.models(session.client_for(url))}
    except session.UnknownServer:
        raise SetupProblem(t("arena.no_model")) from None
    except OllamaError as error:
        if len(session.servers()) > 1:
            name = session.server(url).name
            raise SetupProblem(t("arena.server_cannot_list", server=name, problem=error_text(error))) from None
        raise SetupProblem(t("arena.cannot_list", problem=error_text(error))) from None


def request_settings(model: ModelRef, slot: int | str, number: int) -> dict[str, Any]:
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
        st.session_state.get(slot_key(state.ARENA_THINK_INPUT, slot), True), think_choices(model)
    )
    if think is not None:
        fields["think"] = think
    return fields
