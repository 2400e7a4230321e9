"""One Generate run as it happens and afterwards: the text that arrived, how it ended, its figures.

The answer is the streaming engine's :class:`~lib.ollama.stream.Answer`: whatever ends the run
early, a server error, a dropped connection or the user's Stop, the text collected so far stays
in it. :class:`RunRecord` ties it to the form and the exact body that produced it;
:mod:`lib.generate.history` keeps the session's last runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lib.fleet.models import ModelRef
from lib.fleet.models import label as model_label
from lib.fleet.servers import Server
from lib.generate.form import GenerateForm
from lib.i18n import t, t_plain
from lib.ollama.stream import CUT_OFF, DONE, FAILED, STOPPED, UNFINISHED, Answer
from lib.thinking import Think

PREVIEW_LENGTH = 60


def status_text(answer: Answer) -> str:
    """How a run ended, in a few words for the history list and the comparison table."""
    return {
        DONE: t("generate.status_done"),
        STOPPED: t("generate.status_stopped"),
        FAILED: t("generate.status_failed"),
        CUT_OFF: t("generate.status_cut_off"),
        UNFINISHED: t("generate.status_unfinished"),
    }[answer.status]


def level_word(think: Think | None) -> str | None:
    """The thinking level a request sent, in a word for labels (``high``), as plain text; None for no level."""
    words = {
        "low": "generate.level_low",
        "medium": "generate.level_medium",
        "high": "generate.level_high",
        "max": "generate.level_max",
    }
    return t_plain(words[think]) if isinstance(think, str) and think in words else None


@dataclass(frozen=True)
class RunRecord:
    number: int
    when: datetime
    form: GenerateForm
    body: dict[str, Any]
    result: Answer = field(default_factory=Answer)

    def label(self, servers: Sequence[Server] = ()) -> str:
        """``#3 · 14:02:07 · llama3.2:latest · "Why is the sky…" · done``, as plain text (for ``st.text``).

        The server follows the model when the session has several ``servers``
        (``llama3.2:latest · gpu``), then a thinking level sent: ``gpt-oss:20b · gpu · high``.
        """
        prompt = " ".join(self.form.prompt.split())
        if len(prompt) > PREVIEW_LENGTH:
            prompt = prompt[: PREVIEW_LENGTH - 1].rstrip() + "…"
        level = level_word(self.body.get("think"))
        named = self.form.model or ""
        if self.form.server:
            named = model_label(ModelRef(named, self.form.server), servers)
        model = t_plain("generate.history_level", model=named, level=level) if level else named
        return t_plain(
            "generate.history_entry",
            number=self.number,
            time=f"{self.when:%H:%M:%S}",
            model=model,
            prompt=prompt,
            status=status_text(self.result),
        )
