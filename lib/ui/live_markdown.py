"""Draw model Markdown as it streams, without re-sending the whole answer for every token.

``st.write_stream`` re-sends the full text on every token (about 14 MB over the websocket for
a 2,000-token answer). :class:`LiveMarkdown` splits the text into finished blocks, sent once (the
blocks finished since the last draw together, in one element), and the paragraph still growing,
held in one placeholder. Each redraw
of that placeholder re-sends the whole paragraph, so redraws are paid from a budget: everything
sent stays within 1.5 times the text received (plus a little per second), at most ``max_fps``
redraws a second, yet at least one every 1.5 seconds while text arrives. Every string shown
goes through :func:`~lib.ui.markdown_safety.safe_markdown`; pages show stored messages with
:func:`render_markdown`, never ``st.markdown`` on model text.

Each element is one websocket message, and the browser redraws the page for each: a fast stream
that finished twenty blocks between two draws shows them in one element, not twenty (at full
speed that halves the time from the last token to the whole answer on screen). The session
remembers where each recent answer's elements begin, so :func:`render_markdown` draws it in the
same elements, which the next run then sends as short references to the browser's copies.

Splitting renders like one ``st.markdown`` of the whole text for paragraphs, headings,
fenced code and ``$$`` blocks (blank lines inside them included), tables, quotes and lists
(a list whose items are separated by blank lines stays one block). Known differences:

* reference links and footnotes whose definition sits in another block show as plain text
  while streaming; :meth:`LiveMarkdown.finish` then redraws the answer as one element;
* the space between blocks is Streamlit's gap between elements, not a paragraph margin;
* an HTML comment or ``<pre>`` block, a ``:::`` directive, or a fence indented four or more
  spaces, that holds a blank line followed by an unindented line, is cut in two there;
* unfinished syntax in the tail (an unclosed ``**``) shows its markers until it is closed.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

import streamlit as st

from lib import state
from lib.ui import markdown_pieces
from lib.ui.markdown_safety import LINE, Fence, has_definitions, safe_markdown

if TYPE_CHECKING:
    from streamlit.delta_generator import DeltaGenerator

_LIST_ITEM = re.compile(r"(?:(?P<bullet>[-+*])|\d{1,9}(?P<delimiter>[.)]))(?:[ \t]|$)")


class _MarkdownTarget(Protocol):
    def markdown(self, body: str) -> object: ...


def split_stable(text: str) -> tuple[list[str], str]:
    """Split ``text`` into finished blocks and the tail that may still change.

    ``"".join(blocks) + tail == text``. A block ends at a blank line outside fenced code and
    ``$$`` maths, once the next line has started in column 0 and cannot continue a list, so
    that nothing later can change how the block renders.
    """
    blocks: list[str] = []
    start = 0
    fence: Fence | None = None
    after_blank = False
    list_kind = ""  # bullet or delimiter of the list item that is the block's last unindented line
    for match in LINE.finditer(text):
        complete = match[0].endswith("\n")
        line = match[0].rstrip("\r\n")
        blank = not line.strip(" \t")
        if fence is not None:
            if complete and fence.closed_by(line):
                fence = None
            continue
        if blank:
            after_blank = after_blank or complete
            continue
        if after_blank and _starts_block(line, complete, list_kind) and text[start : match.start()].strip(" \t\r\n"):
            blocks.append(text[start : match.start()])
            start = match.start()
        after_blank = False
        if complete:
            if line[0] not in " \t":
                list_kind = _list_kind(line)
            fence = Fence.opening(line)
    return blocks, text[start:]


def _list_kind(line: str) -> str:
    item = _LIST_ITEM.match(line)
    return "" if item is None else item["bullet"] or item["delimiter"]


def _starts_block(line: str, complete: bool, list_kind: str) -> bool:
    """Whether ``line``, after a blank line, surely begins a new block.

    Not if it is indented (it continues a list item, or is indented code), nor if it is (or,
    half-written, may become) the next item of the same list: a loose list must stay whole.
    """
    if line[0] in " \t":
        return False
    if not list_kind:
        return True
    if _list_kind(line) == list_kind:
        return False
    if complete:
        return True
    if list_kind in "-+*":
        return line != list_kind
    return re.fullmatch(r"\d{1,9}" + re.escape(list_kind) + "?", line) is None


def render_markdown(text: str, container: _MarkdownTarget | None = None) -> None:
    """Show finished model text (a stored message) safely, in ``container`` or where ``st`` writes now.

    Drawn in the elements :class:`LiveMarkdown` left when this session streamed it, so the answer
    just streamed looks the same after a rerun, which re-sends each element as a short reference
    to the browser's copy (``global.minCachedMessageSize`` in ``.streamlit/config.toml``) instead of
    the whole text again. Otherwise one element per block: the gaps between blocks drawn together
    are a paragraph's margin rather than Streamlit's gap between elements, a pixel or two apart.
    """
    target = st if container is None else container
    if has_definitions(text):
        target.markdown(safe_markdown(text))
        return
    starts = _layouts().get(_layout_key(text))
    if starts is None:
        blocks, tail = split_stable(text)
        parts = [*blocks, tail]
    else:
        parts = [text[start:end] for start, end in itertools.pairwise((*starts, len(text)))]
    for part in parts:
        if part.strip():
            target.markdown(safe_markdown(part))


LAYOUTS_KEPT = 200
"""How many answers' layouts a session remembers: far more than a page shows drawn from memory."""


