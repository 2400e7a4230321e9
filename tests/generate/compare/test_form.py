"""Compare mode's form: one Generate request per column, a shared seed, problems named by column."""

from __future__ import annotations

import pytest

from lib.fleet.models import ModelRef
from lib.generate.compare.form import ColumnSetup, CompareForm, build_requests, settings_summary
from lib.generate.form import FormProblem


def on_sidebar_server(by_model: dict) -> dict:
    """``{model: value}`` keyed as :func:`build_requests` takes it: by the model on its server (here the sidebar's)."""
    return {ModelRef(model, ""): value for model, value in by_model.items()}


CAPABILITIES = on_sidebar_server(
    {"llama3.2:latest": frozenset({"completion"}), "qwen3:0.6b": frozenset({"completion", "thinking"})}
)
TWO = (ColumnSetup("llama3.2:latest", {"temperature": 0.2}), ColumnSetup("llama3.2:latest", {"temperature": 1.0}))


def bodies(form: CompareForm) -> list[dict]:
    return [request.body() for request in build_requests(form, CAPABILITIES)]


def test_each_column_sends_its_own_model_and_options():
    form = CompareForm(
        prompt="Hi",
        system="Be brief.",
        columns=(
            ColumnSetup("llama3.2:latest", {"temperature": 0.2}, keep_alive="5m"),
            ColumnSetup("qwen3:0.6b", {}, think=False),
        ),
    )
    assert bodies(form) == [
        {
            "model": "llama3.2:latest",
            "prompt": "Hi",
            "system": "Be brief.",
            "options": {"temperature": 0.2},
            "keep_alive": "5m",
            "stream": True,
        },
        {"model": "qwen3:0.6b", "prompt": "Hi", "system": "Be brief.", "think": False, "stream": True},
    ]


def test_a_shared_seed_replaces_every_column_seed():
    columns = (ColumnSetup("llama3.2:latest", {"seed": 1}), ColumnSetup("qwen3:0.6b", {"top_k": 5}))
    sent = bodies(CompareForm(prompt="Hi", columns=columns, shared_seed=42))
    assert [body["options"] for body in sent] == [{"seed": 42}, {"top_k": 5, "seed": 42}]


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (CompareForm(prompt="  ", columns=TWO), "Type a prompt first"),
        (CompareForm(prompt="Hi", columns=TWO[:1]), "Compare 2 to 4 columns"),
        (CompareForm(prompt="Hi", columns=TWO * 3), "Compare 2 to 4 columns"),
        (CompareForm(prompt="Hi", columns=(TWO[0], ColumnSetup(None))), "Column B: Pick a model first"),
    ],
)
def test_problems_are_reported_before_anything_is_sent(form, message):
    with pytest.raises(FormProblem, match=message):
        build_requests(form, CAPABILITIES)


@pytest.mark.parametrize(
    ("options", "keep_alive", "think", "expected"),
    [
        ({}, None, None, "model defaults"),
        ({"temperature": 0.2, "seed": 42}, None, None, "temperature 0.2 · seed 42"),
        (
            {"num_predict": 64, "stop": ["END", "###"]},
            "10m",
            False,
            "maximum answer length 64 · stop END | ### · kept loaded 10m · no thinking",
        ),
        ({}, None, True, "model defaults"),
    ],
)
def test_settings_summary(options, keep_alive, think, expected):
    assert settings_summary(options, keep_alive, think) == expected


def test_the_image_goes_only_to_models_that_can_see_or_do_not_say():
    capabilities = on_sidebar_server(
        {
            "llava:7b": frozenset({"completion", "vision"}),
            "llama3.2:latest": frozenset({"completion"}),
            "old:latest": frozenset(),  # a server too old to say: sent, and its own error would explain
        }
    )
    columns = (ColumnSetup("llava:7b"), ColumnSetup("llama3.2:latest"), ColumnSetup("old:latest"))
    sent = [r.body() for r in build_requests(CompareForm(prompt="Hi", columns=columns, images=("QUJD",)), capabilities)]
    assert [body.get("images") for body in sent] == [["QUJD"], None, ["QUJD"]]


def test_levels_and_token_probabilities_reach_every_column():
    capabilities = {ModelRef("gpt-oss:20b", ""): frozenset({"completion", "thinking"}), **CAPABILITIES}
    columns = (
        ColumnSetup("gpt-oss:20b", think="low"),
        ColumnSetup("gpt-oss:20b", think="high"),
        ColumnSetup("qwen3:0.6b", think="high"),
        ColumnSetup("llama3.2:latest", think="high"),
    )
    form = CompareForm(prompt="Hi", columns=columns, logprobs=True, top_logprobs=7)
    sent = [request.body() for request in build_requests(form, capabilities, {ModelRef("gpt-oss:20b", ""): "gptoss"})]
    assert [body.get("think") for body in sent] == ["low", "high", True, None]
    assert all(body["logprobs"] is True and body["top_logprobs"] == 7 for body in sent)


def test_max_reaches_a_column_whose_server_takes_it_and_is_high_on_an_older_one():
    laptop, gpu = "http://laptop:11434", "http://gpu:11434"
    capabilities = {ModelRef("gpt-oss:20b", server): frozenset({"completion", "thinking"}) for server in (laptop, gpu)}
    families = dict.fromkeys(capabilities, "gptoss")
    columns = (
        ColumnSetup("gpt-oss:20b", think="max", server=laptop),
        ColumnSetup("gpt-oss:20b", think="max", server=gpu),
    )
    form = CompareForm(prompt="Hi", columns=columns)
    sent = [r.body() for r in build_requests(form, capabilities, families, {laptop: "0.21.3", gpu: "0.20.7"})]
    assert [body["think"] for body in sent] == ["max", "high"]
    assert settings_summary({}, think="max") == "thinking max"


def test_the_same_model_on_two_servers_is_sent_what_each_server_says_it_can_do():
    laptop, gpu = "http://laptop:11434", "http://gpu:11434"
    capabilities = {
        ModelRef("llava:7b", laptop): frozenset({"completion", "vision"}),
        ModelRef("llava:7b", gpu): frozenset({"completion"}),  # an older copy there, without vision
    }
    columns = (ColumnSetup("llava:7b", server=laptop), ColumnSetup("llava:7b", server=gpu))
    sent = [r.body() for r in build_requests(CompareForm(prompt="Hi", columns=columns, images=("QUJD",)), capabilities)]
    assert [body.get("images") for body in sent] == [["QUJD"], None]
