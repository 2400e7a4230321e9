"""The Modelfile parser: every instruction, quoting, comments, typing, and every error."""

from __future__ import annotations

import re

import pytest

from lib.models.modelfile import ModelfileError, Problem, edit_as_new, looks_like_local_path, parse, tokenize
from lib.ollama import bodies as api_bodies

LLAMA_TEMPLATE = "{{ if .System }}<|system|>{{ .System }}{{ end }}\n<|user|>{{ .Prompt }}"

# (Modelfile text, the create fields it must give)
VALID = [
    pytest.param("FROM llama3.2", {"from_": "llama3.2"}, id="from-only"),
    pytest.param("from llama3.2:latest", {"from_": "llama3.2:latest"}, id="lower-case-instruction"),
    pytest.param("FrOm  \tqwen3:0.6b  ", {"from_": "qwen3:0.6b"}, id="mixed-case-and-blanks"),
    pytest.param("FROM library/llama3.2:1b", {"from_": "library/llama3.2:1b"}, id="namespaced-model"),
    pytest.param(
        "FROM hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M",
        {"from_": "hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M"},
        id="hugging-face-model",
    ),
    pytest.param(
        "FROM llama3.2\nPARAMETER temperature 0.7",
        {"from_": "llama3.2", "parameters": {"temperature": 0.7}},
        id="float-parameter",
    ),
    pytest.param(
        "FROM llama3.2\nPARAMETER num_ctx 4096\nPARAMETER seed -1",
        {"from_": "llama3.2", "parameters": {"num_ctx": 4096, "seed": -1}},
        id="int-parameters",
    ),
    pytest.param(
        "FROM llama3.2\nPARAMETER temperature 1",
        {"from_": "llama3.2", "parameters": {"temperature": 1.0}},
        id="whole-number-float-stays-float",
    ),
    pytest.param(
        "FROM llama3.2\nPARAMETER use_mmap false",
        {"from_": "llama3.2", "parameters": {"use_mmap": False}},
        id="bool-parameter",
    ),
    pytest.param(
        "FROM llama3.2\nPARAMETER temperature 0.2\nPARAMETER temperature 0.9",
        {"from_": "llama3.2", "parameters": {"temperature": 0.9}},
        id="repeated-parameter-last-wins",
    ),
    pytest.param(
        'FROM llama3.2\nPARAMETER stop "<|eot_id|>"\nparameter stop <|end|>\nPARAMETER stop "User:"',
        {"from_": "llama3.2", "parameters": {"stop": ["<|eot_id|>", "<|end|>", "User:"]}},
        id="stop-accumulates",
    ),
    pytest.param(
        'FROM llama3.2\nPARAMETER stop " "',
        {"from_": "llama3.2", "parameters": {"stop": [" "]}},
        id="quoted-blank-stop",
    ),
    pytest.param(
        "FROM llama3.2\nSYSTEM You are Mario from Super Mario Bros.",
        {"from_": "llama3.2", "system": "You are Mario from Super Mario Bros."},
        id="system-unquoted",
    ),
    pytest.param('FROM llama3.2\nSYSTEM "Be brief."', {"from_": "llama3.2", "system": "Be brief."}, id="system-quoted"),
    pytest.param(
        'FROM llama3.2\nSYSTEM """Line one.\nLine two.\n"""',
        {"from_": "llama3.2", "system": "Line one.\nLine two.\n"},
        id="triple-quoted-multi-line",
    ),
    pytest.param(
        'FROM llama3.2\nSYSTEM "first\nsecond"',
        {"from_": "llama3.2", "system": "first\nsecond"},
        id="double-quoted-multi-line",
    ),
    pytest.param(
        'FROM llama3.2\nSYSTEM """He said "hi"."""',
        {"from_": "llama3.2", "system": 'He said "hi".'},
        id="quotes-inside-triple-quotes",
    ),
    pytest.param(
        'FROM llama3.2\nSYSTEM """\n# not a comment\n"""',
        {"from_": "llama3.2", "system": "\n# not a comment\n"},
        id="hash-inside-value-is-text",
    ),
    pytest.param(
        "FROM llama3.2\nSYSTEM Use C# and F#",
        {"from_": "llama3.2", "system": "Use C# and F#"},
        id="hash-mid-line-is-text",
    ),
    pytest.param(
        "FROM llama3.2\nSYSTEM one\nSYSTEM two", {"from_": "llama3.2", "system": "two"}, id="second-system-wins"
    ),
    pytest.param('FROM llama3.2\nSYSTEM ""', {"from_": "llama3.2", "system": ""}, id="empty-quoted-system"),
    pytest.param(
        f'FROM llama3.2\nTEMPLATE """{LLAMA_TEMPLATE}"""',
        {"from_": "llama3.2", "template": LLAMA_TEMPLATE},
        id="template",
    ),
    pytest.param(
        "FROM llama3.2\nMESSAGE user Is Toronto in Canada?\nMESSAGE assistant yes\nMESSAGE system Be nice",
        {
            "from_": "llama3.2",
            "messages": [
                {"role": "user", "content": "Is Toronto in Canada?"},
                {"role": "assistant", "content": "yes"},
                {"role": "system", "content": "Be nice"},
            ],
        },
        id="messages",
    ),
    pytest.param(
        'FROM llama3.2\nMESSAGE user """two\nlines"""',
        {"from_": "llama3.2", "messages": [{"role": "user", "content": "two\nlines"}]},
        id="multi-line-message",
    ),
    pytest.param(
        'FROM llama3.2\nLICENSE MIT\nLICENSE """Apache\n2.0"""',
        {"from_": "llama3.2", "license": ["MIT", "Apache\n2.0"]},
        id="licenses-accumulate",
    ),
    pytest.param(
        "# a comment\n\n   # indented comment\nFROM llama3.2\n# PARAMETER temperature 9\n",
        {"from_": "llama3.2"},
        id="comments-and-blank-lines",
    ),
    pytest.param("\ufeffFROM llama3.2\r\nSYSTEM hi\r\n", {"from_": "llama3.2", "system": "hi"}, id="bom-and-crlf"),
    pytest.param("FROM llama3.2\nPARAMETER mirostat 1", {"from_": "llama3.2"}, id="deprecated-parameter-dropped"),
    pytest.param("FROM llama3.2\nRENDERER qwen3\nPARSER qwen3", {"from_": "llama3.2"}, id="renderer-parser-not-sent"),
]


