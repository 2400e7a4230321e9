"""Reading an uploaded file's bytes as text: UTF-8, or the encoding it is most likely in.

Spreadsheets and older tools still save CSV and text files in the encoding of the system's
language: Windows-1252, Shift-JIS, GB18030, Big5, UTF-16 from Excel's "Unicode text". Read as
UTF-8 (or as Windows-1252, as this page once did) they would be embedded as garbage. The page
says which encoding was assumed and offers the others that read the file as text.
"""

from __future__ import annotations

import codecs
import functools
import unicodedata
from dataclasses import dataclass

import charset_normalizer

from lib.embeddings.texts import InputProblem
from lib.i18n import t


@dataclass(frozen=True)
class Decoded:
    """An upload's text, and the encoding it was read in when that was not UTF-8."""

    text: str
    encoding: str | None = None  # a Python codec name; None for UTF-8
    choices: tuple[str, ...] = ()  # every encoding that reads the file as text, the likeliest first


# Encodings a file that is not UTF-8 is likely to be in, the most common first: what Windows,
# Excel and older tools write in Western Europe and the Americas, Japan, China, Taiwan and Hong Kong,
# Korea, Eastern Europe, Greece, Turkey, Israel, the Arab world, the Baltics, Vietnam and Thailand.
LEGACY_ENCODINGS = {
    "cp1252": "Windows-1252",
    "gb18030": "GB18030",
    "cp932": "Shift-JIS",
    "big5": "Big5",
    "euc_kr": "EUC-KR",
    "euc_jp": "EUC-JP",
    "cp1251": "Windows-1251",
    "cp1250": "Windows-1250",
    "cp1253": "Windows-1253",
    "cp1254": "Windows-1254",
    "cp1255": "Windows-1255",
    "cp1256": "Windows-1256",
    "cp1257": "Windows-1257",
    "cp1258": "Windows-1258",
    "cp874": "Windows-874",
    "koi8_r": "KOI8-R",
}
# UTF-16 and UTF-32 without a byte-order mark: only considered for data holding zero bytes, which
# text in them almost always has (every line break) and text in any other encoding never has.
WIDE_ENCODINGS = {
    "utf_16_le": "UTF-16 LE",
    "utf_16_be": "UTF-16 BE",
    "utf_32_le": "UTF-32 LE",
    "utf_32_be": "UTF-32 BE",
}
_BOMS = (  # longest first: the UTF-32 LE mark begins with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf_32"),
    (codecs.BOM_UTF32_BE, "utf_32"),
    (codecs.BOM_UTF8, "utf_8_sig"),
    (codecs.BOM_UTF16_LE, "utf_16"),
    (codecs.BOM_UTF16_BE, "utf_16"),
)
ENCODING_NAMES = {**LEGACY_ENCODINGS, **WIDE_ENCODINGS, "utf_16": "UTF-16", "utf_32": "UTF-32"}
_SAMPLE = 20_000  # characters of each candidate reading that are scored
_LINE_CONTROLS = frozenset("\t\n\r\f\v")


def encoding_name(codec: str) -> str:
    """How people know an encoding: "Shift-JIS" for cp932, "UTF-16" for utf_16."""
    return ENCODING_NAMES.get(codec, codec.upper().replace("_", "-"))


def decode(name: str, data: bytes, wanted: str | None = None) -> Decoded:
    """An uploaded file's text: UTF-8 when it is, else the likeliest encoding, or ``wanted`` if it reads the file.

    A byte-order mark decides. Without one, UTF-8 is taken when the bytes are valid UTF-8;
    otherwise charset-normalizer proposes encodings and :func:`_oddness` ranks what each makes
    of the text, because on a few short lines its own guess is often wrong (Shift-JIS read as
    Korean, Windows-1252 as Urdu). Raises :class:`InputProblem` when no encoding gives text.
    """
    marked = next((codec for mark, codec in _BOMS if data.startswith(mark)), None)
    if marked is not None:
        text = _text(data, marked)
        if text is None:
            raise InputProblem(t("embeddings.not_text", name=name))
        return Decoded(text, None if marked == "utf_8_sig" else marked)
    if b"\x00" not in data and (text := _text(data, "utf_8")) is not None:
        return Decoded(text)
    choices = likely_encodings(data)
    if not choices:
        raise InputProblem(t("embeddings.not_text", name=name))
    codec = wanted if wanted in choices else choices[0]
    return Decoded(data.decode(codec), codec, choices)


