"""Reading texts from lines, tables and uploads; short labels for charts.

lib/embeddings/texts.py.
"""

from __future__ import annotations

import pandas as pd
import pytest

from lib.embeddings import texts as parsing
from lib.embeddings.texts import TextItem


def test_lines_skip_blanks_and_trim():
    collected = parsing.from_lines("  cats purr \n\n\t\ndogs bark\r\n")
    assert collected.items == [TextItem("cats purr"), TextItem("dogs bark")]
    assert collected.blank == 2
    assert parsing.from_lines("").items == []


def test_more_texts_than_the_limit_are_counted(monkeypatch):
    monkeypatch.setattr(parsing, "MAX_TEXTS", 3)
    collected = parsing.from_lines("a\nb\nc\nd\ne")
    assert [item.text for item in collected.items] == ["a", "b", "c"]
    assert collected.over_limit == 2


def test_table_rows_with_labels_and_missing_cells():
    table = pd.DataFrame({"Label": ["pet", None, "x"], "Text": ["cats purr", "dogs bark", None]})
    collected = parsing.from_table(table)
    assert collected.items == [TextItem("cats purr", "pet"), TextItem("dogs bark", "")]
    assert collected.blank == 1
    assert parsing.from_table(pd.DataFrame({"Text": ["only text"]})).items == [TextItem("only text")]
    assert parsing.from_table(parsing.table_from_lines("")).items == []  # the table's start with no lines


def test_table_from_lines_keeps_the_typed_texts():
    table = parsing.table_from_lines("one\n\ntwo")
    assert list(table["Text"]) == ["one", "two"]
    assert list(table["Label"]) == ["", ""]


def test_txt_upload_is_one_text_per_line():
    frame = parsing.read_upload("notes.TXT", "first line\n\nsecond line\n")
    assert list(frame.columns) == ["text"]
    assert list(frame["text"]) == ["first line", "second line"]


def test_csv_upload_keeps_columns_as_text():
    data = 'id,sentence,topic\n1,"Cats purr, softly",pets\n2,NA,none\n'
    frame = parsing.read_upload("data.csv", data)
    assert list(frame.columns) == ["id", "sentence", "topic"]
    assert list(frame["sentence"]) == ["Cats purr, softly", "NA"]
    assert parsing.likely_text_column(frame) == "sentence"
    collected = parsing.from_columns(frame, "sentence", "topic")
    assert collected.items == [TextItem("Cats purr, softly", "pets"), TextItem("NA", "none")]


def test_likely_text_column_falls_back_to_the_longest():
    frame = pd.DataFrame({"a": ["x", "y"], "b": ["a long text", "another long one"]})
    assert parsing.likely_text_column(frame) == "b"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.csv", "", "could not be read as CSV"),
        ("header.csv", "text,label\n", "no rows"),
        ("blank.txt", "\n \n", "contains no text"),
        ("bad.csv", 'a,b\n"unclosed,2\n', "could not be read as CSV"),
    ],
)
def test_unreadable_uploads_are_explained(name, data, message):
    with pytest.raises(parsing.InputProblem, match=message):
        parsing.read_upload(name, data)


def test_short_unique_axis_labels():
    items = [TextItem("The quick brown fox jumps over the lazy dog"), TextItem("fox", "animal"), TextItem("fox")]
    labels = parsing.axis_labels(items, width=12)
    assert labels == ["1 · The quick b…", "2 · animal", "3 · fox"]
    assert len(set(parsing.axis_labels([TextItem("same"), TextItem("same")]))) == 2
    assert parsing.shorten("a\nb   c", 10) == "a b c"


def test_chinese_texts_are_recognised():
    assert parsing.has_chinese([TextItem("cats purr"), TextItem("猫在打呼噜")])
    assert not parsing.has_chinese([TextItem("cats purr"), TextItem("café, naïve — ok")])
    assert not parsing.has_chinese([])


def test_a_chinese_character_takes_two_columns_when_shortened():
    assert parsing.shorten("猫在温暖的窗台上", 8) == "猫在温…"
    assert parsing.shorten("猫在温暖", 8) == "猫在温暖"
    assert parsing.shorten("abcdefghij", 8) == "abcdefg…"
