"""The benchmark (`python -m bench`) still runs: its cheapest measurements at tiny sizes.

Structure only (numbers present and positive), never speed: the machine is shared and noisy,
and timings belong in BENCHMARKS.md, not in assertions.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from bench import run, streaming, texts
from tests.fake_ollama.text import tokenize

BENCH = Path(__file__).resolve().parents[1] / "bench"


def test_answers_have_exactly_the_tokens_asked_for():
    for tokens in (1, 37, 400):
        text = texts.answer(tokens, seed=tokens)
        assert len(tokenize(text)) == tokens
        page_text = text.replace("\n\n", "")  # what the page's textContent holds, paragraphs in separate elements
        assert "".join(page_text.split()).endswith(texts.tail(text))


def test_client_and_embedding_measurements_run_and_render(tmp_path):
    config = run.Config(runs=1, rates=(), client_tokens=50, embed_texts=40, browser=False)
    results = run.measure(config, say=lambda line: None)

    for comparison in (results.clients, results.replayed):
        assert comparison is not None
        for measured in (*comparison.ours, *comparison.official):
            assert measured.tokens == 50 and measured.wall > 0 and measured.cpu > 0
        assert comparison.ratio > 0 and comparison.cpu_ratio > 0
    assert [(e.texts, e.requests) for e in results.embeds] == [(40, 2)]
    assert results.embeds[0].wall > 0

    output = tmp_path / "BENCHMARKS.md"
    run.write(results, output)
    report = output.read_text()
    assert "python -m bench" in report and "CPUs (`nproc`)" in report
    assert "| NDJSON stream (from the fake, 50 tokens): our client's tokens/s ÷ `ollama` client's |" in report
    assert "| NDJSON stream (replayed in one write, 50 tokens)" in report
    assert "| embed 40 texts: HTTP requests / wall s | 2 / " in report
    assert "NDJSON stream" in run.terminal_table(results)


def test_browser_measurements_and_pages_import():
    for module in ("apps", "browser", "streaming", "rerun", "embeddings", "fake_process", "chat_box"):
        importlib.import_module(f"bench.{module}")
    for page in ("naive_app.py", "heatmap_app.py", "live_markdown_app.py", "floor_app.py"):
        compile((BENCH / page).read_text(), page, "exec")


def test_longest_pause_counts_the_wait_for_the_first_words_and_for_the_last():
    assert streaming.longest_pause([0.5, 1.0, 1.2], started=0.3, done=2.0) == pytest.approx(0.8)
    assert streaming.longest_pause([0.1, 0.9], started=0.3, done=1.0) == pytest.approx(0.6)  # the question came before
    assert streaming.longest_pause([], started=0.0, done=3.0) == pytest.approx(3.0)  # drawn once, at the end
