"""The model parameters users can set, explained in plain language, and how they become ``options``."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lib.i18n import t

# option name -> its words, looked up when drawn (each key a literal, so the catalog check sees it)
_LABELS: dict[str, Callable[[], str]] = {
    "temperature": lambda: t("options.temperature"),
    "top_p": lambda: t("options.top_p"),
    "top_k": lambda: t("options.top_k"),
    "num_ctx": lambda: t("options.num_ctx"),
    "seed": lambda: t("options.seed"),
    "num_predict": lambda: t("options.num_predict"),
    "repeat_penalty": lambda: t("options.repeat_penalty"),
}
_HELPS: dict[str, Callable[[], str]] = {
    "temperature": lambda: t("options.temperature_help"),
    "top_p": lambda: t("options.top_p_help"),
    "top_k": lambda: t("options.top_k_help"),
    "num_ctx": lambda: t("options.num_ctx_help"),
    "seed": lambda: t("options.seed_help"),
    "num_predict": lambda: t("options.num_predict_help"),
    "repeat_penalty": lambda: t("options.repeat_penalty_help"),
}


@dataclass(frozen=True)
class OptionSpec:
    """One parameter; ``label`` and ``help`` are worded in the session's language when read."""

    name: str
    kind: type
    minimum: float
    maximum: float
    step: float

    @property
    def label(self) -> str:
        return option_label(self.name)

    @property
    def help(self) -> str:
        return _HELPS[self.name]()


OPTION_SPECS: tuple[OptionSpec, ...] = (
    OptionSpec("temperature", float, 0.0, 2.0, 0.1),
    OptionSpec("top_p", float, 0.0, 1.0, 0.05),
    OptionSpec("top_k", int, 1, 1000, 1),
    OptionSpec("num_ctx", int, 256, 1_048_576, 1024),
    OptionSpec("seed", int, 0, 2**31 - 1, 1),
    OptionSpec("num_predict", int, -2, 1_000_000, 64),
    OptionSpec("repeat_penalty", float, 0.0, 2.0, 0.05),
)


def option_label(name: str) -> str:
    """The parameter's name as people read it; an option this panel does not offer keeps its API name."""
    return _LABELS[name]() if name in _LABELS else name.replace("_", " ")


def stop_help() -> str:
    return t("options.stop_help")


def keep_alive_help() -> str:
    return t("options.keep_alive_help")


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
        raise ValueError(t("options.not_a_duration", text=text))
    return int(text) if re.fullmatch(r"-?\d+", text) else text
