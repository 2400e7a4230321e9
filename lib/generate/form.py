"""The Generate page's form: its values, and the ``/api/generate`` request they make.

The form is a frozen value so a run can remember exactly what produced it and a history entry
can be put back into the widgets. :func:`build_request` turns it into the fields of
:func:`lib.ollama.bodies.generate_body`; the page sends those fields through the client and shows
the body made by the same builder, so the "API request" panel is what was sent. :func:`checked`
gives the form with its request, or with the reason it cannot be sent (a :class:`Draft`).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field, replace
from typing import Any

from lib import thinking
from lib.generate.schema import InvalidSchema, parse_schema, say
from lib.i18n import message_of, t
from lib.ollama import bodies as api_bodies
from lib.ollama.stream import GENERATE, Request
from lib.thinking import Think

PLAIN, JSON, SCHEMA = "plain", "json", "schema"
# Alternatives per token asked for with token probabilities (Ollama takes 0..20; 0 would list none).
MIN_ALTERNATIVES, MAX_ALTERNATIVES, DEFAULT_ALTERNATIVES = 1, 20, 5

EXAMPLE_SCHEMA = """{
  "type": "object",
  "properties": {
    "name": {"type": "string"},
    "capital": {"type": "string"},
    "languages": {"type": "array", "items": {"type": "string"}}
  },
  "required": ["name", "capital", "languages"]
}"""


def format_label(output_format: str) -> str:
    return {PLAIN: t("generate.format_plain"), JSON: t("generate.format_json"), SCHEMA: t("generate.format_schema")}[
        output_format
    ]


class FormProblem(ValueError):
    """The form cannot be sent as it is; ``str()`` tells the user what to change."""


@dataclass(frozen=True)
class GenerateForm:
    model: str | None = None
    server: str = ""  # the base URL of the model's server; "" for the sidebar's (a form kept from before the fleet)
    prompt: str = ""
    system: str = ""
    suffix: str = ""
    template: str = ""
    raw: bool = False
    think: Think = True  # fitted to the model when sent: a level for gpt-oss, off/on for others
    stream: bool = True
    output_format: str = PLAIN
    schema_text: str = EXAMPLE_SCHEMA
    images: tuple[str, ...] = ()  # raw base64, no data: prefix
    options: dict[str, Any] = field(default_factory=dict)
    keep_alive: str | int | None = None
    logprobs: bool = False  # ask for each token's probability
    top_logprobs: int = DEFAULT_ALTERNATIVES  # and this many alternatives a token

    def with_values(self, **changes: Any) -> GenerateForm:
        return replace(self, **changes)


@dataclass(frozen=True)
class GenerateRequest:
    """What one run sends: the client's arguments, and the body they become."""

    model: str
    prompt: str
    stream: bool
    fields: dict[str, Any]

    def body(self) -> dict[str, Any]:
        return api_bodies.generate_body(self.model, self.prompt, stream=self.stream, **self.fields)

    def streamed(self) -> Request:
        """The request for the streaming engine."""
        return Request(GENERATE, self.model, {"prompt": self.prompt, **self.fields}, stream=self.stream)


def build_request(
    form: GenerateForm, capabilities: frozenset[str] | set[str], family: str = "", version: str = ""
) -> GenerateRequest:
    """The request for ``form`` sent to a model with ``capabilities`` (of ``family``, on a server of ``version``);
    raises :class:`FormProblem`.

    Fields left empty are not sent, so the server uses the model's own system prompt, template
    and settings. ``think`` is sent only to thinking models, which are the only ones that accept
    it, fitted to what the model takes (:mod:`lib.thinking`: a gpt-oss model gets a level, even
    for "on", and "max" only on a server that takes it). Token probabilities send ``logprobs`` with
    ``top_logprobs``. Images go to vision models and a suffix to models with ``insert``; a server too old
    to list capabilities gets them anyway, and its own error explains a wrong choice. Raw mode with a
    system prompt or template is refused here, as the server would refuse it.
    """
    if not form.model:
        raise FormProblem(t("generate.problem_no_model"))
    if not form.prompt.strip():
        raise FormProblem(t("generate.problem_no_prompt"))
    if form.images and capabilities and "vision" not in capabilities:
        raise FormProblem(t("generate.problem_no_vision", model=form.model))
    if form.suffix and capabilities and "insert" not in capabilities:
        raise FormProblem(t("generate.problem_no_insert", model=form.model))
    if form.raw and (form.system or form.template):
        raise FormProblem(t("generate.problem_raw"))
    fields: dict[str, Any] = {
        "system": form.system or None,
        "suffix": form.suffix or None,
        "template": form.template or None,
        "images": list(form.images) or None,
        "format": output_format(form),
        "options": dict(form.options) or None,
        "think": thinking.request_value(
            form.think, thinking.choices(capabilities, name=form.model, family=family, version=version)
        ),
        "raw": True if form.raw else None,
        "logprobs": True if form.logprobs else None,
        "top_logprobs": alternatives(form.top_logprobs) if form.logprobs else None,
        "keep_alive": form.keep_alive,
    }
    return GenerateRequest(form.model, form.prompt, form.stream, {k: v for k, v in fields.items() if v is not None})


def alternatives(count: Any) -> int:
    """The number of alternatives to ask for, kept within what Ollama takes (a restored run may hold anything)."""
    try:
        number = int(count)
    except (TypeError, ValueError):
        return DEFAULT_ALTERNATIVES
    return max(MIN_ALTERNATIVES, min(MAX_ALTERNATIVES, number))


@dataclass(frozen=True)
class Draft:
    """The form as it stands: its values, and the request they make or, when none, why not."""

    form: GenerateForm
    request: GenerateRequest | None
    problem: str | None = None

    def refused(self, problem: str) -> Draft:
        """The same values, not to be sent because of ``problem``."""
        return replace(self, request=None, problem=problem)


def checked(
    form: GenerateForm,
    capabilities: frozenset[str] | set[str],
    options_problem: str | None = None,
    family: str = "",
    version: str = "",
) -> Draft:
    """``form`` checked for sending; a problem in the parameters panel is named before the form's own."""
    try:
        request = build_request(form, capabilities, family, version)
    except FormProblem as error:
        return Draft(form, None, options_problem or message_of(error))
    if options_problem:
        return Draft(form, None, options_problem)
    return Draft(form, request)


def output_format(form: GenerateForm) -> str | dict[str, Any] | None:
    """``format`` for the body: nothing, ``"json"`` or the parsed schema (raises :class:`FormProblem`)."""
    if form.output_format == JSON:
        return "json"
    if form.output_format == SCHEMA:
        try:
            return parse_schema(form.schema_text)
        except InvalidSchema as error:
            raise FormProblem(say(error.problem)) from None
    return None


def encode_image(data: bytes) -> str:
    """Raw base64, as ``images`` takes it (no ``data:image/png;base64,`` prefix)."""
    return base64.b64encode(data).decode("ascii")


def decode_image(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
