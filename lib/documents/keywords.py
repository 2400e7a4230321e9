"""Keyword scoring for hybrid retrieval: BM25 over passage tokens, in any script.

Embeddings find passages that mean what a question means; they can miss an exact word a reader
types on purpose: a product code, a name, a rare term. BM25 scores those. A token is a lowercase
word of letters and digits; a run of Chinese, Japanese or Korean characters (written without
spaces) gives its character pairs, or the character when it stands alone, so "退货政策" matches
a question containing "退货".
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import numpy as np

K1 = 1.2
B = 0.75

_WIDE_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+")
_WORD = re.compile(r"[^\W_]+")


def tokens(text: str) -> list[str]:
    """The keyword tokens of ``text``, in order (see the module's note)."""
    found: list[str] = []
    text = unicodedata.normalize("NFKC", text).lower()
    position = 0
    for run in _WIDE_RUN.finditer(text):
        found += _WORD.findall(text[position : run.start()])
        characters = run.group(0)
        found += [characters] if len(characters) == 1 else [characters[i : i + 2] for i in range(len(characters) - 1)]
        position = run.end()
    found += _WORD.findall(text[position:])
    return found


class KeywordIndex:
    """BM25 over a fixed list of texts; :meth:`scores` gives one score per text."""

    def __init__(self, texts: list[str]) -> None:
        self.size = len(texts)
        rows: dict[str, list[int]] = {}
        counts: dict[str, list[int]] = {}
        lengths = np.zeros(self.size, dtype=np.float32)
        for row, text in enumerate(texts):
            counted = Counter(tokens(text))
            lengths[row] = sum(counted.values())
            for token, count in counted.items():
                rows.setdefault(token, []).append(row)
                counts.setdefault(token, []).append(count)
        average = float(lengths.mean()) if self.size and lengths.mean() > 0 else 1.0
        self._norms = K1 * (1 - B + B * lengths / average)
        self._postings = {
            token: (np.array(rows[token], dtype=np.int64), np.array(counts[token], dtype=np.float32)) for token in rows
        }

    def scores(self, query: str) -> np.ndarray:
        """BM25 of every text for ``query`` (0 for texts that share no token with it)."""
        scores = np.zeros(self.size, dtype=np.float32)
        for token in set(tokens(query)):
            posting = self._postings.get(token)
            if posting is None:
                continue
            rows, counts = posting
            idf = np.log(1 + (self.size - len(rows) + 0.5) / (len(rows) + 0.5))
            scores[rows] += idf * counts * (K1 + 1) / (counts + self._norms[rows])
        return scores
