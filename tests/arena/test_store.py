"""The arena's store, on SQLite and on PostgreSQL: battles round trip, owners never meet, votes count once and never
get lost; an arena file of the SQLite-only app upgraded without loss."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from contextlib import closing
from pathlib import Path
from types import SimpleNamespace

import pytest

from lib.arena.records import BOTH_BAD, TIE, Battle, Contestant, Vote
from lib.arena.store import (
    ROOM_CODE_ALPHABET,
    ArenaStore,
    NotFound,
    NotVotable,
    Room,
    StoreFailed,
    StoreUnavailable,
)
from lib.chat import store as chat_store
from lib.ollama.stats import RunStats
from lib.ollama.stream import CUT_OFF, DONE, FAILED, STOPPED
from tests.storage import make_fixtures
from tests.storage.backends import POSTGRESQL, SQLITE, Backend
from tests.storage.schema import differences

FIXTURE = Path(__file__).parents[1] / "storage" / "fixtures" / "v_current" / "arena.sqlite3"


@pytest.fixture
def alice(backend: Backend) -> ArenaStore:
    return ArenaStore(owner="alice")


@pytest.fixture
def bob(backend: Backend) -> ArenaStore:
    return ArenaStore(owner="bob")


def battle(*models: str, room: str | None = None, tags: tuple[str, ...] = (), created_at: float = 0.0, **kw) -> Battle:
    models = models or ("llama3.2", "qwen3")
    return Battle(
        "Why is the sky blue?",
        tuple(Contestant("ABCD"[i], model, content=f"answer {i}", **kw) for i, model in enumerate(models)),
        tags=tags,
        room=room,
        created_at=created_at,
    )


def test_the_database_is_in_wal_mode_in_the_data_dir_at_the_newest_revision(monkeypatch, tmp_path):
    monkeypatch.setenv("OLLAMA_STUDIO_DATA_DIR", str(tmp_path / "nested" / "dir"))
    store = ArenaStore(owner="alice")
    store.save_battle(battle())
    assert store.path == tmp_path / "nested" / "dir" / "arena.sqlite3"
    with closing(sqlite3.connect(store.path)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT version_num FROM alembic_version_arena").fetchall() == [("arena_0003",)]
    again = ArenaStore(store.path, owner="alice")  # opening it again keeps what it holds
    again.ready()
    assert len(again.battles()) == 1


@pytest.mark.parametrize("count", [2, 3, 4])
def test_a_battle_of_two_to_four_columns_round_trips(alice, count):
    statuses = (DONE, STOPPED, CUT_OFF, DONE)
    saved = Battle(
        "Ünïcode prompt: 天空为什么是蓝色的？ 🌈\n\nLine two",
        tuple(
            Contestant(
                "ABCD"[i],
                f"model-{i}:latest",
                settings={"options": {"temperature": 0.1 * i, "stop": ["END"]}, "system": "简短", "think": i % 2 == 0},
                content="" if i == 1 else f"答案 {i} **bold**",
                thinking="" if i == 0 else f"thinking {i}",
                status=statuses[i],
                error="timed out" if i == 2 else "",
                stats=RunStats(time_to_first_token=0.25 * (i + 1), first_token_measured=True, output_tokens=10 + i)
                if i != 1
                else None,
                size=None if i == 2 else 2_000_000_000 + i,
            )
            for i in range(count)
        ),
        tags=("coding", "中文"),
        created_at=1_700_000_000.5,
    )
    battle_id = alice.save_battle(saved)
    loaded = alice.battle(battle_id)
    assert loaded == Battle(saved.prompt, saved.contestants, saved.tags, None, saved.created_at, battle_id)
    assert [contestant.letter for contestant in loaded.contestants] == list("ABCD"[:count])


def test_empty_texts_and_no_tags_round_trip_and_a_battle_without_a_time_is_saved_now(alice):
    saved = Battle("", (Contestant("A", "a", content=""), Contestant("B", "b", content="", thinking="")))
    loaded = alice.battle(alice.save_battle(saved))
    assert (loaded.prompt, loaded.tags, [c.content for c in loaded.contestants]) == ("", (), ["", ""])
    assert loaded.created_at > 1_600_000_000


@pytest.mark.parametrize(
    "letters",
    [("A",), ("A", "B", "C", "D", "A"), ("A", "A"), ("A", "E")],
)
def test_a_battle_that_is_not_two_to_four_distinct_columns_is_refused(alice, letters):
    with pytest.raises(ValueError):
        alice.save_battle(Battle("p", tuple(Contestant(letter, "m") for letter in letters)))
    assert alice.battles() == []


def test_a_battle_can_be_saved_only_in_a_room_of_its_owner(alice, bob):
    room = bob.open_room()
    with pytest.raises(NotFound):
        alice.save_battle(battle(room=room.code))
    with pytest.raises(NotFound):
        alice.save_battle(battle(room="NOPE22"))
    with pytest.raises(NotFound):
        alice.save_battle(battle(room=room.code.lower()))
    assert alice.battles() == [] and alice.battles(room=room.code) == []
    assert bob.battle(bob.save_battle(battle(room=room.code.lower()))).room == room.code


def test_an_owner_never_sees_or_changes_another_owners_battles_votes_or_rooms(alice, bob):
    mine = alice.save_battle(battle(tags=("coding",)))
    room = alice.open_room()
    in_room = alice.save_battle(battle(room=room.code))
    alice.vote(mine, "alice", "A")
    assert bob.battle(mine) is None
    assert bob.battles() == [] and bob.battles(tag="coding") == [] and bob.battles(room=room.code) == []
    assert bob.votes() == [] and bob.votes(room=room.code) == []
    assert bob.rooms() == []
    with pytest.raises(NotVotable) as refused:
        bob.vote(mine, "bob", "B")
    assert refused.value.reason == "unknown"
    assert bob.forget() == 0 and bob.forget(room=room.code) == 0
    with pytest.raises(NotFound):
        bob.show_in_room(room.code, None)
    with pytest.raises(NotFound):
        bob.close_room(room.code)
    bob_room = bob.open_room()
    with pytest.raises(NotFound):  # bob's room, alice's battle
        bob.show_in_room(bob_room.code, in_room)
    assert bob.voter_choice(mine, "alice") is None and bob.tally(mine) == {}
    # Alice's things are untouched.
    assert [b.id for b in alice.battles()] == [mine] and [b.id for b in alice.battles(room=room.code)] == [in_room]
    assert alice.votes() == [Vote(mine, "alice", "A", alice.votes()[0].created_at)]
    assert alice.room(room.code) == Room(room.code, "alice", room.created_at, None, None)
    assert alice.rooms() == [room]


def test_filters_by_room_tag_and_time_oldest_first(alice):
    room = alice.open_room()
    early = alice.save_battle(battle(tags=("coding",), created_at=1000.0))
    late = alice.save_battle(battle(tags=("coding", "中文"), created_at=3000.0))
    middle = alice.save_battle(battle(tags=("中文",), created_at=2000.0))
    in_room = alice.save_battle(battle(room=room.code, tags=("coding",), created_at=2500.0))
    for battle_id in (early, late, middle):
        alice.vote(battle_id, "alice", TIE)
    alice.vote(in_room, "alice", "B")

    def ids(**filters):
        return [b.id for b in alice.battles(**filters)], [v.battle_id for v in alice.votes(**filters)]

    assert ids() == ([early, middle, late], [early, late, middle])  # votes in the order they were cast
    assert ids(tag="coding") == ([early, late], [early, late])
    assert ids(tag="中文", since=2500.0) == ([late], [late])
    assert ids(since=2000.0) == ([middle, late], [late, middle])
    assert ids(tag="nothing") == ([], [])
    assert ids(room=room.code) == ([in_room], [in_room])
    assert ids(room=room.code.lower(), tag="coding") == ([in_room], [in_room])
    assert ids(room="ZZZZZZ") == ([], [])
    assert ids(room="not a code") == ([], [])


def test_a_repeated_vote_counts_once_and_the_first_stands(alice):
    battle_id = alice.save_battle(battle())
    assert alice.vote(battle_id, "alice", "A") is True
    assert alice.vote(battle_id, "alice", "B") is False
    assert alice.vote(battle_id, "alice", "A") is False
    assert [(v.voter, v.choice) for v in alice.votes()] == [("alice", "A")]
    assert alice.voter_choice(battle_id, "alice") == "A"


@pytest.mark.parametrize("choice", ["E", "C", "", "a", "TIE", "both bad"])
def test_a_choice_the_battle_does_not_offer_is_refused(alice, choice):
    battle_id = alice.save_battle(battle())
    with pytest.raises(NotVotable) as refused:
        alice.vote(battle_id, "alice", choice)
    assert refused.value.reason == "choice"
    assert alice.votes() == []


def test_every_choice_of_a_four_column_battle_is_a_vote(alice):
    battle_id = alice.save_battle(battle("a", "b", "c", "d"))
    for voter, choice in enumerate(("A", "B", "C", "D", TIE, BOTH_BAD)):
        assert alice.vote(battle_id, f"v{voter}", choice)
    assert alice.tally(battle_id) == {"A": 1, "B": 1, "C": 1, "D": 1, TIE: 1, BOTH_BAD: 1}


def test_a_battle_with_a_failed_column_records_no_vote(alice):
    failed = Battle("p", (Contestant("A", "a"), Contestant("B", "b", status=FAILED, error="model 'b' not found")))
    battle_id = alice.save_battle(failed)
    assert alice.battle(battle_id).failed
    with pytest.raises(NotVotable) as refused:
        alice.vote(battle_id, "alice", "A")
    assert refused.value.reason == "failed"
    room = alice.open_room()
    in_room = alice.save_battle(Battle("p", failed.contestants, room=room.code))
    alice.show_in_room(room.code, in_room)
    with pytest.raises(NotVotable) as refused:
        alice.room_vote(room.code, in_room, "voter", "A")
    assert refused.value.reason == "failed"
    assert alice.votes() == [] and alice.votes(room=room.code) == []


def test_a_vote_on_an_unknown_battle_is_refused(alice):
    with pytest.raises(NotVotable) as refused:
        alice.vote(12345, "alice", "A")
    assert refused.value.reason == "unknown"


def test_forget_deletes_the_battles_and_their_votes_outside_rooms_or_of_one_room(alice, backend):
    room = alice.open_room()
    other_room = alice.open_room()
    solo = [alice.save_battle(battle()) for _ in range(3)]
    in_room = alice.save_battle(battle(room=room.code))
    in_other = alice.save_battle(battle(room=other_room.code))
    for battle_id in (*solo, in_room, in_other):
        alice.vote(battle_id, "alice", "A")
    alice.show_in_room(room.code, in_room)
    assert alice.forget() == 3
    assert alice.battles() == [] and alice.votes() == []
    assert [b.id for b in alice.battles(room=room.code)] == [in_room]
    assert alice.forget(room=room.code.lower()) == 1
    assert alice.battles(room=room.code) == [] and alice.votes(room=room.code) == []
    assert alice.room(room.code).current_battle is None  # the room no longer shows a forgotten battle
    assert [b.id for b in alice.battles(room=other_room.code)] == [in_other] and len(
        alice.votes(room=other_room.code)
    ) == 1
    assert backend.execute(ArenaStore, "SELECT COUNT(*) FROM votes") == [(1,)]
    assert backend.execute(ArenaStore, "SELECT COUNT(*) FROM contestants") == [(2,)]


# Rooms


def test_room_codes_are_six_unambiguous_characters_unique_and_found_in_any_case(alice, bob):
    assert not set("0O1IL") & set(ROOM_CODE_ALPHABET)
    assert ROOM_CODE_ALPHABET.isupper() and len(set(ROOM_CODE_ALPHABET)) == len(ROOM_CODE_ALPHABET) == 31
    rooms = [alice.open_room() for _ in range(40)]
    codes = [room.code for room in rooms]
    assert len(set(codes)) == 40
    assert all(len(code) == 6 and set(code) <= set(ROOM_CODE_ALPHABET) for code in codes)
    assert len(set("".join(codes))) > 20  # drawn at random, not a counter
    room = rooms[0]
    assert (room.owner, room.closed_at, room.current_battle, room.closed) == ("alice", None, None, False)
    assert bob.room(room.code.lower()) == room == bob.room(f"  {room.code} ")
    assert bob.room(next(code[::-1] for code in codes if code[::-1] not in codes)) is None
    assert bob.room("") is None and bob.room("ABC") is None and bob.room("O0I1L!") is None
    assert alice.rooms() == rooms[::-1]


def test_a_code_that_is_taken_is_drawn_again(alice, bob, monkeypatch):
    taken = alice.open_room().code
    drawn = iter([taken, taken, "NEWONE".replace("O", "P")])
    monkeypatch.setattr("lib.arena.store.new_code", lambda: next(drawn))
    assert bob.open_room().code == "NEWPNE"
    assert bob.room(taken).owner == "alice"
    monkeypatch.setattr("lib.arena.store.new_code", lambda: taken)
    with pytest.raises(StoreFailed, match="no free room code"):
        bob.open_room()
    assert [room.code for room in bob.rooms()] == ["NEWPNE"]


def test_rooms_are_the_owners_newest_first(alice, bob, monkeypatch):
    times = iter([100.0, 300.0, 200.0, 400.0])
    # The store's clock only: the database's connection pool reads the time too.
    monkeypatch.setattr("lib.arena.store.time", SimpleNamespace(time=lambda: next(times)))
    first, second, third = alice.open_room(), alice.open_room(), alice.open_room()
    bob.open_room()
    assert alice.rooms() == [second, third, first]


def test_a_room_vote_counts_only_on_the_open_rooms_current_battle(alice):
    room = alice.open_room()
    shown = alice.save_battle(battle(room=room.code))
    other = alice.save_battle(battle(room=room.code))
    with pytest.raises(NotVotable) as refused:  # nothing shown yet
        alice.room_vote(room.code, shown, "v1", "A")
    assert refused.value.reason == "not_current"
    alice.show_in_room(room.code, shown)
    assert alice.room(room.code).current_battle == shown
    stranger = ArenaStore()  # a voter needs no owner, only the code
    assert ArenaStore(owner="v1").room_vote(room.code.lower(), shown, "v1", "A") is True
    assert stranger.room_vote(room.code, shown, "v1", "B") is False  # a vote sent twice counts once
    with pytest.raises(NotVotable) as refused:
        stranger.room_vote(room.code, other, "v2", "A")
    assert refused.value.reason == "not_current"
    with pytest.raises(NotVotable) as refused:
        stranger.room_vote(room.code, shown, "v2", "C")
    assert refused.value.reason == "choice"
    with pytest.raises(NotVotable) as refused:
        stranger.room_vote("ZZZZZZ", shown, "v2", "A")
    assert refused.value.reason == "unknown"
    alice.show_in_room(room.code, other)  # the presenter moves on: the old battle takes no more votes
    with pytest.raises(NotVotable) as refused:
        stranger.room_vote(room.code, shown, "v2", "A")
    assert refused.value.reason == "not_current"
    assert stranger.room_vote(room.code, other, "v2", TIE)
    assert [(v.battle_id, v.voter, v.choice) for v in alice.votes(room=room.code)] == [
        (shown, "v1", "A"),
        (other, "v2", TIE),
    ]
    alice.show_in_room(room.code, None)
    assert alice.room(room.code).current_battle is None


def test_a_battle_run_outside_the_room_cannot_be_shown_in_it(alice):
    room = alice.open_room()
    solo = alice.save_battle(battle())
    with pytest.raises(NotFound):
        alice.show_in_room(room.code, solo)
    with pytest.raises(NotFound):
        alice.show_in_room(room.code, 999)
    assert alice.room(room.code).current_battle is None


def test_a_closed_room_refuses_votes(alice):
    room = alice.open_room()
    shown = alice.save_battle(battle(room=room.code))
    alice.show_in_room(room.code, shown)
    assert alice.room_vote(room.code, shown, "v1", "A")
    alice.close_room(room.code.lower())
    closed = alice.room(room.code)
    assert closed.closed and closed.closed_at >= room.created_at and closed.current_battle == shown
    for voter in ("v1", "v2"):
        with pytest.raises(NotVotable) as refused:
            ArenaStore(owner=voter).room_vote(room.code, shown, voter, "B")
        assert refused.value.reason == "closed"
    with pytest.raises(NotVotable) as refused:  # nor does the presenter's own vote go in
        alice.vote(shown, "alice", "B")
    assert refused.value.reason == "closed"
    alice.close_room(room.code)  # closing again keeps the first closing time
    assert alice.room(room.code).closed_at == closed.closed_at
    assert alice.tally(shown) == {"A": 1}
    assert [v.voter for v in alice.votes(room=room.code)] == ["v1"]


def test_ten_voters_voting_at_the_same_moment_all_count(alice):
    room = alice.open_room()
    shown = alice.save_battle(battle(room=room.code))
    alice.show_in_room(room.code, shown)
    start = threading.Barrier(10)
    results: list[bool] = []
    errors: list[BaseException] = []

    def vote(number: int) -> None:
        store = ArenaStore(owner=f"voter-{number}")  # one store per browser session
        start.wait()
        try:
            results.append(store.room_vote(room.code, shown, f"voter-{number}", "AB"[number % 2]))
            results.append(store.room_vote(room.code, shown, f"voter-{number}", "A"))  # sent twice
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=vote, args=(number,)) for number in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == [False] * 10 + [True] * 10
    assert alice.tally(shown) == {"A": 5, "B": 5}
    assert len({v.voter for v in alice.votes(room=room.code)}) == 10


def test_voter_choice_and_tally_reveal_only_a_rooms_current_battle_to_others(alice, bob):
    room = alice.open_room()
    shown = alice.save_battle(battle(room=room.code))
    hidden = alice.save_battle(battle(room=room.code))
    solo = alice.save_battle(battle())
    alice.vote(solo, "alice", "A")
    alice.show_in_room(room.code, hidden)
    alice.show_in_room(room.code, shown)
    voter = ArenaStore(owner="v1")
    assert voter.voter_choice(shown, "v1") is None and voter.tally(shown) == {}
    voter.room_vote(room.code, shown, "v1", BOTH_BAD)
    ArenaStore(owner="v2").room_vote(room.code, shown, "v2", BOTH_BAD)
    assert voter.voter_choice(shown, "v1") == BOTH_BAD  # kept over a reload
    assert voter.voter_choice(shown, "v3") is None
    assert voter.tally(shown) == {BOTH_BAD: 2} == alice.tally(shown)
    # Not the room's current battle, or not in a room at all: nothing to see for others.
    assert bob.tally(solo) == {} and bob.voter_choice(solo, "alice") is None
    assert bob.tally(hidden) == {}
    assert alice.tally(solo) == {"A": 1} and alice.voter_choice(solo, "alice") == "A"
    assert alice.tally(999) == {} and alice.voter_choice(999, "alice") is None


def test_a_vote_needs_a_voter(alice):
    battle_id = alice.save_battle(battle())
    with pytest.raises(ValueError):
        alice.vote(battle_id, "", "A")
    assert alice.votes() == []


# Failures are sentences


def test_a_database_that_cannot_be_opened_says_where_and_what_to_do(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    store = ArenaStore(blocker / "arena.sqlite3", owner="alice")
    with pytest.raises(StoreUnavailable) as unavailable:
        store.ready()
    assert str(blocker) in str(unavailable.value) and "OLLAMA_STUDIO_DATA_DIR" in str(unavailable.value)
    assert "Arena" in str(unavailable.value)
    with pytest.raises(StoreFailed) as failed:
        store.battles()
    assert str(failed.value).startswith("The arena's saved battles")
    # Kinds of the chats' errors, so the entry script and pages that catch those show these too.
    assert isinstance(unavailable.value, chat_store.StoreUnavailable) and isinstance(
        failed.value, chat_store.StoreFailed
    )


def test_a_file_that_is_not_a_database_is_a_sentence(tmp_path):
    path = tmp_path / "arena.sqlite3"
    path.write_bytes(b"this is not an SQLite database, just some text that fills a page" * 100)
    with pytest.raises(StoreUnavailable, match="file is not a database"):
        ArenaStore(path).ready()


def fail_inserts(backend: Backend, table: str, when: str, how: str = "ABORT") -> None:
    """From now on, an insert into ``table`` fails as a full disk would (``when``: BEFORE or AFTER the row)."""
    name = f"full_{table}"
    if backend.name == SQLITE:
        trigger = (
            f"CREATE TRIGGER {name} {when} INSERT ON {table} BEGIN SELECT RAISE({how}, 'database or disk is full'); END"
        )
        backend.execute(ArenaStore, trigger)
    else:
        backend.execute(
            ArenaStore,
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'database or disk is full'; END $$",
        )
        backend.execute(
            ArenaStore, f"CREATE TRIGGER {name} {when} INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()"
        )


@pytest.mark.parametrize("how", ["ABORT", "FAIL"])  # SQLite's FAIL keeps what the statement did before: rolled back
def test_a_write_that_fails_is_a_sentence_and_saves_nothing(alice, backend, how):
    if backend.name == POSTGRESQL and how == "FAIL":
        pytest.skip("FAIL is SQLite's kind of error; PostgreSQL has one kind")
    battle_id = alice.save_battle(battle())
    fail_inserts(backend, "votes", "BEFORE", how)
    fail_inserts(backend, "contestants", "AFTER", how)
    with pytest.raises(StoreFailed, match=r"\(database or disk is full"):
        alice.vote(battle_id, "alice", "A")
    with pytest.raises(StoreFailed, match=r"\(database or disk is full"):
        alice.save_battle(battle())
    assert [b.id for b in alice.battles()] == [battle_id]  # the battle with no contestants was rolled back
    assert alice.votes() == []


def test_columns_written_by_hand_are_read_without_failing(alice, backend):
    battle_id = alice.save_battle(battle(stats=RunStats(output_tokens=3)))
    backend.execute(ArenaStore, "UPDATE battles SET tags = 'not json', prompt = 42 WHERE id = :id", id=battle_id)
    # A column of SQLite holds anything; PostgreSQL's integer holds a number, and a size is never negative.
    size = "'big'" if backend.name == SQLITE else "-5"
    backend.execute(
        ArenaStore,
        "UPDATE contestants SET settings = '[1]', stats = '{\"output_tokens\": \"many\"}', "
        f"size = {size}, content = 7 WHERE battle_id = :id AND position = 0",
        id=battle_id,
    )
    loaded = alice.battle(battle_id)
    assert (loaded.prompt, loaded.tags) == ("42", ())
    first = loaded.contestants[0]
    assert (first.settings, first.stats, first.size, first.content) == ({}, RunStats(), None, "7")
    assert loaded.contestants[1].stats == RunStats(output_tokens=3)


def test_take_over_moves_one_owners_battles_and_rooms_and_no_one_elses(backend):
    browser, other = ArenaStore(owner="browser:ann"), ArenaStore(owner="browser:bob")
    code = browser.open_room().code
    mine = [browser.save_battle(battle("a", "b")), browser.save_battle(battle("a", "b", room=code))]
    browser.vote(mine[0], "browser:ann", "A")
    theirs = other.save_battle(battle("c", "d"))
    account = ArenaStore(owner="user:ann")
    assert account.take_over("browser:ann") == 2
    assert account.take_over("browser:ann") == 0
    assert [b.id for b in account.battles()] == [mine[0]] and [b.id for b in account.battles(room=code)] == [mine[1]]
    assert [room.code for room in account.rooms()] == [code] and browser.battles() == [] and browser.rooms() == []
    assert [vote.choice for vote in account.votes()] == ["A"]
    assert [b.id for b in other.battles()] == [theirs] and account.battle(theirs) is None
    with pytest.raises(ValueError):
        ArenaStore().take_over("browser:ann")


# Both databases


def test_a_model_of_many_gigabytes_keeps_its_size(alice):
    """A size in bytes passes 2**31 (PostgreSQL's integer) for any model of a few gigabytes."""
    saved = battle("llama3.3:70b", "qwen3:0.6b", size=42_520_412_160)
    assert [c.size for c in alice.battle(alice.save_battle(saved)).contestants] == [42_520_412_160] * 2


def test_rooms_opened_in_the_same_instant_are_listed_newest_first(alice, monkeypatch):
    monkeypatch.setattr("lib.arena.store.time.time", lambda: 1_760_000_000.0)
    rooms = [alice.open_room() for _ in range(6)]
    assert alice.rooms() == rooms[::-1]


def test_the_database_equals_the_declared_tables(alice):
    alice.open_room()
    assert differences(alice) == []


# An arena file of the SQLite-only app

TABLES = {
    "rooms": "code, owner, created_at, closed_at, current_battle",
    "battles": "id, owner, prompt, tags, room, created_at",
    "contestants": "battle_id, position, letter, model, settings, content, thinking, status, error, stats, size",
    "votes": "id, battle_id, voter, choice, created_at",
}


def raw_rows(path: Path) -> dict[str, list[tuple]]:
    """Every column the SQLite-only app wrote, of every row of every table."""
    with closing(sqlite3.connect(path)) as db:
        return {
            table: db.execute(f"SELECT {columns} FROM {table} ORDER BY 1, 2").fetchall()
            for table, columns in TABLES.items()
        }


def test_an_arena_of_the_sqlite_only_app_is_upgraded_in_place_without_loss(tmp_path):
    path = tmp_path / "arena.sqlite3"  # the same file name as ever, in the data folder (the test's)
    shutil.copy(FIXTURE, path)
    before = raw_rows(path)
    alice = ArenaStore(owner=make_fixtures.ALICE)
    (room,) = alice.rooms()
    assert room.closed and room.owner == make_fixtures.ALICE
    (in_room,) = alice.battles(room=room.code)
    assert room.current_battle == in_room.id
    assert (in_room.prompt, in_room.tags, in_room.created_at) == ("Which is larger?", ("maths", "quick"), 1_760_000_400)
    first = in_room.contestants[0]
    assert (first.letter, first.model, first.content, first.thinking, first.stats, first.size) == (
        "A",
        "qwen3:0.6b",
        "Answer A",
        "thinking A",
        make_fixtures.STATS,
        522_000_000,
    )
    assert first.settings == {
        "options": {"temperature": 0.2},
        "system": "Be fair.",
        "think": "low",
        "server": make_fixtures.SERVER,
    }
    assert (in_room.contestants[1].status, in_room.contestants[1].size) == ("stopped", None)
    assert [(v.voter, v.choice) for v in alice.votes(room=room.code)] == [("voter-1", "A"), ("voter-2", "tie")]
    haiku, hi = alice.battles()
    assert [c.letter for c in haiku.contestants] == ["B", "C", "A"] and haiku.failed
    assert (haiku.contestants[1].error, haiku.contestants[1].size) == ("The server is unreachable.", 815_000_000)
    assert (hi.prompt, hi.tags) == ("Say hi", ("greeting",))
    assert [(v.battle_id, v.voter, v.choice) for v in alice.votes()] == [(hi.id, "alice", "bad")]
    assert alice.tally(in_room.id) == {"A": 1, "tie": 1}
    assert [b.prompt for b in ArenaStore(owner=make_fixtures.BROWSER).battles()] == ["Browser's battle"]
    assert raw_rows(path) == before  # every column of every row, as it was
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT version_num FROM alembic_version_arena").fetchall() == [("arena_0003",)]
        assert db.execute("SELECT number FROM rooms").fetchall() == [(1,)]
    assert differences(ArenaStore()) == []
    # And it goes on: a new room comes after the old one, a new battle and vote go in.
    new_room = alice.open_room()
    assert alice.rooms() == [new_room, room]
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT number FROM rooms WHERE code = ?", (new_room.code,)).fetchall() == [(2,)]
    alice.vote(alice.save_battle(battle()), "alice", "B")
    assert len(raw_rows(path)["votes"]) == len(before["votes"]) + 1
