"""The Arena in a real browser: a blind battle streams, names no model until the vote, then reveals them."""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from lib.arena.records import Vote
from lib.arena.store import ArenaStore
from tests.browser.test_security import collect_frames

MODELS = ("llama3.2:latest", "llava:7b")  # the set-up's first two slots on the fake server
NAMES = ("llama3.2", "llava")  # how a frame or the page could name them, with or without the tag
WHOLE_RUN = 30_000  # ms
SCREENSHOTS = os.environ.get("ARENA_SCREENSHOTS")  # a folder to keep screenshots in, for a person to look at


def reply(number: int, words: int) -> str:
    return f"Answer{number} says " + " ".join(f"word{n}" for n in range(words)) + f" end{number}."


def shot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def set_up(page: Page, url: str, prompt: str, received: list[str]) -> None:
    """The Arena's set-up with a prompt typed and the first two slots' models, ready to start.

    Returns once the set-up's last run has been sent whole: a frame of it that arrived after the
    click on Start would be counted as the battle's.
    """
    page.goto(url + "/arena")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text("Model 2", exact=True)).to_be_visible()
    box = main.get_by_label("Prompt", exact=True)
    box.fill(prompt)
    box.press("Control+Enter")
    idle = page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]')
    while True:
        count = len(received)
        page.wait_for_timeout(500)
        if len(received) == count and idle.count() == 1:
            return


def start(page: Page) -> None:
    page.get_by_test_id("stMain").get_by_role("button", name="Start the battle").click()


def test_a_blind_battle_names_no_model_in_any_frame_or_the_page_until_the_vote(app, fake, page: Page):
    fake.token_delay = 0.05  # 20 tokens a second
    for number in range(2):
        fake.script_reply(reply(number, 60))
    received, _sent = collect_frames(page)
    set_up(page, app.url, "Why is the sky blue?", received)
    after_start = len(received)  # the frames of the click's run and every one after it
    start(page)
    main = page.get_by_test_id("stMain")

    expect(main.get_by_text("Answer0 says word0", exact=False)).to_be_visible()
    expect(main.get_by_text("Answer1 says word0", exact=False)).to_be_visible()
    assert "end0." not in main.inner_text() and "end1." not in main.inner_text()  # still streaming
    for label in ("A is better", "B is better", "Tie", "Both bad"):
        expect(main.get_by_role("button", name=label)).to_be_disabled()
    expect(main.get_by_text("Voting opens once every answer has ended or was stopped.")).to_be_visible()
    assert main.get_by_role("button", name="Start the battle").count() == 0  # the set-up is gone, not stale
    assert not [name for name in NAMES if name in main.inner_html()]
    shot(page, "arena-streaming")

    expect(main.get_by_role("button", name="A is better")).to_be_enabled(timeout=WHOLE_RUN)
    expect(main.get_by_text("end0.", exact=False)).to_be_visible()
    expect(main.get_by_text("end1.", exact=False)).to_be_visible()
    assert not [name for name in NAMES if name in main.inner_html()]
    assert not [name for name in NAMES if name in page.get_by_test_id("stMain").inner_text()]
    before_vote = len(received)
    blind = received[after_start:before_vote]
    assert blind and not [frame for frame in blind if any(name in frame for name in NAMES)]
    assert "battle=" in page.url

    main.get_by_role("button", name="A is better").click()
    expect(main.get_by_text("You picked A:", exact=False)).to_be_visible()
    headings = [main.get_by_role("heading", name=re.compile(rf"^{letter} · ")) for letter in "AB"]
    for heading in headings:
        expect(heading).to_be_visible()
    revealed = [heading.inner_text().split(" · ", 1)[1].split()[0] for heading in headings]
    assert sorted(revealed) == sorted(MODELS)
    expect(headings[0]).to_contain_text("your pick")
    expect(main.get_by_test_id("stMetric").filter(has_text="Tokens/s")).to_have_count(2)
    assert [vote.choice for vote in votes(app)] == ["A"]
    shot(page, "arena-revealed")
    expect(page.get_by_test_id("stException")).to_have_count(0)


def votes(app) -> list[Vote]:
    """Every vote in the app's database (its data folder holds its log), whoever cast it."""
    return ArenaStore(app.log_path.parent / "arena.sqlite3").votes()


def test_stop_stops_every_column_and_opens_the_vote(app, fake, page: Page):
    fake.token_delay = 0.05
    for number in range(2):
        fake.script_reply(reply(number, 400))
    set_up(page, app.url, "Tell me a long story.", collect_frames(page)[0])
    start(page)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text("Answer1 says word0", exact=False)).to_be_visible()
    expect(main.get_by_text("Answer0 says word0", exact=False)).to_be_visible()
    main.get_by_role("button", name="Stop", exact=True).click()
    expect(main.get_by_text("Stopped before the answer was complete.")).to_have_count(2, timeout=5_000)
    expect(main.get_by_role("button", name="B is better")).to_be_enabled()
    assert fake.wait_for(lambda f: all(r.client_disconnected for r in f.requests_to("/api/generate")), timeout=5)
    assert all(request.chunks_sent < 400 for request in fake.requests_to("/api/generate"))
    expect(page.get_by_test_id("stException")).to_have_count(0)
