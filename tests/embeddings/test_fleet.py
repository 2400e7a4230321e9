"""The Embeddings page on a fleet of two fake servers, "laptop" and "gpu" (issue 23): models offered as
``model · server``, texts and search queries sent to the picked model's server, results named with it."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from lib import state
from lib.fleet.models import ModelRef
from lib.ui import navigation
from tests.fake_ollama import FakeOllama

TEXTS = ["cats purr softly", "a kitten purrs", "dogs bark loudly"]


@pytest.fixture
def page(monkeypatch, open_app, fake, gpu) -> AppTest:
    monkeypatch.setenv("OLLAMA_HOST", f"laptop={fake.url},gpu={gpu.url}")
    at = open_app(navigation.EMBEDDINGS)
    assert not at.exception
    at.text_area(key=state.EMBED_LINES_INPUT).input("\n".join(TEXTS)).run()
    return at


def embed(at: AppTest) -> AppTest:
    at.button(key=state.EMBED_RUN_BUTTON).click().run()
    assert not at.exception
    return at


def read(elements) -> str:
    """The elements' text as the user reads it (Markdown escapes removed)."""
    return re.sub(r"\\(.)", r"\1", "\n".join(element.value for element in elements))


def test_embeddings_on_gpu_go_to_gpu_only(page, fake, gpu):
    box = page.selectbox(key=state.EMBED_MODEL_INPUT)
    assert "nomic-embed-text:latest · laptop" in box.options and "nomic-embed-text:latest · gpu" in box.options
    assert "llama3.2:latest · gpu (cannot embed)" in box.options
    box.select("nomic-embed-text:latest · gpu").run()
    embed(page)
    assert [request.body["input"] for request in gpu.requests_to("/api/embed")] == [TEXTS]
    assert fake.requests_to("/api/embed") == []
    assert "nomic-embed-text:latest · gpu" in read(page.markdown)  # the results say where they come from
    page.text_input(key=state.EMBED_QUERY_INPUT).input("a purring cat").run()
    assert not page.exception
    assert gpu.requests_to("/api/embed")[-1].body["input"] == ["a purring cat"]
    assert fake.requests_to("/api/embed") == []


def test_a_search_stays_on_the_server_of_the_results_when_the_picker_moves(page, fake, gpu):
    page.selectbox(key=state.EMBED_MODEL_INPUT).select("all-minilm:latest · gpu").run()
    embed(page)
    page.selectbox(key=state.EMBED_MODEL_INPUT).select("all-minilm:latest · laptop").run()
    assert any("have changed since these results" in info.value for info in page.info)
    page.text_input(key=state.EMBED_QUERY_INPUT).input("a purring cat").run()
    assert gpu.requests_to("/api/embed")[-1].body["input"] == ["a purring cat"]
    assert fake.requests_to("/api/embed") == []


def test_the_same_model_on_two_servers_compared(page, fake, gpu):
    page.selectbox(key=state.EMBED_MODEL_INPUT).select("all-minilm:latest · laptop").run()
    compare = page.selectbox(key=state.EMBED_COMPARE_INPUT)
    assert "all-minilm:latest · gpu" in compare.options and "all-minilm:latest · laptop" not in compare.options
    compare.select("all-minilm:latest · gpu").run()
    embed(page)
    assert len(fake.requests_to("/api/embed")) == 1 and len(gpu.requests_to("/api/embed")) == 1
    analysis = page.session_state[state.EMBED_RESULT]
    assert (analysis.primary.name, analysis.second.name) == ("all-minilm:latest · laptop", "all-minilm:latest · gpu")
    assert len(page.get("download_button")) == 6  # each model's files, named apart (the same name would clash)
    assert analysis.primary.embedded.settings.server == fake.url
    assert analysis.second.embedded.settings.server == gpu.url


def test_a_server_that_is_down_is_named_and_the_others_models_stay(monkeypatch, open_app, fake):
    gone = FakeOllama().start()
    down = gone.url
    gone.stop()
    monkeypatch.setenv("OLLAMA_HOST", f"laptop={fake.url},gpu={down}")
    at = open_app(navigation.EMBEDDINGS)
    assert not at.exception
    assert all(
        option.split(" (")[0].endswith(" · laptop") for option in at.selectbox(key=state.EMBED_MODEL_INPUT).options
    )
    assert "**gpu** is not answering" in read(at.caption)
    assert at.selectbox(key=state.EMBED_MODEL_INPUT).value == ModelRef("all-minilm:latest", fake.url)
