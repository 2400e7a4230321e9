"""Small pieces of UI the pages share (lib/ui/widgets.py), each drawn alone with AppTest."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from lib import state
from lib.home import doctor
from lib.ollama.client import OllamaClient
from lib.ollama.errors import EndpointNotFound, OllamaError, Partial, ServerUnreachable, StreamError
from lib.ui.errors import error_text
from tests.streamlit_process import free_port

MODEL_MISSING = "The model is not installed on this server. Pull it first on the Models page, or pick another model."
PARTIAL_KEPT = "The part of the answer that arrived before the error is kept above."
CHAT_MODELS = ["llama3.2:latest", "llava:7b", "qwen3:0.6b"]


@pytest.fixture(autouse=True)
def keep_main_module(monkeypatch):
    """A script run makes its temporary file ``sys.modules["__main__"]``; put the real one back afterwards."""
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])


def draw(script: Callable[..., None], *args: Any, **preset: Any) -> AppTest:
    at = AppTest.from_function(script, args=args, default_timeout=30)
    for key, value in preset.items():
        at.session_state[key] = value
    return at.run()


@pytest.fixture
def client(fake) -> Iterator[OllamaClient]:
    c = OllamaClient(fake.url)
    yield c
    c.close()


def failure(call: Callable[[], Any]) -> OllamaError:
    with pytest.raises(OllamaError) as raised:
        call()
    return raised.value


# show_error


def show_error_app(error: "OllamaError") -> None:
    from lib.ui import widgets

    widgets.show_error(error)


def test_a_missing_model_is_explained_with_what_to_do(client):
    error = failure(lambda: client.show("mistral:7b"))
    at = draw(show_error_app, error)
    assert [box.value for box in at.error] == ["Model 'mistral:7b' not found."]
    assert at.error[0].icon == ":material/error:"
    assert [caption.value for caption in at.caption] == [MODEL_MISSING]


@pytest.mark.parametrize(
    ("status", "message"),
    [(404, "file does not exist"), (500, "model 'x' not found"), (400, "invalid model name")],
)
def test_other_server_errors_get_no_model_advice(client, fake, status, message):
    fake.add_fault("/api/show", "http", status=status, message=message)
    error = failure(lambda: client.show("llama3.2"))
    at = draw(show_error_app, error)
    assert [box.value for box in at.error] == [error_text(error)]
    assert not at.caption


def test_a_server_without_the_endpoint_gets_no_model_advice():
    """A plain-text 404 ("404 page not found") is a missing route, not a missing model."""
    values = {"where": "gpu-box:11434", "path": "/api/embed", "label": "HTTP 404 Not Found"}
    error = EndpointNotFound("errors.no_endpoint", values, status_code=404, server_message="404 page not found")
    at = draw(show_error_app, error)
    assert at.error[0].value.startswith("gpu-box:11434 has no /api/embed endpoint (HTTP 404 Not Found).")
    assert not at.caption


@pytest.mark.parametrize(("partial", "kept"), [(Partial("Hel"), True), (Partial("", "hmm"), True), (Partial(), False)])
def test_a_broken_stream_says_whether_the_partial_answer_is_kept(partial, kept):
    error = StreamError("errors.stream_error", {"said": "out of memory."}, partial=partial)
    at = draw(show_error_app, error)
    assert at.error[0].value == "The server reported an error while answering: out of memory."
    assert [caption.value for caption in at.caption] == ([PARTIAL_KEPT] if kept else [])


def test_the_error_and_its_advice_in_chinese(client):
    error = failure(lambda: client.show("mistral:7b"))
    at = draw(show_error_app, error, **{state.LANGUAGE: "zh"})
    assert at.error[0].value == "服务器返回错误：Model 'mistral:7b' not found."
    assert at.caption[0].value.startswith("该模型没有安装在这台服务器上。")


# stop_with_connection_help


def connection_help_app(error: "OllamaError", base_url: str) -> None:
    import streamlit as st

    from lib import server_data, state
    from lib.ui import widgets

    state.init()
    server_data.models(server_data.client())  # cached, as a page would have tried
    widgets.stop_with_connection_help(error, base_url)
    st.write("the rest of the page")


def unreachable(base_url: str) -> ServerUnreachable:
    return ServerUnreachable("errors.nothing_answers", {"where": base_url.removeprefix("http://")}, url=base_url)


def test_the_help_names_the_server_the_problem_and_numbered_steps(studio_env):
    base_url = f"http://127.0.0.1:{free_port()}"
    error = unreachable(base_url)
    at = draw(connection_help_app, error, base_url)
    assert at.subheader[0].value == f"Cannot use the server at `{base_url}`"
    assert [box.value for box in at.error] == [error_text(error)]
    assert at.error[0].icon == ":material/power_off:"
    steps = doctor.advice(error, base_url)
    assert [m.value for m in at.markdown] == [
        "**What to try**",
        "\n".join(f"{number}. {step}" for number, step in enumerate(steps, start=1)),
    ]
    assert steps[0].startswith("Start Ollama")  # this computer's server: start it first
    assert at.button(key="connection_retry").label == "Retry"


def test_the_rest_of_the_page_is_not_drawn(studio_env):
    at = draw(connection_help_app, unreachable("http://127.0.0.1:9"), "http://127.0.0.1:9")
    assert not at.exception
    assert all("the rest of the page" not in m.value for m in at.markdown)


def test_the_server_is_named_without_its_schemes_port(studio_env):
    at = draw(connection_help_app, unreachable("https://ollama.example.com:443"), "https://ollama.example.com:443")
    assert at.subheader[0].value == "Cannot use the server at `https://ollama.example.com`"


def test_a_locked_demo_gives_one_step_and_no_server_advice(studio_env, monkeypatch):
    monkeypatch.setenv("OLLAMA_STUDIO_LOCKED", "1")
    at = draw(connection_help_app, unreachable("http://127.0.0.1:9"), "http://127.0.0.1:9")
    assert at.markdown[1].value == (
        "1. This demo's server cannot be used right now. Press Retry in a moment; "
        "if it stays like this, tell whoever runs the demo."
    )


def test_retry_forgets_the_cached_server_data_and_runs_again(studio_env, fake):
    at = draw(connection_help_app, unreachable("http://127.0.0.1:9"), "http://127.0.0.1:9")
    at.run()
    assert len(fake.requests_to("/api/tags")) == 1  # a plain rerun uses the cached list
    at.button(key="connection_retry").click().run()
    assert len(fake.requests_to("/api/tags")) == 2
    assert not at.exception


# model_picker


def picker_app(capability: str) -> None:
    import streamlit as st

    from lib import state
    from lib.ui import widgets

    state.init()
    st.session_state["picked"] = widgets.model_picker("Model", capability, "picker", help="Pick one.")


def test_the_picker_offers_the_models_that_can_and_starts_on_the_first(studio_env):
    at = draw(picker_app, "completion")
    box = at.selectbox(key="picker")
    assert (box.label, box.help, box.options, box.value) == ("Model", "Pick one.", CHAT_MODELS, CHAT_MODELS[0])
    assert at.session_state["picked"] == CHAT_MODELS[0]


def test_the_picker_starts_on_the_default_model_when_it_can(studio_env):
    at = draw(picker_app, "completion", **{state.DEFAULT_MODEL: "qwen3:0.6b"})
    assert at.session_state["picked"] == "qwen3:0.6b"


def test_the_picker_ignores_a_default_model_that_cannot(studio_env):
    at = draw(picker_app, "embedding", **{state.DEFAULT_MODEL: "qwen3:0.6b"})
    assert at.selectbox(key="picker").options == ["all-minilm:latest", "nomic-embed-text:latest"]
    assert at.session_state["picked"] == "all-minilm:latest"


def test_the_users_pick_stays(studio_env):
    at = draw(picker_app, "completion", **{state.DEFAULT_MODEL: "qwen3:0.6b"})
    at.selectbox(key="picker").select("llava:7b").run()
    at.run()
    assert at.session_state["picked"] == "llava:7b"


def test_nothing_to_pick_is_explained(studio_env):
    at = draw(picker_app, "insert")
    assert at.info[0].value == "No installed model can do this (insert). Pull one first."
    assert not at.selectbox
    assert at.session_state["picked"] is None


def test_a_server_error_is_shown_instead_of_the_picker(studio_env, fake):
    fake.add_fault("/api/tags", "http", times=0, status=500, message="database is locked")
    at = draw(picker_app, "completion")
    assert [box.value for box in at.error] == ["Database is locked."]
    assert not at.selectbox
    assert at.session_state["picked"] is None


def test_after_a_server_error_retry_offers_the_models_once_the_server_answers(studio_env, fake):
    fake.add_fault("/api/tags", "http", times=0, status=500, message="database is locked")
    at = draw(picker_app, "completion")
    fake.clear_faults()
    at.button(key="connection_retry").click().run()
    assert not at.error and at.selectbox(key="picker").options == CHAT_MODELS


# ensure_choice


def ensure_app(names: list[str], eligible: list[str] | None) -> None:
    from lib.ui import widgets

    widgets.ensure_choice("box", names, eligible=eligible)


@pytest.mark.parametrize(
    ("held", "default", "eligible", "chosen"),
    [
        (None, None, None, "a"),
        (None, "b", None, "b"),
        (None, "z", None, "a"),  # the default is not offered
        (None, "b", ["c"], "a"),  # the default is offered but not eligible here
        (None, "c", ["c"], "c"),
        ("c", "b", None, "c"),  # the user's pick stays
        ("gone", "b", None, "b"),  # a pick no longer offered
    ],
)
def test_the_box_is_kept_on_a_name_it_offers(held, default, eligible, chosen):
    preset = {state.DEFAULT_MODEL: default}
    if held is not None:
        preset["box"] = held
    at = draw(ensure_app, ["a", "b", "c"], eligible, **preset)
    assert at.session_state["box"] == chosen


# tabs


TAB_KEYS = {"chat": "app.chat", "models": "app.models", "home": "app.home"}


def tabs_app() -> None:
    import streamlit as st

    from lib.ui import widgets

    tabs = widgets.tabs({"chat": "app.chat", "models": "app.models", "home": "app.home"}, "tabs")
    st.session_state["tab_ids"] = list(tabs)
    with tabs["models"]:
        st.write("models tab")


def test_tabs_are_labelled_in_the_sessions_language_and_found_by_id():
    at = draw(tabs_app, **{state.LANGUAGE: "zh"})
    assert [tab.label for tab in at.tabs] == ["对话", "模型", "首页"]
    assert at.session_state["tab_ids"] == list(TAB_KEYS)
    assert at.tabs[1].markdown[0].value == "models tab"
    assert at.session_state["tabs"] == "对话"  # none open yet: the first


@pytest.mark.parametrize(("stored", "language", "open_label"), [("模型", "en", "Models"), ("Models", "zh", "模型")])
def test_the_open_tab_survives_a_language_switch(stored, language, open_label):
    at = draw(tabs_app, tabs=stored, **{state.LANGUAGE: language})
    assert at.session_state["tabs"] == open_label


def test_an_unknown_open_tab_falls_back_to_the_first():
    at = draw(tabs_app, tabs="Nowhere")
    assert at.session_state["tabs"] == "Chat"


# live_area


def live_app(interrupt: bool) -> None:
    import streamlit as st

    from lib.ui import widgets

    stops = st.session_state.setdefault("stops", [])
    with widgets.live_area(lambda: stops.append("stopped")):
        st.write("streaming…")
        if interrupt:
            st.stop()  # as a click interrupts the run at a Streamlit call
    st.write("after")


def test_the_live_area_is_emptied_when_the_job_ends():
    at = draw(live_app, False)
    assert [m.value for m in at.markdown] == ["after"]
    assert at.session_state["stops"] == []


def test_an_interruption_stops_the_job_keeps_what_arrived_and_goes_on():
    at = draw(live_app, True)
    assert not at.exception
    assert at.session_state["stops"] == ["stopped"]
    assert [m.value for m in at.markdown] == ["streaming…"]
