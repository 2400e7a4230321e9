"""Split a stream of byte chunks into NDJSON objects.

Lines are split on ``\\n`` bytes only. Decoding each complete line as UTF-8 afterwards keeps
multi-byte characters that straddle two chunks intact, and characters such as U+2028 or U+0085,
which are legal inside JSON strings, are never taken for line ends (``str.splitlines`` and
``iter_lines`` with Unicode decoding switched on both get this wrong).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator


class NotJsonLine(ValueError):
    """A non-blank line that is not a JSON object."""

    def __init__(self, line: bytes) -> None:
        super().__init__(f"not a JSON object: {line[:80]!r}")
        self.line = line


def iter_ndjson(chunks: Iterable[bytes]) -> Iterator[dict]:
    """Yield one parsed object per non-blank line; a last line without ``\\n`` counts too."""
    buffer = b""
    for chunk in chunks:
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            if line.strip():
                yield parse_line(line)
    if buffer.strip():
        yield parse_line(buffer)


def _no_constant(name: str) -> None:
    return None


def parse_line(line: bytes) -> dict:
    try:
        # NaN and ±Infinity are not JSON (Go's encoder never writes them), but Python would read them: they
        # become null, so they can never reach a tool, a saved chat or the next request (which could not send them).
        value = json.loads(line.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise NotJsonLine(line) from None
    if not isinstance(value, dict):
        raise NotJsonLine(line)
    return value
