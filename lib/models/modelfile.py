"""Modelfiles turned into the structured ``/api/create`` request current servers expect.

Current Ollama rejects a raw ``modelfile`` string, so the app parses what the user pastes, the
way ``ollama create`` does (the grammar of ``parser/parser.go`` in ollama/ollama):

- one instruction per line, case-insensitive: FROM, PARAMETER, SYSTEM, TEMPLATE, MESSAGE,
  LICENSE, ADAPTER, plus DRAFT, RENDERER, PARSER and REQUIRES from newer releases;
- ``#`` starts a comment only where an instruction could start (inside a value it is text);
- a value runs to the end of the line, or is quoted: ``"..."`` or ``\"\"\"...\"\"\"`` may span
  lines and keep their inner text exactly (no escapes);
- ``PARAMETER name value`` is repeatable: numbers are typed as the server types them, ``stop``
  accumulates into a list, a later value of another parameter replaces an earlier one;
- ``MESSAGE role text`` with role system, user or assistant; LICENSE accumulates.

FROM a local file and ADAPTER/DRAFT need the files uploaded as blobs first, which this app
does not do: they are reported as problems rather than sent to fail obscurely.

Problems are worded where they are found, in the session's language: parsing runs in the
script thread, as the user types.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from lib.i18n import message_of, t

INSTRUCTIONS = (
    "from",
    "parameter",
    "system",
    "template",
    "message",
    "license",
    "adapter",
    "draft",
    "renderer",
    "parser",
    "requires",
)
MESSAGE_ROLES = ("system", "user", "assistant")

INT_PARAMETERS = frozenset(
    {
        "num_keep",
        "seed",
        "num_predict",
        "top_k",
        "repeat_last_n",
        "num_ctx",
        "num_batch",
        "num_gpu",
        "main_gpu",
        "num_thread",
    }
)
FLOAT_PARAMETERS = frozenset(
    {"top_p", "min_p", "temperature", "repeat_penalty", "presence_penalty", "frequency_penalty"}
)
REJECTED_PARAMETERS = frozenset({"typical_p"})
BOOL_PARAMETERS = frozenset({"use_mmap"})
LIST_PARAMETERS = frozenset({"stop"})
DEPRECATED_PARAMETERS = frozenset(
    {
        "penalize_newline",
        "low_vram",
        "f16_kv",
        "logits_all",
        "vocab_only",
        "use_mlock",
        "mirostat",
        "mirostat_tau",
        "mirostat_eta",
    }
)
KNOWN_PARAMETERS = INT_PARAMETERS | FLOAT_PARAMETERS | BOOL_PARAMETERS | LIST_PARAMETERS

_TRUE = ("1", "t", "true")
_FALSE = ("0", "f", "false")
_MODEL_FILE_SUFFIXES = (".gguf", ".bin", ".safetensors", ".pth", ".pt")
_WINDOWS_PATH = re.compile(r"^[A-Za-z]:[\\/]")
_SPACES = " \t"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a Modelfile; ``line`` is 1-based, ``None`` when it concerns the whole file."""

    line: int | None
    message: str

    def __str__(self) -> str:
        return t("modelfile.line", line=self.line, message=self.message) if self.line else self.message


