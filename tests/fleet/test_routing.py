"""Routing a new chat to one of the servers that have its model (lib/fleet/routing.py)."""

from __future__ import annotations

import pytest

from lib.fleet import routing
from lib.fleet.routing import EQUAL, LEAST_BUSY, LOADED, ONLY, UNKNOWN, Busy, Route

LAPTOP, GPU, SPARE = "http://laptop:11434", "http://gpu:11434", "http://spare:11434"
MODEL = "qwen3:0.6b"


def entry(name: str, size: int = 1_000) -> dict:
    return {"name": name, "model": name, "size": size * 2, "size_vram": size}


def test_the_server_that_has_the_model_loaded_wins_even_when_busier():
    running = {LAPTOP: [], GPU: [entry("llama3.2:latest"), entry(MODEL)]}
    assert routing.route(MODEL, LAPTOP, running) == Route(GPU, LOADED, Busy(2, 2_000))


def test_the_picked_server_wins_among_those_with_the_model_loaded():
    running = {LAPTOP: [entry(MODEL), entry("llama3.2:latest")], GPU: [entry(MODEL)]}
    assert routing.route(MODEL, LAPTOP, running).server == LAPTOP


def test_among_several_with_the_model_loaded_the_least_busy_wins_when_the_picked_one_has_not():
    running = {LAPTOP: [], GPU: [entry(MODEL), entry("llama3.2:latest")], SPARE: [entry(MODEL)]}
    assert routing.route(MODEL, LAPTOP, running) == Route(SPARE, LOADED, Busy(1, 1_000))


def test_without_the_model_loaded_anywhere_the_server_with_fewest_models_wins():
    running = {LAPTOP: [entry("llama3.2:latest", 10)], GPU: [entry("a", 1), entry("b", 1)], SPARE: []}
    assert routing.route(MODEL, LAPTOP, running) == Route(SPARE, LEAST_BUSY, Busy(0, 0))


def test_with_as_many_models_loaded_the_lighter_server_wins():
    running = {LAPTOP: [entry("llama3.2:latest", 5_000)], GPU: [entry("gemma3:1b", 800)]}
    assert routing.route(MODEL, LAPTOP, running) == Route(GPU, LEAST_BUSY, Busy(1, 800))


def test_equally_busy_servers_keep_the_picked_one():
    running = {LAPTOP: [entry("a")], GPU: [entry("b")]}
    assert routing.route(MODEL, GPU, running) == Route(GPU, EQUAL, Busy(1, 1_000))


def test_a_tie_among_the_least_busy_keeps_the_picked_one_else_the_first():
    running = {LAPTOP: [entry("a")], GPU: [], SPARE: []}
    assert routing.route(MODEL, SPARE, running) == Route(SPARE, LEAST_BUSY, Busy())
    assert routing.route(MODEL, LAPTOP, running) == Route(GPU, LEAST_BUSY, Busy())


def test_a_server_that_could_not_say_is_left_out():
    running = {LAPTOP: None, GPU: [entry("a"), entry("b")]}
    assert routing.route(MODEL, LAPTOP, running) == Route(GPU, ONLY, Busy(2, 2_000))


def test_when_no_server_could_say_the_picked_one_is_used():
    assert routing.route(MODEL, GPU, {LAPTOP: None, GPU: None}) == Route(GPU, UNKNOWN)


def test_the_memory_is_the_vram_else_the_size_and_odd_sizes_count_as_nothing():
    assert routing.busy([{"name": "a", "size": 300}, {"name": "b", "size_vram": 200, "size": 900}]) == Busy(2, 500)
    assert routing.busy([{"name": "a", "size": "big"}, {"name": "b", "size": True}, {"name": "c", "size": -5}]) == Busy(
        3, 0
    )


@pytest.mark.parametrize(
    ("entries", "loaded"),
    [
        ([{"name": MODEL}], True),
        ([{"model": MODEL}], True),
        ([{"name": "qwen3:1.7b", "model": "qwen3:1.7b"}], False),
        ([], False),
    ],
)
def test_a_model_is_loaded_when_ps_names_it(entries, loaded):
    assert routing.has_loaded(entries, MODEL) is loaded


def test_any_server_is_not_an_address():
    assert "://" not in routing.ANY
