"""A document's text, as sections that know their page and heading, from the bytes of an uploaded file.

The kind is decided by what the bytes are, then by the name: a PDF is a PDF whatever it is
called, and a file named ``.pdf`` that is not one is refused as such. The libraries:

- **pypdf** for PDF: pure Python (no system library to install), maintained, reads encrypted
  files (with ``cryptography`` for AES) and caps what a compressed stream may inflate to. Headings
  are lines set notably larger than the document's body text.
- **python-docx** for Word: reads the body in order, paragraphs and tables, with their styles
  (a "Heading n" or "Title" style, or one based on it, is a heading). A ``.docx`` is a zip file,
  so its directory is checked first (:func:`check_zip`): a zip bomb never reaches it.
- **beautifulsoup4** for HTML, with Python's own parser: 2 MB installed against about 70 MB for
  trafilatura and its dependencies, and an uploaded page is a document, not a site to strip of
  its navigation, so what a reader never sees (scripts, styles, navigation, forms) is dropped and
  the rest kept, headings ``h1``–``h6`` starting sections.
- Markdown, text and CSV are read in any encoding (:func:`lib.embeddings.encoding.decode`).

Text from a file is data: Markdown or HTML in a text file stays as its characters (the screen
escapes them), and nothing here follows a link or loads anything. Every refusal is a
:class:`DocumentProblem`, worded by the screen through :func:`problem_text`.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import PurePath
from typing import Any

from lib.documents.records import CSV, DOCX, HTML, MARKDOWN, PDF, TEXT, Section
from lib.embeddings.encoding import decode
from lib.embeddings.texts import InputProblem
from lib.formatting import human_size, whole_number
from lib.i18n import Markdown, t

MAX_BYTES = 50_000_000
"""Larger files are refused by their size, before anything reads them (Streamlit's own upload
limit, 20 MB in .streamlit/config.toml, usually refuses them earlier)."""
MAX_CHARS = 2_000_000
"""Text beyond this (about 2,500 passages, an hour of embedding on a laptop) is refused, not cut."""
MAX_UNZIPPED = 100 * 1024 * 1024
"""What a Word file may unpack to in all, by its zip directory's declared sizes."""
MAX_RATIO = 100
"""How many times its packed size a Word file's part over 1 MB may unpack to (Word's XML packs 5 to 30 times)."""
MAX_ZIP_ENTRIES = 10_000

# What the uploader offers; a file of any other extension is refused as unsupported unless its
# bytes say it is a PDF or a Word document.
EXTENSIONS = {
    ".pdf": PDF,
    ".docx": DOCX,
    ".md": MARKDOWN,
    ".markdown": MARKDOWN,
    ".txt": TEXT,
    ".text": TEXT,
    ".html": HTML,
    ".htm": HTML,
    ".csv": CSV,
}
UPLOAD_TYPES = [extension.lstrip(".") for extension in EXTENSIONS]

PROBLEMS = (
    "too_large",
    "unsupported",
    "not_a_pdf",
    "encrypted",
    "no_text_layer",
    "not_a_docx",
    "zip_bomb",
    "not_text",
    "unreadable",
    "empty",
    "too_long",
)


class DocumentProblem(Exception):
    """A file the library cannot take: ``key`` (one of :data:`PROBLEMS`) and the ``values`` its sentence names."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def problem_text(problem: DocumentProblem) -> Markdown:
    """The problem as a sentence in the session's language (the file name shown literally)."""
    return t(_PROBLEM_KEYS[problem.key], **problem.values)


_PROBLEM_KEYS = {
    "too_large": "documents_core.too_large",
    "unsupported": "documents_core.unsupported",
    "not_a_pdf": "documents_core.not_a_pdf",
    "encrypted": "documents_core.encrypted",
    "no_text_layer": "documents_core.no_text_layer",
    "not_a_docx": "documents_core.not_a_docx",
    "zip_bomb": "documents_core.zip_bomb",
    "not_text": "documents_core.not_text",
    "unreadable": "documents_core.unreadable",
    "empty": "documents_core.empty",
    "too_long": "documents_core.too_long",
}


