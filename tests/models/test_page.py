"""The Models page, run with AppTest against the fake server: what the user sees and what is sent."""

from __future__ import annotations

import pytest
import requests
from streamlit.testing.v1 import AppTest

from lib import state
from lib.models.pull import Outcome
from tests.conftest import ENTRY_POINT

MODELS_PAGE = "app_pages/models.py"


def stop_pull(at: AppTest) -> None:
    """A pull a test left running must not outlive it."""
    job = at.session_state[state.MODELS_PULL_JOB] if state.MODELS_PULL_JOB in at.session_state else None  # noqa: SIM401 (no .get)
    if job is not None:
        job.cancel()
        job.wait(10)


@pytest.fixture
def page(open_app) -> AppTest:
    at = open_app(MODELS_PAGE)
    assert not at.exception
    yield at
    stop_pull(at)


def open_tab(at: AppTest, tab: str) -> AppTest:
    """``tab`` by its English label: the page turns a label of either language into this language's."""
    at.session_state[state.MODELS_TAB] = tab
    return at.run()


def installed_names(at: AppTest) -> list[str]:
    open_tab(at, "Installed")
    return list(at.dataframe[0].value["Model"])


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def bodies(fake, path: str) -> list:
    return [r.body for r in fake.requests_to(path)]


def start_pull(at: AppTest, name: str) -> None:
    open_tab(at, "Pull")
    at.text_input(key=state.MODELS_PULL_NAME_INPUT).input(name)
    at.button(key="models_pull_submit").click().run()


def pull_job(at: AppTest):
    return at.session_state[state.MODELS_PULL_JOB]


# Installed and details


def test_table_lists_installed_models_with_capabilities_and_disk_use(page, fake):
    table = page.dataframe[0].value
    tags = requests.get(f"{fake.url}/api/tags", timeout=5).json()["models"]
    assert sorted(table["Model"]) == sorted(m["name"] for m in tags)
    llava = table[table["Model"] == "llava:7b"].iloc[0]
    assert "vision" in llava["Capabilities"]
    assert llava["Size"] == next(m["size"] for m in tags if m["name"] == "llava:7b")
    metrics = {m.label: m.value for m in page.metric}
    assert metrics["Installed models"] == str(len(tags))
    assert metrics["Disk used"].endswith("GB")


def test_filter_by_text_and_capability(page):
    page.text_input(key=state.MODELS_FILTER_INPUT).input("qwen").run()
    assert list(page.dataframe[0].value["Model"]) == ["qwen3:0.6b"]
    page.text_input(key=state.MODELS_FILTER_INPUT).input("").run()
    page.selectbox(key=state.MODELS_CAPABILITY_INPUT).select("embedding").run()
    assert sorted(page.dataframe[0].value["Model"]) == ["all-minilm:latest", "nomic-embed-text:latest"]
    assert "2 of 5 models" in texts(page.caption)


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


# Running models


def test_load_with_keep_alive_then_unload(page, fake):
    open_tab(page, "Running")
    assert "No model is loaded" in texts(page.info)
    page.selectbox(key=state.MODELS_WARM_MODEL_INPUT).select("qwen3:0.6b")
    page.text_input(key=state.MODELS_KEEP_ALIVE_INPUT).input("10m")
    page.button(key="models_load").click().run()
    assert {"model": "qwen3:0.6b", "keep_alive": "10m", "stream": False} in bodies(fake, "/api/generate")
    assert "qwen3:0.6b is loaded" in texts(page.success)
    running = page.dataframe[0].value
    assert list(running["Model"]) == ["qwen3:0.6b"]
    assert running["Unloads"][0].startswith("in ")
    assert running["Context"][0] > 0

    page.button(key="models_unload_qwen3:0.6b").click().run()
    assert bodies(fake, "/api/generate")[-1] == {"model": "qwen3:0.6b", "keep_alive": 0, "stream": False}
    assert "Unloaded qwen3:0.6b" in texts(page.success)
    assert "No model is loaded" in texts(page.info)


