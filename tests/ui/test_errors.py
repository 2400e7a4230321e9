"""The client's errors worded on screen (lib/ui/errors.py): the visitor's language, the server's text inert."""

from __future__ import annotations

from lib.ollama.errors import OllamaError, ResponseError
from lib.ui.errors import error_text, shown_values


def test_an_error_is_worded_from_its_key_and_values():
    error = OllamaError("errors.read_timeout", {"where": "gpu-box:11434", "n": 30})
    assert error_text(error) == (
        "gpu-box:11434 accepted the request but sent nothing for 30 seconds. A large model may still be loading: "
        "try again, or raise the timeout in the sidebar."
    )


def test_the_servers_own_words_cannot_draw_markdown():
    error = ResponseError("errors.server_said", {"said": "![x](http://tracker.example/) *bold*"}, status_code=500)
    assert error_text(error) == "!\\[x\\](http://tracker.example/) \\*bold\\*"


def test_numbers_are_not_escaped():
    assert shown_values({"n": 3, "said": "a_b"}) == {"n": 3, "said": "a\\_b"}
