"""Where a growing block may be cut into pieces that render as the block does (lib/ui/markdown_pieces.py)."""

from __future__ import annotations

import pytest

from lib.ui.markdown_pieces import FLOW, KEEP_SPACE, MIN_PIECE, SHORT_PIECE, STACK, cut, kind, pieces_style, reopening

WORDS = "The quick brown fox jumps over the lazy dog again and again. "


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ("A plain paragraph that goes on", FLOW),
        ("A paragraph\nwith a second line", FLOW),
        ("```python\nx = 1\n", STACK),
        ("~~~\ncode\n", STACK),
        ("- one\n- two", STACK),
        ("12. twelve\n13. thirteen", STACK),
        ("> quoted\n> more", STACK),
        ("$$\na = b\n", None),  # display maths is never cut
        ("| a | b |\n|---|---|", None),  # a table
        ("# A heading", None),
        ("<div>\nhtml\n", None),
        ("```python", None),  # the fence line is not complete yet
        ("    indented code", None),
        ("2024. A year", None),  # an ordered list item
    ],
)
def test_the_kind_of_a_block(block, expected):
    assert kind(block) == expected


def test_a_short_paragraph_is_not_cut():
    assert cut(WORDS, 0) is None


def test_a_long_paragraph_is_cut_before_its_last_word_with_the_space_kept():
    text = WORDS * 5 + "and the last wor"
    piece = cut(text, 0)
    assert piece is not None and piece.length >= MIN_PIECE
    assert text[: piece.length].endswith(" ") and text[piece.length :] == "wor"
    assert piece.body == text[: piece.length].rstrip() and piece.suffix == KEEP_SPACE
    assert not text[piece.length :].startswith(" ")


@pytest.mark.parametrize(
    "text", ["word " * 20 + "last", "- item one\n" * 8 + "- la", "```python\n" + "x = 1\n" * 12 + "y ="]
)
def test_a_shorter_least_piece_cuts_sooner(text):
    """A slow stream asks for pieces of SHORT_PIECE characters: text too short for the usual ones is cut."""
    assert cut(text, 0) is None
    piece = cut(text, 0, SHORT_PIECE)
    assert piece is not None and SHORT_PIECE <= piece.length < len(text)


def test_a_cut_continues_from_where_the_last_piece_ended():
    text = WORDS * 8
    first = cut(text, 0)
    assert first is not None
    second = cut(text + WORDS * 4, first.length)
    assert second is not None and second.body.startswith(text[first.length : first.length + 10])


@pytest.mark.parametrize(
    "opened",
    [
        "a `code span that is still",
        "a **bold run that is still",
        "an *emphasis that is still",
        "a ~~strike that is still",
        "a $x + y maths span that is still",
        "a [link text that is still",
        "a [link](https://example.com/a-path-that-is",
        "an <span html tag",
        "a _word emphasis that is still",
    ],
)
def test_no_cut_inside_open_inline_syntax(opened):
    text = WORDS * 3 + opened + " open " + "and more words " * 3
    piece = cut(text, 0)
    assert piece is not None  # the words before it can go
    marker = len(WORDS * 3) + next(index for index, char in enumerate(opened) if char in "`*~$[<_")
    assert piece.length <= marker


@pytest.mark.parametrize(
    "closed",
    ["a `code` span", "a **bold** run", "a [link](https://example.com) here", "snake_case_names", "x < y"],
)
def test_closed_inline_syntax_can_be_cut_after(closed):
    text = WORDS * 2 + closed + " " + WORDS * 2 + "last"
    piece = cut(text, 0)
    assert piece is not None and piece.length > len(WORDS * 2 + closed)


def test_the_rest_never_starts_with_what_would_open_a_block():
    text = WORDS * 3 + "In the year\n2024. A list marker " + WORDS + "- not a bullet " + "words " * 20
    position = 0
    while (piece := cut(text, position)) is not None:
        rest = text[position + piece.length :]
        assert not rest.startswith(("2024.", "- ", "#", ">", "|")), rest[:20]
        position += piece.length


def test_chinese_is_cut_after_its_punctuation_without_a_space():
    sentence = "流式输出应该像打字一样流畅，每个字都及时出现在屏幕上。"
    text = sentence * 10 + "最后"
    piece = cut(text, 0)
    assert piece is not None and piece.suffix == ""
    assert text[: piece.length].endswith(("，", "。")) and text[piece.length :].endswith("最后")


def test_no_flow_cut_when_the_last_lines_may_be_a_table():
    assert cut(WORDS * 4 + "| a | b |", 0) is None


def test_a_list_is_cut_before_an_item_at_the_margin_and_keeps_its_numbers():
    items = "".join(f"{n}. item number {n} with some words\n" for n in range(1, 12)) + "12. twel"
    piece = cut(items, 0)
    assert piece is not None and piece.body.endswith("\n") and piece.suffix == ""
    rest = items[piece.length :]
    assert rest[0].isdigit() and rest.split(".")[0] != "1"  # the rest starts at its own number


def test_nested_lines_stay_with_their_item():
    items = "".join(f"- item {n}\n  continued {n} with more words\n" for n in range(10)) + "- last"
    piece = cut(items, 0)
    assert piece is not None and items[piece.length :].startswith("- item")


def test_a_quote_is_cut_at_a_quote_line():
    quote = "".join(f"> line {n} of the quote with words\n" for n in range(12)) + "> last"
    piece = cut(quote, 0)
    assert piece is not None and quote[piece.length :].startswith(">")


def test_fenced_code_is_cut_at_a_line_closed_and_reopened():
    block = "```python\n" + "".join(f"x{n} = {n}  # a comment of some length\n" for n in range(12)) + "y = "
    first = cut(block, 0)
    assert first is not None
    assert first.body.startswith("```python\n") and first.body.endswith("\n```")
    assert block[first.length :] == "y = "
    assert reopening(block) == "```python\n"
    more = block + "1\n" + "".join(f"z{n} = {n}  # another comment line here\n" for n in range(6)) + "w"
    second = cut(more, first.length)
    assert second is not None and second.body.startswith("```python\ny = 1\n") and second.body.endswith("\n```")


def test_an_indented_fence_closes_at_its_indent():
    block = "  ~~~~\n" + "".join(f"line {n} of code with some words\n" for n in range(10)) + "x"
    piece = cut(block, 0)
    assert piece is not None and piece.body.endswith("\n  ~~~~")


def test_the_style_is_our_own_constant():
    style = pieces_style()
    assert style.startswith("<style>") and style.endswith("</style>") and style.count("<") == 2
    assert "st-key-md-flow-" in style and "st-key-md-stack-" in style