def _layouts() -> dict[bytes, tuple[int, ...]]:
    """This session's layouts: an answer's key to the offsets where each of its elements begins."""
    return st.session_state.setdefault(state.MARKDOWN_LAYOUTS, {})


def _layout_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


def _remember_layout(text: str, starts: tuple[int, ...]) -> None:
    layouts = _layouts()
    key = _layout_key(text)
    layouts.pop(key, None)  # put back as the newest
    layouts[key] = starts
    while len(layouts) > LAYOUTS_KEPT:
        del layouts[next(iter(layouts))]


ELEMENT_BYTES = 100
"""What one element update costs over the websocket besides its text (measured: about 100 bytes)."""

BRANCHING = 16
"""Elements per container in an answer's tree of elements (:class:`_Tree`)."""


class _Tree:
    """Elements appended in order, in containers of at most :data:`BRANCHING`, which a container holds.

    The browser's cost to redraw one element grows with the number of elements beside it and
    beside each container above it, so a long answer kept flat would get slower to update with
    every block. In a tree of containers of 16, the element being redrawn has at most 15
    neighbours, and its container at most a few dozen.
    """

    def __init__(self, root: DeltaGenerator) -> None:
        self._root = root
        self._branch: DeltaGenerator | None = None
        self._in_branch = BRANCHING

    def next_slot(self) -> DeltaGenerator:
        """A new place for one element, after every earlier one."""
        if self._in_branch >= BRANCHING:
            self._branch = self._root.container()
            self._in_branch = 0
        assert self._branch is not None
        self._in_branch += 1
        return self._branch.empty()


GAP_SMOOTHING = 0.2
"""How much each new gap between chunks moves the smoothed gap (an exponential moving average)."""
SLOW_CHUNK_SHARE = 0.4
"""A stream is slow when its chunks are at least this share of a frame apart (at 11 draws a second:
36 ms, about 28 chunks a second): a draw then brings one or two chunks."""


