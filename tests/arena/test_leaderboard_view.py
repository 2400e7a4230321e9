"""The leaderboard on screen (lib/arena/leaderboard_view.py), drawn alone with AppTest on fabricated votes.

Download buttons hand their data to the browser only when clicked, which AppTest cannot do, so
the buttons' data functions are recorded and called here (as tests/embeddings/test_download_tab.py does).
"""

from __future__ import annotations

import csv
import io
import json
import sys
import time
from collections.abc import Sequence
from typing import Any

import pytest
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

from lib import i18n, state
from lib.arena import leaderboard, leaderboard_view
from lib.arena.records import TIE, Battle, Vote
from tests.arena.boards import DAY, fight, vote

HOSTILE = "<img src=x onerror=alert(1)>**x**](http://tracker/a.png)"


@pytest.fixture(autouse=True)
def keep_main_module(monkeypatch):
    """A script run makes its temporary file ``sys.modules["__main__"]``; put the real one back afterwards."""
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])


@pytest.fixture
def buttons(monkeypatch) -> list[dict[str, Any]]:
    """Every download button drawn in the latest run: its arguments, by name."""
    drawn: list[dict[str, Any]] = []
    original = DeltaGenerator.download_button

    def record(self, label, data, **options):
        drawn.append({"label": label, "data": data, **options})
        return original(self, label, data, **options)

    monkeypatch.setattr(DeltaGenerator, "download_button", record)
    return drawn


def board_app(battles: "list[Battle]", votes: "list[Vote]", key: str, twice: bool) -> None:
    from lib import state
    from lib.arena import leaderboard_view

    state.init()
    leaderboard_view.draw(battles, votes, key=key)
    if twice:
        leaderboard_view.draw(battles, votes, key=key + "_room")


def draw(battles: Sequence[Battle], votes: Sequence[Vote], *, language: str = "en", twice: bool = False) -> AppTest:
    at = AppTest.from_function(board_app, args=(list(battles), list(votes), "board", twice), default_timeout=30)
    at.session_state[state.LANGUAGE] = language
    return at.run()


def recent() -> tuple[list[Battle], list[Vote]]:
    """Three models: "fast" wins most and is fastest, "big" second, a hostile name last; tags and ages vary."""
    now = time.time()
    battles, votes = [], []
    plan = [
        # (models, choice, tags, age in days)
        (("fast", "big"), "A", ("coding",), 0.1),
        (("fast", "big"), "A", ("coding",), 0.2),
        (("big", "fast"), TIE, ("中文",), 3),
        (("fast", HOSTILE), "A", ("中文",), 3),
        (("big", HOSTILE), "A", (), 20),
        (("big", HOSTILE), "B", (), 40),
    ]
    speeds = {"fast": 90.0, "big": 20.0, HOSTILE: 40.0}
    for number, (models, choice, tags, age) in enumerate(plan, start=1):
        battles.append(
            fight(
                number,
                *models,
                tags=tags,
                at=now - age * DAY,
                speeds=tuple(speeds[m] for m in models),
                firsts=tuple(0.5 if m == "big" else 0.1 for m in models),
                sizes=tuple(4_700_000_000 if m == "big" else 1_300_000_000 for m in models),
            )
        )
        votes.append(vote(number, choice, at=now - age * DAY + 60))
    return battles, votes


def table(at: AppTest) -> list[dict[str, Any]]:
    return at.dataframe[0].value.to_dict("records")


def charts(at: AppTest) -> list[dict[str, Any]]:
    return [json.loads(element.proto.spec) for element in at.main if element.type == "vega_lite_chart"]


