"""The calculator tool (lib/tools/calculator.py): real arithmetic, and every hostile expression a sentence, fast."""

from __future__ import annotations

import time

import pytest

from lib.tools import calculator
from lib.tools.refusal import Refused


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("12*(3+4)", "84"),
        ("2**10", "1024"),
        ("2^10", "1024"),
        ("7 // 2", "3"),
        ("7 % 4", "3"),
        ("10 / 4", "2.5"),
        ("-3 + +2", "-1"),
        ("sqrt(16)", "4"),
        ("round(2.567, 2)", "2.57"),
        ("log(8, 2)", "3"),
        ("2 × 3 ÷ 4", "1.5"),
        ("2**-2", "0.25"),
        ("factorial(5)", "120"),
        ("pi", "3.14159265358979"),
        ("10**100", "1" + "0" * 100),
    ],
)
def test_arithmetic_is_computed(expression, value):
    assert calculator.run({"expression": expression}) == value


@pytest.mark.parametrize(
    ("expression", "key"),
    [
        ("1/0", "tools.calculator_division_by_zero"),
        ("5 % 0", "tools.calculator_division_by_zero"),
        ("2**10**10", "tools.calculator_too_large"),
        ("9**9**9", "tools.calculator_too_large"),
        ("10**1000 * 10**1000 * 10**1000 * 10**1000", "tools.calculator_too_large"),
        ("factorial(100000)", "tools.calculator_too_large"),
        ("1e308 * 10", "tools.calculator_too_large"),
        ("sqrt(-1)", "tools.calculator_domain"),
        ("log(0)", "tools.calculator_domain"),
        ("__import__('os').system('id')", "tools.calculator_unknown_function"),
        ("().__class__.__bases__", "tools.calculator_not_allowed"),
        ("open('/etc/passwd')", "tools.calculator_unknown_function"),
        ("[x for x in range(10**9)]", "tools.calculator_not_allowed"),
        ("lambda: 1", "tools.calculator_not_allowed"),
        ("'a' * 10", "tools.calculator_not_allowed"),
        ("True + 1", "tools.calculator_not_allowed"),
        ("x + 1", "tools.calculator_unknown_name"),
        ("1 +", "tools.calculator_syntax"),
        ("(" * 300 + "1" + ")" * 300, "tools.too_long"),
        ("(" * 210 + "1" + ")" * 210, "tools.calculator_syntax"),
        ("1+" * 200 + "1", "tools.calculator_too_long"),
        ("", "tools.calculator_empty"),
        ("sqrt(x=4)", "tools.calculator_syntax"),
    ],
)
def test_a_hostile_or_impossible_expression_is_refused_at_once_with_a_reason(expression, key):
    started = time.monotonic()
    with pytest.raises(Refused) as refused:
        calculator.run({"expression": expression})
    assert refused.value.refusal.key == key
    assert time.monotonic() - started < 1


@pytest.mark.parametrize(
    ("arguments", "key"),
    [
        ({}, "tools.missing_argument"),
        ({"expression": None}, "tools.missing_argument"),
        ({"expression": 42}, "tools.must_be_text"),
        ({"expression": ["1+1"]}, "tools.must_be_text"),
        ({"expression": "1" * 501}, "tools.too_long"),
    ],
)
def test_a_missing_or_wrongly_typed_argument_is_refused(arguments, key):
    with pytest.raises(Refused) as refused:
        calculator.run(arguments)
    assert refused.value.refusal.key == key


def test_the_declaration_names_its_one_required_parameter():
    function = calculator.DECLARATION["function"]
    assert function["name"] == calculator.NAME
    assert function["parameters"]["required"] == ["expression"]
