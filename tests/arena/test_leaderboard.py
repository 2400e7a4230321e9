"""The leaderboard from fabricated battles and votes: what counts, each model's record, speed, frontier, exports."""

from __future__ import annotations

import csv
import io
import json
import random

import pytest

from lib.arena import leaderboard, rating
from lib.arena.leaderboard import Board, board
from lib.arena.records import BOTH_BAD, TIE, Battle, Contestant, Vote, pairwise
from tests.arena.boards import DAY, NOW, fight, vote


def row(shown: Board, model: str) -> leaderboard.Row:
    return next(r for r in shown.rows if r.model == model)


def test_two_models_record_rating_and_interval():
    battles = [fight(i, "llama", "qwen") for i in range(1, 6)]
    votes = [vote(1, "A"), vote(2, "A"), vote(3, "A"), vote(4, "B"), vote(5, TIE)]
    shown = board(battles, votes)
    assert [r.model for r in shown.rows] == ["llama", "qwen"]
    llama, qwen = shown.rows
    assert (llama.battles, llama.wins, llama.ties, llama.losses) == (5, 3, 1, 1)
    assert (qwen.battles, qwen.wins, qwen.ties, qwen.losses) == (5, 1, 1, 3)
    assert llama.win_rate == pytest.approx(3.5 / 5)
    assert qwen.win_rate == pytest.approx(1.5 / 5)
    results = [r for v in votes for r in pairwise(battles[v.battle_id - 1], v.choice)]
    assert llama.rating == pytest.approx(rating.fit(results)["llama"])
    assert llama.low <= llama.rating <= llama.high
    assert shown.votes == 5


def test_a_pick_among_four_counts_per_pairwise_result_and_a_tie_among_three_too():
    battles = [fight(1, "a", "b", "c", "d"), fight(2, "a", "b", "c")]
    shown = board(battles, [vote(1, "C"), vote(2, BOTH_BAD)])
    assert (row(shown, "c").wins, row(shown, "c").ties, row(shown, "c").losses) == (3, 2, 0)
    assert (row(shown, "a").wins, row(shown, "a").ties, row(shown, "a").losses) == (0, 2, 1)
    assert (row(shown, "d").wins, row(shown, "d").ties, row(shown, "d").losses) == (0, 0, 1)
    assert row(shown, "a").battles == 2 and row(shown, "d").battles == 1
    assert row(shown, "c").win_rate == pytest.approx(4 / 5)


def test_a_room_battle_is_one_battle_with_every_voter_s_vote():
    battles = [fight(1, "a", "b")]
    votes = [vote(1, "A", voter=f"v{i}") for i in range(7)] + [vote(1, "B", voter="v7"), vote(1, TIE, voter="v8")]
    shown = board(battles, votes)
    assert (row(shown, "a").battles, row(shown, "a").wins, row(shown, "a").ties, row(shown, "a").losses) == (1, 7, 1, 1)
    assert shown.votes == 9
    low, high = row(shown, "a").low, row(shown, "a").high
    assert low < high  # each vote is a draw of the bootstrap


def test_failed_battles_battles_without_votes_and_stray_votes_do_not_count():
    battles = [
        fight(1, "a", "b"),
        fight(2, "a", "ghost", failed=1),
        fight(3, "a", "silent"),
        Battle("unsaved", (Contestant("A", "a"), Contestant("B", "unsaved")), created_at=NOW),
    ]
    votes = [vote(1, "A"), vote(2, "A"), vote(99, "A"), vote(1, "C", voter="other")]
    shown = board(battles, votes)
    assert [r.model for r in shown.rows] == ["a", "b"]
    assert row(shown, "a").battles == 1
    assert shown.votes == 1


def test_no_votes_no_rows_but_the_tags_are_offered():
    shown = board([fight(1, "a", "b", tags=("coding",))], [])
    assert shown == Board((), {}, ("coding",), 0)
    assert board([], []) == Board((), {}, (), 0)


