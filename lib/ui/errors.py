"""The Ollama client's errors (:mod:`lib.ollama.errors`) as sentences on screen."""

from __future__ import annotations

from lib.i18n import Markdown, t, t_plain
from lib.ollama.errors import OllamaError


def error_text(error: OllamaError) -> Markdown:
    """``error`` as one sentence in the session's language, its values shown literally.

    The values come from the server or the network (the server's own words, a reason phrase, a
    content type, an address); :func:`~lib.i18n.t` escapes them, so a server cannot make the page
    fetch an image or draw a link by putting Markdown in its error message.
    """
    return t(error.key, **error.values)


def error_plain(error: OllamaError) -> str:
    """:func:`error_text` for files and other places that show text as it is (a JSON export)."""
    return t_plain(error.key, **error.values)
