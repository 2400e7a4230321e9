"""The run engine against the fake server: order, saving, stop and resume, failures, the judge, the ETA."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable

import pytest

from lib.evals.records import CONTAINS, EXACT, JSON_SCHEMA, MAX_TOKENS, Answer, Candidate, Check, Prompt, PromptSet, Run
from lib.evals.runner import Eta, EvalJob, answer_request, model_key, plan
from lib.evals.store import EvalStore
from lib.ollama.client import OllamaClient, Timeouts
from lib.ollama.stream import CHAT, DONE, FAILED
from tests.streamlit_process import free_port

TOPICS = ("volcanoes", "glaciers", "deserts", "rainforests", "coral reefs")
PROMPTS = tuple(
    Prompt(f"Tell me about {topic}.", checks=(Check(CONTAINS, topic.split()[0]), Check(MAX_TOKENS, 500)))
    for topic in TOPICS
)
PROMPT_SET = PromptSet("Nature", PROMPTS)
# Two candidates share llama3.2 but not its settings; the other model sits between them in candidate order.
THREE = (
    Candidate("llama3.2"),
    Candidate("qwen3:0.6b", think=False),
    Candidate("llama3.2", options={"temperature": 0}),
)


def until(condition: Callable[[], bool], timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.005)
    return False


@pytest.fixture
def store(tmp_path) -> EvalStore:
    return EvalStore(tmp_path / "evals.sqlite3")


def begin(fake, store: EvalStore, run: Run, *, client: OllamaClient | None = None, language: str = "en"):
    """Save ``run`` and start a job on it; returns (run id, job)."""
    run_id = store.start_run(run)
    stored = store.run(run_id)
    assert stored is not None
    return run_id, EvalJob(client or OllamaClient(fake.url), store, run_id, stored, language).start()


def asked(fake) -> list[tuple[str, str, dict]]:
    """(prompt, model, options) of every chat request, in the order they came."""
    return [
        (request.body["messages"][-1]["content"], request.body["model"], request.body.get("options", {}))
        for request in fake.requests_to("/api/chat")
    ]


def pair_of(run: Run, prompt_text: str, model: str, options: dict) -> tuple[int, int]:
    prompt = next(index for index, prompt in enumerate(run.prompt_set.prompts) if prompt.text == prompt_text)
    candidate = next(index for index, c in enumerate(run.candidates) if c.model == model and dict(c.options) == options)
    return prompt, candidate


def runs_of_models(fake) -> list[str]:
    """The model of each chat request, with consecutive repeats merged: each model once if none was reloaded."""
    models: list[str] = []
    for request in fake.requests_to("/api/chat"):
        if not models or models[-1] != request.body["model"]:
            models.append(request.body["model"])
    return models


# A whole run


def test_a_run_of_three_candidates_over_five_prompts_saves_every_answer_checked(fake, store):
    run_id, job = begin(fake, store, Run(PROMPT_SET, THREE))
    assert job.wait(60)
    view = job.view()
    assert view.completed and view.finished and not view.stopped and view.crash == ""
    assert (view.done, view.total, view.failures, view.eta_seconds, view.fraction) == (15, 15, 0, 0.0, 1.0)
    saved = store.run(run_id)
    assert saved is not None and saved.finished_at is not None and saved.missing() == []
    assert len(saved.answers) == 15 and len(fake.requests_to("/api/chat")) == 15
    for answer in saved.answers:
        assert answer.status == DONE and answer.content and answer.error == ""
        assert [result.check for result in answer.checks] == list(PROMPTS[answer.prompt_index].checks)
        assert answer.stats is not None and answer.stats.output_tokens and answer.seconds
    assert job.acknowledge() is True and job.acknowledge() is False


def test_each_model_is_loaded_once_and_its_candidates_run_one_after_another(fake, store):
    run = Run(PROMPT_SET, THREE)
    _, job = begin(fake, store, run)
    assert job.wait(60)
    assert runs_of_models(fake) == ["llama3.2", "qwen3:0.6b"]
    pairs = [pair_of(run, *request) for request in asked(fake)]
    assert pairs == [(p, 0) for p in range(5)] + [(p, 2) for p in range(5)] + [(p, 1) for p in range(5)]


def test_answers_are_checked_against_the_prompts_schema_in_the_runs_thread(fake, store):
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    prompt = Prompt("Which city? Answer in JSON.", schema=schema, checks=(Check(JSON_SCHEMA), Check(EXACT, "Paris")))
    run_id, job = begin(fake, store, Run(PromptSet("s", (prompt,)), THREE[:1]))
    assert job.wait(30) and job.view().completed
    saved = store.run(run_id)
    assert saved is not None
    (answer,) = saved.answers
    assert fake.requests_to("/api/chat")[0].body["format"] == schema
    assert [(result.check.kind, result.passed) for result in answer.checks] == [(JSON_SCHEMA, True), (EXACT, False)]
    assert answer.passed is False


def test_the_request_carries_the_candidates_settings_and_no_keep_alive(fake, store):
    candidate = Candidate("qwen3:0.6b", options={"temperature": 0.2, "num_ctx": 2048}, system="Be brief.", think=False)
    prompt = Prompt("Name a colour.", system="Ignored: the candidate has its own.", schema={"type": "object"})
    _, job = begin(fake, store, Run(PromptSet("s", (prompt,)), (candidate,)))
    assert job.wait(30)
    body = fake.requests_to("/api/chat")[0].body
    assert body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Name a colour."},
    ]
    assert body["options"] == {"temperature": 0.2, "num_ctx": 2048} and body["think"] is False
    assert body["format"] == {"type": "object"} and body["stream"] is True and "keep_alive" not in body


def test_a_prompts_system_and_images_go_with_it_when_the_candidate_has_none():
    request = answer_request(Prompt("What is this?", system="You see well.", images=("aW1n",)), Candidate("llava:7b"))
    assert request.endpoint == CHAT and request.model == "llava:7b"
    assert request.fields == {
        "messages": [
            {"role": "system", "content": "You see well."},
            {"role": "user", "content": "What is this?", "images": ["aW1n"]},
        ]
    }


# Order


def test_plan_groups_each_models_candidates_in_candidate_order():
    candidates = (
        Candidate("qwen3:0.6b"),
        Candidate("llama3.2"),
        Candidate("QWEN3:0.6b", options={"num_ctx": 8192}),
        Candidate("llama3.2:latest", options={"temperature": 0}),
        Candidate("library/llava:7b"),
    )
    run = Run(PromptSet("s", (Prompt("a"), Prompt("b"))), candidates)
    assert plan(run, run.missing()) == [
        (0, 0), (1, 0), (0, 2), (1, 2),
        (0, 1), (1, 1), (0, 3), (1, 3),
        (0, 4), (1, 4),
    ]  # fmt: skip
    assert plan(run, [(1, 3), (0, 2), (1, 1)]) == [(0, 2), (1, 1), (1, 3)]


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("llama3.2", "llama3.2:latest"),
        ("Llama3.2:Latest", "llama3.2:latest"),
        ("host:5000/ns/m", "host:5000/ns/m:latest"),
    ],
)
def test_model_key_resolves_the_default_tag(name, key):
    assert model_key(name) == key


# Stop and resume


def test_stop_mid_run_then_resume_completes_without_asking_again(fake, store):
    fake.token_delay = 0.01
    run = Run(PROMPT_SET, THREE)
    run_id, job = begin(fake, store, run)
    assert until(lambda: job.view().done >= 4 and len(job.view().text) > 5)
    live = job.view()
    assert live.current is not None and not live.judging and live.eta_seconds is not None
    job.stop()
    assert job.wait(10)
    view = job.view()
    assert view.stopped and view.finished and not view.completed and view.eta_seconds is None
    assert view.current is None and view.text == ""
    stopped = store.run(run_id)
    assert stopped is not None and stopped.finished_at is None
    kept = {(a.prompt_index, a.candidate_index): a.content for a in stopped.answers}
    assert fake.wait_for(lambda f: f.requests_to("/api/chat")[-1].client_disconnected)
    cut = pair_of(run, *asked(fake)[-1])
    assert 4 <= len(kept) < 15 and cut not in kept
    before = len(fake.requests_to("/api/chat"))

    fake.token_delay = 0
    resumed = EvalJob(OllamaClient(fake.url), store, run_id, stopped).start()
    assert resumed.view().done == len(kept) and resumed.view().total == 15
    assert resumed.wait(60) and resumed.view().completed
    again = [pair_of(run, *request) for request in asked(fake)[before:]]
    assert len(again) == 15 - len(kept) and not set(again) & set(kept)
    assert cut in again
    final = store.run(run_id)
    assert final is not None and final.finished_at is not None and len(final.answers) == 15
    assert all(kept[pair] == a.content for a in final.answers if (pair := (a.prompt_index, a.candidate_index)) in kept)
    # The live text was the beginning of that answer (the fake answers a prompt the same way every time).
    assert next(a.content for a in final.answers if (a.prompt_index, a.candidate_index) == live.current).startswith(
        live.text
    )


def test_stop_before_the_first_answer_saves_nothing(fake, store):
    fake.add_fault("/api/chat", "slow_first", delay=3)
    run_id, job = begin(fake, store, Run(PROMPT_SET, THREE))
    assert fake.wait_for(lambda f: f.requests_to("/api/chat"))
    job.stop()
    job.stop()
    assert job.wait(2) and job.view().stopped
    assert store.run(run_id).answers == ()  # type: ignore[union-attr]
    assert len(fake.requests_to("/api/chat")) == 1


# Failures


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "no_such:1b is not installed on this server"), ("zh", "此服务器上没有安装 no_such:1b")],
)
def test_a_missing_model_fails_its_answers_with_a_sentence_and_the_run_goes_on(fake, store, language, words):
    candidates = (Candidate("llama3.2"), Candidate("no_such:1b"), Candidate("qwen3:0.6b", think=False))
    run_id, job = begin(fake, store, Run(PROMPT_SET, candidates), language=language)
    assert job.wait(60)
    view = job.view()
    assert view.completed and view.failures == 5 and view.done == view.total == 15
    saved = store.run(run_id)
    assert saved is not None and saved.finished_at is not None
    for answer in saved.answers:
        if answer.candidate_index == 1:
            assert answer.status == FAILED and answer.error.startswith(words) and answer.checks == ()
            assert answer.passed is None
        else:
            assert answer.status == DONE and answer.error == "" and answer.checks


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        ("drop", "dropped before the answer was complete. What arrived so far is kept."),
        ("error_line", "The server reported an error while answering: an error was encountered"),
    ],
)
def test_a_server_that_breaks_off_mid_answer_fails_that_answer_only(fake, store, fault, words):
    fake.add_fault("/api/chat", fault, after=3)
    run_id, job = begin(fake, store, Run(PROMPT_SET, THREE[:2]))
    assert job.wait(60) and job.view().completed and job.view().failures == 1
    saved = store.run(run_id)
    assert saved is not None
    failed = [answer for answer in saved.answers if answer.status == FAILED]
    assert len(failed) == 1 and (failed[0].prompt_index, failed[0].candidate_index) == (0, 0)
    assert words in failed[0].error and failed[0].content  # the text that arrived is kept
    assert sum(answer.status == DONE for answer in saved.answers) == 9


def test_a_server_that_is_gone_fails_every_answer_and_the_run_still_ends(fake, store):
    client = OllamaClient(f"127.0.0.1:{free_port()}")
    run_id, job = begin(fake, store, Run(PROMPT_SET, THREE), client=client)
    assert job.wait(60) and job.view().completed and job.view().failures == 15
    saved = store.run(run_id)
    assert saved is not None and all(a.error.startswith("Nothing is answering at") for a in saved.answers)


def test_a_server_that_goes_quiet_times_the_answer_out(fake, store):
    fake.add_fault("/api/chat", "slow_first", delay=1.5)
    client = OllamaClient(fake.url, timeouts=Timeouts(model_read=0.5))
    run_id, job = begin(fake, store, Run(PromptSet("s", PROMPTS[:2]), THREE[:1]), client=client)
    assert job.wait(30) and job.view().completed
    saved = store.run(run_id)
    assert saved is not None
    first, second = sorted(saved.answers, key=lambda a: a.prompt_index)
    assert first.status == FAILED and "sent nothing for 0.5 seconds" in first.error
    assert second.status == DONE


def test_a_store_that_cannot_save_ends_the_job_with_a_sentence(fake, store, monkeypatch):
    def broken(run_id, answer):
        raise OSError("disk full")

    monkeypatch.setattr(store, "save_answer", broken)
    job = EvalJob(OllamaClient(fake.url), store, 1, Run(PROMPT_SET, THREE), "zh").start()
    assert job.wait(30)
    view = job.view()
    assert view.finished and not view.completed and view.crash.startswith("运行意外停止（OSError）")
    assert view.current is None and len(fake.requests_to("/api/chat")) == 1


# The judge


def test_the_judge_grades_every_answer_after_the_last_one_and_keeps_its_request(fake, store):
    run = Run(PromptSet("s", PROMPTS[:2]), (Candidate("llama3.2"), Candidate("nope:1b")), judge="qwen3:0.6b")
    fake.script_reply("Volcanoes erupt.")  # candidate 0, prompt 0
    fake.script_reply("Glaciers move.")  # candidate 0, prompt 1 (candidate 1 fails without asking for a reply)
    fake.script_reply('{"score": 9, "reasoning": "Right."}')
    fake.script_reply("Seven, I think.")
    run_id, job = begin(fake, store, run)
    assert job.wait(60)
    view = job.view()
    assert view.completed and (view.done, view.total, view.failures) == (6, 6, 2)
    assert view.current is None and not view.judging
    assert runs_of_models(fake) == ["llama3.2", "nope:1b", "qwen3:0.6b"]
    saved = store.run(run_id)
    assert saved is not None
    answers = {(a.prompt_index, a.candidate_index): a for a in saved.answers}
    good, prose = answers[(0, 0)].verdict, answers[(1, 0)].verdict
    assert good is not None and (good.score, good.reasoning, good.error) == (9.0, "Right.", "")
    assert prose is not None and prose.score is None and "without the JSON" in prose.error
    assert prose.reasoning == "Seven, I think."
    judged = fake.requests_to("/api/chat")[-2:]
    assert [good.request, prose.request] == [request.body for request in judged]
    assert "Volcanoes erupt." in good.request["messages"][1]["content"]
    assert answers[(0, 1)].verdict is None and answers[(1, 1)].verdict is None  # failed answers are not graded


def test_resuming_a_judged_run_grades_only_what_has_no_grade(fake, store):
    answers = tuple(Answer(p, 0, content=f"Answer number {p}.") for p in range(3))
    run = Run(PromptSet("s", PROMPTS[:3]), (Candidate("llama3.2"),), answers=answers, judge="llama3.2", rubric="Kind.")
    fake.token_delay = 0.02
    for _ in range(3):
        fake.script_reply('{"score": 4, "reasoning": "' + "So so. " * 10 + '"}')
    run_id, job = begin(fake, store, run)
    assert job.view().done == 3 and job.view().total == 6
    assert until(lambda: job.view().done >= 4 and job.view().judging)
    job.stop()
    assert job.wait(10)
    partly = store.run(run_id)
    assert partly is not None and partly.finished_at is None
    graded = {a.prompt_index for a in partly.answers if a.verdict is not None}
    assert 1 <= len(graded) < 3
    before = len(fake.requests_to("/api/chat"))
    fake.token_delay = 0
    for _ in range(3):
        fake.script_reply('{"score": 6, "reasoning": "Fine."}')

    resumed = EvalJob(OllamaClient(fake.url), store, run_id, partly).start()
    assert resumed.wait(30) and resumed.view().completed and resumed.view().done == 6
    final = store.run(run_id)
    assert final is not None and final.finished_at is not None
    assert all(a.verdict is not None and a.verdict.error == "" for a in final.answers)
    again = [request.body["messages"][1]["content"] for request in fake.requests_to("/api/chat")[before:]]
    assert len(again) == 3 - len(graded)
    # Every grading request went to the judge with its schema (only chat requests carry a body to read: a
    # request the stop cut while it was being sent may have none).
    judged = [request.body for request in fake.requests_to("/api/chat") if request.body is not None]
    assert judged and all(body["model"] == "llama3.2" and "format" in body for body in judged)
    for prompt in range(3):
        assert sum(f"Answer number {prompt}." in material for material in again) == (prompt not in graded)
    assert all("Rubric: Kind." in material for material in again)


# Several servers


def begin_on(store: EvalStore, run: Run, client: OllamaClient, **fleet) -> tuple[int, EvalJob]:
    run_id = store.start_run(run)
    stored = store.run(run_id)
    assert stored is not None
    return run_id, EvalJob(client, store, run_id, stored, **fleet).start()


def test_candidates_on_two_servers_are_each_asked_on_their_own_each_model_loaded_once_per_server(fake, gpu, store):
    candidates = (
        Candidate("qwen3:0.6b", server=fake.url),
        Candidate("qwen3:0.6b", server=gpu.url),
        Candidate("qwen3:0.6b", options={"temperature": 0}, server=fake.url),
    )
    run = Run(PromptSet("s", PROMPTS[:2]), candidates)
    assert plan(run, run.missing()) == [(0, 0), (1, 0), (0, 2), (1, 2), (0, 1), (1, 1)]
    run_id, job = begin_on(store, run, OllamaClient(fake.url), servers={gpu.url: OllamaClient(gpu.url)})
    assert job.wait(60) and job.view().completed
    laptop = [r.body.get("options", {}) for r in fake.requests_to("/api/chat")]
    assert laptop == [{}, {}, {"temperature": 0}, {"temperature": 0}]
    assert len(gpu.requests_to("/api/chat")) == 2 and all("options" not in r.body for r in gpu.requests_to("/api/chat"))
    saved = store.run(run_id)
    assert saved is not None and all(answer.status == DONE for answer in saved.answers) and len(saved.answers) == 6


def test_a_candidate_whose_server_is_down_fails_with_a_sentence_naming_it_and_the_others_complete(fake, store):
    down = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    candidates = (Candidate("llama3.2", server=fake.url), Candidate("qwen3:0.6b", server=down))
    names = {fake.url: "laptop", down: "gpu"}
    run_id, job = begin_on(
        store,
        Run(PromptSet("s", PROMPTS[:3]), candidates),
        OllamaClient(fake.url),
        servers={down: OllamaClient(down)},
        names=names,
    )
    assert job.wait(60)
    view = job.view()
    assert view.completed and view.failures == 3
    saved = store.run(run_id)
    assert saved is not None
    by_candidate = {index: [a for a in saved.answers if a.candidate_index == index] for index in (0, 1)}
    assert all(answer.status == DONE for answer in by_candidate[0]) and len(by_candidate[0]) == 3
    assert all(answer.status == FAILED for answer in by_candidate[1]) and len(by_candidate[1]) == 3
    assert all(
        answer.error.startswith("On gpu: Nothing is answering at http://127.0.0.1:") for answer in by_candidate[1]
    )
    assert len(fake.requests_to("/api/chat")) == 3


def test_a_candidate_on_a_server_the_session_no_longer_has_fails_without_a_request(fake, store):
    candidates = (Candidate("llama3.2", server="http://gone.example:11434"), Candidate("llama3.2"))
    run_id, job = begin_on(store, Run(PromptSet("s", PROMPTS[:2]), candidates), OllamaClient(fake.url), language="zh")
    assert job.wait(30) and job.view().completed
    saved = store.run(run_id)
    assert saved is not None
    failed = [answer for answer in saved.answers if answer.status == FAILED]
    assert [answer.candidate_index for answer in failed] == [0, 0]
    assert failed[0].error.startswith("http://gone.example:11434 已不在本会话的服务器列表中")
    assert len(fake.requests_to("/api/chat")) == 2  # the other candidate's, on the sidebar's server (no server saved)


def judged_on(server: str) -> Run:
    """Two prompts, one candidate on the sidebar's server, judged by qwen3:0.6b on ``server``."""
    candidates = (Candidate("llama3.2", server=""),)
    return Run(PromptSet("s", PROMPTS[:2]), candidates, judge="qwen3:0.6b", judge_server=server)


