"""An answer's tool rounds on screen (lib/tools/steps_view.py): names escaped, arguments and results in code
blocks, refusals worded in the reader's language, calls never run marked with the round limit's sentence."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from lib.tools.refusal import Refusal
from lib.tools.steps import Round, Step


def draw(rounds) -> None:
    from lib.tools import steps_view

    for each in rounds:
        steps_view.draw_round(each)


def shown(rounds: list[Round]) -> AppTest:
    at = AppTest.from_function(draw, args=(rounds,)).run()
    assert not at.exception
    return at


def test_a_step_shows_its_call_arguments_and_result_folded():
    at = shown([Round(thinking="Add them.", steps=[Step("calculator", {"expression": "1+1"}, result="2")])])
    thinking, step = at.expander
    assert thinking.label == "Thinking"
    assert step.label == "Calculator · 2" and step.icon == ":material/calculate:"
    assert [code.value for code in step.code] == ['{\n  "expression": "1+1"\n}', "2"]


def test_a_hostile_name_and_result_stay_text():
    hostile = "**x**](http://tracker/a.png)![<img src=x>"
    at = shown([Round(steps=[Step(hostile, {"a": "<script>"}, result="![](http://tracker/b.png)")])])
    (step,) = at.expander
    assert step.label.startswith("\\*\\*x\\*\\*")
    assert step.label.endswith(" · !\\[\\](http://tracker/b.png)")  # the result in the title is escaped too
    assert step.code[1].value == "![](http://tracker/b.png)"
    assert not at.markdown or all("tracker" not in md.value for md in at.markdown)


def test_a_refusal_is_worded_when_shown_and_an_unknown_one_shows_what_was_sent():
    at = shown(
        [
            Round(
                steps=[
                    Step("calculator", {}, result="x", refusal=Refusal("tools.missing_argument", {"name": "x"})),
                    Step("calculator", {}, result="An old sentence.", refusal=Refusal("tools.gone_key")),
                ]
            )
        ]
    )
    first, second = at.expander
    assert first.label == "Calculator: no result"
    assert first.error[0].value == "The argument `x` is missing."
    assert second.code[-1].value == "An old sentence."


def test_calls_not_run_are_marked_with_the_round_limit():
    at = shown([Round(steps=[Step("calculator", {"expression": "1"})], not_run=True)])
    assert at.expander[0].label == "Calculator: not run"
    assert "after 5 rounds" in at.warning[0].value


def test_a_call_waiting_for_the_user_says_so():
    at = shown([Round(steps=[Step("get_weather", {"city": "Paris"}, custom=True)])])
    assert at.expander[0].label == "get\\_weather: waiting for your result"