@pytest.mark.parametrize(("text", "fields"), VALID)
def test_valid_modelfiles_become_create_fields(text, fields):
    assert parse(text).create_fields() == fields


# (Modelfile text, line of the first problem, words its message must contain)
INVALID = [
    pytest.param("", None, "no FROM line", id="empty"),
    pytest.param("# only a comment\nSYSTEM hi", None, "no FROM line", id="no-from"),
    pytest.param("FROM", 1, "FROM needs a value", id="from-without-value"),
    pytest.param("FROM llama3.2\nFORM x", 2, '"FORM" is not a Modelfile instruction', id="unknown-instruction"),
    pytest.param("FROM llama3.2\nSYSTEM: hi", 2, '"SYSTEM:" is not a Modelfile instruction', id="colon-after-name"),
    pytest.param("FROM llama3.2\nPARAMETER", 2, "PARAMETER needs a name and a value", id="parameter-without-name"),
    pytest.param(
        "FROM llama3.2\nPARAMETER temperature", 2, "PARAMETER temperature needs a value", id="parameter-without-value"
    ),
    pytest.param("FROM llama3.2\nPARAMETER temp-erature 1", 2, "is not a parameter name", id="bad-parameter-name"),
    pytest.param("FROM llama3.2\n\nPARAMETER warmth 1", 3, 'unknown parameter "warmth"', id="unknown-parameter"),
    pytest.param(
        "FROM llama3.2\nPARAMETER temperature hot", 2, 'temperature needs a number, not "hot"', id="float-not-a-number"
    ),
    pytest.param("FROM llama3.2\nPARAMETER temperature nan", 2, "temperature needs a finite number", id="float-nan"),
    pytest.param(
        "FROM llama3.2\nPARAMETER num_ctx 4k", 2, 'num_ctx needs a whole number, not "4k"', id="int-not-a-number"
    ),
    pytest.param("FROM llama3.2\nPARAMETER top_k 2.5", 2, "top_k needs a whole number", id="int-with-fraction"),
    pytest.param("FROM llama3.2\nPARAMETER use_mmap maybe", 2, "use_mmap needs true or false", id="bool-invalid"),
    pytest.param("FROM llama3.2\nPARAMETER typical_p 0.9", 2, "typical_p can no longer be set", id="typical-p-refused"),
    pytest.param("FROM llama3.2\nMESSAGE tool hi", 2, 'MESSAGE role is "tool"', id="bad-message-role"),
    pytest.param("FROM llama3.2\nMESSAGE User hi", 2, "must be system, user or assistant", id="role-is-case-sensitive"),
    pytest.param("FROM llama3.2\nMESSAGE", 2, "MESSAGE role is missing", id="message-without-role"),
    pytest.param("FROM llama3.2\nMESSAGE user", 2, "MESSAGE user needs a value", id="message-without-text"),
    pytest.param(
        'FROM llama3.2\nSYSTEM """never\nclosed', 2, 'opens with """ but is never closed', id="unclosed-triple-quote"
    ),
    pytest.param('FROM llama3.2\nSYSTEM "never closed', 2, 'opens with " but is never closed', id="unclosed-quote"),
    pytest.param("FROM ./llama.gguf", 1, "points at a file", id="from-relative-file"),
    pytest.param("FROM /root/.ollama/models/blobs/sha256-abc", 1, "points at a file", id="from-absolute-blob"),
    pytest.param("FROM ~/models/x", 1, "points at a file", id="from-home-file"),
    pytest.param("FROM llama3.2\nADAPTER ./lora.gguf", 2, "ADAPTER adds a LoRA adapter", id="adapter"),
    pytest.param("FROM llama3.2\nDRAFT ./small", 2, "DRAFT adds a draft model", id="draft"),
]


