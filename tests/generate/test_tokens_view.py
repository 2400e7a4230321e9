"""Token probabilities on the Generate page (lib/generate/tokens_view.py, and where output.py shows them):
what is sent, the tinted view, the picker and its alternatives, and hostile tokens kept inert."""

from __future__ import annotations

import math
from datetime import datetime
from html.parser import HTMLParser

from streamlit.testing.v1 import AppTest

from lib import state
from lib.generate.form import GenerateForm
from lib.generate.logprobs import Alternative, Token
from lib.generate.record import RunRecord
from lib.ollama.stream import Answer
from tests.generate.conftest import generate, sent

DONE = {"done": True, "done_reason": "stop", "eval_count": 2, "eval_duration": 1_000_000_000}


def tokens_tab(at: AppTest):
    return next(tab for tab in at.tabs if tab.label == "Token probabilities")


def html_of(element) -> str:
    return element.proto.body


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.tips: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        found = dict(attrs)
        if "data-tip" in found:
            self.tips.append(found["data-tip"] or "")

    def handle_data(self, data):
        if self.tags[-1:] != ["style"]:
            self.text.append(data)


def parsed(body: str) -> Elements:
    elements = Elements()
    elements.feed(body)
    return elements


def switch_on(at: AppTest, alternatives: int) -> None:
    at.toggle(key=state.GENERATE_LOGPROBS_INPUT).set_value(True).run()
    at.number_input(key=state.GENERATE_TOP_LOGPROBS_INPUT).set_value(alternatives).run()


def test_the_switch_sends_logprobs_and_the_answer_can_be_read_token_by_token(page, fake):
    assert page.number_input(key=state.GENERATE_TOP_LOGPROBS_INPUT).disabled
    fake.script_reply("The sky is blue because of Rayleigh scattering.")
    switch_on(page, 3)
    generate(page)
    assert sent(fake)["logprobs"] is True and sent(fake)["top_logprobs"] == 3
    tab = tokens_tab(page)
    view = parsed(html_of(tab.get("html")[0]))
    answer = page.session_state[state.GENERATE_LAST].result
    assert len(view.tips) == len(answer.logprobs) > 5
    assert view.tips[0].startswith("Token 1: \u201c") and view.tips[0].count("%") == 4  # its own and 3 alternatives
    picker = tab.selectbox(key=f"{state.GENERATE_TOKEN_INPUT}_1")
    least = min(range(len(answer.logprobs)), key=lambda index: answer.logprobs[index]["logprob"])
    assert picker.value == least  # starts on the token the model was least sure of
    table = tab.dataframe[0].value
    assert len(table) == 3 and table["probability"].is_monotonic_decreasing
    assert table["token"].tolist() == [f"\u201c{alt['token']}\u201d" for alt in answer.logprobs[least]["top_logprobs"]]
    picker.set_value(0).run()
    assert tokens_tab(page).dataframe[0].value["token"].tolist()[0].startswith("\u201c")


def test_without_the_switch_nothing_is_asked_and_no_tab_is_shown(page, fake):
    generate(page)
    assert "logprobs" not in sent(fake) and "top_logprobs" not in sent(fake)
    assert "Token probabilities" not in [tab.label for tab in page.tabs]


def test_hostile_tokens_are_shown_as_text_and_run_nothing(page, fake):
    fake.script_reply('<script>alert(1)</script> " onmouseover="x ![x](http://tracker.example/a.png) \u202eevil')
    switch_on(page, 2)
    generate(page)
    body = html_of(tokens_tab(page).get("html")[0])
    view = parsed(body)
    assert set(view.tags) <= {"style", "div", "span"}
    assert "<script" not in body and "<img" not in body
    assert "<script>alert(1)</script>" in "".join(view.text)  # the characters the model wrote, as text
    assert "\u202e" not in body and "\\u202eevil" in "".join(view.text)
    assert "![x](http://tracker.example/a.png)" in "".join(view.text)
    assert all('"' not in tip or "\u201c" in tip for tip in view.tips)


