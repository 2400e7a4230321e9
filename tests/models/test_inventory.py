"""Rows and facts the Models page draws, from /api/tags, /api/ps and /api/show JSON."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pytest

from lib.models.inventory import (
    capability_label,
    derived_name,
    disk_used,
    embeds_only,
    filter_rows,
    form_create_fields,
    installed_rows,
    model_facts,
    name_problem,
    running_rows,
    size_cell,
)

TAGS = [
    {
        "name": "qwen3:0.6b",
        "size": 522_653_767,
        "modified_at": "2026-01-02T03:04:05.123456789+01:00",
        "details": {"family": "qwen3", "parameter_size": "751.63M", "quantization_level": "Q4_K_M"},
    },
    {
        "name": "llama3.2:latest",
        "size": 2_019_393_189,
        "modified_at": "2026-01-01T00:00:00Z",
        "details": {"family": "llama", "parameter_size": "3.2B", "quantization_level": "Q4_K_M"},
    },
    {"name": "nomic-embed-text:latest", "size": 274_302_450, "modified_at": "garbage", "details": {}},
]
CAPS = {
    "qwen3:0.6b": ["completion", "thinking"],
    "llama3.2:latest": ["completion", "tools"],
    "nomic-embed-text:latest": ["embedding"],
}


def test_installed_rows_are_sorted_and_typed():
    rows = installed_rows(TAGS, CAPS)
    assert [r.name for r in rows] == ["llama3.2:latest", "nomic-embed-text:latest", "qwen3:0.6b"]
    qwen = rows[2]
    assert qwen.size == 522_653_767 and qwen.family == "qwen3" and qwen.quantization == "Q4_K_M"
    assert qwen.modified == datetime(2026, 1, 2, 2, 4, 5, 123456, tzinfo=timezone.utc)
    assert rows[1].modified is None and rows[1].family == ""
    assert qwen.as_dict()["Capabilities"] == ["completion", "thinking"]


def test_capabilities_stay_data_and_are_shown_as_labels():
    assert capability_label("vision") == "vision"
    assert capability_label("a-new-one") == "a-new-one"


def test_rows_without_reported_capabilities_have_none():
    assert installed_rows(TAGS[:1], {})[0].capabilities == ()


@pytest.mark.parametrize(
    ("text", "capability", "expected"),
    [
        ("", None, ["llama3.2:latest", "nomic-embed-text:latest", "qwen3:0.6b"]),
        ("LLAMA", None, ["llama3.2:latest"]),
        ("q4_k_m", None, ["llama3.2:latest", "qwen3:0.6b"]),
        ("qwen 751", None, ["qwen3:0.6b"]),
        ("qwen llama", None, []),
        ("", "embedding", ["nomic-embed-text:latest"]),
        ("", "tools", ["llama3.2:latest"]),
        ("qwen", "tools", []),
    ],
)
def test_filter(text, capability, expected):
    assert [r.name for r in filter_rows(installed_rows(TAGS, CAPS), text, capability)] == expected


def test_disk_used_sums_sizes():
    assert disk_used(TAGS) == 522_653_767 + 2_019_393_189 + 274_302_450
    assert disk_used([]) == 0


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        (np.int64(2_019_393_189), "2.0 GB"),
        (522_653_767, "522.7 MB"),
        (np.float64(45_949_933.0), "45.9 MB"),
        (None, "—"),
        ("2 GB", "—"),
    ],
)
def test_size_cells_are_worded_as_ollama_list_does(cell, shown):
    assert size_cell(cell) == shown


def test_a_styled_size_column_shows_words_for_the_bytes_it_holds():
    html = pd.DataFrame({"Size": [2_019_393_189, 522_653_767]}).style.format({"Size": size_cell}).to_html()
    assert "2.0 GB" in html and "522.7 MB" in html
    assert "2019393189" not in html


def test_running_rows_show_memory_gpu_share_context_and_expiry():
    soon = (datetime.now(timezone.utc) + timedelta(minutes=4, seconds=30)).isoformat()
    rows = running_rows(
        [
            {
                "name": "qwen3:0.6b",
                "size": 1_000_000_000,
                "size_vram": 500_000_000,
                "context_length": 4096,
                "expires_at": soon,
            },
            {"model": "llama3.2:latest", "size": 0, "size_vram": 0, "expires_at": "2318-01-01T00:00:00Z"},
        ]
    )
    assert rows[0].as_dict() == {
        "Model": "llama3.2:latest",
        "Memory": "0 B",
        "On GPU": "0 B",
        "Context": None,
        "Unloads": "never (kept loaded)",
    }
    assert rows[1].memory == "1.0 GB" and rows[1].on_gpu == "500.0 MB (50%)" and rows[1].context == 4096
    assert rows[1].unloads.startswith("in 4 min")


@pytest.mark.parametrize(
    ("info", "facts"),
    [
        (
            {
                "general.architecture": "llama",
                "llama.context_length": 131072,
                "llama.embedding_length": 3072,
                "general.parameter_count": 3212749888,
            },
            ("llama", 131072, 3072, 3212749888),
        ),
        ({"general.architecture": "qwen3", "other.context_length": 40960}, ("qwen3", 40960, None, None)),
        ({}, (None, None, None, None)),
        (
            {"general.architecture": "bert", "bert.context_length": "2048", "bert.embedding_length": True},
            ("bert", None, None, None),
        ),
    ],
)
def test_model_facts_come_from_model_info(info, facts):
    got = model_facts({"model_info": info})
    assert (got.architecture, got.context_length, got.embedding_length, got.parameter_count) == facts


def test_model_facts_without_model_info():
    assert model_facts({}).context_length is None


def test_form_fields_send_only_what_was_set():
    assert form_create_fields("llama3.2", "  ", {}) == {"from_": "llama3.2"}
    assert form_create_fields("llama3.2", "Be brief.", {"temperature": 0.2, "stop": ["x"]}) == {
        "from_": "llama3.2",
        "system": "Be brief.",
        "parameters": {"temperature": 0.2, "stop": ["x"]},
    }


@pytest.mark.parametrize(
    ("name", "taken", "expected"),
    [
        ("llama3.2:latest", set(), "llama3.2-copy:latest"),
        ("llama3.2:latest", {"llama3.2-copy:latest"}, "llama3.2-copy-2:latest"),
        ("mario", set(), "mario-copy"),
        ("mario", {"mario-copy:latest"}, "mario-copy-2"),
        ("ns/model:1b", set(), "ns/model-copy:1b"),
    ],
)
def test_derived_names_avoid_installed_ones(name, taken, expected):
    assert derived_name(name, "copy", taken) == expected


@pytest.mark.parametrize(
    ("capabilities", "expected"),
    [(["embedding"], True), (["completion", "embedding"], False), (["completion"], False), ([], False)],
)
def test_embedding_models_are_warmed_up_with_an_embed(capabilities, expected):
    assert embeds_only(capabilities) is expected


@pytest.mark.parametrize(
    "name",
    [
        "llama3.2",
        "qwen2.5:0.5b",
        "library/llama3.2:latest",
        "hf.co/bartowski/Llama-3.2-1B-GGUF:Q4_K_M",
        "registry.example.com:5000/team/model:v1",
        "my_model-2",
        " gemma3:270m ",
    ],
)
def test_valid_model_names(name):
    assert name_problem(name) is None


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("", "Type a model name"),
        ("   ", "Type a model name"),
        ("my model", "is not a model name"),
        ("![x](http://e/x.png)", "is not a model name"),
        ("a:b:c", "is not a model name"),
        ("-start", "is not a model name"),
        ("ns/", "is not a model name"),
        ("model:", "is not a model name"),
    ],
)
def test_invalid_model_names(name, words):
    assert words in name_problem(name)
