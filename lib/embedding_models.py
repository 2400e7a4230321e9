"""Which installed models can embed, how to describe them, and the facts about them the page needs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SUGGESTED_MODELS = ("nomic-embed-text", "all-minilm", "mxbai-embed-large", "bge-m3", "qwen3-embedding")

# Models trained with task prefixes: (prefix for the texts, prefix for a search query).
_PREFIXES = {
    "nomic-embed-text": ("search_document: ", "search_query: "),
    "mxbai-embed-large": ("", "Represent this sentence for searching relevant passages: "),
}


@dataclass(frozen=True)
class ModelChoice:
    name: str
    can_embed: bool | None  # None: the server is too old to report capabilities


def order_models(models: list[tuple[str, list[str]]]) -> list[ModelChoice]:
    """``(name, capabilities)`` pairs as choices: models that can embed first, then unknown, then the rest."""
    choices = [ModelChoice(name, ("embedding" in capabilities) if capabilities else None) for name, capabilities in models]
    rank = {True: 0, None: 1, False: 2}
    return sorted(choices, key=lambda choice: (rank[choice.can_embed], choice.name))


def choice_label(choice: ModelChoice) -> str:
    return f"{choice.name} (cannot embed)" if choice.can_embed is False else choice.name


def cannot_embed_message(model: str) -> str:
    return (
        f"{model} is not an embedding model, so it cannot turn texts into vectors. Pick an embedding model "
        f"such as {', '.join(SUGGESTED_MODELS)} (install one with `ollama pull nomic-embed-text`)."
    )


def suggestion() -> str:
    return f"Embedding models include {', '.join(SUGGESTED_MODELS)}."


def base_name(model: str) -> str:
    """``nomic-embed-text`` from ``nomic-embed-text:latest`` or ``registry/namespace/nomic-embed-text:v1.5``."""
    return model.split(":", 1)[0].rsplit("/", 1)[-1]


def suggested_prefixes(model: str) -> tuple[str, str]:
    """``(document prefix, query prefix)`` the model was trained with, or empty strings."""
    return _PREFIXES.get(base_name(model), ("", ""))


def context_limit(details: dict[str, Any]) -> int | None:
    """Tokens the model reads per input: its trained context, capped by a ``num_ctx`` parameter.

    From ``/api/show``: ``model_info["<architecture>.context_length"]`` and the ``parameters``
    text. Beyond this the server cuts the input (``truncate`` on) or refuses it (off).
    """
    info = details.get("model_info") or {}
    trained = next((int(value) for key, value in info.items() if key.endswith(".context_length") and _is_int(value)), None)
    configured = _num_ctx(details.get("parameters") or "")
    limits = [limit for limit in (trained, configured) if limit]
    return min(limits) if limits else None


def _num_ctx(parameters: str) -> int | None:
    for line in parameters.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "num_ctx" and parts[1].isdigit():
            return int(parts[1])
    return None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
