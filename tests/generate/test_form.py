"""The Generate form's values and the request they make (lib/generate/form.py), without Streamlit or HTTP."""

import pytest

from lib.generate.form import (
    EXAMPLE_SCHEMA,
    JSON,
    PLAIN,
    SCHEMA,
    FormProblem,
    GenerateForm,
    build_request,
    checked,
    decode_image,
    encode_image,
    format_label,
)
from tests.markdown_audit import as_read

ALL = frozenset({"completion", "vision", "thinking", "insert"})
FORM = GenerateForm(model="llama3.2:latest", prompt="Why is the sky blue?")


def test_a_bare_prompt_sends_only_model_prompt_and_stream():
    assert build_request(FORM, {"completion"}).body() == {
        "model": "llama3.2:latest",
        "prompt": "Why is the sky blue?",
        "stream": True,
    }


def test_every_field_reaches_the_body():
    form = FORM.with_values(
        system="Be brief.",
        suffix="return x",
        template="{{ .Prompt }}",
        think=False,
        stream=False,
        output_format=JSON,
        images=("QUJD",),
        options={"temperature": 0.5, "stop": ["END"]},
        keep_alive="10m",
    )
    assert build_request(form, ALL).body() == {
        "model": "llama3.2:latest",
        "prompt": "Why is the sky blue?",
        "suffix": "return x",
        "system": "Be brief.",
        "template": "{{ .Prompt }}",
        "images": ["QUJD"],
        "format": "json",
        "options": {"temperature": 0.5, "stop": ["END"]},
        "think": False,
        "keep_alive": "10m",
        "stream": False,
    }


@pytest.mark.parametrize(
    ("capabilities", "expected"), [({"completion", "thinking"}, True), ({"completion"}, None), (set(), None)]
)
def test_think_goes_only_to_thinking_models(capabilities, expected):
    assert build_request(FORM, capabilities).fields.get("think") == expected


def test_raw_mode_is_sent_only_when_on():
    assert build_request(FORM.with_values(raw=True), ALL).body()["raw"] is True
    assert "raw" not in build_request(FORM, ALL).body()


def test_keep_alive_zero_is_sent():
    assert build_request(FORM.with_values(keep_alive=0), ALL).body()["keep_alive"] == 0


def test_schema_format_sends_the_parsed_schema():
    body = build_request(FORM.with_values(output_format=SCHEMA), ALL).body()
    assert body["format"]["required"] == ["name", "capital", "languages"]


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (GenerateForm(prompt="hi"), "Pick a model first."),
        (FORM.with_values(prompt="  \n"), "Type a prompt first"),
        (FORM.with_values(output_format=SCHEMA, schema_text='{"type": 5}'), "not valid JSON Schema at $.type"),
        (FORM.with_values(output_format=SCHEMA, schema_text="{"), "The schema is not valid JSON"),
        (FORM.with_values(images=("QUJD",)), "llama3.2:latest cannot read images"),
        (FORM.with_values(suffix="}"), "llama3.2:latest cannot fill in the middle"),
        (FORM.with_values(raw=True, system="Be brief."), "Raw mode sends the prompt exactly as typed"),
        (FORM.with_values(raw=True, template="{{ .Prompt }}"), "Raw mode sends the prompt exactly as typed"),
    ],
)
def test_problems_are_reported_before_anything_is_sent(form, message):
    with pytest.raises(FormProblem) as raised:
        build_request(form, {"completion"})
    assert message in as_read(str(raised.value))


def test_images_go_to_servers_that_do_not_list_capabilities():
    assert build_request(FORM.with_values(images=("QUJD",)), set()).fields["images"] == ["QUJD"]


def test_images_are_raw_base64_and_round_trip():
    encoded = encode_image(b"\x89PNG\r\n")
    assert encoded == "iVBORw0K"
    assert not encoded.startswith("data:")
    assert decode_image(encoded) == b"\x89PNG\r\n"
    assert decode_image("not base64!") is None


def test_the_example_schema_is_valid():
    assert (
        build_request(FORM.with_values(output_format=SCHEMA, schema_text=EXAMPLE_SCHEMA), ALL).fields["format"]["type"]
        == "object"
    )


def test_a_form_that_can_be_sent_is_checked_with_its_request():
    draft = checked(FORM, {"completion"})
    assert draft.form == FORM
    assert draft.request == build_request(FORM, {"completion"})
    assert draft.problem is None


def test_a_form_that_cannot_be_sent_is_checked_with_the_reason():
    draft = checked(FORM.with_values(prompt=""), {"completion"})
    assert draft.request is None
    assert "Type a prompt first" in draft.problem


@pytest.mark.parametrize("form", [FORM, FORM.with_values(prompt="")])
def test_a_problem_in_the_parameters_panel_is_named_first(form):
    draft = checked(form, {"completion"}, 'Keep loaded: "soon" is not a duration.')
    assert draft.request is None
    assert draft.problem == 'Keep loaded: "soon" is not a duration.'


def test_a_refused_draft_keeps_its_values_and_sends_nothing():
    refused = checked(FORM, {"completion"}).refused("The model is gone.")
    assert (refused.form, refused.request, refused.problem) == (FORM, None, "The model is gone.")


def test_format_labels_are_worded():
    assert [format_label(name) for name in (PLAIN, JSON, SCHEMA)] == ["Plain text", "JSON", "JSON schema"]


@pytest.mark.parametrize(
    ("think", "family", "expected"),
    [
        (True, "gptoss", "medium"),  # gpt-oss ignores true: "on" is sent as the server's own default level
        (False, "gptoss", "low"),  # and has no "off": as little as it can think
        ("high", "gptoss", "high"),
        ("high", "qwen3", True),  # other thinking models take a level as plain "on"
        (False, "qwen3", False),
    ],
)
def test_think_is_fitted_to_what_the_model_takes(think, family, expected):
    form = FORM.with_values(model="gpt-oss:20b" if family == "gptoss" else "qwen3:0.6b", think=think)
    assert build_request(form, {"completion", "thinking"}, family).fields["think"] == expected


@pytest.mark.parametrize(
    ("version", "expected"), [("0.21.3", "max"), ("0.22.1-rc2", "max"), ("0.21.2", "high"), ("", "high")]
)
def test_max_is_sent_only_to_a_server_that_takes_it(version, expected):
    form = FORM.with_values(model="gpt-oss:20b", think="max")
    assert build_request(form, {"completion", "thinking"}, "gptoss", version).fields["think"] == expected
    assert build_request(FORM.with_values(think="max"), {"thinking"}, "qwen3", version).fields["think"] is True


def test_a_gpt_oss_model_is_known_by_its_name_when_the_server_gives_no_family():
    form = FORM.with_values(model="gpt-oss:120b", think=True)
    assert build_request(form, {"completion", "thinking"}).fields["think"] == "medium"


@pytest.mark.parametrize(("asked", "sent"), [(3, 3), (0, 1), (99, 20), ("x", 5), (None, 5)])
def test_token_probabilities_send_logprobs_and_alternatives_within_ollamas_range(asked, sent):
    body = build_request(FORM.with_values(logprobs=True, top_logprobs=asked), ALL).body()
    assert body["logprobs"] is True and body["top_logprobs"] == sent
    assert "logprobs" not in build_request(FORM.with_values(top_logprobs=3), ALL).body()
