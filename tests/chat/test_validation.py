"""The conversation file's strict schema (lib/chat/validation.py): the first problem named with where it is,
and the lenient readers of what a saved chat holds."""

from __future__ import annotations

import base64
import json
import math

import pytest

from lib import i18n
from lib.chat import validation
from lib.chat.validation import FORMAT, Invalid, Problem
from lib.ollama.stats import RunStats
from tests.chat.conftest import PNG_BASE64, picture

SVG = base64.b64encode(
    b'<svg xmlns="http://www.w3.org/2000/svg"><image href="https://tracker.example/x"/></svg>'
).decode()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def document(**changes) -> dict:
    """A valid file (one question, one answer), with ``changes`` made at the top level."""
    file = {
        "format": FORMAT,
        "version": 1,
        "title": "Sky",
        "model": "llava:7b",
        "system": "Be brief.",
        "options": {"temperature": 0.7, "seed": 3, "stop": ["###"]},
        "keep_alive": "5m",
        "think": False,
        "created_at": 1_700_000_000.0,
        "messages": [
            {"role": "user", "content": "What is this?", "images": [PNG_BASE64], "created_at": 1_700_000_001},
            {
                "role": "assistant",
                "content": "A square.",
                "stats": {"time_to_first_token": 0.2, "output_tokens": 3, "first_token_measured": True},
                "model": "llava:7b",
                "created_at": 1_700_000_002,
            },
        ],
    }
    file.update(changes)
    return file


def with_message(**changes) -> dict:
    """A valid file whose first message has ``changes``."""
    file = document()
    file["messages"][0].update(changes)
    return file


def problem_of(data: str | bytes | dict) -> Problem:
    text = json.dumps(data) if isinstance(data, dict) else data
    with pytest.raises(Invalid) as caught:
        validation.conversation_file(validation.parse(text))
    return caught.value.problem


def sentence(data: str | bytes | dict) -> str:
    return validation.describe(problem_of(data))


# What a valid file gives


def test_a_valid_file_gives_its_conversation_and_messages():
    conversation, messages = validation.conversation_file(validation.parse(json.dumps(document())))
    assert (conversation.title, conversation.model, conversation.system, conversation.keep_alive) == (
        "Sky",
        "llava:7b",
        "Be brief.",
        "5m",
    )
    assert conversation.options == {"temperature": 0.7, "seed": 3, "stop": ["###"]}
    assert conversation.created_at == 1_700_000_000.0
    assert [(m.role, m.content, m.images) for m in messages] == [
        ("user", "What is this?", [PNG_BASE64]),
        ("assistant", "A square.", []),
    ]
    assert messages[1].stats == RunStats(time_to_first_token=0.2, output_tokens=3, first_token_measured=True)


@pytest.mark.parametrize("kind", ["PNG", "JPEG", "WEBP"])
def test_png_jpeg_and_webp_images_are_accepted_with_or_without_a_data_prefix(kind):
    plain = b64(picture(kind, (3, 2)))
    _, messages = validation.conversation_file(
        validation.parse(json.dumps(with_message(images=[plain, f"data:image/{kind.lower()};base64,{plain}"])))
    )
    assert messages[0].images == [plain, plain]


def test_whole_number_parameters_may_be_written_as_floats_and_are_kept_as_whole_numbers():
    conversation, _ = validation.conversation_file(validation.parse(json.dumps(document(options={"seed": 3.0}))))
    assert conversation.options == {"seed": 3} and isinstance(conversation.options["seed"], int)


@pytest.mark.parametrize("think", [True, False, "low", "medium", "high", "max"])
def test_a_chat_file_keeps_its_think_value_max_included(think):
    conversation, _ = validation.conversation_file(validation.parse(json.dumps(document(think=think))))
    assert conversation.think == think


def test_missing_and_null_fields_take_their_defaults():
    conversation, messages = validation.conversation_file(
        {"format": FORMAT, "version": 1, "title": None, "messages": [{"role": "user"}]}
    )
    assert (conversation.title, conversation.options, conversation.keep_alive, conversation.think) == (
        "",
        {},
        None,
        False,
    )
    assert (messages[0].content, messages[0].images, messages[0].status) == ("", [], "done")


# The files (issue 17, item 6): each crashed the Chat page or gave a raw error page


