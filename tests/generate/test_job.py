"""The Generate worker against the fake server: text, cancel closing the stream, failures."""

from __future__ import annotations

from lib import i18n
from lib.generate.form import GenerateForm, build_request
from lib.generate.job import RESPONSE, THINKING, WAITING, GenerateJob
from lib.ollama.client import OllamaClient
from lib.ui.errors import error_text
from tests.streamlit_process import free_port

FORM = GenerateForm(model="llama3.2:latest", prompt="Why is the sky blue?")
LONG_REPLY = " ".join(f"word{number}" for number in range(200))


def texts(job: GenerateJob) -> tuple[str, str]:
    answer, thinking = "", ""
    for event in job.events(poll=0.05):
        if event.kind == RESPONSE:
            answer += event.text
        elif event.kind == THINKING:
            thinking += event.text
    return answer, thinking


def test_a_streamed_answer_arrives_with_its_figures(fake):
    fake.script_reply("Rayleigh scattering, mostly.")
    job = GenerateJob(OllamaClient(fake.url), build_request(FORM, {"completion"}))
    assert texts(job) == ("Rayleigh scattering, mostly.", "")
    assert job.result.complete
    assert job.result.time_to_first_token is not None
    assert job.result.stats().output_tokens == job.result.final["eval_count"]
    assert fake.requests_to("/api/generate")[-1].body == {
        "model": "llama3.2:latest",
        "prompt": "Why is the sky blue?",
        "stream": True,
    }


def test_thinking_arrives_apart(fake):
    form = FORM.with_values(model="qwen3:0.6b", think=True)
    job = GenerateJob(OllamaClient(fake.url), build_request(form, {"completion", "thinking"}))
    answer, thinking = texts(job)
    assert answer and thinking
    assert job.result.thinking == thinking
    assert fake.requests_to("/api/generate")[-1].body["think"] is True


def test_one_non_streamed_answer(fake):
    fake.script_reply("All at once.")
    job = GenerateJob(OllamaClient(fake.url), build_request(FORM.with_values(stream=False), {"completion"}))
    assert texts(job) == ("All at once.", "")
    assert job.result.complete
    assert job.result.time_to_first_token is None
    assert fake.requests_to("/api/generate")[-1].body["stream"] is False


def test_stop_closes_the_connection_and_keeps_what_arrived(fake):
    fake.token_delay = 0.02
    fake.script_reply(LONG_REPLY)
    job = GenerateJob(OllamaClient(fake.url), build_request(FORM, {"completion"}))
    for event in job.events(poll=0.05):
        if event.kind == RESPONSE and len(job.result.output) > 20:
            break
    job.stop()
    assert job.result.stopped
    kept = job.result.output
    assert list(job.events(poll=0.05)) == []  # frozen: nothing is added after a stop
    assert job.result.output == kept
    job.join(5)
    assert fake.wait_for(lambda f: f.requests_to("/api/generate")[-1].client_disconnected)
    sent = fake.requests_to("/api/generate")[-1].chunks_sent
    assert sent < len(LONG_REPLY.split())
    assert LONG_REPLY.startswith(job.result.output)
    assert job.result.final is None


def test_stop_after_the_end_changes_nothing(fake):
    job = GenerateJob(OllamaClient(fake.url), build_request(FORM, {"completion"}))
    texts(job)
    job.stop()
    assert job.result.complete and not job.result.stopped


def test_a_slow_start_yields_waiting_events(fake):
    fake.add_fault("/api/generate", "slow_first", delay=0.3)
    job = GenerateJob(OllamaClient(fake.url), build_request(FORM, {"completion"}))
    kinds = [event.kind for event in job.events(poll=0.05)]
    assert kinds[0] == WAITING
    assert RESPONSE in kinds


def test_an_error_mid_stream_keeps_the_partial_answer(fake):
    fake.script_reply(LONG_REPLY)
    fake.add_fault("/api/generate", "error_line", after=5, message="model runner crashed")
    job = GenerateJob(OllamaClient(fake.url), build_request(FORM, {"completion"}))
    answer, _ = texts(job)
    assert answer and LONG_REPLY.startswith(answer)
    assert "model runner crashed" in error_text(job.result.error)
    assert job.result.output == answer
    assert not job.result.complete


def test_no_server_is_a_readable_error():
    job = GenerateJob(OllamaClient(f"127.0.0.1:{free_port()}"), build_request(FORM, {"completion"}))
    assert texts(job) == ("", "")
    assert "Nothing is answering" in error_text(job.result.error)


def test_stop_while_the_model_loads_cuts_the_connection_at_once(fake):
    fake.add_fault("/api/generate", "slow_first", delay=3)
    job = GenerateJob(OllamaClient(fake.url), build_request(FORM, {"completion"}))
    assert fake.wait_for(lambda f: f.requests_to("/api/generate"), timeout=5)
    job.stop()
    job.join(timeout=1.5)
    assert job.result.stopped and job.result.error is None
    assert fake.wait_for(
        lambda f: f.requests_to("/api/generate")[-1].client_disconnected, timeout=2
    )  # before the 3 s delay


def test_a_bug_in_the_worker_ends_the_run_with_a_message_worded_when_shown(fake, monkeypatch):
    def broken(*_args, **_kwargs):
        raise KeyError("x")

    monkeypatch.setattr(OllamaClient, "generate_stream", broken)
    job = GenerateJob(OllamaClient(fake.url), build_request(FORM, {"completion"}))
    assert texts(job) == ("", "")
    assert error_text(job.result.error) == "Reading the answer failed unexpectedly (KeyError: 'x')."
    monkeypatch.setattr(i18n, "language", lambda: "zh")
    assert error_text(job.result.error) == "读取回答时意外出错（`KeyError: 'x'`）。"
