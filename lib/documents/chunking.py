"""Cutting a document's sections into passages: on its structure, with overlap, in any script.

A passage never crosses a section (a heading, or a PDF page). Inside one, a passage is cut
where the text allows, best first: at a paragraph (a blank line), a line end, the end of a
sentence (``. ! ?`` before a space, or ``。！？；`` which need none), a clause (``, ; :`` and
``，、：``), a space; and only when none lies in the last 60% of the allowed length, in the
middle of a run (Chinese with no punctuation for a page). The next passage starts a little
before the cut (``overlap``), at a sentence or a word there, so a sentence cut in two is also
whole somewhere.

Lengths are counted in characters, a wide (Chinese, Japanese, Korean) character as
:data:`WIDE_WEIGHT`: it carries about as much as a word and costs an embedding model about a
token, so a Chinese passage holds about 400 characters where an English one holds 800 letters.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterator

from lib.documents.records import Passage, Section

WIDE_WEIGHT = 2
MIN_FILL = 0.4  # a cut at a lesser boundary is taken only past this share of the target

# Where a passage may end (the match's end), best first.
_BOUNDARIES = (
    re.compile(r"\n[ \t]*\n\s*"),  # a paragraph
    re.compile(r"\n\s*"),  # a line
    re.compile(r"[.!?…]+[\"'”’)\]]*\s+|[。！？；]+[”’」』）)]*\s*"),  # a sentence
    re.compile(r"[,;:][\"'”’]?\s+|[，、：；]\s*"),  # a clause
    re.compile(r"\s+"),  # a word
)
_SENTENCE_LEVEL = 2


def split(sections: list[Section], target: int = 800, overlap: int = 120) -> list[Passage]:
    """The passages of ``sections`` in order, numbered from 0, each with its section's page and heading.

    ``target``: the longest a passage may be (weighted length, see the module's note);
    ``overlap``: about how much of a passage's end the next one repeats. ``document_id`` is 0
    until the store saves them.
    """
    if target < 1 or overlap < 0:
        raise ValueError("target must be positive and overlap not negative")
    passages: list[Passage] = []
    for section in sections:
        for text in pieces(section.text, target, overlap):
            passages.append(Passage(0, len(passages), text, section.page, section.heading))
    return passages


def weight(text: str) -> int:
    """The length :func:`split` counts: characters, a wide one as :data:`WIDE_WEIGHT`."""
    return _offsets(text)[-1]


def pieces(text: str, target: int, overlap: int) -> Iterator[str]:
    """The texts of one section's passages (stripped, never empty)."""
    offsets = _offsets(text)
    levels = [[match.end() for match in pattern.finditer(text)] for pattern in _BOUNDARIES]
    end_of_text = len(text)
    start = _skip_space(text, 0)
    while start < end_of_text:
        if offsets[end_of_text] - offsets[start] <= target:
            end = end_of_text
        else:
            furthest = bisect_right(offsets, offsets[start] + target) - 1
            nearest = bisect_left(offsets, offsets[start] + target * MIN_FILL)
            end = _last_boundary(levels, nearest, furthest) or max(furthest, start + 1)
        piece = text[start:end].strip()
        if piece:
            yield piece
        if end >= end_of_text:
            return
        start = _skip_space(text, _overlap_start(levels, offsets, start, end, overlap))


def _offsets(text: str) -> list[int]:
    """``offsets[i]``: the weighted length of ``text[:i]``."""
    if text.isascii():
        return list(range(len(text) + 1))
    return [0, *itertools.accumulate(WIDE_WEIGHT if _wide(character) else 1 for character in text)]


def _wide(character: str) -> bool:
    return ord(character) >= 0x1100 and unicodedata.east_asian_width(character) in ("W", "F")


def _last_boundary(levels: list[list[int]], nearest: int, furthest: int) -> int | None:
    """The last boundary of the best level found in ``(nearest, furthest]``."""
    for positions in levels:
        index = bisect_right(positions, furthest) - 1
        if index >= 0 and positions[index] > nearest:
            return positions[index]
    return None


def _overlap_start(levels: list[list[int]], offsets: list[int], start: int, end: int, overlap: int) -> int:
    """Where the passage after ``text[start:end]`` starts: the first sentence start (else word start)
    within ``overlap`` before ``end``; without one, exactly there. Always after ``start``."""
    if overlap == 0:
        return end
    earliest = max(bisect_left(offsets, offsets[end] - overlap), start + 1)
    for group in (levels[: _SENTENCE_LEVEL + 1], levels[_SENTENCE_LEVEL + 1 :]):
        firsts = [positions[i] for positions in group if (i := bisect_left(positions, earliest)) < len(positions)]
        inside = [position for position in firsts if position < end]
        if inside:
            return min(inside)
    return earliest if earliest < end else end


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position
