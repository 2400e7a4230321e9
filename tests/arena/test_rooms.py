"""The rooms' live registry (shared by every session's thread), the join link and the tally rows."""

from __future__ import annotations

import struct
import sys
import threading
from collections.abc import Iterator

import pytest
import segno

from lib.arena import rooms
from lib.arena.battle import Snapshot
from lib.arena.records import BOTH_BAD, TIE


@pytest.fixture(autouse=True)
def empty_registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The registry lives in the process, as in the app: each test starts with none."""
    monkeypatch.setattr(rooms, "_rooms", {})
    monkeypatch.setattr(rooms, "_watchers", {})
    yield


def snapshot(text: str = "", battle_id: int | None = None, models: tuple[str, ...] | None = None) -> Snapshot:
    return Snapshot(
        battle_key="k1",
        battle_id=battle_id,
        prompt="Why is the sky blue?",
        letters=("A", "B"),
        texts=(text, text[::-1]),
        statuses=("unfinished", "unfinished") if battle_id is None else ("done", "done"),
        votable=battle_id is not None,
        models=models,
    )


def test_a_room_shows_nothing_until_its_presenter_publishes():
    assert rooms.current("ABCDEF") is None
    assert rooms.live("ABCDEF") == rooms.NOTHING
    first = snapshot("Rayleigh")
    rooms.publish("ABCDEF", first)
    assert rooms.current("ABCDEF") is first
    assert rooms.current("GHJKMN") is None


def test_codes_are_case_insensitive_and_the_latest_publish_stands():
    rooms.publish(" abcdef ", snapshot("one"))
    rooms.publish("ABCDEF", snapshot("one two"))
    now = rooms.live("abcdef")
    assert now.snapshot is not None and now.snapshot.texts[0] == "one two" and not now.closed


def test_a_closed_room_shows_that_and_later_publishes_are_ignored():
    rooms.publish("ABCDEF", snapshot("one"))
    rooms.close("abcdef")
    rooms.publish("ABCDEF", snapshot("a late token"))
    assert rooms.live("ABCDEF").closed
    assert rooms.current("ABCDEF") is None


def test_the_least_recently_published_room_is_forgotten_past_the_limit(monkeypatch):
    monkeypatch.setattr(rooms, "MAX_ROOMS", 3)
    for code in ("AAAAAA", "BBBBBB", "CCCCCC"):
        rooms.publish(code, snapshot(code))
    rooms.publish("AAAAAA", snapshot("again"))  # now the most recent
    rooms.publish("DDDDDD", snapshot("new"))
    assert rooms.current("BBBBBB") is None
    assert [rooms.current(code) is not None for code in ("AAAAAA", "CCCCCC", "DDDDDD")] == [True, True, True]


def test_sessions_publishing_and_reading_at_once_see_whole_snapshots_and_lose_none(monkeypatch):
    """Sessions are threads of one process: rooms come and go past the limit while others read and watch."""
    monkeypatch.setattr(rooms, "MAX_ROOMS", 5)
    monkeypatch.setattr(rooms, "MAX_WATCHERS", 3)
    switching = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns as often as they can: a missing lock shows
    published: dict[str, list[Snapshot]] = {}
    failures: list[BaseException] = []
    start = threading.Barrier(12)

    def presenter(number: int) -> None:
        own = f"ROOM{number:02d}"
        made = published.setdefault(own, [])
        start.wait()
        for step in range(1000):
            made.append(snapshot(f"{own} {step}"))
            rooms.publish(own, made[-1])
            rooms.publish(f"X{number}{step % 40:02d}", snapshot("churn"))  # past MAX_ROOMS: rooms forgotten

    def voter(number: int) -> None:
        start.wait()
        steps: dict[str, int] = {}
        for step in range(1000):
            code = f"ROOM{step % 6:02d}"
            shown = rooms.current(code)
            if shown is not None:
                room, number = shown.texts[0].split()
                assert room == code
                assert int(number) >= steps.get(code, 0)  # a reader never goes back in time
                steps[code] = int(number)
            rooms.seen(code, f"voter {number} {step % 7}")
            rooms.watching(code)

    def run(target, number: int) -> None:
        try:
            target(number)
        except BaseException as error:  # a thread's failure must fail the test
            failures.append(error)

    threads = [threading.Thread(target=run, args=(presenter, n)) for n in range(6)]
    threads += [threading.Thread(target=run, args=(voter, n)) for n in range(6)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(switching)
    assert failures == []
    assert len(rooms._rooms) <= 5
    assert all(len(watchers) <= 3 for watchers in rooms._watchers.values())
    rooms.publish("ROOM00", published["ROOM00"][-1])
    assert rooms.current("ROOM00") is published["ROOM00"][-1]


def test_watching_counts_each_voter_once_and_forgets_those_gone():
    rooms.seen("ABCDEF", "browser:1", now=100.0)
    rooms.seen("ABCDEF", "browser:1", now=101.0)
    rooms.seen("abcdef", "browser:2", now=102.0)
    rooms.seen("GHJKMN", "browser:3", now=102.0)
    assert rooms.watching("ABCDEF", now=103.0) == 2
    assert rooms.watching("ABCDEF", now=101.0 + rooms.WATCHING_SECONDS + 0.5) == 1
    assert rooms.watching("ABCDEF", now=200.0) == 0


def test_a_full_room_counts_newcomers_once_others_have_gone(monkeypatch):
    monkeypatch.setattr(rooms, "MAX_WATCHERS", 2)
    rooms.seen("ABCDEF", "one", now=0.0)
    rooms.seen("ABCDEF", "two", now=5.0)
    rooms.seen("ABCDEF", "three", now=6.0)  # full
    assert rooms.watching("ABCDEF", now=6.0) == 2
    rooms.seen("ABCDEF", "three", now=12.0)  # "one" has gone
    assert rooms.watching("ABCDEF", now=12.0) == 2
    assert set(rooms._watchers["ABCDEF"]) == {"two", "three"}


def test_closing_a_room_forgets_its_watchers():
    rooms.seen("ABCDEF", "one")
    rooms.close("ABCDEF")
    assert rooms.watching("ABCDEF") == 0


def test_tally_rows_list_every_choice_in_button_order():
    assert rooms.choices(("A", "B", "C")) == ("A", "B", "C", TIE, BOTH_BAD)
    assert rooms.tally_rows({"B": 3, TIE: 1}, ("A", "B")) == [("A", 0), ("B", 3), (TIE, 1), (BOTH_BAD, 0)]
    assert rooms.voters({"B": 3, TIE: 1}) == 4
    assert rooms.voters({}) == 0


@pytest.mark.parametrize(
    ("page_url", "host", "base", "expected"),
    [
        ("http://192.168.1.5:8501/arena", None, "", "http://192.168.1.5:8501"),
        ("https://studio.example.com/tools/arena", "ignored:1", "tools", "https://studio.example.com/tools"),
        ("http://[fe80::1]:8501/arena", None, "/", "http://[fe80::1]:8501"),
        (None, "studio.lan:8501", "", "http://studio.lan:8501"),
        ("", "10.0.0.2", "/base/", "http://10.0.0.2/base"),
        (None, None, "", None),
        ("file:///tmp/x", None, "", None),
    ],
)
def test_the_apps_address_comes_from_the_presenters_browser_or_the_host_header(page_url, host, base, expected):
    assert rooms.app_address(page_url, host, base) == expected


def test_a_join_link_is_the_arena_page_with_the_room():
    assert rooms.join_url("http://192.168.1.5:8501/", "abc234") == "http://192.168.1.5:8501/arena?room=ABC234"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("LOCALHOST.", True),
        ("app.localhost", True),
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("[::1]", True),
        ("0.0.0.0", True),
        ("192.168.1.5", False),
        ("studio.example.com", False),
        ("", False),
        (None, False),
    ],
)
def test_loopback_hosts(host, loopback):
    assert rooms.is_loopback_host(host) is loopback


def test_a_link_opened_under_a_network_address_is_used_as_it_is():
    asked: list[bool] = []
    link = rooms.join_link("http://192.168.1.5:8501", "ABC234", "", lambda: asked.append(True) or "10.0.0.9")
    assert link == rooms.JoinLink("http://192.168.1.5:8501/arena?room=ABC234")
    assert asked == []  # the machine's address is not even looked up


def test_a_link_opened_as_localhost_uses_the_machines_network_address():
    link = rooms.join_link("http://localhost:8501/studio", "ABC234", "", lambda: "192.168.1.5")
    assert link.url == "http://192.168.1.5:8501/studio/arena?room=ABC234"
    assert link.local and link.network_host == "192.168.1.5" and not link.listening_here_only
    ipv6 = rooms.join_link("http://[::1]:8501", "ABC234", "0.0.0.0", lambda: "fd00::5")
    assert ipv6.url == "http://[fd00::5]:8501/arena?room=ABC234"


def test_localhost_without_a_network_address_keeps_localhost_and_says_so():
    link = rooms.join_link("http://localhost:8501", "ABC234", None, lambda: None)
    assert link == rooms.JoinLink("http://localhost:8501/arena?room=ABC234", local=True)


def test_a_server_listening_on_this_machine_only_cannot_take_phones():
    link = rooms.join_link("http://localhost:8501", "ABC234", "127.0.0.1", lambda: "192.168.1.5")
    assert link.listening_here_only and link.network_host is None
    assert link.url == "http://localhost:8501/arena?room=ABC234"
    assert not rooms.join_link("http://localhost:8501", "ABC234", "::", lambda: None).listening_here_only


def test_the_machines_network_address_is_never_a_loopback_one():
    found = rooms.network_host()
    assert found is None or not rooms.is_loopback_host(found)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_qr_code_is_a_png_of_the_link():
    url = "http://192.168.1.5:8501/arena?room=ABC234"
    image = rooms.qr_png(url)
    modules = segno.make(url, error="m", micro=False).symbol_size(scale=8, border=3)
    assert _png_size(image) == modules
    longer = rooms.qr_png(url + "&lang=zh" * 20)
    assert _png_size(longer)[0] > _png_size(image)[0]  # more to carry, a bigger symbol
