"""The calculator tool: arithmetic on a real expression parser, never ``eval``.

The model's expression is parsed by Python's own parser (``ast.parse(mode="eval")``) and the tree is
walked here with a whitelist: numbers, ``+ - * / // % **``, signs, parentheses, the constants
``pi``, ``e`` and ``tau`` and a few functions of :mod:`math`. Nothing else (names, attributes,
calls of anything else, strings, comprehensions, lambdas) is ever evaluated. The expression's
length, the tree's size and every intermediate whole number's size are bounded, and a power is
refused *before* it is computed when its result would be too large, so ``2**10**10`` is a sentence
at once rather than minutes of work and gigabytes of memory. No library on PyPI was a better fit:
the maintained safe evaluators either wrap ``eval`` or allow far more than arithmetic.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping
from typing import Any

from lib.tools.refusal import Refused, text_argument

NAME = "calculator"
MAX_LENGTH = 500  # characters of an expression
MAX_NODES = 300  # of its parsed tree
MAX_BITS = 3400  # of any whole number along the way (about 1,000 digits)
MAX_FACTORIAL = 450  # factorial(450) is about 3,400 bits

DECLARATION: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": NAME,
        "description": (
            "Evaluate an arithmetic expression exactly and return its value. Supports + - * / // % ** "
            "(or ^), parentheses, pi, e, tau and sqrt, sin, cos, tan, asin, acos, atan, log (natural, or "
            "log(x, base)), log10, log2, exp, abs, round, floor, ceil, factorial."
        ),
        "parameters": {
            "type": "object",
            "properties": {
                "expression": {"type": "string", "description": "The expression, for example 12*(3+4) or sqrt(2)/2."}
            },
            "required": ["expression"],
        },
    },
}

Number = int | float

_CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e, "tau": math.tau}


def _factorial(value: Number) -> int:
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("factorial of a fraction")
        value = int(value)
    if value > MAX_FACTORIAL:
        raise Refused("tools.calculator_too_large", limit=f"10^{MAX_BITS * 3 // 10}")
    return math.factorial(value)


def _round(value: Number, digits: Number = 0) -> Number:
    if not isinstance(digits, int) or abs(digits) > 100:
        raise ValueError("round to a whole number of digits")
    return round(value, digits) if digits else round(value)


def _log(value: Number, base: Number | None = None) -> float:
    return math.log(value) if base is None else math.log(value, base)


_FUNCTIONS: dict[str, Callable[..., Number]] = {
    "sqrt": math.sqrt,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "asin": math.asin,
    "acos": math.acos,
    "atan": math.atan,
    "log": _log,
    "ln": math.log,
    "log10": math.log10,
    "log2": math.log2,
    "exp": math.exp,
    "abs": abs,
    "round": _round,
    "floor": math.floor,
    "ceil": math.ceil,
    "factorial": _factorial,
}
_BINARY: dict[type[ast.operator], Callable[[Any, Any], Number]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.FloorDiv: lambda a, b: a // b,
    ast.Mod: lambda a, b: a % b,
}
# Written by people and models alike: × ÷ − and ^ for a power.
_SPELLINGS = str.maketrans({"×": "*", "÷": "/", "−": "-", "^": "**", "，": ",", "（": "(", "）": ")"})


def run(arguments: Mapping[str, Any]) -> str:
    """The value of ``arguments["expression"]`` as text; :class:`Refused` says why there is none."""
    expression = text_argument(arguments, "expression", MAX_LENGTH) or ""
    return shown(evaluate(expression))


def evaluate(expression: str) -> Number:
    if not expression.strip():
        raise Refused("tools.calculator_empty")
    if len(expression) > MAX_LENGTH:
        raise Refused("tools.too_long", name="expression", limit=MAX_LENGTH)
    try:
        tree = ast.parse(expression.translate(_SPELLINGS).strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # too many parentheses is a SyntaxError
        raise Refused("tools.calculator_syntax") from None
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise Refused("tools.calculator_too_long", limit=MAX_NODES)
    try:
        return _value(tree.body)
    except Refused:
        raise
    except ZeroDivisionError:
        raise Refused("tools.calculator_division_by_zero") from None
    except OverflowError:
        raise Refused("tools.calculator_too_large", limit=f"10^{MAX_BITS * 3 // 10}") from None
    except (ValueError, TypeError, ArithmeticError, RecursionError):  # sqrt(-1), log(0), a float too large
        raise Refused("tools.calculator_domain") from None


def _value(node: ast.AST) -> Number:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise Refused("tools.calculator_not_allowed", what=type(node.value).__name__)
        return _checked(node.value)
    if isinstance(node, ast.Name):
        if node.id in _CONSTANTS:
            return _CONSTANTS[node.id]
        raise Refused("tools.calculator_unknown_name", name=node.id[:40])
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
        operand = _value(node.operand)
        return operand if isinstance(node.op, ast.UAdd) else -operand
    if isinstance(node, ast.BinOp):
        left, right = _value(node.left), _value(node.right)
        if isinstance(node.op, ast.Pow):
            return _checked(_power(left, right))
        operation = _BINARY.get(type(node.op))
        if operation is None:
            raise Refused("tools.calculator_not_allowed", what=type(node.op).__name__)
        return _checked(operation(left, right))
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS:
            name = node.func.id if isinstance(node.func, ast.Name) else "?"
            raise Refused("tools.calculator_unknown_function", name=name[:40], known=", ".join(_FUNCTIONS))
        if node.keywords or len(node.args) > 2:
            raise Refused("tools.calculator_syntax")
        return _checked(_FUNCTIONS[node.func.id](*(_value(argument) for argument in node.args)))
    raise Refused("tools.calculator_not_allowed", what=type(node).__name__)


def _power(base: Number, exponent: Number) -> Number:
    """``base ** exponent``, refused before computing when a whole result would pass :data:`MAX_BITS`."""
    if isinstance(base, int) and isinstance(exponent, int):
        if exponent < 0:
            return float(base) ** exponent
        if abs(base) > 1 and exponent * math.log2(abs(base)) > MAX_BITS:
            raise Refused("tools.calculator_too_large", limit=f"10^{MAX_BITS * 3 // 10}")
        return base**exponent
    result = math.pow(base, exponent)  # floats overflow to OverflowError, never to a huge computation
    return result


def _checked(value: Any) -> Number:
    if isinstance(value, complex):
        raise ValueError("complex result")
    if isinstance(value, int) and value.bit_length() > MAX_BITS:
        raise Refused("tools.calculator_too_large", limit=f"10^{MAX_BITS * 3 // 10}")
    if isinstance(value, float) and not math.isfinite(value):
        raise OverflowError
    return value


def shown(value: Number) -> str:
    """A value as people write it: whole numbers in full, others to 15 significant digits."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.15g}"
    return str(value)
