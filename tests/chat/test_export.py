"""Export to JSON and Markdown, and imports that accept only our own, intact files."""

from __future__ import annotations

import json

import pytest

from lib.chat.export import FORMAT, ImportRejected, from_json, to_json, to_markdown
from lib.chat.history import ASSISTANT, STOPPED, USER, Conversation, Message
from lib.ollama.stats import RunStats

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
    Message(USER, "Why is the sky blue?", images=["iVBORw0KGgo="], created_at=1_700_000_001.0),
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


def _document(**changes):
    document = json.loads(to_json(CONVERSATION, MESSAGES))
    document.update(changes)
    return json.dumps(document)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n", "not JSON"),
        ("{not json", "not JSON"),
        ("[1, 2]", "not an Ollama Studio conversation"),
        (
            json.dumps({"model": "llama3.2", "messages": [{"role": "user", "content": "hi"}]}),
            "not an Ollama Studio conversation",
        ),
        (_document(version=99), "version 99"),
        (_document(messages="hi"), 'no "messages" list'),
        (_document(messages=[{"role": "system", "content": "x"}]), 'only "user" and "assistant"'),
        (_document(messages=[{"role": "user", "content": 5}]), "not text"),
        (_document(messages=[{"role": "user", "content": "x", "images": ["not base64!"]}]), "not valid base64"),
        (_document(messages=[{"role": "user", "content": "x", "status": "odd"}]), "unknown status"),
        (_document(options=[1]), '"options" is not an object'),
        (_document(title=7), "title is not text"),
    ],
)
def test_bad_files_are_rejected_with_a_reason(data, reason):
    with pytest.raises(ImportRejected, match=None) as caught:
        from_json(data)
    assert reason in str(caught.value)


def test_an_untitled_import_is_named_after_its_first_message():
    conversation, _ = from_json(
        json.dumps({"format": FORMAT, "version": 1, "messages": [{"role": "user", "content": "Hello there"}]})
    )
    assert conversation.title == "Hello there"