def record(answer: Answer, *, asked: bool = True) -> RunRecord:
    form = GenerateForm(model="llama3.2:latest", prompt="Why?", logprobs=asked)
    return RunRecord(7, datetime(2026, 11, 25, 14, 2, 7), form, {}, answer)


def shown_run(record: "RunRecord") -> None:
    from lib.generate import output

    output.show_run(record)


def show(run: RunRecord) -> AppTest:
    at = AppTest.from_function(shown_run, args=(run,)).run()
    assert not at.exception
    return at


def test_a_server_that_sends_no_probabilities_is_named():
    at = show(record(Answer(content="Blue.", final=DONE)))
    assert "Token probabilities" not in [tab.label for tab in at.tabs]
    assert "The server sent no token probabilities: they need Ollama 0.12.11 or newer." in [c.value for c in at.caption]


def test_a_token_the_model_sampled_below_the_likeliest_is_called_out():
    entries = [
        {
            "token": "grey",
            "logprob": math.log(0.2),
            "top_logprobs": [{"token": "blue", "logprob": math.log(0.7)}, {"token": "dark", "logprob": math.log(0.1)}],
        }
    ]
    at = show(record(Answer(content="grey", final=DONE, logprobs=entries)))
    tab = tokens_tab(at)
    assert "is not among the likeliest listed" in " ".join(caption.value for caption in tab.caption)
    assert tab.dataframe[0].value["written"].tolist() == [False, False]


def test_tips_and_options_word_a_token(monkeypatch):
    from lib.generate import tokens_view

    token = Token("blue", math.log(0.3), (Alternative("grey", 0.6), Alternative("blue", 0.3)))
    assert tokens_view.tip(16, token, "The first token that differs from A.") == (
        "Token 17: \u201cblue\u201d, 30.0%\n  \u201cgrey\u201d 60.0%\n  \u201cblue\u201d 30.0% \u2713\n"
        "The first token that differs from A."
    )
    assert tokens_view.option_label(16, token) == "17 · \u201cblue\u201d · 30.0%"
    assert tokens_view.alternatives_rows(token) == [
        {"token": "\u201cgrey\u201d", "probability": 0.6, "written": False},
        {"token": "\u201cblue\u201d", "probability": 0.3, "written": True},
    ]


def test_an_emoji_split_over_two_tokens_is_shown_as_one(page, fake):
    fake.script_reply("Rainbows 🌈 彩虹")
    switch_on(page, 2)
    generate(page)
    answer = page.session_state[state.GENERATE_LAST].result
    assert any("\ufffd" in entry["token"] for entry in answer.logprobs)  # the server's halves of the emoji
    view = parsed(html_of(tokens_tab(page).get("html")[0]))
    assert "🌈" in "".join(view.text) and "\ufffd" not in "".join(view.text)
    assert len(view.tips) == len(answer.logprobs) - 1
    assert any("(one character written in 2 tokens)" in tip for tip in view.tips)


def words(*texts: str) -> list[Token]:
    return [Token(text, -0.1) for text in texts]


def test_where_one_answer_parts_from_another_is_one_sentence_and_one_token_to_mark():
    """Shared by Generate's Compare and Chat's compare mode."""
    from lib.generate.tokens_view import divergence_note

    first = words("The", " sky", " is", " blue")
    assert divergence_note(first, words("The", " sky", " is", " red"), "A") == (
        "Same as A for the first 3 tokens, then \u201c red\u201d where A has \u201c blue\u201d.",
        3,
    )
    assert divergence_note(first, words("A", " sky"), "A") == (
        "Differs from A from the first token: \u201cA\u201d where A has \u201cThe\u201d.",
        0,
    )
    assert divergence_note(first, words("The", " sky"), "A") == (
        "Same as A for all its 2 tokens, then ends where A goes on with \u201c is\u201d.",
        None,
    )
    assert divergence_note(first, [*first, *words(".")], "A") == (
        "Same as A for all of its 4 tokens, then goes on with \u201c.\u201d.",
        4,
    )
    assert divergence_note(first, first, "A") == ("Token for token the same as A.", None)
    assert divergence_note([], first, "A") == divergence_note(first, [], "A") == ("", None)
