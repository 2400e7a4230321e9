"""The unit conversion tool (lib/tools/units.py), on pint."""

from __future__ import annotations

import time

import pytest

from lib.tools import units
from lib.tools.refusal import Refused


@pytest.mark.parametrize(
    ("value", "source", "target", "shown"),
    [
        (5, "km", "mile", "5 km = 3.106855961 mi"),
        (20, "degC", "degF", "20 °C = 68 °F"),
        (100, "celsius", "kelvin", "100 °C = 373.15 K"),
        (60, "km/h", "m/s", "60 km/h = 16.66666667 m/s"),
        (1, "kilometer per hour", "m/s", "1 km/h = 0.2777777778 m/s"),
        (2, "m^2", "ft^2", "2 m² = 21.52782083 ft²"),
        ("3", "kg", "lb", "3 kg = 6.613867866 lb"),
    ],
)
def test_a_quantity_is_converted(value, source, target, shown):
    assert units.run({"value": value, "from_unit": source, "to_unit": target}) == shown


@pytest.mark.parametrize(
    ("arguments", "key"),
    [
        ({"value": 5, "from_unit": "kg", "to_unit": "m"}, "tools.units_incompatible"),
        ({"value": 5, "from_unit": "furlongs_per_blip", "to_unit": "m"}, "tools.units_unknown"),
        ({"value": 5, "from_unit": "m**(10**10**10)", "to_unit": "m"}, "tools.units_unknown"),
        ({"value": 5, "from_unit": "m**99999999", "to_unit": "m"}, "tools.units_unknown"),
        ({"value": 5, "from_unit": "__class__", "to_unit": "m"}, "tools.units_unknown"),
        ({"value": 5, "from_unit": "1/0", "to_unit": "m"}, "tools.units_unknown"),
        ({"value": 10**400, "from_unit": "m", "to_unit": "km"}, "tools.units_value_too_large"),
        ({"value": 1e300, "from_unit": "km", "to_unit": "nm"}, "tools.units_value_too_large"),
        ({"value": True, "from_unit": "m", "to_unit": "km"}, "tools.must_be_number"),
        ({"value": "five", "from_unit": "m", "to_unit": "km"}, "tools.must_be_number"),
        ({"value": [5], "from_unit": "m", "to_unit": "km"}, "tools.must_be_number"),
        ({"from_unit": "m", "to_unit": "km"}, "tools.missing_argument"),
        ({"value": 5, "to_unit": "km"}, "tools.missing_argument"),
        ({"value": 5, "from_unit": "m", "to_unit": 3}, "tools.must_be_text"),
        ({"value": 5, "from_unit": "m" * 61, "to_unit": "km"}, "tools.too_long"),
    ],
)
def test_what_cannot_be_converted_is_refused_at_once_with_a_reason(arguments, key):
    started = time.monotonic()
    with pytest.raises(Refused) as refused:
        units.run(arguments)
    assert refused.value.refusal.key == key
    assert time.monotonic() - started < 2
