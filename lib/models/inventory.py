"""What the Models page shows about installed and running models, as plain rows.

Pure functions over the JSON of ``/api/tags``, ``/api/ps`` and ``/api/show``: the page draws
them, tests check them without a server. Rows keep the server's values (capabilities such as
``"completion"`` stay data); column names and capability labels are worded in the session's
language when a table is built.
"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lib import model_choice
from lib.formatting import human_size, parse_timestamp, time_until
from lib.i18n import t


@dataclass(frozen=True)
class InstalledRow:
    name: str
    size: int
    family: str
    parameter_size: str
    quantization: str
    modified: datetime | None
    capabilities: tuple[str, ...]
    runs_on: str | None = None  # where a cloud or hosted model runs; None for a model on the server's disk

    def as_dict(self, *, runs_on: bool = False) -> dict[str, Any]:
        """The table's row: translated column names, capabilities as labels.

        ``runs_on`` adds where the model runs, for a list that holds cloud or hosted models.
        """
        where: dict[str, Any] = {
            t("models.col_runs_on"): t("models.runs_here") if self.runs_on is None else self.runs_on
        }
        return {
            t("models.col_model"): self.name,
            **(where if runs_on else {}),
            t("models.col_size"): self.size if self.runs_on is None else None,
            t("models.col_family"): self.family,
            t("models.col_parameters"): self.parameter_size,
            t("models.col_quantisation"): self.quantization,
            t("models.col_modified"): self.modified,
            t("models.col_capabilities"): [capability_label(c) for c in self.capabilities],
        }


def capability_label(capability: str) -> str:
    """A capability as users read it; one this app does not know is shown as the server named it."""
    labels = {
        "completion": t("models.cap_completion"),
        "tools": t("models.cap_tools"),
        "insert": t("models.cap_insert"),
        "vision": t("models.cap_vision"),
        "embedding": t("models.cap_embedding"),
        "thinking": t("models.cap_thinking"),
    }
    return labels.get(capability, capability)


def installed_rows(models: list[dict[str, Any]], capabilities: dict[str, list[str]]) -> list[InstalledRow]:
    """One row per ``/api/tags`` entry: models on the server's disk by name, then those that run elsewhere.

    ``capabilities`` maps names to what ``/api/show`` said.
    """
    rows = []
    for model in models:
        details = model.get("details") or {}
        name = str(model.get("name") or model.get("model") or "")
        rows.append(
            InstalledRow(
                name=name,
                size=int(model.get("size") or 0),
                family=str(details.get("family") or ""),
                parameter_size=str(details.get("parameter_size") or ""),
                quantization=str(details.get("quantization_level") or ""),
                modified=parse_timestamp(model.get("modified_at")),
                capabilities=tuple(capabilities.get(name) or ()),
                runs_on=model_choice.remote_host(model),
            )
        )
    return sorted(rows, key=lambda row: (row.runs_on is not None, row.name))


def filter_rows(rows: list[InstalledRow], text: str = "", capability: str | None = None) -> list[InstalledRow]:
    """Rows whose name or family contains every word of ``text`` and that have ``capability``."""
    words = text.lower().split()
    kept = []
    for row in rows:
        haystack = f"{row.name} {row.family} {row.parameter_size} {row.quantization}".lower()
        if all(word in haystack for word in words) and (not capability or capability in row.capabilities):
            kept.append(row)
    return kept


def disk_used(models: list[dict[str, Any]]) -> int:
    """Bytes on the server's disk: a cloud model's entry is a small manifest, not weights."""
    return sum(int(model.get("size") or 0) for model in local(models))


def is_listed(models: list[dict[str, Any]], name: str) -> bool:
    """Whether ``/api/tags`` lists ``name``, read as Ollama reads names: no tag means ``latest``, any case."""
    wanted = _full_name(name)
    return any(_full_name(str(model.get(key) or "")) == wanted for model in models for key in ("name", "model"))


def _full_name(name: str) -> str:
    name = name.strip().lower()
    return name if ":" in name.rsplit("/", 1)[-1] else f"{name}:latest"


def local(models: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ``/api/tags`` entries of models on the server's own disk (not cloud or hosted ones)."""
    return [model for model in models if model_choice.remote_host(model) is None]