@pytest.mark.parametrize(("text", "line", "words"), INVALID)
def test_invalid_modelfiles_are_explained_with_their_line(text, line, words):
    with pytest.raises(ModelfileError) as caught:
        parse(text)
    first = caught.value.problems[0]
    assert first.line == line
    assert words in re.sub(r"\\(.)", r"\1", first.message)  # as read: the message is Markdown, its values escaped
    assert str(first).endswith(".")
    if line is not None:
        assert str(first).startswith(f"Line {line}: ")


def test_every_problem_is_reported_not_just_the_first():
    text = "FROM ./x.gguf\nPARAMETER warmth 1\nPARAMETER num_ctx big\nADAPTER ./a"
    with pytest.raises(ModelfileError) as caught:
        parse(text)
    assert [p.line for p in caught.value.problems] == [1, 2, 3, 4]
    assert str(caught.value).startswith("Line 1: FROM ./x.gguf points at a file")


def test_problems_before_a_syntax_error_are_reported_too():
    with pytest.raises(ModelfileError) as caught:
        parse('FROM ./x.gguf\nPARAMETER warmth 1\nSYSTEM """oops\n')
    assert [p.line for p in caught.value.problems] == [1, 2, 3]
    assert "never closed" in caught.value.problems[2].message


def test_warnings_name_their_lines():
    parsed = parse("FROM a\nFROM b\nPARAMETER mirostat 1\nRENDERER x")
    assert parsed.from_ == "b"
    assert [str(w) for w in parsed.warnings] == [
        "Line 2: this FROM replaces the one on line 1.",
        "Line 3: parameter mirostat is deprecated and is not sent.",
        "Line 4: RENDERER is not sent: Ollama Studio does not support it yet. "
        "A model created from an installed model keeps that model's setting.",
    ]


