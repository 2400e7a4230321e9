"""The audience room on screen: a voter's screen (served alone by a ?room= link) and the presenter's panel."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from lib import state
from lib.arena import rooms
from lib.arena.battle import Pick, Run, Snapshot
from lib.arena.records import BOTH_BAD, TIE, Battle, Contestant
from lib.arena.room_view import broadcast, presented_room
from lib.arena.store import ArenaStore, NotVotable, Room, StoreFailed
from lib.i18n import escape
from lib.ollama.stream import DONE, FAILED, STOPPED, UNFINISHED
from tests.i18n_check import screen_leftovers

PRESENTER = "browser:presenter-00000000000000000000000000000000"
OTHER_BROWSER = "test-browser-111111111111111111111111111111"
MODELS = ("qwen-secret:7b", "llama-hidden:3b")


@pytest.fixture(autouse=True)
def empty_registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(rooms, "_rooms", {})
    monkeypatch.setattr(rooms, "_watchers", {})
    yield


@pytest.fixture
def store(studio_env: Path) -> ArenaStore:
    """The presenter's store, in the app's data folder."""
    return ArenaStore(owner=PRESENTER)


@pytest.fixture
def room(store: ArenaStore) -> Room:
    return store.open_room()


def saved_battle(store: ArenaStore, room: Room, models: tuple[str, ...] = MODELS, failed: bool = False) -> int:
    letters = "ABCD"
    contestants = tuple(
        Contestant(letters[i], model, content=f"answer {letters[i]}", status=FAILED if failed and i else DONE)
        for i, model in enumerate(models)
    )
    return store.save_battle(Battle("Why is the sky blue?", contestants, room=room.code))


def streaming(
    texts: tuple[str, ...] = ("Rayleigh scat", "Because"), statuses: tuple[str, ...] | None = None
) -> Snapshot:
    return Snapshot(
        battle_key="battle-1",
        battle_id=None,
        prompt="Why is the sky blue?",
        letters=("A", "B", "C", "D")[: len(texts)],
        texts=texts,
        statuses=statuses or tuple(UNFINISHED for _ in texts),
        votable=False,
        models=None,
    )


def votable(battle_id: int, models: tuple[str, ...] | None = None) -> Snapshot:
    return Snapshot(
        battle_key="battle-1",
        battle_id=battle_id,
        prompt="Why is the sky blue?",
        letters=("A", "B"),
        texts=("Rayleigh scattering.", "Because it reflects the sea."),
        statuses=(DONE, STOPPED),
        votable=True,
        models=models,
    )


def texts_of(at: AppTest) -> str:
    """Everything the screen says, as one string (widget labels and element bodies)."""
    found: list[str] = []
    pending = [at._tree]
    while pending:
        node = pending.pop()
        pending += list(getattr(node, "children", {}).values())
        proto = getattr(node, "proto", None)
        if proto is not None:
            found.append(str(proto))
    return "\n".join(found)


def vote_buttons(at: AppTest) -> list[str]:
    return [button.key for button in at.button if button.key and button.key.startswith(state.ARENA_ROOM_VOTE_BUTTON)]


def join(open_app: Callable[..., AppTest], code: str, **options: Any) -> AppTest:
    """A voter opening the room's join link (the entry script, as a browser would)."""
    return open_app(query={"room": code}, **options)


# A voter's screen


def test_a_join_link_reaches_the_room_screen_and_nothing_else(open_app, room):
    at = join(open_app, room.code.lower())
    assert at.title[0].value == f"Room {room.code}"
    assert "No battle yet" in at.info[0].value
    assert len(at.sidebar.children) == 0  # no language switch, server settings or page menu
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # the session has no other page
        at.switch_page("app_pages/models.py")
    assert not at.exception


@pytest.mark.parametrize("code", ["ZZZZZZ", "<b>nope</b>", "a" * 40])
def test_an_unknown_room_is_said_in_a_sentence(open_app, studio_env, code):
    at = join(open_app, code)
    assert at.error[0].value.startswith("There is no room ")
    assert "<b>" not in at.error[0].value  # the address's text is shown literally, never as markup
    assert len(at.error[0].value) < 120
    assert not at.button


