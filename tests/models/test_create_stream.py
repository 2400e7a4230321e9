"""lib/models/create_stream.py: the request before it is sent, then the create's status lines as they arrive."""

from __future__ import annotations

import json

import requests

from lib import state
from lib.ollama.errors import OllamaError
from tests.models.conftest import installed_names, open_tab, texts

FROM_A_MODEL_TO_PULL = {"from_": "gemma3:270m", "system": "Hi."}


def create_page(url: str, fields: dict) -> None:
    import streamlit as st

    from lib.models import create_stream, notices
    from lib.ollama.client import OllamaClient

    notices.show(OllamaClient(url).list_models())
    create_stream.show_request("helper", fields)
    if st.button("Create", key="create"):
        create_stream.send(OllamaClient(url), "helper", fields)


def test_the_request_is_shown_as_it_will_be_sent(script, fake):
    at = script(create_page, fake.url, FROM_A_MODEL_TO_PULL).run()
    assert "The request we send to `/api/create`:" in texts(at.caption)
    assert json.loads(at.json[0].value) == {"model": "helper", "stream": True, "from": "gemma3:270m", "system": "Hi."}
    assert not fake.requests_to("/api/create")


def test_a_create_that_pulls_first_is_read_to_its_end_then_reported_on_the_next_run(script, fake):
    """The pull's own "success" comes mid-stream: the model exists only after the second one."""
    fake.token_delay = 0.01
    at = script(create_page, fake.url, FROM_A_MODEL_TO_PULL).run()
    at.button(key="create").click().run()
    assert not at.exception
    assert [box.value for box in at.success] == ["Created helper."]
    assert not at.get("status")  # the next run draws the page afresh
    assert not fake.requests_to("/api/create")[-1].client_disconnected
    names = {m["name"] for m in requests.get(f"{fake.url}/api/tags", timeout=5).json()["models"]}
    assert {"helper:latest", "gemma3:270m"} <= names


def test_a_broken_create_keeps_its_lines_one_bar_for_the_download_and_the_error(script, fake):
    fake.add_fault("/api/create", "error_line", after=26, message="no space left on device")
    at = script(create_page, fake.url, FROM_A_MODEL_TO_PULL).run()
    at.button(key="create").click().run()
    status = at.get("status")[0]
    assert status.proto.label == "Could not create helper"
    assert len(at.get("progress")) == 1  # every layer of the download in one bar
    assert [line.value for line in at.text] == [
        "Fetching the manifest",
        "Verifying the download",
        "Writing the manifest",
        "Done",
        "Using existing layer f9cec00eb755",
    ]
    assert "no space left on device" in texts(at.error)
    assert not at.success
    assert state.MODELS_NOTICE not in at.session_state  # nothing left to report on the next run


class RepeatingServer:
    """A create stream that says each line twice, then breaks off."""

    def create(self, name: str, **fields):
        for line in ("creating new layer sha256:" + "c" * 64, "writing manifest"):
            yield {"status": line}
            yield {"status": line}
        raise OllamaError("errors.request_failed", {"where": "the server", "kind": "reset"})


def sending_page(server) -> None:
    from lib.models import create_stream

    create_stream.send(server, "helper", {})


def test_a_line_the_server_repeats_is_shown_once(script):
    at = script(sending_page, RepeatingServer()).run()
    assert [line.value for line in at.text] == ["Creating new layer cccccccccccc", "Writing the manifest"]
    assert "The request to the server failed: reset." in texts(at.error)


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


def test_a_create_the_server_did_not_make_is_not_reported_as_done(page, fake):
    fake.store.inert = True
    open_tab(page, "Create")
    page.text_input(key=state.MODELS_CREATE_NAME_INPUT).input("pirate")
    page.text_area(key=state.MODELS_MODELFILE_INPUT).input("FROM llama3.2\nSYSTEM Arr.").run()
    page.button(key="models_create").click().run()
    assert not page.success
    assert "but pirate is not in its list of models: the model was not created" in texts(page.warning)


def test_the_reason_a_create_failed_is_shown_outside_the_collapsed_status_box(page, fake):
    open_tab(page, "Create")
    page.text_input(key=state.MODELS_CREATE_NAME_INPUT).input("ghost")
    page.text_area(key=state.MODELS_MODELFILE_INPUT).input("FROM no-such-base:1b").run()
    page.button(key="models_create").click().run()
    status = page.get("status")[0]
    assert status.proto.label == "Could not create ghost" and not status.proto.expanded
    assert not status.error  # the reason is not inside the collapsed box
    assert "file does not exist" in texts(page.error)
