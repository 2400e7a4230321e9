"""Files being indexed (lib/documents/jobs_view.py): their progress, Stop, how each ended, and that a
document is attached to its chat once, by whichever run sees its job end first."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from lib import state
from lib.documents import jobs_view
from lib.documents.ingest import IngestView, Stage
from lib.ui import navigation
from tests.chat.conftest import ref
from tests.documents.in_chat import (
    CHAT_MODEL,
    EMBEDDING_MODEL,
    NOTES,
    fresh_vectors,  # noqa: F401 (an autouse fixture)
    library,
    upload_key,
    wait_for_jobs,
)


def upload(name: str = "notes.md", *, reindex: bool = False) -> jobs_view.Upload:
    return jobs_view.Upload(name, EMBEDDING_MODEL, job=None, reindex=reindex)


def view(stage: Stage, done: int = 0, total: int = 0, *, reused: bool = False) -> IngestView:
    return IngestView("notes.md", EMBEDDING_MODEL, stage, done, total, 0, reused=reused)


@pytest.mark.parametrize(
    ("stage", "done", "total", "reindex", "expected"),
    [
        (Stage.READING, 0, 0, False, "Reading notes.md…"),
        (Stage.EMBEDDING, 0, 0, False, "Reading notes.md…"),
        (Stage.EMBEDDING, 32, 1200, False, "Indexing notes.md: 32 of 1,200 passages"),
        (Stage.EMBEDDING, 32, 1200, True, "Indexing notes.md again: 32 of 1,200 passages"),
        (Stage.SAVING, 1200, 1200, False, "Saving notes.md…"),
    ],
)
def test_what_the_bar_says(stage, done, total, reindex, expected):
    assert jobs_view.progress(upload(reindex=reindex), view(stage, done, total)) == expected


def test_how_an_indexed_file_is_announced():
    assert jobs_view.indexed(upload(), view(Stage.DONE, 1, 1)) == "notes.md is ready: 1 passage."
    assert jobs_view.indexed(upload(), view(Stage.DONE, 3, 3, reused=True)) == (
        "notes.md was already in your library (3 passages): nothing was indexed again."
    )
    assert jobs_view.indexed(upload(reindex=True), view(Stage.DONE, 3, 3)) == (
        "notes.md is indexed with `nomic-embed-text:latest` now."
    )


@pytest.fixture
def chat(open_app) -> AppTest:
    at = open_app(navigation.CHAT)
    at.selectbox(key=state.CHAT_MODEL_INPUT).select(ref(CHAT_MODEL)).run()
    at.selectbox(key=state.DOCUMENTS_MODEL_INPUT).select(EMBEDDING_MODEL).run()
    return at


def test_a_file_being_indexed_shows_its_progress_and_stop_keeps_nothing(chat, fake, studio_env):
    fake.add_fault("/api/embed", "latency", delay=5)
    chat.file_uploader(key=upload_key(chat)).upload("notes.md", NOTES, "text/markdown").run()
    (bar,) = chat.get("progress")
    assert bar.proto.text in ("Reading notes.md…", "Indexing notes.md: 0 of 2 passages")
    stop = next(b for b in chat.button if b.key and b.key.startswith("documents_stop_"))
    assert stop.label == "Stop"
    stop.click().run()
    wait_for_jobs(chat, timeout=10)
    assert not chat.exception
    assert chat.warning[0].value == "Indexing notes.md was stopped; nothing of it was kept."
    assert library(studio_env).documents() == []
    dismiss = next(b for b in chat.button if b.key and b.key.startswith("documents_dismiss_"))
    dismiss.click().run()
    assert not chat.warning and not chat.get("progress")


def test_a_finished_upload_is_attached_once_and_leaves_the_list(chat, studio_env):
    chat.file_uploader(key=upload_key(chat)).upload("notes.md", NOTES, "text/markdown").run()
    wait_for_jobs(chat)
    conversation_id = int(chat.query_params["chat"][0])
    (document,) = library(studio_env).attached(conversation_id)
    assert chat.session_state[state.DOCUMENTS_JOBS] == []  # announced with a toast, then gone
    library(studio_env).detach(conversation_id, document.id)
    chat.run()  # a later run does not attach it again
    assert library(studio_env).attached(conversation_id) == []


def test_an_upload_keeps_running_while_the_visitor_is_on_another_page(chat, open_app, fake, studio_env):
    fake.add_fault("/api/embed", "latency", delay=1)
    chat.file_uploader(key=upload_key(chat)).upload("notes.md", NOTES, "text/markdown").run()
    conversation_id = int(chat.query_params["chat"][0])
    chat.switch_page(navigation.DOCUMENTS).run()
    assert chat.get("progress")  # shown on the library page too
    wait_for_jobs(chat)
    assert [d.name for d in library(studio_env).attached(conversation_id)] == ["notes.md"]


def test_a_failed_upload_is_tried_again_from_the_kept_file_and_goes_to_its_chat(chat, fake, studio_env):
    fake.add_fault("/api/embed", "http", status=500, message="out of memory", times=0)
    chat.file_uploader(key=upload_key(chat)).upload("notes.md", NOTES, "text/markdown").run()
    wait_for_jobs(chat)
    assert not chat.exception
    assert any("Out of memory." in box.value for box in chat.error), [box.value for box in chat.error]
    assert library(studio_env).documents() == []
    fake.clear_faults()
    again = next(b for b in chat.button if b.key and b.key.startswith("documents_retry_"))
    assert again.label == "Try again"
    again.click().run()
    wait_for_jobs(chat)
    assert not chat.exception and not chat.error
    conversation_id = int(chat.query_params["chat"][0])
    assert [d.name for d in library(studio_env).attached(conversation_id)] == ["notes.md"]
    assert chat.session_state[state.DOCUMENTS_JOBS] == []  # announced, then gone like any finished upload


def test_a_stopped_upload_can_be_tried_again(chat, fake, studio_env):
    fake.add_fault("/api/embed", "latency", delay=5)
    chat.file_uploader(key=upload_key(chat)).upload("notes.md", NOTES, "text/markdown").run()
    next(b for b in chat.button if b.key and b.key.startswith("documents_stop_")).click().run()
    wait_for_jobs(chat, timeout=10)
    next(b for b in chat.button if b.key and b.key.startswith("documents_retry_")).click().run()
    wait_for_jobs(chat)
    assert [d.name for d in library(studio_env).documents()] == ["notes.md"]


def test_a_finished_upload_offers_no_try_again(chat, fake, studio_env):
    fake.add_fault("/api/embed", "latency", delay=0.5)
    chat.file_uploader(key=upload_key(chat)).upload("notes.md", NOTES, "text/markdown").run()
    uploads = chat.session_state[state.DOCUMENTS_JOBS]
    assert uploads and uploads[0].job.wait(10)
    jobs_view_retry_keys = [b.key for b in chat.run().button if b.key and b.key.startswith("documents_retry_")]
    assert jobs_view_retry_keys == []
