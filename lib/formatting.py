"""Numbers as people read them: sizes, durations, rates, times."""

from __future__ import annotations

from datetime import datetime, timezone

NANOSECONDS = 1_000_000_000


def human_size(num_bytes: float | None) -> str:
    """Decimal units, as Ollama's CLI prints them (``ollama list`` shows 2.0 GB for 2e9 bytes)."""
    if num_bytes is None:
        return "—"
    value = float(num_bytes)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(value) < 1000 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def human_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def parse_timestamp(text: str | None) -> datetime | None:
    """RFC 3339 as Ollama sends it (nanosecond fractions and all); ``None`` if unreadable."""
    if not text:
        return None
    head, dot, rest = text.partition(".")
    if dot:
        digits = len(rest) - len(rest.lstrip("0123456789"))
        rest = rest[:digits][:6] + rest[digits:]
        text = f"{head}.{rest}"
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def time_until(text: str | None, now: datetime | None = None) -> str:
    """``in 4 min`` for an ``expires_at``; Ollama sends a far-future date for "keep forever"."""
    moment = parse_timestamp(text)
    if moment is None:
        return "—"
    seconds = (moment - (now or datetime.now(timezone.utc))).total_seconds()
    if seconds > 365 * 24 * 3600:
        return "never (kept loaded)"
    if seconds <= 0:
        return "now"
    return f"in {human_seconds(seconds)}"
