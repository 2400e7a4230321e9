"""Deterministic "model output": replies, thinking, JSON, fill-in-the-middle, and tokens.

The same (model, prompt, temperature, seed) always gives the same text; a
different seed (at non-zero temperature) or prompt gives a different one.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from typing import Any

from .schema import instance

_TOKEN = re.compile(r"\s*\w+|\s*[^\w\s]|\s+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{2,}")
_STOPWORDS = frozenset(
    {
        "the",
        "and",
        "for",
        "are",
        "but",
        "not",
        "you",
        "your",
        "with",
        "this",
        "that",
        "what",
        "why",
        "how",
        "when",
        "where",
        "who",
        "which",
        "from",
        "into",
        "about",
        "can",
        "could",
        "would",
        "should",
        "will",
        "just",
        "please",
        "tell",
        "give",
        "write",
        "explain",
        "describe",
        "make",
        "have",
        "has",
        "had",
        "was",
        "were",
        "does",
        "did",
        "doing",
        "some",
        "any",
        "all",
        "one",
        "two",
        "its",
        "it's",
        "there",
        "their",
        "them",
        "they",
        "then",
        "than",
        "very",
        "much",
        "many",
        "more",
        "most",
        "also",
        "only",
        "even",
        "like",
        "need",
        "want",
        "know",
        "use",
        "using",
        "used",
        "me",
        "my",
        "our",
        "out",
        "over",
    }
)
_SUBJECTS = [
    "The idea",
    "This approach",
    "A simple model",
    "The main point",
    "In practice, the result",
    "The short version",
    "A good rule of thumb",
    "The key detail",
]
_VERBS = ["depends on", "comes down to", "is shaped by", "balances", "relies on", "starts with", "builds on"]
_OBJECTS = [
    "clear inputs",
    "a few careful steps",
    "the context you give it",
    "small, testable pieces",
    "how the parts fit together",
    "the trade-off between speed and accuracy",
    "consistent naming",
]
_ENDINGS = [
    "in most cases",
    "more than it first seems",
    "when you look closely",
    "for everyday use",
    "once the basics are in place",
    "without much extra effort",
]
_BULLETS = ["Start small", "Check the details", "Keep it simple", "Measure first", "Write it down", "Ask for feedback"]
_OPENERS = [
    "Here is a short answer about {topic}.",
    "Good question about {topic}!",
    "Let's look at {topic} step by step.",
    "Sure, here are some thoughts on {topic}.",
]


def tokenize(text: str) -> list[str]:
    """Word-ish tokens with their leading whitespace; joining them gives back `text` exactly."""
    return _TOKEN.findall(text)


def token_ids(text: str) -> list[int]:
    """Stable fake vocabulary ids, as in the `context` field of /api/generate."""
    return [
        int.from_bytes(hashlib.blake2b(token.encode(), digest_size=4).digest(), "big") % 128_256
        for token in tokenize(text)
    ]


def count_tokens(text: str) -> int:
    return len(tokenize(text))


def seeded(*parts: Any) -> random.Random:
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def keywords(prompt: str, limit: int = 3) -> list[str]:
    """The first few distinctive words of the prompt, as written."""
    found: dict[str, str] = {}
    for word in _WORD.findall(prompt):
        if word.lower() not in _STOPWORDS:
            found.setdefault(word.lower(), word)
    return list(found.values())[:limit]


def _topic(prompt: str) -> str:
    words = keywords(prompt)
    if not words:
        return "your message"
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _sentence(rng: random.Random) -> str:
    return f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} {rng.choice(_ENDINGS)}."


def reply(rng: random.Random, prompt: str, images: int = 0) -> str:
    """A few sentences of plain words, sometimes with a markdown list or bold text."""
    parts: list[str] = []
    if images:
        parts.append(f"I can see {images} image{'s' if images != 1 else ''} in your message.")
    parts.append(rng.choice(_OPENERS).format(topic=_topic(prompt)))
    parts.extend(_sentence(rng) for _ in range(rng.randint(2, 3)))
    text = " ".join(parts)
    if rng.random() < 0.5:
        bullets = rng.sample(_BULLETS, 3)
        text += "\n\n" + "\n".join(f"- **{bullet}**: {_sentence(rng).lower()}" for bullet in bullets)
    else:
        text += f"\n\nIn short: **{rng.choice(_OBJECTS)}** matters most."
    return text


def thinking(rng: random.Random, prompt: str) -> str:
    return (
        f"Okay, the user is asking about {_topic(prompt)}. Let me think about what matters here. "
        f"{_sentence(rng)} I should answer clearly and keep it short."
    )


_REASONING_STEPS = [
    "Consider what they most likely mean.",
    "Check the obvious cases first.",
    "Think about edge cases that could change the answer.",
    "Compare a short answer with a detailed one.",
    "Make sure the terms are used correctly.",
    "Verify that nothing contradicts the question.",
    "Decide on the order of the explanation.",
    "An example would make it concrete.",
    "Double-check the conclusion against the question.",
]


def reasoning(rng: random.Random, prompt: str, level: str) -> str:
    """gpt-oss's analysis channel at a reasoning level: low is one short sentence, medium three, high ten.

    gpt-oss spends more tokens thinking the higher the level its system prompt names (``Reasoning: high``);
    the lengths here differ clearly so a test (or a person comparing levels) sees it.
    """
    topic = _topic(prompt)
    if level == "low":
        return f"User asks about {topic}; answer directly."
    opening = f"The user asks about {topic}. {_sentence(rng)}"
    if level == "medium":
        return f"{opening} Let's answer concisely."
    steps = rng.sample(_REASONING_STEPS, 7)
    return f"{opening} {' '.join(steps)} Now write the final answer."


def json_reply(rng: random.Random, prompt: str, schema: Any) -> str:
    """A JSON document: an instance of `schema` when it is one, else a small generic object."""
    if isinstance(schema, dict):
        return json.dumps(instance(schema, rng))
    return json.dumps(
        {"answer": _sentence(rng), "keywords": keywords(prompt), "confidence": round(rng.uniform(0.5, 0.99), 2)}
    )


def fill_in_middle(rng: random.Random, prompt: str, suffix: str) -> str:
    """Code-like text meant to sit between `prompt` and `suffix`."""
    names = re.findall(r"[A-Za-z_]\w*", prompt + " " + suffix) or ["value"]
    target, source = rng.choice(names), rng.choice(names)
    return f"\n    # {rng.choice(_BULLETS).lower()}\n    {target} = {source}\n"
