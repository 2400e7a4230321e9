"""The current date and time tool, in an IANA time zone (``Europe/Paris``), read with :mod:`zoneinfo`.

The zone database comes from the system, or from the ``tzdata`` package where the system has none
(Windows, slim containers), so the same names work everywhere.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from lib.tools.refusal import Refused, text_argument

NAME = "current_time"
MAX_ZONE = 64
EXAMPLES = "Europe/Paris, Asia/Tokyo, America/New_York, UTC"
_ZONE = re.compile(r"^[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*$")
# A few names people (and models) write that the database spells otherwise.
_ALIASES = {"utc": "UTC", "gmt": "UTC", "z": "UTC", "zulu": "UTC"}

DECLARATION: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": NAME,
        "description": "Get the current date, time and weekday in a time zone (UTC when none is given).",
        "parameters": {
            "type": "object",
            "properties": {
                "timezone": {
                    "type": "string",
                    "description": f"An IANA time zone name, for example {EXAMPLES}.",
                }
            },
        },
    },
}


def run(arguments: Mapping[str, Any], now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> str:
    """The time now in ``arguments["timezone"]`` (UTC when absent); :class:`Refused` for a zone that does not exist."""
    written = (text_argument(arguments, "timezone", MAX_ZONE, required=False) or "").strip()
    zone = _zone(written or "UTC")
    moment = now().astimezone(zone)
    offset = moment.strftime("%z")
    return (
        f"{moment.strftime('%Y-%m-%d %H:%M:%S')} {moment.strftime('%A')} "
        f"({zone.key}, UTC{offset[:3]}:{offset[3:]}); ISO 8601: {moment.isoformat(timespec='seconds')}"
    )


def _zone(written: str) -> zoneinfo.ZoneInfo:
    name = _ALIASES.get(written.lower(), written)
    if _ZONE.match(name):
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            pass
        # A zone written in the wrong case ("asia/tokyo") is still that zone.
        for known in zoneinfo.available_timezones():
            if known.lower() == name.lower():
                return zoneinfo.ZoneInfo(known)
    raise Refused("tools.clock_unknown_zone", zone=written[:MAX_ZONE], examples=EXAMPLES)
