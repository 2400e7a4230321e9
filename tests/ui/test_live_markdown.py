"""LiveMarkdown: finished blocks are sent once, long blocks in pieces, the tail redrawn ten times a second.

Stored answers are drawn alike.
"""

from __future__ import annotations

import itertools
import re
import sys

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from lib import state
from lib.ui import markdown_pieces
from lib.ui.live_markdown import BRANCHING, ELEMENT_BYTES, LAYOUTS_KEPT, LiveMarkdown, render_markdown, split_stable
from lib.ui.markdown_safety import safe_markdown

CURSOR = " ▌"


@pytest.fixture(autouse=True)
def no_remembered_layouts():
    """Outside a script run Streamlit keeps one session state for the whole process: start each test afresh."""
    st.session_state.pop(state.MARKDOWN_LAYOUTS, None)


SPLITS = [
    ("paragraphs", "a\n\nb\n\nc", ["a\n\n", "b\n\n"], "c"),
    ("the next line has not started", "a\n\n", [], "a\n\n"),
    ("a started line is enough", "para one\n\npara tw", ["para one\n\n"], "para tw"),
    ("no blank line", "a\nb\nc", [], "a\nb\nc"),
    ("several blank lines", "a\n\n\n\nb", ["a\n\n\n\n"], "b"),
    ("trailing blank lines", "a\n\nb\n\n\n", ["a\n\n"], "b\n\n\n"),
    ("leading blank lines", "\n\na\n\nb", ["\n\na\n\n"], "b"),
    ("whitespace-only partial line", "a\n\n  ", [], "a\n\n  "),
    ("CRLF", "a\r\n\r\nb\r\n\r\nc", ["a\r\n\r\n", "b\r\n\r\n"], "c"),
    ("fence with blank lines", "```\nx\n\ny\n```\n\nz", ["```\nx\n\ny\n```\n\n"], "z"),
    ("tilde fence with blank lines", "~~~\nx\n\ny\n~~~\n\nz", ["~~~\nx\n\ny\n~~~\n\n"], "z"),
    ("fence holding a shorter fence", "````\n```\n\nx\n````\n\ny", ["````\n```\n\nx\n````\n\n"], "y"),
    ("unterminated fence", "p\n\n```\nx\n\ny", ["p\n\n"], "```\nx\n\ny"),
    ("half-written closing fence", "```\nx\n\n``", [], "```\nx\n\n``"),
    ("maths block with a blank line", "$$\na\n\nb\n$$\n\nc", ["$$\na\n\nb\n$$\n\n"], "c"),
    ("heading", "# Title\n\ntext", ["# Title\n\n"], "text"),
    ("blockquote", "> a\n\nb", ["> a\n\n"], "b"),
    ("table", "| a |\n|---|\n| b |\n\nc", ["| a |\n|---|\n| b |\n\n"], "c"),
    ("tight list", "- a\n- b\n\nafter", ["- a\n- b\n\n"], "after"),
    ("loose list stays one block", "- a\n\n- b\n\nafter", ["- a\n\n- b\n\n"], "after"),
    ("loose ordered list stays one block", "1. a\n\n1. b\n\nx", ["1. a\n\n1. b\n\n"], "x"),
    ("paragraph then list", "para\n\n- a", ["para\n\n"], "- a"),
    ("indented continuation of an item", "- a\n\n  more\n\nb", ["- a\n\n  more\n\n"], "b"),
    (
        "indented code stays with what precedes",
        "p\n\n    code\n\n    more\n\nq",
        ["p\n\n    code\n\n    more\n\n"],
        "q",
    ),
    (
        "fence inside a list item",
        "1. a\n\n   ```\n   x\n\n   y\n   ```\n\nz",
        ["1. a\n\n   ```\n   x\n\n   y\n   ```\n\n"],
        "z",
    ),
    ("bullet or not: undecided", "- a\n\n-", [], "- a\n\n-"),
    ("number or not: undecided", "1. a\n\n12", [], "1. a\n\n12"),
    ("not a list item after all", "- a\n\n-5 degrees", ["- a\n\n"], "-5 degrees"),
    ("another kind of list is another block", "- a\n\n1. b\n\n* c", ["- a\n\n", "1. b\n\n"], "* c"),
    ("another delimiter is another list", "1. a\n\n2) b", ["1. a\n\n"], "2) b"),
    ("another bullet, half-written", "- a\n\n*", ["- a\n\n"], "*"),
]


