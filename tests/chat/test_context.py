"""The context window's figures (lib/chat/context.py): the window, the tokens in use, the estimate of a text, and
which messages Ollama left out of the last answer's prompt, worked out from the answers' recorded counts."""

from __future__ import annotations

import pytest

from lib.chat import context
from lib.chat.context import DEFAULT, LOADED, OPTION, PARAMETER, Use, Window
from lib.chat.history import ASSISTANT, USER, Message
from lib.ollama.stats import RunStats
from lib.ollama.stream import CUT_OFF


@pytest.mark.parametrize(
    ("known", "expected"),
    [
        ({"option": 8192, "loaded": 4096, "parameter": 2048, "trained": 131072}, Window(8192, OPTION, 131072)),
        ({"loaded": 4096, "parameter": 2048, "trained": 131072}, Window(4096, LOADED, 131072)),
        ({"parameter": 2048, "trained": 131072}, Window(2048, PARAMETER, 131072)),
        ({"trained": 131072}, Window(4096, DEFAULT, 131072)),
        ({}, Window(4096, DEFAULT, None)),
        ({"option": 65536, "trained": 2048}, Window(2048, OPTION, 2048, capped=True)),  # Ollama caps at the trained
        ({"trained": 512}, Window(512, DEFAULT, 512, capped=True)),
        ({"option": "lots", "loaded": 0, "parameter": 1024}, Window(1024, PARAMETER, None)),  # nonsense skipped
        ({"option": True, "loaded": 2048}, Window(2048, LOADED, None)),
    ],
)
def test_the_window_comes_from_the_chat_the_loaded_model_the_model_or_the_default(known, expected):
    assert context.window(**known) == expected


def test_only_the_default_is_said_to_be_approximate():
    assert context.window().approximate
    assert not context.window(parameter=2048).approximate


def test_the_server_reports_are_read_where_they_are():
    details = {
        "parameters": "stop <|eot_id|>\nnum_ctx 8192\ntemperature 0.7",
        "model_info": {"general.architecture": "gptoss", "gptoss.context_length": 131072, "x.context_length": 7},
    }
    assert (context.parameter_num_ctx(details), context.trained_length(details)) == (8192, 131072)
    assert context.trained_length({"model_info": {"llama.context_length": 2048}}) == 2048
    assert (context.parameter_num_ctx({}), context.trained_length({"model_info": "?"})) == (None, None)
    assert context.parameter_num_ctx({"parameters": "num_ctx ²"}) is None
    running = [{"name": "qwen3:0.6b", "context_length": 4096}, {"model": "llama3.2:latest"}]
    assert context.loaded_length(running, "qwen3:0.6b") == 4096
    assert context.loaded_length(running, "llama3.2:latest") is None  # an older server does not say
    assert context.loaded_length(running, "tinyllama:latest") is None


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("", 0),
        ("abcd", 1),
        ("Why is the sky blue?", 5),  # 20 characters
        ("天空为什么是蓝色的", 9),  # one a CJK character
        ("日本語のテキスト", 8),  # kana too
        ("hi 你好", 2 + 1),  # 2 CJK + 3 other characters
    ],
)
def test_a_text_is_estimated_by_its_script(text, tokens):
    assert context.estimate_tokens(text) == tokens


def answer(content: str, prompt: int | None, output: int | None, message_id: int, **fields) -> Message:
    return Message(
        ASSISTANT, content, stats=RunStats(prompt_tokens=prompt, output_tokens=output), id=message_id, **fields
    )


def test_in_use_is_the_last_answers_prompt_and_output():
    history = [Message(USER, "a", id=1), answer("b", 100, 20, 2), Message(USER, "c", id=3), answer("d", 150, 30, 4)]
    assert context.tokens_in_use(history) == 180
    assert context.tokens_in_use(history[:1]) is None
    assert context.tokens_in_use([*history, Message(USER, "e", id=5)]) == 180  # a question waiting: the last answer
    assert context.tokens_in_use([Message(ASSISTANT, "failed", id=6)]) is None


def test_the_warnings_before_a_question():
    use = Use(3500, Window(4096, DEFAULT))
    assert use.percent == 85 and not use.full
    assert not use.would_overflow()  # 3,500 + a typical question is within 90%
    assert Use(3700, Window(4096, DEFAULT)).would_overflow()
    assert not use.would_overflow("A short question?")
    assert use.would_overflow("word " * 600)  # 3,000 characters: about 750 tokens
    assert Use(5000, Window(4096, DEFAULT)).full


def word_text(count: int, start: int = 0) -> str:
    """``count`` words of three characters, each with its space about a token: ``count`` tokens, as estimated."""
    return " ".join(f"w{n % 100:02d}" for n in range(start, start + count))


