"""Token probabilities (lib/generate/logprobs.py): reading Ollama's entries, buckets, divergence, and a tinted
view that stays inert whatever the model wrote."""

from __future__ import annotations

import math
from html.parser import HTMLParser

import pytest

from lib.generate import logprobs
from lib.generate.logprobs import Alternative, Divergence, Token


def entry(token: str, logprob: float, *alternatives: tuple[str, float], raw: bytes | None = None) -> dict:
    sent = {"token": token, "logprob": logprob, "bytes": list(raw if raw is not None else token.encode())}
    if alternatives:
        sent["top_logprobs"] = [{"token": t, "logprob": lp, "bytes": list(t.encode())} for t, lp in alternatives]
    return sent


@pytest.mark.parametrize(
    ("logprob", "chance", "bucket"),
    [
        (0.0, 1.0, 0),
        (math.log(0.95), 0.95, 0),
        (math.log(0.9), 0.9, 0),
        (math.log(0.8), 0.8, 1),
        (math.log(0.6), 0.6, 2),
        (math.log(0.3), 0.3, 3),
        (math.log(0.1), 0.1, 4),
        (-30.0, math.exp(-30), 4),
        (0.002, 1.0, 0),  # a server's rounding above zero is certainty, not more
        (float("nan"), 0.0, 4),
    ],
)
def test_probability_and_bucket(logprob, chance, bucket):
    assert logprobs.probability(logprob) == pytest.approx(chance)
    assert logprobs.bucket(logprobs.probability(logprob)) == bucket


@pytest.mark.parametrize(
    ("chance", "shown"), [(1.0, "100.0%"), (0.9213, "92.1%"), (0.0004, "<0.1%"), (0.0, "0.0%"), (0.001, "0.1%")]
)
def test_percent(chance, shown):
    assert logprobs.percent(chance) == shown


def test_tokens_read_entries_with_their_alternatives_likeliest_first():
    shown = logprobs.tokens(
        [entry("Paris", math.log(0.7), ("Lyon", math.log(0.2)), ("Paris", math.log(0.7))), entry(".", 0.0)]
    )
    assert [token.text for token in shown] == ["Paris", "."]
    assert shown[0].alternatives == (Alternative("Paris", pytest.approx(0.7)), Alternative("Lyon", pytest.approx(0.2)))
    assert shown[0].chosen_rank == 0 and shown[1].chosen_rank is None


def test_the_written_token_may_not_be_the_likeliest():
    [token] = logprobs.tokens([entry("blue", math.log(0.3), ("grey", math.log(0.6)), ("blue", math.log(0.3)))])
    assert token.chosen_rank == 1


def test_pieces_of_one_character_are_joined_and_their_probabilities_multiplied():
    middle = "中".encode()  # three bytes, sent by the model as two tokens
    shown = logprobs.tokens(
        [
            entry("\ufffd", math.log(0.5), raw=middle[:2]),
            entry("\ufffd", math.log(0.8), raw=middle[2:]),
            entry("文", math.log(0.9)),
        ]
    )
    assert [(token.text, token.parts) for token in shown] == [("中", 2), ("文", 1)]
    assert shown[0].probability == pytest.approx(0.4)


@pytest.mark.parametrize(
    "entries",
    [
        [{"token": "a"}, "not an entry", None, {"token": "b", "logprob": "high"}, {"token": "c", "logprob": True}],
        [{"token": "x", "logprob": -0.1, "bytes": [300, -1]}],  # bytes that are no bytes: the token's text is used
        [{"token": "x", "logprob": -0.1, "top_logprobs": ["nope", {"token": "y"}, {"logprob": -1}]}],
    ],
)
def test_malformed_entries_are_skipped_or_read_as_far_as_they_go(entries):
    shown = logprobs.tokens(entries)
    assert all(isinstance(token, Token) for token in shown)
    assert [token.text for token in shown] in ([], ["x"])


def test_bytes_that_never_become_text_are_shown_replaced_not_lost():
    shown = logprobs.tokens([entry("?", -0.1, raw=b"\xe4"), entry("?", -0.2, raw=b"\xff"), entry("ok", 0.0)])
    assert [token.text for token in shown] == ["\ufffd\ufffd", "ok"]


REFERENCE = [Token(text, 0.0) for text in ("The", " capital", " is", " Paris")]