@pytest.mark.parametrize(("text", "blocks", "tail"), [case[1:] for case in SPLITS], ids=[case[0] for case in SPLITS])
def test_split_stable(text, blocks, tail):
    assert split_stable(text) == (blocks, tail)
    assert "".join(blocks) + tail == text


DOCUMENT = (
    "# Answer\n\n"
    "First paragraph with `code`, a [link](https://example.com) and \\(x^2\\).\n\n"
    "```python\ndef f():\n    return 1\n\n\nprint(f())\n```\n\n"
    "- one\n- two ![chart](https://img.example/c.png)\n\n"
    "1. first\n\n1. second\n\n"
    "| a | b |\n|---|---|\n| 1 | 2 |\n\n"
    "> quoted\n\n"
    "\\[\nE = mc^2\n\\]\n\n"
    "$$\na\n\nb\n$$\n\n"
    "Last paragraph."
)


def test_blocks_render_like_the_whole_text():
    blocks, tail = split_stable(DOCUMENT)
    assert len(blocks) == 9
    assert "\n\n".join(safe_markdown(part).strip() for part in [*blocks, tail]) == safe_markdown(DOCUMENT)


# A stand-in for Streamlit's containers that records every element write.


class Place:
    """What ``st.empty()`` returns: one element, rewritten in place, or a container put there."""

    def __init__(self, log: list[str]) -> None:
        self.log = log
        self.writes: list[str | Box | None] = []

    def markdown(self, body: str) -> Place:
        self.writes.append(body)
        self.log.append(body)
        return self

    def empty(self) -> Place:
        self.writes.append(None)
        return self

    def container(self, key: str | None = None) -> Box:
        box = Box(self.log, key)
        self.writes.append(box)
        return box

    def html(self, body: str) -> None:
        STYLES.append(body)  # style-only HTML goes to Streamlit's event container, not here

    def elements(self) -> list[str | Box]:
        last = self.writes[-1] if self.writes else None
        if isinstance(last, Box):
            return [last] if last.key else last.elements()
        return [last] if last else []


class Box:
    """What ``st.container()`` returns: places appended in order."""

    def __init__(self, log: list[str] | None = None, key: str | None = None) -> None:
        self.log = [] if log is None else log
        self.key = key
        self.places: list[Place] = []

    def empty(self) -> Place:
        self.places.append(Place(self.log))
        return self.places[-1]

    def container(self, key: str | None = None) -> Box:
        return self.empty().container(key)

    def markdown(self, body: str) -> Place:
        return self.empty().markdown(body)

    def html(self, body: str) -> None:
        STYLES.append(body)

    def elements(self) -> list[str | Box]:
        """The elements shown, in order, through the containers that only hold them; a keyed box is one."""
        return [element for place in self.places for element in place.elements()]

    def pieces(self) -> list[str]:
        return [body for body in self.elements() if isinstance(body, str)]

    def on_screen(self) -> list[str]:
        """One entry per element of the answer: a block drawn in pieces is its pieces, joined."""
        return [
            element.strip() if isinstance(element, str) else "|".join(piece.strip() for piece in element.pieces())
            for element in self.elements()
        ]

    def boxes(self) -> list[Box]:
        found = []
        for place in self.places:
            for write in place.writes:
                if isinstance(write, Box):
                    found += [write, *write.boxes()]
        return found


STYLES: list[str] = []


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def tokens(text: str) -> list[str]:
    return re.findall(r"\S+\s*|\s+", text)


def stream(text: str, *, seconds_per_token: float) -> tuple[Box, LiveMarkdown, Clock]:
    screen, clock = Box(), Clock()
    live = LiveMarkdown(screen, clock=clock)
    for token in tokens(text):
        live.append(token)
        clock.now += seconds_per_token
    return screen, live, clock


def whole_blocks(text: str, bodies: list[str]) -> bool:
    """Whether ``bodies`` (one per element, in order) are ``text``'s blocks, each run of them drawn together."""
    blocks, tail = split_stable(text)
    parts = iter([*blocks, tail])
    for body in bodies:
        part = next(parts, None)
        while part is not None and safe_markdown(part).strip() != body:
            following = next(parts, None)
            part = None if following is None else part + following
        if part is None:
            return False
    return next(parts, None) is None


def test_each_finished_block_is_written_once_and_never_again():
    screen, live, _ = stream(DOCUMENT, seconds_per_token=0.002)
    live.finish()
    assert whole_blocks(DOCUMENT, screen.on_screen())
    assert not whole_blocks(DOCUMENT, screen.on_screen()[1:])  # the check can fail
    places = [place for box in [screen, *screen.boxes()] for place in box.places if place.writes]
    for place in places[:-1]:
        *drafts, final = place.writes
        assert all(draft is None or isinstance(draft, Box) or draft.endswith(CURSOR) for draft in drafts)
        assert final not in drafts


