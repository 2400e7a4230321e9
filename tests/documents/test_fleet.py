"""Documents on a fleet of two fake servers, ``laptop`` (the fake, the sidebar's) and ``gpu``: the embedding model
box offers both servers' models as ``model · server``, a file is indexed on the server picked and saved with it,
its questions are embedded there whatever the sidebar's server, and a server that goes away leaves its documents
out with a sentence while the others are still used. Which server each request reaches is read from each fake's
request log."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import streamlit as st
from streamlit.testing.v1 import AppTest

from lib import state
from lib.ui import navigation
from tests.chat.conftest import ref, send
from tests.documents.in_chat import (  # fresh_vectors: an autouse fixture
    CAT_PASSAGE,
    CAT_QUESTION,
    CHAT_MODEL,
    EMBEDDING_MODEL,
    NOTES,
    add_file,
    documents_popover,
    fresh_vectors,  # noqa: F401
    library,
    library_upload_key,
    only,
    panel_lines,
    sent_messages,
    upload_key,
    wait_for_jobs,
)

BREAD = b"# Bread\n\nBake the bread in a hot oven until the crust is brown and the loaf sounds hollow.\n"


def embeds(server) -> int:
    return len(server.requests_to("/api/embed"))


def chat_on_laptop(open_app, fake) -> AppTest:
    """The Chat page, its chat on laptop (the sidebar's server)."""
    at = open_app(navigation.CHAT)
    at.selectbox(key=state.CHAT_MODEL_INPUT).select(ref(CHAT_MODEL, fake.url)).run()
    return at


def test_every_answering_servers_embedding_models_are_offered_as_model_at_server(two_servers, open_app, fake, gpu):
    options = chat_on_laptop(open_app, fake).selectbox(key=state.DOCUMENTS_MODEL_INPUT).options
    assert {f"{EMBEDDING_MODEL} · laptop", f"{EMBEDDING_MODEL} · gpu"} <= set(options)
    assert not any("llama" in option for option in options)  # embedding models only


def test_a_file_attached_with_a_gpu_model_is_embedded_on_gpu_and_so_is_its_question(
    two_servers, open_app, fake, gpu, studio_env
):
    chat = chat_on_laptop(open_app, fake)
    add_file(chat, "notes.md", NOTES, model=ref(EMBEDDING_MODEL, gpu.url))
    assert not chat.exception
    assert embeds(gpu) > 0 and embeds(fake) == 0  # indexed by gpu only
    document = only(library(studio_env).documents())
    assert (document.model, document.server) == (EMBEDDING_MODEL, gpu.url)
    assert panel_lines(chat)[0] == f"notes.md · 2 passages · `{EMBEDDING_MODEL}` · gpu"

    indexed = embeds(gpu)
    fake.script_reply("They purr when content [1].")
    send(chat, CAT_QUESTION)  # the chat, and the sidebar, on laptop
    assert not chat.exception
    assert embeds(fake) == 0 and embeds(gpu) == indexed + 1  # the question embedded on gpu, once
    assert CAT_QUESTION in gpu.requests_to("/api/embed")[-1].body["input"][0]
    assert CAT_PASSAGE in sent_messages(fake)[-1]["content"]  # answered on laptop from gpu's passages
    assert gpu.requests_to("/api/chat") == []


def test_with_gpu_down_its_documents_are_named_and_laptops_are_still_used(two_servers, open_app, fake, gpu, studio_env):
    chat = chat_on_laptop(open_app, fake)
    add_file(chat, "cats.md", NOTES, model=ref(EMBEDDING_MODEL, fake.url))
    add_file(chat, "bread.md", BREAD, model=ref(EMBEDDING_MODEL, gpu.url))
    assert sorted((d.name, d.server) for d in library(studio_env).documents()) == [
        ("bread.md", gpu.url),
        ("cats.md", fake.url),
    ]
    gpu.stop()
    st.cache_data.clear()  # the model lists the page read a moment ago
    fake.script_reply("They purr when content [1].")
    send(chat, CAT_QUESTION)
    assert not chat.exception
    assert CAT_PASSAGE in sent_messages(fake)[-1]["content"]  # laptop's document still used
    answer = chat.chat_message[-1]
    assert "They purr when content" in answer.markdown[0].value
    (warning,) = [w.value for w in answer.warning]
    assert warning.startswith("bread.md could not be searched on **gpu**, so this answer does not use them: ")
    assert "Nothing is answering" in warning
    reloaded = open_app(navigation.CHAT, {"chat": chat.query_params["chat"][0]})
    assert warning in [w.value for w in reloaded.chat_message[-1].warning]  # saved with the answer


def test_a_pick_on_a_server_that_went_away_is_kept_and_said(two_servers, open_app, fake, gpu):
    chat = chat_on_laptop(open_app, fake)
    chat.selectbox(key=state.DOCUMENTS_MODEL_INPUT).select(ref(EMBEDDING_MODEL, gpu.url)).run()
    gpu.stop()
    st.cache_data.clear()
    chat.run()
    assert not chat.exception
    box = chat.selectbox(key=state.DOCUMENTS_MODEL_INPUT)
    assert box.value == ref(EMBEDDING_MODEL, gpu.url)  # not moved to laptop's
    panel = documents_popover(chat)
    assert panel.warning[0].value.startswith("**gpu** is not answering, so files cannot be indexed")
    assert next(u for u in chat.file_uploader if u.key.startswith(state.DOCUMENTS_UPLOAD_INPUT)).proto.disabled


def test_the_library_names_each_documents_server_and_uploads_to_the_one_picked(
    two_servers, open_app, fake, gpu, studio_env
):
    page = open_app(navigation.DOCUMENTS)
    page.selectbox(key=state.DOCUMENTS_MODEL_INPUT).select(ref(EMBEDDING_MODEL, gpu.url)).run()
    page.file_uploader(key=library_upload_key(page)).upload("notes.md", NOTES, "text/markdown").run()
    wait_for_jobs(page)
    assert not page.exception
    assert embeds(gpu) > 0 and embeds(fake) == 0
    document = only(library(studio_env).documents())
    assert document.server == gpu.url
    line = next(c.value for c in page.caption if "passages" in c.value)
    assert f"`{EMBEDDING_MODEL}` · gpu · added " in line

    key = f"{state.DOCUMENTS_REINDEX_MODEL_INPUT}_{document.id}"
    assert f"{EMBEDDING_MODEL} · laptop" in page.selectbox(key=key).options  # the same model on another server
    assert f"{EMBEDDING_MODEL} · gpu" not in page.selectbox(key=key).options
    page.selectbox(key=key).select(ref(EMBEDDING_MODEL, fake.url)).run()
    page.button(key=f"documents_reindex_start_{document.id}").click().run()
    wait_for_jobs(page)
    assert not page.exception
    assert embeds(fake) > 0
    assert only(library(studio_env).documents()).server == fake.url


def test_with_one_server_the_box_and_the_lines_name_no_server(open_app, fake, studio_env):
    chat = chat_on_laptop(open_app, fake)
    options = chat.selectbox(key=state.DOCUMENTS_MODEL_INPUT).options
    assert EMBEDDING_MODEL in options and not any(" · " in option for option in options)
    add_file(chat, "notes.md", NOTES, model=EMBEDDING_MODEL)
    assert panel_lines(chat)[0] == f"notes.md · 2 passages · `{EMBEDDING_MODEL}`"
    assert only(library(studio_env).documents()).server == fake.url
    page = open_app(navigation.DOCUMENTS)
    line = next(c.value for c in page.caption if "passages" in c.value)
    assert f"`{EMBEDDING_MODEL}` · added " in line


def test_a_document_saved_before_servers_were_kept_is_searched_on_the_sidebars_server(
    two_servers, open_app, fake, gpu, studio_env
):
    chat = chat_on_laptop(open_app, fake)
    add_file(chat, "notes.md", NOTES, model=ref(EMBEDDING_MODEL, fake.url))
    with closing(sqlite3.connect(studio_env / "documents.sqlite3")) as db, db:
        db.execute("UPDATE documents SET server = ''")  # as revision 3 leaves a document saved before
    assert panel_lines(chat.run())[0] == f"notes.md · 2 passages · `{EMBEDDING_MODEL}` · laptop"
    before = embeds(fake)
    fake.script_reply("They purr [1].")
    send(chat, CAT_QUESTION)
    assert not chat.exception
    assert (embeds(fake), embeds(gpu)) == (before + 1, 0)
    assert CAT_PASSAGE in sent_messages(fake)[-1]["content"]


def test_a_file_added_after_its_models_server_left_the_list_is_refused_with_a_sentence(
    two_servers, open_app, fake, gpu, studio_env, monkeypatch
):
    chat = chat_on_laptop(open_app, fake)
    chat.selectbox(key=state.DOCUMENTS_MODEL_INPUT).select(ref(EMBEDDING_MODEL, gpu.url)).run()
    monkeypatch.setenv("OLLAMA_HOST", f"laptop={fake.url}")  # gpu leaves the list after the box was drawn
    chat.file_uploader(key=upload_key(chat)).upload("notes.md", NOTES, "text/markdown").run()
    assert not chat.exception
    assert "no longer one of this session's servers, so nothing was indexed" in " ".join(
        warning.value for warning in chat.warning
    )
    assert embeds(gpu) == 0 and embeds(fake) == 0
    assert library(studio_env).documents() == []
