"""The model parameters users can set, explained in plain language, and how they become ``options``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class OptionSpec:
    name: str
    label: str
    help: str
    kind: type
    minimum: float
    maximum: float
    step: float


OPTION_SPECS: tuple[OptionSpec, ...] = (
    OptionSpec("temperature", "Temperature", "How adventurous the wording is: low is focused and repeatable, high is varied and creative.", float, 0.0, 2.0, 0.1),
    OptionSpec("top_p", "Top P", "Only pick from the likeliest words that together make up this share of the chances. Lower means safer word choices.", float, 0.0, 1.0, 0.05),
    OptionSpec("top_k", "Top K", "Only pick from this many of the likeliest next words. Lower means more predictable text.", int, 1, 1000, 1),
    OptionSpec("num_ctx", "Context length", "How much text, in tokens, the model can keep in mind at once: the conversation plus the answer. Larger uses more memory.", int, 256, 1_048_576, 1024),
    OptionSpec("seed", "Seed", "Any fixed number makes the same question give the same answer every time.", int, 0, 2**31 - 1, 1),
    OptionSpec("num_predict", "Maximum answer length", "The longest answer allowed, in tokens (a token is about three quarters of a word). -1 means no limit.", int, -2, 1_000_000, 64),
    OptionSpec("repeat_penalty", "Repeat penalty", "Discourages repeating the same words. 1.0 turns it off; higher means less repetition.", float, 0.0, 2.0, 0.05),
)
STOP_HELP = "The answer ends as soon as the model writes one of these. One per line."
KEEP_ALIVE_HELP = (
    "How long the model stays in memory after answering, e.g. 30s, 5m, 1h. 0 unloads it at once, -1 keeps it "
    "loaded. Empty uses the server's setting (5 minutes unless changed)."
)

_DURATION = re.compile(r"^-?\d+(\.\d+)?(ns|us|µs|ms|s|m|h)?$")


def build_options(values: dict[str, Any], stop_text: str = "") -> dict[str, Any]:
    """The ``options`` object: only what the user set, numbers in the type the server expects."""
    options: dict[str, Any] = {}
    for spec in OPTION_SPECS:
        value = values.get(spec.name)
        if value is not None:
            options[spec.name] = spec.kind(value)
    stops = [line for line in stop_text.splitlines() if line.strip()]
    if stops:
        options["stop"] = stops
    return options


def parse_keep_alive(text: str) -> str | int | None:
    """``None`` for the server default; a whole number of seconds as int; else a Go duration string."""
    text = text.strip().replace(" ", "")
    if not text:
        return None
    if not _DURATION.match(text):
        raise ValueError(f"{text!r} is not a duration: use a number of seconds or forms like 30s, 5m, 1h, 0 or -1.")
    return int(text) if re.fullmatch(r"-?\d+", text) else text