def test_blocks_finished_between_two_draws_go_in_one_element():
    screen, live, _ = stream(DOCUMENT, seconds_per_token=0.0)  # the clock never moves: the first words, then finish
    live.finish()
    blocks, tail = split_stable(DOCUMENT)
    assert screen.on_screen() == [safe_markdown("".join(blocks)).strip(), safe_markdown(tail).strip()]
    assert len(screen.log) == 3  # the first words, then all the finished blocks, then the tail


def test_a_slow_stream_sends_each_block_as_it_finishes():
    """Each block in its own element (a long paragraph in pieces: joined here, without the kept space)."""
    screen, live, _ = stream(DOCUMENT, seconds_per_token=1.0)
    live.finish()
    blocks, tail = split_stable(DOCUMENT)
    shown = [entry.replace(markdown_pieces.KEEP_SPACE.strip() + "|", "") for entry in screen.on_screen()]
    assert shown == [safe_markdown(part).strip() for part in [*blocks, tail]]


def longest_tail(text: str, seconds_per_token: float) -> int:
    screen, _, _ = stream(text, seconds_per_token=seconds_per_token)
    return max(len(body) for body in screen.log if isinstance(body, str))


def test_a_slow_stream_keeps_a_shorter_tail_than_a_fast_one():
    """At 10 tokens a second every token is a draw that re-sends the tail: it stays about SHORT_PIECE long."""
    paragraph = "word " * 400
    slow, fast = longest_tail(paragraph, 0.1), longest_tail(paragraph, 0.02)
    assert slow < 3 * markdown_pieces.SHORT_PIECE + len(CURSOR) + len(markdown_pieces.KEEP_SPACE) < fast
    assert fast < 3 * markdown_pieces.MIN_PIECE


@pytest.mark.parametrize("tokens_per_second", [500, 50, 20, 12, 10, 5, 2])
def test_the_answer_moves_ten_times_a_second_or_with_every_token(tokens_per_second):
    """At least 10 draws a second (every token when they come slower), at most 11, none more than 0.25 s apart."""
    text = "\n\n".join(f"Paragraph {n} " + "word " * 40 for n in range(12))
    screen, clock = Box(), Clock()
    live = LiveMarkdown(screen, clock=clock)
    draws: list[float] = []
    for token in tokens(text):
        sent = len(screen.log)
        live.append(token)
        if len(screen.log) > sent:
            draws.append(clock.now)
        clock.now += 1 / tokens_per_second
    per_second = (len(draws) - 1) / (draws[-1] - draws[0])
    assert min(10, tokens_per_second) - 0.2 <= per_second <= min(11, tokens_per_second) + 0.2
    assert max(later - earlier for earlier, later in itertools.pairwise(draws)) <= max(0.25, 1 / tokens_per_second)


def test_a_slow_stream_is_drawn_token_by_token():
    screen, _, _ = stream("one two three", seconds_per_token=1.0)
    assert screen.log == ["one " + CURSOR, "one two " + CURSOR, "one two three" + CURSOR]


def test_slow_draws_are_spaced_out_so_reading_keeps_up():
    screen, clock = Box(), Clock()
    live = LiveMarkdown(screen, max_fps=20, clock=clock)
    live.append("first ")
    place = screen.places[0].writes[0].places[0].writes[0].places[0]
    draws: list[float] = [0.0]

    def slow_markdown(body: str) -> Place:
        clock.now += 0.2  # this draw takes 0.2 s
        draws.append(clock.now)
        return place

    place.markdown = slow_markdown
    for _ in range(30):  # a short paragraph, drawn in one element
        clock.now += 0.05
        live.append("more ")
    gaps = [later - earlier for earlier, later in itertools.pairwise(draws[1:])]
    assert gaps and min(gaps) >= 0.6 - 1e-9  # 3 x the draw time, not 1 / max_fps


def test_finish_draws_all_the_text_without_the_cursor():
    screen, live, _ = stream(DOCUMENT, seconds_per_token=0.0)  # the clock never moves: one draw only
    assert len(screen.log) == 1
    assert live.finish() == DOCUMENT
    assert "\n\n".join(screen.on_screen()) == safe_markdown(DOCUMENT)
    assert not any(body.endswith(CURSOR) for body in screen.on_screen())


