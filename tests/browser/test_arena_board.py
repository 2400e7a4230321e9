"""The Arena's leaderboard in Chromium: model names and tags shaped as HTML stay text in the charts' tooltips.

Vega draws axis labels and chart text on a canvas, and its tooltip handler (vega-tooltip, which
Streamlit keeps at its default ``sanitize``) escapes what it puts into the tooltip's HTML. The test
page (``apps/arena_board.py``) is served without the Content-Security-Policy, so a name that became
HTML would load its image from the listener; the test hovers over the heatmap until a tooltip shows
a name, and checks that it reads as the characters, creates no element and fetches nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Listener
from tests.streamlit_process import StreamlitApp

APPS = Path(__file__).resolve().parent / "apps"
DRAWN = 60_000


@pytest.fixture
def board(tmp_path: Path, listener: Listener) -> Iterator[StreamlitApp]:
    app = StreamlitApp(APPS / "arena_board.py", {"LISTENER_URL": listener.url}, tmp_path / "streamlit.log")
    yield app
    app.stop()


def hover_until_a_tooltip_names(page: Page, chart_index: int, text: str) -> str:
    """Move the mouse over the chart in steps until Vega's tooltip shows ``text``; the tooltip's HTML."""
    chart = page.get_by_test_id("stVegaLiteChart").nth(chart_index)
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    assert box is not None
    tooltip = page.locator("#vg-tooltip-element")
    for y in range(int(box["y"]) + 10, int(box["y"] + box["height"]), 16):
        for x in range(int(box["x"]) + 10, int(box["x"] + box["width"]), 16):
            page.mouse.move(x, y)
            if tooltip.count() and tooltip.is_visible() and text in tooltip.inner_text():
                return tooltip.inner_html()
    raise AssertionError(f"no tooltip showed {text!r}")


def test_names_shaped_as_html_stay_text_in_the_tooltips(board: StreamlitApp, listener: Listener, page: Page):
    page.goto(board.url)
    expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(2, timeout=DRAWN)
    expect(page.get_by_test_id("stVegaLiteChart").nth(1).locator("canvas, svg").first).to_be_visible()
    name = f'<img src="{listener.url}/image.png">'
    html = hover_until_a_tooltip_names(page, 0, name)
    assert "&lt;img" in html
    assert page.locator("#vg-tooltip-element img, #vg-tooltip-element svg").count() == 0
    html = hover_until_a_tooltip_names(page, 1, "<svg>")
    assert "&lt;svg&gt;" in html
    assert page.locator("#vg-tooltip-element img, #vg-tooltip-element svg, #vg-tooltip-element image").count() == 0
    tag = page.get_by_test_id("stSelectbox").filter(has_text="Tag")
    tag.scroll_into_view_if_needed()
    page.wait_for_timeout(500)  # a click while the page still scrolls opens the list and closes it again
    tag.click()
    expect(page.get_by_test_id("stSelectboxVirtualDropdown")).to_contain_text(f"<b>{listener.url}/tag.png</b>")
    page.keyboard.press("Escape")
    page.wait_for_timeout(500)
    assert listener.hits == []
    expect(page.get_by_test_id("stException")).to_have_count(0)
