"""lib/models/details.py: one installed model's figures, capabilities and what the server keeps for it."""

from __future__ import annotations

import requests

from lib import state
from tests.models.conftest import bodies, texts


def test_details_show_lengths_capabilities_modelfile_and_raw_json(page, fake):
    page.selectbox(key=state.MODELS_DETAILS_INPUT).select("nomic-embed-text:latest").run()
    shown = requests.post(f"{fake.url}/api/show", json={"model": "nomic-embed-text:latest"}, timeout=5).json()
    arch = shown["model_info"]["general.architecture"]
    metrics = {m.label: m.value for m in page.metric}
    assert metrics["Context length"] == f"{shown['model_info'][f'{arch}.context_length']:,}"
    assert metrics["Embedding length"] == f"{shown['model_info'][f'{arch}.embedding_length']:,}"
    assert "`embedding`" in texts(page.markdown)
    assert any(c.value.strip() == shown["modelfile"].strip() for c in page.code)
    assert any(j.value and '"model_info"' in j.value for j in page.json)
    assert {"model": "nomic-embed-text:latest"} in bodies(fake, "/api/show")


def facts_page(shown: dict) -> None:
    from lib.models import details

    details.facts(shown)


FULL = {
    "details": {"parameter_size": "3.2B", "quantization_level": "Q4_K_M"},
    "model_info": {"general.architecture": "llama", "llama.context_length": 131072, "llama.embedding_length": 3072},
    "capabilities": ["completion", "tools", "a-new-one"],
    "parameters": 'stop "<|eot_id|>"',
    "system": "You are **helpful**.",
    "template": "{{ .Prompt }}",
    "license": "LLAMA 3.2 COMMUNITY LICENSE",
    "modelfile": "FROM llama3.2",
}


def test_everything_the_server_reported(script):
    at = script(facts_page, FULL).run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {
        "Parameters": "3.2B",
        "Quantisation": "Q4\\_K\\_M",  # a metric's value is Markdown: the server's text is escaped
        "Context length": "131,072",
        "Embedding length": "3,072",
    }
    assert "**Capabilities:** `completion` `tools` `a-new-one`" in texts(at.markdown)
    assert [code.value for code in at.code] == [
        'stop "<|eot_id|>"',
        "You are **helpful**.",
        "{{ .Prompt }}",
        "LLAMA 3.2 COMMUNITY LICENSE",
        "FROM llama3.2",
    ]
    assert [expander.label for expander in at.expander] == ["Template", "License", "Modelfile", "Raw /api/show JSON"]


def test_what_the_server_left_out_is_said_or_skipped(script):
    at = script(facts_page, {"modelfile": ""}).run()
    assert {m.label: m.value for m in at.metric} == {
        "Parameters": "—",
        "Quantisation": "—",
        "Context length": "—",
        "Embedding length": "—",
    }
    assert "not reported" in texts(at.markdown)
    assert [code.value for code in at.code] == ["(none)", "(none)"]  # the template and the Modelfile
    assert [expander.label for expander in at.expander] == ["Template", "Modelfile", "Raw /api/show JSON"]


def details_page(url: str) -> None:
    import streamlit as st

    from lib.models import details
    from lib.ollama.client import OllamaClient

    client = OllamaClient(url)
    installed = client.list_models()
    chosen, shown = details.draw(client, installed, sorted(m["name"] for m in installed))
    st.session_state["drawn"] = (chosen, shown is not None)


def test_details_that_cannot_be_read_are_explained_and_nothing_is_returned(script, fake):
    at = script(details_page, fake.url).run()
    assert at.session_state["drawn"] == ("all-minilm:latest", True)
    fake.add_fault("/api/show", "http", status=500, message="boom")
    at.selectbox(key=state.MODELS_DETAILS_INPUT).select("llava:7b").run()
    assert at.session_state["drawn"] == ("llava:7b", False)
    assert "Boom." in texts(at.error)
    assert not at.metric
