"""Generate and its Compare mode on a fleet of two fake servers, "laptop" and "gpu" (issue 23): each run goes
to the server of the model picked, everything read about the model comes from there, and the screen names it."""

from __future__ import annotations

import json
import re
import socket
import threading

import pytest
from streamlit.testing.v1 import AppTest

from lib import server_data, state
from lib.fleet.models import ModelRef
from lib.generate.compare import export as compare_export
from lib.ui import navigation
from tests.fake_ollama import FakeOllama
from tests.generate.conftest import generate

REPLY = " ".join(f"word{number}" for number in range(20))
LONG_REPLY = " ".join(f"word{number}" for number in range(200))


@pytest.fixture
def fleet(monkeypatch, open_app, fake, gpu):
    """Open a page of the app with two servers: the session fake as "laptop", a second fake as "gpu"."""
    monkeypatch.setenv("OLLAMA_HOST", f"laptop={fake.url},gpu={gpu.url}")
    return open_app


def texts(elements) -> str:
    """The elements' text as the user reads it (Markdown escapes removed)."""
    return re.sub(r"\\(.)", r"\1", "\n".join(element.value for element in elements))


def request_panel(at: AppTest) -> dict[str, str]:
    panel = next(expander for expander in at.expander if expander.label == "API request")
    return {tab.label: tab.code[0].value for tab in panel.tabs}


# One model


def test_generate_on_gpu_reaches_gpu_only_and_reads_the_model_there(fleet, fake, gpu):
    gpu.install_as("qwen3:0.6b", like="llama3.2")  # gpu's qwen3:0.6b is another model: it cannot think
    at = fleet(navigation.GENERATE)
    box = at.selectbox(key=state.GENERATE_MODEL_INPUT)
    assert "qwen3:0.6b · laptop" in box.options and "qwen3:0.6b · gpu" in box.options
    box.select("qwen3:0.6b · laptop").run()
    assert at.segmented_control(key=state.GENERATE_THINK_INPUT).options == ["Off", "On"]  # laptop's can think
    at.selectbox(key=state.GENERATE_MODEL_INPUT).select("qwen3:0.6b · gpu").run()
    assert at.selectbox(key=state.GENERATE_MODEL_INPUT).value == ModelRef("qwen3:0.6b", gpu.url)
    assert at.segmented_control(key=f"{state.GENERATE_THINK_INPUT}.unavailable").disabled  # gpu's cannot
    generate(at)
    assert len(gpu.requests_to("/api/generate")) == 1
    assert fake.requests_to("/api/generate") == []
    assert "think" not in gpu.requests_to("/api/generate")[0].body
    shown = request_panel(at)
    assert shown["curl"].startswith(f"curl {gpu.url}/api/generate \\")
    assert f"{gpu.url}/api/generate" in shown["Python (requests)"]
    assert at.text[0].value.startswith("#1 ·") and "qwen3:0.6b · gpu" in at.text[0].value


def test_a_run_on_gpu_stays_there_when_the_picker_moves_and_is_rerun_there(fleet, fake, gpu):
    at = fleet(navigation.GENERATE)
    at.selectbox(key=state.GENERATE_MODEL_INPUT).select("llama3.2:latest · gpu").run()
    generate(at)
    at.selectbox(key=state.GENERATE_MODEL_INPUT).select("llama3.2:latest · laptop").run()
    assert "llama3.2:latest · gpu" in at.text[0].value  # the history names the server the run went to
    at.button(key=f"{state.GENERATE_RERUN_BUTTON}_1").click().run()
    assert not at.exception
    assert len(gpu.requests_to("/api/generate")) == 2 and fake.requests_to("/api/generate") == []
    assert at.selectbox(key=state.GENERATE_MODEL_INPUT).value == ModelRef("llama3.2:latest", gpu.url)


def test_a_picked_model_keeps_its_server_when_the_sidebar_moves_to_another(fleet, fake, gpu):
    at = fleet(navigation.GENERATE)
    at.selectbox(key=state.GENERATE_MODEL_INPUT).select("llama3.2:latest · laptop").run()
    at.text_input(key=state.SERVER_URL_INPUT).input(gpu.url).run()  # the sidebar's server is now the GPU box
    generate(at)
    assert len(fake.requests_to("/api/generate")) == 1 and gpu.requests_to("/api/generate") == []


