"""``{{variables}}`` in saved prompts: finding them and filling them in; no Streamlit.

A variable is ``{{name}}``, spaces inside the braces allowed (``{{ name }}``); a name starts with
a letter (any script: ``{{语言}}`` works) or ``_`` and goes on with letters, digits, ``_``, ``-``
or ``.``. Anything else between double braces (``{{ }}``, ``{{1x}}``, a JSON example's
``{{"a": 1}}``) is left as text. ``\\{{`` writes a literal ``{{`` (``\\{{name}}`` stays
``{{name}}`` in the result).

Filling is one pass over the template: a value that itself contains ``{{x}}`` goes in as it is,
never expanded again, so what a user types (or pastes from a model's answer) cannot pull in
other variables' values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

_NAME = r"[^\W\d][\w.-]*"
_TOKEN = re.compile(r"\\\{\{|\{\{\s*(" + _NAME + r")\s*\}\}")
MAX_VARIABLES = 30


@dataclass(frozen=True)
class Filled:
    """The prompt with its values in; ``missing``: variables with no value (left as ``{{name}}``);
    ``unused``: values given for names the prompt does not have."""

    text: str
    missing: tuple[str, ...]
    unused: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.missing


def variables(template: str) -> list[str]:
    """The template's variable names, each once, in the order they first appear.

    At most :data:`MAX_VARIABLES`: a form of more fields helps nobody; any further one stays as text.
    """
    names: list[str] = []
    for match in _TOKEN.finditer(template):
        name = match.group(1)
        if name is not None and name not in names:
            names.append(name)
    return names[:MAX_VARIABLES]


def fill(template: str, values: Mapping[str, str]) -> Filled:
    """The template with each variable replaced by its value; an empty or absent value counts as missing."""
    known = variables(template)
    missing = [name for name in known if not values.get(name)]

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return "{{"
        value = values.get(name)
        return value if value and name in known else match.group(0)

    unused = [name for name in values if name not in known]
    return Filled(_TOKEN.sub(replace, template), tuple(missing), tuple(unused))