def test_text_holds_everything_appended_drawn_or_not():
    screen, live, _ = stream("alpha beta gamma", seconds_per_token=0.0)
    assert screen.log == ["alpha " + CURSOR]
    assert live.text == "alpha beta gamma"


def test_model_text_is_made_safe_while_streaming():
    screen, _, _ = stream("Look: ![x](https://evil.example/?q=secret) done", seconds_per_token=1.0)
    assert not any("![x]" in body for body in screen.log)
    assert screen.log[-1] == "Look: [🖼 x](https://evil.example/?q=secret) done" + CURSOR


def test_reference_definitions_make_finish_redraw_the_whole_answer():
    text = "See [the docs][d].\n\nMore.\n\n[d]: https://example.com"
    screen, live, _ = stream(text, seconds_per_token=1.0)
    live.finish()
    assert screen.places[0].writes[-1] == safe_markdown(text)


def test_an_unchanged_tail_is_not_sent_again():
    screen, clock = Box(), Clock()
    live = LiveMarkdown(screen, clock=clock, cursor="")
    live.append("done")
    live.finish()
    assert screen.log == ["done"]


class Interrupted(Exception):
    """Stands for Streamlit's StopException / RerunException."""


def test_an_interruption_propagates_and_the_text_survives():
    screen, clock = Box(), Clock()
    live = LiveMarkdown(screen, clock=clock)
    live.append("first ")
    clock.now += 1

    def interrupt(body: str) -> Place:
        raise Interrupted

    screen.places[0].writes[0].places[0].writes[0].places[0].markdown = interrupt
    with pytest.raises(Interrupted):
        live.append("second")
    assert live.text == "first second"


# Long blocks: frozen in pieces, so a draw costs the same however long the block gets.

LONG_PARAGRAPH = " ".join(
    f"Sentence {n} says **something** about `code` and a [link](https://example.com/{n})." for n in range(120)
)
LONG_CODE = "```python\n" + "\n".join(f"def f{n}(x):\n    return x * {n}  # comment {n}" for n in range(250)) + "\n```"
LONG_LIST = "\n".join(f"{n}. item {n} with a few words of text" for n in range(1, 200))


def unpieced(pieces: list[str]) -> str:
    """Undo the cutting: ``&#32;`` back to a space, a code block's closing and reopening fences removed."""
    text = "".join(piece.replace(markdown_pieces.KEEP_SPACE, " ") for piece in pieces)
    return re.sub(r"\n```\n?```python\n", "\n", text)