def test_the_judge_grades_on_the_server_saved_with_the_run(fake, gpu, store):
    run_id, job = begin_on(store, judged_on(gpu.url), OllamaClient(fake.url), servers={gpu.url: OllamaClient(gpu.url)})
    assert job.wait(60) and job.view().completed
    assert [r.body["model"] for r in fake.requests_to("/api/chat")] == ["llama3.2"] * 2  # fake has qwen3:0.6b too
    assert [r.body["model"] for r in gpu.requests_to("/api/chat")] == ["qwen3:0.6b"] * 2
    saved = store.run(run_id)  # what a later job (another session, a resume) starts from
    assert saved is not None and saved.judge_server == gpu.url


def test_a_judge_whose_server_the_session_no_longer_has_grades_nowhere_else_and_says_so(fake, store):
    gone = "http://gone.example:11434"
    run_id, job = begin_on(store, judged_on(gone), OllamaClient(fake.url), names={fake.url: "laptop", gone: "gpu"})
    assert job.wait(30) and job.view().completed
    assert [r.body["model"] for r in fake.requests_to("/api/chat")] == ["llama3.2"] * 2  # no grade on the sidebar's
    saved = store.run(run_id)
    assert saved is not None
    verdicts = [answer.verdict for answer in saved.answers]
    assert all(v is not None and v.score is None and v.request == {} for v in verdicts)
    assert [v.error for v in verdicts if v is not None] == [
        "gpu, the server this run's judge grades on, is not one of this session's servers any more, "
        "so this answer was not graded."
    ] * 2