def check_size(name: str, size: int) -> None:
    """Refuse a file above :data:`MAX_BYTES` by its size alone (an upload's ``size``, before reading it)."""
    if size > MAX_BYTES:
        raise DocumentProblem("too_large", name=name, size=human_size(size), limit=human_size(MAX_BYTES))


def extract(name: str, data: bytes) -> tuple[str, list[Section]]:
    """``(kind, sections)`` of the file ``name`` holding ``data``; raises :class:`DocumentProblem`.

    Sections hold cleaned text (no control characters, paragraphs apart by a blank line) and are
    never empty; a heading is the section's ``heading``, not part of its text.
    """
    check_size(name, len(data))
    if not data.strip():
        raise DocumentProblem("empty", name=name)
    kind = kind_of(name, data)
    try:
        sections = _READERS[kind](name, data)
    except (DocumentProblem, MemoryError):
        raise
    except Exception:  # hostile or damaged files make parsers fail in every way (RecursionError included)
        raise DocumentProblem("unreadable", name=name) from None
    sections = [section for section in sections if section.text.strip()]
    if not sections:
        raise DocumentProblem("empty", name=name)
    total = sum(len(section.text) for section in sections)
    if total > MAX_CHARS:
        raise DocumentProblem("too_long", name=name, limit=whole_number(MAX_CHARS))
    return kind, sections


def kind_of(name: str, data: bytes) -> str:
    """The kind of document ``data`` is: by its first bytes for PDF and Word, else by the name's extension."""
    suffix = PurePath(name).suffix.lower()
    expected = EXTENSIONS.get(suffix)
    if b"%PDF-" in data[:1024]:  # readers accept a header anywhere in the first kilobyte
        return PDF
    if data.startswith(b"PK\x03\x04") and _is_word(name, data, expected == DOCX):
        return DOCX
    if expected is None:
        raise DocumentProblem("unsupported", name=name)
    if expected == PDF:
        raise DocumentProblem("not_a_pdf", name=name)
    if expected == DOCX:
        raise DocumentProblem("not_a_docx", name=name)
    return expected


def _is_word(name: str, data: bytes, named_docx: bool) -> bool:
    """A zip that holds a Word document; one named ``.docx`` that does not is refused here."""
    archive = check_zip(name, data)
    if "word/document.xml" in archive.namelist():
        return True
    if named_docx:
        raise DocumentProblem("not_a_docx", name=name)
    return False


def check_zip(name: str, data: bytes) -> zipfile.ZipFile:
    """The zip in ``data``, once its directory shows nothing that unpacks to far more than it holds.

    The declared sizes bind: Python's zipfile stops reading a member at its declared size (and
    fails its checksum if the data goes on), so a zip that lies about them cannot unpack further.
    Only stored and deflated members are allowed, as Word writes them; bzip2 and LZMA inflate in
    one step without a limit.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise DocumentProblem("not_a_docx", name=name) from None
    if len(members) > MAX_ZIP_ENTRIES or sum(member.file_size for member in members) > MAX_UNZIPPED:
        raise DocumentProblem("zip_bomb", name=name)
    for member in members:
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise DocumentProblem("not_a_docx", name=name)
        if member.file_size > 1024 * 1024 and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise DocumentProblem("zip_bomb", name=name)
    return archive


# Cleaning

_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u00ad\ufeff\ufffe\uffff\u2028\u2029]")
_TRAILING_SPACE = re.compile(r"[ \t\u3000]+\n")
_BLANK_LINES = re.compile(r"\n{3,}")


def clean(text: str) -> str:
    """Text as passages keep it: NFC, line ends as ``\\n``, no control characters, at most one blank line in a row."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROLS.sub("", text)
    text = _TRAILING_SPACE.sub("\n", text)
    return _BLANK_LINES.sub("\n\n", text).strip()


