import pytest

from lib.arena.records import BOTH_BAD, SERVER, TIE, Battle, Contestant, Result, pairwise
from lib.ollama.stream import FAILED


def battle(*models: str, statuses: tuple[str, ...] = ()) -> Battle:
    letters = "ABCD"
    return Battle(
        "Why is the sky blue?",
        tuple(
            Contestant(letters[i], model, status=statuses[i] if statuses else "done") for i, model in enumerate(models)
        ),
    )


def test_a_pick_between_two_is_one_win():
    assert pairwise(battle("llama", "qwen"), "B") == [Result("qwen", "llama", 1.0)]


def test_a_best_pick_among_four_beats_each_of_the_others():
    results = pairwise(battle("a", "b", "c", "d"), "C")
    assert results == [Result("c", "a", 1.0), Result("c", "b", 1.0), Result("c", "d", 1.0)]


@pytest.mark.parametrize("choice", [TIE, BOTH_BAD])
def test_a_tie_or_both_bad_is_a_draw_between_every_pair(choice):
    results = pairwise(battle("a", "b", "c"), choice)
    assert results == [Result("a", "b", 0.5), Result("a", "c", 0.5), Result("b", "c", 0.5)]


def test_the_same_model_twice_plays_no_game_against_itself():
    assert pairwise(battle("a", "a"), TIE) == []
    assert pairwise(battle("a", "a", "b"), "A") == [Result("a", "b", 1.0)]


def test_a_choice_the_battle_does_not_offer_is_refused():
    with pytest.raises(ValueError):
        pairwise(battle("a", "b"), "C")


def test_a_failed_column_marks_the_battle_failed_and_choices_list_letters_then_tie_and_bad():
    assert battle("a", "b", statuses=("done", FAILED)).failed
    assert not battle("a", "b").failed
    assert battle("a", "b").choices == ("A", "B", TIE, BOTH_BAD)


def test_a_contestants_server_is_read_from_its_settings_apart_from_the_request_fields():
    contestant = Contestant("A", "qwen3:0.6b", {"think": False, SERVER: "http://10.0.0.7:11434"})
    assert contestant.server == "http://10.0.0.7:11434"
    assert contestant.request_settings == {"think": False}
    assert Contestant("A", "qwen3:0.6b", {"think": False}).server == ""  # saved before servers were recorded
    assert Contestant("A", "qwen3:0.6b", {SERVER: 7}).server == ""  # a stored value of the wrong type
