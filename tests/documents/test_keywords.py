"""Keyword tokens in any script, and BM25 scores."""

from __future__ import annotations

import numpy as np

from lib.documents.keywords import KeywordIndex, tokens


def test_words_are_lowercase_letters_and_digits():
    assert tokens("The KX-200 kettle, ＫＸ２００!") == ["the", "kx", "200", "kettle", "kx200"]


def test_chinese_runs_give_character_pairs_and_lone_characters():
    assert tokens("退货政策：可以退货吗？猫") == ["退货", "货政", "政策", "可以", "以退", "退货", "货吗", "猫"]
    assert tokens("model退货ok") == ["model", "退货", "ok"]


def test_bm25_ranks_rare_matching_words_and_shorter_texts_first():
    index = KeywordIndex(
        [
            "the warranty covers the kettle",
            "the kettle boils water and the kettle is fast and the kettle is loud",
            "shipping takes two days",
            "",
        ]
    )
    scores = index.scores("kettle warranty")
    assert scores[0] > scores[1] > 0 and scores[2] == 0 and scores[3] == 0
    assert np.array_equal(index.scores("nothing here"), np.zeros(4, dtype=np.float32))


def test_chinese_question_matches_without_spaces():
    index = KeywordIndex(["顾客在三十天内可以退货", "订单在两天内发出"])
    scores = index.scores("我可以退货吗")
    assert scores[0] > 0 and scores[1] == 0
