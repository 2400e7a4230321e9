"""The Arena page (lib/arena/page.py): in the menu, its tabs, the leaderboard hidden while a battle is blind."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from lib.arena import page
from lib.ui import navigation
from tests.arena.conftest import choose, names_any, open_arena, sent_text, start, vote
from tests.conftest import ENTRY_POINT

HIDDEN = "The leaderboard is hidden while a battle is blind"


def tab(at: AppTest, label: str):
    return next(tab for tab in at.tabs if tab.label == label)


def tab_text(at: AppTest, label: str) -> str:
    found = tab(at, label)
    return "\n".join(str(element.value) for kind in ("info", "markdown", "caption") for element in found.get(kind))


def test_the_page_has_a_battle_and_a_leaderboard_tab(studio_env, fake):
    at = open_arena()
    assert not at.exception
    assert [t.label for t in at.tabs] == ["Battle", "Leaderboard"]
    assert at.title[0].value == "Arena"
    assert HIDDEN not in tab_text(at, "Leaderboard")
    assert list(page.tab_keys()) == [page.BATTLE, page.LEADERBOARD]


def test_the_leaderboard_is_hidden_while_a_battle_is_blind_and_back_after_the_vote(studio_env, fake):
    at = open_arena()
    choose(at, "llama3.2:latest", "qwen3:0.6b")
    start(at)
    board = tab_text(at, "Leaderboard")
    assert HIDDEN in board and names_any(sent_text(tab(at, "Leaderboard"))) == []
    vote(at, "A")
    assert HIDDEN not in tab_text(at, "Leaderboard")
    assert names_any(sent_text(tab(at, "Leaderboard"))) != []  # the board names the models again


def test_an_unwritable_data_folder_is_explained(fake, monkeypatch, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("OLLAMA_HOST", fake.url)
    monkeypatch.setenv("OLLAMA_STUDIO_DATA_DIR", str(blocker))
    at = AppTest.from_file(ENTRY_POINT, default_timeout=30).run()
    at.switch_page(navigation.ARENA).run()
    assert not at.exception
    assert "Arena battles and votes cannot be saved" in at.error[0].value
