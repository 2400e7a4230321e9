"""The background pull job against the fake server, and how its failures are worded."""

from __future__ import annotations

import pytest

from lib.models.pull import Outcome, PullJob, failure_message, not_in_registry
from lib.ollama.client import OllamaClient
from lib.ollama.errors import ConnectionDropped, Partial, ResponseError, ServerUnreachable, StreamError


def test_a_job_pulls_in_its_own_thread_and_reports_success(fake):
    job = PullJob(OllamaClient(fake.url), "qwen2.5:0.5b").start()
    assert job.wait(20)
    view = job.view()
    assert view.outcome is Outcome.SUCCEEDED and view.finished and view.error is None
    assert view.progress.fraction == 1.0 and view.progress.total > 0
    assert job.acknowledge() is True
    assert job.acknowledge() is False


def test_a_job_keeps_its_server_and_the_server_it_copies_from(fake):
    job = PullJob(OllamaClient(fake.url), "no-such-model:1", copied_from="http://10.0.0.8:11434").start()
    assert job.wait(20)
    view = job.view()
    assert (view.server, view.copied_from) == (fake.url, "http://10.0.0.8:11434")
    assert view.outcome is Outcome.FAILED and view.failure is not None and not_in_registry(view.failure)


def test_a_failure_that_is_not_about_the_name_is_not_read_as_missing_from_the_registry():
    full = ResponseError("errors.server_said", {"said": "Disk full."}, status_code=500, server_message="disk full")
    assert not not_in_registry(full)
    assert not_in_registry(ResponseError("errors.server_said", {"said": "Gone."}, status_code=404))


def test_cancel_closes_the_connection(fake):
    fake.token_delay = 0.2
    job = PullJob(OllamaClient(fake.url), "mxbai-embed-large:latest").start()
    assert fake.wait_for(lambda f: f.requests_to("/api/pull")[-1].chunks_sent >= 1, 10)
    assert job.acknowledge() is False
    job.cancel()
    assert job.view().cancel_requested
    assert job.wait(10)
    assert job.view().outcome is Outcome.CANCELLED
    assert fake.wait_for(lambda f: f.requests_to("/api/pull")[-1].client_disconnected, 10)


def test_cancel_works_while_the_server_is_silent(fake):
    fake.add_fault("/api/pull", "slow_first", delay=3)
    job = PullJob(OllamaClient(fake.url), "tinyllama").start()
    assert fake.wait_for(lambda s: s.requests_to("/api/pull"), timeout=5)
    job.cancel()
    assert job.wait(2)
    assert job.view().outcome is Outcome.CANCELLED
    assert fake.wait_for(lambda s: s.requests_to("/api/pull")[-1].client_disconnected, timeout=6)


def test_an_unreachable_server_fails_the_job_with_a_sentence(fake):
    from tests.streamlit_process import free_port

    job = PullJob(OllamaClient(f"127.0.0.1:{free_port()}"), "qwen2.5:0.5b").start()
    assert job.wait(20)
    assert job.view().outcome is Outcome.FAILED
    assert job.view().error.startswith("Could not pull qwen2.5:0.5b: Nothing is answering")


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (
            StreamError(
                "errors.stream_error",
                {"said": "pull model manifest: file does not exist."},
                server_message="pull model manifest: file does not exist",
                partial=Partial(),
            ),
            "the registry has no model by that name",
        ),
        (
            ResponseError("errors.server_said", {"said": "Model 'x' not found."}, status_code=404),
            "the registry has no model by that name",
        ),
        (
            ResponseError("errors.server_said", {"said": "Invalid model name."}, status_code=400),
            "Could not pull m: Invalid model name.",
        ),
        (
            ConnectionDropped("errors.dropped", {"where": "gpu-box"}, partial=Partial()),
            "Pulling again resumes where it stopped.",
        ),
        (ServerUnreachable("errors.nothing_answers", {"where": "gpu-box"}), "Could not pull m: Nothing is answering"),
    ],
)
def test_failure_messages(error, words):
    assert words in failure_message("m", error)


def test_the_servers_words_are_quoted_once_as_a_sentence():
    error = StreamError(
        "errors.stream_error",
        {"said": "pull model manifest: file does not exist."},
        partial=Partial(),
        server_message="pull model manifest: file does not exist",
    )
    assert failure_message("m", error).endswith("The server said: pull model manifest: file does not exist.")
