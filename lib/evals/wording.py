"""Sentences a run's background thread writes, in the language of the session that started the run.

:func:`lib.i18n.t` takes the language from the script run it is called in; a worker thread has
none (it would always word in English), and must not call Streamlit. So a run is given its
language when it starts and words its failures here, for the answer it saves: a cell that failed
keeps its sentence. Values are escaped as :func:`~lib.i18n.t` escapes them (the server's words,
model names), so the sentences are Markdown safe to show.
"""

from __future__ import annotations

from typing import Any

from lib import i18n
from lib.ollama.errors import OllamaError, ResponseError


def say(language: str, key: str, /, **values: Any) -> i18n.Markdown:
    """:func:`lib.i18n.t` in ``language`` (English if the app has no such language)."""
    chosen = language if language in i18n.LANGUAGES else i18n.DEFAULT
    return i18n.markdown(i18n.render(i18n.catalog()[key], chosen, values))


def error_sentence(error: OllamaError, model: str, language: str) -> i18n.Markdown:
    """Why a request for ``model`` failed, in ``language``: a missing model says what to do about it."""
    if isinstance(error, ResponseError) and error.model_missing:
        return say(language, "evals_run.model_missing", model=model)
    return say(language, error.key, **error.values)