class LiveMarkdown:
    """Shows streamed Markdown in ``container``, moving as the text arrives, at a cost that stays small.

    The text on screen changes up to ``max_fps`` times a second, and with every chunk when they
    come slower. A draw sends the blocks finished since the last one (together, in one element)
    and redraws a short tail: a block still growing is frozen in pieces as it goes
    (:mod:`lib.ui.markdown_pieces`), so the tail is the last words of a paragraph, or the last
    lines of a list or code block, however long the block gets. Elements sit in a tree of small
    containers (:class:`_Tree`), so a draw costs the same at the 10,000th token as at the 10th.
    After a draw that took ``d`` seconds (a busy machine), the next waits ``3 d``: drawing never
    takes more than about a quarter of the time, so the stream is read as fast as it comes.

    Streamlit calls happen only in :meth:`append` and :meth:`finish`, and exceptions (Stop and
    reruns included) propagate; :attr:`text` makes no Streamlit call, so a ``finally`` can
    always save it.
    """

    def __init__(
        self,
        container: DeltaGenerator,
        *,
        max_fps: float = 11.0,
        clock: Callable[[], float] = time.monotonic,
        cursor: str = " ▌",
    ) -> None:
        if max_fps <= 0:
            raise ValueError("max_fps must be positive")
        self._interval = 1 / max_fps
        self._clock = clock
        self._cursor = cursor
        self._whole = container.empty()  # replaced by a single element if the text must render whole
        self._blocks = _Tree(self._whole.container())
        self._pieces: _Tree | None = None  # the growing block's pieces, once it is cut
        self._tail: DeltaGenerator | None = None  # the element redrawn as the block grows
        self._shown = ""  # what the tail element shows
        self._text = ""
        self._pending: list[str] = []
        self._stable = 0  # where the growing block begins: everything before is sent as finished blocks
        self._frozen = 0  # where its unfrozen text begins: everything before is sent as pieces
        self._starts = [0]  # where each block element's text begins
        self._next_draw = float("-inf")
        self._styled = False
        self._last_chunk: float | None = None
        self._chunk_gap = 0.0  # seconds between chunks, smoothed: tells a slow stream from a fast one

    @property
    def text(self) -> str:
        """Everything appended so far, drawn or not."""
        if self._pending:
            self._text += "".join(self._pending)
            self._pending.clear()
        return self._text

    def append(self, chunk: str) -> None:
        """Add streamed text; draw it unless the last draw was less than a frame ago."""
        if not chunk:
            return
        self._pending.append(chunk)
        started = self._clock()
        if self._last_chunk is not None:
            self._chunk_gap += (started - self._last_chunk - self._chunk_gap) * GAP_SMOOTHING
        self._last_chunk = started
        if started >= self._next_draw:
            self._draw(self._cursor)
            # A steady cadence: the next frame is due one interval after this one was, so tokens that
            # come a little slower than the frame rate are each drawn rather than every other one.
            due = self._next_draw if self._next_draw > started - self._interval else started
            self._next_draw = max(due + self._interval, started + 3 * (self._clock() - started))

    def finish(self) -> str:
        """Draw all the text, without the cursor, remember where its elements begin, and return it."""
        text = self.text
        if has_definitions(text):
            self._whole.markdown(safe_markdown(text))  # definitions reach across blocks
        else:
            self._draw("")
            _remember_layout(text, tuple(self._starts))
        return text

    def _draw(self, cursor: str) -> None:
        text = self.text
        blocks, _tail = split_stable(text[self._stable :])
        if blocks:
            self._finish_blocks(blocks)
        block = text[self._stable :]
        cut = markdown_pieces.cut(block, self._frozen - self._stable, self._min_piece()) if cursor else None
        if cut is not None:
            self._freeze(cut)
        rest = text[self._frozen :]
        if self._frozen > self._stable:
            rest = markdown_pieces.reopening(block) + rest
        self._show(safe_markdown(rest) + cursor if rest.strip() else "")

    def _min_piece(self) -> int:
        """Shorter pieces when chunks come slower than about two a frame: each draw then brings a word
        or two, and re-sending a long tail for it would be most of what goes over the websocket."""
        slow = self._chunk_gap >= SLOW_CHUNK_SHARE * self._interval
        return markdown_pieces.SHORT_PIECE if slow else markdown_pieces.MIN_PIECE

    def _finish_blocks(self, blocks: list[str]) -> None:
        """The growing block has ended, and maybe more after it: draw them finished, in place.

        A block drawn in pieces gets its last piece; the blocks after it (or all of them, for a
        block not cut) go together in one element.
        """
        together = blocks
        if self._pieces is not None:
            block, *together = blocks
            last = self.text[self._frozen : self._stable + len(block)]
            self._show(safe_markdown(markdown_pieces.reopening(block) + last))
            self._next_block(len(block))
        if together:
            self._show(safe_markdown("".join(together)))
            self._next_block(sum(len(block) for block in together))

    def _next_block(self, length: int) -> None:
        self._stable += length
        self._frozen = self._stable
        self._starts.append(self._stable)
        self._pieces = self._tail = None
        self._shown = ""

    def _freeze(self, cut: markdown_pieces.Cut) -> None:
        """The tail element becomes a piece; the next tail element follows it in the block's container."""
        if self._pieces is None:
            if not self._styled:
                self._whole.html(markdown_pieces.pieces_style())
                self._styled = True
            how = markdown_pieces.kind(self.text[self._stable :])
            group = self._place().container(key=f"md-{how}-{uuid.uuid4().hex[:12]}")
            self._pieces = _Tree(group)
            self._tail, self._shown = None, ""
        self._show(safe_markdown(cut.body) + cut.suffix)
        self._frozen += cut.length
        self._tail, self._shown = None, ""

    def _place(self) -> DeltaGenerator:
        """The tail element, made as the next element of the answer or of the growing block's pieces."""
        if self._tail is None:
            self._tail = self._pieces.next_slot() if self._pieces is not None else self._blocks.next_slot()
        return self._tail

    def _show(self, body: str) -> None:
        """Draw ``body`` in the tail element; nothing is sent when it is unchanged."""
        if body == self._shown:
            return
        if body.strip():
            self._place().markdown(body)
        elif self._tail is not None:
            self._tail.empty()
        self._shown = body