def test_an_interval_is_shown_from_five_games_and_charted_only_then():
    battles = [fight(n, "a", "b", speeds=(10.0, 20.0)) for n in range(1, 7)]
    votes = [vote(n, "A" if n % 3 else "B") for n in range(1, 6)]  # 5 games each: 4-1
    at = draw(battles, votes)
    shown = leaderboard.board(battles, votes)
    for row, expected in zip(table(at), shown.rows, strict=True):
        assert row["interval"] == f"−{expected.rating - expected.low:.0f} / +{expected.high - expected.rating:.0f}"
    at = draw(battles, votes[:4])
    assert {row["interval"] for row in table(at)} == {"too few votes"}
    assert all(
        point["low"] is None
        for point in leaderboard_view.speed_frame(leaderboard.board(battles, votes[:4])).to_dict("records")
    )


def test_the_table_shows_each_model_s_rating_interval_record_speed_and_size():
    battles, votes = recent()
    at = draw(battles, votes)
    assert not at.exception
    shown = leaderboard.board(battles, votes)
    rows = table(at)
    assert [r["model"] for r in rows] == [r.model for r in shown.rows] == ["fast", "big", HOSTILE]
    fast = rows[0]
    expected = shown.rows[0]
    assert fast["rank"] == 1
    assert fast["rating"] == pytest.approx(expected.rating)
    assert fast["interval"] == "too few votes"  # 4 games: a bootstrap over them says little
    assert (fast["battles"], fast["wins"], fast["ties"], fast["losses"]) == (4, 3, 1, 0)
    assert fast["win_rate"] == pytest.approx(87.5)
    assert fast["tokens_per_second"] == pytest.approx(90.0)
    assert fast["time_to_first_token"] == pytest.approx(0.1)
    assert fast["size"] == 1_300_000_000
    assert [r["unbeaten"] for r in rows] == ["★", "", ""]  # "fast" is better rated and faster than both
    config = json.loads(at.dataframe[0].proto.columns)
    assert config["win_rate"]["type_config"]["format"] == "%.0f%%"
    assert config["rating"]["label"] == "Rating" and "95%" in config["interval"]["label"]
    assert at.caption[0].value.startswith("Ratings from 6 votes")


def test_the_tag_and_time_filters_change_the_rows():
    battles, votes = recent()
    at = draw(battles, votes)
    tag = at.selectbox(key="board_tag")
    assert tag.options == ["All tags", "coding", "中文"]
    tag.select("coding").run()
    assert {r["model"] for r in table(at)} == {"fast", "big"}
    assert at.caption[0].value.startswith("Ratings from 2 votes")
    tag.select(None).run()
    at.radio(key="board_time").set_value("day").run()
    assert {r["model"] for r in table(at)} == {"fast", "big"}
    at.radio(key="board_time").set_value("week").run()
    assert {r["model"] for r in table(at)} == {"fast", "big", HOSTILE}
    assert [r["battles"] for r in table(at) if r["model"] == HOSTILE] == [1]
    at.radio(key="board_time").set_value("month").run()
    assert [r["battles"] for r in table(at) if r["model"] == HOSTILE] == [2]
    at.radio(key="board_time").set_value("all").run()
    assert [r["battles"] for r in table(at) if r["model"] == HOSTILE] == [3]


def test_a_filter_that_leaves_nothing_says_so():
    battles, votes = recent()
    at = draw(battles, votes)
    at.selectbox(key="board_tag").select("中文").run()
    at.radio(key="board_time").set_value("day").run()
    assert not at.dataframe
    assert at.info[0].value == i18n.render(i18n.catalog()["arena_board.none_match"], "en", {})
    assert at.selectbox(key="board_tag").value == "中文"  # the filters stay, to be changed back


@pytest.mark.parametrize("language", ["en", "zh"])
def test_no_votes_yet_is_a_clear_empty_state(language):
    battles, _ = recent()
    at = draw(battles, [], language=language)
    assert not at.exception
    assert [i.value for i in at.info] == [i18n.render(i18n.catalog()["arena_board.empty"], language, {})]
    assert not at.dataframe and not at.selectbox and not charts(at)