@functools.lru_cache(maxsize=2)
def likely_encodings(data: bytes) -> tuple[str, ...]:
    """The encodings that read ``data`` as text, likeliest first (cached: the page runs again on every click)."""
    isolation = [*LEGACY_ENCODINGS, *(WIDE_ENCODINGS if b"\x00" in data else ())]
    readings: dict[str, str] = {}
    chaos: dict[str, float] = {}
    for match in charset_normalizer.from_bytes(data, cp_isolation=isolation):
        # Encodings that read these bytes alike come as one match: name the most common of them.
        codec = next((known for known in isolation if known in match.could_be_from_charset), match.encoding)
        if codec in readings or codec not in ENCODING_NAMES:
            continue
        text = _text(data, codec)
        if text is not None:
            readings[codec], chaos[codec] = text, match.chaos
    order = list(ENCODING_NAMES)
    return tuple(
        sorted(
            readings, key=lambda codec: (round(_oddness(readings[codec], codec) * 20), chaos[codec], order.index(codec))
        )
    )


def _text(data: bytes, codec: str) -> str | None:
    """``data`` read in ``codec`` when that gives text: no zero character and hardly any other
    control character, as in any text file; else None."""
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    if "\x00" in text:
        return None
    sample = text[: _SAMPLE * 5]
    controls = sum(1 for character in sample if character < " " and character not in _LINE_CONTROLS)
    return text if controls <= len(sample) // 100 else None


def _oddness(text: str, codec: str) -> float:
    """How much ``codec``'s reading looks like what a wrong encoding makes: per non-ASCII character, from 0 to 1.

    Counted: characters no text uses (controls, private use, unassigned), half-width katakana and
    Arabic presentation forms; Chinese characters outside the national sets (GB2312, Big5, JIS X
    0208), and a quarter for those outside the common level of each; Hangul outside KS X 1001;
    kana read by an encoding that is not Japanese and Hangul by one that is not Korean; a letter
    or mark of another alphabet straight after a Latin, Cyrillic or Greek letter ("cafй",
    "caf้"); a combining mark after something that is not a letter; a digit of another script
    touching a letter ("ด๒ื"); and, read as a Latin alphabet, three or more non-ASCII
    characters in a row ("ºÎ»ê", Korean read as Windows-1252).
    """
    foreign = _FOREIGN_SCRIPTS.get(codec, frozenset())
    odd = 0.0
    counted = run = 0
    before = " "
    for character in text[:_SAMPLE]:
        if character.isascii() or character.isspace():
            run = 0
            if character.isalpha() and _foreign_digit(before):
                odd += 1
        else:
            counted += 1
            run += 1
            latin_run = codec in _LATIN_ENCODINGS and run >= 3
            unexpected = _script(character) in foreign
            odd += min(1.0, _rarity(character) + _clash(before, character) + latin_run + unexpected)
        before = character
    return odd / counted if counted else 0.0