@pytest.mark.parametrize(
    ("other", "expected"),
    [
        (("The", " capital", " is", " Paris"), None),
        (("The", " capital", " was", " Paris"), Divergence(2, " is", " was")),
        (("Paris",), Divergence(0, "The", "Paris")),
        (("The", " capital"), Divergence(2, " is", None)),
        (("The", " capital", " is", " Paris", "."), Divergence(4, None, ".")),
        ((), Divergence(0, "The", None)),
    ],
)
def test_divergence(other, expected):
    assert logprobs.divergence(REFERENCE, [Token(text, 0.0) for text in other]) == expected


def test_least_confident_is_the_first_of_the_least_probable():
    shown = [Token("a", -0.1), Token("b", -2.0), Token("c", -2.0), Token("d", 0.0)]
    assert logprobs.least_confident(shown) == 1
    assert logprobs.least_confident([]) is None


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain", "plain"),
        ("a\nb\t", "a\\nb\\t"),
        ("\u202eevil", "\\u202eevil"),
        ("x\u200by", "x\\u200by"),
        ("\x1b[31m", "\\u001b[31m"),
        ("中文 ok", "中文 ok"),
    ],
)
def test_visible_writes_out_what_would_act_on_the_text(text, shown):
    assert logprobs.visible(text) == shown


def test_tip_lines_mark_the_written_token():
    token = Token("blue", math.log(0.3), (Alternative("grey", 0.6), Alternative("blue", 0.3)))
    assert logprobs.tip_lines(token) == [("\u201cgrey\u201d", "60.0%", False), ("\u201cblue\u201d", "30.0%", True)]
    assert len(logprobs.tip_lines(token, limit=1)) == 1


class Markup(HTMLParser):
    """What a browser would build from the view: tags with their attributes, and the text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if not self._in_style:
            self.text.append(data)


HOSTILE = [
    "<script>alert(1)</script>",
    '" onmouseover="alert(1)',
    "' data-x='",
    "![x](http://tracker.example/a.png)",
    "<img src=x onerror=alert(1)>",
    "line one\nline two",
    "\u202eevil\u202c",
    "&lt;b&gt;",
    "</style><style>body{display:none}",
]


def test_hostile_tokens_come_out_as_their_own_text_and_nothing_else():
    shown = [Token(text, math.log(0.5)) for text in HOSTILE]
    tips = [f"{logprobs.quoted(text)} 50.0%" for text in HOSTILE]
    page = Markup()
    page.feed(logprobs.tinted_html(shown, tips, legend=["sure <b>", "unsure"], marked=2))
    page.close()
    allowed_attributes = {"class", "data-tip"}
    spans = [attrs for tag, attrs in page.tags if tag == "span" and "data-tip" in attrs]
    assert {tag for tag, _ in page.tags} <= {"style", "div", "span"}
    assert [tag for tag, _ in page.tags].count("style") == 1
    assert all(set(attrs) <= allowed_attributes for tag, attrs in page.tags if tag != "style")
    assert [attrs["data-tip"] for attrs in spans] == tips  # each tip whole, in its own attribute
    assert all(attrs["class"].startswith("lp lp") for attrs in spans)
    assert "lp-mark" in spans[2]["class"] and sum("lp-mark" in attrs["class"] for attrs in spans) == 1
    text = "".join(page.text)
    assert text.startswith("sure <b>unsure")
    assert "<script>alert(1)</script>" in text and "<img src=x onerror=alert(1)>" in text  # as text
    assert "\u202e" not in text and "\\u202eevil\\u202c" in text
    assert "line one\u21b5\nline two" in text
    assert "&lt;b&gt;" in text  # an entity the model wrote stays the characters it wrote


def test_the_tip_cannot_leave_its_attribute():
    html_text = logprobs.tinted_html([Token("x", 0.0)], ['"><script>alert(1)</script><span a="'])
    assert "<script>" not in html_text and "&quot;&gt;&lt;script&gt;" in html_text


def test_each_token_is_coloured_by_its_bucket():
    shown = [Token("a", 0.0), Token("b", math.log(0.8)), Token("c", math.log(0.05))]
    page = Markup()
    page.feed(logprobs.tinted_html(shown, ["", "", ""]))
    classes = [attrs["class"] for tag, attrs in page.tags if tag == "span"]
    assert classes == ["lp lp0", "lp lp1", "lp lp4"]
