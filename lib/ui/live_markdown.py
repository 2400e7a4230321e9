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
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

import streamlit as st

from lib import state
from lib.ui.markdown_safety import Fence, safe_markdown

if TYPE_CHECKING:
    from streamlit.delta_generator import DeltaGenerator

_LINE = re.compile(r"[^\n]*\n|[^\n]+")
_LIST_ITEM = re.compile(r"(?:(?P<bullet>[-+*])|\d{1,9}(?P<delimiter>[.)]))(?:[ \t]|$)")
_DEFINITION = re.compile(r"^[ \t>]*\[[^\]\n]+\]:", re.MULTILINE)  # a reference link or footnote definition


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
    for match in _LINE.finditer(text):
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
    if _DEFINITION.search(text):
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


class LiveMarkdown:
    """Shows streamed Markdown in ``container``: finished blocks once, the growing tail throttled.

    The growing paragraph is redrawn when the bytes sent so far, this redraw included, stay
    within ``budget`` times the characters received, plus ``slack`` (so the first words show at
    once), plus ``per_second`` bytes for every second since the first chunk, or when ``max_wait``
    seconds have passed since the last draw. A slow stream (50 tokens a second) therefore moves
    about every 1.5 seconds, a dozen words at a time: redrawing its paragraph more often costs
    more websocket bytes and browser time per token than the benchmark's goals allow (measured
    with a redraw every second: about 2.9 bytes per character and 0.55 s per 1,000 tokens). The
    budget spreads the redraws over the paragraph: often while it is short and cheap to re-send,
    rarely once it is long. Draws also happen at most ``max_fps`` times a second, and after a draw that took ``d``
    seconds (a very long paragraph or code block still growing) not again for ``3 d``: drawing
    never takes more than about a third of the time, so the stream is read as fast as it comes.

    Streamlit calls happen only in :meth:`append` and :meth:`finish`, and exceptions (Stop and
    reruns included) propagate; :attr:`text` makes no Streamlit call, so a ``finally`` can
    always save it.
    """

    def __init__(
        self,
        container: DeltaGenerator,
        *,
        max_fps: float = 10.0,
        budget: float = 1.5,
        slack: int = 400,
        per_second: int = 100,
        max_wait: float = 1.5,
        clock: Callable[[], float] = time.monotonic,
        cursor: str = " ▌",
    ) -> None:
        if max_fps <= 0:
            raise ValueError("max_fps must be positive")
        self._interval = 1 / max_fps
        self._budget = budget
        self._slack = slack
        self._per_second = per_second
        self._first_append: float | None = None
        self._max_wait = max_wait
        self._length = 0  # of all text appended
        self._sent = 0  # bytes of every element update so far, estimated from their text
        self._last_draw = float("-inf")
        self._clock = clock
        self._cursor = cursor
        self._whole = container.empty()  # replaced by a single element if the text must render whole
        self._frame = self._whole.container()
        self._tail: DeltaGenerator | None = None  # placeholder of the growing tail; becomes a block's element
        self._shown = ""  # what the tail placeholder shows
        self._text = ""
        self._pending: list[str] = []
        self._stable = 0  # length of the text already sent as finished blocks
        self._starts = [0]  # where each element's text begins
        self._next_draw = float("-inf")

    @property
    def text(self) -> str:
        """Everything appended so far, drawn or not."""
        if self._pending:
            self._text += "".join(self._pending)
            self._pending.clear()
        return self._text

    def append(self, chunk: str) -> None:
        """Add streamed text; redraw if the budget allows it and the last draw was long enough ago."""
        if not chunk:
            return
        self._pending.append(chunk)
        self._length += len(chunk)
        started = self._clock()
        if self._first_append is None:
            self._first_append = started
        if started >= self._next_draw and self._worth_drawing(started):
            self._draw(*split_stable(self.text[self._stable :]), self._cursor)
            self._last_draw = started
            self._next_draw = started + max(self._interval, 3 * (self._clock() - started))

    def _worth_drawing(self, now: float) -> bool:
        """Whether the budget affords re-sending everything not yet finished, or the last draw is too old.

        Counted without splitting the text (that would cost as much as drawing, for every token):
        finished blocks still to send go in one more element than estimated, which is negligible.
        """
        cost = self._length - self._stable + len(self._cursor) + ELEMENT_BYTES
        elapsed = 0.0 if self._first_append is None else now - self._first_append
        allowed = self._budget * self._length + self._slack + self._per_second * elapsed
        return self._sent + cost <= allowed or now - self._last_draw >= self._max_wait

    def finish(self) -> str:
        """Draw all the text, without the cursor, remember where its elements begin, and return it."""
        text = self.text
        if _DEFINITION.search(text):
            self._whole.markdown(safe_markdown(text))  # definitions reach across blocks
        else:
            self._draw(*split_stable(text[self._stable :]), "")
            _remember_layout(text, tuple(self._starts))
        return text

    def _draw(self, blocks: list[str], tail: str, cursor: str) -> None:
        if blocks:
            finished = "".join(blocks)
            self._send(safe_markdown(finished))
            self._stable += len(finished)
            self._starts.append(self._stable)
            self._tail, self._shown = None, ""
        shown = safe_markdown(tail) + cursor
        if shown == self._shown:
            return
        if shown.strip():
            self._send(shown)
        elif self._tail is not None:
            self._tail.empty()
        self._shown = shown

    def _send(self, body: str) -> None:
        if self._tail is None:
            self._tail = self._frame.empty()
        self._tail.markdown(body)
        self._sent += len(body) + ELEMENT_BYTES