def test_an_embedding_model_is_warmed_up_with_an_embed_request(page, fake):
    open_tab(page, "Running")
    page.selectbox(key=state.MODELS_WARM_MODEL_INPUT).select("all-minilm:latest")
    page.text_input(key=state.MODELS_KEEP_ALIVE_INPUT).input("-1")
    page.button(key="models_load").click().run()
    assert not page.error
    assert bodies(fake, "/api/embed")[-1] == {"model": "all-minilm:latest", "input": ["warm-up"], "keep_alive": -1}
    assert list(page.dataframe[0].value["Model"]) == ["all-minilm:latest"]
    assert page.dataframe[0].value["Unloads"][0] == "never (kept loaded)"
    page.button(key="models_unload_all-minilm:latest").click().run()
    assert not page.error
    assert "No model is loaded" in texts(page.info)


def test_a_bad_keep_alive_is_explained_and_nothing_sent(page, fake):
    open_tab(page, "Running")
    page.text_input(key=state.MODELS_KEEP_ALIVE_INPUT).input("ten minutes").run()
    assert "is not a duration" in texts(page.error)
    assert not fake.requests_to("/api/generate")


# Pull


def test_pull_reaches_success_and_refreshes_the_list(page, fake):
    start_pull(page, "qwen2.5:0.5b")
    assert pull_job(page).wait(20)
    page.run()
    assert "qwen2.5:0.5b is installed" in texts(page.success)
    assert "100%" in page.get("progress")[0].proto.text
    assert bodies(fake, "/api/pull") == [{"model": "qwen2.5:0.5b", "stream": True}]
    assert "qwen2.5:0.5b" in installed_names(page)
    page.button(key="models_pull_dismiss").click().run()
    assert page.session_state[state.MODELS_PULL_JOB] is None


def test_pull_of_an_unknown_model_says_so(page, fake):
    start_pull(page, "no-such-model:1b")
    assert pull_job(page).wait(20)
    page.run()
    assert pull_job(page).view().outcome is Outcome.FAILED
    assert "the registry has no model by that name" in texts(page.error)
    assert "no-such-model:1b" not in installed_names(page)


def test_pull_failing_mid_stream_says_so(page, fake):
    fake.add_fault("/api/pull", "error_line", after=3, message="max retries exceeded: connection reset")
    start_pull(page, "tinyllama:latest")
    assert pull_job(page).wait(20)
    page.run()
    assert "max retries exceeded" in texts(page.error)
    assert "resumes" in texts(page.error)


def test_cancel_closes_the_stream(page, fake):
    fake.token_delay = 0.3
    start_pull(page, "mxbai-embed-large:latest")
    assert fake.wait_for(lambda f: any(r.chunks_sent >= 2 for r in f.requests_to("/api/pull")), 10)
    page.run()
    page.button(key="models_pull_cancel").click().run()
    assert pull_job(page).wait(10)
    assert fake.wait_for(lambda f: f.requests_to("/api/pull")[-1].client_disconnected, 10)
    page.run()
    assert pull_job(page).view().outcome is Outcome.CANCELLED
    assert "was cancelled" in texts(page.warning)
    assert "mxbai-embed-large:latest" not in installed_names(page)


def test_pull_keeps_running_and_stays_visible_across_a_page_switch(page, fake):
    fake.token_delay = 0.05
    start_pull(page, "gemma3:270m")
    page.switch_page("app_pages/home.py").run()
    assert not page.exception
    page.switch_page(MODELS_PAGE).run()
    assert "`gemma3:270m`**" in texts(page.markdown)  # "Pulling" or, on a slow machine, already "Pull of"
    assert page.get("progress")
    assert pull_job(page).wait(30)
    page.switch_page("app_pages/home.py").run()
    page.switch_page(MODELS_PAGE).run()
    assert "gemma3:270m is installed" in texts(page.success)
    assert "gemma3:270m" in installed_names(page)


# Create


MODELFILE = '''# a comment
FROM llama3.2
PARAMETER temperature 0.3
PARAMETER stop "<|eot_id|>"
PARAMETER stop User:
SYSTEM """You are Mario.
Answer briefly."""
MESSAGE user Who are you?
MESSAGE assistant It's-a me, Mario!
'''


