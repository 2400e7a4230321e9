"""Rules of the codebase that are cheap to check mechanically."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRODUCT_FILES = sorted([ROOT / "Home.py", *(ROOT / "app_pages").glob("*.py"), *(ROOT / "lib").glob("*.py")])


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_only_the_client_imports_an_http_library():
    offenders = [
        p.relative_to(ROOT).as_posix()
        for p in PRODUCT_FILES
        if imported_modules(p) & {"requests", "httpx", "urllib3", "http", "aiohttp"} and p.name != "client.py"
    ]
    assert offenders == []


# The allowed ``st.html`` calls, each of our own constant markup: lib/visitor.py's cookie script and
# lib/streamlit_chrome.py's style sheet (catalog text, escaped as CSS strings).
ALLOWED_HTML = {"visitor.py": "cookie_script", "streamlit_chrome.py": "style_sheet", "chat_dock.py": "dock_html"}


def _is_allowed_html(node: ast.AST, file_name: str) -> bool:
    builder = ALLOWED_HTML.get(file_name)
    return (builder is not None and isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "html" and len(node.args) == 1 and isinstance(node.args[0], ast.Call)
            and isinstance(node.args[0].func, ast.Name) and node.args[0].func.id == builder)


@pytest.mark.parametrize("path", PRODUCT_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_unsafe_html(path):
    tree = ast.parse(path.read_text())
    allowed = {id(node.func) for node in ast.walk(tree) if _is_allowed_html(node, path.name)}
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
        "for path in sorted(pathlib.Path('lib').glob('*.py')):\n"
        "    importlib.import_module(f'lib.{path.stem}')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
