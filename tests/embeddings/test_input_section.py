"""The Texts section, drawn alone: typed lines, the example, the label/text table, an uploaded file.

lib/embeddings/input_section.py.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from lib import state
from lib.embeddings import input_section
from lib.embeddings import texts as parsing
from lib.embeddings.texts import TextItem
from tests.embeddings.sections import RETURNED


@pytest.fixture
def drawn(section):
    return lambda **options: section(input_section.texts, **options)


def returned(at: AppTest) -> list[TextItem]:
    assert not at.exception, at.exception
    return at.session_state[RETURNED]


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    return at.file_uploader(key=state.EMBED_FILE_INPUT).set_value((name, data, "text/plain")).run()


def test_typed_lines_are_the_texts(drawn):
    at = drawn()
    assert at.radio(key=state.EMBED_SOURCE_INPUT).value == "lines"
    assert returned(at) == []
    at.text_area(key=state.EMBED_LINES_INPUT).input(" cats purr \n\n dogs bark").run()
    assert returned(at) == [TextItem("cats purr"), TextItem("dogs bark")]
    assert not at.warning


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_example_is_in_the_sessions_language(drawn, language):
    at = drawn(language=language)
    button(at, {"en": "Try an example", "zh": "试试示例"}[language]).click().run()
    assert at.text_area(key=state.EMBED_LINES_INPUT).value == input_section.EXAMPLES[language]
    assert [item.text for item in returned(at)] == input_section.EXAMPLES[language].splitlines()
    assert len(returned(at)) == 10


def test_texts_over_the_limit_are_left_out_with_a_warning(drawn, monkeypatch):
    monkeypatch.setattr(parsing, "MAX_TEXTS", 3)
    at = drawn()
    at.text_area(key=state.EMBED_LINES_INPUT).input("a\nb\nc\nd\ne").run()
    assert [item.text for item in returned(at)] == ["a", "b", "c"]
    assert at.warning[0].value == "Only the first 3 texts are used; 2 more were left out."


def test_the_table_starts_from_the_typed_lines_and_can_start_over(drawn):
    at = drawn()
    at.text_area(key=state.EMBED_LINES_INPUT).input("cats purr\ndogs bark").run()
    at.radio(key=state.EMBED_SOURCE_INPUT).set_value("table").run()
    assert list(at.session_state[state.EMBED_TABLE]["Text"]) == ["cats purr", "dogs bark"]
    assert returned(at) == [TextItem("cats purr"), TextItem("dogs bark")]
    at.session_state[state.EMBED_LINES_INPUT] = "git push"  # typed before switching back and forth
    button(at, "Replace the table with the typed lines").click().run()
    assert list(at.session_state[state.EMBED_TABLE]["Text"]) == ["git push"]
    assert returned(at) == [TextItem("git push")]


def test_a_csv_file_offers_its_columns(drawn):
    at = drawn()
    at.radio(key=state.EMBED_SOURCE_INPUT).set_value("file").run()
    assert returned(at) == []  # nothing uploaded yet
    upload(at, "notes.csv", b"id,sentence,topic\n1,Cats purr softly,pets\n2,Git pushes commits,code\n")
    assert at.selectbox(key=state.EMBED_TEXT_COLUMN_INPUT).value == "sentence"
    labels = at.selectbox(key=state.EMBED_LABEL_COLUMN_INPUT)
    assert labels.value == "" and labels.options == ["none", "id", "sentence", "topic"]
    assert returned(at) == [TextItem("Cats purr softly"), TextItem("Git pushes commits")]
    at.selectbox(key=state.EMBED_LABEL_COLUMN_INPUT).select("topic").run()
    assert returned(at) == [TextItem("Cats purr softly", "pets"), TextItem("Git pushes commits", "code")]


def test_an_unreadable_file_is_explained_and_gives_no_texts(drawn):
    at = drawn()
    at.radio(key=state.EMBED_SOURCE_INPUT).set_value("file").run()
    upload(at, "notes.csv", b"text,label\n")
    assert at.error[0].value == "notes.csv has no rows under its header line."
    assert returned(at) == []
    assert not at.selectbox


SHIFT_JIS_CSV = "label,text\n猫,猫が窓辺で喉を鳴らした。\n犬,犬は毎朝郵便屋さんに吠える。\n".encode("shift_jis")


def test_a_shift_jis_csv_is_read_as_shift_jis_and_says_so(drawn):
    at = drawn()
    at.radio(key=state.EMBED_SOURCE_INPUT).set_value("file").run()
    upload(at, "cats.csv", SHIFT_JIS_CSV)
    assert returned(at) == [TextItem("猫が窓辺で喉を鳴らした。"), TextItem("犬は毎朝郵便屋さんに吠える。")]
    assert at.info[0].value.startswith("cats.csv is not in UTF-8, so it was read as Shift-JIS.")
    assert at.selectbox(key=state.EMBED_LABEL_COLUMN_INPUT).options == ["none", "label", "text"]


def test_another_encoding_can_be_picked_for_the_file(drawn):
    at = drawn()
    at.radio(key=state.EMBED_SOURCE_INPUT).set_value("file").run()
    data = "猫\n犬\n".encode("shift_jis")
    upload(at, "pets.txt", data)
    assert [item.text for item in returned(at)] == ["猫", "犬"]
    box = next(box for box in at.selectbox if box.label == "Encoding of the file")
    assert box.value == "cp932" and box.options[0] == "Shift-JIS" and "GB18030" in box.options
    box.select("gb18030").run()
    assert [item.text for item in returned(at)] == data.decode("gb18030").splitlines()
    assert "read as GB18030" in at.info[0].value


def test_a_utf16_text_file_from_excel_is_read(drawn):
    at = drawn()
    at.radio(key=state.EMBED_SOURCE_INPUT).set_value("file").run()
    upload(at, "notes.txt", "Café au lait\n猫在打呼噜\n".encode("utf-16"))
    assert returned(at) == [TextItem("Café au lait"), TextItem("猫在打呼噜")]
    assert at.info[0].value.startswith("notes.txt is not in UTF-8, so it was read as UTF-16.")


def test_a_utf8_file_gets_no_notice(drawn):
    at = drawn()
    at.radio(key=state.EMBED_SOURCE_INPUT).set_value("file").run()
    upload(at, "notes.txt", "Café au lait\n猫在打呼噜\n".encode())
    assert returned(at) == [TextItem("Café au lait"), TextItem("猫在打呼噜")]
    assert not at.info and [box.label for box in at.selectbox] == ["Text column", "Label column"]


def test_a_file_that_is_not_text_is_refused(drawn):
    at = drawn()
    at.radio(key=state.EMBED_SOURCE_INPUT).set_value("file").run()
    upload(at, "photo.csv", bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"))
    assert at.error[0].value.startswith("photo.csv is not a text file")
    assert returned(at) == [] and not at.selectbox
