"""Generate's Compare mode on two servers in a real browser (issue 23): the same model on "laptop" and on "gpu",
side by side, each column streaming from its own server, with both columns' speed figures named by server.

Screenshots of the finished comparison, in English and in Chinese, go to ``SHOTS`` (a folder outside the
repository) for a person to look at.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import fresh_page
from tests.fake_ollama import FakeOllama
from tests.streamlit_process import StreamlitApp

WHOLE_RUN = 30_000  # ms: the laptop writes slowly on purpose
SHOTS = Path(os.environ.get("FLEET_SHOTS", "/tmp/shots-fc1"))
REPLY = " ".join(f"word{n}" for n in range(60))

WORDS = {
    "en": {"mode": "Compare side by side", "prompt": "Prompt", "run": "Compare", "table": "Summary"},
    "zh": {"mode": "并排对比", "prompt": "提示词", "run": "对比", "table": "汇总"},
}


@pytest.fixture(scope="module")
def gpu() -> Iterator[FakeOllama]:
    with FakeOllama() as server:
        yield server


@pytest.fixture(scope="module")
def fleet_app(start_app: Callable[..., StreamlitApp], fake_server: FakeOllama, gpu: FakeOllama) -> StreamlitApp:
    return start_app(OLLAMA_HOST=f"laptop={fake_server.url},gpu={gpu.url}")


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_same_model_on_laptop_and_gpu_side_by_side(
    fleet_app: StreamlitApp, fake: FakeOllama, gpu: FakeOllama, browser: Browser, language: str
) -> None:
    gpu.reset()
    fake.token_delay = 0.04  # the laptop is slow
    gpu.token_delay = 0.005  # the GPU box is fast
    fake.script_reply(f"Laptop {REPLY} end.")
    gpu.script_reply(f"GPU {REPLY} end.")
    words = WORDS[language]
    locale = "zh-CN" if language == "zh" else "en-US"
    with fresh_page(browser, locale) as page:
        run_comparison(page, fleet_app.url, language, words)
        main = page.get_by_test_id("stMain")
        expect(main.get_by_text("Laptop word0", exact=False)).to_be_visible()
        expect(main.get_by_text("GPU word0", exact=False)).to_be_visible()
        table = main.get_by_test_id("stDataFrame")
        expect(table).to_be_visible(timeout=WHOLE_RUN)
        expect(main.get_by_role("heading", name="A · llama3.2:latest · laptop")).to_be_visible()
        expect(main.get_by_role("heading", name="B · llama3.2:latest · gpu")).to_be_visible()
        expect(main.get_by_test_id("stMetric")).to_have_count(8)  # four figures in each of the two columns
        expect(page.get_by_test_id("stException")).to_have_count(0)
        SHOTS.mkdir(parents=True, exist_ok=True)
        main.get_by_role("heading", name="A · llama3.2:latest · laptop").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"compare-fleet-{language}.png"))
        main.get_by_role("heading", name=words["table"]).scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"compare-fleet-{language}-summary.png"))
    assert [r.body["model"] for r in fake.requests_to("/api/generate")] == ["llama3.2:latest"]
    assert [r.body["model"] for r in gpu.requests_to("/api/generate")] == ["llama3.2:latest"]


def test_a_column_whose_server_goes_away_says_so_and_the_other_finishes(
    fleet_app: StreamlitApp, fake: FakeOllama, gpu: FakeOllama, page: Page
) -> None:
    """Last in this file: it stops the module's "gpu" server."""
    gpu.reset()
    fake.token_delay = 0.02
    gpu.token_delay = 0.1
    fake.script_reply(f"Laptop {REPLY} end.")
    gpu.script_reply(f"GPU {REPLY} end.")
    run_comparison(page, fleet_app.url, "en", WORDS["en"])
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text("GPU word0", exact=False)).to_be_visible()
    gpu.stop()
    expect(main.get_by_test_id("stDataFrame")).to_be_visible(timeout=WHOLE_RUN)
    expect(main.get_by_text("This column's server, gpu, is not answering", exact=False)).to_be_visible()
    expect(main.get_by_text("Laptop word0", exact=False)).to_be_visible()
    expect(main.get_by_text("word59 end.", exact=False)).to_have_count(1)  # the laptop's answer, whole
    expect(page.get_by_test_id("stException")).to_have_count(0)
    main.get_by_test_id("stAlert").filter(has_text="dropped").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "compare-fleet-server-gone-en.png"))


def run_comparison(page: Page, url: str, language: str, words: dict[str, str]) -> None:
    """Open Compare, put column B on the GPU box's llama3.2, and start the comparison."""
    page.goto(f"{url}/generate?lang={language}")
    main = page.get_by_test_id("stMain")
    main.get_by_text(words["mode"]).click()
    boxes = main.get_by_role("combobox")
    expect(boxes.nth(0)).to_have_value("llama3.2:latest · laptop")  # column A starts on the laptop's first model
    expect(boxes.nth(1)).to_have_value("llava:7b · laptop")  # column B on its second
    option = page.get_by_role("option", name="llama3.2:latest · gpu", exact=True)
    for _attempt in range(3):  # a click while the page is still running its last rerun may not open the list
        main.get_by_test_id("stSelectbox").nth(1).click()
        try:
            expect(option).to_be_visible(timeout=3_000)
            break
        except AssertionError:
            page.keyboard.press("Escape")
    option.click()
    expect(boxes.nth(1)).to_have_value("llama3.2:latest · gpu")
    box = main.get_by_label(words["prompt"], exact=True)
    box.fill("Why is the sky blue?")
    box.press("Control+Enter")
    main.get_by_role("button", name=words["run"], exact=True).click()
