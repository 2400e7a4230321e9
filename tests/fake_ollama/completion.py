"""Running a completion for /api/generate and /api/chat: load, tokens, timing, final stats.

Durations are nanoseconds and add up like Ollama's: total >= load + prompt eval
+ eval. Eval time is the real time spent streaming (so `token_delay` shows up
in tokens/s); a cold load adds a simulated disk read (size / 2 GB/s) without
actually sleeping; prompt evaluation is simulated at 4000 tokens/s.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass, replace
from typing import Any, Protocol

from . import decoding, gowire, logprobs
from .apierror import ApiError
from .call import Call
from .catalog import ModelSpec
from .store import DEFAULT_KEEP_ALIVE_NS, DEFAULT_NUM_CTX
from .text import tokenize

PROMPT_EVAL_NS_PER_TOKEN = 250_000
LOAD_BYTES_PER_SECOND = 2_000_000_000


@dataclass(frozen=True)
class Plan:
    """The tokens to emit, each tagged "thinking" or "content", and why generation stops.

    ``scores`` (when logprobs were asked for) holds each piece's ``api.Logprob`` entries (one per model
    token, see logprobs.model_tokens), None for thinking.
    ``tool_calls`` are ``message.tool_calls`` entries sent after the pieces; the model wrote
    ``call_tokens`` tokens for them (they count in ``eval_count``).
    """

    pieces: tuple[tuple[str, str], ...]
    done_reason: str
    scores: tuple[list[dict[str, Any]] | None, ...] = ()
    tool_calls: tuple[dict[str, Any], ...] = ()
    call_tokens: int = 0

    def text(self, kind: str) -> str:
        return "".join(token for piece_kind, token in self.pieces if piece_kind == kind)

    def score(self, index: int) -> list[dict[str, Any]] | None:
        return self.scores[index] if self.scores else None

    def content_scores(self) -> list[dict[str, Any]]:
        return [entry for entries in self.scores if entries is not None for entry in entries]


def plan(thinking: str, content: str, options: dict[str, Any], tool_calls: tuple[dict[str, Any], ...] = ()) -> Plan:
    """Apply options.stop (cut before the first stop string) and options.num_predict (token cap).

    Tool calls are written after the thinking; a cap reached before they are complete loses them.
    """
    reason = "stop"
    stops = [stop for stop in options.get("stop") or [] if stop]
    cuts = [content.find(stop) for stop in stops if stop in content]
    if cuts:
        content = content[: min(cuts)]
    pieces = [("thinking", token) for token in tokenize(thinking)] + [("content", token) for token in tokenize(content)]
    call_tokens = len(tokenize(json.dumps(tool_calls))) if tool_calls else 0
    limit = options.get("num_predict")
    if isinstance(limit, (int, float)) and limit > 0 and len(pieces) + call_tokens > limit:
        return Plan(tuple(pieces[: int(limit)]), "length")
    return Plan(tuple(pieces), reason, tool_calls=tool_calls, call_tokens=call_tokens)


def fit(planned: Plan, prompt_tokens: int, context: int) -> tuple[Plan, int]:
    """A prompt that fills the context window leaves no room to answer: Ollama truncates it to the
    window, evaluates that, and stops at once with an empty answer and done_reason "length"."""
    if prompt_tokens < context:
        return planned, prompt_tokens
    return Plan((), "length"), context


def score(planned: Plan, rng: random.Random, top: int, sampled: bool) -> Plan:
    """Give each content token its logprobs (``logprobs: true``); thinking tokens get none, as the spec wants."""
    content = [token for kind, token in planned.pieces if kind == "content"]
    scored = iter(logprobs.scores(rng, content, top, sampled))
    return replace(planned, scores=tuple(next(scored) if kind == "content" else None for kind, _ in planned.pieces))


@dataclass(frozen=True)
class Loaded:
    """How long getting the model into memory took: measured, plus the simulated disk read when cold."""

    measured_ns: int
    simulated_ns: int

    @property
    def load_duration(self) -> int:
        return self.measured_ns + self.simulated_ns


def keep_alive(request: dict[str, Any]) -> int:
    """The request's keep_alive in nanoseconds (already validated by decoding), or the 5 minute default."""
    if "keep_alive" not in request:
        return DEFAULT_KEEP_ALIVE_NS
    return gowire.keep_alive_ns(request["keep_alive"])


