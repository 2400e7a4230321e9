"""Side-by-side runs against the fake server: one stream per column, at the same time, and Stop closing them all."""

from __future__ import annotations

from lib.generate.compare import stats as compare_stats
from lib.generate.compare.form import ColumnSetup, CompareForm, build_requests
from lib.generate.compare.job import ENDED, CompareJob
from lib.generate.job import RESPONSE, WAITING
from lib.generate.record import RunResult
from lib.ollama.client import OllamaClient

CAPABILITIES = {"llama3.2:latest": frozenset({"completion"}), "llava:7b": frozenset({"completion", "vision"})}
REPLY = " ".join(f"word{number}" for number in range(20))
LONG_REPLY = " ".join(f"word{number}" for number in range(300))


def overlapped(fake, path: str = "/api/generate") -> bool:
    """Whether every request to ``path`` started before any finished, by the fake's log.

    Waits for the log to record every end: a client can read the last line before the fake notes it.
    """
    assert fake.wait_for(lambda f: all(r.finished is not None for r in f.requests_to(path)))
    requests = fake.requests_to(path)
    return len(requests) > 1 and max(r.started for r in requests) < min(r.finished for r in requests)


def start(fake, *models: str) -> tuple[CompareJob, list[RunResult]]:
    form = CompareForm(
        prompt="Why is the sky blue?",
        columns=tuple(ColumnSetup(model, {"temperature": index / 10}) for index, model in enumerate(models)),
    )
    results = [RunResult() for _ in models]
    return CompareJob(OllamaClient(fake.url), build_requests(form, CAPABILITIES), results), results


def read_all(job: CompareJob) -> tuple[dict[int, str], list[int]]:
    texts: dict[int, str] = {}
    ended: list[int] = []
    for column, event in job.events(poll=0.05):
        if event.kind == RESPONSE:
            texts[column] = texts.get(column, "") + event.text
        elif event.kind == ENDED:
            ended.append(column)
    return texts, ended


def test_every_column_streams_at_the_same_time(fake):
    fake.token_delay = 0.02
    for _ in range(3):
        fake.script_reply(REPLY)
    job, results = start(fake, "llama3.2:latest", "llava:7b", "llama3.2:latest")
    texts, ended = read_all(job)
    assert texts == {0: REPLY, 1: REPLY, 2: REPLY}
    assert sorted(ended) == [0, 1, 2]
    assert all(result.complete for result in results)
    sent = fake.requests_to("/api/generate")
    assert sorted(request.body["options"]["temperature"] for request in sent) == [0.0, 0.1, 0.2]
    assert overlapped(fake)
    assert compare_stats.queued_behind([compare_stats.timing(result) for result in results]) == {}


def test_a_server_serving_one_request_at_a_time_is_recognised(fake):
    fake.token_delay = 0.02
    fake.num_parallel = 1
    fake.script_reply(REPLY)
    fake.script_reply(REPLY)
    job, results = start(fake, "llama3.2:latest", "llama3.2:latest")
    read_all(job)
    assert all(result.complete for result in results)
    timings = [compare_stats.timing(result) for result in results]
    assert list(compare_stats.queued_behind(timings).items()) in ([(1, 0)], [(0, 1)])


def test_stop_closes_every_stream_and_keeps_what_arrived(fake):
    fake.token_delay = 0.02
    for _ in range(3):
        fake.script_reply(LONG_REPLY)
    job, results = start(fake, "llama3.2:latest", "llava:7b", "llama3.2:latest")
    for _column, _event in job.events(poll=0.05):
        if all(len(result.output) > 20 for result in results):
            break
    job.stop()
    assert list(job.events(poll=0.05)) == []
    assert all(result.stopped and LONG_REPLY.startswith(result.output) for result in results)
    job.join(5)
    assert fake.wait_for(lambda f: all(r.client_disconnected for r in f.requests_to("/api/generate")))
    assert all(request.chunks_sent < 300 for request in fake.requests_to("/api/generate"))


def test_a_failing_column_does_not_stop_the_others(fake):
    fake.add_fault("/api/generate", "http", status=500, message="model runner crashed")
    job, results = start(fake, "llama3.2:latest", "llava:7b")
    events = list(job.events(poll=0.05))
    assert sum(1 for _column, event in events if event.kind == ENDED) == 2
    assert sorted(result.error is None for result in results) == [False, True]
    failed = next(result for result in results if result.error)
    assert "Model runner crashed" in str(failed.error) and failed.ended_after is not None


def test_silence_yields_waiting_events(fake):
    fake.add_fault("/api/generate", "slow_first", delay=0.3, times=0)
    job, _results = start(fake, "llama3.2:latest", "llava:7b")
    kinds = [(column, event.kind) for column, event in job.events(poll=0.05)]
    assert (None, WAITING) in kinds