def _sections(blocks: Iterator[tuple[bool, str]], page: int | None = None, heading: str = "") -> list[Section]:
    """Sections from ``(is_heading, text)`` blocks in reading order: a heading starts a section."""
    sections: list[Section] = []
    paragraphs: list[str] = []

    def close() -> None:
        text = clean("\n\n".join(paragraphs))
        if text:
            sections.append(Section(text, page, heading))
        paragraphs.clear()

    for is_heading, text in blocks:
        if is_heading:
            title = " ".join(clean(text).split())
            if title:
                close()
                heading = title
        else:
            paragraphs.append(text)
    close()
    return sections


# PDF

HEADING_SCALE = 1.15  # a line at least this much larger than the body text is a heading
_HEADING_MAX = 150


def _pdf(name: str, data: bytes) -> list[Section]:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not _decrypts(reader):
            raise DocumentProblem("encrypted", name=name)
        pages = list(reader.pages)
    except DocumentProblem:
        raise
    except Exception:
        raise DocumentProblem("unreadable", name=name) from None
    lines_by_page = [_pdf_lines(page) for page in pages]
    body = _body_size(lines_by_page)
    sections: list[Section] = []
    heading = ""
    for number, lines in enumerate(lines_by_page, start=1):
        blocks = [(_is_heading_line(text, size, body), text) for text, size in lines]
        sections += _sections(iter(_paragraphs(blocks)), number, heading)
        heading = _last_heading(blocks, heading)
    if not any(section.text.strip() for section in sections):
        raise DocumentProblem("no_text_layer", name=name, n=len(pages))
    return sections


def _decrypts(reader: Any) -> bool:
    """True when the file opens without a password (encrypted only against editing or printing)."""
    try:
        return bool(reader.decrypt(""))
    except Exception:  # a cipher pypdf cannot use, or a damaged encryption dictionary
        return False