def test_answers_stream_to_the_voter_without_the_models_and_without_votes(open_app, store, room):
    saved_battle(store, room)  # the database knows the models; the voter's screen must not tell them
    at = join(open_app, room.code)
    broadcast(store, room.code)(streaming())
    at.run()
    shown = texts_of(at)
    assert "Rayleigh scat" in shown and "Because" in shown and "Why is the sky blue?" in shown
    assert [s.value for s in at.subheader] == ["Answer A", "Answer B"]
    assert "Writing…" in [c.value for c in at.caption]
    assert "Voting opens when every answer has ended." in [c.value for c in at.caption]
    assert vote_buttons(at) == []
    assert not any(model in shown for model in MODELS)
    broadcast(store, room.code)(streaming(("Rayleigh scattering of sunlight", "Because")))
    at.run()
    assert "Rayleigh scattering of sunlight" in texts_of(at)


def test_a_voter_votes_once_and_their_vote_is_kept_after_a_reload(open_app, store, room):
    battle_id = saved_battle(store, room)
    broadcast(store, room.code)(votable(battle_id))
    at = join(open_app, room.code)
    assert vote_buttons(at) == [f"{state.ARENA_ROOM_VOTE_BUTTON}_{choice}" for choice in ("A", "B", TIE, BOTH_BAD)]
    assert [at.button(key=key).label for key in vote_buttons(at)] == [
        "A is better",
        "B is better",
        "Tie",
        "Both are bad",
    ]
    assert "Stopped by the presenter." in [c.value for c in at.caption]
    at.button(key=f"{state.ARENA_ROOM_VOTE_BUTTON}_B").click().run()
    assert store.tally(battle_id) == {"B": 1}
    assert at.success[0].value.startswith("Your vote: **Answer B**")
    assert vote_buttons(at) == []

    again = join(open_app, room.code)  # the same browser reloads: a new session, the same voter
    assert again.success[0].value.startswith("Your vote: **Answer B**")
    assert vote_buttons(again) == []

    other = join(open_app, room.code, browser=OTHER_BROWSER)
    other.button(key=f"{state.ARENA_ROOM_VOTE_BUTTON}_{TIE}").click().run()
    assert other.success[0].value.startswith("Your vote: **Tie**")
    assert store.tally(battle_id) == {"B": 1, TIE: 1}


def test_a_vote_sent_from_a_screen_that_missed_its_earlier_vote_counts_once(open_app, store, room):
    """Two tabs of one browser: the second still shows the buttons; its vote is refused and the first shown."""
    battle_id = saved_battle(store, room)
    broadcast(store, room.code)(votable(battle_id))
    first, second = join(open_app, room.code), join(open_app, room.code)
    first.button(key=f"{state.ARENA_ROOM_VOTE_BUTTON}_A").click().run()
    second.button(key=f"{state.ARENA_ROOM_VOTE_BUTTON}_B").click().run()
    assert store.tally(battle_id) == {"A": 1}
    assert second.success[0].value.startswith("Your vote: **Answer A**")


def test_a_closed_room_takes_no_vote_even_from_a_screen_that_still_shows_the_buttons(open_app, store, room):
    battle_id = saved_battle(store, room)
    broadcast(store, room.code)(votable(battle_id))
    at = join(open_app, room.code)
    store.close_room(room.code)  # closed in the database; this screen has not polled since
    at.button(key=f"{state.ARENA_ROOM_VOTE_BUTTON}_A").click().run()
    assert store.tally(battle_id) == {}
    assert at.info[0].value == "This room is closed: it takes no more votes. Thank you for voting!"
    assert vote_buttons(at) == []
    assert rooms.live(room.code).closed  # every other voter's screen learns it too
    assert join(open_app, room.code).info[0].value.startswith("This room is closed")


def test_a_vote_on_a_battle_the_presenter_moved_on_from_is_refused_in_a_sentence(open_app, store, room):
    battle_id = saved_battle(store, room)
    broadcast(store, room.code)(votable(battle_id))
    at = join(open_app, room.code)
    store.show_in_room(room.code, None)  # the next battle started; this screen has not polled since
    at.button(key=f"{state.ARENA_ROOM_VOTE_BUTTON}_A").click().run()
    assert store.tally(battle_id) == {}
    assert at.warning[0].value == "This battle is over (the presenter moved on), so your vote was not counted."
    assert vote_buttons(at) == []


def test_a_battle_with_a_failed_answer_takes_no_votes(open_app, store, room):
    at = join(open_app, room.code)
    broadcast(store, room.code)(streaming(("Rayleigh", ""), (DONE, FAILED)))
    at.run()
    assert at.warning[0].value == "An answer failed, so this battle takes no votes."
    assert "This answer failed." in [c.value for c in at.caption]
    assert "Nothing yet." in [c.value for c in at.caption]
    assert vote_buttons(at) == []


