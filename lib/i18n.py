"""The interface's words in English and Simplified Chinese, behind one lookup: ``t(key, **values)``.

Catalogs are TOML files in ``lib/locales/``, one per area of the app, with both languages side
by side so that a missing translation shows in review::

    [stop]                      # the key "chat.stop" is table "stop" of chat.toml
    en = "Stop"
    zh = "停止"

    [installed]                 # counted: English picks "one" or "other" by the value of n
    en.one = "{n} model installed"
    en.other = "{n} models installed"
    zh = "已安装 {n} 个模型"

``{name}`` is filled from ``values``; other braces (JSON examples) are left alone. Keys are
always string literals in the code, so ``tests/test_i18n.py`` can find missing and unused
keys. Model output and what users type are never passed through here.

The language is chosen once per browser session (:func:`init`): ``?lang=`` in the URL, else
the browser's language, else English; the sidebar can change it and the URL keeps it, so a
shared link opens in the same language. Outside a script run (worker threads, pure logic
tests) the language is English; errors raised there are worded when they are shown.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from lib import state

LANGUAGES = {"en": "English", "zh": "简体中文"}
DEFAULT = "en"
QUERY_KEY = "lang"
CATALOG_DIR = Path(__file__).with_name("locales")

Entry = dict[str, Any]
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


@cache
def catalog() -> dict[str, Entry]:
    """Every key ("area.name") with its entry ({"en": ..., "zh": ...}), from all catalog files."""
    entries: dict[str, Entry] = {}
    for path in sorted(CATALOG_DIR.glob("*.toml")):
        with path.open("rb") as file:
            for name, entry in tomllib.load(file).items():
                entries[f"{path.stem}.{name}"] = entry
    return entries


def language() -> str:
    """The current session's language code; English outside a script run."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return DEFAULT
    chosen = st.session_state.get(state.LANGUAGE)
    return chosen if chosen in LANGUAGES else DEFAULT


def t(key: str, /, **values: Any) -> str:
    """The text for ``key`` in the current language, with ``{name}`` filled from ``values``.

    A counted entry chooses its form by ``n`` (a number, or one already formatted for display).
    An unknown key raises ``KeyError``: the tests make sure every key the code names exists.
    """
    return render(catalog()[key], language(), values)


def wordings(key: str) -> set[str]:
    """``key``'s text in every language, for widgets that remember a choice by its label."""
    return {render(catalog()[key], lang, {}) for lang in LANGUAGES}


def render(entry: Entry, lang: str, values: dict[str, Any]) -> str:
    text = entry[lang]
    if isinstance(text, dict):
        text = text["one"] if _is_one(values.get("n")) and "one" in text else text["other"]
    if not values:
        return text
    return _PLACEHOLDER.sub(
        lambda match: str(values[match.group(1)]) if match.group(1) in values else match.group(0), text
    )


def _is_one(count: Any) -> bool:
    """1, 1.0 or "1" (a count already formatted for display) take the singular."""
    try:
        return float(str(count).replace(",", "")) == 1
    except ValueError:
        return False


def placeholders(entry: Entry, lang: str) -> set[str]:
    forms = entry[lang].values() if isinstance(entry[lang], dict) else [entry[lang]]
    return {name for form in forms for name in _PLACEHOLDER.findall(form)}


def parse(code: str | None) -> str | None:
    """A supported language from a URL value or a browser locale ("zh-CN", "zh_Hans", "en-GB"), else None."""
    if not code:
        return None
    base = code.strip().replace("_", "-").split("-", 1)[0].lower()
    return base if base in LANGUAGES else None


def init() -> None:
    """Choose the session's language on its first run: the URL's, else the browser's, else English.

    A ``?lang=`` the app does not have is ignored with a notice (:func:`keep_in_url` corrects it).
    """
    if state.get(state.LANGUAGE) in LANGUAGES:
        return
    wanted = st.query_params.get(QUERY_KEY)
    state.put(state.LANGUAGE, parse(wanted) or parse(st.context.locale) or DEFAULT)
    if wanted is not None and parse(wanted) is None:
        st.toast(
            t("app.address_language", language=LANGUAGES[language()]), icon=":material/translate:", duration="long"
        )


def keep_in_url() -> None:
    """Write the language into the URL (page switches drop query parameters), so links carry it."""
    if st.query_params.get(QUERY_KEY) != language():
        st.query_params[QUERY_KEY] = language()


def choose(code: str) -> None:
    if code in LANGUAGES:
        state.put(state.LANGUAGE, code)
