"""Shared by the documents screens' tests: the Chat page with files added through its Documents panel,
the library page, and what they show."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib import state
from lib.documents import ingest
from lib.documents.records import Document
from lib.documents.store import DocumentStore
from tests.conftest import SAME_BROWSER

CHAT_MODEL = "llama3.2:latest"
EMBEDDING_MODEL = "nomic-embed-text:latest"
OTHER_EMBEDDING_MODEL = "all-minilm:latest"
OTHER_BROWSER = "test-browser-111111111111111111111111111111"

# Two topics far apart, so a question about one finds that one.
NOTES = (
    b"# Cats\n\nCats purr when they are content, and a kitten purrs while it feeds.\n\n"
    b"# Bread\n\nBake the bread in a hot oven until the crust is brown and the loaf sounds hollow.\n"
)
CAT_QUESTION = "Why do cats purr?"
CAT_PASSAGE = "Cats purr when they are content, and a kitten purrs while it feeds."


@pytest.fixture(autouse=True)
def fresh_vectors() -> Iterator[None]:
    """The vectors the jobs keep in memory (lib/documents/ingest.py) start empty: one test's never answer another's."""
    ingest.VECTORS.clear()
    yield
    ingest.VECTORS.clear()


def owner(browser: str = SAME_BROWSER) -> str:
    return f"browser:{browser}"


def library(data_dir: Path, browser: str = SAME_BROWSER) -> DocumentStore:
    """The documents database the app saves to, as the visitor with this browser id sees it."""
    return DocumentStore(data_dir / "documents.sqlite3", owner=owner(browser))


def upload_key(at: AppTest) -> str:
    return next(u.key for u in at.file_uploader if u.key.startswith(state.DOCUMENTS_UPLOAD_INPUT))


def library_upload_key(at: AppTest) -> str:
    return next(u.key for u in at.file_uploader if u.key.startswith(state.DOCUMENTS_LIBRARY_UPLOAD_INPUT))


def wait_for_jobs(at: AppTest, timeout: float = 20) -> AppTest:
    """Wait until every file this session is indexing has ended, then run the page as its poll would."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        uploads = at.session_state.get(state.DOCUMENTS_JOBS, [])
        if all(upload.job.view().finished for upload in uploads):
            break
        time.sleep(0.05)
    else:
        raise AssertionError("indexing did not end")
    return at.run()


def add_file(at: AppTest, name: str, data: bytes, mime: str = "text/markdown", *, model: str | None = None) -> AppTest:
    """Drop a file into the chat's Documents panel (with ``model`` chosen first) and wait for its indexing."""
    if model is not None:
        at.selectbox(key=state.DOCUMENTS_MODEL_INPUT).select(model).run()
    at.file_uploader(key=upload_key(at)).upload(name, data, mime).run()
    return wait_for_jobs(at)


def panel_lines(at: AppTest) -> list[str]:
    """The documents the panel lists as in this chat."""
    popover = documents_popover(at)
    return [m.value for m in popover.markdown][1:]


def in_use(at: AppTest) -> list[str]:
    """The line next to the Documents button."""
    return [c.value for c in at.caption if c.value.startswith("Answers come from")]


def sent_messages(fake) -> list[dict]:
    return fake.requests_to("/api/chat")[-1].body["messages"]


def only(documents: list[Document]) -> Document:
    assert len(documents) == 1, documents
    return documents[0]


# The Chat page's other popovers: its saved prompts' (beside the system prompt and the chat box) and the
# parameter presets' Manage.
OTHER_POPOVERS = {"Prompts", "System prompts", "Manage", "提示词", "系统提示词", "管理"}


def documents_popover(at: AppTest):
    """The Documents panel's popover."""
    return next(found for found in at.main.get("popover") if found.proto.popover.label not in OTHER_POPOVERS)


def button_label(at: AppTest) -> str:
    """The Documents button's label."""
    return documents_popover(at).proto.popover.label