def test_a_judge_whose_server_is_down_fails_each_grade_with_a_sentence_naming_it(fake, store):
    down = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    run_id, job = begin_on(
        store,
        judged_on(down),
        OllamaClient(fake.url),
        servers={down: OllamaClient(down)},
        names={fake.url: "laptop", down: "gpu"},
        language="zh",
    )
    assert job.wait(60) and job.view().completed
    assert [r.body["model"] for r in fake.requests_to("/api/chat")] == ["llama3.2"] * 2
    saved = store.run(run_id)
    assert saved is not None
    errors = [answer.verdict.error for answer in saved.answers if answer.verdict is not None]
    assert len(errors) == 2 and all(error.startswith("在 gpu 上：") for error in errors), errors
    assert all(answer.status == DONE for answer in saved.answers)  # the answers stay; only their grades failed


def test_with_one_server_a_failures_sentence_is_as_before(fake, store):
    fake.break_model("llama3.2", "the runner crashed")
    run_id, job = begin_on(
        store, Run(PromptSet("s", PROMPTS[:1]), (Candidate("llama3.2", server=fake.url),)), OllamaClient(fake.url)
    )
    assert job.wait(30)
    saved = store.run(run_id)
    assert saved is not None and not saved.answers[0].error.startswith("On ")


# The ETA


