"""Embedding 1,000 texts through the Embeddings page's batching code, and drawing a 200×200 heatmap.

The embedding runs :func:`lib.embeddings.cache.embed_all` here, against the fake in its own
process, with a fresh cache each time; requests are counted in the fake's log. The heatmap is
drawn by bench/heatmap_app.py (lib/embeddings/charts.py, as the Embeddings page calls it) and
timed in the browser from the click on Draw to the frame after the chart's n×n cells are in the page.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

from playwright.sync_api import Browser

from bench.browser import Probe
from bench.fake_process import FakeServer
from lib.embeddings.cache import EmbedSettings, VectorCache, embed_all
from lib.ollama.client import OllamaClient

MODEL = "nomic-embed-text:latest"


@dataclass(frozen=True)
class EmbedRun:
    texts: int
    requests: int
    wall: float


def embed_once(fake: FakeServer, texts: int) -> EmbedRun:
    items = [
        f"Benchmark text {i}: {('a short note', 'a longer sentence about something else', 'x')[i % 3]}"
        for i in range(texts)
    ]
    client = OllamaClient(fake.url)
    fake.control.clear_log()
    try:
        started = time.perf_counter()
        embedded = embed_all(client, EmbedSettings(MODEL), items, VectorCache())
        wall = time.perf_counter() - started
    finally:
        client.close()
    if embedded.vectors.shape[0] != texts:
        raise RuntimeError("wrong number of vectors")
    return EmbedRun(texts, len(fake.control.exchanges("/api/embed")), wall)


# Resolves with the ms between the click and the next frame after all n×n cells are in the chart
# (Streamlit's Vega charts render SVG: one path per cell in the rect mark's group).
_DRAW = """
(cells) => new Promise((resolve) => {
  const drawn = () => {
    const group = document.querySelector('.vega-embed svg.marks g.mark-rect');
    return group !== null && group.childElementCount >= cells;
  };
  const started = performance.now();
  const observer = new MutationObserver(() => {
    if (drawn()) { observer.disconnect(); requestAnimationFrame(() => resolve(performance.now() - started)); }
  });
  observer.observe(document.body, {childList: true, subtree: true, attributes: true});
  [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Draw').click();
})
"""


@dataclass(frozen=True)
class HeatmapRun:
    seconds: float  # click to chart drawn
    main_thread: float  # seconds of main-thread work meanwhile


def heatmap_once(browser: Browser, url: str, size: int) -> HeatmapRun:
    with Probe(browser) as probe:
        page = probe.page
        page.goto(url)
        page.get_by_role("button", name="Draw").wait_for()
        probe.wait_for_run(0, quiet=0.5)
        before = probe.main_thread()
        seconds = page.evaluate(_DRAW, size * size) / 1000
        after = probe.main_thread()
    return HeatmapRun(seconds, after["TaskDuration"] - before["TaskDuration"])


def median(values: list[float]) -> float:
    return statistics.median(values)
