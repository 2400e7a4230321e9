"""Where a growing Markdown block can be frozen, so that only a short tail is redrawn as it streams.

A block still growing (a paragraph, a list, a fenced code block) would otherwise be re-sent
whole on every redraw: a 2,000-token paragraph or code block costs more per token the longer it
gets. So its beginning is frozen in pieces, each its own element, and only the text after the
last piece is redrawn. Pieces are cut where the Markdown read alone renders as it does in the
block, and drawn in a container whose style joins them (:func:`pieces_style`):

* a paragraph (``flow``) is cut after a space (or after CJK end punctuation) where no inline
  syntax is open (code span, maths, link, emphasis, HTML); its pieces are drawn inline, so they
  wrap as one paragraph. A piece that ended in a space gets ``&#32;``, a space Markdown keeps;
* a list is cut before an item that starts at the left margin, a block quote before a line that
  starts with ``>``, and fenced code before any line, the fence closed at the cut and opened
  again for the rest (``stack``); their pieces are stacked with no gap, borders joined.

Tables, ``$$`` maths, HTML blocks and headings are never cut. A cut that still renders slightly
differently (a setext underline arriving later, say) only lasts until the answer is drawn again
from the store, which draws each block whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lib.ui.markdown_safety import Fence

FLOW = "flow"  # a paragraph: pieces drawn inline
STACK = "stack"  # a list, a quote or fenced code: pieces stacked without a gap

MIN_PIECE = 96
"""The shortest piece worth an element of its own (characters): the tail stays about this short."""

SHORT_PIECE = 32
"""The shortest piece when every draw brings only a word or two (a slow stream): each draw then re-sends
the tail, so a shorter one saves most of its bytes, and the few draws leave time for the extra elements."""

KEEP_SPACE = " &#32;"
"""Ends a piece cut after a space: Markdown drops a paragraph's final spaces, not an entity's."""

_LIST_ITEM = re.compile(r"(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)")
# Where a paragraph may be cut: after spaces (the cut falls before the next word), or after CJK
# sentence punctuation (no space follows in Chinese).
_FLOW_CUT = re.compile(r"(?<=[ \t\n])(?=\S)|(?<=[，。！？；：、])(?=[^\s，。！？；：、])")
# The next text must not start a block when it begins an element of its own: a list marker
# (``2024. Then``), a heading, a quote, a fence, a table or HTML.
_STARTS_BLOCK = re.compile(r"[-+*>#|<=`~:$\[]|\d{1,9}[.)]")
_ESCAPED = re.compile(r"\\.", re.DOTALL)
_CODE_RUN = re.compile(r"`+")
_EMPHASIS_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_+|_+(?![A-Za-z0-9])")
_STAR_RUN = re.compile(r"\*+")
_TILDE_RUN = re.compile(r"~+")
_CODE_SPAN = re.compile(r"(`+)[\s\S]*?(?<!`)\1(?!`)")
_TAG_OPENER = re.compile(r"<(?=[A-Za-z/!?])")


@dataclass(frozen=True)
class Cut:
    """The first ``length`` characters of the unfrozen text form a piece.

    ``body`` is the Markdown that draws it (still to be made safe); ``suffix`` is our own
    constant Markdown to add after that (:data:`KEEP_SPACE`, or nothing).
    """

    length: int
    body: str
    suffix: str = ""


def kind(block: str) -> str | None:
    """How a block that starts with ``block`` may be cut: :data:`FLOW`, :data:`STACK` or not at all."""
    first, newline, _rest = block.partition("\n")
    if not newline:
        return FLOW if _plain_paragraph_start(first) else None
    fence = Fence.opening(first)
    if fence is not None:
        return STACK if fence.char != "$" else None
    if "|" in first:
        return None  # a table's header, or a paragraph that may become one
    if first.startswith(">") or _LIST_ITEM.match(first):
        return STACK
    return FLOW if _plain_paragraph_start(first) else None


def reopening(block: str) -> str:
    """What the rest of a fenced code ``block`` needs in front of it to render as code: its fence line."""
    first, newline, _rest = block.partition("\n")
    return first + "\n" if newline and Fence.opening(first) is not None else ""


def cut(block: str, start: int, min_piece: int = MIN_PIECE) -> Cut | None:
    """The longest piece that ``block[start:]`` can give now, or None.

    ``start`` is where the block's unfrozen text begins (after earlier pieces). A piece never
    takes the last line or word, which may still change, and is at least ``min_piece``
    characters long: shorter ones are not worth an element.
    """
    how = kind(block)
    if how is None or len(block) - start < 2 * min_piece:
        return None
    if how == FLOW:
        return _flow_cut(block[start:], min_piece)
    fence_line = reopening(block)
    if fence_line:
        return _code_cut(block[start:], fence_line, min_piece, first=start == 0)
    return _line_cut(block[start:], min_piece, quote=block.startswith(">"))


def _plain_paragraph_start(line: str) -> bool:
    return bool(line.strip()) and line[0] not in " \t" and _STARTS_BLOCK.match(line) is None


def _flow_cut(text: str, min_piece: int) -> Cut | None:
    if "|" in text[text.rfind("\n", 0, text.rfind("\n")) + 1 :]:
        return None  # the last lines may be becoming a table
    best: int | None = None
    for match in _FLOW_CUT.finditer(text, min_piece):
        end = match.start()
        piece = text[:end]
        if _STARTS_BLOCK.match(text, end) or piece.rstrip(" \t\n").endswith("\\") or not _inline_closed(piece):
            continue
        best = end
    if best is None:
        return None
    piece = text[:best]
    stripped = piece.rstrip(" \t\n")
    return Cut(best, stripped, KEEP_SPACE if stripped != piece else "")


def _line_cut(text: str, min_piece: int, *, quote: bool) -> Cut | None:
    """Before the last complete line at the left margin that starts a list item (or a quote line)."""
    best: int | None = None
    position = text.find("\n") + 1
    while position > 0:
        line_end = text.find("\n", position)
        if line_end == -1:
            break  # the last line may still change
        line = text[position:line_end]
        starts = line.startswith(">") if quote else _LIST_ITEM.match(line) is not None
        if starts and position >= min_piece:
            best = position
        position = line_end + 1
    return None if best is None else Cut(best, text[:best])


def _code_cut(text: str, fence_line: str, min_piece: int, *, first: bool) -> Cut | None:
    """After the last complete line of code: the piece closed with the fence, the rest reopened."""
    fence = Fence.opening(fence_line.rstrip("\n"))
    if fence is None:
        return None
    end = text.rfind("\n") + 1
    code_start = len(fence_line) if first else 0  # the first piece holds the opening line itself
    if end - code_start < min_piece:
        return None
    closing = " " * fence.indent + fence.char * fence.length
    return Cut(end, ("" if first else fence_line) + text[:end] + closing)


def _inline_closed(piece: str) -> bool:
    """Whether no inline syntax is left open at the end of ``piece``: a cautious count, not a parse."""
    text = _ESCAPED.sub("", piece)
    open_run = ""
    for run in _CODE_RUN.findall(text):
        if not open_run:
            open_run = run
        elif run == open_run:
            open_run = ""
    if open_run:
        return False
    text = _CODE_SPAN.sub("", text)  # closed code spans hide what they hold
    if text.count("[") != text.count("]") or text.rfind("](") > text.rfind(")"):
        return False
    last_tag = max((match.start() for match in _TAG_OPENER.finditer(text)), default=-1)
    if last_tag > text.rfind(">"):
        return False
    if text.count("$") % 2 or len(_STAR_RUN.findall(text)) % 2 or len(_TILDE_RUN.findall(text)) % 2:
        return False
    return len(_EMPHASIS_UNDERSCORE.findall(text)) % 2 == 0


def pieces_style() -> str:
    """Our own constant rules (no model text in them): flow pieces drawn inline, stacked pieces joined.

    Style-only HTML, so Streamlit puts it in its event container: it takes no room on the page.
    """
    return (
        "<style>"
        '[class*="st-key-md-flow-"] { display: block !important; }'
        ' [class*="st-key-md-flow-"] div, [class*="st-key-md-flow-"] p { display: inline !important; }'
        ' [class*="st-key-md-stack-"], [class*="st-key-md-stack-"] [data-testid="stVerticalBlock"] { gap: 0; }'
        ' [class*="st-key-md-stack-"] pre, [class*="st-key-md-stack-"] blockquote { margin-top: 0; margin-bottom: 0; }'
        ' [class*="st-key-md-stack-"] [data-testid="stElementContainer"]:not(:last-child) pre'
        " { border-bottom-left-radius: 0; border-bottom-right-radius: 0; padding-bottom: 0; }"
        ' [class*="st-key-md-stack-"] [data-testid="stElementContainer"]:not(:first-child) pre'
        " { border-top-left-radius: 0; border-top-right-radius: 0; padding-top: 0; }"
        "</style>"
    )
