import json

import pytest

from lib.ollama.ndjson import NotJsonLine, iter_ndjson


def chunked(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


OBJECTS = [
    {"response": "Hello"},
    {"response": " wörld 你好 🦙"},
    {"response": "line\u2028separator\u0085next\u2029para"},
    {"response": "", "done": True},
]
PAYLOAD = b"".join(json.dumps(o, ensure_ascii=False).encode() + b"\n" for o in OBJECTS)


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, len(PAYLOAD)])
def test_any_chunking_gives_the_same_objects(size):
    assert list(iter_ndjson(chunked(PAYLOAD, size))) == OBJECTS


def test_unicode_separators_inside_strings_do_not_split_lines():
    line = json.dumps({"response": "a\u2028b\x85c\x1cd"}, ensure_ascii=False).encode()
    assert list(iter_ndjson([line + b"\n"])) == [{"response": "a\u2028b\x85c\x1cd"}]


@pytest.mark.parametrize(
    ("chunks", "expected"),
    [
        ([b"\n\n", b'{"a": 1}\n', b"  \n", b'{"b": 2}\n\n'], [{"a": 1}, {"b": 2}]),
        ([b'{"a": 1}\r\n{"b": 2}\r\n'], [{"a": 1}, {"b": 2}]),
        ([b'{"a": 1}\n{"b"', b": 2}"], [{"a": 1}, {"b": 2}]),
        ([], []),
        ([b""], []),
    ],
)
def test_blank_lines_crlf_and_missing_final_newline(chunks, expected):
    assert list(iter_ndjson(chunks)) == expected


@pytest.mark.parametrize("bad", [b"<html>502</html>\n", b"[1, 2]\n", b'"text"\n', b"\xff\xfe\n", b'{"a": \n'])
def test_non_json_lines_raise_with_the_line(bad):
    with pytest.raises(NotJsonLine) as caught:
        list(iter_ndjson([b'{"ok": true}\n', bad]))
    assert caught.value.line == bad.rstrip(b"\n")


def test_objects_arrive_before_the_stream_ends():
    def source():
        yield b'{"n": 1}\n{"n"'
        yield b": 2}\n"
        raise ConnectionError("dropped")

    received = []
    with pytest.raises(ConnectionError):
        for obj in iter_ndjson(source()):
            received.append(obj)
    assert received == [{"n": 1}, {"n": 2}]


def test_nan_and_infinity_which_are_not_json_are_read_as_null():
    lines = list(iter_ndjson([b'{"a": NaN, "b": [Infinity, -Infinity], "c": 1}\n']))
    assert lines == [{"a": None, "b": [None, None], "c": 1}]