def test_a_model_only_against_itself_has_no_row():
    shown = board([fight(1, "a", "a"), fight(2, "a", "b")], [vote(1, "A"), vote(2, TIE)])
    assert [r.model for r in shown.rows] == ["a", "b"]
    assert board([fight(1, "a", "a")], [vote(1, TIE)]).rows == ()


def test_the_tag_and_time_filters_choose_the_battles():
    battles = [
        fight(1, "a", "b", tags=("coding",), at=NOW - 10 * DAY),
        fight(2, "a", "c", tags=("中文", "coding"), at=NOW - 2 * DAY),
        fight(3, "b", "c", tags=("中文",), at=NOW - 3600),
    ]
    votes = [vote(1, "A"), vote(2, "B"), vote(3, "A")]
    assert board(battles, votes).tags == ("coding", "中文")
    assert {r.model for r in board(battles, votes).rows} == {"a", "b", "c"}
    assert {r.model for r in board(battles, votes, tag="coding").rows} == {"a", "b", "c"}
    assert {r.model for r in board(battles, votes, tag="中文").rows} == {"a", "b", "c"}
    assert board(battles, votes, tag="coding").votes == 2
    assert {r.model for r in board(battles, votes, since=NOW - DAY).rows} == {"b", "c"}
    assert {r.model for r in board(battles, votes, tag="coding", since=NOW - 7 * DAY).rows} == {"a", "c"}
    assert board(battles, votes, tag="reasoning").rows == ()
    assert board(battles, votes, tag="reasoning").tags == ("coding", "中文")


def test_speeds_are_medians_over_the_counted_answers_and_the_size_is_the_latest():
    battles = [
        fight(1, "a", "b", speeds=(10.0, 50.0), firsts=(0.2, 1.0), sizes=(100, 900), at=NOW - 30),
        fight(2, "b", "a", speeds=(None, 30.0), firsts=(None, 0.4), sizes=(None, 200), at=NOW - 20),
        fight(3, "a", "b", speeds=(20.0, 70.0), firsts=(0.3, 3.0), sizes=(300, 800), at=NOW - 25),
        fight(4, "a", "b", speeds=(999.0, 999.0), sizes=(5, 5), at=NOW),  # no vote: does not count
    ]
    shown = board(list(reversed(battles)), [vote(1, "A"), vote(2, "B"), vote(3, TIE)])
    a, b = row(shown, "a"), row(shown, "b")
    assert a.tokens_per_second == pytest.approx(20.0) and a.time_to_first_token == pytest.approx(0.3)
    assert b.tokens_per_second == pytest.approx(60.0) and b.time_to_first_token == pytest.approx(2.0)
    assert a.size == 200 and b.size == 800


def test_without_figures_speed_and_size_are_unknown():
    shown = board([fight(1, "a", "b")], [vote(1, "A")])
    assert all(r.tokens_per_second is None and r.time_to_first_token is None and r.size is None for r in shown.rows)
    assert not any(r.unbeaten for r in shown.rows)


def test_the_unbeaten_are_those_nobody_beats_on_both_rating_and_speed():
    # best: strongest and slow; fast: weakest and fastest; middling: beaten by "mid_fast" on both; no_speed: unknown
    battles, votes, next_id = [], [], 1
    speeds = {"best": 5.0, "fast": 90.0, "middling": 20.0, "mid_fast": 40.0, "no_speed": None}
    ladder = ["best", "mid_fast", "middling", "no_speed", "fast"]
    for high, low in [(ladder[i], ladder[j]) for i in range(5) for j in range(i + 1, 5)]:
        for _ in range(3):
            battles.append(fight(next_id, high, low, speeds=(speeds[high], speeds[low])))
            votes.append(vote(next_id, "A"))
            next_id += 1
    shown = board(battles, votes)
    assert [r.model for r in shown.rows] == ladder
    assert {r.model for r in shown.rows if r.unbeaten} == {"best", "mid_fast", "fast"}


def test_two_models_equal_on_both_are_both_unbeaten():
    shown = board([fight(1, "a", "b", speeds=(10.0, 10.0))], [vote(1, TIE)])
    assert all(r.unbeaten for r in shown.rows)


