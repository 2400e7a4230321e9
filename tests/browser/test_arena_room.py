"""An Arena audience room in Chromium: 30 voters on one room, ten votes in the same second, a reload,
a closed room, and blindness checked in every websocket frame a voter received before the reveal.

The app runs under ``streamlit run`` as served (``apps/arena_stage.py``: Home.py behind its
Content-Security-Policy). The voters open the real join link, ``/arena?room=CODE``. The
presenter's panel is the real one (``room_view.presenter``, at ``?stage=OWNER`` until the Arena
page draws it); the presenter's battle is played by the test, which hands each Snapshot to
``room_view.broadcast`` in the server process (``POST /_stage/publish``), as the battle's
``on_change`` does, and saves the battle in the database as the battle page does.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, BrowserContext, Page, expect

from lib.arena import rooms
from lib.arena.records import Battle, Contestant
from lib.arena.store import FILE_NAME, ArenaStore
from tests.streamlit_process import StreamlitApp

APPS = Path(__file__).resolve().parent / "apps"
PRESENTER = "browser:stage-presenter-0000000000000000000000000000"
MODELS = ("qwen-secret:7b", "llama-hidden:3b")
VOTERS = 30
VOTING = 10
PHONE = {"width": 390, "height": 844}
SHOTS = Path(os.environ.get("ARENA_ROOM_SHOTS", "")) if os.environ.get("ARENA_ROOM_SHOTS") else None


@dataclass
class Voter:
    context: BrowserContext
    page: Page
    frames: list[bytes] = field(default_factory=list)

    def frames_text(self, since: int = 0) -> bytes:
        return b"".join(self.frames[since:])


@pytest.fixture(scope="module")
def stage(tmp_path_factory: pytest.TempPathFactory, fake_server) -> Iterator[tuple[StreamlitApp, Path]]:
    """The app listening on every interface, as for a demo, so the panel's link is the machine's network address."""
    folder = tmp_path_factory.mktemp("arena-room")
    app = StreamlitApp(
        APPS / "arena_stage.py",
        {"OLLAMA_STUDIO_DATA_DIR": str(folder), "OLLAMA_HOST": fake_server.url},
        folder / "streamlit.log",
        "0.0.0.0",
    )
    app.url = f"http://127.0.0.1:{app.port}"  # the presenter opens it on this machine, as localhost
    yield app, folder
    app.stop()


def join(browser: Browser, url: str) -> Voter:
    """A voter's phone: a browser of its own (its own cookie), recording every websocket frame it receives."""
    context = browser.new_context(viewport=PHONE, locale="en-US")
    context.set_default_timeout(30_000)
    page = context.new_page()
    voter = Voter(context, page)

    def record(payload: bytes | str) -> None:
        voter.frames.append(payload if isinstance(payload, bytes) else payload.encode())

    page.on("websocket", lambda socket: socket.on("framereceived", record))
    page.goto(url)
    return voter


def publish(app: StreamlitApp, code: str, **snapshot: Any) -> None:
    """What the presenter's battle hands the room on every change."""
    fields = {"battle_key": "battle-1", "battle_id": None, "prompt": "Why is the sky blue?", "models": None}
    fields.update(snapshot)
    answer = requests.post(
        f"{app.url}/_stage/publish", json={"owner": PRESENTER, "code": code, "snapshot": fields}, timeout=10
    )
    assert answer.status_code == 204, answer.text


def streamed(app: StreamlitApp, code: str, texts: tuple[str, str], battle_key: str = "battle-1") -> None:
    publish(
        app,
        code,
        battle_key=battle_key,
        letters=["A", "B"],
        texts=list(texts),
        statuses=["unfinished", "unfinished"],
        votable=False,
    )


def ended(app: StreamlitApp, code: str, battle_id: int, texts: tuple[str, str], **more: Any) -> None:
    publish(
        app,
        code,
        battle_id=battle_id,
        letters=["A", "B"],
        texts=list(texts),
        statuses=["done"] * 2,
        votable=True,
        **more,
    )


