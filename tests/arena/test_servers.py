"""Which server each contestant ran on, and the arena's names for them (lib/arena/servers.py)."""

from __future__ import annotations

from lib.arena import leaderboard, servers
from lib.arena.records import SERVER, Battle, Contestant, Result, pairwise
from lib.fleet.servers import Server
from tests.arena.boards import vote

LAPTOP, GPU = "http://127.0.0.1:11434", "http://10.0.0.7:11434"
FLEET = [Server(LAPTOP, "laptop", True), Server(GPU, "gpu", True)]
ONE = [Server(LAPTOP, "laptop", True)]


def battle(battle_id: int, *columns: tuple[str, str]) -> Battle:
    contestants = tuple(
        Contestant("ABCD"[index], model, {SERVER: url} if url else {}) for index, (model, url) in enumerate(columns)
    )
    return Battle("Why?", contestants, id=battle_id)


def test_columns_are_named_with_their_server_only_when_there_are_several():
    picks = [("qwen3:0.6b", LAPTOP), ("qwen3:0.6b", GPU)]
    assert servers.names(picks, FLEET, LAPTOP) == ("qwen3:0.6b · laptop", "qwen3:0.6b · gpu")
    assert servers.names([("a", LAPTOP), ("b", LAPTOP)], ONE, LAPTOP) == ("a", "b")  # one server: as before
    assert servers.names([("a", LAPTOP), ("b", LAPTOP)], FLEET, LAPTOP) == ("a · laptop", "b · laptop")
    # A server no longer in the session is named after its host; so the two never share a name.
    assert servers.names([("a", LAPTOP), ("a", GPU)], ONE, LAPTOP) == ("a · laptop", "a · 10.0.0.7")


def test_a_battle_saved_without_servers_counts_as_run_on_the_sidebars_server():
    assert servers.place("", GPU) == GPU and servers.place(LAPTOP, GPU) == LAPTOP
    assert servers.names([("a", ""), ("b", "")], ONE, LAPTOP) == ("a", "b")
    assert servers.names([("a", ""), ("b", GPU)], FLEET, LAPTOP) == ("a · laptop", "b · gpu")


def test_the_same_model_on_two_servers_is_two_leaderboard_entries_that_play_each_other():
    battles = [battle(1, ("qwen3:0.6b", LAPTOP), ("qwen3:0.6b", GPU)), battle(2, ("qwen3:0.6b", ""), ("llama3.2", ""))]
    named = servers.entries(battles, FLEET, LAPTOP)
    assert [c.model for c in named[0].contestants] == ["qwen3:0.6b · laptop", "qwen3:0.6b · gpu"]
    assert [c.model for c in named[1].contestants] == ["qwen3:0.6b · laptop", "llama3.2 · laptop"]
    assert named[0].contestants[0].settings == {SERVER: LAPTOP}  # nothing else changes
    assert pairwise(named[0], "B") == [Result("qwen3:0.6b · gpu", "qwen3:0.6b · laptop", 1.0)]
    board = leaderboard.board(named, [vote(1, "B"), vote(2, "A")], rounds=10)
    assert {row.model for row in board.rows} == {"qwen3:0.6b · laptop", "qwen3:0.6b · gpu", "llama3.2 · laptop"}


def test_with_one_server_the_entries_are_the_models_as_before():
    battles = [battle(1, ("a", ""), ("b", "")), battle(2, ("a", LAPTOP), ("b", LAPTOP))]
    named = servers.entries(battles, ONE, LAPTOP)
    assert [[c.model for c in b.contestants] for b in named] == [["a", "b"], ["a", "b"]]


def test_a_servers_mentions_are_every_way_an_error_may_name_it():
    assert set(servers.mentions(GPU, FLEET)) == {"http://10.0.0.7:11434", "10.0.0.7", "gpu"}
    assert set(servers.mentions("http://127.0.0.1:11434", FLEET)) >= {"127.0.0.1", "localhost", "laptop"}
    assert servers.mentions("", FLEET) == ()