def size_cell(value: object) -> str:
    """A table's size cell as ``ollama list`` words it, for ``Styler.format``: the column stays bytes, so it
    sorts by size. pandas hands over a cell as it holds it (a NumPy number, or ``None``), whatever its type.
    """
    if isinstance(value, numbers.Real) and not math.isnan(float(value)):  # a cloud model's size is NaN
        return human_size(float(value))
    return human_size(None)


@dataclass(frozen=True)
class RunningRow:
    name: str
    memory: str
    on_gpu: str
    context: int | None
    unloads: str

    def as_dict(self) -> dict[str, Any]:
        return {
            t("models.col_model"): self.name,
            t("models.col_memory"): self.memory,
            t("models.col_on_gpu"): self.on_gpu,
            t("models.col_context"): self.context,
            t("models.col_unloads"): self.unloads,
        }


def running_rows(running: list[dict[str, Any]]) -> list[RunningRow]:
    """``/api/ps`` as the table shows it: memory, how much of it is on the GPU, context, expiry."""
    rows = []
    for model in running:
        size, vram = int(model.get("size") or 0), int(model.get("size_vram") or 0)
        on_gpu = f"{human_size(vram)} ({vram / size:.0%})" if size else human_size(vram)
        rows.append(
            RunningRow(
                name=str(model.get("name") or model.get("model") or ""),
                memory=human_size(size),
                on_gpu=on_gpu,
                context=model.get("context_length"),
                unloads=time_until(model.get("expires_at")),
            )
        )
    return sorted(rows, key=lambda row: row.name)


@dataclass(frozen=True)
class ModelFacts:
    """The headline numbers of ``/api/show``; ``None`` where the server did not say."""

    architecture: str | None
    context_length: int | None
    embedding_length: int | None
    parameter_count: int | None


def model_facts(shown: dict[str, Any]) -> ModelFacts:
    """Lengths live under ``<architecture>.context_length`` etc. in ``model_info``."""
    info = shown.get("model_info") or {}
    architecture = info.get("general.architecture")

    def lookup(suffix: str) -> int | None:
        value = info.get(f"{architecture}.{suffix}") if architecture else None
        if value is None:
            value = next((v for k, v in info.items() if k.endswith(f".{suffix}")), None)
        return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None

    count = info.get("general.parameter_count")
    return ModelFacts(
        architecture=str(architecture) if architecture else None,
        context_length=lookup("context_length"),
        embedding_length=lookup("embedding_length"),
        parameter_count=int(count) if isinstance(count, int | float) and not isinstance(count, bool) else None,
    )


def embeds_only(capabilities: list[str]) -> bool:
    """Embedding models cannot be loaded with an empty generate request: warm them up with an embed."""
    return "embedding" in capabilities and "completion" not in capabilities


def form_create_fields(base: str, system: str, options: dict[str, Any]) -> dict[str, Any]:
    """The simple form's create fields: a base model, an optional system prompt and parameters."""
    fields: dict[str, Any] = {"from_": base}
    if system.strip():
        fields["system"] = system
    if options:
        fields["parameters"] = dict(options)
    return fields


_PART = r"[A-Za-z0-9][A-Za-z0-9._-]*"
_MODEL_NAME = re.compile(rf"^{_PART}(?::\d+)?(?:/{_PART})*(?::[A-Za-z0-9_][A-Za-z0-9._-]{{0,127}})?$")


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a model name (``[host/][namespace/]model[:tag]``), or ``None`` when it can.

    Checked before anything is sent, so a typo is explained at once and a name never carries
    markup into the messages that repeat it; the refused name itself is quoted escaped.
    """
    if not name.strip():
        return t("models.name_missing")
    if not _MODEL_NAME.match(name.strip()):
        return t("models.name_invalid", name=name.strip()[:80])
    return None


def derived_name(name: str, word: str, taken: set[str]) -> str:
    """``llama3.2:latest`` → ``llama3.2-copy:latest`` (then ``-copy-2`` ...), a name not yet installed."""
    base, _, tag = name.partition(":")
    for number in range(1, 100):
        suffix = f"-{word}" if number == 1 else f"-{word}-{number}"
        candidate = f"{base}{suffix}:{tag}" if tag else f"{base}{suffix}"
        if candidate not in taken and f"{candidate}:latest" not in taken:
            return candidate
    return f"{base}-{word}"