def save_battle(folder: Path, code: str, texts: tuple[str, str]) -> int:
    """The battle as the presenter's page saves it once every answer ended: with its models."""
    contestants = tuple(
        Contestant(letter, model, content=text) for letter, model, text in zip("AB", MODELS, texts, strict=True)
    )
    return ArenaStore(folder / FILE_NAME, owner=PRESENTER).save_battle(
        Battle("Why is the sky blue?", contestants, room=code)
    )


def cpu_seconds(pid: int) -> float:
    """User and system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_share(pid: int, seconds: float, during: Any = None) -> float:
    """The share of one core the process used over ``seconds`` (``during`` is called every 0.2 s meanwhile)."""
    start, began = cpu_seconds(pid), time.monotonic()
    while time.monotonic() - began < seconds:
        if during is not None:
            during()
        time.sleep(0.2)
    return (cpu_seconds(pid) - start) / (time.monotonic() - began)


def metric(page: Page, label: str):
    return page.locator('[data-testid="stMetric"]').filter(has_text=label).locator('[data-testid="stMetricValue"]')


def shoot(page: Page, name: str, tmp_path: Path, height: int | None = None) -> None:
    """A screenshot in ``ARENA_ROOM_SHOTS`` (else the test's folder); ``height``: the window made that tall for it,
    since Streamlit scrolls its own main area and a full-page shot would stop at the window's edge."""
    folder = SHOTS or tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    if height is not None and size is not None:
        page.set_viewport_size({"width": size["width"], "height": height})
        page.wait_for_timeout(500)
    page.screenshot(path=str(folder / name))
    if height is not None and size is not None:
        page.set_viewport_size(size)


@pytest.mark.timeout(900)
def test_thirty_voters_one_room(stage, browser: Browser, tmp_path: Path):
    app, folder = stage
    store = ArenaStore(folder / FILE_NAME, owner=PRESENTER)

    presenter = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    presenter.set_default_timeout(30_000)
    panel = presenter.new_page()
    panel.goto(f"{app.url}/?stage={PRESENTER}")
    panel.get_by_role("button", name="Open a room").click()
    code = panel.locator('[data-testid="stMetricValue"]').first.inner_text().strip()
    assert [room.code for room in store.rooms()] == [code]
    link = panel.locator('[data-testid="stCode"]').inner_text().strip()
    network = rooms.network_host()  # the link names this machine's network address, which phones can reach
    assert link == f"http://{network or '127.0.0.1'}:{app.port}/arena?room={code}"
    expect(panel.locator('[data-testid="stImage"] img')).to_be_visible()
    if network is not None:
        expect(panel.get_by_text(f"this computer's address on your network, {network}")).to_be_visible()

    # 30 phones join while the answers stream; each sees the battle.
    streamed(app, code, ("Rayleigh", "The sky"))
    voters = [join(browser, link) for _ in range(VOTERS)]
    for voter in voters:
        expect(voter.page.get_by_text("Rayleigh", exact=True)).to_be_visible()
        expect(voter.page.get_by_text("Voting opens when every answer has ended.")).to_be_visible()
    expect(metric(panel, "Watching")).to_have_text(str(VOTERS), timeout=15_000)

    streaming_share = cpu_share(
        app.process.pid, 10, lambda: streamed(app, code, ("Rayleigh scattering " + "of light " * 20, "The sky"))
    )
    streamed(app, code, ("Rayleigh scattering of sunlight", "The sky reflects the sea"))
    for voter in voters:
        expect(voter.page.get_by_text("Rayleigh scattering of sunlight")).to_be_visible()

    texts = ("Rayleigh scattering of sunlight.", "The sky reflects the sea.")
    battle_id = save_battle(folder, code, texts)
    ended(app, code, battle_id, texts)
    for voter in voters:
        expect(voter.page.get_by_role("button", name="A is better")).to_be_visible()
    idle_share = cpu_share(app.process.pid, 15)

    # Ten of them vote in the same second: all ten count.
    choices = ["A is better"] * 6 + ["B is better"] * 4
    buttons = [voter.page.get_by_role("button", name=name) for voter, name in zip(voters, choices, strict=False)]
    for button in buttons:
        button.wait_for()
    at = voters[0].page.evaluate("Date.now()") + 3_000  # the browsers share one clock: all click at that instant
    for button in buttons:
        button.evaluate("(button, at) => setTimeout(() => button.click(), at - Date.now())", at)
    for voter, name in zip(voters, choices, strict=False):
        expect(voter.page.get_by_text(f"Your vote: Answer {name[0]}.")).to_be_visible()
    assert store.tally(battle_id) == {"A": 6, "B": 4}
    arrived = [vote.created_at for vote in store.votes(room=code)]
    assert len(arrived) == VOTING and max(arrived) - min(arrived) < 1.0
    expect(metric(panel, "Voted")).to_have_text("10", timeout=10_000)
    expect(metric(panel, "Answer A")).to_have_text("6")
    shoot(panel, "presenter.png", tmp_path)
    shoot(voters[0].page, "voter-voted.png", tmp_path, height=1100)
    shoot(voters[VOTING].page, "voter-ballot.png", tmp_path, height=1100)

    # A voter who reloads keeps their vote, and cannot vote again.
    voters[0].page.reload()
    expect(voters[0].page.get_by_text("Your vote: Answer A.")).to_be_visible()
    expect(voters[0].page.get_by_role("button", name="B is better")).to_have_count(0)

    # Blindness: nothing any voter received names a model before the reveal.
    voters[0].page.wait_for_timeout(1_000)  # Playwright hands over the frames received meanwhile
    for voter in voters:
        received = voter.frames_text()
        assert received, "no websocket frames were recorded"
        assert not [model for model in MODELS if model.encode() in received]
        assert not [model for model in MODELS if model in voter.page.content()]

    # A closed room takes no more votes, even from a screen that still shows the buttons.
    late = voters[VOTING]
    store.close_room(code)
    late.page.get_by_role("button", name="B is better").click()
    expect(late.page.get_by_text("This room is closed")).to_be_visible()
    assert store.tally(battle_id) == {"A": 6, "B": 4}
    for voter in voters[VOTING + 1 :]:
        expect(voter.page.get_by_text("This room is closed")).to_be_visible()
        expect(voter.page.get_by_role("button", name="A is better")).to_have_count(0)

    print(f"\nserver CPU with {VOTERS} voters: {idle_share:.0%} of a core idle, {streaming_share:.0%} while streaming")
    # Each screen asks once a second: about 5 ms of the server's time a poll (with Streamlit's collection
    # after every run, runner.postScriptGC, it was five times that: most of a core for 30 voters).
    assert idle_share < 0.45 and streaming_share < 0.45
    for voter in voters[2:]:
        voter.context.close()

    # The reveal, in a new room: the names reach the voters now (so the frame search above could find them).
    panel.reload()
    panel.get_by_role("button", name="Open a room").click()
    second = panel.locator('[data-testid="stMetricValue"]').first.inner_text().strip()
    assert second != code
    watchers = voters[:2]
    for voter in watchers:
        voter.page.goto(f"{app.url}/arena?room={second}")
    second_id = save_battle(folder, second, texts)
    ended(app, second, second_id, texts, battle_key="battle-2")
    for voter in watchers:
        expect(voter.page.get_by_role("button", name="Tie")).to_be_visible()
    before = [len(voter.frames) for voter in watchers]
    ended(app, second, second_id, texts, battle_key="battle-2", models=list(MODELS))
    for voter, seen in zip(watchers, before, strict=True):
        expect(voter.page.get_by_text(f"Answer A: {MODELS[0]}")).to_be_visible()
        expect(voter.page.get_by_text("The models are revealed: voting on this battle has ended.")).to_be_visible()
        assert MODELS[1].encode() in voter.frames_text(seen)
    shoot(watchers[0].page, "voter-revealed.png", tmp_path, height=1100)

    # The presenter closes the room from the panel: every voter's screen says so.
    panel.get_by_role("button", name="Close the room").click()
    expect(panel.get_by_text(f"Room {second} is closed")).to_be_visible()
    for voter in watchers:
        expect(voter.page.get_by_text("This room is closed")).to_be_visible()
        voter.context.close()
    presenter.close()
