"""The date and time tool (lib/tools/clock.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lib.tools import clock
from lib.tools.refusal import Refused

NOON = datetime(2026, 7, 1, 12, 0, 0, tzinfo=UTC)


def at_noon() -> datetime:
    return NOON


@pytest.mark.parametrize(
    ("arguments", "shown"),
    [
        ({"timezone": "Asia/Tokyo"}, "2026-07-01 21:00:00 Wednesday (Asia/Tokyo, UTC+09:00)"),
        ({"timezone": "america/new_york"}, "2026-07-01 08:00:00 Wednesday (America/New_York, UTC-04:00)"),
        ({"timezone": "UTC"}, "2026-07-01 12:00:00 Wednesday (UTC, UTC+00:00)"),
        ({"timezone": "gmt"}, "2026-07-01 12:00:00 Wednesday (UTC, UTC+00:00)"),
        ({}, "2026-07-01 12:00:00 Wednesday (UTC, UTC+00:00)"),
        ({"timezone": ""}, "2026-07-01 12:00:00 Wednesday (UTC, UTC+00:00)"),
    ],
)
def test_the_time_is_given_in_the_zone_asked(arguments, shown):
    text = clock.run(arguments, at_noon)
    assert text.startswith(shown)
    assert "ISO 8601: 2026-07-01T" in text


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "../../etc/passwd", "Asia/Tokyo\x00", "A" * 64])
def test_an_unknown_zone_says_how_to_write_one(zone):
    with pytest.raises(Refused) as refused:
        clock.run({"timezone": zone}, at_noon)
    assert refused.value.refusal.key == "tools.clock_unknown_zone"
    assert refused.value.refusal.values["examples"] == clock.EXAMPLES


@pytest.mark.parametrize(("zone", "key"), [(9, "tools.must_be_text"), ("A" * 65, "tools.too_long")])
def test_a_wrongly_typed_zone_is_refused(zone, key):
    with pytest.raises(Refused) as refused:
        clock.run({"timezone": zone}, at_noon)
    assert refused.value.refusal.key == key