_LATIN_ENCODINGS = frozenset({"cp1252", "cp1250", "cp1254", "cp1257", "cp1258"})
# Scripts a reading by the encoding should not hold: Chinese and Korean text has no kana, only
# Korean text has Hangul, and Korean text today has hardly any Chinese characters.
_FOREIGN_SCRIPTS = {
    "gb18030": frozenset({"HIRAGANA", "KATAKANA", "HANGUL"}),
    "big5": frozenset({"HIRAGANA", "KATAKANA", "HANGUL"}),
    "cp932": frozenset({"HANGUL"}),
    "euc_jp": frozenset({"HANGUL"}),
    "euc_kr": frozenset({"HIRAGANA", "KATAKANA", "CJK"}),  # Korean is written in Hangul, hardly ever in hanja
}


_ALPHABETS = frozenset({"LATIN", "CYRILLIC", "GREEK"})
_EAST_ASIAN = frozenset({"CJK", "HIRAGANA", "KATAKANA", "HANGUL", "FULLWIDTH", "IDEOGRAPHIC"})  # fine after Latin


def _clash(before: str, character: str) -> float:
    """1 when ``character`` cannot follow ``before`` in real text, else 0."""
    mark = unicodedata.category(character) == "Mn"
    if mark and not (before.isalpha() or unicodedata.category(before) == "Mn"):
        return 1.0
    if _THAI_LEADING_VOWELS[0] <= before <= _THAI_LEADING_VOWELS[1] and not (
        _THAI_CONSONANTS[0] <= character <= _THAI_CONSONANTS[1]
    ):
        return 1.0  # a Thai vowel written before its consonant, without one ("ไื")
    if (_foreign_digit(character) and before.isalpha()) or (character.isalpha() and _foreign_digit(before)):
        return 1.0
    if (mark or character.isalpha()) and before.isalpha():
        previous, script = _script(before), _script(character)
        if previous in _ALPHABETS and script not in {previous, *_EAST_ASIAN}:
            return 1.0
    return 0.0


_THAI_CONSONANTS = ("\u0e01", "\u0e2e")
_THAI_LEADING_VOWELS = ("\u0e40", "\u0e44")


def _foreign_digit(character: str) -> bool:
    return not character.isascii() and unicodedata.category(character) == "Nd"


def _script(character: str) -> str:
    """The first word of the character's Unicode name ("LATIN", "CYRILLIC", "CJK", "HANGUL"), or ""."""
    return unicodedata.name(character, "").split(" ", 1)[0]


@functools.lru_cache(maxsize=65_536)
def _rarity(character: str) -> float:
    code = ord(character)
    if unicodedata.category(character) in {"Cc", "Co", "Cn", "Cs"} or 0xFF61 <= code <= 0xFF9F:
        return 1.0
    if 0xFB50 <= code <= 0xFDFF or 0xFE70 <= code <= 0xFEFF:
        return 1.0
    if 0x4E00 <= code <= 0x9FFF:
        if any(_in_rows(character, codec, common) for codec, common, _ in _IDEOGRAPH_SETS):
            return 0.0
        return 0.25 if any(_in_rows(character, codec, known) for codec, _, known in _IDEOGRAPH_SETS) else 1.0
    if 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF or code >= 0x20000:
        return 1.0
    if 0xAC00 <= code <= 0xD7A3:
        return 0.0 if _in_rows(character, "euc_kr", range(0xB0, 0xC9)) else 1.0
    return 1.0 if 0x3130 <= code <= 0x318F else 0.0  # Hangul jamo on their own, outside syllables


# Chinese characters by the lead byte of their code in each national set: the common level
# (GB2312 level 1, 3,755 characters; Big5's 5,401 frequent ones; JIS X 0208 level 1, 2,965),
# then the whole set.
_IDEOGRAPH_SETS = (
    ("gb2312", range(0xB0, 0xD8), range(0xB0, 0xF8)),
    ("big5", range(0xA4, 0xC7), range(0xA4, 0xFA)),
    ("euc_jp", range(0xB0, 0xD0), range(0xB0, 0xF5)),
)


def _in_rows(character: str, codec: str, rows: range) -> bool:
    try:
        return character.encode(codec)[0] in rows
    except UnicodeEncodeError:
        return False
