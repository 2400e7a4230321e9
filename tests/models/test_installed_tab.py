"""lib/models/installed_tab.py: counts, the filtered table, and what a visitor may do below it."""

from __future__ import annotations

import requests

from lib import state
from lib.access import locked as access
from lib.formatting import human_size
from tests.models.conftest import MODELS_PAGE, button_keys, shown_cells, texts


def test_table_lists_installed_models_with_capabilities_and_disk_use(page, fake):
    table = page.dataframe[0].value
    tags = requests.get(f"{fake.url}/api/tags", timeout=5).json()["models"]
    assert sorted(table["Model"]) == sorted(m["name"] for m in tags)
    llava = table[table["Model"] == "llava:7b"].iloc[0]
    assert "vision" in llava["Capabilities"]
    assert llava["Size"] == next(m["size"] for m in tags if m["name"] == "llava:7b")  # bytes, so it sorts by size
    assert shown_cells(page.dataframe[0])["Size"][llava.name] == "4.7 GB"  # worded as `ollama list` does
    metrics = {m.label: m.value for m in page.metric}
    assert metrics["Installed models"] == str(len(tags))
    assert metrics["Disk used"].endswith("GB")
    assert metrics["Loaded in memory"] == "0"


def test_filter_by_text_and_capability(page):
    page.text_input(key=state.MODELS_FILTER_INPUT).input("qwen").run()
    assert list(page.dataframe[0].value["Model"]) == ["qwen3:0.6b"]
    page.text_input(key=state.MODELS_FILTER_INPUT).input("").run()
    page.selectbox(key=state.MODELS_CAPABILITY_INPUT).select("embedding").run()
    assert sorted(page.dataframe[0].value["Model"]) == ["all-minilm:latest", "nomic-embed-text:latest"]
    assert "2 of 5 models" in texts(page.caption)


def test_a_filter_that_keeps_nothing_keeps_the_columns(page):
    page.text_input(key=state.MODELS_FILTER_INPUT).input("no such model").run()
    table = page.dataframe[0].value
    assert table.empty
    assert list(table.columns) == ["Model", "Size", "Family", "Parameters", "Quantisation", "Modified", "Capabilities"]
    assert "0 of 5 models" in texts(page.caption)


def test_without_installed_models_the_tab_says_how_to_get_one(open_app, fake):
    for model in requests.get(f"{fake.url}/api/tags", timeout=5).json()["models"]:
        requests.delete(f"{fake.url}/api/delete", json={"model": model["name"]}, timeout=5).raise_for_status()
    at = open_app(MODELS_PAGE)
    assert "No models are installed yet" in texts(at.info)
    assert {m.label: m.value for m in at.metric}["Installed models"] == "0"
    assert not at.dataframe
    assert not [box for box in at.selectbox if box.key == state.MODELS_DETAILS_INPUT]


def test_details_that_cannot_be_read_leave_the_table_without_capabilities(open_app, fake):
    fake.tags_capabilities = False  # an older server: capabilities come from /api/show only
    fake.add_fault("/api/show", "http", times=0, status=500, message="boom")
    at = open_app(MODELS_PAGE)
    assert not at.exception
    assert "Boom." in texts(at.error)
    table = at.dataframe[0].value
    assert len(table) == 5
    assert all(len(capabilities) == 0 for capabilities in table["Capabilities"])
    assert not {"models_copy", "models_delete"} & button_keys(at)  # no details, no actions


def test_a_locked_demo_shows_details_but_no_actions_nor_a_pending_deletion(open_app, fake, monkeypatch):
    monkeypatch.setenv(access.LOCKED_VARIABLE, "1")
    at = open_app(MODELS_PAGE)
    at.session_state[state.MODELS_PENDING_DELETE] = "all-minilm:latest"  # asked before the demo was locked
    at.run()
    assert at.selectbox(key=state.MODELS_DETAILS_INPUT).value == "all-minilm:latest"
    assert any(expander.label == "Modelfile" for expander in at.expander)
    assert not {"models_copy", "models_delete", "models_delete_confirm"} & button_keys(at)
    assert "Delete **all-minilm:latest**" not in texts(at.warning)


def test_cloud_models_are_counted_apart_listed_last_with_where_they_run_and_explained(open_app, fake):
    fake.add_cloud_models()
    at = open_app(MODELS_PAGE)
    table = at.dataframe[0].value
    assert list(table["Model"])[-2:] == ["deepseek-v3.1:671b-cloud", "gpt-oss:120b-cloud"]
    assert list(table["Runs on"]) == ["this server"] * 5 + ["ollama.com"] * 2
    cloud = table[table["Model"] == "gpt-oss:120b-cloud"].iloc[0]
    assert shown_cells(at.dataframe[0])["Size"][cloud.name] == human_size(None)  # not the manifest's bytes
    installed = next(m for m in at.metric if m.label == "Installed models")
    assert installed.value == "5" and "2 cloud model(s)" in installed.help
    at.selectbox(key=state.MODELS_DETAILS_INPUT).select("gpt-oss:120b-cloud").run()
    assert any("runs on ollama.com" in info.value and "ollama signin" in info.value for info in at.info)


def test_a_missing_size_reads_as_a_dash_not_none(open_app, fake):
    fake.add_cloud_models()
    at = open_app(MODELS_PAGE)
    assert at.dataframe[0].proto.placeholder == "—"
