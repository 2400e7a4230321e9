"""The unit conversion tool, on ``pint``: 5 km in miles, 20 °C in °F, 60 mph in m/s.

pint is the well-kept library made for this (units, prefixes, offsets such as Celsius, derived units
such as km/h), pure Python and about 3 MB. Its unit parser evaluates the numbers it reads, so an
exponent such as ``m**(10**10**10)`` would compute for ever: a unit string is first checked here to be
unit names with single-digit powers only, joined by ``*``, ``/``, spaces or "per".
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import pint

from lib.tools.refusal import Refused, text_argument

NAME = "convert_units"
MAX_UNIT = 60
MAX_VALUE = 1e300
_NAME = r"°?[^\W\d_][^\W\d]*"
_POWER = r"(?:\s*(?:\^|\*\*)\s*-?[1-9])?"
_UNIT = re.compile(rf"^\s*{_NAME}{_POWER}(?:(?:\s*[*/·]\s*|\s+){_NAME}{_POWER})*\s*$")

DECLARATION: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": NAME,
        "description": (
            "Convert a quantity from one unit to another (length, mass, time, speed, temperature, volume, "
            "area, energy, pressure, data…), for example 5 km to mile or 20 degC to degF."
        ),
        "parameters": {
            "type": "object",
            "properties": {
                "value": {"type": "number", "description": "The amount to convert."},
                "from_unit": {
                    "type": "string",
                    "description": "The unit of the value, for example km, lb, degC, km/h.",
                },
                "to_unit": {"type": "string", "description": "The unit wanted, for example mile, kg, degF, m/s."},
            },
            "required": ["value", "from_unit", "to_unit"],
        },
    },
}


@lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry:
    """pint's registry of units, built once (it reads its definitions file, about 0.2 s)."""
    return pint.UnitRegistry(autoconvert_offset_to_baseunit=True)


def run(arguments: Mapping[str, Any]) -> str:
    """``value from_unit`` in ``to_unit``, as text; :class:`Refused` says why it cannot be converted."""
    value = arguments.get("value")
    if value is None:
        raise Refused("tools.missing_argument", name="value")
    if isinstance(value, str):  # "5" from a model that quotes its numbers
        try:
            value = float(value.strip()) if len(value) <= 40 else None
        except ValueError:
            value = None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Refused("tools.must_be_number", name="value")
    number = float(value) if abs(value) <= MAX_VALUE else math.inf
    if not math.isfinite(number):
        raise Refused("tools.units_value_too_large")
    source = _unit_text(arguments, "from_unit")
    target = _unit_text(arguments, "to_unit")
    units = registry()
    try:
        converted = units.Quantity(number, source).to(target)
    except pint.DimensionalityError:
        raise Refused("tools.units_incompatible", source=source, target=target) from None
    except (pint.UndefinedUnitError, AttributeError, ValueError, TypeError, SyntaxError) as error:
        unknown = getattr(error, "unit_names", None)
        name = unknown[0] if isinstance(unknown, (list, tuple)) and unknown else source
        raise Refused("tools.units_unknown", unit=str(name)[:MAX_UNIT]) from None
    result = float(converted.magnitude)
    if not math.isfinite(result):
        raise Refused("tools.units_value_too_large")
    return f"{_shown(number)} {units.Unit(source):~P} = {_shown(result)} {converted.units:~P}"


def _unit_text(arguments: Mapping[str, Any], name: str) -> str:
    text = (text_argument(arguments, name, MAX_UNIT) or "").strip()
    if not text:
        raise Refused("tools.missing_argument", name=name)
    if not _UNIT.match(text):
        raise Refused("tools.units_unknown", unit=text)
    return text


def _shown(value: float) -> str:
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.10g}"