def test_the_reveal_names_the_models_as_text_and_ends_the_voting(open_app, store, room):
    hostile = ("**bold**", "![x](http://tracker.example/p.png)")
    battle_id = saved_battle(store, room, hostile)
    at = join(open_app, room.code)
    broadcast(store, room.code)(votable(battle_id, models=hostile))
    at.run()
    assert [s.value for s in at.subheader] == [f"Answer A: {escape(hostile[0])}", f"Answer B: {escape(hostile[1])}"]
    assert escape(hostile[1]) != hostile[1]
    assert at.caption[-1].value == "The models are revealed: voting on this battle has ended."
    assert vote_buttons(at) == []


def test_a_battle_of_four_asks_for_the_best(open_app, store, room):
    battle_id = saved_battle(store, room, ("a", "b", "c", "d"))
    four = Snapshot("k", battle_id, "Q", ("A", "B", "C", "D"), ("1", "2", "3", "4"), (DONE,) * 4, True, None)
    broadcast(store, room.code)(four)
    at = join(open_app, room.code)
    assert at.markdown[-1].value == "**Which answer is best?**"
    assert [at.button(key=key).label for key in vote_buttons(at)] == [
        "A is best",
        "B is best",
        "C is best",
        "D is best",
        "Tie",
        "All are bad",
    ]
    at.button(key=f"{state.ARENA_ROOM_VOTE_BUTTON}_{BOTH_BAD}").click().run()
    assert store.tally(battle_id) == {BOTH_BAD: 1}
    assert at.success[0].value.startswith("Your vote: **All are bad**")


def test_a_room_closed_before_the_voter_came_says_so(open_app, store, room):
    store.close_room(room.code)
    at = join(open_app, room.code)
    assert at.info[0].value.startswith("This room is closed")
    assert not at.button


def test_the_voters_screen_in_chinese_has_no_english_left(open_app, store, room):
    battle_id = saved_battle(store, room)
    broadcast(store, room.code)(votable(battle_id))
    at = open_app(query={"room": room.code, "lang": "zh"})
    assert at.title[0].value == f"房间 {room.code}"
    assert (
        screen_leftovers(at, names=["Why is the sky blue?", "Rayleigh scattering.", "Because it reflects the sea."])
        == []
    )
    at.button(key=f"{state.ARENA_ROOM_VOTE_BUTTON}_A").click().run()
    assert at.success[0].value.startswith("你的投票")


def test_locked_mode_keeps_rooms_open_to_visitors(open_app, store, room, monkeypatch):
    monkeypatch.setenv("OLLAMA_STUDIO_LOCKED", "1")
    battle_id = saved_battle(store, room)
    broadcast(store, room.code)(votable(battle_id))
    at = join(open_app, room.code)
    at.button(key=f"{state.ARENA_ROOM_VOTE_BUTTON}_A").click().run()
    assert store.tally(battle_id) == {"A": 1}


def test_a_voter_screen_counts_as_watching(open_app, room):
    join(open_app, room.code)
    join(open_app, room.code, browser=OTHER_BROWSER)
    assert rooms.watching(room.code) == 2


