"""Export to JSON and Markdown, and imports that accept only our own, intact files."""

from __future__ import annotations

import json
import math

import pytest

from lib.chat.export import FORMAT, ImportRejected, from_json, to_json, to_markdown
from lib.chat.history import ASSISTANT, STOPPED, USER, Conversation, Message
from lib.chat.sources import Grounding, Source
from lib.ollama.stats import RunStats
from lib.tools.choice import ToolChoice
from lib.tools.refusal import Refusal
from lib.tools.steps import Round, Step
from tests.chat.conftest import PNG_BASE64

CONVERSATION = Conversation(
    title="Sky",
    model="llava:7b",
    system="Be brief.",
    options={"seed": 1},
    keep_alive="5m",
    think=True,
    created_at=1_700_000_000.0,
)
MESSAGES = [
    Message(USER, "Why is the sky blue?", images=[PNG_BASE64], created_at=1_700_000_001.0),
    Message(
        ASSISTANT,
        "Scattering.",
        thinking="Rayleigh",
        status=STOPPED,
        model="llava:7b",
        stats=RunStats(time_to_first_token=0.3, output_tokens=2),
        created_at=1_700_000_002.0,
    ),
]


def test_json_round_trip_keeps_everything():
    conversation, messages = from_json(to_json(CONVERSATION, MESSAGES))
    assert (
        conversation.title,
        conversation.model,
        conversation.system,
        conversation.options,
        conversation.keep_alive,
        conversation.think,
    ) == ("Sky", "llava:7b", "Be brief.", {"seed": 1}, "5m", True)
    assert [(m.role, m.content, m.thinking, m.images, m.status, m.stats) for m in messages] == [
        (m.role, m.content, m.thinking, m.images, m.status, m.stats) for m in MESSAGES
    ]


def test_markdown_reads_like_a_transcript():
    text = to_markdown(CONVERSATION, MESSAGES)
    assert text.startswith("# Sky\n")
    assert "> Be brief." in text
    assert "## You\n\nWhy is the sky blue?" in text
    assert "*(1 image attached)*" in text
    assert "> Rayleigh" in text and "*(stopped before the end)*" in text


def test_an_answer_from_documents_lists_its_sources_in_the_markdown_export():
    grounding = Grounding(
        models=("nomic-embed-text:latest",),
        sources=(
            Source(1, "handbook.pdf", "Send it back within 30 days.", 0.41, page=1, heading="Returns"),
            Source(2, "**notes**.md", "Line one\nline two", 0.35),
        ),
        sent=({"role": "user", "content": "q"},),
    )
    nothing = Grounding(models=("nomic-embed-text:latest",), nothing_found=True, min_score=0.5)
    messages = [
        Message(USER, "How long?"),
        Message(ASSISTANT, "30 days [1].", grounding=grounding),
        Message(USER, "Capital of Peru?"),
        Message(ASSISTANT, "", grounding=nothing),
    ]
    text = to_markdown(CONVERSATION, messages)
    assert (
        "30 days [1].\n\n*Sources*\n\n**[1]** handbook.pdf · page 1, Returns · similarity 0.41\n\n"
        "> Send it back within 30 days.\n\n**[2]** \\*\\*notes\\*\\*.md · text · similarity 0.35\n\n"
        "> Line one  \n> line two\n" in text
    )
    assert "None of the documents' passages is close enough to this question (minimum score 0.50)" in text
    assert "*出处*" in to_markdown(CONVERSATION, messages, "zh")
    assert "grounding" not in to_json(CONVERSATION, messages)  # JSON keeps to the conversation file's schema


