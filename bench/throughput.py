"""NDJSON streaming throughput: our client against the official ``ollama`` client, same stream.

Both read ``/api/generate`` with ``stream: true``, one long answer, alternating which client
goes first, from two sources: the fake itself at token_delay 0 (one flushed chunk per line,
so the server's writing caps the rate for both), and the fake's recorded response replayed in
one write (the client is the only bottleneck). The consuming thread's CPU time
(``time.thread_time``) is the client's own cost per token: the servers run in another process.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

import ollama

from bench.fake_process import FakeServer
from bench.texts import answer
from lib.ollama.client import OllamaClient

MODEL = "llama3.2:latest"


@dataclass(frozen=True)
class ClientRun:
    client: str
    tokens: int
    wall: float
    cpu: float

    @property
    def tokens_per_second(self) -> float:
        return self.tokens / self.wall

    @property
    def cpu_per_token(self) -> float:
        return self.cpu / self.tokens


def _ours(url: str) -> int:
    client = OllamaClient(url)
    try:
        return sum(1 for chunk in client.generate_stream(MODEL, "Benchmark") if not chunk.get("done"))
    finally:
        client.close()


def _official(url: str) -> int:
    client = ollama.Client(host=url)
    return sum(1 for chunk in client.generate(model=MODEL, prompt="Benchmark", stream=True) if not chunk.done)


CLIENTS = {"ours": _ours, "ollama": _official}


def run_once(fake: FakeServer, name: str, tokens: int, replay_url: str | None = None) -> ClientRun:
    """One stream from the fake (scripted with ``tokens`` tokens), or from ``replay_url``."""
    if replay_url is None:
        fake.control.set_token_delay(0.0)
        fake.control.script_reply(answer(tokens))
    wall, cpu = time.perf_counter(), time.thread_time()
    received = CLIENTS[name](replay_url or fake.url)
    cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
    if received != tokens:
        raise RuntimeError(f"{name} client read {received} tokens, expected {tokens}")
    return ClientRun(name, tokens, wall, cpu)


@dataclass(frozen=True)
class Comparison:
    ours: list[ClientRun]
    official: list[ClientRun]

    @property
    def ratio(self) -> float:
        """Our median tokens/s over the official client's (≥ 1: we are at least as fast)."""
        return statistics.median(r.tokens_per_second for r in self.ours) / statistics.median(
            r.tokens_per_second for r in self.official
        )

    @property
    def cpu_ratio(self) -> float:
        """The official client's median CPU per token over ours (≥ 1: we spend less)."""
        return statistics.median(r.cpu_per_token for r in self.official) / statistics.median(
            r.cpu_per_token for r in self.ours
        )


def compare(fake: FakeServer, tokens: int, runs: int, *, replay: bool = False) -> Comparison:
    """``runs`` streams per client, from the fake or (``replay``) from its recorded response."""
    replay_url = None
    if replay:
        fake.control.set_token_delay(0.0)
        fake.control.script_reply(answer(tokens))
        replay_url = fake.control.record_replay("/api/generate", {"model": MODEL, "prompt": "Benchmark"})
    ours, official = [], []
    for name in CLIENTS:  # warm up imports and code paths
        run_once(fake, name, min(tokens, 100) if replay_url is None else tokens, replay_url)
    for attempt in range(runs):
        order = ("ours", "ollama") if attempt % 2 == 0 else ("ollama", "ours")
        for name in order:
            (ours if name == "ours" else official).append(run_once(fake, name, tokens, replay_url))
    return Comparison(ours, official)
