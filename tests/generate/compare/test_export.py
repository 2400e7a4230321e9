"""A comparison exported as Markdown and JSON: every column, its settings, answer and figures."""

from __future__ import annotations

import json
from datetime import datetime

from lib.generate.compare import export as compare_export
from lib.generate.compare.form import ColumnSetup, CompareForm
from lib.generate.compare.record import CompareRecord
from lib.ollama.errors import ConnectionDropped, Partial
from lib.ollama.stream import Answer

FINAL = {
    "done": True,
    "done_reason": "stop",
    "eval_count": 40,
    "eval_duration": 1_000_000_000,
    "load_duration": 200_000_000,
    "prompt_eval_count": 12,
    "prompt_eval_duration": 10_000_000,
    "total_duration": 1_300_000_000,
}


def finished(text: str, first: float, ended: float) -> Answer:
    return Answer(content=text, final=FINAL, first_token=first, ended_after=ended)


def record(blind: bool = False) -> CompareRecord:
    form = CompareForm(
        prompt="Why is the sky blue?",
        system="Be brief.",
        shared_seed=7,
        blind=blind,
        columns=(
            ColumnSetup("llama3.2:latest", {"temperature": 0.2}),
            ColumnSetup("llama3.2:latest", {"temperature": 1.0}),
            ColumnSetup("qwen3:0.6b", {}),
        ),
    )
    bodies = tuple(
        {"model": c.model, "prompt": form.prompt, "options": {**c.options, "seed": 7}, "stream": True}
        for c in form.columns
    )
    failed = Answer(
        content="Rayleigh",
        error=ConnectionDropped("errors.dropped", {"where": "gpu-box"}, partial=Partial()),
        ended_after=0.5,
    )
    results = (
        finished("Rayleigh scattering.", 0.1, 1.0),
        finished("Blue light | scatters ```more```.", 0.2, 1.4),
        failed,
    )
    return CompareRecord(3, datetime(2026, 11, 25, 18, 0, 0), form, bodies, results, order=(2, 0, 1) if blind else ())


def test_markdown_has_the_prompt_and_every_column():
    text = compare_export.to_markdown(record())
    assert text.startswith("# Comparison 3\n")
    assert "```\nWhy is the sky blue?\n```" in text and "```\nBe brief.\n```" in text
    assert "Shared seed: 7" in text
    for heading in ("## A · llama3.2:latest", "## B · llama3.2:latest", "## C · qwen3:0.6b"):
        assert heading in text
    assert "Settings: temperature 0.2 · seed 7" in text and "Settings: temperature 1.0 · seed 7" in text
    assert "Rayleigh scattering." in text and "Blue light | scatters ```more```." in text
    assert (
        "Status: failed" in text and "Error: The connection to gpu-box dropped before the answer was complete." in text
    )
    assert "| A · llama3.2:latest | done | 100 ms | 40 | 40.0 tok/s |" in text
    assert "| C · qwen3:0.6b | failed | — |" in text
    assert "in parallel" in text


def test_json_has_every_column_with_request_answer_and_figures():
    data = json.loads(compare_export.to_json(record()))
    assert data["prompt"] == "Why is the sky blue?" and data["system"] == "Be brief." and data["shared_seed"] == 7
    assert data["queued"] is False and data["wall_time_seconds"] == 1.4
    assert [column["label"] for column in data["columns"]] == [
        "A · llama3.2:latest",
        "B · llama3.2:latest",
        "C · qwen3:0.6b",
    ]
    first = data["columns"][0]
    assert first["request"]["options"] == {"temperature": 0.2, "seed": 7}
    assert first["answer"] == "Rayleigh scattering." and first["status"] == "done"
    assert first["stats"]["tokens_per_second"] == 40.0 and first["stats"]["time_to_first_token"] == 0.1
    assert first["server_figures"]["eval_count"] == 40
    last = data["columns"][2]
    assert (
        last["status"] == "failed"
        and last["error"] == "The connection to gpu-box dropped before the answer was complete."
        and last["stats"] is None
    )


def test_a_blind_comparison_exports_in_the_shown_order_with_every_model_named():
    data = json.loads(compare_export.to_json(record(blind=True)))
    assert [column["label"] for column in data["columns"]] == [
        "Answer 1 · qwen3:0.6b",
        "Answer 2 · llama3.2:latest",
        "Answer 3 · llama3.2:latest",
    ]
    text = compare_export.to_markdown(record(blind=True))
    assert text.index("## Answer 1 · qwen3:0.6b") < text.index("## Answer 2 · llama3.2:latest")


def test_a_queued_comparison_says_so():
    queued = record()
    queued.results[1].first_token = 1.1  # its first word after column A ended
    data = json.loads(compare_export.to_json(queued))
    assert data["queued"] is True and data["columns"][1]["waited_for"] == "A · llama3.2:latest"
    assert "queued" in compare_export.to_markdown(queued)


def test_a_hostile_model_name_is_escaped_in_the_markdown_and_kept_as_it_is_in_the_json():
    """Server-chosen names: a Markdown viewer must not fetch an image; a tool reading the JSON gets the name."""
    hostile = "![i](http://tracker.invalid/i.png) **x** | y"
    shown = record()
    columns = (ColumnSetup(hostile, {"stop": ["*"]}, keep_alive="5m"), *shown.form.columns[1:])
    form = CompareForm(prompt=shown.form.prompt, columns=columns)
    exported = CompareRecord(shown.number, shown.when, form, shown.bodies, shown.results)
    text = compare_export.to_markdown(exported)
    escaped = "!\\[i\\](http://tracker.invalid/i.png) \\*\\*x\\*\\* \\| y"
    assert f"## A · {escaped}\n" in text
    assert f"| A · {escaped} | done |" in text
    assert f"Model: `{hostile}`" in text
    assert "![i]" not in text.replace(f"`{hostile}`", "")
    column = json.loads(compare_export.to_json(exported))["columns"][0]
    assert column["label"] == f"A · {hostile}" and column["model"] == hostile
    assert column["settings"] == "stop * · kept loaded 5m"
