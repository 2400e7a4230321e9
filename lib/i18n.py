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

Catalog texts are Markdown (bold, code, links on purpose); the values put into them are not.
Model names, the server's statuses and messages, titles and file names come from outside, so
:func:`t` escapes every value where it is interpolated (:func:`escape`): a model named
``**x**`` or ``![i](http://tracker/)`` shows as those characters and fetches nothing, and a new
call site cannot forget. In a code span of the template (`` `{model}` ``) a value goes in as it
is, inside a span its own backticks cannot close. A value the code built as Markdown from
trusted pieces (another :func:`t` text, a bold figure) is :class:`Markdown` and goes in
unchanged; :func:`markdown` marks one, sparingly. Where Streamlit shows text as it is
(placeholders, ``st.text``, ``st.code``, select box options, file names, JSON and CSV files),
:func:`t_plain` fills values without escaping, since backslashes would show there.

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
from lib.ui.markdown_safety import escape_markdown

LANGUAGES = {"en": "English", "zh": "简体中文"}
DEFAULT = "en"
QUERY_KEY = "lang"
CATALOG_DIR = Path(__file__).with_name("locales")

Entry = dict[str, Any]
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
_BACKTICKS = re.compile(r"`+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# What a line may start with before a value and still leave the value at the start of a block:
# indentation, block quotes and list markers.
_LINE_LEAD = re.compile(r"(?:[ \t]*(?:>|(?:[-+*]|\d{1,9}[.)])[ \t]))*[ \t]*")
# What starts a block at the beginning of a line, besides what escape_markdown escapes everywhere:
# an ATX heading, a list item, a setext underline.
_BLOCK_START = re.compile(
    r"^([ \t]*)(?:(#{1,6}|[-+])(?=[ \t]|$)|(\d{1,9})([.)])(?=[ \t]|$)|([=-])(?=[=-]*[ \t]*$))", re.MULTILINE
)


class Markdown(str):
    """Markdown the app vouches for: :func:`t`'s texts, :func:`escape`'s values, what :func:`markdown` marks.

    :func:`t` puts such a value in unchanged and escapes any other. Joining, adding or formatting
    one gives a plain ``str`` again (Python's own ``str`` operations), which :func:`t` escapes:
    trust is never inherited by accident; at worst a value shows a backslash.
    """

    __slots__ = ()


def markdown(text: str) -> Markdown:
    """Mark ``text`` as Markdown the code built from trusted pieces, to go into :func:`t` unescaped.

    Only for markup the code itself writes around values already escaped or trusted: names
    passed through :func:`escape` joined with commas, a sentence joined from :func:`t` texts.
    Never for anything a server, a file or a person wrote.
    """
    return Markdown(text)


def escape(value: Any, *, line_start: bool = True) -> Markdown:
    """``value`` as Markdown that shows its characters literally, wherever Streamlit draws Markdown.

    :func:`~lib.ui.markdown_safety.escape_markdown` escapes what opens links, images, emphasis,
    code, maths, HTML and colours; here also table pipes, and what would start a block at the
    beginning of a line of the value (``# ``, ``- ``, ``1. ``, ``===``), so a multi-line server
    message draws no headings or lists. ``line_start=False``: the first line continues a
    sentence. A :class:`Markdown` value is returned as it is.
    """
    if isinstance(value, Markdown):
        return value
    text = escape_markdown(str(value).replace("\r\n", "\n").replace("\r", "\n")).replace("|", "\\|")
    return Markdown(_BLOCK_START.sub(lambda match: _escaped_block_start(match, line_start), text))


def _escaped_block_start(match: re.Match[str], line_start: bool) -> str:
    if match.start() == 0 and not line_start:
        return match.group(0)
    indent, mark, digits, delimiter, underline = match.groups()
    if digits:
        return f"{indent}{digits}\\{delimiter}"
    return f"{indent}\\{mark or underline}"


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


def message_of(error: BaseException) -> Markdown:
    """The sentence an exception was raised with: :func:`t`'s text as it is, any other words escaped.

    For a refusal worded where it was raised (``raise FormProblem(t(...))``) that is put into
    another sentence, where ``str(error)`` would be escaped a second time.
    """
    said = error.args[0] if len(error.args) == 1 else str(error)
    return said if isinstance(said, Markdown) else escape(said)


def t(key: str, /, **values: Any) -> Markdown:
    """The text for ``key`` in the current language, with ``{name}`` filled from ``values``, escaped.

    Every value shows literally (:func:`escape`) unless it is :class:`Markdown` already. A
    counted entry chooses its form by ``n`` (a number, or one already formatted for display).
    An unknown key raises ``KeyError``: the tests make sure every key the code names exists.
    """
    return Markdown(render(catalog()[key], language(), values))


def t_plain(key: str, /, **values: Any) -> str:
    """:func:`t` for places that show text as it is, not as Markdown: values go in unescaped.

    For placeholders, ``st.text`` and ``st.code``, select box options, download file names and
    the contents of JSON or CSV files; never for Markdown, captions, alerts, labels or help.
    """
    return render(catalog()[key], language(), values, escaped=False)


def wordings(key: str) -> set[str]:
    """``key``'s text in every language, for widgets that remember a choice by its label."""
    return {render(catalog()[key], lang, {}) for lang in LANGUAGES}


def render(entry: Entry, lang: str, values: dict[str, Any], *, escaped: bool = True) -> str:
    """``entry`` in ``lang`` with its placeholders filled: values escaped as :func:`t` does, or as they are."""
    text = entry[lang]
    if isinstance(text, dict):
        text = text["one"] if _is_one(values.get("n")) and "one" in text else text["other"]
    if not values:
        return text
    if not escaped:
        return _PLACEHOLDER.sub(lambda match: str(values.get(match.group(1), match.group(0))), text)
    parts = []
    done = 0
    for start, end, run in _code_spans(text):
        parts += [_fill_text(text, done, start, values), _fill_code(text[start:end], run, values)]
        done = end
    parts.append(_fill_text(text, done, len(text), values))
    return "".join(parts)


def _code_spans(text: str) -> list[tuple[int, int, int]]:
    """Where the template's code spans are (start, end, backticks), as CommonMark pairs backtick runs."""
    runs = list(_BACKTICKS.finditer(text))
    spans = []
    index = 0
    while index < len(runs):
        opener = runs[index]
        closer = next((j for j in range(index + 1, len(runs)) if len(runs[j][0]) == len(opener[0])), None)
        if closer is None:
            index += 1
            continue
        spans.append((opener.start(), runs[closer].end(), len(opener[0])))
        index = closer + 1
    return spans


def _fill_text(text: str, start: int, end: int, values: dict[str, Any]) -> str:
    """``text[start:end]``, outside code spans, with its placeholders filled by escaped values."""
    parts = []
    done = start
    for match in _PLACEHOLDER.finditer(text, start, end):
        if match[1] in values:
            line = text[text.rfind("\n", 0, match.start()) + 1 : match.start()]
            parts += [text[done : match.start()], escape(values[match[1]], line_start=bool(_LINE_LEAD.fullmatch(line)))]
            done = match.end()
    parts.append(text[done:end])
    return "".join(parts)


def _fill_code(span: str, run: int, values: dict[str, Any]) -> str:
    """A code span of the template with values put in as they are, in a span they cannot end."""
    content = span[run:-run]
    filled = _PLACEHOLDER.sub(lambda match: str(values.get(match[1], match[0])), content)
    return span if filled == content else _code_span(filled, run)


def code(value: Any) -> Markdown:
    """``value`` as inline code: shown literally, whatever it holds (an address, a server's status)."""
    return Markdown(_code_span(str(value), 1))


def _code_span(text: str, run: int) -> str:
    """``text`` as a code span of at least ``run`` backticks, fenced so that none of its own can end it.

    A span stays on one line (line breaks become spaces), the fence grows past every run of
    backticks inside, and a space pads text that starts or ends with a backtick or a space.
    """
    text = _LINE_BREAK.sub(" ", text)
    lengths = {len(inner) for inner in _BACKTICKS.findall(text)}
    while run in lengths:
        run += 1
    if text.startswith("`") or text.endswith("`") or (text[:1] == text[-1:] == " " and text.strip()):
        text = f" {text} "
    fence = "`" * run
    return f"{fence}{text or ' '}{fence}"


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
