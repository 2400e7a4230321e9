"""One comparison's record (lib/generate/compare/record.py): its columns' labels, settings, times and blind order."""

from __future__ import annotations

import random
from datetime import datetime

from lib.generate.compare.form import ColumnSetup, CompareForm
from lib.generate.compare.record import CompareRecord, shuffled_order
from lib.generate.compare.stats import Timing
from lib.ollama.stream import Answer

COLUMNS = (
    ColumnSetup("llama3.2:latest", {"temperature": 0.2}),
    ColumnSetup("qwen3:0.6b", {}, keep_alive="10m", think=False),
    ColumnSetup("llava:7b", {}),
)


def comparison(blind: bool = False, order: tuple[int, ...] = (), shared_seed: int | None = None) -> CompareRecord:
    form = CompareForm(prompt="Why?", columns=COLUMNS, blind=blind, shared_seed=shared_seed)
    bodies = ({"model": "llama3.2:latest"}, {"model": "qwen3:0.6b", "think": False}, {"model": "llava:7b"})
    return CompareRecord(1, datetime(2026, 11, 25, 18, 0, 0), form, bodies, order=order)


def test_a_new_record_has_an_empty_result_per_column_shown_as_set_up():
    record = comparison()
    assert len(record.results) == 3 and all(result == Answer() for result in record.results)
    assert len({id(result) for result in record.results}) == 3  # each column fills its own
    assert record.order == (0, 1, 2)
    assert record.thinks == (None, False, None)  # think as sent; None where it was not


def test_an_open_comparison_names_each_column_by_letter_and_model():
    record = comparison()
    assert not record.hidden
    assert [record.label(column) for column in range(3)] == [
        "A · llama3.2:latest",
        "B · qwen3:0.6b",
        "C · llava:7b",
    ]


def test_a_blind_comparison_numbers_the_answers_as_shown_and_hides_the_models_until_revealed():
    record = comparison(blind=True, order=(2, 0, 1))
    assert record.hidden
    assert [record.label(column) for column in record.order] == ["Answer 1", "Answer 2", "Answer 3"]
    assert record.label(2, reveal=True) == "Answer 1 · llava:7b"
    record.revealed = True
    assert not record.hidden
    assert record.label(0) == "Answer 2 · llama3.2:latest"


def test_settings_show_what_each_column_was_sent():
    record = comparison(shared_seed=42)
    assert record.settings(0) == "temperature 0.2 · seed 42"
    assert record.settings(1) == "seed 42 · kept loaded 10m · no thinking"
    assert comparison().settings(2) == "model defaults"


def test_timings_are_read_from_each_columns_result():
    record = comparison()
    record.results[0].first_token, record.results[0].ended_after = 0.1, 1.0
    assert record.timings() == [Timing(0.1, 1.0), Timing(None, None), Timing(None, None)]


def test_blind_order_is_shuffled_and_never_as_set_up():
    assert shuffled_order(3, blind=False) == (0, 1, 2)
    for seed in range(20):
        order = shuffled_order(3, blind=True, rng=random.Random(seed))
        assert sorted(order) == [0, 1, 2] and order != (0, 1, 2)


def test_a_single_column_cannot_be_shuffled():
    assert shuffled_order(1, blind=True) == (0,)


def test_a_thinking_level_follows_the_model_and_off_does_when_the_model_is_twice():
    form = CompareForm(
        prompt="Why?",
        columns=(
            ColumnSetup("gpt-oss:20b", think="low"),
            ColumnSetup("gpt-oss:20b", think="high"),
            ColumnSetup("qwen3:0.6b", think=False),
            ColumnSetup("qwen3:0.6b", think=True),
        ),
    )
    bodies = (
        {"model": "gpt-oss:20b", "think": "low"},
        {"model": "gpt-oss:20b", "think": "high"},
        {"model": "qwen3:0.6b", "think": False},
        {"model": "qwen3:0.6b", "think": True},
    )
    record = CompareRecord(1, datetime(2026, 11, 25, 18, 0, 0), form, bodies)
    assert [record.label(column) for column in range(4)] == [
        "A · gpt-oss:20b · low",
        "B · gpt-oss:20b · high",
        "C · qwen3:0.6b · no thinking",
        "D · qwen3:0.6b",
    ]
    assert comparison().label(1) == "B · qwen3:0.6b"  # off alone needs no saying: its settings say it
    blind = CompareRecord(1, datetime(2026, 11, 25, 18, 0, 0), form.with_values(blind=True), bodies, order=(1, 0, 2, 3))
    assert blind.label(1) == "Answer 1" and blind.label(1, reveal=True) == "Answer 1 · gpt-oss:20b · high"
    assert blind.short_label(0) == "Answer 2" and record.short_label(2) == "C"


def test_the_server_as_named_when_it_ran_follows_the_model_before_the_level():
    gpu, laptop = "http://gpu:11434", "http://laptop:11434"
    form = CompareForm(
        prompt="Why?",
        columns=(ColumnSetup("gpt-oss:20b", think="high", server=gpu), ColumnSetup("gpt-oss:20b", server=laptop)),
    )
    bodies = ({"model": "gpt-oss:20b", "think": "high"}, {"model": "gpt-oss:20b", "think": "low"})
    record = CompareRecord(1, datetime(2026, 11, 25), form, bodies, server_names=("gpu", "laptop"))
    assert [record.label(column) for column in range(2)] == [
        "A · gpt-oss:20b · gpu · high",
        "B · gpt-oss:20b · laptop · low",
    ]
    assert [timing.server for timing in record.timings()] == [gpu, laptop]
    assert comparison().server_name(0) == ""  # one server: none named