def test_failed_battles_alone_are_the_empty_state_too():
    at = draw([fight(1, "a", "b", failed=1)], [vote(1, "A")])
    assert at.info[0].value.startswith("No votes yet")


def test_the_charts_hold_names_only_as_data_and_are_worded_in_the_language():
    battles, votes = recent()
    at = draw(battles, votes, language="zh")
    heatmap, speed = charts(at)
    text = json.dumps(heatmap) + json.dumps(speed)
    assert HOSTILE not in text  # the names travel in the datasets (Arrow), never in titles or expressions
    assert heatmap["layer"][0]["encoding"]["color"]["title"] == "胜率"
    legend = speed["layer"][2]["encoding"]["color"]["scale"]["domain"]
    assert legend == [
        i18n.render(i18n.catalog()["arena_board.chart_unbeaten"], "zh", {}),
        i18n.render(i18n.catalog()["arena_board.chart_beaten"], "zh", {}),
    ]
    assert speed["layer"][0]["encoding"]["y2"]["field"] == "high"  # the interval as an error bar


def test_the_chart_frames_hold_every_pair_that_met_and_every_model_with_a_speed():
    battles, votes = recent()
    shown = leaderboard.board(battles, votes)
    cells = leaderboard_view.heatmap_frame(shown)
    assert len(cells) == 6  # three pairs, both ways
    assert cells.set_index(["model", "opponent"]).loc[("fast", "big"), "win_rate"] == pytest.approx(2.5 / 3)
    points = leaderboard_view.speed_frame(shown)
    assert list(points["model"]) == ["fast", "big", HOSTILE]
    assert list(points["mark"]) == [
        i18n.render(i18n.catalog()["arena_board.chart_unbeaten"], "en", {}),
        *[i18n.render(i18n.catalog()["arena_board.chart_beaten"], "en", {})] * 2,
    ]


def test_without_speed_figures_the_speed_chart_gives_way_to_a_sentence():
    at = draw([fight(1, "a", "b")], [vote(1, "A")])
    assert len(charts(at)) == 1
    assert at.info[0].value.startswith("No speed figures")


def test_the_four_exports_parse_back_and_follow_the_filters(buttons):
    battles, votes = recent()
    at = draw(battles, votes)
    at.selectbox(key="board_tag").select("中文").run()
    files = {b["file_name"]: b for b in buttons[-4:]}
    assert sorted(files) == ["arena-leaderboard.csv", "arena-leaderboard.json", "arena-votes.csv", "arena-votes.json"]
    assert all(b["on_click"] == "ignore" for b in files.values())  # a click does not rerun the page
    voted = json.loads(files["arena-votes.json"]["data"]())
    assert [v["battle"] for v in voted] == [3, 4]
    assert voted[1]["models"] == {"A": "fast", "B": HOSTILE}
    lines = list(csv.DictReader(io.StringIO(files["arena-votes.csv"]["data"]())))
    assert [(line["battle"], line["choice"], line["tags"]) for line in lines] == [
        ("3", TIE, "中文"),
        ("4", "A", "中文"),
    ]
    assert lines[1]["model_B"] == HOSTILE
    rows = json.loads(files["arena-leaderboard.json"]["data"]())
    assert [r["model"] for r in rows] == [r["model"] for r in table(at)]
    assert [r["wins"] for r in rows] == [r["wins"] for r in table(at)]
    from_csv = list(csv.DictReader(io.StringIO(files["arena-leaderboard.csv"]["data"]())))
    assert [float(r["rating"]) for r in from_csv] == pytest.approx([r["rating"] for r in table(at)])


def test_two_boards_on_one_page_keep_their_own_filters():
    battles, votes = recent()
    at = draw(battles, votes, twice=True)
    assert not at.exception
    at.selectbox(key="board_tag").select("coding").run()
    assert len(at.dataframe) == 2
    assert {r["model"] for r in at.dataframe[0].value.to_dict("records")} == {"fast", "big"}
    assert len(at.dataframe[1].value) == 3