@pytest.mark.parametrize(
    ("data", "where", "text"),
    [
        (document(options={"stop": [1, 2]}), ("options", "stop", 0), "At options.stop, item 1: must be text."),
        (
            document(options={"temperature": "hot"}),
            ("options", "temperature"),
            "At options.temperature: must be a number.",
        ),
        (document(options={"temperature": {"x": 1}}), ("options", "temperature"), "must be a number."),
        (
            with_message(images=[SVG]),
            ("messages", 0, "images", 0),
            "At message 1, image 1: is not a PNG, JPEG or WebP image.",
        ),
        (document(created_at=1e300), ("created_at",), "At created\\_at: must be a time in seconds since 1970"),
    ],
)
def test_the_files_that_broke_chat_are_refused_naming_where(data, where, text):
    problem = problem_of(data)
    assert problem.where == where
    assert text in validation.describe(problem)


def test_nan_is_refused_where_it_is_not_as_a_database_error():
    data = json.dumps(document()).replace('"created_at": 1700000000.0', '"created_at": NaN')
    assert sentence(data) == "At created\\_at: must be a finite number (NaN and Infinity are not numbers)."
    data = json.dumps(document()).replace('"created_at": 1700000002', '"created_at": -Infinity')
    assert sentence(data).startswith("At message 2, created\\_at: must be a finite number")


def test_nesting_two_hundred_thousand_levels_deep_is_a_sentence_not_a_recursion_error():
    deep = '{"format": "%s", "version": 1, "messages": %s}' % (FORMAT, "[" * 200_000 + "]" * 200_000)
    assert sentence(deep).startswith("This file is nested too deeply to be a conversation")


def test_a_lone_surrogate_is_refused_as_invalid_unicode():
    data = json.dumps(document(title="Sky \ud800"))
    assert '"Sky \\ud800"' in data
    assert sentence(data) == "At title: contains a character that is not valid Unicode (a lone surrogate)."
    data = json.dumps(with_message(content="x\udfff"))
    assert sentence(data).startswith("At message 1, content: contains a character that is not valid Unicode")


