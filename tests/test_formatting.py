from datetime import datetime, timezone

import pytest

from lib.formatting import human_seconds, human_size, parse_timestamp, time_until


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "—"),
        (0, "0 B"),
        (999, "999 B"),
        (1000, "1.0 KB"),
        (2_019_393_189, "2.0 GB"),
        (4.7e9, "4.7 GB"),
        (3e15, "3000.0 TB"),
    ],
)
def test_human_size(value, expected):
    assert human_size(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "—"),
        (0.0123, "12 ms"),
        (1.25, "1.2 s"),
        (59.9, "59.9 s"),
        (60, "1 min"),
        (75, "1 min 15 s"),
        (3600, "1 h"),
        (5430, "1 h 30 min"),
    ],
)
def test_human_seconds(value, expected):
    assert human_seconds(value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-06-04T14:38:31.83753-07:00", datetime(2024, 6, 4, 21, 38, 31, 837530, tzinfo=timezone.utc)),
        ("2026-11-25T17:00:00.123456789Z", datetime(2026, 11, 25, 17, 0, 0, 123456, tzinfo=timezone.utc)),
        ("2026-11-25T17:00:00Z", datetime(2026, 11, 25, 17, tzinfo=timezone.utc)),
        ("garbage", None),
        (None, None),
    ],
)
def test_parse_timestamp_reads_ollama_nanosecond_times(text, expected):
    assert parse_timestamp(text) == expected


def test_time_until():
    now = datetime(2026, 11, 25, 17, 0, tzinfo=timezone.utc)
    assert time_until("2026-11-25T17:04:00Z", now) == "in 4 min"
    assert time_until("2026-11-25T16:00:00Z", now) == "now"
    assert time_until("2318-08-12T13:50:12.318Z", now) == "never (kept loaded)"
    assert time_until(None, now) == "—"
