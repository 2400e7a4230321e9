"""Transport failures become the client's own errors by exception type (lib/ollama/errors.py)."""

from __future__ import annotations

import http.client
import socket

import pytest
import requests
import urllib3.exceptions

from lib.ollama.errors import (
    ConnectionDropped,
    OllamaError,
    Partial,
    RequestTimedOut,
    ServerUnreachable,
    dropped_error,
    seconds_value,
    server_words,
    transport_error,
)

URL = "http://gpu-box:11434"


def wrapped(reason: BaseException) -> requests.ConnectionError:
    """What ``requests`` raises when urllib3 gives up: a ConnectionError around a MaxRetryError."""
    return requests.ConnectionError(urllib3.exceptions.MaxRetryError(None, "/api/tags", reason=reason))


def refused() -> BaseException:
    error = urllib3.exceptions.NewConnectionError(None, "Failed to establish a new connection")
    error.__cause__ = ConnectionRefusedError(111, "Connection refused")
    return error


@pytest.mark.parametrize(
    ("exc", "kind", "key"),
    [
        (requests.exceptions.ConnectTimeout("slow"), ServerUnreachable, "errors.connect_timeout"),
        (requests.exceptions.ReadTimeout("quiet"), RequestTimedOut, "errors.read_timeout"),
        (requests.exceptions.SSLError("bad certificate"), ServerUnreachable, "errors.tls"),
        (
            wrapped(urllib3.exceptions.NameResolutionError("gpu-box", None, socket.gaierror(-2, "unknown"))),
            ServerUnreachable,
            "errors.unknown_host",
        ),
        (
            requests.ConnectionError(
                urllib3.exceptions.ProtocolError("Connection aborted.", http.client.RemoteDisconnected("closed"))
            ),
            ServerUnreachable,
            "errors.closed_without_answer",
        ),
        (
            requests.ConnectionError(urllib3.exceptions.ProtocolError("aborted", ConnectionResetError(104, "reset"))),
            ServerUnreachable,
            "errors.closed_without_answer",
        ),
        (wrapped(refused()), ServerUnreachable, "errors.nothing_answers"),
        (requests.exceptions.TooManyRedirects("loop"), ServerUnreachable, "errors.request_failed"),
    ],
)
def test_a_transport_failure_is_classified_by_its_type(exc, kind, key):
    error = transport_error(URL, "gpu-box:11434", exc, read_timeout=30.0)
    assert type(error) is kind and error.key == key
    assert error.values["where"] == "gpu-box:11434" and error.status_code is None and error.url == URL


def test_text_in_the_message_does_not_decide_the_class():
    """A refused connection whose message happens to say "getaddrinfo" is still a refusal."""
    error = transport_error(URL, "gpu-box", wrapped(refused()).__class__("getaddrinfo RemoteDisconnected"), 30.0)
    assert error.key == "errors.nothing_answers"


def test_a_read_timeout_says_how_long_the_server_was_quiet():
    error = transport_error(URL, "gpu-box", requests.exceptions.ReadTimeout("x"), 30.0)
    assert error.values["n"] == 30 and isinstance(error.values["n"], int)


@pytest.mark.parametrize(
    ("exc", "partial", "key"),
    [
        (requests.ConnectionError(urllib3.exceptions.ReadTimeoutError(None, "/", "Read timed out.")), "", "went_quiet"),
        (requests.ConnectionError(TimeoutError("timed out")), "Once upon", "went_quiet_kept"),
        (requests.exceptions.ChunkedEncodingError("Connection broken"), "", "dropped"),
        (requests.exceptions.ChunkedEncodingError("Connection broken"), "Once upon", "dropped_kept"),
    ],
)
def test_a_broken_stream_keeps_what_arrived_and_says_why_it_broke(exc, partial, key):
    kept = Partial(content=partial)
    error = dropped_error("gpu-box", exc, 180.0, kept, URL + "/api/chat")
    assert isinstance(error, ConnectionDropped) and error.key == f"errors.{key}"
    assert error.partial is kept and error.values == {"where": "gpu-box", "n": 180}


def test_an_error_is_data_and_its_text_names_the_key_for_logs():
    error = OllamaError("errors.server_said", {"said": "model 'x' not found"}, status_code=404)
    assert error.key == "errors.server_said" and error.values == {"said": "model 'x' not found"}
    assert str(error) == "errors.server_said {'said': \"model 'x' not found\"}"


@pytest.mark.parametrize(("value", "shown"), [(30.0, 30), (0.5, 0.5), (1, 1)])
def test_seconds_are_shown_as_typed(value, shown):
    assert seconds_value(value) == shown and type(seconds_value(value)) is type(shown)


@pytest.mark.parametrize(
    ("said", "shown"),
    [
        (
            "llama runner process has terminated: exit status 2\n/home/ollama/llm/server.go:601 +0x1a\ngoroutine 1:",
            "llama runner process has terminated: exit status 2",
        ),
        (
            'Traceback (most recent call last):\n  File "/app/server.py", line 12\nRuntimeError: CUDA out of memory',
            "RuntimeError: CUDA out of memory",
        ),
        ("panic: bad index at C:\\Users\\me\\runner.go:88: out of range", "panic: bad index at: out of range"),
        ("error in ggml.c:1234: failed to allocate", "error in: failed to allocate"),
        ("\n \r\n", ""),
        ("x" * 300, "x" * 199 + "…"),
    ],
)
def test_server_words_are_one_line_without_paths_or_stacks(said, shown):
    assert server_words(said) == shown