def _document(**changes):
    document = json.loads(to_json(CONVERSATION, MESSAGES))
    document.update(changes)
    return json.dumps(document)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n", "This file is not JSON."),
        ("{not json", "This file is not JSON."),
        ("[1, 2]", "not an Ollama Studio conversation"),
        (
            json.dumps({"model": "llama3.2", "messages": [{"role": "user", "content": "hi"}]}),
            "not an Ollama Studio conversation",
        ),
        (_document(version=99), "format version 99;"),
        (_document(messages="hi"), "At messages: must be a list."),
        (
            _document(messages=[{"role": "system", "content": "x"}]),
            'At message 1, role: must be "user" or "assistant".',
        ),
        (_document(messages=[{"role": "user", "content": 5}]), "At message 1, content: must be text."),
        (
            _document(messages=[{"role": "user", "content": "x", "images": ["not base64!"]}]),
            "At message 1, image 1: is not valid base64.",
        ),
        (
            _document(messages=[{"role": "user", "content": "x", "status": "odd"}]),
            'At message 1, status: must be "done", "stopped" or "failed".',
        ),
        (_document(options=[1]), "At options: must be an object."),
        (_document(title=7), "At title: must be text."),
    ],
)
def test_bad_files_are_rejected_with_a_sentence_naming_the_first_problem(data, reason):
    with pytest.raises(ImportRejected) as caught:
        from_json(data)
    assert reason in str(caught.value)


def test_an_untitled_import_is_named_after_its_first_message():
    conversation, _ = from_json(
        json.dumps({"format": FORMAT, "version": 1, "messages": [{"role": "user", "content": "Hello there"}]})
    )
    assert conversation.title == "Hello there"


@pytest.mark.parametrize("created_at", [1e300, math.inf, -math.inf, math.nan, -1.0])
def test_the_exports_handle_any_saved_time(created_at):
    """A saved chat can hold any time (written by hand or by older code): 1e300 made the Markdown file empty."""
    conversation = Conversation(title="Odd", model="m", created_at=created_at)
    messages = [Message(USER, "hi", created_at=created_at)]
    assert to_markdown(conversation, messages).startswith("# Odd\n\n*Model: m · started (date unknown)*\n")
    assert "（日期未知）" in to_markdown(conversation, messages, "zh")
    document = json.loads(to_json(conversation, messages), parse_constant=_not_json)
    assert document["created_at"] is None and document["messages"][0]["created_at"] is None
    imported, _ = from_json(to_json(conversation, messages))
    assert imported.title == "Odd"


def _not_json(constant: str) -> None:
    raise AssertionError(f"{constant} is not JSON")


def test_an_imported_error_is_kept_as_plain_text():
    data = _document(messages=[{"role": "assistant", "content": "", "status": "failed", "error": "*boom* ![x](y)"}])
    _, messages = from_json(data)
    assert messages[0].error == "\\*boom\\* !\\[x\\](y)"


def test_a_poems_line_breaks_survive_the_markdown_export():
    conversation = Conversation(title="Poem", model="m")
    poem = "Roses are red\nViolets are blue"
    text = to_markdown(conversation, [Message(USER, "A poem?"), Message(ASSISTANT, poem, thinking="Rhyme\nit")])
    assert "Roses are red  \nViolets are blue" in text
    assert "> Rhyme  \n> it" in text


# Tools, format and think levels (issue 22)

SCHEMA = {"type": "object", "properties": {"answer": {"type": "integer"}}, "required": ["answer"]}
TOOL_ROUNDS = [
    Round(
        thinking="Compute it.",
        steps=[
            Step("calculator", {"expression": "6*7"}, result="42"),
            Step("calculator", {"expression": "```"}, result="Bad ``` expression", refusal=Refusal("tools.x")),
        ],
    ),
    Round(steps=[Step("calculator", {"expression": "1"})], not_run=True),
]
TOOL_CONVERSATION = Conversation(
    title="Maths",
    model="qwen3:0.6b",
    think="high",
    tools=ToolChoice(enabled=("calculator",)),
    format=SCHEMA,
    created_at=1_700_000_000.0,
)
TOOL_MESSAGES = [
    Message(USER, "6*7?", created_at=1_700_000_001.0),
    Message(ASSISTANT, '{"answer": 42}', tools=TOOL_ROUNDS, format=SCHEMA, created_at=1_700_000_002.0),
]


def test_tools_format_and_a_think_level_survive_a_json_round_trip():
    conversation, messages = from_json(to_json(TOOL_CONVERSATION, TOOL_MESSAGES))
    assert (conversation.think, conversation.tools, conversation.format) == ("high", TOOL_CONVERSATION.tools, SCHEMA)
    assert [(m.content, m.tools, m.format) for m in messages] == [(m.content, m.tools, m.format) for m in TOOL_MESSAGES]


