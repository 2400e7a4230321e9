"""POST /api/generate and POST /api/chat, checked in the order Ollama's handlers check.

Validation failures happen before any byte is written, so they are plain HTTP
errors; the order (model, unload, thinking, capabilities, options, load,
images, format) decides which error a request with several faults gets.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .. import completion, decoding, gowire, history, text, tools
from ..apierror import ApiError
from ..call import Call
from ..catalog import ModelSpec
from ..exchange import PLAIN_JSON

_NO_VISION = (
    "Failed to create new sequence: failed to process inputs: this model is missing data required for image input"
)


@dataclass(frozen=True)
class _GenerateShape:
    model: str
    context: list[int]

    def chunk(self, kind: str, token: str, score: list[dict[str, Any]] | None) -> dict[str, Any]:
        line: dict[str, Any] = {
            "model": self.model,
            "created_at": gowire.utc_now(),
            "response": token if kind == "content" else "",
        }
        if kind == "thinking":
            line["thinking"] = token
        line["done"] = False
        if score is not None:
            line["logprobs"] = score
        return line

    def final(self, done_reason: str, stats: completion.Stats, whole: completion.Plan | None) -> dict[str, Any]:
        content = whole.text("content") if whole else ""
        line: dict[str, Any] = {"model": self.model, "created_at": gowire.utc_now(), "response": content}
        if whole and whole.text("thinking"):
            line["thinking"] = whole.text("thinking")
        line.update(done=True, done_reason=done_reason, context=self.context)
        line.update(stats.fields())
        if whole and whole.content_scores():
            line["logprobs"] = whole.content_scores()
        return line


@dataclass(frozen=True)
class _ChatShape:
    model: str

    def chunk(self, kind: str, token: str, score: list[dict[str, Any]] | None) -> dict[str, Any]:
        message = {"role": "assistant", "content": token if kind == "content" else ""}
        if kind == "thinking":
            message["thinking"] = token
        line: dict[str, Any] = {"model": self.model, "created_at": gowire.utc_now(), "message": message, "done": False}
        if score is not None:
            line["logprobs"] = score
        return line

    def calls(self, tool_calls: tuple[dict[str, Any], ...]) -> dict[str, Any]:
        message = {"role": "assistant", "content": "", "tool_calls": list(tool_calls)}
        return {"model": self.model, "created_at": gowire.utc_now(), "message": message, "done": False}

    def final(self, done_reason: str, stats: completion.Stats, whole: completion.Plan | None) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": whole.text("content") if whole else ""}
        if whole and whole.text("thinking"):
            message["thinking"] = whole.text("thinking")
        if whole and whole.tool_calls:
            message["tool_calls"] = list(whole.tool_calls)
        line: dict[str, Any] = {
            "model": self.model,
            "created_at": gowire.utc_now(),
            "message": message,
            "done": True,
            "done_reason": done_reason,
        }
        line.update(stats.fields())
        if whole and whole.content_scores():
            line["logprobs"] = whole.content_scores()
        return line


def generate(call: Call) -> None:
    request = call.body("GenerateRequest", decoding.GENERATE)
    _check_top_logprobs(request)
    model = request.get("model", "")
    spec = call.model(
        model, empty=ApiError(404, "model '' not found"), missing=ApiError(404, f"model '{model}' not found")
    )
    prompt = request.get("prompt", "")
    keep_alive = completion.keep_alive(request)
    if not prompt and keep_alive == 0:
        call.app.store.unload(spec)
        call.exchange.send_json(
            200, {"model": model, "created_at": gowire.utc_now(), "response": "", "done": True, "done_reason": "unload"}
        )
        return
    if request.get("raw") and (request.get("template") or request.get("system") or request.get("context")):
        raise ApiError(400, "raw mode does not support template, system, or context")
    think = _thinking(spec, model, request)
    _check_capabilities(spec, "generate", model, insert=bool(request.get("suffix")))
    options = completion.options(request)
    loaded = completion.load(call, spec, options, keep_alive)
    try:
        if not prompt:
            call.exchange.send_json(
                200,
                {"model": model, "created_at": gowire.utc_now(), "response": "", "done": True, "done_reason": "load"},
            )
            return
        images = len(request.get("images", []))
        _check_images(spec, images)
        schema = _format(request)
        system = request.get("system") or spec.system
        content = _content(call, spec, options, prompt, images, schema, request.get("suffix", ""), [])
        planned = completion.plan(_thinking_text(spec, think, options, prompt), content, options)
        prompt_tokens = text.count_tokens(system) + text.count_tokens(prompt) + 10
        planned, prompt_tokens = completion.fit(planned, prompt_tokens, completion.context_size(spec, options))
        planned = _scored(spec, options, prompt, request, planned)
        shape = _GenerateShape(model, text.token_ids(f"{system}\n{prompt}\n") + text.token_ids(planned.text("content")))
        with call.app.slots.hold(
            spec.name.key,
            lambda: call.app.num_parallel,
            call.exchange.client_gone,
            lambda: call.app.max_loaded_models,
        ):
            completion.run(
                call, shape, planned, prompt_tokens=prompt_tokens, loaded=loaded, stream=call.stream_requested(request)
            )
    finally:
        call.app.store.keep(spec, keep_alive)


def chat(call: Call) -> None:
    request = call.body("ChatRequest", decoding.CHAT)
    _check_top_logprobs(request)
    model = request.get("model", "")
    spec = call.model(
        model, empty=ApiError(400, "model is required"), missing=ApiError(404, f"model '{model}' not found")
    )
    messages = request.get("messages", [])
    keep_alive = completion.keep_alive(request)
    if not messages and keep_alive == 0:
        call.app.store.unload(spec)
        call.exchange.send_json(200, _chat_done(model, "unload"))
        return
    think = _thinking(spec, model, request)
    _check_capabilities(spec, "chat", model, tools=bool(request.get("tools")))
    options = completion.options(request)
    loaded = completion.load(call, spec, options, keep_alive)
    try:
        if not messages:
            call.exchange.send_json(200, _chat_done(model, "load"))
            return
        _check_images(spec, sum(len(message.get("images", [])) for message in messages))
        schema = _format(request)
        last_user = next((m for m in reversed(messages) if m.get("role") == "user"), messages[-1])
        prompt = last_user.get("content", "")
        declared = request.get("tools") or []
        calls = _tool_calls(call, declared, messages, prompt)
        images = len(last_user.get("images", []))
        results = tools.results(messages)
        content = "" if calls else _content(call, spec, options, prompt, images, schema, "", results)
        wired = tuple(tools.wire_calls(calls, f"{model}\x1f{len(messages)}\x1f{prompt}"))
        planned = completion.plan(_thinking_text(spec, think, options, prompt), content, options, wired)
        has_system = any(m.get("role") == "system" for m in messages)
        fixed = text.count_tokens(tools.declared_text(declared))
        fixed += 0 if has_system else text.count_tokens(spec.system)
        context = completion.context_size(spec, options)
        seen = history.kept(messages, fixed, context, truncate=request.get("truncate", True) is not False)
        call.record_prompt(seen)
        planned, prompt_tokens = completion.fit(planned, history.tokens(seen, fixed), context)
        planned = _scored(spec, options, prompt, request, planned)
        with call.app.slots.hold(
            spec.name.key,
            lambda: call.app.num_parallel,
            call.exchange.client_gone,
            lambda: call.app.max_loaded_models,
        ):
            completion.run(
                call,
                _ChatShape(model),
                planned,
                prompt_tokens=prompt_tokens,
                loaded=loaded,
                stream=call.stream_requested(request),
            )
    finally:
        call.app.store.keep(spec, keep_alive)


def _chat_done(model: str, reason: str) -> dict[str, Any]:
    return {
        "model": model,
        "created_at": gowire.utc_now(),
        "message": {"role": "assistant", "content": ""},
        "done": True,
        "done_reason": reason,
    }


def _check_top_logprobs(request: dict[str, Any]) -> None:
    if not 0 <= request.get("top_logprobs", 0) <= 20:
        raise ApiError(400, "top_logprobs must be between 0 and 20")


def _thinking(spec: ModelSpec, model: str, request: dict[str, Any]) -> str:
    """How the model thinks: "" not at all, "on" (qwen3 and the like), or a gpt-oss level.

    As Ollama: thinking models think unless told ``false``; any level means ``true`` to them.
    gpt-oss always reasons (its Harmony format has no "off"): true, false or nothing is the
    default "medium", a level sets how much, and "max" is "high" (Harmony has no higher level).
    Other models refuse anything but false (decoding has already refused values that are not a
    bool or a level the server takes).
    """
    think = request.get("think")
    if spec.family == "gptoss":
        if not isinstance(think, str):
            return "medium"
        return "high" if think == "max" else think
    if spec.has("thinking"):
        return "" if think is False else "on"
    if think not in (None, False):
        raise ApiError(400, f"{gowire.quote(model)} does not support thinking")
    return ""


def _check_capabilities(spec: ModelSpec, action: str, model: str, *, insert: bool = False, tools: bool = False) -> None:
    if not spec.has("completion"):
        raise ApiError(400, f"{gowire.quote(model)} does not support {action}")
    for needed, wanted in (("insert", insert), ("tools", tools)):
        if wanted and not spec.has(needed):
            raise ApiError(400, f"{spec.name.full} does not support {needed}")


def _check_images(spec: ModelSpec, count: int) -> None:
    if count and not spec.has("vision"):
        raise ApiError(500, _NO_VISION, PLAIN_JSON)


def _format(request: dict[str, Any]) -> Any:
    """None (free text), "json", or a schema dict; anything else is the runner's 500."""
    value = request.get("format")
    if value in (None, "", "json") or isinstance(value, dict):
        return value or None
    raw = json.dumps(value, separators=(",", ":"))
    raise ApiError(
        500, f'invalid format: {gowire.quote(raw)}; expected "json" or a valid JSON Schema object', PLAIN_JSON
    )


