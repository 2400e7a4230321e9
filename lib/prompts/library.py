"""Saved prompts as the store keeps them, and the library's JSON file for import and export; no Streamlit.

A prompt is a name, a role (a system prompt or a user prompt: each is offered where that kind of
prompt is typed), its text with ``{{variables}}`` (:mod:`lib.prompts.template`) and the values
last filled in for them, remembered with the prompt. What the database holds and what a file
brings are cleaned the same way: another program may have written either.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lib.presets.presets import clean_name
from lib.prompts.template import variables

KIND = "prompt"
SYSTEM, USER = "system", "user"
ROLES = (SYSTEM, USER)
TEXT_LENGTH = 50_000
VALUE_LENGTH = 10_000
MAX_IMPORTED = 200
FILE_FORMAT = "ollama-studio-prompts"


@dataclass(frozen=True)
class Prompt:
    """``id`` is the store's, None for one not saved yet (read from a file)."""

    id: int | None
    name: str
    role: str
    text: str
    values: dict[str, str] = field(default_factory=dict)

    @property
    def variables(self) -> list[str]:
        return variables(self.text)

    def document(self) -> dict[str, Any]:
        """The JSON the store keeps (the name has a column of its own)."""
        return {"role": self.role, "text": self.text, "values": dict(self.values)}


class ImportProblem(ValueError):
    """A file that is not a prompt library; ``key`` and ``values`` word it (catalog ``prompts.<key>``)."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def clean_values(values: object) -> dict[str, str]:
    if not isinstance(values, Mapping):
        return {}
    return {
        name: value[:VALUE_LENGTH]
        for name, value in values.items()
        if isinstance(name, str) and isinstance(value, str) and value
    }


def from_document(prompt_id: int | None, name: str, document: object) -> Prompt | None:
    """A prompt from its stored JSON, or None when it holds no text (nothing to offer)."""
    document = document if isinstance(document, Mapping) else {}
    text = document.get("text")
    if not isinstance(text, str) or not text.strip():
        return None
    role = document.get("role") if document.get("role") in ROLES else USER
    return Prompt(
        prompt_id,
        clean_name(name) or str(prompt_id),
        str(role),
        text[:TEXT_LENGTH],
        clean_values(document.get("values")),
    )


def export_json(prompts: list[Prompt]) -> str:
    """The library as a file another Ollama Studio imports; the remembered values stay home."""
    entries = [{"name": prompt.name, "role": prompt.role, "text": prompt.text} for prompt in prompts]
    return json.dumps({"format": FILE_FORMAT, "version": 1, "prompts": entries}, ensure_ascii=False, indent=2)


def parse_import(data: bytes | str) -> list[Prompt]:
    """The prompts of an exported file (or a bare list of ``{name, role, text}``); raises :class:`ImportProblem`.

    An entry without a name or text is refused with its place in the file, rather than skipped without a word.
    """
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ImportProblem("import_not_json") from None
    entries = document.get("prompts") if isinstance(document, dict) else document
    if not isinstance(entries, list):
        raise ImportProblem("import_not_library")
    if len(entries) > MAX_IMPORTED:
        raise ImportProblem("import_too_many", n=len(entries), limit=MAX_IMPORTED)
    prompts: list[Prompt] = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise ImportProblem("import_bad_entry", number=number)
        name = clean_name(entry.get("name"))
        text = entry.get("text")
        if not name or not isinstance(text, str) or not text.strip():
            raise ImportProblem("import_bad_entry", number=number)
        if len(text) > TEXT_LENGTH:
            raise ImportProblem("import_too_long", number=number, limit=TEXT_LENGTH)
        role = entry.get("role", USER)
        if role not in ROLES:
            raise ImportProblem("import_bad_role", number=number)
        prompts.append(Prompt(None, name, role, text))
    return prompts
