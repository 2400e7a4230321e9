"""What a preset holds and how it meets the parameters panel; no Streamlit.

A preset is the panel's values as people set them: the numbers of
:data:`lib.parameters.catalog.OPTION_SPECS`, the stop sequences and, when it was saved with one,
the keep-alive. Applying it replaces every parameter of the panel: a parameter the preset does not
set goes back to "the model's own default". The keep-alive is the exception: a preset saved
without one leaves the panel's keep-alive as it is, and a panel without the field (Evals) ignores
it.

Values are cleaned whenever they are read (from the database, which another program may have
written, or from an older version of the app): a value that is not a number, or lies outside what
the field accepts, is dropped, so applying a preset can never make a number field refuse to draw.
A parameter a model does not know is Ollama's to ignore; names the panel does not know are dropped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from lib.i18n import t_plain
from lib.parameters.catalog import OPTION_SPECS, parse_keep_alive

NAME_LENGTH = 60
MAX_PRESETS = 100  # per owner: a public demo's visitor cannot fill the disk
MAX_STOPS = 16
STOP_LENGTH = 200
BUILT_IN_PREFIX = "builtin:"
_SPECS = {spec.name: spec for spec in OPTION_SPECS}
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Preset:
    """``id``: ``builtin:<name>`` for a built-in preset, the database row's number as text for a saved one."""

    id: str
    name: str
    options: dict[str, Any]
    stop: tuple[str, ...] = ()
    keep_alive: str | None = None
    built_in: bool = False

    def panel_values(self) -> dict[str, Any]:
        """The panel's widget values this preset gives: every number field, the stop box and, when set, keep-alive."""
        values: dict[str, Any] = {name: self.options.get(name) for name in _SPECS}
        values["stop"] = "\n".join(self.stop)
        if self.keep_alive is not None:
            values["keep_alive"] = self.keep_alive
        return values

    def document(self) -> dict[str, Any]:
        """The JSON the store keeps for the values (the name has a column of its own)."""
        document: dict[str, Any] = {"options": dict(self.options)}
        if self.stop:
            document["stop"] = list(self.stop)
        if self.keep_alive is not None:
            document["keep_alive"] = self.keep_alive
        return document


# The built-in presets: (id, catalog key of the name, options). Each name is looked up when shown.
_BUILT_IN: tuple[tuple[str, Callable[[], str], dict[str, Any]], ...] = (
    ("precise", lambda: t_plain("presets.precise"), {"temperature": 0.0, "top_k": 1}),
    ("balanced", lambda: t_plain("presets.balanced"), {"temperature": 0.7, "top_p": 0.9}),
    ("creative", lambda: t_plain("presets.creative"), {"temperature": 1.2, "top_p": 0.95, "top_k": 100}),
    ("reproducible", lambda: t_plain("presets.reproducible"), {"seed": 42, "temperature": 0.8}),
)


def built_in() -> list[Preset]:
    """The presets every visitor has and nobody can change, named in the session's language."""
    return [
        Preset(f"{BUILT_IN_PREFIX}{key}", name(), clean_options(options), built_in=True)
        for key, name, options in _BUILT_IN
    ]


def clean_name(name: object) -> str:
    """A name as saved: spaces folded, at most :data:`NAME_LENGTH` characters; "" when nothing is left."""
    if not isinstance(name, str):
        return ""
    return _SPACES.sub(" ", name).strip()[:NAME_LENGTH]


def clean_options(options: object) -> dict[str, Any]:
    """The panel's number parameters in ``options``, each in its field's type and range; anything else dropped."""
    if not isinstance(options, Mapping):
        return {}
    cleaned: dict[str, Any] = {}
    for name, spec in _SPECS.items():
        value = options.get(name)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            continue
        if spec.kind is int and value != int(value):
            continue
        if spec.minimum <= value <= spec.maximum:
            cleaned[name] = spec.kind(value)
    return cleaned


def clean_stops(stops: object) -> tuple[str, ...]:
    if not isinstance(stops, (list, tuple)):
        return ()
    kept = [stop[:STOP_LENGTH] for stop in stops if isinstance(stop, str) and stop.strip()]
    return tuple(kept[:MAX_STOPS])


def clean_keep_alive(value: object) -> str | None:
    """A keep-alive as the panel's field holds it (text), or None when absent or not one the panel would accept."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    text = str(value).strip()
    if not text:
        return None
    try:
        parse_keep_alive(text)
    except ValueError:
        return None
    return text


def from_document(preset_id: str, name: str, document: object) -> Preset:
    """A saved preset from its stored JSON, cleaned (see the module's docstring)."""
    document = document if isinstance(document, Mapping) else {}
    return Preset(
        preset_id,
        clean_name(name) or preset_id,
        clean_options(document.get("options")),
        clean_stops(document.get("stop")),
        clean_keep_alive(document.get("keep_alive")),
    )


def from_panel(name: str, values: Mapping[str, Any], *, with_keep_alive: bool) -> Preset:
    """A new preset of the panel's current widget values (``values``: name -> widget value)."""
    stop_text = values.get("stop") or ""
    stops = stop_text.splitlines() if isinstance(stop_text, str) else []
    keep_alive = clean_keep_alive(values.get("keep_alive")) if with_keep_alive else None
    return Preset("", clean_name(name), clean_options(values), clean_stops(stops), keep_alive)


def matches(preset: Preset, values: Mapping[str, Any]) -> bool:
    """Whether the panel's ``values`` are still what ``preset`` set (a changed field makes it "changed")."""
    if from_panel("", values, with_keep_alive=False).options != preset.options:
        return False
    if clean_stops((values.get("stop") or "").splitlines()) != preset.stop:
        return False
    return preset.keep_alive is None or clean_keep_alive(values.get("keep_alive")) == preset.keep_alive
