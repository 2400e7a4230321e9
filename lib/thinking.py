"""How much a model thinks: which ``think`` values a model takes, and what the request sends.

Ollama's ``think`` is ``true``/``false`` or a level ``"low" | "medium" | "high"``, and from Ollama 0.21.3 on
also ``"max"`` (older servers refuse it with a 400). Models of the gpt-oss family ignore ``true``/``false``
and always reason, at the level asked (``"medium"`` when none is); other thinking models take a level as
plain ``true``. So a gpt-oss model is offered the levels its server takes and no "off", any other thinking
model off and on, and a model that cannot think nothing (sending ``think`` to it is refused with a 400).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import Any

Think = bool | str
"""``False`` / ``True``, or one of :data:`LEVELS`."""

MAX = "max"
BASE_LEVELS: tuple[str, ...] = ("low", "medium", "high")
"""The levels every server that has levels takes."""
LEVELS: tuple[str, ...] = (*BASE_LEVELS, MAX)
"""Every level a think value may hold; ``"max"`` only where the server takes it (:func:`takes_max`)."""
ON_OFF: tuple[bool, ...] = (False, True)
LEVELS_ONLY_FAMILIES = frozenset({"gptoss", "gpt-oss"})
MAX_SINCE = (0, 21, 3)
"""The first Ollama release that takes ``think: "max"`` (its pre-releases, ``0.21.3-rc0``, included)."""
_VERSION = re.compile(r"\s*v?(\d+)\.(\d+)\.(\d+)")


def takes_levels(name: str, family: str = "") -> bool:
    """A model of the gpt-oss family: its family as the server reports it, or its name when the family is unknown."""
    if family:
        return family.lower() in LEVELS_ONLY_FAMILIES
    return name.split("/")[-1].lower().startswith("gpt-oss")


def takes_max(version: str) -> bool:
    """Whether a server reporting ``version`` (``/api/version``) takes ``"max"``; a version that cannot be read
    counts as an old server, since sending "max" to one is refused, while leaving it out only costs the choice."""
    found = _VERSION.match(version or "")
    return found is not None and tuple(int(part) for part in found.groups()) >= MAX_SINCE


def choices(capabilities: Collection[str], *, name: str, family: str = "", version: str = "") -> tuple[Think, ...]:
    """What the think control offers for a model on a server of ``version``: levels (with "max" on a server that
    takes it), off/on, or nothing for a model that cannot think."""
    if "thinking" not in capabilities:
        return ()
    if not takes_levels(name, family):
        return ON_OFF
    return LEVELS if takes_max(version) else BASE_LEVELS


def default(offered: Sequence[Think]) -> Think | None:
    """Thinking on, at the server's own default level for a model that takes levels."""
    if not offered:
        return None
    return "medium" if "medium" in offered else True


def fit(value: Any, offered: Sequence[Think]) -> Think | None:
    """``value`` if ``offered`` holds it, else its nearest meaning there: on becomes medium, a level on, and
    "max" high where the server does not take it.

    Used when a saved chat, a preset or a column set for one model (or server) is used with another.
    """
    if not offered:
        return None
    if value in offered and isinstance(value, (bool, str)):
        return value
    if value is False and False not in offered:
        return "low"  # as little as such a model can think
    if value == MAX and "high" in offered:
        return "high"  # as much as this server lets the model think
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
