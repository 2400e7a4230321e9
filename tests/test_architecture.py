"""Rules of the codebase that are cheap to check mechanically."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRODUCT_FILES = sorted([ROOT / "Home.py", *(ROOT / "app_pages").glob("*.py"), *(ROOT / "lib").rglob("*.py")])


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


HTTP_LIBRARIES = {"requests", "httpx", "urllib3", "http", "aiohttp"}
# The client sends; the errors module maps the transport's exceptions by type.
HTTP_MODULES = {"lib/ollama/client.py", "lib/ollama/errors.py"}


def test_only_the_ollama_package_imports_an_http_library():
    offenders = [
        p.relative_to(ROOT).as_posix()
        for p in PRODUCT_FILES
        if imported_modules(p) & HTTP_LIBRARIES and p.relative_to(ROOT).as_posix() not in HTTP_MODULES
    ]
    assert offenders == []


def test_the_ollama_package_imports_only_itself_from_the_app():
    for path in sorted((ROOT / "lib" / "ollama").glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "lib":
                assert node.module.startswith("lib.ollama"), f"{path.name} imports {node.module}"


def test_the_ollama_package_loads_neither_streamlit_nor_the_ui():
    """In a fresh interpreter, importing every module of lib/ollama/ pulls in no Streamlit and nothing else of ours."""
    script = (
        "import importlib, pathlib, sys\n"
        "for path in sorted(pathlib.Path('lib/ollama').glob('*.py')):\n"
        "    importlib.import_module('lib.ollama.' + path.stem if path.stem != '__init__' else 'lib.ollama')\n"
        "ours = sorted(n for n in sys.modules if n.split('.')[0] in ('lib', 'streamlit') "
        "and not n.startswith('lib.ollama') and n != 'lib')\n"
        "print(','.join(ours))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


# The allowed ``st.html`` calls, each of our own constant markup: the visitor cookie's script, the
# style sheet of Streamlit's own words (catalog text, escaped as CSS strings), the chat dock's,
# Generate's script that brings a starting answer into view, the keyboard shortcuts' script, and the token
# view, whose every token and tip is escaped by lib/generate/logprobs.py (tests/generate/test_logprobs.py).
ALLOWED_HTML = {
    "lib/access/visitor.py": "cookie_script",
    "lib/ui/streamlit_chrome.py": "style_sheet",
    "lib/chat/dock.py": "dock_html",
    "lib/ui/live_markdown.py": "pieces_style",
    "lib/generate/output.py": "into_view_script",
    "lib/generate/tokens_view.py": "tinted_html",
    "lib/ui/shortcuts.py": "script",
}


def _called_name(func: ast.expr) -> str:
    """``builder`` for ``builder(...)`` and ``module.builder(...)``."""
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def _is_allowed_html(node: ast.AST, relative_path: str) -> bool:
    builder = ALLOWED_HTML.get(relative_path)
    return (
        builder is not None
        and isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "html"
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Call)
        and _called_name(node.args[0].func) == builder
    )


@pytest.mark.parametrize("path", PRODUCT_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_unsafe_html(path):
    tree = ast.parse(path.read_text())
    allowed = {id(node.func) for node in ast.walk(tree) if _is_allowed_html(node, path.relative_to(ROOT).as_posix())}
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "unsafe_allow_html":
            assert isinstance(node.value, ast.Constant) and node.value.value is False, f"{path}: unsafe_allow_html"
        if isinstance(node, ast.Attribute) and id(node) not in allowed:
            assert node.attr != "html", f"{path}: st.html renders raw HTML"


def test_importing_the_library_makes_no_network_calls():
    """In a fresh interpreter: here, collecting the tests has imported every module already."""
    script = (
        "import importlib, pathlib, socket\n"
        "def refuse(*args, **kwargs):\n"
        "    raise SystemExit('network access at import time')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "for path in sorted(pathlib.Path('lib').rglob('*.py')):\n"
        "    parts = path.with_suffix('').parts\n"
        "    importlib.import_module('.'.join(parts[:-1] if parts[-1] == '__init__' else parts))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


PAGES = sorted([ROOT / "Home.py", *(ROOT / "app_pages").glob("*.py")])
_LOGIC = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.For, ast.While, ast.ListComp, ast.DictComp)


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_a_page_only_guards_and_calls_its_package(path):
    """Pages read top to bottom: no functions, classes or loops of their own, and short."""
    tree = ast.parse(path.read_text())
    logic = [type(node).__name__ for node in ast.walk(tree) if isinstance(node, _LOGIC)]
    assert logic == [], f"{path.name} holds logic: {logic}"
    assert len(path.read_text().splitlines()) <= 40


def test_every_module_has_a_test_file_of_its_own():
    """tests/ mirrors lib/: lib/chat/answer.py is tested in tests/chat/test_answer.py."""
    missing = []
    for module in sorted((ROOT / "lib").rglob("*.py")):
        if module.name == "__init__.py":
            continue
        relative = module.relative_to(ROOT / "lib")
        test = ROOT / "tests" / relative.parent / f"test_{module.name}"
        if not test.exists():
            missing.append(relative.as_posix())
    assert missing == []