def test_the_eta_is_unknown_until_a_step_finished_then_uses_each_models_mean():
    eta = Eta()
    a, b = ("a", ""), ("b", "")
    assert eta.left(a, 0.0, [a, b]) is None and eta.mean(a) is None
    eta.add(a, 2.0)
    eta.add(("a:latest", ""), 4.0)
    assert eta.mean(("A", "")) == 3.0 and eta.mean(b) == 3.0  # b has no step yet: the mean of all
    eta.add(b, 1.0)
    assert eta.mean(b) == 1.0
    assert eta.left(a, 1.0, [a, b, b]) == pytest.approx(2.0 + 3.0 + 1.0 + 1.0)
    assert eta.left(a, 10.0, []) == 0.0  # a step slower than the mean: nothing negative
    assert eta.left(None, 0.0, [b]) == 1.0
    eta.add(("a", "http://gpu:11434"), 0.5)
    assert eta.mean(("a", "http://gpu:11434")) == 0.5 and eta.mean(a) == 3.0  # each server's own speed


def test_the_eta_decreases_as_answers_finish(fake, store):
    fake.token_delay = 0.01
    for _ in range(6):
        fake.script_reply(" ".join(["word"] * 15))
    _, job = begin(fake, store, Run(PromptSet("s", PROMPTS[:3]), THREE[:2]))
    assert job.view().eta_seconds is None
    seen: dict[int, float | None] = {}
    while not job.view().finished:
        view = job.view()
        seen.setdefault(view.done, view.eta_seconds)
        time.sleep(0.002)
    assert job.wait(10)
    assert seen[0] is None
    estimates = [seen[done] for done in sorted(seen) if done > 0]
    assert len(estimates) >= 4 and all(isinstance(value, float) for value in estimates)
    assert all(later < earlier for earlier, later in itertools.pairwise(estimates))
    assert job.view().eta_seconds == 0.0
