"""The client's errors worded on screen (lib/ui/errors.py): the visitor's language, the server's text inert."""

from __future__ import annotations

from lib.ollama.errors import OllamaError, ResponseError
from lib.ui.errors import error_plain, error_text


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
    error = OllamaError("errors.read_timeout", {"where": "gpu_box:11434", "n": 1})
    assert error_text(error).startswith("gpu\\_box:11434 accepted the request but sent nothing for 1 second.")


def test_a_plain_copy_for_files_keeps_the_servers_words_as_they_are():
    error = ResponseError("errors.server_said", {"said": "![x](http://tracker.example/) *bold*"}, status_code=500)
    assert error_plain(error) == "![x](http://tracker.example/) *bold*"