def options(request: dict[str, Any]) -> dict[str, Any]:
    """The request's options, refused with a 500 where api.Options.FromMap would refuse them."""
    requested = request.get("options", {})
    if (message := decoding.option_error(requested)) is not None:
        raise ApiError(500, message)
    return requested


def context_size(spec: ModelSpec, options: dict[str, Any]) -> int:
    model_default = dict(spec.parameters).get("num_ctx", DEFAULT_NUM_CTX)
    requested = options.get("num_ctx") or model_default
    return int(min(requested, spec.context_length))


SIGNIN_URL = "https://ollama.com/connect?name=fake-ollama&key=c3NoLWVkMjU1MTkgQUFBQUMzTnphQzFsWkRJMU5URTVBQUFBSQ"


def load(call: Call, spec: ModelSpec, options: dict[str, Any], keep_alive_ns: int) -> Loaded:
    """Load ``spec`` for a request; a cloud model is not loaded here, and needs a signed-in server."""
    crash = call.app.broken_models.get(spec.name.short)
    if crash is not None:
        raise ApiError(500, crash, "text/plain; charset=utf-8", plain=True)
    if spec.remote:
        if not call.app.signed_in:
            raise ApiError(401, "unauthorized", extra={"signin_url": SIGNIN_URL})
        return Loaded(max(time.monotonic_ns() - call.started_ns, 1), 0)
    cold = call.app.store.load(spec, context_size(spec, options), keep_alive_ns)
    simulated = spec.size * 1_000_000_000 // LOAD_BYTES_PER_SECOND if cold else 0
    return Loaded(max(time.monotonic_ns() - call.started_ns, 1), simulated)


@dataclass(frozen=True)
class Stats:
    total_duration: int
    load_duration: int
    prompt_eval_count: int
    prompt_eval_duration: int
    eval_count: int
    eval_duration: int

    def fields(self) -> dict[str, int]:
        """Go's `omitempty`: zero values are left out."""
        return {name: value for name, value in vars(self).items() if value}


class Shape(Protocol):
    """How one endpoint words its lines."""

    def chunk(self, kind: str, token: str, score: list[dict[str, Any]] | None) -> dict[str, Any]: ...

    def calls(self, tool_calls: tuple[dict[str, Any], ...]) -> dict[str, Any]:
        """The one streamed chunk with every tool call (only chat plans tool calls)."""
        ...

    def final(self, done_reason: str, stats: Stats, whole: Plan | None) -> dict[str, Any]:
        """The ``done`` object: after a stream (``whole`` None) it carries no text; alone it carries all of it."""
        ...


def run(call: Call, shape: Shape, planned: Plan, *, prompt_tokens: int, loaded: Loaded, stream: bool) -> None:
    """Emit the planned tokens (streamed, or all at once at the end) and the final statistics."""
    exchange = call.exchange
    generation_started = time.monotonic_ns()
    if stream:
        exchange.open_stream()
    for index, (kind, token) in enumerate(planned.pieces):
        if call.app.token_delay > 0:
            exchange.pause(call.app.token_delay)
        if stream:
            exchange.send_line(shape.chunk(kind, token, planned.score(index)))
    if planned.tool_calls and stream:
        exchange.send_line(shape.calls(planned.tool_calls))
    now = time.monotonic_ns()
    prompt_eval = prompt_tokens * PROMPT_EVAL_NS_PER_TOKEN
    stats = Stats(
        total_duration=now - call.started_ns + loaded.simulated_ns + prompt_eval,
        load_duration=loaded.load_duration,
        prompt_eval_count=prompt_tokens,
        prompt_eval_duration=prompt_eval,
        eval_count=len(planned.pieces) + planned.call_tokens,
        eval_duration=max(now - generation_started, 1),
    )
    if stream:
        exchange.send_line(shape.final(planned.done_reason, stats, None), final=True)
        exchange.close_stream()
    else:
        exchange.send_json(200, shape.final(planned.done_reason, stats, planned))
