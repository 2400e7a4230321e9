"""Static checks of the translation layer: keys the code names, catalog entries, UI literals.

``python -m tests.i18n_check [files...]`` prints every finding (all product files by default);
``tests/test_i18n.py`` asserts there are none.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from lib import i18n

ROOT = Path(__file__).resolve().parents[1]
PRODUCT_FILES = sorted([ROOT / "Home.py", *(ROOT / "app_pages").glob("*.py"), *(ROOT / "lib").rglob("*.py")])

# Streamlit calls whose text arguments a user reads.
UI_CALLS = frozenset(
    {
        "button",
        "caption",
        "chat_input",
        "checkbox",
        "code_label",
        "color_picker",
        "data_editor",
        "date_input",
        "dialog",
        "download_button",
        "error",
        "expander",
        "file_uploader",
        "form_submit_button",
        "header",
        "info",
        "link_button",
        "markdown",
        "metric",
        "multiselect",
        "number_input",
        "page_link",
        "pills",
        "popover",
        "progress",
        "radio",
        "segmented_control",
        "select_slider",
        "selectbox",
        "slider",
        "spinner",
        "status",
        "subheader",
        "success",
        "tabs",
        "text",
        "text_area",
        "text_input",
        "time_input",
        "title",
        "toast",
        "toggle",
        "warning",
        "write",
        "update",
        "TextColumn",
        "NumberColumn",
        "CheckboxColumn",
        "SelectboxColumn",
        "ProgressColumn",
        "LinkColumn",
        "ListColumn",
        "DatetimeColumn",
        "Column",
        "BarChartColumn",
        "LineChartColumn",
    }
)
TEXT_KEYWORDS = frozenset({"label", "help", "placeholder", "body", "text", "caption", "title", "value_label"})
# Not words to translate: Markdown colours (":red[") and icons (":material/x:"), code, addresses, the product's names.
_NOT_WORDS = re.compile(r":[a-z-]+\[|:material/[a-z_]+:|:[a-z_]+:|`[^`]*`|https?://\S+|\bOllama(?: Studio)?\b")
_WORD = re.compile(r"[A-Za-z]{2,}")
_KEY = re.compile(r"^([a-z_]+)\.([a-z0-9_]+)$")
# What a file name ends with, never a key's name: the arena's "arena.sqlite3" beside the "arena" area.
_FILE_EXTENSIONS = frozenset({"csv", "json", "md", "png", "py", "sqlite3", "toml", "txt"})


@dataclass(frozen=True)
class Finding:
    path: Path
    line: int
    problem: str

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT).as_posix()}:{self.line}: {self.problem}"


def areas() -> set[str]:
    return {key.split(".", 1)[0] for key in i18n.catalog()}


def key_literals(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """Every string constant that names a key of a catalog area (``"chat.stop"``), but for what SQLAlchemy is given
    (``sa.ForeignKey("documents.id")`` names a table's column)."""
    known = areas()
    sql = {
        id(argument)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "sa"
        for argument in node.args
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in sql:
            match = _KEY.match(node.value)
            if match and match.group(1) in known and match.group(2) not in _FILE_EXTENSIONS:
                yield node.lineno, node.value


def _is_t_call(node: ast.AST) -> bool:
    """``t(...)``, or ``t_plain(...)`` (the same text, its values unescaped)."""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("t", "t_plain")


def _call_name(node: ast.Call) -> str | None:
    """The called name, for a call that may draw: ``logger.warning(...)`` writes to the log, for developers, and
    SQLAlchemy's ``sa.Column(...)``, ``sa.text(...)`` build tables and SQL."""
    if isinstance(node.func, ast.Attribute):
        receiver = node.func.value
        if isinstance(receiver, ast.Name) and receiver.id in ("logger", "logging", "sa"):
            return None
        return node.func.attr
    if isinstance(node.func, ast.Name):
        return node.func.id
    return None


def _literal_words(node: ast.AST) -> str | None:
    """The user-visible words a literal argument carries, if any."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        text = " ".join(
            part.value for part in node.values if isinstance(part, ast.Constant) and isinstance(part.value, str)
        )
    else:
        return None
    text = _NOT_WORDS.sub(" ", text)
    return text if _WORD.search(text) else None


def file_findings(path: Path) -> Iterator[Finding]:
    tree = ast.parse(path.read_text(), filename=str(path))
    catalog = i18n.catalog()
    for line, key in key_literals(tree):
        if key not in catalog:
            yield Finding(path, line, f"key {key!r} is not in lib/locales/{key.split('.')[0]}.toml")
    known = areas()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
            head = str(node.values[0].value)
            if re.match(r"^[a-z_]+\.", head) and head.split(".", 1)[0] in known:
                yield Finding(path, node.lineno, f"a key built from parts ({head}...): write each key out")
        if not isinstance(node, ast.Call):
            continue
        if _is_t_call(node):
            yield from _t_call_findings(path, node, catalog)
            continue
        if _call_name(node) not in UI_CALLS:
            continue
        arguments = [*node.args, *(k.value for k in node.keywords if k.arg in TEXT_KEYWORDS)]
        for argument in arguments:
            words = _literal_words(argument)
            if words is not None:
                yield Finding(path, argument.lineno, f"UI text written in the code, not through t(): {words.strip()!r}")


def _t_call_findings(path: Path, node: ast.Call, catalog: dict[str, i18n.Entry]) -> Iterator[Finding]:
    if not node.args or isinstance(node.args[0], (ast.JoinedStr, ast.BinOp, ast.Call)):
        yield Finding(path, node.lineno, "t() needs a key written out as a literal somewhere, not built from parts")
        return
    if not isinstance(node.args[0], ast.Constant):
        return  # a key held in a variable: its literal is checked where it is written
    key = node.args[0].value
    if key not in catalog or any(k.arg is None for k in node.keywords):
        return
    passed = {k.arg for k in node.keywords}
    for lang in i18n.LANGUAGES:
        missing = i18n.placeholders(catalog[key], lang) - passed
        if missing:
            yield Finding(path, node.lineno, f"{key} ({lang}) needs {sorted(missing)} but t() does not pass them")


def catalog_findings(files: Iterable[Path] = PRODUCT_FILES) -> Iterator[str]:
    """Entries without both languages, and keys no code names."""
    used = {key for path in files for _, key in key_literals(ast.parse(path.read_text()))}
    for key, entry in i18n.catalog().items():
        for lang in i18n.LANGUAGES:
            value = entry.get(lang)
            forms = value.values() if isinstance(value, dict) else [value]
            if not value or not all(isinstance(form, str) and form.strip() for form in forms):
                yield f"{key}: no {lang} text"
        if all(entry.get(lang) for lang in i18n.LANGUAGES):
            extra = i18n.placeholders(entry, "zh") - i18n.placeholders(entry, "en")
            if extra:
                yield f"{key}: zh needs {sorted(extra)}, which the English text does not"
        if key not in used:
            yield f"{key}: not used by any code"


# Words a Chinese interface keeps in Latin letters: names, units, formats, technical terms.
KEPT_WORDS = frozenset(
    {
        "ollama",
        "studio",
        "english",
        "api",
        "json",
        "schema",
        "gpu",
        "cpu",
        "url",
        "modelfile",
        "ndjson",
        "http",
        "https",
        "tls",
        "b",
        "kb",
        "mb",
        "gb",
        "tb",
        "tok",
        "token",
        "tokens",
        "markdown",
        "csv",
        "sqlite",
        "docker",
        "id",
        "vram",
        "ram",
        "png",
        "jpeg",
        "jpg",
        "txt",
        "md",
        "ctrl",
        "enter",
        "shift",
        "cmd",
        "esc",
        "ok",
        "pca",
        "top",
        "k",
        "p",
        "min",
        "max",
        "ms",
        "s",
        "utc",
        "raw",
        "svg",
        "ai",
    }
)
TEXT_FIELDS = frozenset({"body", "label", "help", "placeholder", "content", "options", "text", "caption", "value"})
_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


def _proto_texts(message: Any) -> Iterator[str]:
    for field, value in message.ListFields():
        values = list(value) if field.is_repeated else [value]
        if field.type == field.TYPE_STRING and field.name in TEXT_FIELDS:
            yield from values
        elif field.type == field.TYPE_MESSAGE:
            for item in values:
                yield from _proto_texts(item)


def leftover_words(text: str, names: Iterable[str] = ()) -> list[str]:
    """English words in a Chinese screen's text that a translator should have replaced.

    Code, addresses, model names and :data:`KEPT_WORDS` are allowed; so is a short term inside
    a Chinese sentence, but not an English phrase of three words or more.
    """
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, " ")
    text = _NOT_WORDS.sub(" ", text)
    words = [w for w in _LATIN_WORD.findall(text) if w.lower() not in KEPT_WORDS and not w.isupper()]
    if not words:
        return []
    if not _CJK.search(text):
        return words
    run = max(
        (
            len(m.group(0).split())
            for m in re.finditer(r"(?:[A-Za-z][A-Za-z'’-]*\s+){2,}[A-Za-z][A-Za-z'’-]*", text)
            if not all(w.lower() in KEPT_WORDS for w in m.group(0).split())
        ),
        default=0,
    )
    return words if run >= 3 else []


def installed_names(server_url: str) -> set[str]:
    """The models installed on a (fake) server: names are never translated and may appear anywhere."""
    return {m["name"] for m in requests.get(f"{server_url}/api/tags", timeout=5).json()["models"]}


def shown_headers(node: Any) -> list[str]:
    """A table's column titles as drawn: the column config's label where it gives one, hidden columns left out."""
    config = json.loads(node.proto.columns or "{}")
    headers = []
    for column in node.value.columns:
        setting = config.get(str(column), {})
        if not setting.get("hidden"):
            headers.append(str(setting.get("label") or column))
    return headers


def screen_leftovers(at: Any, names: Iterable[str] = ()) -> list[str]:
    """Texts on an AppTest screen (widgets, Markdown, table headers) with English leftovers."""
    found: list[str] = []
    pending = [at._tree]
    while pending:
        node = pending.pop()
        if type(node).__name__ in ("ChatMessage", "Json", "Html"):
            continue  # what users and models wrote, the server's data, our own script: never translated
        pending += list(getattr(node, "children", {}).values())
        proto = getattr(node, "proto", None)
        texts = list(_proto_texts(proto)) if proto is not None else []
        if type(node).__name__ == "Dataframe":
            texts += shown_headers(node)
        found += [text for text in texts if leftover_words(text, names)]
    return found


def main(argv: list[str]) -> int:
    files = [Path(name).resolve() for name in argv] or PRODUCT_FILES
    problems = [str(f) for path in files for f in file_findings(path)]
    if not argv:
        problems += list(catalog_findings())
    print("\n".join(problems) or "no findings")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
