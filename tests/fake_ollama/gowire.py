"""How Go (and so Ollama) writes and reads values on the wire.

Clients break on details such as nanosecond timestamps or durations like "5m",
so these follow Go's `time` and `encoding/json` packages closely.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import struct
import time
from datetime import UTC, datetime, timedelta, timezone

MAX_DURATION_NS = 2**63 - 1
"""Go's math.MaxInt64 nanoseconds: what Ollama stores for "keep loaded forever"."""

LOCAL_OFFSET_MINUTES = 120
"""The fake server pretends to run in UTC+02:00, so `modified_at` carries a real offset."""


class GoError(ValueError):
    """A value Go would refuse; the message is Go's own."""


def now_ns() -> int:
    return time.time_ns()


def rfc3339nano(epoch_ns: int, offset_minutes: int = 0) -> str:
    """Format like Go's time.Time JSON: nanoseconds with trailing zeros trimmed, Z for UTC."""
    seconds, nanos = divmod(epoch_ns, 1_000_000_000)
    zone = timezone(timedelta(minutes=offset_minutes))
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)
    text = moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M:%S")
    if nanos:
        text += "." + f"{nanos:09d}".rstrip("0")
    if offset_minutes == 0:
        return text + "Z"
    sign = "+" if offset_minutes > 0 else "-"
    hours, minutes = divmod(abs(offset_minutes), 60)
    return f"{text}{sign}{hours:02d}:{minutes:02d}"


def utc_now() -> str:
    return rfc3339nano(now_ns())


def local_time(epoch_ns: int) -> str:
    return rfc3339nano(epoch_ns, LOCAL_OFFSET_MINUTES)


def quote(text: str) -> str:
    """Go's %q for a string (close enough: JSON escaping is a subset of Go's)."""
    return json.dumps(text, ensure_ascii=False)


def value_repr(value: object) -> str:
    """Go's %#v for values decoded from JSON, as `ollama show` prints parameters."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, float):
        text = repr(value)
        return text.removesuffix(".0")
    return str(value)


_UNITS_NS = {
    "ns": 1,
    "us": 1_000,
    "µs": 1_000,
    "μs": 1_000,
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}
_NUMBER = re.compile(r"^([0-9]*)(\.[0-9]*|)")


def parse_duration(text: str) -> int:
    """Go's time.ParseDuration, returning nanoseconds."""
    invalid = GoError(f"time: invalid duration {quote(text)}")
    rest = text[1:] if text[:1] in "+-" else text
    if rest == "0":
        return 0
    if not rest:
        raise invalid
    total = 0.0
    while rest:
        whole, fraction = _NUMBER.findall(rest)[0]
        if not whole and len(fraction) <= 1:
            raise invalid
        rest = rest[len(whole) + len(fraction) :]
        unit_length = 0
        while unit_length < len(rest) and rest[unit_length] != "." and not rest[unit_length].isdigit():
            unit_length += 1
        if unit_length == 0:
            raise GoError(f"time: missing unit in duration {quote(text)}")
        unit, rest = rest[:unit_length], rest[unit_length:]
        if unit not in _UNITS_NS:
            raise GoError(f"time: unknown unit {quote(unit)} in duration {quote(text)}")
        total += float((whole or "0") + (fraction if len(fraction) > 1 else "")) * _UNITS_NS[unit]
    if total > MAX_DURATION_NS:
        raise invalid
    return -int(total) if text.startswith("-") else int(total)


def keep_alive_ns(value: object) -> int:
    """Ollama's api.Duration: seconds as a number, or a Go duration string; negative is forever."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        if isinstance(value, dict):
            kind = "map[string]interface {}"
        elif isinstance(value, list):
            kind = "[]interface {}"
        else:
            kind = "bool"
        raise GoError(f"Unsupported type: '{kind}'")
    if isinstance(value, str):
        nanos = parse_duration(value)
    elif value < 0:
        return MAX_DURATION_NS
    else:
        nanos = int(value * 1_000_000_000)
    return MAX_DURATION_NS if nanos < 0 else min(nanos, MAX_DURATION_NS)


_BASE64_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")


def base64_error(text: str) -> str | None:
    """Go's error for a []byte JSON field that is not standard padded base64, or None."""
    cleaned = text.replace("\r", "").replace("\n", "")
    for index, char in enumerate(cleaned):
        if char == "=":
            break
        if char not in _BASE64_ALPHABET:
            return f"illegal base64 data at input byte {index}"
    try:
        base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError):
        return f"illegal base64 data at input byte {max(len(cleaned) - len(cleaned) % 4, 0)}"
    return None


def widened_float32(value: float) -> float:
    """A float32 widened to float64, as Ollama's legacy /api/embeddings prints it (long digits)."""
    return struct.unpack("f", struct.pack("f", value))[0] if math.isfinite(value) else 0.0


def float32(value: float) -> float:
    """`value` as a float32, as Go's encoding/json prints one: the shortest text that round-trips."""
    if not math.isfinite(value):
        return 0.0
    packed = struct.pack("f", value)
    single = struct.unpack("f", packed)[0]
    for digits in range(6, 10):
        candidate = float(f"{single:.{digits}g}")
        if struct.pack("f", candidate) == packed:
            return candidate
    return single