def test_the_matrix_holds_each_pair_s_win_rate_with_ties_as_halves():
    battles = [fight(i, "a", "b") for i in range(1, 5)] + [fight(5, "b", "c")]
    votes = [vote(1, "A"), vote(2, "A"), vote(3, TIE), vote(4, "B"), vote(5, "A")]
    matrix = board(battles, votes).matrix
    assert matrix["a", "b"] == pytest.approx(2.5 / 4)
    assert matrix["b", "a"] == pytest.approx(1.5 / 4)
    assert matrix["b", "c"] == 1.0 and matrix["c", "b"] == 0.0
    assert matrix["a", "c"] is None and matrix["a", "a"] is None
    assert len(matrix) == 9


def test_the_board_does_not_depend_on_the_order_of_battles_or_votes():
    draw = random.Random(4)
    models = ["a", "b", "c", "d"]
    battles = [fight(i, *draw.sample(models, 2)) for i in range(1, 80)]
    votes = [vote(b.id, draw.choice(["A", "B", TIE]), voter=f"v{b.id}") for b in battles if b.id is not None]
    shuffled_battles, shuffled_votes = battles[:], votes[:]
    draw.shuffle(shuffled_battles)
    draw.shuffle(shuffled_votes)
    assert board(shuffled_battles, shuffled_votes, rounds=50) == board(battles, votes, rounds=50)


def test_a_model_that_wins_every_battle_leads_with_its_lower_bound_above_the_others():
    draw = random.Random(8)
    battles, votes = [], []
    for i in range(1, 61):
        first, second = draw.sample(["b", "c", "d"], 2)
        battles.append(fight(2 * i, "champion", first))
        votes.append(vote(2 * i, "A"))
        battles.append(fight(2 * i + 1, first, second))
        votes.append(vote(2 * i + 1, draw.choice(["A", "B"])))
    shown = board(battles, votes)
    assert shown.rows[0].model == "champion"
    assert all(shown.rows[0].low > other.high for other in shown.rows[1:])


# Exports


def exported_battles() -> tuple[list[Battle], list[Vote]]:
    battles = [
        fight(1, "llama", "=HYPERLINK(evil)", tags=("coding", "中文"), prompt="写一首诗, please", at=NOW - 60),
        fight(2, "a", "b", "c", at=NOW - 30),
    ]
    votes = [vote(2, TIE, at=NOW - 5), vote(1, "B", at=NOW - 10), vote(2, "C", voter="x", at=NOW)]
    return battles, votes


def test_the_votes_export_to_csv_and_read_back():
    battles, votes = exported_battles()
    rows = list(csv.DictReader(io.StringIO(leaderboard.votes_csv(battles, votes))))
    assert [r["battle"] for r in rows] == ["1", "2", "2"]
    first = rows[0]
    assert first["prompt"] == "写一首诗, please"
    assert first["tags"] == "coding, 中文"
    assert (first["model_A"], first["model_B"], first["model_C"], first["model_D"]) == (
        "llama",
        "'=HYPERLINK(evil)",  # a spreadsheet shows it instead of running it
        "",
        "",
    )
    assert (first["choice"], first["chosen_model"]) == ("B", "'=HYPERLINK(evil)")
    assert first["time"] == "2027-01-15T07:59:50+00:00"
    assert (rows[1]["choice"], rows[1]["chosen_model"], rows[1]["model_C"]) == (TIE, "", "c")
    assert (rows[2]["choice"], rows[2]["chosen_model"]) == ("C", "c")


def test_the_votes_export_to_json_and_read_back_as_they_are():
    battles, votes = exported_battles()
    records = json.loads(leaderboard.votes_json(battles, votes))
    assert records[0] == {
        "battle": 1,
        "prompt": "写一首诗, please",
        "tags": ["coding", "中文"],
        "models": {"A": "llama", "B": "=HYPERLINK(evil)"},
        "choice": "B",
        "chosen_model": "=HYPERLINK(evil)",
        "time": "2027-01-15T07:59:50+00:00",
    }
    assert [r["choice"] for r in records] == ["B", TIE, "C"]
    assert records[1]["models"] == {"A": "a", "B": "b", "C": "c"}


