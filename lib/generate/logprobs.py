"""Token probabilities (Ollama's ``logprobs``): reading them, tinting an answer by them, and where two answers part.

Ollama sends, with ``logprobs: true``, one entry a token: ``{"token", "logprob", "bytes",
"top_logprobs": [{"token", "logprob", "bytes"}, ...]}`` (the alternatives only when
``top_logprobs`` > 0). The probability of a token is ``exp(logprob)``.

A token is not always whole text: a character of several UTF-8 bytes (Chinese, an emoji) may be
split over two tokens, each then carrying a piece that is no text on its own (the ``token``
string holds a replacement character, ``bytes`` the real bytes). :func:`tokens` joins such pieces
into one shown unit whose probability is the product of theirs.

Every token is model output, so untrusted: :func:`tinted_html` escapes each one (text and
attribute), shows control and bidirectional-formatting characters as visible escapes instead of
letting them act, and builds the markup from constant tags and class names only. The result is
meant for ``st.html`` without JavaScript (which DOMPurify sanitizes again on top of this). No
Streamlit here: the page supplies the words.
"""

from __future__ import annotations

import html
import math
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

# Lower bounds of the confidence buckets, most confident first; a token below the last is bucket len(BUCKETS).
BUCKETS: tuple[float, ...] = (0.9, 0.7, 0.5, 0.25)
# Background of each bucket (readable on the light and the dark theme): green to red.
COLOURS: tuple[str, ...] = (
    "rgba(33, 195, 84, 0.16)",
    "rgba(160, 200, 40, 0.30)",
    "rgba(255, 200, 0, 0.38)",
    "rgba(255, 130, 0, 0.42)",
    "rgba(235, 50, 50, 0.48)",
)
TIP_ALTERNATIVES = 5  # alternatives a hover tip lists (the table under the view lists them all)
_MAX_SPLIT = 4  # tokens joined at most while a character's bytes are incomplete (UTF-8 needs at most 4)
# Characters that act instead of showing: bidirectional overrides, isolates and marks, and the like.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


@dataclass(frozen=True)
class Alternative:
    """A token the model could have written at a position, with its probability."""

    text: str
    probability: float


@dataclass(frozen=True)
class Token:
    """One shown unit of the answer: a token, or the tokens that together make one character."""

    text: str
    logprob: float
    alternatives: tuple[Alternative, ...] = ()
    parts: int = 1  # tokens joined into this unit

    @property
    def probability(self) -> float:
        return probability(self.logprob)

    @property
    def bucket(self) -> int:
        return bucket(self.probability)

    @property
    def chosen_rank(self) -> int | None:
        """Where the written token is among the alternatives (0: the most likely), None when not listed."""
        return next((rank for rank, alt in enumerate(self.alternatives) if alt.text == self.text), None)


@dataclass(frozen=True)
class Divergence:
    """Where an answer first differs from the reference answer, token by token.

    ``index`` counts the tokens both share before it; ``reference`` and ``other`` are the tokens
    written there (None where that answer had already ended).
    """

    index: int
    reference: str | None
    other: str | None


def probability(logprob: float) -> float:
    """``exp(logprob)``, kept within 0..1 (a server rounding to a small positive logprob means 1)."""
    if math.isnan(logprob):
        return 0.0
    return math.exp(min(logprob, 0.0))


def bucket(chance: float) -> int:
    """The confidence bucket of a probability: 0 for the surest, ``len(BUCKETS)`` for the least sure."""
    return next((index for index, bound in enumerate(BUCKETS) if chance >= bound), len(BUCKETS))


def percent(chance: float) -> str:
    """``92.1%``; below 0.1 % as ``<0.1%`` rather than a misleading ``0.0%``."""
    if 0 < chance < 0.001:
        return "<0.1%"
    return f"{chance:.1%}"


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _raw_bytes(entry: dict[str, Any]) -> bytes:
    """The token's bytes as sent, or its text's when the server sent none (or nonsense)."""
    sent = entry.get("bytes")
    if isinstance(sent, list) and sent and all(isinstance(b, int) and 0 <= b <= 255 for b in sent):
        return bytes(sent)
    token = entry.get("token")
    return str(token).encode("utf-8", "replace") if token is not None else b""


def _alternatives(entry: dict[str, Any]) -> tuple[Alternative, ...]:
    listed = entry.get("top_logprobs")
    if not isinstance(listed, list):
        return ()
    found = []
    for alt in listed:
        if not isinstance(alt, dict):
            continue
        logprob = _number(alt.get("logprob"))
        if logprob is not None:
            found.append(Alternative(_raw_bytes(alt).decode("utf-8", "replace"), probability(logprob)))
    return tuple(sorted(found, key=lambda alt: -alt.probability))


def tokens(entries: Iterable[Any]) -> list[Token]:
    """The answer's tokens from the ``logprobs`` entries, pieces of one character joined; bad entries skipped."""
    shown: list[Token] = []
    pending = b""
    logprob = 0.0
    alternatives: tuple[Alternative, ...] = ()
    parts = 0
    for entry in entries:
        if not isinstance(entry, dict) or (value := _number(entry.get("logprob"))) is None:
            continue
        if parts == 0:
            alternatives = _alternatives(entry)
        pending += _raw_bytes(entry)
        logprob += value
        parts += 1
        try:
            text = pending.decode("utf-8")
        except UnicodeDecodeError as error:
            if error.reason == "unexpected end of data" and parts < _MAX_SPLIT:
                continue  # the rest of the character comes with the next token
            text = pending.decode("utf-8", "replace")
        shown.append(Token(text, logprob, alternatives if parts == 1 else (), parts))
        pending, logprob, parts = b"", 0.0, 0
    if parts:
        shown.append(Token(pending.decode("utf-8", "replace"), logprob, alternatives if parts == 1 else (), parts))
    return shown


