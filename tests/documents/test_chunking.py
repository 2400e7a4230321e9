"""Passages cut on structure, with overlap, in English and in Chinese without spaces."""

from __future__ import annotations

import itertools
import re

import pytest

from lib.documents.chunking import pieces, split, weight
from lib.documents.records import Passage, Section

SENTENCES = [f"Sentence {i} tells about topic {i} in a few more words." for i in range(60)]


def paragraphs(per_paragraph: int = 4) -> str:
    groups = [SENTENCES[i : i + per_paragraph] for i in range(0, len(SENTENCES), per_paragraph)]
    return "\n\n".join(" ".join(group) for group in groups)


def test_a_short_section_is_one_passage_with_its_page_and_heading():
    passages = split([Section("Short text.", 2, "Intro"), Section("Other text.", 3, "Next")])
    assert passages == [Passage(0, 0, "Short text.", 2, "Intro"), Passage(0, 1, "Other text.", 3, "Next")]


def test_passages_never_cross_a_section_or_exceed_the_target():
    text = paragraphs()
    passages = split([Section(text, 1, "A"), Section(text, 2, "B")], target=300, overlap=60)
    assert [p.index for p in passages] == list(range(len(passages)))
    assert all(len(p.text) <= 300 for p in passages)
    for heading in ("A", "B"):
        mine = [p for p in passages if p.heading == heading]
        assert mine[0].text.startswith("Sentence 0 ")
        assert mine[-1].text.endswith("Sentence 59 tells about topic 59 in a few more words.")


def test_cuts_fall_on_paragraphs_when_one_is_near_else_on_sentences():
    text = paragraphs(per_paragraph=4)  # paragraphs of about 220 characters
    for passage in split([Section(text)], target=500, overlap=0):
        assert passage.text.endswith("words."), passage.text[-30:]
        assert passage.text.startswith("Sentence ")
    cut = pieces(text, 500, 0)
    first = next(cut)
    assert first == "\n\n".join(text.split("\n\n")[:2])  # two whole paragraphs, not a third cut in half


def test_every_sentence_is_whole_in_some_passage_and_neighbours_overlap():
    text = " ".join(SENTENCES)  # one long paragraph
    passages = [p.text for p in split([Section(text)], target=250, overlap=80)]
    for sentence in SENTENCES:
        assert any(sentence in passage for passage in passages), sentence
    for before, after in itertools.pairwise(passages):
        first_sentence = re.match(r".*?words\.", after)
        assert first_sentence is not None and first_sentence.group(0) in before  # the next starts inside this one


def test_overlap_starts_at_a_sentence_and_never_stalls():
    text = " ".join(SENTENCES)
    passages = list(pieces(text, 120, 119))
    assert all(p.startswith("Sentence ") for p in passages)
    assert passages[-1].endswith("topic 59 in a few more words.")
    assert len(passages) < 200


def test_chinese_without_spaces_splits_after_its_sentence_marks():
    sentences = [f"第{i}条：顾客可以在三十天内退货，包裹到达仓库后五个工作日内退款。" for i in range(40)]
    text = "".join(sentences)
    passages = [p.text for p in split([Section(text)], target=400, overlap=80)]
    assert len(passages) > 3
    for passage in passages:
        assert weight(passage) <= 400
        assert passage.endswith("。") or passage == passages[-1]
        assert passage.startswith("第")
    for sentence in sentences:
        assert any(sentence in passage for passage in passages)


def test_chinese_counts_double_and_splits_on_other_marks_and_lines():
    assert weight("退货ab") == 6
    text = "！".join(["这是一句很长的话没有句号只有感叹号"] * 30) + "\n" + "；".join(["第二段"] * 30)
    for passage in pieces(text, 100, 0):
        assert weight(passage) <= 100
        assert passage.endswith(("！", "；", "号", "段")), passage  # a mark, or the end of the line or text


def test_text_without_any_boundary_is_cut_at_the_target():
    assert [weight(p) for p in pieces("字" * 1000, 800, 0)] == [800, 800, 400]
    assert [len(p) for p in pieces("x" * 2000, 800, 100)] == [800, 800, 600]


def test_empty_sections_give_nothing_and_bad_settings_are_refused():
    assert split([Section("  \n\n "), Section("")]) == []
    with pytest.raises(ValueError):
        split([Section("x")], target=0)