def test_polling_screens_stay_cheap_without_a_full_collection_after_every_run():
    """Streamlit's gc.collect(2) after every run, a voter's poll included, was 85% of a poll's cost (measured)."""
    settings = tomllib.loads((Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml").read_text())
    assert settings["runner"]["postScriptGC"] is False


# What the presenter's battle calls on every change


def test_broadcast_makes_the_saved_battle_current_before_voters_see_it(store, room):
    publish = broadcast(store, room.code)
    publish(streaming())
    assert store.room(room.code).current_battle is None
    battle_id = saved_battle(store, room)
    publish(votable(battle_id))
    assert store.room(room.code).current_battle == battle_id
    assert store.room_vote(room.code, battle_id, "browser:v1", "A")
    publish(streaming(("A new battle", "")))  # the next battle: the last one takes no more votes
    assert store.room(room.code).current_battle is None
    with pytest.raises(NotVotable) as refused:
        store.room_vote(room.code, battle_id, "browser:v2", "A")
    assert refused.value.reason == NotVotable.NOT_CURRENT
    assert rooms.current(room.code).texts == ("A new battle", "")


def test_a_battle_saved_outside_the_room_is_watched_there_but_takes_no_votes(store, room):
    """A battle started before the presenter opened the room was saved outside it: voters see it, cannot vote."""
    outside = store.save_battle(Battle("Why?", (Contestant("A", MODELS[0]), Contestant("B", MODELS[1]))))
    publish = broadcast(store, room.code)
    publish(votable(outside))
    shown = rooms.current(room.code)
    assert shown is not None and shown.texts == votable(outside).texts
    assert not shown.votable and shown.battle_id is None
    assert store.room(room.code).current_battle is None
    publish(votable(outside, models=MODELS))  # the reveal still reaches the room
    assert rooms.current(room.code).models == MODELS


def test_a_battle_whose_room_cannot_be_written_is_watched_without_votes(store, room, studio_env):
    battle_id = saved_battle(store, room)
    for leftover in studio_env.glob("arena.sqlite3*"):
        leftover.unlink()
    (studio_env / "arena.sqlite3").mkdir()
    broadcast(ArenaStore(owner=PRESENTER), room.code)(votable(battle_id))
    shown = rooms.current(room.code)
    assert shown is not None and not shown.votable


# The presenter's panel


def presenter_app() -> None:
    from lib import state
    from lib.arena import room_view
    from lib.arena.store import ArenaStore

    room_view.presenter(
        ArenaStore(owner="browser:presenter-00000000000000000000000000000000"), state.get(state.ARENA_ROOM)
    )


@pytest.fixture
def panel(studio_env: Path) -> Callable[..., AppTest]:
    def open_panel(url: str = "http://192.168.1.5:8501/arena", code: str | None = None) -> AppTest:
        at = AppTest.from_function(presenter_app, default_timeout=30)
        at.context["url"] = url
        if code is not None:
            at.session_state[state.ARENA_ROOM] = code
        return at.run()

    return open_panel


def test_the_presenter_opens_a_room_and_gets_its_join_link_and_qr_code(panel, store):
    at = panel()
    assert "Let an audience vote from their phones" in at.caption[0].value
    at.button(key=state.ARENA_ROOM_OPEN_BUTTON).click().run()
    code = at.session_state[state.ARENA_ROOM]
    assert [room.code for room in store.rooms()] == [code]
    assert at.metric[0].value == code
    assert at.code[0].value == f"http://192.168.1.5:8501/arena?room={code}"
    (qr,) = at.get("image")[0].proto.imgs
    assert qr.caption == f"Scan to join room {code}" and qr.url.endswith(".png")
    assert not at.warning and not at.exception


def test_a_presenter_on_localhost_gets_a_link_with_the_machines_network_address(panel, room, monkeypatch):
    monkeypatch.setattr(rooms, "network_host", lambda: "192.168.1.77")
    at = panel("http://localhost:8501/arena", room.code)
    assert at.code[0].value == f"http://192.168.1.77:8501/arena?room={room.code}"
    assert "`localhost`" in at.info[0].value and "192.168.1.77" in at.info[0].value


def test_a_server_that_listens_on_this_machine_only_is_explained(panel, room):
    before = config.get_option("server.address")
    config.set_option("server.address", "127.0.0.1")
    try:
        at = panel("http://localhost:8501/arena", room.code)
    finally:
        config.set_option("server.address", before)
    assert at.warning[0].value.startswith("The app accepts connections from this computer only")
    assert "--server.address 0.0.0.0" in at.warning[0].value


def test_the_live_tally_counts_each_choice_and_the_voters(panel, store, room):
    battle_id = saved_battle(store, room)
    broadcast(store, room.code)(votable(battle_id))
    for voter, choice in [("v1", "A"), ("v2", "A"), ("v3", TIE)]:
        store.room_vote(room.code, battle_id, f"browser:{voter}", choice)
    rooms.seen(room.code, "browser:v1")
    at = panel(code=room.code)
    assert [(m.label, m.value) for m in at.metric[1:]] == [
        ("Answer A", "2"),
        ("Answer B", "0"),
        ("Tie", "1"),
        ("Both are bad", "0"),
        ("Voted", "3"),
        ("Watching", "1"),
    ]


def test_before_a_battle_ended_the_tally_says_what_it_waits_for(panel, store, room):
    broadcast(store, room.code)(streaming())
    at = panel(code=room.code)
    assert "No battle to vote on yet" in at.caption[-1].value
    assert [(m.label, m.value) for m in at.metric[1:]] == [("Voted", "0"), ("Watching", "0")]


def test_closing_the_room_stops_the_votes_and_keeps_its_leaderboard(panel, store, room):
    battle_id = saved_battle(store, room)
    broadcast(store, room.code)(votable(battle_id))
    store.room_vote(room.code, battle_id, "browser:v1", "B")
    at = panel(code=room.code)
    at.button(key=state.ARENA_ROOM_CLOSE_BUTTON).click().run()
    assert store.room(room.code).closed
    assert rooms.live(room.code).closed
    assert at.info[0].value.startswith(f"Room {room.code} is closed")
    assert at.expander[0].label == "This room's leaderboard"
    board = at.expander[0].dataframe[0].value
    assert board["model"].tolist() == [MODELS[1], MODELS[0]]  # B won the room's one vote
    with pytest.raises(NotVotable):
        store.room_vote(room.code, battle_id, "browser:v2", "A")
    at.button(key=state.ARENA_ROOM_OPEN_BUTTON).click().run()
    assert at.session_state[state.ARENA_ROOM] != room.code
    assert not store.room(at.session_state[state.ARENA_ROOM]).closed


def test_the_rooms_leaderboard_is_hidden_while_the_battle_beside_it_is_blind(panel, store, room):
    battle_id = saved_battle(store, room)
    broadcast(store, room.code)(votable(battle_id))
    store.room_vote(room.code, battle_id, "browser:v1", "B")
    at = AppTest.from_function(presenter_app, default_timeout=30)
    at.context["url"] = "http://192.168.1.5:8501/arena"
    at.session_state[state.ARENA_ROOM] = room.code
    at.session_state[state.ARENA_BATTLE] = Run.new("Why is the sky blue?", [Pick(MODELS[0]), Pick(MODELS[1])])
    at.run()
    assert at.expander[0].info[0].value.startswith("Hidden while the battle is blind")
    assert not at.expander[0].dataframe
    assert not any(model in texts_of(at) for model in MODELS)
    at.session_state[state.ARENA_BATTLE].revealed = True
    at.run()
    assert at.expander[0].dataframe[0].value["model"].tolist() == [MODELS[1], MODELS[0]]


def test_someone_elses_room_is_not_presented(panel, studio_env):
    theirs = ArenaStore(owner="browser:someone-else").open_room()
    at = panel(code=theirs.code)
    assert at.warning[0].value == f"Room {theirs.code} is no longer in the database. Open a new room to go on."
    assert not at.code  # no join link, no tally of their room
    assert at.button(key=state.ARENA_ROOM_OPEN_BUTTON)


def test_a_room_that_cannot_be_opened_says_why(panel, studio_env, monkeypatch):
    at = panel()
    (studio_env / "arena.sqlite3").mkdir()  # the database's place is taken by a folder
    at.button(key=state.ARENA_ROOM_OPEN_BUTTON).click().run()
    assert "arena" in at.error[0].value.lower() and "could not be read or written" in at.error[0].value
    assert at.session_state[state.ARENA_ROOM] is None if state.ARENA_ROOM in at.session_state else True


def test_a_database_that_fails_under_the_panel_is_said_and_the_page_goes_on(panel, store, room, studio_env):
    at = panel(code=room.code)
    assert at.metric[0].value == room.code
    for leftover in studio_env.glob("arena.sqlite3*"):
        leftover.unlink()
    (studio_env / "arena.sqlite3").mkdir()  # the database cannot be opened any more
    at.run()
    assert not at.exception
    assert "could not be read or written" in at.error[0].value


def test_a_tally_that_cannot_be_read_is_said_in_a_sentence(panel, store, room, monkeypatch):
    battle_id = saved_battle(store, room)
    broadcast(store, room.code)(votable(battle_id))

    def fails(self, battle_id):
        raise StoreFailed("The arena's saved battles and votes could not be read or written (disk I/O error).")

    monkeypatch.setattr(ArenaStore, "tally", fails)
    at = panel(code=room.code)
    assert not at.exception
    assert at.error[0].value.startswith("The arena's saved battles and votes could not be read")
    assert at.button(key=state.ARENA_ROOM_CLOSE_BUTTON)  # the rest of the panel is there


def test_the_room_a_session_presents_is_its_open_room_only(store, room, monkeypatch):
    chosen: dict[str, str | None] = {state.ARENA_ROOM: None}
    monkeypatch.setattr(state, "get", chosen.get)
    assert presented_room(store) is None
    chosen[state.ARENA_ROOM] = room.code.lower()
    assert presented_room(store) == room.code
    chosen[state.ARENA_ROOM] = ArenaStore(owner="browser:someone-else").open_room().code
    assert presented_room(store) is None
    chosen[state.ARENA_ROOM] = room.code
    store.close_room(room.code)
    assert presented_room(store) is None