def test_the_markdown_export_shows_each_call_its_arguments_and_result_fenced():
    text = to_markdown(TOOL_CONVERSATION, TOOL_MESSAGES)
    assert '*Tool call: calculator*\n\n```json\n{\n  "expression": "6*7"\n}\n```' in text
    assert "*Result*\n\n```\n42\n```" in text
    assert "````\nBad ``` expression\n````" in text  # a result cannot close its fence early
    assert "*Not run.*" in text and "kept calling tools after 5 rounds" in text
    assert text.index("Tool call") < text.index('{"answer": 42}')


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"think": "extreme"}, "At think: must be true, false or a level (low, medium, high, max)."),
        ({"tools": ["calculator", "rm"]}, "At tools, item 2: names no built-in tool: `rm`"),
        ({"tools": [{"name": "has space"}]}, "At tools, item 1: `function.name` must be"),
        ({"answer_format": "xml"}, 'At answer\\_format: must be "json", a JSON schema object, or null'),
        ({"answer_format": {"type": "strang"}}, "At answer\\_format: is not a schema that can be sent"),
    ],
)
def test_an_import_with_wrong_tools_format_or_think_names_it(change, reason):
    document = json.loads(to_json(TOOL_CONVERSATION, TOOL_MESSAGES)) | change
    with pytest.raises(ImportRejected) as rejected:
        from_json(json.dumps(document))
    assert str(rejected.value).startswith(reason)


def test_an_import_with_wrong_rounds_names_where():
    document = json.loads(to_json(TOOL_CONVERSATION, TOOL_MESSAGES))
    document["messages"][1]["tools"][0]["steps"][1]["name"] = 5
    with pytest.raises(ImportRejected) as rejected:
        from_json(json.dumps(document))
    assert str(rejected.value).startswith("At message 2, tools, item 1, steps, item 2, name: must be text")


# Issue 23: a chat and each answer keep their server in the file (address and name, never a key)

GPU = "http://10.0.0.7:11434"


def test_the_json_names_the_chats_server_and_each_answers_and_reads_them_back():
    conversation = Conversation(title="On the GPU", model="qwen3:0.6b", server=GPU)
    answers = [Message(USER, "Hi"), Message(ASSISTANT, "Hello.", model="qwen3:0.6b", server=GPU)]
    document = json.loads(to_json(conversation, answers, names={GPU: "gpu"}))
    assert document["server"] == {"url": GPU, "name": "gpu"}
    assert "server" not in document["messages"][0]
    assert document["messages"][1]["server"] == {"url": GPU, "name": "gpu"}
    read, messages = from_json(json.dumps(document))
    assert read.server == GPU and [m.server for m in messages] == ["", GPU]


def test_a_server_the_session_does_not_name_is_named_after_its_host():
    document = json.loads(to_json(Conversation(server=GPU), []))
    assert document["server"] == {"url": GPU, "name": "10.0.0.7"}


def test_a_file_without_servers_is_on_no_server_and_chats_saved_without_one_write_none():
    document = json.loads(to_json(CONVERSATION, MESSAGES))
    assert "server" not in document and all("server" not in message for message in document["messages"])
    conversation, messages = from_json(json.dumps(document))
    assert conversation.server == "" and all(message.server == "" for message in messages)


@pytest.mark.parametrize(
    ("server", "problem"),
    [
        (GPU, "At server: must be an object."),
        ({"url": 7}, "At server.url: must be text."),
        ({"url": GPU, "key": "secret"}, "At server.key: is not part of an Ollama Studio conversation."),
    ],
)
def test_a_server_that_is_not_an_address_and_a_name_is_refused(server, problem):
    document = json.loads(to_json(CONVERSATION, []))
    document["server"] = server
    with pytest.raises(ImportRejected) as refused:
        from_json(json.dumps(document))
    assert str(refused.value) == problem


def test_the_markdown_names_the_server_when_there_are_several():
    conversation = Conversation(title="On the GPU", model="qwen3:0.6b", server=GPU)
    several = {GPU: "gpu", "http://127.0.0.1:11434": "laptop"}
    assert "*Server: gpu*" in to_markdown(conversation, [], names=several)
    assert "Server:" not in to_markdown(conversation, [], names={GPU: "gpu"})
    assert "服务器：gpu" in to_markdown(conversation, [], "zh", several)