# Types, ranges and sizes


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("", "This file is not JSON."),
        (b"\xff\xfe\xfa", "This file is not JSON."),
        ('{"format": "%s", "version": 1, "messages": [], "created_at": %s}' % (FORMAT, "9" * 5000), "too long to read"),
        (document(version=True), "format version True;"),
        (document(version="1"), "format version '1';"),
        (document(messages={"a": 1}), "At messages: must be a list."),
        (document(surprise=1), "At surprise: is not part of an Ollama Studio conversation."),
        (document(think="yes"), "At think: must be true, false or a level (low, medium, high, max)."),
        (document(model=["llama"]), "At model: must be text."),
        (document(title="x" * 1001), "At title: is longer than 1,000 characters."),
        (document(options={"temperature": 2.5}), "At options.temperature: must be a number from 0 to 2."),
        (document(options={"temperature": True}), "At options.temperature: must be a number."),
        (document(options={"top_k": 40.5}), "At options.top\\_k: must be a whole number from 1 to 1,000."),
        (document(options={"seed": 10**400}), "At options.seed: must be a whole number from 0 to 2,147,483,647."),
        (document(options={"num_ctx": 100}), "At options.num\\_ctx: must be a whole number from 256 to 1,048,576."),
        (
            document(options={"mirostat": 1}),
            "At options.mirostat: is not a parameter this app sets (it sets temperature",
        ),
        (document(options={"stop": "###"}), "At options.stop: must be a list of texts."),
        (document(options={"stop": ["x"] * 51}), "At options.stop: has more than 50 items."),
        (document(keep_alive="soon"), "At keep\\_alive: must be a duration such as 5m, or a whole number of seconds."),
        (document(keep_alive=1.5), "At keep\\_alive: must be a duration"),
        (document(keep_alive=False), "At keep\\_alive: must be a duration"),
        (document(created_at="yesterday"), "At created\\_at: must be a number."),
        (document(created_at=-1), "At created\\_at: must be a time in seconds since 1970"),
        (document(created_at=10**400), "At created\\_at: must be a time in seconds since 1970"),
        (document(messages=[{"role": "user"}] * 10_001), "At messages: has more than 10,000 messages."),
        (document(messages=["hi"]), "At message 1: must be an object."),
        (with_message(role=None), 'At message 1, role: must be "user" or "assistant".'),
        (with_message(extra=True), "At message 1, extra: is not part of an Ollama Studio conversation."),
        (with_message(content="x" * 1_000_001), "At message 1, content: is longer than 1,000,000 characters."),
        (with_message(error={"text": "x"}), "At message 1, error: must be text."),
        (with_message(stats=[1]), "At message 1, stats: must be an object."),
        (with_message(stats={"output_tokens": "3"}), "At message 1, stats.output\\_tokens: must be a number."),
        (with_message(stats={"output_tokens": 2.5}), "At message 1, stats.output\\_tokens: must be a whole number"),
        (with_message(stats={"load_time": -1}), "At message 1, stats.load\\_time: must be a number from 0 to"),
        (with_message(stats={"first_token_measured": 1}), "stats.first\\_token\\_measured: must be true or false."),
        (with_message(stats={"speed": 1}), "At message 1, stats.speed: is not part of an Ollama Studio conversation."),
        (with_message(images=PNG_BASE64), "At message 1, images: must be a list."),
        (with_message(images=[PNG_BASE64] * 21), "At message 1, images: has more than 20 items."),
        (with_message(images=[7]), "At message 1, image 1: must be base64 text."),
        (with_message(images=[PNG_BASE64, "not base64!"]), "At message 1, image 2: is not valid base64."),
        (with_message(images=[b64(picture("GIF"))]), "At message 1, image 1: is not a PNG, JPEG or WebP image."),
        (with_message(images=[b64(b"hello")]), "At message 1, image 1: is not a PNG, JPEG or WebP image."),
        (
            with_message(images=[b64(picture("PNG", (64, 64))[:-30])]),
            "At message 1, image 1: is a PNG image that cannot be decoded (damaged or cut short).",
        ),
        (
            with_message(images=[b64(picture("JPEG", (64, 64))[:200])]),
            "At message 1, image 1: is a JPEG image that cannot be decoded",
        ),
        (with_message(images=[b64(b"RIFF\x10\x00\x00\x00WEBPVP8 junk")]), "is a WEBP image that cannot be decoded"),
    ],
)
def test_each_rule_names_the_first_problem(data, text):
    assert text in sentence(data)


def test_an_image_of_too_many_pixels_is_refused_before_it_is_decoded(monkeypatch):
    monkeypatch.setattr(validation, "MAX_MEGAPIXELS", 0.01)  # 10,000 pixels
    assert validation.image_bytes(b64(picture("PNG", (100, 100))))
    with pytest.raises(Invalid) as caught:
        validation.image_bytes(b64(picture("PNG", (101, 100))))
    assert validation.describe(caught.value.problem) == "has more than 0.01 million pixels"


def test_an_image_over_the_size_limit_is_refused_before_it_is_decoded(monkeypatch):
    monkeypatch.setattr(validation, "MAX_IMAGE_BYTES", 100)
    with pytest.raises(Invalid) as caught:
        validation.image_bytes(b64(b"\x89PNG\r\n\x1a\n" + bytes(200)))
    assert caught.value.problem.key == "chat_import.image_too_large"


def test_a_key_from_the_file_is_shown_cut_escaped_and_as_valid_text():
    text = sentence(document(**{"![x](https://tracker.example/p.png)" + "y" * 60: 1}))
    assert "![" not in text and "!\\[x\\]" in text and "…: is not part" in text
    text = sentence(document(**{"bad\ud800key": 1}))
    assert "bad\\\\ud800key" in text
    text.encode("utf-8")


def test_the_sentences_are_in_the_sessions_language(monkeypatch):
    monkeypatch.setattr(i18n, "language", lambda: "zh")
    assert sentence(with_message(images=[SVG])) == "第 1 条消息，第 1 张图片：不是 PNG、JPEG 或 WebP 图片。"
    assert sentence(document(options={"stop": [1]})) == "options.stop，第 1 项：必须是文本。"


