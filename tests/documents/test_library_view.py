"""The Documents page (lib/documents/library_view.py): every document of the visitor with its figures,
uploads straight into the library, deletion after a confirmation (the chats using it stop using it)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from lib import state
from lib.access import visitor
from lib.documents import index, ingest, library_view
from lib.documents.records import Document
from lib.documents.store import DocumentStore
from lib.ollama.client import OllamaClient
from lib.storage.database import DATABASE_URL_ENV
from lib.ui import navigation
from tests import i18n_check
from tests.chat.conftest import ref, send
from tests.documents.in_chat import (  # fresh_vectors: an autouse fixture
    CAT_PASSAGE,
    CAT_QUESTION,
    CHAT_MODEL,
    EMBEDDING_MODEL,
    NOTES,
    OTHER_BROWSER,
    OTHER_EMBEDDING_MODEL,
    add_file,
    fresh_vectors,  # noqa: F401
    in_use,
    library,
    library_upload_key,
    only,
    owner,
    sent_messages,
    wait_for_jobs,
)
from tests.markdown_audit import HOSTILE_NAMES, markers, problems, record_sent, shown_texts


@pytest.fixture
def page(open_app) -> AppTest:
    return open_app(navigation.DOCUMENTS)


def upload(at: AppTest, name: str, data: bytes, mime: str = "text/markdown") -> AppTest:
    at.selectbox(key=state.DOCUMENTS_MODEL_INPUT).select(EMBEDDING_MODEL).run()
    at.file_uploader(key=library_upload_key(at)).upload(name, data, mime).run()
    return wait_for_jobs(at)


def test_an_empty_library_says_how_to_fill_it(page):
    assert not page.exception
    assert "Your library is empty" in page.info[0].value


def test_a_file_uploaded_into_the_library_is_listed_with_its_figures(page, studio_env):
    upload(page, "notes.md", NOTES)
    assert not page.exception
    document = only(library(studio_env).documents())
    assert document.passages == 2
    names = [m.value for m in page.markdown if m.value.startswith("**")]
    assert "**notes.md**" in names
    line = next(c.value for c in page.caption if "passages" in c.value)
    assert line.startswith("Markdown · ") and "2 passages" in line and EMBEDDING_MODEL in line and "added" in line


def test_on_a_database_server_a_file_uploaded_is_saved_there_listed_and_deleted(
    open_app, studio_env, postgres_url, monkeypatch
):
    monkeypatch.setenv(DATABASE_URL_ENV, postgres_url)
    page = open_app(navigation.DOCUMENTS)
    upload(page, "notes.md", NOTES)
    assert not page.exception
    on_server = DocumentStore(url=postgres_url, owner=owner())
    document = only(on_server.documents())
    assert (document.name, document.passages) == ("notes.md", 2)
    assert not (studio_env / "documents.sqlite3").exists()  # nothing in the data folder
    assert "**notes.md**" in [m.value for m in page.markdown]
    page.button(key=f"documents_delete_{document.id}").click().run()
    page.button(key=f"documents_delete_yes_{document.id}").click().run()
    assert not page.exception and page.success[0].value == "notes.md was deleted."
    assert on_server.documents() == []


def test_deleting_asks_first_and_then_the_chat_no_longer_uses_the_document(open_app, fake, studio_env):
    chat = open_app(navigation.CHAT)
    chat.selectbox(key=state.CHAT_MODEL_INPUT).select(ref(CHAT_MODEL)).run()
    add_file(chat, "notes.md", NOTES, model=EMBEDDING_MODEL)
    conversation_id = chat.query_params["chat"][0]
    document = only(library(studio_env).documents())

    page = open_app(navigation.DOCUMENTS)
    page.button(key=f"documents_delete_{document.id}").click().run()
    assert "Delete notes.md?" in page.warning[0].value
    page.button(key=f"documents_delete_no_{document.id}").click().run()
    assert library(studio_env).get(document.id) is not None
    page.button(key=f"documents_delete_{document.id}").click().run()
    page.button(key=f"documents_delete_yes_{document.id}").click().run()
    assert not page.exception
    assert page.success[0].value == "notes.md was deleted."
    assert library(studio_env).documents() == []
    assert "Your library is empty" in page.info[0].value

    chat = open_app(navigation.CHAT, {"chat": conversation_id})
    assert in_use(chat) == []
    fake.script_reply("I cannot tell.")
    send(chat, CAT_QUESTION)
    assert sent_messages(fake) == [{"role": "user", "content": CAT_QUESTION}]


def test_a_visitor_sees_only_their_own_library(page, open_app, studio_env, monkeypatch):
    monkeypatch.setenv("OLLAMA_STUDIO_LOCKED", "1")
    upload(page, "notes.md", NOTES)
    stranger = open_app(navigation.DOCUMENTS, browser=OTHER_BROWSER)
    assert "Your library is empty" in stranger.info[0].value
    assert library(studio_env, OTHER_BROWSER).documents() == []


def test_a_documents_line_of_figures():
    document = Document("a.pdf", "pdf", 2_500_000, "x", "bge-m3:latest", passages=1, added_at=0.0)
    line = library_view.facts(document)
    assert line.startswith("PDF · 2.5 MB · 1 passage · `bge-m3:latest` · added ")
    odd = Document("a.bin", "weird", 10, "x", "m", passages=3, added_at=float("nan"))
    assert library_view.facts(odd).startswith("weird · 10 B · 3 passages")


def test_reindexing_with_another_model_replaces_the_vectors_and_the_chat_searches_with_it(open_app, fake, studio_env):
    chat = open_app(navigation.CHAT)
    chat.selectbox(key=state.CHAT_MODEL_INPUT).select(ref(CHAT_MODEL)).run()
    add_file(chat, "notes.md", NOTES, model=EMBEDDING_MODEL)
    conversation_id = chat.query_params["chat"][0]
    document = only(library(studio_env).documents())

    page = open_app(navigation.DOCUMENTS)
    key = f"{state.DOCUMENTS_REINDEX_MODEL_INPUT}_{document.id}"
    assert page.selectbox(key=key).options == [OTHER_EMBEDDING_MODEL]
    page.selectbox(key=key).select(OTHER_EMBEDDING_MODEL).run()
    page.button(key=f"documents_reindex_start_{document.id}").click().run()
    wait_for_jobs(page)
    assert not page.exception
    assert only(library(studio_env).documents()).model == OTHER_EMBEDDING_MODEL
    assert OTHER_EMBEDDING_MODEL in next(c.value for c in page.caption if "passages" in c.value)
    _, ids = library(studio_env).vectors(EMBEDDING_MODEL)
    assert ids == []  # the old model's vectors are gone, never mixed with the new ones

    chat = open_app(navigation.CHAT, {"chat": conversation_id})
    fake.script_reply("They purr [1].")
    send(chat, CAT_QUESTION)
    assert fake.requests_to("/api/embed")[-1].body["model"] == OTHER_EMBEDDING_MODEL
    assert CAT_PASSAGE in "\n".join(m["content"] for m in sent_messages(fake))


def test_hostile_file_names_are_shown_literally_on_every_screen(open_app, fake, monkeypatch, studio_env):
    """In the panel, the line next to the button, the citations, the sources, what was sent, the toasts, the
    library and its confirmation: a file's name is the visitor's text, never Markdown (tests/markdown_audit.py)."""
    sent = record_sent(monkeypatch)
    chat = open_app(navigation.CHAT)
    chat.selectbox(key=state.CHAT_MODEL_INPUT).select(ref(CHAT_MODEL)).run()
    for number, name in enumerate(HOSTILE_NAMES):
        add_file(
            chat, f"{name}.md", f"Cats purr when they are content, number {number}.".encode(), model=EMBEDDING_MODEL
        )
    fake.script_reply("They purr [1][2][3].")
    send(chat, CAT_QUESTION)
    toggle = chat.chat_message[-1].toggle[0]
    message_id = toggle.key.removeprefix(f"{state.DOCUMENTS_SENT_INPUT}_")
    chat.session_state[f"{state.DOCUMENTS_SOURCES_INPUT}_{message_id}"] = True  # the Sources section open
    toggle.set_value(True).run()
    assert len(chat.chat_message[-1].expander[0].markdown) == 6  # three sources, each a heading and its text
    page = open_app(navigation.DOCUMENTS)
    document = library(studio_env).documents()[0]
    page.button(key=f"documents_delete_{document.id}").click().run()
    shown = list(shown_texts(sent))
    assert problems(shown) == []
    assert {"zqa", "zqb", "zqc"} <= markers(shown, markdown=True)
    assert {"zqa", "zqb", "zqc"} <= markers(shown, markdown=False)  # what was sent


def test_the_panel_and_the_library_are_all_chinese_in_a_chinese_interface(open_app, studio_env):
    chat = open_app(navigation.CHAT, {"lang": "zh"})
    chat.selectbox(key=state.CHAT_MODEL_INPUT).select(ref(CHAT_MODEL)).run()
    add_file(chat, "notes.md", NOTES, model=EMBEDDING_MODEL)
    names = ["notes.md", EMBEDDING_MODEL, OTHER_EMBEDDING_MODEL, *chat.selectbox(key=state.CHAT_MODEL_INPUT).options]
    assert i18n_check.screen_leftovers(chat, names) == []
    document = only(library(studio_env).documents())
    page = open_app(navigation.DOCUMENTS, {"lang": "zh"})
    page.button(key=f"documents_delete_{document.id}").click().run()
    assert "删除 notes.md？" in page.warning[0].value
    assert i18n_check.screen_leftovers(page, names) == []


def test_a_visitor_who_signs_in_takes_their_browsers_documents_along(open_app, fake, studio_env, monkeypatch):
    token, account = "A" * 43, "user:https://idp.example|ann"
    chat = open_app(navigation.CHAT, browser=token)
    chat.selectbox(key=state.CHAT_MODEL_INPUT).select(ref(CHAT_MODEL)).run()
    add_file(chat, "notes.md", NOTES, model=EMBEDDING_MODEL)
    conversation_id = chat.query_params["chat"][0]
    fake.script_reply("They purr [1].")
    send(chat, CAT_QUESTION)  # the browser's search matrix is built
    monkeypatch.setattr(visitor, "browser_cookies", lambda: {visitor.COOKIE: token})  # AppTest cannot send cookies

    ann = {"is_logged_in": True, "sub": "ann", "iss": "https://idp.example"}
    signed_in = open_app(navigation.CHAT, {"chat": conversation_id}, user=ann)
    assert not signed_in.exception
    assert in_use(signed_in) == ["Answers come from notes.md."]
    fake.script_reply("Content cats purr [1].")
    send(signed_in, "And kittens?")
    assert CAT_PASSAGE in sent_messages(fake)[-1]["content"]
    assert [d.name for d in DocumentStore(studio_env / "documents.sqlite3", owner=account).documents()] == ["notes.md"]
    browser = DocumentStore(studio_env / "documents.sqlite3", owner=f"browser:{token}")
    assert browser.documents() == []
    question = ingest.query_vector(OllamaClient(fake.url), EMBEDDING_MODEL, CAT_QUESTION)
    assert index.search(browser, EMBEDDING_MODEL, question, document_ids=None) == []  # nor can it find them