def test_line_numbers_count_lines_inside_multi_line_values():
    text = 'FROM llama3.2\nSYSTEM """a\nb\nc"""\nPARAMETER bogus 1'
    with pytest.raises(ModelfileError) as caught:
        parse(text)
    assert caught.value.problems[0].line == 5


def test_the_fields_build_the_structured_create_body():
    parsed = parse(
        'FROM llama3.2\nPARAMETER temperature 0.3\nPARAMETER stop a\nPARAMETER stop b\nSYSTEM """Be\nbrief"""'
    )
    body = api_bodies.create_body("mario", **parsed.create_fields())
    assert body == {
        "model": "mario",
        "from": "llama3.2",
        "system": "Be\nbrief",
        "parameters": {"temperature": 0.3, "stop": ["a", "b"]},
        "stream": True,
    }
    assert "modelfile" not in body


def test_tokenize_keeps_instructions_in_order():
    items = tokenize("FROM m\nPARAMETER stop x\nMESSAGE user hi")
    assert [(i.line, i.keyword, i.name, i.role, i.value) for i in items] == [
        (1, "from", "", "", "m"),
        (2, "parameter", "stop", "", "x"),
        (3, "message", "", "user", "hi"),
    ]


@pytest.mark.parametrize(
    ("value", "local"),
    [
        ("llama3.2", False),
        ("llama3.2:1b", False),
        ("library/llama3.2", False),
        ("hf.co/u/r:Q4_K_M", False),
        ("./m.gguf", True),
        ("../m", True),
        ("/blobs/sha256-1", True),
        ("~/m", True),
        ("C:\\models\\m", True),
        ("model.gguf", True),
        ("weights.safetensors", True),
        ("\\\\share\\m", True),
    ],
)
def test_local_paths_are_told_apart_from_model_names(value, local):
    assert looks_like_local_path(value) is local


SHOWN = '''# Modelfile generated by "ollama show"
# To build a new Modelfile based on this, replace FROM with:
# FROM llama3.2:latest

FROM /root/.ollama/models/blobs/sha256-dde5aa3fc5ffc17176b5e8bdc82f587b24b2678c6c66101bf7da77af9f7ccdff
TEMPLATE """{{ .Prompt }}"""
PARAMETER stop <|eot_id|>
LICENSE """LLAMA 3.2
COMMUNITY LICENSE"""
'''


def test_edit_as_new_points_from_at_the_installed_model():
    text = edit_as_new(SHOWN, "llama3.2:latest")
    assert "FROM llama3.2:latest\nTEMPLATE" in text
    assert "blobs" not in text
    parsed = parse(text)
    assert parsed.create_fields() == {
        "from_": "llama3.2:latest",
        "template": "{{ .Prompt }}",
        "parameters": {"stop": ["<|eot_id|>"]},
        "license": ["LLAMA 3.2\nCOMMUNITY LICENSE"],
    }


def test_edit_as_new_keeps_a_named_from_and_adds_a_missing_one():
    assert edit_as_new("FROM qwen3:0.6b\nSYSTEM hi", "x") == "FROM qwen3:0.6b\nSYSTEM hi"
    assert edit_as_new("SYSTEM hi", "qwen3:0.6b") == "FROM qwen3:0.6b\nSYSTEM hi"


def test_edit_as_new_drops_a_vision_models_projector_from():
    shown = "FROM /blobs/sha256-weights\nFROM /blobs/sha256-projector\nPARAMETER temperature 0.2\n"
    text = edit_as_new(shown, "llava:7b")
    assert text == "FROM llava:7b\nPARAMETER temperature 0.2\n"
    assert parse(text).warnings == []


def test_problems_name_their_line_when_they_have_one():
    assert str(Problem(3, "x")) == "Line 3: x"
    assert str(Problem(None, "x")) == "x"