@pytest.mark.parametrize("text", [LONG_PARAGRAPH, LONG_CODE, LONG_LIST], ids=["paragraph", "code", "list"])
def test_a_long_block_is_frozen_in_pieces_and_only_a_short_tail_is_redrawn(text):
    screen, live, _ = stream(text, seconds_per_token=0.02)  # 50 tokens a second
    drafts = [body for body in screen.log if body.endswith(CURSOR)]
    assert len(text) > 6_000 and len(drafts) > 100
    longest = max(len(body) for body in drafts[len(drafts) // 2 :])
    assert longest < 4 * markdown_pieces.MIN_PIECE  # not the whole block: the tail since the last piece
    live.finish()
    (block,) = screen.elements()
    assert isinstance(block, Box) and len(block.pieces()) > 20
    # a piece's last line ends its element, so it needs no kept line break
    assert unpieced(block.pieces()).replace("  \n", "\n") == safe_markdown(text).replace("  \n", "\n")


@pytest.mark.parametrize("text", [LONG_PARAGRAPH, LONG_CODE], ids=["paragraph", "code"])
@pytest.mark.parametrize("tokens_per_second", [10, 50, 500])
def test_the_bytes_sent_grow_with_time_and_text_not_with_their_product(text, tokens_per_second):
    """Each piece is sent once, and each draw re-sends only the short tail: no draw costs more late than early."""
    screen, live, clock = stream(text, seconds_per_token=1 / tokens_per_second)
    live.finish()
    sent = sum(len(body) + ELEMENT_BYTES for body in screen.log)
    draws = sum(1 for body in screen.log if body.endswith(CURSOR))
    assert sent <= 2 * len(text) + draws * (ELEMENT_BYTES + 3 * markdown_pieces.MIN_PIECE + 40)
    assert draws <= 11 * clock.now + 1


def test_no_container_holds_more_than_a_few_elements():
    text = "\n\n".join(f"Paragraph {n}." for n in range(300)) + "\n\n" + LONG_PARAGRAPH
    screen, live, _ = stream(text, seconds_per_token=1.0)
    live.finish()
    frame, *branches = screen.boxes()
    assert sum(len(branch.places) for branch in branches) > 300
    assert max(len(branch.places) for branch in branches) <= BRANCHING
    assert len(frame.places) <= 300 / BRANCHING + 2  # the answer's own container holds the branches


def test_the_pieces_style_is_sent_once_per_answer():
    STYLES.clear()
    stream(LONG_PARAGRAPH + "\n\n" + LONG_CODE, seconds_per_token=0.02)
    assert [markdown_pieces.pieces_style()] == STYLES


def test_max_fps_must_be_positive():
    with pytest.raises(ValueError):
        LiveMarkdown(Box(), max_fps=0)


def test_render_markdown_shows_stored_text_safely():
    screen = Box()
    render_markdown("![x](https://evil.example/?q=secret)", screen)
    assert screen.log == ["[🖼 x](https://evil.example/?q=secret)"]


def test_render_markdown_draws_an_answer_unknown_to_the_session_one_element_per_block():
    screen = Box()
    render_markdown(DOCUMENT, screen)
    blocks, tail = split_stable(DOCUMENT)
    assert screen.log == [safe_markdown(part) for part in [*blocks, tail]]


# The real thing: Streamlit's own elements, driven by AppTest.


def stream_then_show_stored(parts: list[str]) -> None:
    import streamlit as st

    from lib.ui.live_markdown import LiveMarkdown, render_markdown

    if "answer" not in st.session_state:
        live = LiveMarkdown(st.container(), clock=lambda: 0.0)  # full speed: the first words, then finish
        for part in parts:
            live.append(part)
        st.session_state.answer = live.finish()
    else:
        render_markdown(st.session_state.answer)


def test_a_stored_answer_is_drawn_in_the_elements_it_streamed_in(monkeypatch):
    monkeypatch.setitem(
        sys.modules, "__main__", sys.modules["__main__"]
    )  # see test_streaming_two_thousand_tokens_in_streamlit
    at = AppTest.from_function(stream_then_show_stored, args=(tokens(DOCUMENT),)).run()
    streamed = [element.value for element in at.markdown]
    assert len(streamed) == 2
    assert [element.value for element in at.run().markdown] == streamed

    other_session = AppTest.from_function(stream_then_show_stored, args=(tokens(DOCUMENT),))
    other_session.session_state.answer = DOCUMENT
    blocks, _tail = split_stable(DOCUMENT)
    assert len(other_session.run().markdown) == len(blocks) + 1


def remember_many_answers(count: int) -> None:
    import streamlit as st

    from lib.ui.live_markdown import LiveMarkdown, render_markdown

    answers = [f"Answer {n}.\n\nIts second paragraph.\n\nIts third." for n in range(count)]
    if "drawn" not in st.session_state:
        for text in answers:
            live = LiveMarkdown(st.container(), clock=lambda: 0.0)
            for part in text.split(" "):
                live.append(part + " ")
            live.finish()
        st.session_state.drawn = True
    else:
        render_markdown(answers[0] + " ")  # the oldest, forgotten: one element per block
        render_markdown(answers[-1] + " ")  # the newest, remembered: as streamed, in two elements


def test_a_session_remembers_the_layouts_of_its_latest_answers_only(monkeypatch):
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])
    at = AppTest.from_function(remember_many_answers, args=(LAYOUTS_KEPT + 1,), default_timeout=30).run()
    assert len(at.run().markdown) == 3 + 2


def streaming_app(parts: list[str]) -> None:
    import itertools

    import streamlit as st

    from lib.ui.live_markdown import LiveMarkdown

    ticks = itertools.count()
    live = LiveMarkdown(st.container(), clock=lambda: next(ticks) * 0.002)  # 500 tokens a second
    for part in parts:
        live.append(part)
    live.finish()


def test_streaming_two_thousand_tokens_in_streamlit(monkeypatch):
    # The script run makes its temporary file sys.modules["__main__"]; restored afterwards, or later
    # processes started with "spawn" (the benchmark's fake server) would try to run that file.
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])
    text = "\n\n".join([DOCUMENT] * 42)
    parts = tokens(text)
    assert len(parts) > 2_000
    at = AppTest.from_function(streaming_app, args=(parts,), default_timeout=60).run()
    assert not at.exception
    assert "\n\n".join(element.value for element in at.markdown) == safe_markdown(text)