def chat_of(turns: list[tuple[int, int, int]]) -> list[Message]:
    """A chat from (question tokens, prompt_eval_count, answer tokens) a turn; message ids from 1."""
    history: list[Message] = []
    for question, prompt, output in turns:
        history.append(Message(USER, word_text(question), id=len(history) + 1))
        history.append(answer(word_text(output), prompt, output, len(history) + 1))
    return history


def test_a_chat_that_fits_has_nothing_cut():
    # Each turn: the prompt grows by the previous answer and the new question, each with the template's 5.
    history = chat_of([(10, 40, 20), (10, 40 + 25 + 15, 20), (10, 80 + 25 + 15, 20)])
    assert context.truncation(history, 4096) is None
    assert context.truncation(history) is None


def test_the_oldest_messages_left_out_are_found_from_the_figures():
    # Window 160. The 4th prompt would be 130 + 25 + 15 = 170: Ollama dropped the first question (15 tokens,
    # with the template) and the first answer (25), so it counted 170 - 40 = 130.
    history = chat_of([(10, 50, 20), (10, 90, 20), (10, 130, 20), (10, 130, 20)])
    cut = context.truncation(history, 160)
    assert cut is not None and cut.unseen == (1, 2) and (cut.sent, cut.kept) == (170, 130) and cut.answer_id == 8


@pytest.mark.parametrize(
    ("kept", "unseen"),
    [
        (170 - 15, (1,)),  # the first question only
        (170 - 40, (1, 2)),
        (170 - 55, (1, 2, 3)),
        (170 - 80, (1, 2, 3, 4)),
        (170 - 97, (1, 2, 3, 4, 5)),  # the closest boundary (95), within the estimate's error
    ],
)
def test_as_many_oldest_messages_as_make_up_the_difference(kept, unseen):
    history = chat_of([(10, 50, 20), (10, 90, 20), (10, 130, 20), (10, kept, 20)])
    cut = context.truncation(history, 160)
    assert cut is not None and cut.unseen == unseen


def test_a_prompt_smaller_than_the_window_is_not_taken_for_a_cut():
    """A server that counts only the tokens it did not have cached reports small prompts; Ollama cuts only a
    prompt that does not fit, so well inside the window a smaller count is not a cut."""
    history = chat_of([(10, 50, 20), (10, 90, 20), (10, 130, 20), (10, 20, 20)])
    assert context.truncation(history, 4096) is None
    assert context.truncation(history, 160) is not None


def test_only_the_last_answer_counts_and_a_cut_turn_carries_its_full_size_on():
    # Turn 4 was cut (130 of 170); turn 5 is cut again: 170 + 25 + 15 = 210 sent, 130 kept: 80 tokens dropped.
    history = chat_of([(10, 50, 20), (10, 90, 20), (10, 130, 20), (10, 130, 20), (10, 130, 20)])
    cut = context.truncation(history, 160)
    assert cut is not None and cut.unseen == (1, 2, 3, 4) and cut.sent == 210
    # A new question waiting for its answer: the last answer's cut still stands.
    assert context.truncation([*history, Message(USER, "next", id=99)], 160) == cut
    # The last answer without figures (stopped): nothing can be said of it.
    assert context.truncation([*history, Message(USER, "next", id=99), Message(ASSISTANT, "x", id=100)], 160) is None


def test_answers_are_counted_by_their_figures_and_estimated_when_they_have_none():
    thinking = answer(word_text(20), 90, 120, 4, thinking="long reasoning " * 40)  # eval_count holds the thinking
    cut_off = answer(word_text(20), 90, 999, 4, status=CUT_OFF)
    plain = answer(word_text(20), 90, 20, 4)
    for second in (thinking, cut_off, plain):
        history = [
            *chat_of([(10, 50, 20)]),
            Message(USER, word_text(10), id=3),
            second,
            Message(USER, word_text(10), id=5),
            answer("ok", 90, 2, 6),
        ]
        cut = context.truncation(history, 100)
        assert cut is not None and cut.unseen == (1, 2) and cut.sent == 130


def test_empty_failed_answers_were_never_sent_and_grounded_answers_are_left_alone():
    history = chat_of([(10, 50, 20)])
    history += [Message(USER, word_text(10), id=3), Message(ASSISTANT, "", status="failed", id=4)]
    history += [Message(USER, word_text(10), id=5), answer("ok", 105 - 40, 2, 6)]  # 50 + 25 + 15 + 15, 40 dropped
    cut = context.truncation(history, 60)
    assert cut is not None and cut.unseen == (1, 2)
    history[-1].grounding = object()  # type: ignore[assignment]
    assert context.truncation(history, 60) is None