def _temperature(spec: ModelSpec, options: dict[str, Any]) -> Any:
    return options.get("temperature", dict(spec.parameters).get("temperature", 0.8))


def _seed(spec: ModelSpec, options: dict[str, Any], prompt: str) -> Any:
    temperature = _temperature(spec, options)
    seed = options.get("seed") if temperature else None
    return text.seeded(spec.name.key, prompt, temperature, seed)


def _scored(
    spec: ModelSpec, options: dict[str, Any], prompt: str, request: dict[str, Any], planned: completion.Plan
) -> completion.Plan:
    """With ``logprobs: true``, every content token's logprobs, seeded like the text (model, prompt,
    temperature, seed); a temperature above 0 samples, so the chosen token is not always the likeliest."""
    if request.get("logprobs") is not True:
        return planned
    rng = _seed(spec, options, "logprobs:" + prompt)
    return completion.score(planned, rng, int(request.get("top_logprobs", 0)), bool(_temperature(spec, options)))


def _tool_calls(
    call: Call, declared: list[dict[str, Any]], messages: list[dict[str, Any]], prompt: str
) -> list[dict[str, Any]]:
    """The calls this answer makes: a scripted round, else a declared tool that fits the user's question."""
    if not declared:
        return []
    scripted = call.app.take_tool_round()
    if scripted is not None:
        return scripted
    return tools.choose(prompt, declared) if messages[-1].get("role") == "user" else []


def _content(
    call: Call,
    spec: ModelSpec,
    options: dict[str, Any],
    prompt: str,
    images: int,
    schema: Any,
    suffix: str,
    results: list[dict[str, Any]],
) -> str:
    """The answer's text: a scripted reply, else the server's responder's, else code to fill in, JSON for a
    format, what the tools returned (``results``: the ``tool`` messages the model answers now), or a few
    sentences."""
    scripted = call.app.take_scripted_reply()
    if scripted is not None:
        return scripted
    if call.app.responder is not None:
        return call.app.responder(prompt)
    rng = _seed(spec, options, prompt)
    if suffix:
        return text.fill_in_middle(rng, prompt, suffix)
    if schema is not None:
        return text.json_reply(rng, prompt, schema)
    if results:
        return tools.answer(results)
    return text.reply(rng, prompt, images)


def _thinking_text(spec: ModelSpec, think: str, options: dict[str, Any], prompt: str) -> str:
    if not think:
        return ""
    rng = _seed(spec, options, "think:" + prompt)
    return text.thinking(rng, prompt) if think == "on" else text.reasoning(rng, prompt, think)
