"""The New run tab on the fake server (lib/evals/setup_view.py): a set, candidates with their settings,
a judge, and Start, which checks the server and its models before anything is saved."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import streamlit as st

from lib import state
from lib.evals.store import EvalStore
from lib.fleet.models import ModelRef
from tests.conftest import pick_model
from tests.evals.screens import button, finish_job, job_of, open_evals, open_tab, small_set, stop_job, store_of, texts
from tests.fake_ollama.names import parse_name


@pytest.fixture
def store(studio_env) -> EvalStore:
    return store_of(studio_env)


@pytest.fixture
def setup(open_app, store) -> Iterator:
    """The New run tab, with one saved set of three prompts."""
    store.save_set(small_set())
    at = open_evals(open_app, tab="run")
    yield at
    stop_job(at)


def model_key(candidate: int) -> str:
    return f"{state.EVALS_MODEL_INPUT}_{candidate}"


def choose(at, *models: str | ModelRef) -> None:
    at.segmented_control(key=state.EVALS_COUNT_INPUT).set_value(len(models)).run()
    for candidate, model in enumerate(models):
        pick_model(at.selectbox(key=model_key(candidate)), model)
    at.run()


def test_without_a_set_the_tab_says_where_to_make_one(open_app):
    at = open_evals(open_app, tab="run")
    assert "A run needs a prompt set" in texts(at.info)
    assert not [found for found in at.button if found.label == "Start"]


def test_candidates_start_on_different_models_and_say_their_settings(setup):
    first, second = (setup.selectbox(key=model_key(candidate)).value for candidate in range(2))
    assert first != second
    assert [element.value for element in setup.caption].count("model defaults") == 2


def test_candidates_offer_no_keep_loaded_which_the_run_decides_itself(setup):
    assert [box.label for box in setup.text_input if box.label.startswith("Keep loaded")] == []
    assert any(box.label == "Temperature" for box in setup.number_input)


def test_start_saves_the_run_answers_it_and_opens_the_results(setup, store, fake):
    choose(setup, "llama3.2:latest", "qwen3:0.6b")
    setup.number_input(key="evals_1_option_temperature").set_value(0.0)
    setup.segmented_control(key=f"{state.EVALS_THINK_INPUT}_1").set_value(False)
    setup.text_area(key=f"{state.EVALS_SYSTEM_INPUT}_0").input("Be brief.")
    setup.run()
    assert "temperature 0.0 · no thinking" in texts(setup.caption)
    button(setup, "Start").click().run()
    assert not setup.exception
    assert setup.session_state[state.EVALS_TAB] == "Results"
    finish_job(setup)
    [run] = store.runs()
    assert [candidate.model for candidate in run.candidates] == ["llama3.2:latest", "qwen3:0.6b"]
    assert run.candidates[0].system == "Be brief." and run.candidates[0].think is None
    assert run.candidates[1].options == {"temperature": 0.0} and run.candidates[1].think is False
    assert run.finished_at is not None and len(run.answers) == 6
    bodies = [request.body for request in fake.requests_to("/api/chat")]
    assert len(bodies) == 6
    assert [body["model"] for body in bodies] == ["llama3.2:latest"] * 3 + ["qwen3:0.6b"] * 3  # each model loaded once
    assert bodies[0]["messages"][0] == {"role": "system", "content": "Be brief."}
    assert bodies[3]["options"] == {"temperature": 0.0} and bodies[3]["think"] is False


def test_a_server_that_fails_at_start_starts_nothing(setup, store, fake):
    fake.add_fault("/api/tags", "http", times=0, status=502, message="bad gateway")
    button(setup, "Start").click().run()
    shown = texts(setup.error)
    assert shown.startswith("The run did not start: the server could not say which models it has:")
    assert store.runs() == [] and job_of(setup) is None


def test_a_model_gone_since_it_was_picked_starts_nothing_and_says_which(setup, store, fake):
    choose(setup, "llama3.2:latest", "llava:7b")
    fake.store.remove(parse_name("llava:7b"))
    button(setup, "Start").click().run()
    assert "The run did not start: llava:7b is not installed on the server." in texts(setup.error)
    assert store.runs() == [] and job_of(setup) is None


def test_one_run_at_a_time(setup, fake):
    fake.token_delay = 0.05
    button(setup, "Start").click().run()
    open_tab(setup, "run")
    assert setup.button(key=state.EVALS_START_BUTTON).disabled
    assert "A run is in progress" in texts(setup.caption)


def test_the_set_up_is_kept_while_another_tab_is_open(setup):
    choose(setup, "qwen3:0.6b", "llava:7b", "llama3.2:latest")
    setup.text_area(key=f"{state.EVALS_SYSTEM_INPUT}_2").input("Reply in French.").run()
    open_tab(setup, "sets")
    open_tab(setup, "run")
    assert setup.segmented_control(key=state.EVALS_COUNT_INPUT).value == 3
    chosen = [setup.selectbox(key=model_key(c)).value.model for c in range(3)]
    assert chosen == ["qwen3:0.6b", "llava:7b", "llama3.2:latest"]
    assert setup.text_area(key=f"{state.EVALS_SYSTEM_INPUT}_2").value == "Reply in French."


def test_a_judged_run_keeps_its_judge_and_rubric_and_grades_after_the_answers(setup, store, fake):
    choose(setup, "llama3.2:latest")
    setup.toggle(key=state.EVALS_JUDGE_INPUT).set_value(True).run()
    pick_model(setup.selectbox(key=state.EVALS_JUDGE_MODEL_INPUT), "qwen3:0.6b")
    setup.text_area(key=state.EVALS_RUBRIC_INPUT).input("Names the right city.")
    setup.run()
    button(setup, "Start").click().run()
    finish_job(setup)
    [run] = store.runs()
    assert (run.judge, run.rubric) == ("qwen3:0.6b", "Names the right city.")
    models = [request.body["model"] for request in fake.requests_to("/api/chat")]
    assert models == ["llama3.2:latest"] * 3 + ["qwen3:0.6b"] * 3
    assert all(answer.verdict is not None for answer in run.answers)
    assert run.judge_server == fake.url  # saved with the run, the one server's address
    # With one server the judge is named alone, as before.
    assert "The judge's scores (qwen3:0.6b), apart from the checks" in [e.label for e in setup.expander]


def test_a_server_that_cannot_list_its_models_is_said_once_with_retry(open_app, store, fake):
    store.save_set(small_set())
    fake.add_fault("/api/tags", "http", times=0, status=502, message="bad gateway")
    at = open_evals(open_app, tab="run")
    assert [error.value for error in at.error] == ["Bad gateway."]  # said once, not by each candidate
    assert [found.key for found in at.main.button] == ["connection_retry"]
    fake.clear_faults()
    at.button(key="connection_retry").click().run()
    assert not at.error and at.button(key=state.EVALS_START_BUTTON)


def test_the_same_gpt_oss_model_twice_at_two_levels_is_two_candidates(setup, store, fake):
    fake.install("gpt-oss:20b")
    st.cache_data.clear()
    setup.run()
    choose(setup, "gpt-oss:20b", "gpt-oss:20b")
    setup.segmented_control(key=f"{state.EVALS_THINK_INPUT}_0").set_value("low").run()
    setup.segmented_control(key=f"{state.EVALS_THINK_INPUT}_1").set_value("high").run()
    captions = texts(setup.caption)
    assert "thinking low" in captions and "thinking high" in captions
    button(setup, "Start").click().run()
    finish_job(setup)
    [run] = store.runs()
    assert [candidate.think for candidate in run.candidates] == ["low", "high"]
    assert sorted({request.body["think"] for request in fake.requests_to("/api/chat")}) == ["high", "low"]


# Several servers


def on_two_servers(open_app, store, monkeypatch, fake, gpu):
    monkeypatch.setenv("OLLAMA_HOST", f"laptop={fake.url},gpu={gpu.url}")
    store.save_set(small_set())
    return open_evals(open_app, tab="run")


def test_candidates_on_two_servers_run_each_on_its_own_and_the_results_name_the_servers(
    open_app, store, monkeypatch, fake, gpu
):
    at = on_two_servers(open_app, store, monkeypatch, fake, gpu)
    assert "qwen3:0.6b · gpu" in at.selectbox(key=model_key(0)).options
    choose(at, ModelRef("qwen3:0.6b", fake.url), ModelRef("qwen3:0.6b", gpu.url))
    button(at, "Start").click().run()
    assert not at.error
    finish_job(at)
    [run] = store.runs()
    assert [(c.model, c.server) for c in run.candidates] == [("qwen3:0.6b", fake.url), ("qwen3:0.6b", gpu.url)]
    assert len(fake.requests_to("/api/chat")) == 3 and len(gpu.requests_to("/api/chat")) == 3
    assert run.finished_at is not None and all(answer.status == "done" for answer in run.answers)
    figures = at.dataframe[1].value  # the candidates' table: the laptop's speed beside the GPU box's
    assert list(figures["candidate"]) == ["A · qwen3:0.6b · laptop", "B · qwen3:0.6b · gpu"]
    assert figures["tps_median"].notna().all()
    assert at.selectbox(key=state.EVALS_CANDIDATE_INPUT).options == ["A · qwen3:0.6b · laptop", "B · qwen3:0.6b · gpu"]


def test_a_server_down_at_start_starts_nothing_and_is_named(open_app, store, monkeypatch, fake, gpu):
    at = on_two_servers(open_app, store, monkeypatch, fake, gpu)
    choose(at, ModelRef("qwen3:0.6b", fake.url), ModelRef("llama3.2:latest", gpu.url))
    gpu.add_fault("/api/tags", "http", times=0, status=502, message="bad gateway")
    button(at, "Start").click().run()
    assert texts(at.error).startswith("The run did not start: gpu could not say which models it has:")
    assert store.runs() == [] and job_of(at) is None
