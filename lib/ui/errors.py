"""The Ollama client's errors (:mod:`lib.ollama.errors`) as sentences on screen."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lib.i18n import t
from lib.ollama.errors import OllamaError
from lib.ui.markdown_safety import escape_markdown


def error_text(error: OllamaError) -> str:
    """``error`` as one sentence in the session's language, its values shown literally.

    The values come from the server or the network (the server's own words, a reason phrase, a
    content type, an address), so they are escaped: a server cannot make the page fetch an image
    or draw a link by putting Markdown in its error message.
    """
    return t(error.key, **shown_values(error.values))


def shown_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Text values escaped for Markdown; numbers as they are."""
    return {name: escape_markdown(value) if isinstance(value, str) else value for name, value in values.items()}