def test_the_request_shows_the_key_variable_of_the_chosen_server(fleet, monkeypatch, fake, gpu):
    gpu.api_key = "sk-gpu-only"
    monkeypatch.setenv("OLLAMA_API_KEY_GPU", "sk-gpu-only")
    at = fleet(navigation.GENERATE)
    at.selectbox(key=state.GENERATE_MODEL_INPUT).select("llama3.2:latest · gpu").run()
    generate(at)
    assert gpu.requests_to("/api/generate")[-1].headers["Authorization"] == "Bearer sk-gpu-only"
    shown = request_panel(at)
    assert '-H "Authorization: Bearer $OLLAMA_API_KEY_GPU"' in shown["curl"]
    assert "os.environ['OLLAMA_API_KEY_GPU']" in shown["Python (requests)"]
    assert "sk-gpu-only" not in json.dumps(shown)


# Compare


def open_compare(fleet) -> AppTest:
    at = fleet(navigation.GENERATE)
    at.segmented_control(key=state.GENERATE_MODE_INPUT).set_value("compare").run()
    assert not at.exception
    return at


def columns(at: AppTest, *labels: str) -> None:
    """Each column's model, picked by what the box shows (``model · server``)."""
    at.segmented_control(key=state.COMPARE_COUNT_INPUT).set_value(len(labels)).run()
    for column, shown in enumerate(labels):
        at.selectbox(key=f"{state.COMPARE_MODEL_INPUT}_{column}").select(shown)
    at.run()


def compare(at: AppTest, prompt: str = "Why is the sky blue?", **run_options) -> AppTest:
    at.text_area(key=state.COMPARE_PROMPT_INPUT).input(prompt)
    at.button(key=state.COMPARE_RUN_BUTTON).click().run(**run_options)
    assert not at.exception
    return at


def test_the_same_model_on_laptop_and_gpu_side_by_side(fleet, fake, gpu):
    fake.script_reply(f"Laptop: {REPLY}")
    gpu.script_reply(f"GPU: {REPLY}")
    at = open_compare(fleet)
    columns(at, "qwen3:0.6b · laptop", "qwen3:0.6b · gpu")
    compare(at)
    assert [request.body["model"] for request in fake.requests_to("/api/generate")] == ["qwen3:0.6b"]
    assert [request.body["model"] for request in gpu.requests_to("/api/generate")] == ["qwen3:0.6b"]
    headings = texts(at.subheader)
    assert "A · qwen3:0.6b · laptop" in headings and "B · qwen3:0.6b · gpu" in headings
    shown = texts(at.markdown)
    assert f"Laptop: {REPLY}" in shown and f"GPU: {REPLY}" in shown
    assert len([metric for metric in at.metric if metric.label == "Tokens/s"]) == 2  # each column's figures
    table = at.dataframe[0].value
    assert list(table["Column"]) == ["A · qwen3:0.6b · laptop", "B · qwen3:0.6b · gpu"]
    assert table["Tokens/s"].notna().all() and list(table["Status"]) == ["done", "done"]
    assert "Every column ran on a server of its own" in texts(at.caption)
    record = at.session_state[state.COMPARE_LAST]
    exported = compare_export.to_dict(record)["columns"]
    assert [(column["server"], column["server_name"]) for column in exported] == [
        (fake.url, "laptop"),
        (gpu.url, "gpu"),
    ]
    assert "Server: gpu" in compare_export.to_markdown(record)


def test_a_comparison_keeps_its_servers_when_a_column_is_moved_to_another(fleet, fake, gpu):
    at = open_compare(fleet)
    columns(at, "llama3.2:latest · laptop", "llama3.2:latest · gpu")
    compare(at)
    at.selectbox(key=f"{state.COMPARE_MODEL_INPUT}_1").select("llama3.2:latest · laptop").run()
    assert list(at.dataframe[0].value["Column"]) == ["A · llama3.2:latest · laptop", "B · llama3.2:latest · gpu"]


