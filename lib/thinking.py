"""How much a model thinks: which ``think`` values a model takes, and what the request sends.

Ollama's ``think`` is ``true``/``false`` or a level ``"low" | "medium" | "high"``. Models of the
gpt-oss family ignore ``true``/``false`` and always reason, at the level asked (``"medium"`` when
none is); other thinking models take a level as plain ``true``. So a gpt-oss model is offered the
three levels and no "off", any other thinking model off and on, and a model that cannot think
nothing (sending ``think`` to it is refused with a 400).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

Think = bool | str
"""``False`` / ``True``, or one of :data:`LEVELS`."""

LEVELS: tuple[str, ...] = ("low", "medium", "high")
ON_OFF: tuple[bool, ...] = (False, True)
LEVELS_ONLY_FAMILIES = frozenset({"gptoss", "gpt-oss"})


def takes_levels(name: str, family: str = "") -> bool:
    """A model of the gpt-oss family: its family as the server reports it, or its name when the family is unknown."""
    if family:
        return family.lower() in LEVELS_ONLY_FAMILIES
    return name.split("/")[-1].lower().startswith("gpt-oss")


def choices(capabilities: Collection[str], *, name: str, family: str = "") -> tuple[Think, ...]:
    """What the think control offers for a model: levels, off/on, or nothing for a model that cannot think."""
    if "thinking" not in capabilities:
        return ()
    return LEVELS if takes_levels(name, family) else ON_OFF


def default(offered: Sequence[Think]) -> Think | None:
    """Thinking on, at the server's own default level for a model that takes levels."""
    if not offered:
        return None
    return "medium" if "medium" in offered else True


def fit(value: Any, offered: Sequence[Think]) -> Think | None:
    """``value`` if ``offered`` holds it, else its nearest meaning there: on becomes medium and a level on.

    Used when a saved chat, a preset or a column set for one model is used with another.
    """
    if not offered:
        return None
    if value in offered and isinstance(value, (bool, str)):
        return value
    if value is False and False not in offered:
        return "low"  # as little as such a model can think
    if isinstance(value, str) and value in LEVELS and True in offered:
        return True
    return default(offered)


def request_value(value: Think | None, offered: Sequence[Think]) -> Think | None:
    """The ``think`` field to send: nothing for a model that cannot think, else the value fitted to the model."""
    return fit(value, offered) if offered else None


def stored(value: Any) -> Think:
    """A think value read back from a saved record (older records hold a bool, or 0/1)."""
    if isinstance(value, str) and value in LEVELS:
        return value
    if isinstance(value, str):
        return value.lower() in ("true", "1", "yes")
    return bool(value)