class ModelfileError(ValueError):
    """The Modelfile cannot become a create request; ``problems`` lists every reason found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(" ".join(str(problem) for problem in problems))
        self.problems = problems


@dataclass(frozen=True)
class Instruction:
    """One instruction as written: its line, lower-case name, and value (quotes removed).

    For PARAMETER the name is the parameter's; for MESSAGE ``role`` is set.
    """

    line: int
    keyword: str
    value: str
    name: str = ""
    role: str = ""


@dataclass
class Modelfile:
    """The create request a Modelfile describes, plus lines that were accepted but not sent."""

    from_: str
    system: str | None = None
    template: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    messages: list[dict[str, str]] = field(default_factory=list)
    license: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def create_fields(self) -> dict[str, Any]:
        """Keyword arguments for ``OllamaClient.create`` and ``api_bodies.create_body``."""
        fields: dict[str, Any] = {"from_": self.from_}
        if self.system is not None:
            fields["system"] = self.system
        if self.template is not None:
            fields["template"] = self.template
        if self.parameters:
            fields["parameters"] = dict(self.parameters)
        if self.messages:
            fields["messages"] = [dict(message) for message in self.messages]
        if self.license:
            fields["license"] = list(self.license)
        return fields


def parse(text: str) -> Modelfile:
    """The create request for ``text``; raises :class:`ModelfileError` listing every problem."""
    instructions: list[Instruction] = []
    problems: list[Problem] = []
    try:
        tokenize(text, into=instructions)
    except ModelfileError as error:
        syntax: Problem | None = error.problems[0]
    else:
        syntax = None
    result = Modelfile(from_="")
    from_line: int | None = None
    for item in instructions:
        if item.keyword == "from":
            if from_line is not None:
                result.warnings.append(Problem(item.line, t("modelfile.from_replaced", line=from_line)))
            from_line = item.line
            result.from_ = item.value
            if looks_like_local_path(item.value):
                problems.append(Problem(item.line, t("modelfile.from_local_file", value=item.value)))
        elif item.keyword == "parameter":
            _add_parameter(result, item, problems)
        elif item.keyword == "system":
            result.system = item.value
        elif item.keyword == "template":
            result.template = item.value
        elif item.keyword == "license":
            result.license.append(item.value)
        elif item.keyword == "message":
            result.messages.append({"role": item.role, "content": item.value})
        elif item.keyword == "adapter":
            problems.append(Problem(item.line, t("modelfile.adapter_unsupported")))
        elif item.keyword == "draft":
            problems.append(Problem(item.line, t("modelfile.draft_unsupported")))
        else:
            result.warnings.append(Problem(item.line, t("modelfile.not_sent", keyword=item.keyword.upper())))
    if syntax is not None:
        problems.append(syntax)
    elif from_line is None:
        problems.insert(0, Problem(None, t("modelfile.no_from")))
    if problems:
        raise ModelfileError(problems)
    return result


def _add_parameter(result: Modelfile, item: Instruction, problems: list[Problem]) -> None:
    name, value = item.name, item.value
    if name in REJECTED_PARAMETERS:
        problems.append(Problem(item.line, t("modelfile.parameter_rejected", name=name)))
        return
    if name in DEPRECATED_PARAMETERS:
        result.warnings.append(Problem(item.line, t("modelfile.parameter_deprecated", name=name)))
        return
    if name not in KNOWN_PARAMETERS:
        problems.append(
            Problem(item.line, t("modelfile.parameter_unknown", name=name, known=", ".join(sorted(KNOWN_PARAMETERS))))
        )
        return
    try:
        typed = typed_parameter(name, value)
    except ValueError as error:
        problems.append(Problem(item.line, message_of(error)))
        return
    if name in LIST_PARAMETERS:
        result.parameters.setdefault(name, []).append(typed)
    else:
        result.parameters[name] = typed


def typed_parameter(name: str, value: str) -> Any:
    """``value`` in the JSON type the server gives parameter ``name``; ``ValueError`` says why not."""
    if name in INT_PARAMETERS:
        if re.fullmatch(r"[+-]?\d+", value.strip()):
            return int(value)
        raise ValueError(t("modelfile.needs_whole_number", name=name, value=value))
    if name in FLOAT_PARAMETERS:
        try:
            number = float(value)
        except ValueError:
            raise ValueError(t("modelfile.needs_number", name=name, value=value)) from None
        if not math.isfinite(number):
            raise ValueError(t("modelfile.needs_finite_number", name=name, value=value))
        return number
    if name in BOOL_PARAMETERS:
        lowered = value.strip().lower()
        if lowered in _TRUE or lowered in _FALSE:
            return lowered in _TRUE
        raise ValueError(t("modelfile.needs_true_or_false", name=name, value=value))
    return value


def looks_like_local_path(value: str) -> bool:
    """True for ``./x.gguf``, ``/blobs/sha256-...``, ``~/m``, ``C:\\m``; False for ``ns/name:tag``, ``hf.co/u/r``."""
    return (
        value.startswith(("/", "./", "../", "~", "\\", "."))
        or bool(_WINDOWS_PATH.match(value))
        or value.lower().endswith(_MODEL_FILE_SUFFIXES)
    )


def tokenize(text: str, into: list[Instruction] | None = None) -> list[Instruction]:
    """The instructions of ``text`` in order; raises :class:`ModelfileError` at the first syntax error.

    ``into`` receives the instructions as they are read, so a caller still has those before the error.
    """
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    instructions: list[Instruction] = [] if into is None else into
    index = 0
    while index < len(lines):
        number = index + 1
        line = lines[index].lstrip(_SPACES)
        index += 1
        if not line or line.startswith("#"):
            continue
        keyword, rest = _split_word(line)
        lowered = keyword.lower()
        if not keyword.isalpha() or lowered not in INSTRUCTIONS:
            raise _syntax(
                number,
                t(
                    "modelfile.not_an_instruction",
                    keyword=keyword,
                    known=", ".join(word.upper() for word in INSTRUCTIONS),
                ),
            )
        name = role = ""
        if lowered == "parameter":
            name, rest = _split_word(rest)
            if not name:
                raise _syntax(number, t("modelfile.parameter_needs_name"))
            if not re.fullmatch(r"[A-Za-z0-9_]+", name):
                raise _syntax(number, t("modelfile.bad_parameter_name", name=name))
        elif lowered == "message":
            role, rest = _split_word(rest)
            if not role:
                raise _syntax(number, t("modelfile.message_role_missing"))
            if role not in MESSAGE_ROLES:
                raise _syntax(number, t("modelfile.message_role_wrong", role=role))
        value, index = _value(rest, lines, index, number)
        if value == "" and not rest.strip():
            what = f"PARAMETER {name}" if name else f"MESSAGE {role}" if role else keyword.upper()
            raise _syntax(number, t("modelfile.needs_value", what=what))
        instructions.append(Instruction(number, lowered, value, name=name, role=role))
    return instructions


def _split_word(text: str) -> tuple[str, str]:
    """The first word of ``text`` and what follows it, leading blanks removed from both."""
    text = text.lstrip(_SPACES)
    end = 0
    while end < len(text) and text[end] not in _SPACES:
        end += 1
    return text[:end], text[end:].lstrip(_SPACES)


def _value(first: str, lines: list[str], index: int, number: int) -> tuple[str, int]:
    """The value starting with ``first`` (continuing onto later lines while a quote is open).

    Like Ollama's parser, text is added line by line until it reads as a complete value: a
    ``\"\"\"`` value must end with ``\"\"\"``, a ``"`` value with ``"``.
    """
    buffer = first
    while True:
        value = _unquote(buffer.strip(_SPACES))
        if value is not None:
            return value, index
        if index >= len(lines):
            quote = '"""' if buffer.lstrip(_SPACES).startswith('"""') else '"'
            raise _syntax(number, t("modelfile.never_closed", quote=quote))
        buffer += "\n" + lines[index]
        index += 1


def _unquote(text: str) -> str | None:
    if text.startswith('"""'):
        return text[3:-3] if len(text) >= 6 and text.endswith('"""') else None
    if text.startswith('"'):
        return text[1:-1] if len(text) >= 2 and text.endswith('"') else None
    return text


def _syntax(line: int, message: str) -> ModelfileError:
    return ModelfileError([Problem(line, message)])


def edit_as_new(modelfile: str, model: str) -> str:
    """An installed model's Modelfile (from ``/api/show``) rewritten to build on ``model`` by name.

    ``ollama show`` writes ``FROM /path/to/blobs/sha256-...`` (a second such FROM for a vision
    model's projector), which only works on the server's disk; its own header comment says to
    replace FROM with the model's name. The first becomes ``FROM <model>``, the others go: the
    named model brings its projector along.
    """
    lines: list[str | None] = list(modelfile.replace("\r\n", "\n").split("\n"))
    try:
        instructions = tokenize(modelfile)
    except ModelfileError:
        instructions = []
    local = [item.line - 1 for item in instructions if item.keyword == "from" and looks_like_local_path(item.value)]
    for index in local[1:]:
        lines[index] = None
    if local:
        lines[local[0]] = f"FROM {model}"
    text = "\n".join(line for line in lines if line is not None)
    if not any(item.keyword == "from" for item in instructions):
        text = f"FROM {model}\n{text}"
    return text
