"""The Arena's battle set-up (lib/arena/setup.py): models or a surprise pair, settings, the prompt list, tags."""

from __future__ import annotations

import pytest
import streamlit as st

from lib import state
from lib.arena.setup import ALL, SURPRISE
from tests.arena.conftest import CHAT_MODELS, battle, choose, main_area, names_any, open_arena, start
from tests.fake_ollama.names import parse_name


def sent(fake) -> list[dict]:
    return [request.body for request in fake.requests_to("/api/generate")]


def by_model(fake) -> dict[str, dict]:
    return {body["model"]: body for body in sent(fake)}


def number(at, slot, name: str):
    return at.number_input(key=f"arena_{slot}_option_{name}")


def surprise_mode(at) -> None:
    at.segmented_control(key=state.ARENA_PICK_INPUT).set_value(SURPRISE).run()


def problems(at) -> str:
    return "\n".join(error.value for error in at.error)


# Surprise me


def test_surprise_me_draws_two_different_local_models_and_shows_no_picker(arena, fake, store):
    fake.add_cloud_models()
    surprise_mode(arena)
    pickers = [box for box in arena.main.get("selectbox") if not box.key.endswith("_preset_choice")]
    assert not pickers and names_any(main_area(arena)) == []
    drawn = set()
    for _ in range(4):
        fake.log.clear()
        start(arena)
        models = [body["model"] for body in sent(fake)]
        assert len(models) == 2 and models[0] != models[1] and set(models) <= set(CHAT_MODELS)
        drawn |= set(models)
        assert names_any(main_area(arena)) == []
        arena.button(key=state.ARENA_NEW_BUTTON).click().run()
    assert len(drawn) >= 2
    assert len(store.battles()) == 4


def test_surprise_me_takes_a_cloud_model_only_when_one_local_model_is_left(arena, fake):
    fake.add_cloud_models()
    fake.signed_in = True
    for model in ("llava:7b", "qwen3:0.6b"):
        fake.store.remove(parse_name(model))
    st.cache_data.clear()  # as after the few seconds the app keeps the list
    arena.run()
    surprise_mode(arena)
    start(arena)
    models = {body["model"] for body in sent(fake)}
    assert "llama3.2:latest" in models and len(models) == 2


def test_surprise_me_with_one_model_says_what_to_do_and_sends_nothing(arena, fake):
    for model in ("llava:7b", "qwen3:0.6b"):
        fake.store.remove(parse_name(model))
    st.cache_data.clear()  # as after the few seconds the app keeps the list
    arena.run()
    surprise_mode(arena)
    assert "needs at least two installed chat models" in "\n".join(info.value for info in arena.info)
    start(arena)
    assert "needs at least two installed chat models" in problems(arena) and sent(fake) == []
    assert state.ARENA_BATTLE not in arena.session_state


def test_surprise_mes_settings_go_to_both_models(arena, fake):
    surprise_mode(arena)
    number(arena, ALL, "temperature").set_value(0.3)
    arena.text_area(key=f"{state.ARENA_SYSTEM_INPUT}_{ALL}").input("Be brief.")
    arena.segmented_control(key=f"{state.ARENA_THINK_INPUT}_{ALL}").set_value(False)
    start(arena)
    for body in sent(fake):
        assert body["options"] == {"temperature": 0.3} and body["system"] == "Be brief."
        assert body.get("think", False) is False  # sent to a model that thinks only


# Chosen models and their settings


def test_each_chosen_model_gets_its_own_settings_and_think_only_if_it_can(arena, fake):
    choose(arena, "llama3.2:latest", "qwen3:0.6b")
    number(arena, 0, "temperature").set_value(0.2)
    arena.text_area(key=f"{state.ARENA_SYSTEM_INPUT}_1").input("Answer in French.")
    arena.segmented_control(key=f"{state.ARENA_THINK_INPUT}_1").set_value(False)
    assert f"{state.ARENA_THINK_INPUT}_0" not in [control.key for control in arena.button_group]  # cannot think
    start(arena)
    bodies = by_model(fake)
    assert bodies["llama3.2:latest"]["options"] == {"temperature": 0.2}
    assert "system" not in bodies["llama3.2:latest"] and "think" not in bodies["llama3.2:latest"]
    assert bodies["qwen3:0.6b"]["system"] == "Answer in French." and bodies["qwen3:0.6b"]["think"] is False
    assert "options" not in bodies["qwen3:0.6b"]
    saved = {pick.model: pick.settings for pick in battle(arena).picks}
    assert saved["qwen3:0.6b"] == {"system": "Answer in French.", "think": False}


def test_a_value_changed_together_with_start_is_the_one_sent(arena, fake):
    """Start reads the widgets in its callback, so the value sent with the click counts."""
    choose(arena, "llama3.2:latest", "qwen3:0.6b")
    number(arena, 1, "top_k").set_value(7)  # no run in between
    start(arena)
    assert by_model(fake)["qwen3:0.6b"]["options"] == {"top_k": 7}


