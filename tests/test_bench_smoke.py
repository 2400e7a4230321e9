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
    config = run.Config(
        runs=1,
        cases=(),
        long_answer=None,
        client_tokens=50,
        embed_texts=40,
        document_passages=1500,
        ingest_passages=40,
        browser=False,
    )
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
    retrieval, indexing = results.retrieval, results.indexing
    assert retrieval is not None and retrieval.passages == 1500 and retrieval.query_ms > 0
    assert retrieval.first_search_s > 0 and retrieval.after_add_s > 0 and retrieval.hybrid_ms > 0
    assert indexing is not None and (indexing.passages, indexing.requests) == (40, 2) and indexing.rate > 0
    assert "| retrieval over 1,500 passages, ms per question (1,500 passages × 768, numpy matrix in memory) |" in report
    assert "| ≤ 100 |" in report
    assert "| index a 40-passage file: passages/s (HTTP requests per 1,000 passages) |" in report
    assert "NDJSON stream" in run.terminal_table(results)


def test_browser_measurements_and_pages_import():
    for module in ("apps", "browser", "streaming", "rerun", "embeddings", "fake_process", "chat_box", "documents"):
        importlib.import_module(f"bench.{module}")
    for page in ("naive_app.py", "heatmap_app.py"):
        compile((BENCH / page).read_text(), page, "exec")


def test_gaps_run_from_an_answers_first_words_to_its_last():
    assert streaming.answer_gaps([0.5, 1.0, 1.2]) == pytest.approx([0.5, 0.2])
    assert streaming.answer_gaps([0.5]) == []


def test_every_page_has_its_answers_in_the_texts_asked_for():
    for tokens in (40, 400):
        for write in (texts.paragraph, texts.code):
            text = write(tokens)
            assert len(tokenize(text)) == tokens and "\n\n" not in text