def _pdf_lines(page: Any) -> list[tuple[str, float]]:
    """The page's text lines, each with the size of most of its characters (0 when unknown)."""
    fragments: list[tuple[str, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if text:
            fragments.append((text, abs(size) * _scale(tm) * _scale(cm)))

    try:
        text = page.extract_text(visitor_text=visit)
    except Exception:  # one damaged page does not lose the others
        return []
    if "".join(fragment for fragment, _ in fragments) != text:
        return [(line, 0.0) for line in text.split("\n")]
    lines: list[tuple[str, float]] = []
    current: list[str] = []
    sizes: Counter[float] = Counter()
    for fragment, size in fragments:
        pieces = fragment.split("\n")
        for index, piece in enumerate(pieces):
            if index:
                lines.append(("".join(current), _most(sizes)))
                current, sizes = [], Counter()
            current.append(piece)
            sizes[round(size, 1)] += len(piece.strip())
    lines.append(("".join(current), _most(sizes)))
    return lines


def _scale(matrix: list[float]) -> float:
    """How much a text matrix scales glyphs vertically (1 for none)."""
    try:
        scale = float((matrix[2] ** 2 + matrix[3] ** 2) ** 0.5)
    except (IndexError, TypeError):
        return 1.0
    return scale if scale > 0 else 1.0


def _most(sizes: Counter[float]) -> float:
    return sizes.most_common(1)[0][0] if sizes and sizes.most_common(1)[0][1] else 0.0


def _body_size(lines_by_page: list[list[tuple[str, float]]]) -> float:
    """The size most of the document's characters are set in."""
    sizes: Counter[float] = Counter()
    for lines in lines_by_page:
        for text, size in lines:
            sizes[size] += len(text.strip())
    return _most(sizes)


def _is_heading_line(text: str, size: float, body: float) -> bool:
    stripped = text.strip()
    return (
        body > 0
        and size >= body * HEADING_SCALE
        and 0 < len(stripped) <= _HEADING_MAX
        and any(character.isalnum() for character in stripped)
    )


def _paragraphs(blocks: list[tuple[bool, str]]) -> Iterator[tuple[bool, str]]:
    """A page's lines as blocks: headings alone, the lines between them reflowed into paragraphs."""
    typical = _typical_width([text for is_heading, text in blocks if not is_heading])
    body: list[str] = []
    for is_heading, text in blocks:
        if is_heading:
            if body:
                yield False, _reflow(body, typical)
                body = []
            yield True, text
        else:
            body.append(text)
    if body:
        yield False, _reflow(body, typical)


_SENTENCE_END = tuple(".!?:;。！？：；…\"'”’)）")
_ITEM = re.compile(r"^\s*(?:[•·▪◦‣\-*–]|\d{1,3}[.)、]|[a-zA-Z][.)]|[（(]\d{1,3}[)）])\s*")


def _typical_width(lines: list[str]) -> int:
    """The length of a full line of the page's text: most lines of a paragraph run to the margin."""
    widths = sorted(len(line.strip()) for line in lines if line.strip())
    return widths[(len(widths) * 9) // 10] if widths else 0


def _reflow(lines: list[str], typical: int) -> str:
    """A PDF's layout lines as paragraphs: a line is joined to the next unless it ends a paragraph
    (short and closing a sentence, or very short) or the next is a list item. Wide (Chinese,
    Japanese) characters join without a space; a line ending in a hyphen joins without one too.
    """
    text = ""
    previous = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            previous = ""
            text += "\n\n" if text and not text.endswith("\n\n") else ""
            continue
        if previous:
            short = len(previous) < typical * 0.75
            if (short and previous.endswith(_SENTENCE_END)) or len(previous) < typical * 0.5:
                text += "\n\n"
            elif _ITEM.match(line):
                text += "\n"
            elif previous.endswith("-") or _is_wide(previous[-1]) or _is_wide(line[0]):
                pass
            else:
                text += " "
        text += line
        previous = line
    return text


def _is_wide(character: str) -> bool:
    return unicodedata.east_asian_width(character) in ("W", "F")


def _last_heading(blocks: list[tuple[bool, str]], heading: str) -> str:
    """The heading in force at the end of a page: the next page's text sits under it until a new one."""
    for is_heading, text in blocks:
        title = " ".join(clean(text).split()) if is_heading else ""
        heading = title or heading
    return heading


# Word

_HEADING_STYLES = re.compile(r"^(heading \d|title)$", re.IGNORECASE)


def _docx(name: str, data: bytes) -> list[Section]:
    import docx

    check_zip(name, data)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:
        raise DocumentProblem("unreadable", name=name) from None
    return _sections(_docx_blocks(document))


def _docx_blocks(document: Any) -> Iterator[tuple[bool, str]]:
    from docx.table import Table

    for block in document.iter_inner_content():
        if isinstance(block, Table):
            yield False, _table_text(block)
        else:
            yield _is_heading_style(block.style), block.text


def _is_heading_style(style: Any) -> bool:
    """A built-in heading or title style, or a style based on one (a few levels up)."""
    for _ in range(5):
        if style is None:
            return False
        if _HEADING_STYLES.match(style.name or ""):
            return True
        style = style.base_style
    return False


def _table_text(table: Any) -> str:
    """A table as lines, one per row, cells apart by " | " (a merged cell once)."""
    lines = []
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(cell.text.split()))
        if any(cells):
            lines.append(" | ".join(cells))
    return "\n".join(lines)


# HTML

_DROPPED = frozenset(
    {"script", "style", "noscript", "template", "head", "nav", "form", "iframe", "svg", "math", "button", "select"}
)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BLOCKS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "header",
        "hr",
        "li",
        "main",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "td",
        "th",
        "tr",
        "ul",
    }
)
_SPACE = re.compile(r"\s+")