def test_the_table_exports_to_csv_and_json_and_reads_back():
    battles, votes = exported_battles()
    shown = board(battles, votes)
    from_json = json.loads(leaderboard.table_json(shown))
    assert [leaderboard.Row(**item) for item in from_json] == list(shown.rows)
    from_csv = list(csv.DictReader(io.StringIO(leaderboard.table_csv(shown))))
    assert list(from_csv[0]) == list(leaderboard.TABLE_COLUMNS)
    assert [r["model"] for r in from_csv] == ["'" + r.model if r.model.startswith("=") else r.model for r in shown.rows]
    for line, r in zip(from_csv, shown.rows, strict=True):
        assert float(line["rating"]) == pytest.approx(r.rating)
        assert (float(line["low"]), float(line["high"])) == pytest.approx((r.low, r.high))
        assert (int(line["battles"]), int(line["wins"]), int(line["ties"]), int(line["losses"])) == (
            r.battles,
            r.wins,
            r.ties,
            r.losses,
        )
        assert float(line["win_rate"]) == pytest.approx(r.win_rate)
        assert line["tokens_per_second"] == line["time_to_first_token"] == line["size"] == ""
        assert line["unbeaten"] == "False"


def test_an_empty_board_exports_empty_files_that_still_parse():
    empty = board([], [])
    assert json.loads(leaderboard.table_json(empty)) == []
    assert leaderboard.table_csv(empty).splitlines() == [",".join(leaderboard.TABLE_COLUMNS)]
    assert json.loads(leaderboard.votes_json([], [])) == []
    assert list(csv.DictReader(io.StringIO(leaderboard.votes_csv([], [])))) == []


def test_the_selection_is_what_the_board_counts():
    battles, votes = exported_battles()
    battles.append(fight(3, "a", "b", failed=0))
    kept_battles, kept_votes = leaderboard.selected(battles, votes, tag="coding")
    assert [b.id for b in kept_battles] == [1]
    assert kept_votes == [votes[1]]


# With the real store


def test_the_board_of_what_the_store_saved_counts_a_room_s_voters_and_leaves_failed_battles_out(tmp_path):
    from lib.arena.store import ArenaStore

    store = ArenaStore(tmp_path / "arena.sqlite3", owner="presenter")
    solo = store.save_battle(fight(0, "llama", "qwen", speeds=(40.0, 80.0), sizes=(2_000, 500), tags=("coding",)))
    store.vote(solo, "presenter", "A")
    store.vote(solo, "presenter", "B")  # a vote sent twice counts once: the first stands
    store.save_battle(fight(0, "llama", "ghost", failed=1))
    store.save_battle(fight(0, "qwen", "mistral"))  # no vote
    room = store.open_room()
    shown_battle = store.save_battle(
        Battle("In the room", (Contestant("A", "qwen"), Contestant("B", "mistral")), room=room.code)
    )
    store.show_in_room(room.code, shown_battle)
    for voter, choice in [("v1", "A"), ("v2", "A"), ("v3", TIE), ("v4", "B")]:
        store.room_vote(room.code, shown_battle, voter, choice)

    mine = board(store.battles(), store.votes())
    assert [(r.model, r.wins, r.losses, r.battles) for r in mine.rows] == [("llama", 1, 0, 1), ("qwen", 0, 1, 1)]
    assert (mine.rows[0].tokens_per_second, mine.rows[0].size) == (40.0, 2_000)
    assert mine.tags == ("coding",)
    in_room = board(store.battles(room=room.code), store.votes(room=room.code))
    assert [(r.model, r.wins, r.ties, r.losses, r.battles) for r in in_room.rows] == [
        ("qwen", 2, 1, 1, 1),
        ("mistral", 1, 1, 2, 1),
    ]
    assert in_room.votes == 4