@pytest.mark.parametrize(
    ("where", "text"),
    [
        ((), ""),
        (("title",), "title"),
        (("options", "temperature"), "options.temperature"),
        (("options", "stop", 1), "options.stop, item 2"),
        (("messages", 2), "message 3"),
        (("messages", 2, "images", 0), "message 3, image 1"),
        (("messages", 0, "stats", "load_time"), "message 1, stats.load\\_time"),
        (("images", 3), "image 4"),
    ],
)
def test_where_reads_as_people_count(where, text):
    assert validation.where_text(where) == text


# What a saved chat holds: valid parts kept, the rest named


def test_saved_options_keep_what_is_valid_and_name_the_rest():
    options, problems = validation.stored_options(
        {"temperature": "hot", "seed": 7, "stop": [1], "top_p": 0.5, "num_ctx": math.inf, "mirostat": 1}
    )
    assert options == {"seed": 7, "top_p": 0.5}
    assert [problem.where for problem in problems] == [
        ("options", "temperature"),
        ("options", "stop", 0),
        ("options", "num_ctx"),
        ("options", "mirostat"),
    ]
    assert validation.stored_options([1]) == ({}, [Problem(("options",), "chat_import.must_be_object")])


def test_saved_figures_keep_what_is_valid_and_name_the_rest():
    stats, problems = validation.stored_stats({"output_tokens": 5, "load_time": "slow", "total_time": math.nan})
    assert stats == RunStats(output_tokens=5)
    assert [problem.where for problem in problems] == [("stats", "load_time"), ("stats", "total_time")]
    assert validation.stored_stats(None) == (None, [])
    assert validation.stored_stats("x")[1] == [Problem(("stats",), "chat_import.must_be_object")]


def test_saved_images_keep_the_texts_and_leave_out_the_rest():
    assert validation.stored_images(["a", 1, None, "b"]) == (
        ["a", "b"],
        [Problem(("images", 1), "chat_import.image_not_text"), Problem(("images", 2), "chat_import.image_not_text")],
    )
    assert validation.stored_images({"a": 1}) == ([], [Problem(("images",), "chat_import.must_be_list")])


@pytest.mark.parametrize(
    ("text", "value", "problem"),
    [
        ('{"seed": 1}', {"seed": 1}, None),
        ("{not json", None, Problem(("options",), "chat_import.stored_not_json")),
        ("[" * 100_000, None, Problem(("options",), "chat_import.stored_not_json")),
        (b"{}", None, Problem(("options",), "chat_import.stored_not_json")),
    ],
)
def test_saved_json_that_cannot_be_read_is_a_problem_not_an_exception(text, value, problem):
    assert validation.stored_json(text, ("options",)) == (value, problem)


def test_saved_keep_alive_and_status():
    assert validation.stored_keep_alive("5m") == ("5m", [])
    assert validation.stored_keep_alive(-1) == (-1, [])
    assert validation.stored_keep_alive({"x": 1}) == (None, [Problem(("keep_alive",), "chat_import.bad_keep_alive")])
    assert validation.stored_status("stopped") == ("stopped", [])
    assert validation.stored_status("odd") == ("done", [Problem(("status",), "chat_import.bad_status")])


@pytest.mark.parametrize(
    ("value", "time"),
    [
        (1_700_000_000, 1_700_000_000.0),
        (0, 0.0),
        (1e300, None),
        (math.inf, None),
        (math.nan, None),
        (-5, None),
        ("2024", None),
        (None, None),
    ],
)
def test_sane_time_is_a_time_a_calendar_can_show(value, time):
    assert validation.sane_time(value) == time


@pytest.mark.parametrize(
    ("value", "text"), [("a", "a"), (b"caf\xc3\xa9 \xff", "café \ufffd"), (None, ""), (12, "12"), (1.5, "1.5")]
)
def test_saved_text_is_text_whatever_the_column_holds(value, text):
    assert validation.stored_text(value) == text


def test_saved_numbers_that_are_not_numbers_are_nan():
    assert validation.stored_number(5) == 5.0
    assert math.isnan(validation.stored_number("yesterday"))
    assert math.isnan(validation.stored_number(b"\x00"))
    assert math.isnan(validation.stored_number(None))


def test_the_first_problem_says_how_many_more_there_are():
    problems = [Problem(("options", "seed"), "chat_import.must_be_number")] * 3
    assert validation.first_problem(problems) == "At options.seed: must be a number. (2 more problems like it.)"
    assert validation.first_problem(problems[:1]) == "At options.seed: must be a number."
