"""A battle's logic (lib/arena/battle.py): the draw, the shuffle, the record, the vote and what voters see."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from lib.arena import battle as battle_module
from lib.arena.battle import (
    Pick,
    PromptLine,
    Run,
    choices,
    draw_prompt,
    masked_values,
    parse_prompts,
    parse_tags,
    shuffled,
    surprise,
    surprise_on_servers,
)
from lib.arena.records import BOTH_BAD, SERVER, TIE, Battle, Contestant
from lib.fleet.models import ModelRef
from lib.ollama.errors import ResponseError
from lib.ollama.stream import DONE, FAILED, GENERATE, STOPPED, UNFINISHED, Answer

PICKS = (Pick("llama3.2:latest", {"options": {"temperature": 0.2}}, 2_000), Pick("qwen3:0.6b", {"think": False}, 500))
FINAL = {"done": True, "done_reason": "stop", "eval_count": 10, "eval_duration": 500_000_000}


def ended(run: Run, *answers: Answer) -> Run:
    run.answers = answers
    run.started = True
    return run


def word(error) -> str:
    return f"failed: {error.values['message']}"


# Tags and prompt lists


def test_tags_are_split_on_commas_and_spaces_without_their_hash_each_once():
    assert parse_tags("#coding, 中文  reasoning，Coding;#math") == ("coding", "中文", "reasoning", "math")
    assert parse_tags("  , # ,") == ()


def test_a_prompt_list_takes_tags_only_from_the_end_of_a_line():
    text = "Write a haiku about rain #poetry #Short\n\n  What does C# add to C?  \n#only #tags\nSort in Go #coding"
    assert parse_prompts(text) == [
        PromptLine("Write a haiku about rain", ("poetry", "short")),
        PromptLine("What does C# add to C?"),
        PromptLine("Sort in Go", ("coding",)),
    ]


def test_drawing_a_prompt_picks_any_line_and_nothing_from_an_empty_list():
    lines = parse_prompts("one\ntwo\nthree")
    drawn = {draw_prompt(lines, random.Random(seed)) for seed in range(40)}
    assert drawn == set(lines)
    assert draw_prompt([]) is None


# Surprise me


def test_surprise_draws_two_different_local_models_and_every_pair_comes_up():
    names = ["a", "b", "c", "cloud-1"]
    pairs = {surprise(names, remote={"cloud-1"}, rng=random.Random(seed)) for seed in range(200)}
    assert all(pair is not None and pair[0] != pair[1] for pair in pairs)
    assert {frozenset(pair) for pair in pairs if pair} == {frozenset("ab"), frozenset("ac"), frozenset("bc")}


def test_surprise_takes_a_failing_then_a_cloud_model_only_when_nothing_else_is_left():
    assert set(surprise(["a", "broken", "cloud"], remote={"cloud"}, failing={"broken"}) or ()) == {"a", "broken"}
    assert set(surprise(["a", "cloud"], remote={"cloud"}) or ()) == {"a", "cloud"}
    assert surprise(["a"]) is None
    assert surprise(["a", "a"]) is None  # one model listed twice is still one model


# The columns


def test_the_order_is_uniformly_random_including_the_set_up_order():
    seen = Counter(tuple(pick.model for pick in shuffled(PICKS, random.Random(seed))) for seed in range(400))
    assert set(seen) == {("llama3.2:latest", "qwen3:0.6b"), ("qwen3:0.6b", "llama3.2:latest")}
    assert min(seen.values()) > 150  # not always swapped: a swap every time would give the order away


def test_a_new_battle_is_shuffled_with_a_system_random_source_and_a_new_key(monkeypatch):
    calls = []
    monkeypatch.setattr("lib.arena.battle._SYSTEM_RANDOM.shuffle", lambda items: calls.append(list(items)))
    first, second = Run.new("Why?", PICKS), Run.new("Why?", PICKS)
    assert isinstance(battle_module._SYSTEM_RANDOM, random.SystemRandom)
    assert len(calls) == 2 and first.key != second.key and len(first.key) >= 16


@pytest.mark.parametrize("count", [1, 5])
def test_a_battle_has_two_to_four_models(count):
    with pytest.raises(ValueError, match="2 to 4"):
        Run("Why?", tuple(Pick(f"m{i}") for i in range(count)))


def test_each_column_asks_generate_with_the_prompt_and_its_own_settings():
    run = Run("Why is the sky blue?", PICKS)
    requests = run.requests()
    assert [(r.endpoint, r.model, r.fields) for r in requests] == [
        (GENERATE, "llama3.2:latest", {"prompt": "Why is the sky blue?", "options": {"temperature": 0.2}}),
        (GENERATE, "qwen3:0.6b", {"prompt": "Why is the sky blue?", "think": False}),
    ]
    assert run.letters == ("A", "B") and run.choices == ("A", "B", TIE, BOTH_BAD)
    assert choices(4) == ("A", "B", "C", "D", TIE, BOTH_BAD)


# Ending, the record and the vote


def test_a_battle_ends_when_every_answer_is_done_stopped_or_failed():
    run = Run("Why?", PICKS)
    assert not run.ended  # not started
    run.started = True
    run.answers[0].add({"response": "Blue", **FINAL}, 0.1)
    assert not run.ended and run.statuses == (DONE, UNFINISHED)
    run.answers[1].stopped = True
    assert run.ended and run.statuses == (DONE, STOPPED)
    with pytest.raises(ValueError, match="no vote"):
        run.vote("A")  # not saved yet


def test_the_record_keeps_every_column_in_screen_order_with_its_figures():
    done, stopped = Answer(), Answer(content="Bl", stopped=True, first_token=0.3)
    done.add({"response": "Blue.", **FINAL}, 0.2)
    run = ended(Run("Why?", PICKS, ("science",)), done, stopped)
    record = run.settle(word)
    assert [(c.letter, c.model, c.content, c.status, c.size) for c in record.contestants] == [
        ("A", "llama3.2:latest", "Blue.", DONE, 2_000),
        ("B", "qwen3:0.6b", "Bl", STOPPED, 500),
    ]
    assert record.contestants[0].settings == {"options": {"temperature": 0.2}}
    assert record.contestants[0].stats is not None and record.contestants[0].stats.output_tokens == 10
    assert record.contestants[1].stats is not None and record.contestants[1].stats.time_to_first_token == 0.3
    assert (record.prompt, record.tags, record.id, record.created_at) == ("Why?", ("science",), None, run.created_at)
    assert not run.revealed and not run.votable  # not saved yet
    assert run.settle(word) is record  # settled once


def test_a_saved_battle_takes_one_of_its_choices_and_is_then_revealed():
    run = ended(Run("Why?", PICKS), Answer(content="x", final=FINAL), Answer(content="y", final=FINAL))
    record = run.settle(word)
    run.record = Battle(record.prompt, record.contestants, id=7)
    assert run.votable and run.snapshot().models is None
    with pytest.raises(ValueError, match="not a choice"):
        run.vote("C")
    run.vote(TIE)
    assert (run.choice, run.revealed) == (TIE, True)
    assert run.snapshot().models == ("llama3.2:latest", "qwen3:0.6b")


def test_a_failed_column_records_its_sentence_takes_no_vote_and_reveals_the_models():
    failure = Answer(content="Half")
    failure.fail(ResponseError("errors.server_error", {"message": "runner crashed"}, status_code=500), 0.4)
    run = ended(Run("Why?", PICKS), Answer(content="x", final=FINAL), failure)
    record = run.settle(word)
    assert record.failed and record.contestants[1].error == "failed: runner crashed"
    assert record.contestants[1].content == "Half"
    run.record = Battle(record.prompt, record.contestants, id=3)
    assert run.revealed and not run.votable and not run.snapshot().votable
    with pytest.raises(ValueError):
        run.vote("A")


def test_a_running_battle_cannot_be_settled():
    run = Run("Why?", PICKS)
    run.started = True
    with pytest.raises(ValueError, match="still running"):
        run.settle(word)


# What voters see


def test_a_snapshot_names_no_model_before_the_reveal():
    run = Run("Why is the sky blue?", PICKS)
    run.started = True
    run.answers[0].add({"response": "Rayleigh"}, 0.1)
    snapshot = run.snapshot()
    assert snapshot.battle_key == run.key and snapshot.battle_id is None
    assert (snapshot.letters, snapshot.texts, snapshot.statuses) == (("A", "B"), ("Rayleigh", ""), (UNFINISHED,) * 2)
    assert not snapshot.votable and snapshot.models is None
    assert "llama" not in repr(snapshot) and "qwen" not in repr(snapshot)


def test_a_restored_battle_is_revealed_once_voted_on_or_failed():
    contestants = (Contestant("A", "qwen3:0.6b", content="x"), Contestant("B", "llama3.2:latest", content="y"))
    battle = Battle("Why?", contestants, ("science",), created_at=5.0, id=9)
    open_again = Run.restored(battle, None)
    assert open_again.models == ("qwen3:0.6b", "llama3.2:latest") and open_again.votable and not open_again.revealed
    assert open_again.texts == ("x", "y") and open_again.ended and open_again.tags == ("science",)
    assert Run.restored(battle, "B").revealed
    failed = Battle("Why?", (contestants[0], Contestant("B", "m", status=FAILED, error="gone")), id=10)
    assert Run.restored(failed, None).revealed


# Several servers


LAPTOP, GPU = "http://127.0.0.1:11434", "http://10.0.0.7:11434"


def test_each_contestants_server_is_saved_in_its_settings_and_not_sent_to_the_model():
    picks = (Pick("qwen3:0.6b", {"think": False}, 500, LAPTOP), Pick("qwen3:0.6b", {}, 500, GPU))
    run = ended(Run("Why?", picks), Answer(content="x", final=FINAL), Answer(content="y", final=FINAL))
    assert all(SERVER not in request.fields for request in run.requests())
    assert run.servers == (LAPTOP, GPU)
    record = run.settle(word)
    assert [contestant.settings for contestant in record.contestants] == [
        {"think": False, SERVER: LAPTOP},
        {SERVER: GPU},
    ]
    assert [contestant.server for contestant in record.contestants] == [LAPTOP, GPU]
    again = Run.restored(record, None)
    assert again.picks == picks  # the server back on the pick, not among the request's settings


def test_a_battle_saved_before_servers_were_recorded_opens_with_no_server():
    old = Battle("Why?", (Contestant("A", "a", {"think": False}), Contestant("B", "b")), id=3)
    run = Run.restored(old, None)
    assert run.servers == ("", "") and run.picks[0].settings == {"think": False}
    record = ended(Run("Why?", (Pick("a"), Pick("b"))), Answer(final=FINAL), Answer(final=FINAL)).settle(word)
    assert [contestant.settings for contestant in record.contestants] == [{}, {}]  # nothing invented


def test_surprise_on_servers_draws_two_different_models_each_on_a_server_that_has_it():
    refs = [ModelRef("a", LAPTOP), ModelRef("b", LAPTOP), ModelRef("a", GPU), ModelRef("c", GPU)]
    pairs = [surprise_on_servers(refs, rng=random.Random(seed)) for seed in range(300)]
    assert all(pair is not None and pair[0].model != pair[1].model and set(pair) <= set(refs) for pair in pairs)
    assert {ref for pair in pairs if pair for ref in pair} == set(refs)  # every model on every server comes up


def test_surprise_on_servers_takes_the_server_where_a_model_runs_itself_and_needs_two_models():
    refs = [ModelRef("a", LAPTOP), ModelRef("a", GPU), ModelRef("cloud", GPU), ModelRef("b", GPU)]
    remote = {ModelRef("a", LAPTOP), ModelRef("cloud", GPU)}  # "a" runs elsewhere from the laptop only
    pairs = [surprise_on_servers(refs, remote, rng=random.Random(seed)) for seed in range(100)]
    assert {frozenset(pair) for pair in pairs if pair} == {frozenset({ModelRef("a", GPU), ModelRef("b", GPU)})}
    assert surprise_on_servers([ModelRef("a", LAPTOP), ModelRef("a", GPU)]) is None  # one model on two servers


def test_a_revealed_snapshot_names_each_column_as_given():
    run = ended(Run("Why?", PICKS), Answer(content="x", final=FINAL), Answer(content="y", final=FINAL))
    run.room = "ABCDEF"
    assert run.snapshot(["llama3.2:latest · gpu", "qwen3:0.6b · laptop"]).models is None
    run.settle(word)
    run.reveal()
    assert run.snapshot(["llama3.2:latest · gpu", "qwen3:0.6b · laptop"]).models == (
        "llama3.2:latest · gpu",
        "qwen3:0.6b · laptop",
    )
    assert run.snapshot().models == run.models


# Blind failures


def test_a_failures_words_name_no_model_while_blind():
    values = {"message": 'model "Llama3.2" not found, try pulling llama3.2:latest first', "status": 404}
    masked = masked_values(values, ["llama3.2:latest", "qwen3:0.6b"], "model B")
    assert masked == {"message": 'model "model B" not found, try pulling model B first', "status": 404}
    assert masked_values({"message": "x"}, [], "model A") == {"message": "x"}
    family = masked_values({"said": "qwen3 runner crashed; x loaded"}, ["qwen3:0.6b", "x:1b"], "model B")
    assert family == {"said": "model B runner crashed; x loaded"}  # a name of one or two letters is left alone
    hub = masked_values({"said": "tiny-q failed"}, ["hf.co/someone/tiny-q:Q4_K_M"], "model A")
    assert hub == {"said": "model A failed"}


def test_a_failures_words_name_no_server_while_blind():
    values = {"where": "http://10.0.0.7:11434", "said": "GPU-box lost qwen3"}
    masked = masked_values(
        values,
        ["qwen3:0.6b"],
        "model A",
        places=["http://10.0.0.7:11434", "10.0.0.7", "gpu-box"],
        place_stand_in="server A",
    )
    assert masked == {"where": "server A", "said": "server A lost model A"}


def test_a_battle_in_an_audience_room_is_recorded_there_and_opened_again_there():
    run = ended(Run("Why?", PICKS), Answer(content="x", final=FINAL), Answer(content="y", final=FINAL))
    run.room = "ABCDEF"
    record = run.settle(word)
    assert record.room == "ABCDEF"
    assert Run.restored(Battle(record.prompt, record.contestants, room="ABCDEF", id=4), None).room == "ABCDEF"
