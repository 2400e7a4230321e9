"""Token log-probabilities in the shape Ollama sends them (``logprobs: true``, ``top_logprobs: N``).

Ollama's ``api.Logprob``: ``{"token", "logprob", "bytes", "top_logprobs": [{"token", "logprob", "bytes"}]}``,
one entry per generated token, ``top_logprobs`` left out (omitempty) when no alternatives were asked for.
The alternatives are the N most likely tokens, most likely first; the chosen token is among them, usually
first, but at a temperature above 0 the sampler sometimes takes a less likely one. The numbers are made up
but behave: every logprob is <= 0, the alternatives' probabilities add up to at most 1, and most tokens
are confident (logprob > -0.3) while some are not (< -1.5), as in real output.
"""

from __future__ import annotations

import math
import random
from typing import Any

_ALTERNATIVES = (
    "the",
    "a",
    "it",
    "this",
    "that",
    "is",
    "can",
    "will",
    "more",
    "some",
    "often",
    "also",
    "to",
    "of",
    "and",
    "in",
    "on",
    "as",
    "by",
    "so",
    "not",
    "just",
    "each",
    "one",
    "very",
    "then",
    "there",
    "when",
    "which",
    "what",
    ",",
    ".",
    ":",
    "!",
    "\n",
)
_CANDIDATES = 21
"""How many tokens each position ranks: one more than the most alternatives a request can ask for (20)."""


def entry(piece: bytes, logprob: float) -> dict[str, Any]:
    return {"token": go_text(piece), "logprob": logprob, "bytes": list(piece)}


def go_text(piece: bytes) -> str:
    """A token's bytes as Go's encoding/json writes them: each byte that is not part of a whole UTF-8
    character becomes U+FFFD (the real bytes are in ``bytes``)."""
    text, index = [], 0
    while index < len(piece):
        for size in (1, 2, 3, 4):
            try:
                text.append(piece[index : index + size].decode())
            except UnicodeDecodeError:
                continue
            index += size
            break
        else:
            text.append("\ufffd")
            index += 1
    return "".join(text)


def model_tokens(text: str) -> list[bytes]:
    """How a byte-level tokenizer cuts one streamed piece of text: ASCII stays whole, other characters
    are a token each (the leading space joins the first), and a 4-byte character (an emoji, a rare
    CJK character) is split in two tokens, neither of them whole text. Ollama streams the text only
    once a character is complete, so one chunk then carries several logprobs entries."""
    if text.isascii():
        return [text.encode()]
    stripped = text.lstrip()
    pieces: list[bytes] = []
    for char in stripped:
        encoded = char.encode()
        pieces += [encoded[:2], encoded[2:]] if len(encoded) == 4 else [encoded]
    if not pieces:
        return [text.encode()]
    pieces[0] = text[: len(text) - len(stripped)].encode() + pieces[0]
    return pieces


def scores(rng: random.Random, texts: list[str], top: int, sampled: bool) -> list[list[dict[str, Any]]]:
    """The ``api.Logprob`` entries of each streamed piece of ``texts`` (one per model token), drawn
    from ``rng`` (seeded like the text itself).

    Each token takes the same draws from ``rng`` whatever ``top`` is, so asking for more
    alternatives changes no chosen token's logprob; the alternatives come from a generator of their own.
    """
    return [[_score(rng, piece, top, sampled) for piece in model_tokens(text)] for text in texts]


def _floor(logprob: float) -> float:
    """Six decimals, rounded down, so that rounding never makes the probabilities add up to more than 1."""
    return math.floor(logprob * 1e6) / 1e6


def _score(rng: random.Random, token: bytes, top: int, sampled: bool) -> dict[str, Any]:
    mood, spread, pick = rng.random(), rng.random(), rng.random()
    alternatives_seed = rng.getrandbits(32)
    if mood < 0.72:
        first = 0.75 + 0.249 * spread  # confident: logprob above -0.29
    elif mood < 0.88:
        first = 0.25 + 0.49 * spread
    else:
        first = 0.08 + 0.13 * spread  # uncertain: logprob below -1.56
    probabilities = [first]
    left = 1 - first
    more = random.Random(alternatives_seed)
    for _ in range(_CANDIDATES - 1):
        share = min(probabilities[-1], left * (0.3 + 0.4 * more.random()))
        probabilities.append(share)
        left -= share
    chosen = 0
    if sampled and first < 0.75 and pick < 0.35:
        chosen = 1 if pick < 0.25 else 2
    logprobs = [_floor(math.log(p)) for p in probabilities]
    scored = entry(token, logprobs[chosen])
    if top > 0:
        words = more.sample(_ALTERNATIVES, _CANDIDATES)
        lead = token[: len(token) - len(token.lstrip())]
        others = [lead + word.encode() for word in words if lead + word.encode() != token]
        ranked = [*others[:chosen], token, *others[chosen:]][:_CANDIDATES]
        listed = [entry(text, logprob) for text, logprob in zip(ranked, logprobs, strict=False)][:top]
        if chosen >= top:
            listed[-1] = entry(token, logprobs[chosen])
        scored["top_logprobs"] = listed
    return scored
