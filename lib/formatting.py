"""Numbers as people read them, in the interface's language: sizes, durations, counts, times."""

from __future__ import annotations

from datetime import datetime, timezone

from lib.i18n import t

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
        return t("units.milliseconds", value=f"{seconds * 1000:.0f}")
    if seconds < 60:
        return t("units.seconds", value=f"{seconds:.1f}")
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return (
            t("units.minutes_seconds", minutes=minutes, seconds=rest) if rest else t("units.minutes", minutes=minutes)
        )
    hours, minutes = divmod(minutes, 60)
    return t("units.hours_minutes", hours=hours, minutes=minutes) if minutes else t("units.hours", hours=hours)


def whole_number(value: int | float | None) -> str:
    """Thousands grouped with commas, as both English and Chinese (zh-CN) write them."""
    return "—" if value is None else f"{round(value):,}"


def date_time(moment: datetime) -> str:
    """A local date and time: ``25 Nov 2026, 14:03`` or ``2026年11月25日 14:03``."""
    local = moment.astimezone()
    return t(
        "units.date_time",
        year=local.year,
        day=local.day,
        month_name=_month_names()[local.month - 1],
        time=local.strftime("%H:%M"),
    )


def _month_names() -> tuple[str, ...]:
    return (
        t("units.jan"),
        t("units.feb"),
        t("units.mar"),
        t("units.apr"),
        t("units.may"),
        t("units.jun"),
        t("units.jul"),
        t("units.aug"),
        t("units.sep"),
        t("units.oct"),
        t("units.nov"),
        t("units.dec"),
    )


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
        return t("units.never_unloads")
    if seconds <= 0:
        return t("units.now")
    return t("units.in_time", time=human_seconds(seconds))