def test_create_from_a_modelfile_sends_the_structured_request(page, fake):
    open_tab(page, "Create")
    page.text_input(key=state.MODELS_CREATE_NAME_INPUT).input("mario")
    page.text_area(key=state.MODELS_MODELFILE_INPUT).input(MODELFILE).run()
    expected = {
        "model": "mario",
        "from": "llama3.2",
        "system": "You are Mario.\nAnswer briefly.",
        "parameters": {"temperature": 0.3, "stop": ["<|eot_id|>", "User:"]},
        "messages": [
            {"role": "user", "content": "Who are you?"},
            {"role": "assistant", "content": "It's-a me, Mario!"},
        ],
        "stream": True,
    }
    assert any(j.value and '"from": "llama3.2"' in j.value for j in page.json)
    page.button(key="models_create").click().run()
    assert not page.exception
    assert bodies(fake, "/api/create") == [expected]
    assert "Created mario." in texts(page.success)
    assert "mario:latest" in installed_names(page)


def test_a_broken_modelfile_lists_its_problems_and_sends_nothing(page, fake):
    open_tab(page, "Create")
    page.text_input(key=state.MODELS_CREATE_NAME_INPUT).input("x")
    page.text_area(key=state.MODELS_MODELFILE_INPUT).input(
        "FROM ./model.gguf\nPARAMETER warmth 2\nADAPTER ./lora"
    ).run()
    error = texts(page.error)
    assert "Line 1: FROM ./model.gguf points at a file" in error
    assert 'Line 2: unknown parameter "warmth"' in error
    assert "Line 3: ADAPTER" in error
    assert not [b for b in page.button if b.key == "models_create"]
    assert not fake.requests_to("/api/create")


def test_a_server_error_while_creating_is_shown(page, fake):
    open_tab(page, "Create")
    page.text_input(key=state.MODELS_CREATE_NAME_INPUT).input("ghost")
    page.text_area(key=state.MODELS_MODELFILE_INPUT).input("FROM no-such-base:1b").run()
    page.button(key="models_create").click().run()
    assert not page.exception
    assert "file does not exist" in texts(page.error)
    assert "ghost:latest" not in installed_names(page)


def test_create_from_a_model_the_server_must_pull_first(page, fake):
    open_tab(page, "Create")
    page.text_input(key=state.MODELS_CREATE_NAME_INPUT).input("tiny-helper")
    page.text_area(key=state.MODELS_MODELFILE_INPUT).input("FROM gemma3:270m\nSYSTEM Help.").run()
    page.button(key="models_create").click().run()
    assert not page.exception
    assert "Created tiny-helper." in texts(page.success)
    assert {"tiny-helper:latest", "gemma3:270m"} <= set(installed_names(page))


def test_create_needs_a_name(page, fake):
    open_tab(page, "Create")
    page.text_input(key=state.MODELS_CREATE_NAME_INPUT).input("  ").run()
    page.button(key="models_create").click().run()
    assert "Type a model name" in texts(page.error)
    assert not fake.requests_to("/api/create")


def test_simple_form_creates_from_base_system_and_parameters(page, fake):
    open_tab(page, "Create")
    page.selectbox(key=state.MODELS_FORM_BASE_INPUT).select("qwen3:0.6b")
    page.text_input(key=state.MODELS_FORM_NAME_INPUT).input("brief")
    page.text_area(key=state.MODELS_FORM_SYSTEM_INPUT).input("Answer in one sentence.")
    page.number_input(key=state.MODELS_FORM_OPTION_PREFIX + "temperature").set_value(0.2)
    page.text_area(key=state.MODELS_FORM_STOP_INPUT).input("END\n").run()
    page.button(key="models_form_create").click().run()
    assert bodies(fake, "/api/create") == [
        {
            "model": "brief",
            "from": "qwen3:0.6b",
            "system": "Answer in one sentence.",
            "parameters": {"temperature": 0.2, "stop": ["END"]},
            "stream": True,
        }
    ]
    assert "brief:latest" in installed_names(page)


