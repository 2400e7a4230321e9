"""Sentences a run's background thread writes, in the language of the session that started the run.

:func:`lib.i18n.t` takes the language from the script run it is called in; a worker thread has
none (it would always word in English), and must not call Streamlit. So a run is given its
language when it starts and words its failures here, for the answer it saves: a cell that failed
keeps its sentence. The sentences are plain text, values as they came (the server's words, model
names), like every saved text: the HTML report and the CSV escape them for their format, and a
screen that draws one as Markdown passes it through :func:`lib.i18n.escape` (or into :func:`lib.i18n.t`).
"""

from __future__ import annotations

from typing import Any

from lib import i18n
from lib.ollama.errors import OllamaError, ResponseError


def say(language: str, key: str, /, **values: Any) -> str:
    """:func:`lib.i18n.t_plain` in ``language`` (English if the app has no such language)."""
    chosen = language if language in i18n.LANGUAGES else i18n.DEFAULT
    return i18n.render(i18n.catalog()[key], chosen, values, escaped=False)


def error_sentence(error: OllamaError, model: str, language: str) -> str:
    """Why a candidate's request for ``model`` failed, in ``language``: a missing model says what to do about it."""
    if isinstance(error, ResponseError) and error.model_missing:
        return say(language, "evals_run.model_missing", model=model)
    return say(language, error.key, **error.values)
