"""A chat's choice of tools, as saved with it: the built-in tools switched on, and the user's own declarations.

Apart from :mod:`lib.tools.registry` (which runs the tools, and so reaches the documents search) so
that the chat's records can hold a choice without importing the tools themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lib.tools import custom

BUILT_IN: tuple[str, ...] = ("calculator", "current_time", "convert_units", "search_documents")
"""The built-in tools' names, in the order they are offered (each module's ``NAME``)."""


@dataclass(frozen=True)
class ToolChoice:
    """A chat's tools: the built-in ones switched on (by name) and the user's own declarations."""

    enabled: tuple[str, ...] = ()
    custom: tuple[dict[str, Any], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.enabled or self.custom)

    def to_data(self) -> list[Any]:
        """As saved: a JSON list of built-in names and declaration objects."""
        return [*self.enabled, *self.custom]

    @classmethod
    def from_data(cls, value: Any, *, check_schemas: bool = True) -> ToolChoice:
        """A saved or imported choice; :class:`custom.Invalid` at the first entry that is neither a known
        built-in name nor a valid declaration (``check_schemas``: see :func:`custom.checked`)."""
        if value is None:
            return cls()
        if not isinstance(value, list):
            raise custom.Invalid(0, "tools.choice_not_list")
        enabled: list[str] = []
        declared: list[dict[str, Any]] = []
        for number, item in enumerate(value, start=1):
            if isinstance(item, str):
                if item not in BUILT_IN:
                    raise custom.Invalid(number, "tools.choice_unknown", {"name": item[:60]})
                if item not in enabled:
                    enabled.append(item)
            else:
                names = {*BUILT_IN, *(custom.name_of(d) for d in declared)}
                declared.append(custom.checked(item, number, names, check_schema=check_schemas))
        if len(declared) > custom.MAX_TOOLS:
            raise custom.Invalid(0, "tools.custom_too_many", {"limit": custom.MAX_TOOLS})
        return cls(tuple(name for name in BUILT_IN if name in enabled), tuple(declared))
