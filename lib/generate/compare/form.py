"""Compare mode's form: one prompt, up to four (model, parameters) columns, and their requests.

Each column becomes an ordinary Generate request (:func:`lib.generate.form.build_request`), so
a column sends exactly what the single-run form would send for the same model and settings.
A shared seed overrides every column's own seed, so the columns differ only in what the user
set apart, and a rerun gives the same answers. Columns may hold the same model and differ only
in their thinking level ("how much better is high than low, and how much slower?"). Token
probabilities and the one image are shared: the image goes to every column whose model can see,
and the others get the prompt alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from lib.fleet.models import ModelRef
from lib.generate.form import (
    DEFAULT_ALTERNATIVES,
    PLAIN,
    FormProblem,
    GenerateForm,
    GenerateRequest,
    build_request,
)
from lib.i18n import message_of, t, t_plain
from lib.parameters.catalog import option_label
from lib.thinking import LEVELS, Think

# Each level's word, looked up when used (the session's language can change).
_LEVEL_WORDS = {
    "low": lambda: t_plain("widgets.think_low").lower(),
    "medium": lambda: t_plain("widgets.think_medium").lower(),
    "high": lambda: t_plain("widgets.think_high").lower(),
    "max": lambda: t_plain("widgets.think_max").lower(),
}

MIN_COLUMNS = 2
MAX_COLUMNS = 4
LETTERS = "ABCD"


@dataclass(frozen=True)
class ColumnSetup:
    model: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    keep_alive: str | int | None = None
    think: Think = True  # fitted to the column's model when sent (lib.thinking)
    server: str = ""  # the base URL of the column's server; "" for the sidebar's (a set-up kept from before)

    @property
    def ref(self) -> ModelRef:
        """The column's model on its server, as the capabilities and families are keyed."""
        return ModelRef(self.model or "", self.server)


@dataclass(frozen=True)
class CompareForm:
    prompt: str = ""
    system: str = ""
    columns: tuple[ColumnSetup, ...] = (ColumnSetup(), ColumnSetup())
    shared_seed: int | None = None  # sent as every column's ``seed`` when set
    blind: bool = False
    logprobs: bool = False  # every column asked for token probabilities
    top_logprobs: int = DEFAULT_ALTERNATIVES
    images: tuple[str, ...] = ()  # the one image (raw base64) shared by the columns that can see
    output_format: str = PLAIN  # every column's: free text, JSON, or JSON matching ``schema_text``
    schema_text: str = ""

    def with_values(self, **changes: Any) -> CompareForm:
        return replace(self, **changes)


def column_options(form: CompareForm, column: ColumnSetup) -> dict[str, Any]:
    """The column's ``options``, with the shared seed in place of its own."""
    options = dict(column.options)
    if form.shared_seed is not None:
        options["seed"] = form.shared_seed
    return options


def can_see(capabilities: frozenset[str]) -> bool:
    """Whether a model takes images: it has ``vision``, or the server is too old to say (its error would explain)."""
    return not capabilities or "vision" in capabilities


def build_requests(
    form: CompareForm,
    capabilities: dict[ModelRef, frozenset[str]],
    families: dict[ModelRef, str] | None = None,
    versions: dict[str, str] | None = None,
) -> list[GenerateRequest]:
    """One streamed request per column; raises :class:`FormProblem` naming the column at fault.

    ``capabilities`` maps each column's model on its server (:attr:`ColumnSetup.ref`: the same
    model may be older on another server) to what it can do (empty when the server does not say),
    ``families`` to its family, and ``versions`` each server (by address) to its version. ``think`` goes
    only to thinking models, fitted to the model (and server), as on the single-run form; the image only to
    models that can see.
    """
    if not MIN_COLUMNS <= len(form.columns) <= MAX_COLUMNS:
        raise FormProblem(t("compare.problem_count", least=MIN_COLUMNS, most=MAX_COLUMNS))
    if not form.prompt.strip():
        raise FormProblem(t("compare.problem_no_prompt"))
    requests = []
    for letter, column in zip(LETTERS, form.columns, strict=False):
        known = capabilities.get(column.ref, frozenset())
        single = GenerateForm(
            model=column.model,
            prompt=form.prompt,
            system=form.system,
            think=column.think,
            stream=True,
            images=form.images if can_see(known) else (),
            options=column_options(form, column),
            keep_alive=column.keep_alive,
            logprobs=form.logprobs,
            top_logprobs=form.top_logprobs,
            output_format=form.output_format,
            schema_text=form.schema_text,
        )
        try:
            family, version = (families or {}).get(column.ref, ""), (versions or {}).get(column.ref.server, "")
            requests.append(build_request(single, known, family, version))
        except FormProblem as error:
            raise FormProblem(t("compare.column_problem", letter=letter, problem=message_of(error))) from None
    return requests


def settings_summary(options: dict[str, Any], keep_alive: str | int | None = None, think: Think | None = None) -> str:
    """``temperature 0.2 · seed 42`` for a column's caption, in the session's language, as plain text.

    "model defaults" when nothing is set.
    """
    parts = []
    for name, value in options.items():
        shown = " | ".join(value) if isinstance(value, list) else value
        parts.append(f"{option_label(name).lower()} {shown}")
    if keep_alive is not None:
        parts.append(t_plain("compare.kept_loaded", time=keep_alive))
    if think is False:
        parts.append(t("compare.no_thinking"))
    elif isinstance(think, str) and think in LEVELS:
        parts.append(t_plain("compare.thinking_level", level=_LEVEL_WORDS[think]()))
    return " · ".join(parts) or t("compare.model_defaults")
