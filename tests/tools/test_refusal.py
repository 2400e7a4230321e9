"""Reading a text argument (lib/tools/refusal.py)."""

from __future__ import annotations

import pytest

from lib.tools.refusal import Refusal, Refused, text_argument


def test_a_text_argument_is_read():
    assert text_argument({"q": "cats"}, "q", 10) == "cats"
    assert text_argument({}, "q", 10, required=False) is None


@pytest.mark.parametrize(
    ("arguments", "refusal"),
    [
        ({}, Refusal("tools.missing_argument", {"name": "q"})),
        ({"q": 1}, Refusal("tools.must_be_text", {"name": "q"})),
        ({"q": "x" * 11}, Refusal("tools.too_long", {"name": "q", "limit": 10})),
    ],
)
def test_a_wrong_text_argument_is_refused_with_its_name(arguments, refusal):
    with pytest.raises(Refused) as refused:
        text_argument(arguments, "q", 10)
    assert refused.value.refusal == refusal