def visible(text: str, keep: str = "") -> str:
    """``text`` with control, bidirectional and invisible formatting characters written out (``\\n``, ``\\u202e``).

    For tips, tables and sentences, where such a character would act on the text around it;
    characters in ``keep`` stay as they are.
    """
    out = []
    for char in text:
        if char in keep:
            out.append(char)
        elif char in _NAMED:
            out.append(_NAMED[char])
        elif char in _BIDI or unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Co", "Cn"):
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out)


def quoted(text: str) -> str:
    """A token as a tip or table shows it: visible characters, in quotes so its spaces show."""
    return f"\u201c{visible(text)}\u201d"


def divergence(reference: Sequence[Token], other: Sequence[Token]) -> Divergence | None:
    """The first token where ``other`` differs from ``reference``; None when both are the same tokens."""
    for index, (mine, theirs) in enumerate(zip(reference, other, strict=False)):
        if mine.text != theirs.text:
            return Divergence(index, mine.text, theirs.text)
    if len(reference) == len(other):
        return None
    shared = min(len(reference), len(other))
    return Divergence(
        shared,
        reference[shared].text if shared < len(reference) else None,
        other[shared].text if shared < len(other) else None,
    )


def least_confident(shown: Sequence[Token]) -> int | None:
    """The position of the least probable token (the first of equals), None for no tokens."""
    if not shown:
        return None
    return min(range(len(shown)), key=lambda index: (shown[index].probability, index))


def tip_lines(token: Token, limit: int = TIP_ALTERNATIVES) -> list[tuple[str, str, bool]]:
    """The alternatives a tip lists: ``(quoted token, percent, whether it is the one written)``, likeliest first."""
    return [(quoted(alt.text), percent(alt.probability), alt.text == token.text) for alt in token.alternatives[:limit]]


_STYLE = (
    "<style>"
    ".lp-box .lp-view{line-height:1.9;white-space:pre-wrap;overflow-wrap:anywhere;padding-top:0.2rem}"
    ".lp-box .lp{position:relative;border-radius:3px;padding:1px 0;cursor:help}"
    + "".join(f".lp-box .lp{index}{{background:{colour}}}" for index, colour in enumerate(COLOURS))
    + ".lp-box .lp-view .lp3,.lp-box .lp-view .lp4{text-decoration:underline dotted}"
    ".lp-box .lp-mark{outline:2px solid #1c83e1;outline-offset:1px}"
    ".lp-box .lp-nl{opacity:0.45}"
    ".lp-box .lp-view .lp:hover{outline:1px solid currentColor}"
    ".lp-box .lp-view .lp:hover::after{content:attr(data-tip);position:absolute;left:0;top:1.7em;z-index:10;"
    "white-space:pre;padding:0.35rem 0.55rem;border-radius:6px;font-size:0.8rem;line-height:1.4;"
    "background:#262730;color:#fafafa;box-shadow:0 2px 8px rgba(0,0,0,0.3);pointer-events:none}"
    ".lp-box .lp-legend{display:flex;flex-wrap:wrap;gap:0.4rem;font-size:0.8rem;margin-bottom:0.3rem}"
    ".lp-box .lp-legend span{border-radius:3px;padding:0 0.35rem}"
    "</style>"
)


def _body(text: str) -> str:
    """A token's text in the view: escaped, acting characters made visible, a line break kept with a faint mark."""
    pieces = []
    for line_number, line in enumerate(text.split("\n")):
        if line_number:
            pieces.append('<span class="lp-nl">\u21b5</span>\n')
        pieces.append(html.escape(visible(line, keep="\t"), quote=True))
    return "".join(pieces)


def tinted_html(
    shown: Sequence[Token], tips: Sequence[str], *, legend: Sequence[str] = (), marked: int | None = None
) -> str:
    """The answer as one span a token, each coloured by its bucket, with ``tips[i]`` shown on hover.

    ``legend`` labels the colours above it (plain text, one a bucket); ``marked`` outlines one
    token (where the answer parts from another). Everything that comes from the model is
    escaped; tips are plain text and go only into an attribute, which CSS shows as text.
    """
    swatches = "".join(
        f'<span class="lp{index}">{html.escape(label, quote=True)}</span>'
        for index, label in enumerate(legend[: len(COLOURS)])
    )
    spans = []
    for index, token in enumerate(shown):
        classes = f"lp lp{token.bucket}" + (" lp-mark" if index == marked else "")
        tip = html.escape(tips[index] if index < len(tips) else "", quote=True)
        spans.append(f'<span class="{classes}" data-tip="{tip}">{_body(token.text)}</span>')
    head = f'<div class="lp-legend">{swatches}</div>' if swatches else ""
    return f'{_STYLE}<div class="lp-box">{head}<div class="lp-view">{"".join(spans)}</div></div>'