def test_edit_as_new_prefills_the_modelfile_of_an_installed_model(page, fake):
    page.selectbox(key=state.MODELS_DETAILS_INPUT).select("llama3.2:latest").run()
    page.button(key="models_edit_as_new").click().run()
    assert page.session_state[state.MODELS_TAB] == "Create"
    text = page.text_area(key=state.MODELS_MODELFILE_INPUT).value
    assert "FROM llama3.2:latest" in text and "/blobs/" not in text
    assert page.text_input(key=state.MODELS_CREATE_NAME_INPUT).value == "llama3.2-custom:latest"
    assert not texts(page.error)
    page.button(key="models_create").click().run()
    sent = bodies(fake, "/api/create")[0]
    assert sent["from"] == "llama3.2:latest" and sent["model"] == "llama3.2-custom:latest"
    assert "template" in sent


# Copy and delete


def test_copy_under_a_new_name(page, fake):
    page.selectbox(key=state.MODELS_DETAILS_INPUT).select("qwen3:0.6b").run()
    page.text_input(key=state.MODELS_COPY_NAME_INPUT).input("qwen-backup:1")
    page.button(key="models_copy").click().run()
    assert bodies(fake, "/api/copy") == [{"source": "qwen3:0.6b", "destination": "qwen-backup:1"}]
    assert "Copied qwen3:0.6b to qwen-backup:1." in texts(page.success)
    assert "qwen-backup:1" in installed_names(page)


def test_a_bad_copy_name_is_explained_and_nothing_sent(page, fake):
    page.text_input(key=state.MODELS_COPY_NAME_INPUT).input("my copy")
    page.button(key="models_copy").click().run()
    assert "is not a model name" in texts(page.error)
    assert not fake.requests_to("/api/copy")


def test_a_bad_pull_name_is_explained_and_nothing_sent(page, fake):
    start_pull(page, "![x](http://example.com/x.png)")
    assert "is not a model name" in texts(page.error)
    assert page.session_state[state.MODELS_PULL_JOB] is None
    assert not fake.requests_to("/api/pull")


def test_delete_asks_for_confirmation_naming_the_model(page, fake):
    page.selectbox(key=state.MODELS_DETAILS_INPUT).select("all-minilm:latest").run()
    page.button(key="models_delete").click().run()
    assert "Delete **all-minilm:latest** from the server?" in texts(page.warning)
    assert not fake.requests_to("/api/delete")
    page.button(key="models_delete_cancel").click().run()
    assert not texts(page.warning)
    page.button(key="models_delete").click().run()
    page.button(key="models_delete_confirm").click().run()
    assert bodies(fake, "/api/delete") == [{"model": "all-minilm:latest"}]
    assert "Deleted all-minilm:latest." in texts(page.success)
    assert "all-minilm:latest" not in installed_names(page)


def test_deleting_a_model_that_is_already_gone_is_reported_and_the_list_refreshed(page, fake):
    page.selectbox(key=state.MODELS_DETAILS_INPUT).select("all-minilm:latest").run()
    page.button(key="models_delete").click().run()
    requests.delete(f"{fake.url}/api/delete", json={"model": "all-minilm:latest"}, timeout=5).raise_for_status()
    page.button(key="models_delete_confirm").click().run()
    assert not page.exception
    assert "all-minilm:latest was already gone" in texts(page.warning)
    assert "all-minilm:latest" not in installed_names(page)


def test_server_down_shows_the_connection_help(fake, monkeypatch, tmp_path):
    from tests.streamlit_process import free_port

    monkeypatch.setenv("OLLAMA_HOST", f"127.0.0.1:{free_port()}")
    monkeypatch.setenv("OLLAMA_STUDIO_DATA_DIR", str(tmp_path))
    at = AppTest.from_file(ENTRY_POINT, default_timeout=30)
    at.switch_page(MODELS_PAGE).run()
    assert not at.exception
    assert "Nothing is answering" in texts(at.error)


def test_a_failed_delete_is_shown_and_the_model_kept(page, fake):
    fake.add_fault("/api/delete", "http", status=500, message="permission denied")
    page.selectbox(key=state.MODELS_DETAILS_INPUT).select("all-minilm:latest").run()
    page.button(key="models_delete").click().run()
    page.button(key="models_delete_confirm").click().run()
    assert not page.exception
    assert "Permission denied." in texts(page.error)
    assert "all-minilm:latest" in installed_names(page)
