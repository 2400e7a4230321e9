"""A blind battle on the Arena page (lib/arena/battle_view.py), on the fake server: streaming, Stop, vote, reveal."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest

from lib import state
from lib.arena import battle_view
from lib.arena.battle import Pick, Run, Snapshot
from lib.arena.records import BOTH_BAD, SERVER, TIE, Battle, Contestant
from lib.arena.store import ArenaStore
from lib.fleet.models import ModelRef
from lib.ollama.errors import ResponseError, ServerUnreachable
from lib.ollama.stream import DONE, FAILED, STOPPED
from tests import i18n_check
from tests.arena.conftest import (
    OWNER,
    battle,
    choose,
    headings,
    main_area,
    names_any,
    open_arena,
    start,
    unescaped,
    vote,
    vote_buttons,
)
from tests.conftest import pick_model
from tests.fake_ollama.names import parse_name
from tests.markdown_audit import record_sent, shown_texts
from tests.ollama.test_stream import overlapped

LONG_REPLY = " ".join(f"word{number}" for number in range(300))
TWO = ("llama3.2:latest", "qwen3:0.6b")


def sent(fake) -> list[dict]:
    return [request.body for request in fake.requests_to("/api/generate")]


def texts(elements) -> str:
    return unescaped("\n".join(str(element.value) for element in elements))


# Streaming


def test_a_battle_streams_every_column_side_by_side_as_letters_only(arena, fake, store):
    fake.token_delay = 0.01
    choose(arena, *TWO)
    start(arena)
    assert sorted(body["model"] for body in sent(fake)) == sorted(TWO)
    assert all(body["prompt"] == "Why is the sky blue?" and body["stream"] for body in sent(fake))
    assert overlapped(fake)
    assert headings(arena)[:2] == ["A", "B"]
    run = battle(arena)
    assert [answer.status for answer in run.answers] == [DONE, DONE]
    shown = texts(arena.main.markdown)
    assert all(answer.content[:40] in shown for answer in run.answers)
    assert names_any(main_area(arena)) == []  # not in a heading, label, option, key, help or figure
    assert not arena.main.get("selectbox")  # the set-up (and its model pickers) is not sent again


def test_the_columns_are_in_a_random_order(studio_env, fake):
    orders = set()
    for _ in range(12):
        at = open_arena()
        choose(at, *TWO)
        start(at)
        orders.add(battle(at).models)
        if len(orders) == 2:
            break
    assert orders == {TWO, TWO[::-1]}


def test_a_rerun_keeps_the_battle_on_screen(arena, fake):
    choose(arena, *TWO)
    start(arena)
    before = (headings(arena), texts(arena.main.markdown))
    arena.run()
    assert (headings(arena), texts(arena.main.markdown)) == before
    assert len(sent(fake)) == 2  # nothing sent again


# Voting


def test_the_vote_buttons_are_disabled_until_every_answer_has_ended():
    at = AppTest.from_function(vote_bar_app, default_timeout=30).run()
    assert vote_buttons(at) == dict.fromkeys(("waiting_A", "waiting_B", f"waiting_{TIE}", f"waiting_{BOTH_BAD}"), False)
    assert "Voting opens once every answer has ended or was stopped." in texts(at.caption)
    assert at.button(key=state.ARENA_STOP_BUTTON).disabled is False


def vote_bar_app() -> None:
    """The controls of a battle whose answers are still arriving, as drawn while it streams."""
    from lib.arena import battle_view
    from lib.arena.battle import Pick, Run

    run = Run("Why?", (Pick("llama3.2:latest"), Pick("qwen3:0.6b")), started=True)
    run.answers[0].content = "Blue"
    battle_view.controls(run, live=True)


def test_the_vote_opens_when_every_answer_has_ended_and_is_saved_once(arena, fake, store):
    choose(arena, *TWO)
    start(arena)
    assert vote_buttons(arena) == {"A": True, "B": True, TIE: True, BOTH_BAD: True}
    assert [button.label for button in arena.button if button.key and "vote" in button.key] == [
        "A is better",
        "B is better",
        "Tie",
        "Both bad",
    ]
    [saved] = store.battles()
    run = battle(arena)
    assert saved.id == run.battle_id and arena.query_params["battle"] == str(saved.id)
    assert [c.model for c in saved.contestants] == list(run.models)
    # A double click: the second vote arrives before the page shows the first.
    arena.button(key=f"{state.ARENA_VOTE_BUTTON}_B").click()
    arena.button(key=f"{state.ARENA_VOTE_BUTTON}_{TIE}").click()
    arena.run()
    assert [(v.battle_id, v.voter, v.choice) for v in store.votes()] == [(saved.id, OWNER, "B")]
    assert vote_buttons(arena) == {}


def test_the_reveal_names_the_models_in_their_columns_with_their_figures(arena, fake):
    choose(arena, *TWO)
    start(arena)
    assert not arena.main.metric  # figures wait for the reveal
    run = battle(arena)
    vote(arena, "A")
    assert headings(arena)[:2] == [
        f"A · {run.models[0]} :green-badge[:material/trophy: your pick]",
        f"B · {run.models[1]}",
    ]
    assert texts(arena.success) == f"You picked A: {run.models[0]}."
    figures = [metric.label for metric in arena.main.metric]
    assert figures.count("Output tokens") == 2 and figures.count("Tokens/s") == 2 and figures.count("Size") == 2


def test_a_battle_of_three_asks_for_the_best(arena, fake, store):
    choose(arena, "llama3.2:latest", "llava:7b", "qwen3:0.6b")
    start(arena)
    assert list(vote_buttons(arena)) == ["A", "B", "C", TIE, BOTH_BAD]
    assert not arena.main.metric and "Tokens/s" not in texts(arena.main.markdown)
    assert "C is best" in [button.label for button in arena.button]
    assert "All bad" in [button.label for button in arena.button]
    vote(arena, BOTH_BAD)
    assert texts(arena.success) == "You voted: All bad."
    assert texts(arena.main.markdown).count("Tokens/s:") == 3  # figures as lines: three columns are narrow
    assert [v.choice for v in store.votes()] == [BOTH_BAD]


# Failures


def test_a_failing_column_says_why_and_the_battle_records_no_vote(arena, fake, store):
    fake.break_model("qwen3:0.6b")
    choose(arena, *TWO)
    start(arena)
    run = battle(arena)
    failed = run.letters[run.models.index("qwen3:0.6b")]
    said = texts(arena.error)
    assert "This column failed" in said and "llama runner process has terminated" in said
    assert "A column failed, so this battle records no vote." in texts(arena.warning)
    assert vote_buttons(arena) == {}
    [saved] = store.battles()
    assert [c.status for c in saved.contestants if c.letter == failed] == [FAILED]
    assert store.votes() == []
    assert f"{failed} · qwen3:0.6b" in headings(arena)  # nothing to vote on: the models are shown


def test_a_failing_columns_sentence_names_no_model_before_the_reveal():
    run = Run("Why?", (Pick("llama3.2:latest"), Pick("qwen3:0.6b")))
    error = ResponseError(
        "errors.model_failed",
        {"model": "qwen3:0.6b", "where": "the server", "label": "500", "said": "qwen3 crashed"},
        status_code=500,
    )
    said = battle_view.failure_text(run, 1, error)
    assert names_any(said) == [] and "the model of column B" in said
    run.revealed = True
    assert "qwen3:0.6b" in unescaped(battle_view.failure_text(run, 1, error))


def test_a_model_missing_on_the_server_fails_its_column_with_what_to_do(arena, fake, store):
    choose(arena, *TWO)
    assert fake.store.remove(parse_name("qwen3:0.6b"))  # deleted after it was chosen (the list is cached)
    start(arena)
    said = texts(arena.error)
    assert "not found" in said and "pull it on the Models page" in said
    assert vote_buttons(arena) == {} and store.votes() == []


def test_stop_closes_every_stream_keeps_the_partial_answers_and_opens_the_vote(arena, fake, store):
    fake.token_delay = 0.05
    for _ in range(2):
        fake.script_reply(LONG_REPLY)
    choose(arena, *TWO)
    arena.text_area(key=state.ARENA_PROMPT_INPUT).input("Tell me a long story.")
    # A click during a run (Stop, or any other) interrupts the script at its next Streamlit call;
    # AppTest does the same when a run outlives its timeout.
    with pytest.raises(RuntimeError, match="timed out"):
        arena.button(key=state.ARENA_START_BUTTON).click().run(timeout=3)
    assert fake.wait_for(
        lambda f: (
            len(f.requests_to("/api/generate")) == 2
            and all(r.client_disconnected for r in f.requests_to("/api/generate"))
        ),
        timeout=10,
    )
    assert all(request.chunks_sent < 300 for request in fake.requests_to("/api/generate"))
    arena.button(key=state.ARENA_START_BUTTON).set_value(False)
    arena.run()
    assert texts(arena.warning).count("Stopped before the answer was complete.") == 2
    assert "word0 word1" in texts(arena.main.markdown)
    assert vote_buttons(arena) == {"A": True, "B": True, TIE: True, BOTH_BAD: True}
    [saved] = store.battles()
    assert [c.status for c in saved.contestants] == [STOPPED, STOPPED]
    assert all(c.content.startswith("word0 word1") for c in saved.contestants)


# Several servers


def two_servers(monkeypatch, fake, gpu) -> AppTest:
    monkeypatch.setenv("OLLAMA_HOST", f"laptop={fake.url},gpu={gpu.url}")
    at = open_arena()
    assert not at.exception
    return at


def test_the_same_model_on_two_servers_battles_each_from_its_own_server(studio_env, fake, gpu, monkeypatch, store):
    at = two_servers(monkeypatch, fake, gpu)
    choose(at, ModelRef("qwen3:0.6b", fake.url), ModelRef("qwen3:0.6b", gpu.url))
    start(at)
    assert [body["model"] for body in sent(fake)] == ["qwen3:0.6b"]
    assert [body["model"] for body in sent(gpu)] == ["qwen3:0.6b"]
    assert all(SERVER not in body for body in sent(fake) + sent(gpu))
    assert "laptop" not in main_area(at) and "· gpu" not in main_area(at)  # still blind: no server named
    run = battle(at)
    [saved] = store.battles()
    assert [c.server for c in saved.contestants] == list(run.servers)
    assert sorted(run.servers) == sorted([fake.url, gpu.url])
    vote(at, "A")
    named = {fake.url: "qwen3:0.6b · laptop", gpu.url: "qwen3:0.6b · gpu"}
    assert headings(at)[:2] == [
        f"A · {named[run.servers[0]]} :green-badge[:material/trophy: your pick]",
        f"B · {named[run.servers[1]]}",
    ]
    assert texts(at.success) == f"You picked A: {named[run.servers[0]]}."
    figures = [metric.label for metric in at.main.metric]
    assert figures.count("Tokens/s") == 2  # the speed of each machine, side by side
    board = at.tabs[1].get("dataframe")[0].value
    assert set(board["model"]) == {"qwen3:0.6b · laptop", "qwen3:0.6b · gpu"}  # two entries that played each other


def test_a_column_whose_server_is_down_fails_and_the_other_column_is_answered(
    studio_env, fake, gpu, monkeypatch, store
):
    at = two_servers(monkeypatch, fake, gpu)
    choose(at, ModelRef("llama3.2:latest", fake.url), ModelRef("qwen3:0.6b", gpu.url))
    fake.token_delay = 0.01
    gone = gpu.url
    gpu.stop()
    start(at)
    run = battle(at)
    failed = run.letters[run.servers.index(gone)]
    [saved] = store.battles()
    assert [c.status for c in saved.contestants if c.letter == failed] == [FAILED]
    assert [body["model"] for body in sent(fake)] == ["llama3.2:latest"]  # the other column was answered
    assert f"{failed} · qwen3:0.6b · gpu" in headings(at)  # a failed battle is revealed, with its servers


def test_a_failing_columns_sentence_names_no_server_before_the_reveal(monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST", "laptop=127.0.0.1:11434,gpu-box=http://10.0.0.7:11434")
    run = Run(
        "Why?",
        (Pick("qwen3:0.6b", server="http://127.0.0.1:11434"), Pick("qwen3:0.6b", server="http://10.0.0.7:11434")),
    )
    error = ServerUnreachable("errors.nothing_answers", {"where": "http://10.0.0.7:11434"})
    said = unescaped(battle_view.failure_text(run, 1, error))
    assert "10.0.0.7" not in said and "gpu-box" not in said and "the server of column B" in said
    run.revealed = True
    assert "http://10.0.0.7:11434" in unescaped(battle_view.failure_text(run, 1, error))


def test_a_room_battle_between_two_servers_reveals_them_on_the_voters_screens(
    studio_env: Path, fake, gpu, monkeypatch, keep_main_module
):
    monkeypatch.setenv("OLLAMA_HOST", f"laptop={fake.url},gpu={gpu.url}")
    presenter = ArenaStore(studio_env / "arena.sqlite3", owner="browser:hook")
    code = presenter.open_room().code
    at = AppTest.from_function(hooked_app, args=(str(studio_env), code), default_timeout=30).run()
    pick_model(at.selectbox(key=f"{state.ARENA_MODEL_INPUT}_0"), ModelRef("qwen3:0.6b", fake.url))
    pick_model(at.selectbox(key=f"{state.ARENA_MODEL_INPUT}_1"), ModelRef("qwen3:0.6b", gpu.url))
    at.run()
    start(at)
    run = battle(at)
    assert all(snapshot.models is None for snapshot in at.session_state["seen"])
    at.button(key=state.ARENA_REVEAL_BUTTON).click().run()
    named = {fake.url: "qwen3:0.6b · laptop", gpu.url: "qwen3:0.6b · gpu"}
    assert at.session_state["seen"][-1].models == tuple(named[url] for url in run.servers)


def test_a_battle_saved_before_servers_were_recorded_opens_on_the_sidebars_server(
    studio_env, fake, gpu, monkeypatch, store
):
    old = Battle(
        "Why?",
        (Contestant("A", "llama3.2:latest", {"think": False}, content="x"), Contestant("B", "qwen3:0.6b", content="y")),
        created_at=1.0,
    )
    battle_id = store.save_battle(old)
    store.vote(battle_id, OWNER, "B")
    one = open_arena({"battle": str(battle_id)})
    assert headings(one)[:2] == ["A · llama3.2:latest", "B · qwen3:0.6b :green-badge[:material/trophy: your pick]"]
    monkeypatch.setenv("OLLAMA_HOST", f"laptop={fake.url},gpu={gpu.url}")
    at = open_arena({"battle": str(battle_id)})
    assert not at.exception
    assert headings(at)[:2] == [
        "A · llama3.2:latest · laptop",
        "B · qwen3:0.6b · laptop :green-badge[:material/trophy: your pick]",
    ]
    board = at.tabs[1].get("dataframe")[0].value
    assert set(board["model"]) == {"llama3.2:latest · laptop", "qwen3:0.6b · laptop"}


# Reload and New battle


def test_a_reload_opens_the_saved_battle_blind_and_votable_then_revealed_once_voted(arena, fake, store):
    choose(arena, *TWO)
    start(arena)
    run = battle(arena)
    reloaded = open_arena({"battle": str(run.battle_id)})
    assert headings(reloaded)[:2] == ["A", "B"] and names_any(main_area(reloaded)) == []
    assert texts(reloaded.main.markdown).count(run.answers[0].content[:30]) == 1
    vote(reloaded, "B")
    assert headings(reloaded)[:2] == [
        f"A · {run.models[0]}",
        f"B · {run.models[1]} :green-badge[:material/trophy: your pick]",
    ]
    again = open_arena({"battle": str(run.battle_id)})
    assert texts(again.success) == f"You picked B: {run.models[1]}." and vote_buttons(again) == {}


def test_a_second_tab_votes_after_the_first_and_the_first_vote_stands(arena, fake, store):
    choose(arena, *TWO)
    start(arena)
    run = battle(arena)
    other_tab = open_arena({"battle": str(run.battle_id)})
    vote(arena, "A")
    vote(other_tab, "B")
    assert [v.choice for v in store.votes()] == ["A"]
    assert texts(other_tab.success) == f"You picked A: {run.models[0]}."


def test_an_address_naming_no_battle_of_this_visitor_opens_the_set_up(studio_env, fake, store):
    at = open_arena({"battle": "999"})
    assert not at.exception
    assert "cannot be opened" in texts(at.toast)
    assert state.ARENA_BATTLE not in at.session_state and "battle" not in at.query_params
    assert at.button(key=state.ARENA_START_BUTTON)


def test_new_battle_goes_back_to_the_set_up_as_it_was(arena, fake, store):
    choose(arena, "llava:7b", "qwen3:0.6b")
    arena.text_area(key=state.ARENA_PROMPTS_INPUT).input("one #a\ntwo #b")
    start(arena)
    arena.button(key=state.ARENA_NEW_BUTTON).click().run()
    assert arena.selectbox(key=f"{state.ARENA_MODEL_INPUT}_0").value.model == "llava:7b"
    assert arena.selectbox(key=f"{state.ARENA_MODEL_INPUT}_1").value.model == "qwen3:0.6b"
    assert arena.text_area(key=state.ARENA_PROMPTS_INPUT).value == "one #a\ntwo #b"
    assert "battle" not in arena.query_params
    assert len(store.battles()) == 1  # the finished battle stays saved


# What a room's voters would see


@pytest.fixture
def keep_main_module(monkeypatch):
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])


def hooked_app(data_dir: str, room: str | None = None) -> None:
    """The Battle tab alone, with an on_change hook that keeps every snapshot it is given, in ``room`` if any."""
    import streamlit as st

    from lib import state
    from lib.arena import battle_view
    from lib.arena.store import ArenaStore

    state.init()
    seen = st.session_state.setdefault("seen", [])
    store = ArenaStore(f"{data_dir}/arena.sqlite3", owner="browser:hook")
    battle_view.draw(store, on_change=seen.append, room=room)


def test_on_change_follows_the_battle_and_names_no_model_before_the_reveal(studio_env: Path, fake, keep_main_module):
    fake.token_delay = 0.01
    fake.script_reply(LONG_REPLY)
    fake.script_reply(LONG_REPLY)
    at = AppTest.from_function(hooked_app, args=(str(studio_env),), default_timeout=30).run()
    pick_model(at.selectbox(key=f"{state.ARENA_MODEL_INPUT}_1"), "qwen3:0.6b")
    at.run()
    start(at, "Tell me a long story.")
    seen: list[Snapshot] = at.session_state["seen"]
    keys = {snapshot.battle_key for snapshot in seen}
    assert len(keys) == 1 and len(seen) >= 5  # started, text as it streams, each column's end, saved
    assert all(snapshot.models is None for snapshot in seen)
    assert names_any(repr(seen)) == []
    assert seen[0].texts == ("", "") and seen[0].statuses == ("unfinished", "unfinished")
    assert not any(snapshot.votable for snapshot in seen[:-1])
    assert seen[-1].votable and seen[-1].battle_id is not None and seen[-1].statuses == (DONE, DONE)
    assert seen[-1].texts == tuple(answer.content for answer in battle(at).answers)
    streaming = [s for s in seen if "unfinished" in s.statuses and any(s.texts)]
    assert streaming and len(streaming) <= 3 * 5 * 8  # a few a second, not one per token (300 tokens each)
    vote(at, TIE)
    assert at.session_state["seen"][-1].models == battle(at).models


def test_a_thinking_models_thoughts_wait_for_the_reveal(arena, fake, store):
    choose(arena, *TWO)
    start(arena)
    run = battle(arena)
    thinker = run.models.index("qwen3:0.6b")
    assert run.answers[thinker].thinking  # it thought, and the record keeps it
    assert not arena.main.expander
    vote(arena, TIE)
    assert [expander.label for expander in arena.main.expander] == ["Thinking"]
    assert store.battles()[0].contestants[thinker].thinking == run.answers[thinker].thinking


def test_a_battle_and_its_reveal_are_all_in_chinese(studio_env, fake):
    for _ in range(2):
        fake.script_reply("因为瑞利散射，天空看起来是蓝色的。")
    at = open_arena({"lang": "zh"})
    choose(at, "llama3.2:latest", "llava:7b")
    start(at, "天空为什么是蓝色的？")
    names = i18n_check.installed_names(fake.url)
    assert [button.label for button in at.button if button.key and "vote" in button.key] == [
        "A 更好",
        "B 更好",
        "平局",
        "都不好",
    ]
    assert i18n_check.screen_leftovers(at, names) == []
    vote(at, "B")
    assert texts(at.success).startswith("你选择了 B：")
    # The Battle tab only: the checker reads a table's column ids, which the leaderboard labels through column_config.
    assert i18n_check.screen_leftovers(SimpleNamespace(_tree=at.tabs[0]), names) == []


def test_a_battle_started_with_a_room_open_is_saved_in_that_room(studio_env: Path, fake, keep_main_module):
    hook_store = ArenaStore(studio_env / "arena.sqlite3", owner="browser:hook")
    code = hook_store.open_room().code
    at = AppTest.from_function(hooked_app, args=(str(studio_env), code), default_timeout=30).run()
    start(at)
    [saved] = hook_store.battles(room=code)
    assert saved.room == code and hook_store.battles(room=None) == []
    hook_store.show_in_room(code, saved.id)
    assert hook_store.room_vote(code, saved.id, "phone-1", "A")


def test_a_room_that_is_gone_is_said_and_the_battle_takes_no_vote(studio_env: Path, fake, keep_main_module):
    at = AppTest.from_function(hooked_app, args=(str(studio_env), "ZZZZZZ"), default_timeout=30).run()
    start(at)
    assert "could not be saved" in texts(at.error) and "no longer exists" in texts(at.error)
    assert vote_buttons(at) == {}  # a room's battle takes its votes on the voters' screens
    at.button(key=state.ARENA_REVEAL_BUTTON).click().run()  # the presenter can still show who wrote what
    assert at.session_state["seen"][-1].models == battle(at).models and at.session_state["seen"][-1].battle_id is None


def test_a_room_battle_is_revealed_by_the_presenter_with_the_rooms_votes(studio_env: Path, fake, keep_main_module):
    presenter = ArenaStore(studio_env / "arena.sqlite3", owner="browser:hook")
    code = presenter.open_room().code
    at = AppTest.from_function(hooked_app, args=(str(studio_env), code), default_timeout=30).run()
    start(at)
    assert vote_buttons(at) == {}
    assert at.session_state["seen"][-1].models is None  # still blind on the voters' screens
    run = battle(at)
    presenter.show_in_room(code, run.battle_id)  # what the page's on_change (room_view.broadcast) does
    for voter, choice in (("browser:v1", "A"), ("browser:v2", "A"), ("browser:v3", TIE)):
        assert presenter.room_vote(code, run.battle_id, voter, choice)
    at.button(key=state.ARENA_REVEAL_BUTTON).click().run()
    assert at.session_state["seen"][-1].models == run.models  # the voters' screens reveal too
    result = texts(at.success)
    assert f"A ({run.models[0]}): 2 votes" in result and "Tie: 1 vote" in result
    assert presenter.votes(room=code) and not [
        vote for vote in presenter.votes(room=code) if vote.voter == "browser:hook"
    ]


def test_nothing_sent_to_the_main_area_from_start_to_the_vote_names_a_model_or_shows_thoughts(arena, fake, monkeypatch):
    """Every message of every run, transient ones too (a status, a growing answer), not only the last screen."""
    fake.token_delay = 0.005
    choose(arena, *TWO)
    sent = record_sent(monkeypatch)
    start(arena)
    thinking = battle(arena).answers[battle(arena).models.index("qwen3:0.6b")].thinking
    assert thinking
    main = [msg for msg in sent if msg.metadata.delta_path[:1] == [0]]
    shown = [item.text for item in shown_texts(main)]
    assert shown and names_any("\n".join(shown)) == []
    assert not [text for text in shown if thinking[:20] in text or "Thinking" in text]
    assert [text for text in shown if text.startswith("Waiting for the first word")]
    vote(arena, "A")
    revealed = "\n".join(item.text for item in shown_texts(msg for msg in sent if msg.metadata.delta_path[:1] == [0]))
    assert set(TWO) <= set(names_any(revealed))  # the check can see names: the reveal sends them


class SlowStore:
    """A store whose saving takes a while, counting the battles it saved."""

    owner = "browser:slow"

    def __init__(self) -> None:
        self.saved: list = []

    def save_battle(self, record) -> int:
        time.sleep(0.2)
        self.saved.append(record)
        return len(self.saved)


def test_two_runs_saving_the_same_battle_at_once_save_it_once():
    run = Run("Why?", (Pick("llama3.2:latest"), Pick("qwen3:0.6b")), started=True)
    for answer in run.answers:
        answer.stopped = True
    store = SlowStore()
    runs = [threading.Thread(target=battle_view.save, args=(run, store)) for _ in range(2)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join()
    assert len(store.saved) == 1 and run.battle_id == 1
