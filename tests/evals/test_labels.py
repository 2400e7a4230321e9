"""How candidates, prompts, sets and runs are named on the Evals page (lib/evals/labels.py)."""

from __future__ import annotations

from dataclasses import replace

from lib.evals import labels
from lib.evals.records import Candidate, Prompt, PromptSet, Run
from lib.fleet.servers import Server

LAPTOP, GPU = "http://127.0.0.1:11434", "http://10.0.0.7:11434"
FLEET = [Server(LAPTOP, "laptop", True), Server(GPU, "gpu", True)]


def test_candidates_are_lettered_in_their_order_and_keep_their_model():
    assert labels.candidate_name(Candidate("qwen3:0.6b"), 1) == "B · qwen3:0.6b"
    assert labels.candidate_name(Candidate("llama3.2", label=" fast "), 7) == "H · fast (llama3.2)"
    assert labels.letter(8) == "9"  # past H, a number rather than an error


def test_a_hostile_model_name_stays_as_it_is_in_plain_text():
    name = "x](http://tracker.invalid/a.png)![**y**"
    assert labels.candidate_name(Candidate(name), 0) == f"A · {name}"


def test_settings_say_what_differs_from_the_model_defaults():
    assert labels.candidate_settings(Candidate("m")) == "model defaults"
    summary = labels.candidate_settings(Candidate("m", options={"temperature": 0, "seed": 7}, think=False))
    assert summary == "temperature 0 · seed 7 · no thinking"
    assert labels.candidate_settings(Candidate("m", system="Be brief.")) == "model defaults · own system prompt"
    assert labels.candidate_settings(Candidate("m", think=True)) == "model defaults"


def test_long_prompts_are_cut_to_one_line():
    assert labels.short("a\nb   c") == "a b c"
    cut = labels.short("word " * 40, 20)
    assert len(cut) == 20 and cut.endswith("…")
    prompts = PromptSet("s", (Prompt("first"), Prompt("What is the capital of France?\nAnswer in one word.")))
    assert labels.prompt_name(prompts, 1) == "2. What is the capital of France? Answer in one word."


def test_sets_and_runs_say_how_big_they_are():
    one = PromptSet("Maths", (Prompt("1+1?"),))
    assert labels.set_name(one) == "Maths (1 prompt)"
    assert labels.set_name(PromptSet("", (Prompt("a"), Prompt("b")))) == "Unnamed set (2 prompts)"
    run = Run(one, (Candidate("a"), Candidate("b")), created_at=0)
    assert labels.run_name(run) == "Maths · — · 2 candidates"
    dated = labels.run_name(Run(one, (Candidate("a"),), created_at=1_790_000_000))
    assert dated.startswith("Maths · ") and dated.endswith(" · 1 candidate") and "2026" in dated


def test_runs_that_would_share_a_name_are_numbered_oldest_first():
    capitals, maths = PromptSet("Capitals", (Prompt("a"),)), PromptSet("Maths", (Prompt("1+1?"),))
    minute = 1_790_000_000 - 1_790_000_000 % 60
    runs = [
        Run(capitals, (Candidate("a"),), id=3, created_at=minute + 40),
        Run(maths, (Candidate("a"),), id=2, created_at=minute + 20),
        Run(capitals, (Candidate("a"),), id=1, created_at=minute + 5),
    ]
    names = labels.run_names(runs)
    assert names[1] == labels.run_name(runs[2]) + " (1)"
    assert names[3] == labels.run_name(runs[0]) + " (2)"
    assert names[2] == labels.run_name(runs[1])  # alone under its name: as it was
    assert len(set(names.values())) == 3


def test_sets_that_share_a_name_are_numbered_by_age():
    first, other, second = (
        PromptSet("Capitals", (Prompt("a"),), id=4),
        PromptSet("Maths", (), id=5),
        PromptSet("Capitals", (Prompt("b"),), id=9),
    )
    names = labels.set_names([second, other, first])
    assert names == {4: labels.set_name(first) + " (1)", 9: labels.set_name(second) + " (2)", 5: labels.set_name(other)}


def test_candidates_are_named_with_their_server_when_there_are_several():
    prompts = PromptSet("s", (Prompt("a"),))
    run = Run(prompts, (Candidate("qwen3:0.6b", server=LAPTOP), Candidate("qwen3:0.6b", server=GPU)))
    where = labels.places(run, FLEET)
    assert where == {LAPTOP: "laptop", GPU: "gpu"}
    names = [labels.candidate_name(c, index, where) for index, c in enumerate(run.candidates)]
    assert names == ["A · qwen3:0.6b · laptop", "B · qwen3:0.6b · gpu"]
    assert labels.candidate_name(Candidate("m", label="fast", server=GPU), 2, where) == "C · fast (m) · gpu"


def test_with_one_server_candidates_are_named_as_before():
    prompts = PromptSet("s", (Prompt("a"),))
    run = Run(prompts, (Candidate("a", server=LAPTOP), Candidate("b", server=LAPTOP)))
    assert labels.places(run, FLEET[:1]) == {}
    assert labels.candidate_name(run.candidates[0], 0, labels.places(run, FLEET[:1])) == "A · a"
    # A run on two servers names them even when the session has one now (the other by its host).
    apart = Run(prompts, (Candidate("a", server=LAPTOP), Candidate("a", server=GPU)))
    assert labels.places(apart, FLEET[:1]) == {LAPTOP: "laptop", GPU: "10.0.0.7"}


def test_a_judge_on_another_server_than_the_candidates_names_the_servers_even_with_one_in_the_session():
    prompts = PromptSet("s", (Prompt("a"),))
    run = Run(prompts, (Candidate("a", server=LAPTOP),), judge="j", judge_server=GPU)
    assert labels.places(run, FLEET[:1]) == {LAPTOP: "laptop", GPU: "10.0.0.7"}
    assert labels.places(replace(run, judge_server=LAPTOP), FLEET[:1]) == {}  # all on the one server: as before
    assert labels.places(replace(run, judge=None), FLEET[:1]) == {}  # no judge, no judge's server
