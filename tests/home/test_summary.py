"""lib/home/summary.py: Home's figures and tables from /api/tags and /api/ps JSON."""

from __future__ import annotations

from lib.home.summary import Totals, installed_table, loaded_table, totals

TAGS = [
    {
        "name": "qwen3:0.6b",
        "size": 522_653_767,
        "details": {"family": "qwen3", "parameter_size": "751.63M", "quantization_level": "Q4_K_M"},
    },
    {"name": "all-minilm:latest", "size": 45_949_933, "details": None},
    {"name": "mystery:1b"},
]
PS = [
    {
        "name": "qwen3:0.6b",
        "size": 1_500_000_000,
        "size_vram": 1_000_000_000,
        "context_length": 4096,
        "expires_at": "2318-01-01T00:00:00Z",
    },
    {"model": "llava:7b", "size": 6_000_000_000},
]


def test_totals_add_sizes_and_count_a_missing_one_as_nothing():
    assert totals(TAGS, PS) == Totals(disk=568_603_700, memory=7_500_000_000, vram=1_000_000_000)
    assert totals([], []) == Totals(0, 0, 0)


def test_loaded_table_words_memory_and_names_a_model_by_either_field():
    table = loaded_table(PS)
    assert list(table.columns) == ["Model", "Memory", "On GPU", "Context", "Unloads"]
    assert list(table["Model"]) == ["qwen3:0.6b", "llava:7b"]  # the server's order
    assert list(table["Memory"]) == ["1.5 GB", "6.0 GB"]
    assert list(table["On GPU"]) == ["1.0 GB", "—"]
    assert table["Context"][0] == 4096
    assert list(table["Unloads"]) == ["never (kept loaded)", "—"]


def test_installed_table_is_by_name_with_sizes_in_bytes_and_blanks_for_missing_details():
    table = installed_table(TAGS)
    assert list(table.columns) == ["Model", "Size", "Family", "Parameters", "Quantisation"]
    assert list(table["Model"]) == ["all-minilm:latest", "mystery:1b", "qwen3:0.6b"]
    assert table["Size"][0] == 45_949_933 and table["Size"][2] == 522_653_767
    assert list(table["Family"]) == ["", "", "qwen3"]
    assert list(table["Quantisation"]) == ["", "", "Q4_K_M"]
