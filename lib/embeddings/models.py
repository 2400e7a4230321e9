"""Which installed models can embed, on which of the session's servers, how to describe them, and the facts
about them the page needs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lib import server_data
from lib.fleet import session
from lib.fleet.catalog import ServerState
from lib.fleet.models import ModelRef, label
from lib.fleet.servers import Server
from lib.i18n import Markdown, markdown, t, t_plain
from lib.ollama.client import OllamaClient
from lib.ollama.errors import OllamaError

SUGGESTED_MODELS = ("nomic-embed-text", "all-minilm", "mxbai-embed-large", "bge-m3", "qwen3-embedding")
MULTILINGUAL_MODELS = ("bge-m3", "qwen3-embedding")
MOSTLY_ENGLISH_MODELS = ("all-minilm", "nomic-embed-text", "mxbai-embed-large")
"""Trained mostly on English text: Chinese texts get vectors with little meaning."""

# Models trained with task prefixes: (prefix for the texts, prefix for a search query).
_PREFIXES = {
    "nomic-embed-text": ("search_document: ", "search_query: "),
    "mxbai-embed-large": ("", "Represent this sentence for searching relevant passages: "),
}


@dataclass(frozen=True)
class ModelChoice:
    name: str
    can_embed: bool | None  # None: the server is too old to report capabilities
    digest: str = ""  # a re-pulled or re-created model under the same name gets new vectors
    server: str = ""  # the base URL of the server it is installed on

    @property
    def ref(self) -> ModelRef:
        """The model on its server: the model select boxes' value."""
        return ModelRef(self.name, self.server)


def installed(client: OllamaClient) -> list[ModelChoice]:
    """The server's models as :func:`order_models` orders them; raises ``OllamaError`` when it cannot list them."""
    return order_models(
        [
            ModelChoice(
                model["name"],
                can_embed(server_data.capabilities(client, model)),
                model.get("digest", ""),
                client.base_url,
            )
            for model in server_data.models(client)
        ]
    )


def available(states: Sequence[ServerState]) -> list[ModelChoice]:
    """The models of every server that answered, as :func:`order_models` orders them (the first server's
    first among models of one name); a server whose models' details cannot be read is left out."""
    choices: list[ModelChoice] = []
    for entry in states:
        if not entry.up:
            continue
        try:
            choices += installed(session.client_for(entry.server.url))
        except OllamaError:
            continue
    return order_models(choices)


def can_embed(capabilities: list[str]) -> bool | None:
    """Whether a model with these capabilities can embed; ``None`` when the server reported none."""
    return ("embedding" in capabilities) if capabilities else None


def order_models(choices: list[ModelChoice]) -> list[ModelChoice]:
    """Models that can embed first, then unknown, then the rest; by name within each."""
    rank = {True: 0, None: 1, False: 2}
    return sorted(choices, key=lambda choice: (rank[choice.can_embed], choice.name))


def choice_label(choice: ModelChoice, servers: Sequence[Server] = ()) -> str:
    """A model as the select box offers it (``model · server`` when there are several ``servers``), as plain
    text (options are not Markdown)."""
    named = label(choice.ref, servers)
    return t_plain("embeddings.cannot_embed_choice", model=named) if choice.can_embed is False else named


def model_list(names: tuple[str, ...]) -> Markdown:
    """Model names (ours, without backticks) as code, joined the way the language lists things."""
    return markdown(t("embeddings.list_separator").join(f"`{name}`" for name in names))


def cannot_embed_message(model: str) -> str:
    return t("embeddings.cannot_embed", model=model, models=model_list(SUGGESTED_MODELS))


def suggestion() -> str:
    return t("embeddings.suggestion", models=model_list(SUGGESTED_MODELS))


def mostly_english(model: str) -> bool:
    return base_name(model) in MOSTLY_ENGLISH_MODELS


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
    trained = next(
        (int(value) for key, value in info.items() if key.endswith(".context_length") and _is_int(value)), None
    )
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