def test_new_slots_start_on_different_models(arena):
    arena.segmented_control(key=state.ARENA_COUNT_INPUT).set_value(3).run()
    chosen = [arena.selectbox(key=f"{state.ARENA_MODEL_INPUT}_{slot}").value for slot in range(3)]
    assert len(set(chosen)) == 3


@pytest.mark.parametrize(
    ("prepare", "said"),
    [
        (lambda at: None, "type a prompt, or draw one from the list"),
        (lambda at: at.text_input(key="arena_0_option_keep_alive").input("soon"), "a parameter of model 1"),
    ],
    ids=["no prompt", "bad parameter"],
)
def test_a_set_up_that_cannot_start_says_why_and_sends_nothing(arena, fake, prepare, said):
    prepare(arena)
    start(arena, "" if said.startswith("type") else "Why?")
    assert said in problems(arena)
    assert sent(fake) == [] and arena.button(key=state.ARENA_START_BUTTON)


# Prompts and tags


def test_a_prompt_drawn_from_the_list_comes_with_its_tags_and_they_are_saved(arena, fake, store):
    arena.text_area(key=state.ARENA_PROMPTS_INPUT).input("Write a haiku about rain #poetry #Short\n\n")
    arena.run()
    assert "Prompt list (1 prompt)" in [expander.label for expander in arena.expander]
    arena.button(key=state.ARENA_DRAW_BUTTON).click().run()
    assert arena.text_area(key=state.ARENA_PROMPT_INPUT).value == "Write a haiku about rain"
    assert arena.text_input(key=state.ARENA_TAGS_INPUT).value == "poetry, short"
    arena.button(key=state.ARENA_START_BUTTON).click().run()
    assert sent(fake)[0]["prompt"] == "Write a haiku about rain"
    [saved] = store.battles()
    assert saved.tags == ("poetry", "short") and store.battles(tag="poetry") == [saved]


def test_draw_is_disabled_with_an_empty_list_and_typed_tags_are_saved(arena, fake, store):
    assert arena.button(key=state.ARENA_DRAW_BUTTON).disabled
    arena.text_input(key=state.ARENA_TAGS_INPUT).input("#Coding, 中文")
    start(arena)
    assert store.battles()[0].tags == ("coding", "中文")
    assert "#coding · #中文" in "\n".join(caption.value for caption in arena.main.caption)


def test_the_set_up_is_in_chinese(studio_env, fake):
    at = open_arena({"lang": "zh"})
    assert at.button(key=state.ARENA_START_BUTTON).label == "开始对战"
    assert at.selectbox(key=f"{state.ARENA_MODEL_INPUT}_0").label == "模型 1"


def test_a_server_that_is_down_is_explained_and_the_leaderboard_still_shows(fake, monkeypatch, studio_env):
    monkeypatch.setenv("OLLAMA_HOST", "http://127.0.0.1:9")  # nothing listens there
    at = open_arena()
    assert not at.exception
    assert "Nothing is answering" in problems(at)
    assert at.button(key="connection_retry")
    assert at.tabs[1].label == "Leaderboard" and at.tabs[1].children  # drawn: it needs no server
    start(at)
    assert "the installed models could not be listed" in problems(at)


def test_surprise_me_sends_think_to_the_model_that_can_think_and_only_to_it(arena, fake):
    fake.store.remove(parse_name("llava:7b"))  # the pair is then llama3.2 (cannot think) and qwen3 (can)
    st.cache_data.clear()
    arena.run()
    surprise_mode(arena)
    start(arena)
    bodies = by_model(fake)
    assert set(bodies) == {"llama3.2:latest", "qwen3:0.6b"}
    assert bodies["qwen3:0.6b"]["think"] is True and "think" not in bodies["llama3.2:latest"]


def test_a_gpt_oss_model_is_offered_levels_and_sent_the_one_chosen(arena, fake):
    fake.install("gpt-oss:20b")
    st.cache_data.clear()
    arena.run()
    choose(arena, "gpt-oss:20b", "qwen3:0.6b")
    levels = arena.segmented_control(key=f"{state.ARENA_THINK_INPUT}_0")
    assert list(levels.options) == ["Low", "Medium", "High"] and levels.value == "medium"
    levels.set_value("high")
    start(arena)
    bodies = by_model(fake)
    assert bodies["gpt-oss:20b"]["think"] == "high" and bodies["qwen3:0.6b"]["think"] is True
    saved = {pick.model: pick.settings for pick in battle(arena).picks}
    assert saved["gpt-oss:20b"]["think"] == "high"


def test_surprise_mes_off_asks_a_gpt_oss_model_for_as_little_thinking_as_it_can_do(arena, fake):
    fake.install("gpt-oss:20b")
    for model in ("llava:7b", "llama3.2:latest"):
        fake.store.remove(parse_name(model))
    st.cache_data.clear()
    surprise_mode(arena)
    arena.segmented_control(key=f"{state.ARENA_THINK_INPUT}_{ALL}").set_value(False)
    start(arena)
    assert by_model(fake)["gpt-oss:20b"]["think"] == "low" and by_model(fake)["qwen3:0.6b"]["think"] is False
