"""lib/models/model_actions.py: copy, edit as new and delete the chosen model; a deletion asks first."""

from __future__ import annotations

import requests

from lib import state
from tests.models.conftest import bodies, installed_names, texts


def test_copy_under_a_new_name(page, fake):
    page.selectbox(key=state.MODELS_DETAILS_INPUT).select("qwen3:0.6b").run()
    page.text_input(key=state.MODELS_COPY_NAME_INPUT).input("qwen-backup:1")
    page.button(key="models_copy").click().run()
    assert bodies(fake, "/api/copy") == [{"source": "qwen3:0.6b", "destination": "qwen-backup:1"}]
    assert "Copied qwen3:0.6b to qwen-backup:1." in texts(page.success)
    assert "qwen-backup:1" in installed_names(page)


def test_a_copy_without_a_name_takes_the_free_name_it_offers(page, fake):
    page.selectbox(key=state.MODELS_DETAILS_INPUT).select("qwen3:0.6b").run()
    assert page.text_input(key=state.MODELS_COPY_NAME_INPUT).placeholder == "default: qwen3-copy:0.6b"
    page.button(key="models_copy").click().run()
    page.selectbox(key=state.MODELS_DETAILS_INPUT).select("qwen3:0.6b").run()
    assert page.text_input(key=state.MODELS_COPY_NAME_INPUT).placeholder == "default: qwen3-copy-2:0.6b"
    page.button(key="models_copy").click().run()
    assert [body["destination"] for body in bodies(fake, "/api/copy")] == ["qwen3-copy:0.6b", "qwen3-copy-2:0.6b"]


def test_a_bad_copy_name_is_explained_and_nothing_sent(page, fake):
    page.text_input(key=state.MODELS_COPY_NAME_INPUT).input("my copy")
    page.button(key="models_copy").click().run()
    assert "is not a model name" in texts(page.error)
    assert not fake.requests_to("/api/copy")


def test_a_refused_copy_is_shown_and_nothing_reported_as_done(page, fake):
    fake.add_fault("/api/copy", "http", status=500, message="disk full")
    page.text_input(key=state.MODELS_COPY_NAME_INPUT).input("spare:1")
    page.button(key="models_copy").click().run()
    assert "Disk full." in texts(page.error)
    assert not page.success
    assert "spare:1" not in installed_names(page)


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


def test_a_failed_delete_is_shown_and_the_model_kept(page, fake):
    fake.add_fault("/api/delete", "http", status=500, message="permission denied")
    page.selectbox(key=state.MODELS_DETAILS_INPUT).select("all-minilm:latest").run()
    page.button(key="models_delete").click().run()
    page.button(key="models_delete_confirm").click().run()
    assert not page.exception
    assert "Permission denied." in texts(page.error)
    assert "all-minilm:latest" in installed_names(page)
    assert page.session_state[state.MODELS_PENDING_DELETE] is None  # asked once: a retry starts from Delete


# A server that says it did a change it did not make


def test_a_copy_the_server_did_not_make_is_not_reported_as_done(page, fake):
    fake.store.inert = True
    page.selectbox(key=state.MODELS_DETAILS_INPUT).select("qwen3:0.6b").run()
    page.text_input(key=state.MODELS_COPY_NAME_INPUT).input("qwen-backup:1")
    page.button(key="models_copy").click().run()
    assert not page.success
    assert "but qwen-backup:1 is not in its list of models: the copy did not happen" in texts(page.warning)


def test_a_delete_the_server_did_not_make_is_not_reported_as_done(page, fake):
    fake.store.inert = True
    page.selectbox(key=state.MODELS_DETAILS_INPUT).select("qwen3:0.6b").run()
    page.button(key="models_delete").click().run()
    page.button(key="models_delete_confirm").click().run()
    assert bodies(fake, "/api/delete") == [{"model": "qwen3:0.6b"}]
    assert not page.success
    assert "but qwen3:0.6b is still in its list of models: nothing was deleted" in texts(page.warning)


def test_the_copy_name_box_is_emptied_after_a_copy(page, fake):
    page.selectbox(key=state.MODELS_DETAILS_INPUT).select("qwen3:0.6b").run()
    page.text_input(key=state.MODELS_COPY_NAME_INPUT).input("qwen-backup:1")
    page.button(key="models_copy").click().run()
    assert "Copied qwen3:0.6b to qwen-backup:1." in texts(page.success)
    assert page.text_input(key=state.MODELS_COPY_NAME_INPUT).value == ""
