"""The app's pages and their URL paths (lib/ui/navigation.py), as the entry script builds the menu."""

from __future__ import annotations

from pathlib import Path

import pytest

from lib import i18n
from lib.ui import navigation

ROOT = Path(__file__).resolve().parents[2]
# Menu order: Home, then the pages people work in.
PAGE_FILES = [
    navigation.HOME,
    navigation.CHAT,
    navigation.GENERATE,
    navigation.ARENA,
    "app_pages/evals.py",
    navigation.DOCUMENTS,
    navigation.EMBEDDINGS,
    navigation.MODELS,
]


def test_every_page_file_exists_and_every_page_is_in_the_menu():
    assert all((ROOT / page).is_file() for page in PAGE_FILES)
    assert sorted(f"app_pages/{path.name}" for path in (ROOT / "app_pages").glob("*.py")) == sorted(PAGE_FILES)


@pytest.fixture
def menus(monkeypatch) -> list[list]:
    """The pages ``navigation.pages()`` returned, on each run of the entry script."""
    built: list[list] = []
    pages = navigation.pages

    def recording_pages():
        built.append(pages())
        return built[-1]

    monkeypatch.setattr(navigation, "pages", recording_pages)
    return built


def test_the_menu_in_order_with_its_paths_and_home_first(open_app, menus):
    at = open_app()
    assert not at.exception
    menu = menus[-1]
    assert [Path(page._page).relative_to(ROOT).as_posix() for page in menu] == PAGE_FILES
    assert [page.title for page in menu] == [
        "Home",
        "Chat",
        "Generate",
        "Arena",
        "Evals",
        "Documents",
        "Embeddings",
        "Models",
    ]
    assert [page.url_path for page in menu] == [
        "",
        "chat",
        "generate",
        "arena",
        "evals",
        "documents",
        "embeddings",
        "models",
    ]
    assert [page._default for page in menu] == [True, False, False, False, False, False, False, False]
    assert all(page.icon.startswith(":material/") for page in menu)


def test_the_menu_is_worded_in_the_sessions_language_and_keeps_its_paths(open_app, menus):
    open_app(query={i18n.QUERY_KEY: "zh"})
    menu = menus[-1]
    assert [page.title for page in menu] == ["首页", "对话", "生成", "竞技场", "评测", "文档", "向量嵌入", "模型"]
    assert [page.url_path for page in menu] == [
        "",
        "chat",
        "generate",
        "arena",
        "evals",
        "documents",
        "embeddings",
        "models",
    ]
