"""``{{variables}}`` (lib/prompts/template.py): found, filled once, missing and unused values told apart."""

from __future__ import annotations

import pytest

from lib.prompts.template import MAX_VARIABLES, Filled, fill, variables


@pytest.mark.parametrize(
    ("template", "names"),
    [
        ("no variables", []),
        ("Hi {{name}}", ["name"]),
        ("{{ name }} and {{name}} and {{  other\t}}", ["name", "other"]),
        ("{{b}} {{a}} {{b}}", ["b", "a"]),
        ("Translate into {{语言}}: {{text_1}}", ["语言", "text_1"]),
        ("{{first.name}} {{last-name}} {{_x}}", ["first.name", "last-name", "_x"]),
        ("{{ }} {{1x}} {{a b}} {x} {{{y}}}", ["y"]),
        ('JSON: {{"a": 1}}', []),
        (r"\{{name}} is literal, {{real}} is not", ["real"]),
        ("{{name\n}}", ["name"]),
        ("{{unclosed", []),
    ],
)
def test_variables(template, names):
    assert variables(template) == names


def test_a_form_has_a_bounded_number_of_fields():
    template = " ".join(f"{{{{v{i}}}}}" for i in range(MAX_VARIABLES + 5))
    assert len(variables(template)) == MAX_VARIABLES


@pytest.mark.parametrize(
    ("template", "values", "filled"),
    [
        ("Hi {{name}}!", {"name": "Ann"}, Filled("Hi Ann!", (), ())),
        ("{{ a }}{{a}}", {"a": "x"}, Filled("xx", (), ())),
        ("Hi {{name}}", {}, Filled("Hi {{name}}", ("name",), ())),
        ("Hi {{name}}", {"name": ""}, Filled("Hi {{name}}", ("name",), ())),
        ("Hi {{name}}", {"name": "Ann", "age": "3"}, Filled("Hi Ann", (), ("age",))),
        # a value is never expanded again, even one naming another variable
        ("{{a}} {{b}}", {"a": "{{b}}", "b": "B"}, Filled("{{b}} B", (), ())),
        ("{{a}}", {"a": r"\{{a}}"}, Filled(r"\{{a}}", (), ())),
        # an escaped opener is written as a literal pair of braces
        (r"\{{a}} {{a}}", {"a": "A"}, Filled("{{a}} A", (), ())),
        ("{{a}} {x}", {"a": "{0} %s $1 \\1"}, Filled("{0} %s $1 \\1 {x}", (), ())),
        ("line\n{{a}}\n", {"a": "two\nlines"}, Filled("line\ntwo\nlines\n", (), ())),
        ("no variables", {}, Filled("no variables", (), ())),
    ],
)
def test_fill(template, values, filled):
    assert fill(template, values) == filled


def test_complete():
    assert fill("{{a}}", {"a": "1"}).complete
    assert not fill("{{a}}", {}).complete