def test_the_image_goes_to_the_column_whose_server_has_a_model_that_sees(fleet, fake, gpu):
    gpu.install_as("llava:7b", like="llama3.2")  # gpu's llava:7b cannot see
    at = open_compare(fleet)
    columns(at, "llava:7b · laptop", "llava:7b · gpu")
    at.file_uploader(key=f"{state.COMPARE_IMAGE_INPUT}_0").upload("dot.png", b"\x89PNG fake", "image/png").run()
    compare(at)
    assert fake.requests_to("/api/generate")[0].body.get("images")
    assert "images" not in gpu.requests_to("/api/generate")[0].body


def test_a_column_whose_server_goes_away_says_so_and_the_other_finishes(fleet, fake, gpu):
    gpu.token_delay = 0.05
    gpu.script_reply(LONG_REPLY)
    fake.script_reply(REPLY)
    at = open_compare(fleet)
    columns(at, "llama3.2:latest · laptop", "llama3.2:latest · gpu")

    def pull_the_plug() -> None:
        if gpu.wait_for(lambda server: server.requests_to("/api/generate")[0].chunks_sent > 3, timeout=20):
            gpu.stop()

    unplug = threading.Thread(target=pull_the_plug, daemon=True)
    unplug.start()
    compare(at)
    unplug.join(5)
    said = texts(at.warning)
    assert "This column's server, **gpu**, is not answering" in said
    assert "dropped before the answer was complete" in texts(at.error)
    assert list(at.dataframe[0].value["Status"]) == ["done", "failed"]
    assert REPLY in texts(at.markdown)


def down_app(form) -> None:
    from lib import state
    from lib.generate.compare import view as compare_view
    from lib.generate.compare.form import build_requests

    state.init()
    compare_view.show_comparison(compare_view.run_comparison(build_requests(form, {}), form))


def test_a_column_on_a_server_that_is_down_says_so_and_the_other_completes(monkeypatch, studio_env, fake):
    from lib.generate.compare.form import ColumnSetup, CompareForm

    gone = FakeOllama().start()
    down = gone.url
    gone.stop()
    monkeypatch.setenv("OLLAMA_HOST", f"laptop={fake.url},gpu={down}")
    fake.script_reply(REPLY)
    form = CompareForm(
        prompt="Why?",
        columns=(ColumnSetup("llama3.2:latest", server=fake.url), ColumnSetup("llama3.2:latest", server=down)),
    )
    at = AppTest.from_function(down_app, args=(form,), default_timeout=30).run()
    assert not at.exception
    assert "This column's server, **gpu**, is not answering" in at.warning[0].value
    assert "Nothing is answering at" in at.error[0].value
    assert REPLY in texts(at.markdown)
    assert list(at.dataframe[0].value["Column"]) == ["A · llama3.2:latest · laptop", "B · llama3.2:latest · gpu"]
    assert list(at.dataframe[0].value["Status"]) == ["done", "failed"]


class Gone:
    """Listens on a port and hangs up on every connection at once, counting them (a server that is not there)."""

    def __init__(self, port: int) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(50)
        self.count = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.count += 1
            conn.close()


def test_a_pick_on_a_server_that_went_away_does_not_ask_it_again_on_every_rerun(monkeypatch, open_app, fake):
    gpu = FakeOllama().start()
    port = int(gpu.url.rsplit(":", 1)[1])
    monkeypatch.setenv("OLLAMA_HOST", f"laptop={fake.url},gpu={gpu.url}")
    at = open_app(navigation.GENERATE)
    at.selectbox(key=state.GENERATE_MODEL_INPUT).select(ModelRef("qwen3:0.6b", gpu.url)).run()
    gpu.stop()
    gone = Gone(port)
    server_data.forget_models()
    at.run()  # gpu is found down: not asked again for a few seconds
    assert not at.exception
    assert gone.count > 0
    gone.count = 0
    at.run()
    assert gone.count == 0  # an unreachable host would have cost its connect timeout once per question
    assert not at.exception
