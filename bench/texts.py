"""Deterministic answer texts of an exact number of tokens, in the fake server's tokenisation."""

from __future__ import annotations

import random

from tests.fake_ollama.text import tokenize

_WORDS = (
    "model",
    "answer",
    "stream",
    "token",
    "browser",
    "server",
    "paragraph",
    "message",
    "simple",
    "careful",
    "context",
    "result",
    "value",
    "question",
    "detail",
    "measure",
    "network",
    "quickly",
    "because",
    "often",
)


def answer(tokens: int, seed: int = 7) -> str:
    """Plain prose in paragraphs of about 80 tokens, cut to exactly ``tokens`` tokens.

    The last sentence is plain words, so its text can be found on screen as written.
    """
    rng = random.Random(seed)
    paragraphs: list[str] = []
    while sum(len(tokenize(p)) + 1 for p in paragraphs) < tokens * 1.2 + 20:
        sentences = []
        for _ in range(6):
            words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 14))]
            sentences.append(" ".join(words).capitalize() + ".")
        paragraphs.append(" ".join(sentences))
    pieces = tokenize("\n\n".join(paragraphs))
    count = tokens
    while len(tokenize("".join(pieces[:count]).rstrip())) < tokens:  # a cut can merge whitespace tokens
        count += 1
    return "".join(pieces[:count]).rstrip()


def tail(text: str, length: int = 40) -> str:
    """The end of ``text`` without whitespace, for finding it in the page's text without whitespace.

    Without: two paragraphs drawn in separate elements have nothing between them in the page's
    ``textContent``, while in one element they have a line break.
    """
    return "".join(text.split())[-length:]


def paragraph(tokens: int, seed: int = 7) -> str:
    """One paragraph of ``tokens`` tokens with no blank line: a block that grows for the whole answer."""
    return " ".join(answer(tokens, seed).split("\n\n"))


def code(tokens: int, seed: int = 7) -> str:
    """One fenced code block of ``tokens`` tokens, left open at the end, as a model writing code streams it."""
    rng = random.Random(seed)
    lines: list[str] = []
    while len(tokenize("```python\n" + "\n".join(lines))) < tokens + 20:
        name, value = rng.choice(_WORDS), rng.randint(1, 99)
        lines += [f"def {name}_{len(lines)}(x):", f"    return x * {value}  # {rng.choice(_WORDS)}"]
    pieces = tokenize("```python\n" + "\n".join(lines))
    count = tokens
    while len(tokenize("".join(pieces[:count]).rstrip())) < tokens:
        count += 1
    return "".join(pieces[:count]).rstrip()
