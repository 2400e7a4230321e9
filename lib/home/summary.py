"""What Home shows about the server, as figures and tables built from ``/api/tags`` and ``/api/ps``.

Pure functions: the page draws them, tests check them without a server. Column names are worded
in the session's language; sizes stay numbers, so a table sorts by bytes (the page words them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from lib.formatting import human_size, time_until
from lib.i18n import t


@dataclass(frozen=True)
class Totals:
    """Bytes: installed models on disk, loaded models in memory, and the part of that on the GPU."""

    disk: int
    memory: int
    vram: int


def totals(installed: list[dict[str, Any]], loaded: list[dict[str, Any]]) -> Totals:
    """Sums over the lists; a size the server left out counts as nothing."""
    return Totals(
        disk=sum(m.get("size") or 0 for m in installed),
        memory=sum(m.get("size") or 0 for m in loaded),
        vram=sum(m.get("size_vram") or 0 for m in loaded),
    )


def loaded_table(loaded: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per loaded model, in the server's order: memory and GPU share worded, when it unloads."""
    return pd.DataFrame(
        {
            t("home.column_model"): m.get("name", m.get("model", "")),
            t("home.column_memory"): human_size(m.get("size")),
            t("home.column_on_gpu"): human_size(m.get("size_vram")),
            t("home.column_context"): m.get("context_length"),
            t("home.column_unloads"): time_until(m.get("expires_at")),
        }
        for m in loaded
    )


def installed_table(installed: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per installed model, by name; the size in bytes."""
    return pd.DataFrame(
        {
            t("home.column_model"): m.get("name", ""),
            t("home.column_size"): m.get("size"),
            t("home.column_family"): (m.get("details") or {}).get("family", ""),
            t("home.column_parameters"): (m.get("details") or {}).get("parameter_size", ""),
            t("home.column_quantisation"): (m.get("details") or {}).get("quantization_level", ""),
        }
        for m in sorted(installed, key=lambda m: m.get("name", ""))
    )
