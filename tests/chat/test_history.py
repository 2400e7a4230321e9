"""Pure chat helpers: stats, titles, the messages we send, pairs."""

from __future__ import annotations

import pytest

from lib.chat.history import (
    ASSISTANT,
    FAILED,
    USER,
    Message,
    Stats,
    api_messages,
    describe_stats,
    needs_answer,
    pair_ids,
    stats_from_final,
    strip_data_url,
    title_from,
)


def test_stats_from_the_final_object_are_in_seconds_and_tokens_per_second():
    final = {
        "eval_count": 50,
        "eval_duration": 2_000_000_000,
        "load_duration": 1_500_000_000,
        "prompt_eval_count": 12,
        "total_duration": 4_000_000_000,
    }
    stats = stats_from_final(final, first_token=1.7)
    assert stats == Stats(first_token=1.7, tokens=50, tokens_per_second=25.0, load=1.5, prompt_tokens=12, total=4.0)


@pytest.mark.parametrize(
    ("final", "expected"),
    [
        ({}, Stats(first_token=0.2)),
        ({"eval_count": 0, "eval_duration": 0, "load_duration": 0}, Stats(first_token=0.2, tokens=0)),
        (None, Stats(first_token=0.2)),
    ],
)
def test_missing_or_zero_figures_are_left_out_not_divided(final, expected):
    assert stats_from_final(final, 0.2) == expected


@pytest.mark.parametrize(
    ("stats", "text"),
    [
        (
            Stats(first_token=0.25, tokens=40, tokens_per_second=20.0),
            "first token after 250 ms · 40 tokens · 20.0 tokens/s",
        ),
        (
            Stats(first_token=3.0, tokens=5, tokens_per_second=10.0, load=2.5),
            "first token after 3.0 s · 5 tokens · 10.0 tokens/s · model load 2.5 s",
        ),
        (Stats(tokens=5, load=0.0), "5 tokens"),
        (None, ""),
    ],
)
def test_describe_stats_mentions_load_only_when_there_was_one(stats, text):
    assert describe_stats(stats) == text


@pytest.mark.parametrize(
    ("text", "images", "title"),
    [
        ("Why is the sky blue?", 0, "Why is the sky blue?"),
        ("  first line\nsecond line ", 0, "first line second line"),
        ("word " * 30, 0, ("word " * 12).strip() + "…"),
        ("x" * 80, 0, "x" * 60 + "…"),
        ("", 2, "Image"),
        ("   ", 0, "New chat"),
    ],
)
def test_titles_come_from_the_first_message(text, images, title):
    assert title_from(text, images) == title


def test_api_messages_send_the_whole_history_with_system_first_and_skip_empty_failures():
    history = [
        Message(USER, "hi", images=["data:image/png;base64,iVBORw0KGgo="]),
        Message(ASSISTANT, "hello", thinking="they greeted me"),
        Message(USER, "and?"),
        Message(ASSISTANT, "", status=FAILED, error="Nothing is answering."),
        Message(USER, "again"),
    ]
    assert api_messages("Be brief.", history) == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "hi", "images": ["iVBORw0KGgo="]},
        {"role": "assistant", "content": "hello"},
        {"role": "user", "content": "and?"},
        {"role": "user", "content": "again"},
    ]
    assert api_messages("  ", history[:1])[0]["role"] == "user"


@pytest.mark.parametrize(
    ("image", "plain"),
    [("data:image/jpeg;base64,/9j/4AAQ", "/9j/4AAQ"), ("/9j/4AAQ", "/9j/4AAQ"), (" iVBOR \n", "iVBOR")],
)
def test_strip_data_url(image, plain):
    assert strip_data_url(image) == plain


def test_pairs_and_missing_answers():
    history = [Message(USER, "a", id=1), Message(ASSISTANT, "b", id=2), Message(USER, "c", id=3)]
    assert pair_ids(history, 1) == [1, 2]
    assert pair_ids(history, 3) == [3]
    assert pair_ids(history, 9) == []
    assert needs_answer(history)
    assert not needs_answer(history[:2])
    assert not needs_answer([])