def _html(name: str, data: bytes) -> list[Section]:
    from bs4 import BeautifulSoup

    return _sections(_html_blocks(BeautifulSoup(_text(name, data), "html.parser")))


def _html_blocks(root: Any) -> Iterator[tuple[bool, str]]:
    """Headings and paragraphs in reading order, walked without recursion (a page may nest deeply)."""
    from bs4 import NavigableString, Tag
    from bs4.element import PreformattedString

    line: list[str] = []

    def flush() -> Iterator[tuple[bool, str]]:
        text = "".join(line)
        line.clear()
        text = "\n".join(" ".join(part.split()) for part in text.split("\n"))
        if text.strip():
            yield False, text

    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        if isinstance(node, Tag):
            name = (node.name or "").lower()
            if leaving:
                if name in _BLOCKS:
                    yield from flush()
                continue
            if name in _DROPPED:
                continue
            if name in _HEADINGS:
                yield from flush()
                yield True, node.get_text(" ")
                continue
            if name == "br":
                line.append("\n")
                continue
            if name == "pre":
                yield from flush()
                yield False, node.get_text()
                continue
            if name in _BLOCKS:
                yield from flush()
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.contents))
        elif isinstance(node, NavigableString) and not isinstance(node, PreformattedString):
            line.append(_SPACE.sub(" ", str(node)))
    yield from flush()


# Markdown, text, CSV


def _text(name: str, data: bytes) -> str:
    try:
        return decode(name, data).text
    except InputProblem:
        raise DocumentProblem("not_text", name=name) from None


_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def _markdown(name: str, data: bytes) -> list[Section]:
    return _sections(_markdown_blocks(_text(name, data).replace("\r\n", "\n").replace("\r", "\n").split("\n")))


def _markdown_blocks(lines: list[str]) -> Iterator[tuple[bool, str]]:
    """ATX (``# Title``) and setext (a line underlined with ``===`` or ``---``) headings, outside code fences."""
    body: list[str] = []
    fence = ""
    for line in lines:
        if fence:
            body.append(line)
            if line.strip().startswith(fence):
                fence = ""
            continue
        opening = _FENCE.match(line)
        if opening:
            fence = opening.group(1)[0] * len(opening.group(1))
            body.append(line)
            continue
        atx = _ATX.match(line)
        setext = _SETEXT.match(line)
        if atx:
            if body:
                yield False, "\n".join(body)
                body = []
            yield True, atx.group(2) or ""
        elif setext and body and body[-1].strip() and not _SETEXT.match(body[-1]):
            title = body.pop()
            if body:
                yield False, "\n".join(body)
                body = []
            yield True, title
        else:
            body.append(line)
    if body:
        yield False, "\n".join(body)


def _plain(name: str, data: bytes) -> list[Section]:
    return _sections(iter([(False, _text(name, data))]))


def _csv(name: str, data: bytes) -> list[Section]:
    """Each row as one line, ``column: value; column: value``, so a passage carries the column names."""
    text = _text(name, data)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:20_000], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = [row for row in csv.reader(io.StringIO(text), dialect) if any(cell.strip() for cell in row)]
    except csv.Error:
        return _plain(name, data)
    if len(rows) < 2:
        return _sections(iter([(False, "\n".join(" ".join(row) for row in rows))]))
    header = [" ".join(cell.split()) for cell in rows[0]]
    lines = []
    for row in rows[1:]:
        cells = [
            f"{header[i]}: {value.strip()}" if i < len(header) and header[i] else value.strip()
            for i, value in enumerate(row)
            if value.strip()
        ]
        lines.append("; ".join(cells))
    return _sections(iter([(False, "\n".join(lines))]))


_READERS = {PDF: _pdf, DOCX: _docx, HTML: _html, MARKDOWN: _markdown, TEXT: _plain, CSV: _csv}
