"""Reading uploaded bytes as text: UTF-8, a byte-order mark, or the likeliest legacy encoding; refusing non-text.

lib/embeddings/encoding.py.
"""

from __future__ import annotations

import codecs
import os
import zlib

import pytest

from lib.embeddings import encoding
from lib.embeddings.texts import InputProblem

JAPANESE = "label,text\n猫,猫が窓辺で喉を鳴らした。\n犬,犬は毎朝郵便屋さんに吠える。\n"
CHINESE = "label,text\na,猫在温暖的窗台上打着呼噜。\nb,小猫追着毛线球满地跑。\n"
TRADITIONAL = "標籤,文字\n甲,貓在溫暖的窗台上打著呼嚕。\n"
KOREAN = "라벨,텍스트\n가,고양이가 창턱에서 가르랑거렸다\n"
WESTERN = "label,text\na,Café au lait, naïve résumé\nb,He said “hello” — twice.\n"
RUSSIAN = "метка,текст\nа,Кошка мурлыкала на подоконнике.\n"


@pytest.mark.parametrize("text", [JAPANESE, CHINESE, WESTERN, "", "plain ASCII\n"])
def test_utf8_is_read_as_it_is_and_no_encoding_is_named(text):
    assert encoding.decode("a.csv", text.encode()) == encoding.Decoded(text)
    assert encoding.decode("a.csv", codecs.BOM_UTF8 + text.encode()) == encoding.Decoded(text)


@pytest.mark.parametrize(
    ("data", "named"),
    [
        (JAPANESE.encode("utf-16"), "utf_16"),  # Excel's "Unicode text": UTF-16 LE with a byte-order mark
        (codecs.BOM_UTF16_BE + JAPANESE.encode("utf-16-be"), "utf_16"),
        (JAPANESE.encode("utf-32"), "utf_32"),
        (codecs.BOM_UTF32_BE + JAPANESE.encode("utf-32-be"), "utf_32"),
    ],
)
def test_a_byte_order_mark_decides(data, named):
    assert encoding.decode("a.csv", data) == encoding.Decoded(JAPANESE, named)


@pytest.mark.parametrize(
    ("text", "codec", "expected"),
    [
        (JAPANESE, "shift_jis", "cp932"),  # charset-normalizer alone reads these bytes as Korean
        ("テキスト,ラベル\n東京タワーは高い,観光\n寿司が好きです,食べ物\n", "cp932", "cp932"),
        ("猫\n犬\n", "shift_jis", "cp932"),
        (JAPANESE, "euc_jp", "euc_jp"),
        (CHINESE, "gb18030", "gb18030"),
        ("猫\n狗\n", "gb18030", "gb18030"),
        ("Python 的列表会按顺序保存元素。\n", "gb18030", "gb18030"),
        (TRADITIONAL, "big5", "big5"),
        (KOREAN, "euc_kr", "euc_kr"),
        (WESTERN, "cp1252", "cp1252"),
        ("caf\xe9\n", "cp1252", "cp1252"),  # charset-normalizer alone reads it as Urdu (cp1006)
        ("Straße,Größe\nÜbermäßig schön\n", "cp1252", "cp1252"),
        (RUSSIAN, "cp1251", "cp1251"),
        ("Καλημέρα κόσμε\n", "cp1253", "cp1253"),
        ("สวัสดีครับ ภาษาไทย\n", "cp874", "cp874"),
        (JAPANESE, "utf-16-le", "utf_16_le"),
        (CHINESE, "utf-16-be", "utf_16_be"),
        (WESTERN, "utf-16-le", "utf_16_le"),
    ],
)
def test_a_file_that_is_not_utf8_is_read_in_its_likeliest_encoding(text, codec, expected):
    decoded = encoding.decode("a.csv", text.encode(codec))
    assert (decoded.text, decoded.encoding) == (text, expected)
    assert decoded.choices[0] == expected


def test_another_encoding_that_reads_the_file_can_be_chosen():
    data = "猫\n犬\n".encode("shift_jis")
    decoded = encoding.decode("a.csv", data)
    other = next(codec for codec in decoded.choices if codec != decoded.encoding)
    chosen = encoding.decode("a.csv", data, other)
    assert (chosen.text, chosen.encoding, chosen.choices) == (data.decode(other), other, decoded.choices)
    assert encoding.decode("a.csv", data, "utf_32_be") == decoded  # not one that reads it: ignored


@pytest.mark.parametrize(
    "data",
    [
        bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"),  # a PNG
        zlib.compress(b"hello world " * 200),
        os.urandom(4000),
        b"text\n\x00\x01\x02\x03binary\x00\x00",
        b"\x01\x02\x03\x04\x05\x06 a lot of control characters \x07\x08\x0e\x0f",
        codecs.BOM_UTF16_LE + b"\x00\xd8",  # a lone surrogate after a UTF-16 mark
        b"\xff\xfe" + os.urandom(2001),
    ],
)
def test_bytes_that_are_not_text_are_refused_with_a_sentence(data):
    with pytest.raises(InputProblem) as problem:
        encoding.decode("picture.csv", data)
    assert str(problem.value) == (
        "picture.csv is not a text file: no text encoding reads it as text. "
        "Upload a .txt file or a .csv file (saved from a spreadsheet as CSV)."
    )


@pytest.mark.parametrize(
    ("codec", "name"),
    [
        ("cp932", "Shift-JIS"),
        ("utf_16", "UTF-16"),
        ("utf_16_le", "UTF-16 LE"),
        ("gb18030", "GB18030"),
        ("mac_roman", "MAC-ROMAN"),
    ],
)
def test_encodings_are_named_as_people_know_them(codec, name):
    assert encoding.encoding_name(codec) == name


def test_a_large_file_is_read_quickly_and_once():
    data = JAPANESE.encode("shift_jis") * 20_000  # 1.6 MB
    encoding.likely_encodings.cache_clear()
    assert encoding.decode("big.csv", data).encoding == "cp932"
    assert encoding.likely_encodings.cache_info().misses == 1
    encoding.decode("big.csv", data)
    assert encoding.likely_encodings.cache_info().hits == 1
