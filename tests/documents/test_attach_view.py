"""The chat's Documents panel (lib/documents/attach_view.py) with AppTest against the fake server: files
added to a chat, indexed, saved with it, picked from the library, removed, and the sentences of what fails."""

from __future__ import annotations

import pytest
import requests
import streamlit as st
from streamlit.testing.v1 import AppTest

from lib import state
from lib.documents import attach_view
from lib.documents.records import Document
from lib.ui import navigation
from tests.chat.conftest import PNG_BASE64, messages, picture, ref, send
from tests.documents.in_chat import (  # fresh_vectors: an autouse fixture
    CAT_PASSAGE,
    CAT_QUESTION,
    CHAT_MODEL,
    EMBEDDING_MODEL,
    NOTES,
    OTHER_BROWSER,
    OTHER_EMBEDDING_MODEL,
    add_file,
    button_label,
    documents_popover,
    fresh_vectors,  # noqa: F401
    in_use,
    library,
    only,
    panel_lines,
    sent_messages,
    upload_key,
    wait_for_jobs,
)
from tests.fake_ollama import FakeOllama


@pytest.fixture
def chat(open_app) -> AppTest:
    at = open_app(navigation.CHAT)
    at.selectbox(key=state.CHAT_MODEL_INPUT).select(ref(CHAT_MODEL)).run()
    return at


def test_a_file_added_to_a_new_chat_starts_it_is_indexed_and_is_saved_with_it(chat, open_app, studio_env):
    assert button_label(chat) == "Add documents"
    add_file(chat, "notes.md", NOTES, model=EMBEDDING_MODEL)
    assert not chat.exception
    conversation_id = int(chat.query_params["chat"][0])
    document = only(library(studio_env).attached(conversation_id))
    assert (document.name, document.model, document.kind) == ("notes.md", EMBEDDING_MODEL, "markdown")
    assert in_use(chat) == ["Answers come from notes.md."]
    assert button_label(chat) == "1 document"
    assert panel_lines(chat)[0].startswith("notes.md · 2 passages")

    reloaded = open_app(navigation.CHAT, {"chat": str(conversation_id)})
    assert in_use(reloaded) == ["Answers come from notes.md."]


def test_a_question_goes_with_the_passages_that_answer_it_and_the_history_is_kept(chat, fake):
    add_file(chat, "notes.md", NOTES, model=EMBEDDING_MODEL)
    fake.script_reply("They purr when content [1].")
    send(chat, CAT_QUESTION)
    assert not chat.exception
    system, question = sent_messages(fake)
    assert system["role"] == "system" and system["content"].startswith("Answer the user's question using only")
    assert question["role"] == "user" and question["content"].endswith(f"Question: {CAT_QUESTION}")
    assert f"[1] notes.md · Cats\n{CAT_PASSAGE}\nEND " in question["content"]
    assert "Bake the bread" not in question["content"]  # the other topic is not close enough to the question
    embedded = fake.requests_to("/api/embed")[-1].body
    assert embedded["model"] == EMBEDDING_MODEL and CAT_QUESTION in embedded["input"][0]

    fake.script_reply("A kitten purrs while it feeds [1].")
    send(chat, "And kittens?")
    history = sent_messages(fake)[1:]
    assert history[:2] == [
        {"role": "user", "content": CAT_QUESTION},
        {"role": "assistant", "content": "They purr when content [1]."},
    ]  # the earlier turn as it was asked, without its passages
    assert history[2]["content"].endswith("Question: And kittens?")
    assert messages(chat)[0] == ("user", CAT_QUESTION)


def test_removing_a_document_from_the_chat_sends_the_next_question_without_passages(chat, fake, studio_env):
    add_file(chat, "notes.md", NOTES, model=EMBEDDING_MODEL)
    document = only(library(studio_env).documents())
    chat.button(key=f"documents_detach_{document.id}").click().run()
    assert in_use(chat) == []
    assert button_label(chat) == "Add documents"
    fake.script_reply("No idea.")
    send(chat, CAT_QUESTION)
    assert sent_messages(fake) == [{"role": "user", "content": CAT_QUESTION}]
    assert library(studio_env).get(document.id) is not None  # still in the library


def test_a_document_of_the_library_is_used_in_another_chat_without_indexing_it_again(chat, fake, studio_env):
    add_file(chat, "notes.md", NOTES, model=EMBEDDING_MODEL)
    embeds = len(fake.requests_to("/api/embed"))
    chat.button(key="chat_new").click().run()
    assert in_use(chat) == []
    document = only(library(studio_env).documents())
    chat.multiselect(key=state.DOCUMENTS_PICK_INPUT).select(document.id).run()
    chat.button(key="documents_attach").click().run()
    assert not chat.exception
    assert in_use(chat) == ["Answers come from notes.md."]
    assert len(fake.requests_to("/api/embed")) == embeds
    second = int(chat.query_params["chat"][0])
    assert [d.id for d in library(studio_env).attached(second)] == [document.id]


def test_the_same_file_added_again_is_not_embedded_twice(chat, fake, studio_env):
    add_file(chat, "notes.md", NOTES, model=EMBEDDING_MODEL)
    embeds = len(fake.requests_to("/api/embed"))
    chat.button(key="chat_new").click().run()
    add_file(chat, "copy of notes.md", NOTES)
    assert len(fake.requests_to("/api/embed")) == embeds
    assert len(library(studio_env).documents()) == 1
    assert in_use(chat) != []


def test_without_an_embedding_model_the_panel_says_so_and_links_to_the_models_page(chat, fake):
    for model in (EMBEDDING_MODEL, OTHER_EMBEDDING_MODEL):
        requests.delete(f"{fake.url}/api/delete", json={"model": model}, timeout=5).raise_for_status()
    st.cache_data.clear()  # the model list the page read a moment ago
    chat.run()
    assert not chat.exception
    panel = documents_popover(chat)
    assert "No installed model can embed text" in panel.info[0].value
    assert chat.file_uploader(key=upload_key(chat)).proto.disabled
    assert next(link.proto.page for link in panel.get("page_link")).endswith("models")


def test_a_file_that_is_not_what_it_says_is_refused_with_a_sentence(chat, studio_env):
    add_file(chat, "report.pdf", b"<html>this is no pdf</html>", "application/pdf", model=EMBEDDING_MODEL)
    assert not chat.exception
    assert "report.pdf is named as a PDF but is not one" in chat.error[0].value
    assert library(studio_env).documents() == []
    chat.button(key=next(b.key for b in chat.button if b.key and b.key.startswith("documents_dismiss_"))).click().run()
    assert not chat.error


def test_an_embedding_failure_is_a_sentence_and_nothing_half_indexed_is_kept(chat, fake, studio_env):
    fake.add_fault("/api/embed", "http", status=500, message="the embedding runner crashed")
    add_file(chat, "notes.md", NOTES, model=EMBEDDING_MODEL)
    assert not chat.exception
    assert (
        chat.error[0].value
        == "notes.md could not be indexed with nomic-embed-text:latest: The embedding runner crashed."
    )
    assert library(studio_env).documents() == []


def test_a_question_whose_embedding_model_is_gone_gets_a_failed_answer_that_says_why(chat, fake):
    add_file(chat, "notes.md", NOTES, model=EMBEDDING_MODEL)
    requests.delete(f"{fake.url}/api/delete", json={"model": EMBEDDING_MODEL}, timeout=5)
    send(chat, CAT_QUESTION)
    assert not chat.exception
    answer = chat.chat_message[1]
    assert answer.error, "the failure is shown in place of the answer"
    assert any("could not be searched in this chat's documents" in c.value for c in answer.caption)
    assert fake.requests_to("/api/chat") == []  # nothing was sent to the model
    assert "Retry" in [b.label for b in answer.button]


def test_each_visitor_sees_only_their_own_documents(chat, open_app, studio_env, monkeypatch):
    monkeypatch.setenv("OLLAMA_STUDIO_LOCKED", "1")
    add_file(chat, "notes.md", NOTES, model=EMBEDDING_MODEL)
    conversation_id = int(chat.query_params["chat"][0])
    stranger = open_app(navigation.CHAT, browser=OTHER_BROWSER)
    assert not stranger.exception
    assert state.DOCUMENTS_PICK_INPUT not in [m.key for m in stranger.multiselect]
    assert library(studio_env, OTHER_BROWSER).documents() == []
    assert library(studio_env, OTHER_BROWSER).attached(conversation_id) == []


def test_the_line_next_to_the_button_names_three_documents_and_counts_the_rest():
    documents = [Document(f"d{n}.md", "markdown", 1, "x", "m", id=n) for n in range(5)]
    assert attach_view.in_use(documents[:1]) == "Answers come from d0.md."
    assert attach_view.in_use(documents) == "Answers come from d0.md, d1.md, d2.md and 2 more."


def test_the_line_next_to_the_button_in_chinese(open_app, studio_env):
    at = open_app(navigation.CHAT, {"lang": "zh"})
    at.selectbox(key=state.CHAT_MODEL_INPUT).select(ref(CHAT_MODEL)).run()
    add_file(at, "甲.md", "猫会发出呼噜声。".encode(), model=EMBEDDING_MODEL)
    at.button(key="chat_new").click().run()
    add_file(at, "乙.md", "面包在烤箱里烘焙。".encode())
    first = only(library(studio_env).documents()[1:])
    at.multiselect(key=state.DOCUMENTS_PICK_INPUT).select(first.id).run()
    at.button(key="documents_attach").click().run()
    assert [c.value for c in at.caption if c.value.startswith("回答依据")] == ["回答依据：乙.md、甲.md。"]
    assert documents_popover(at).proto.popover.label == "2 个文档"


def test_files_dropped_together_are_each_indexed(chat, studio_env):
    chat.selectbox(key=state.DOCUMENTS_MODEL_INPUT).select(EMBEDDING_MODEL).run()
    chat.file_uploader(key=upload_key(chat)).set_value(
        [("a.txt", b"Cats purr.", "text/plain"), ("b.txt", b"Bread bakes.", "text/plain")]
    ).run()
    wait_for_jobs(chat)
    conversation_id = int(chat.query_params["chat"][0])
    assert sorted(d.name for d in library(studio_env).attached(conversation_id)) == ["a.txt", "b.txt"]


@pytest.mark.parametrize(
    ("names", "language", "expected"),
    [
        (["all-minilm:latest", "nomic-embed-text:latest"], "en", "nomic-embed-text:latest"),
        (["all-minilm:latest", "bge-m3:latest", "nomic-embed-text:v1.5"], "zh", "bge-m3:latest"),
        (["all-minilm:latest", "bge-m3:latest", "nomic-embed-text:v1.5"], "en", "nomic-embed-text:v1.5"),
        (["zeta-embed:latest", "alpha-embed:latest"], "en", "zeta-embed:latest"),
    ],
)
def test_the_embedding_model_offered_first(names, language, expected):
    assert attach_view.first_choice(names, language) == expected


def test_deleting_a_chat_forgets_its_documents_but_keeps_them_in_the_library(chat, studio_env):
    add_file(chat, "notes.md", NOTES, model=EMBEDDING_MODEL)
    conversation_id = int(chat.query_params["chat"][0])
    chat.button(key="chat_delete").click().run()
    chat.button(key="chat_confirm_yes").click().run()
    assert not chat.exception
    assert library(studio_env).attached(conversation_id) == []
    assert len(library(studio_env).documents()) == 1


def test_a_document_deleted_meanwhile_is_a_sentence_not_an_error(chat, studio_env):
    add_file(chat, "notes.md", NOTES, model=EMBEDDING_MODEL)
    chat.button(key="chat_new").click().run()
    document = only(library(studio_env).documents())
    chat.multiselect(key=state.DOCUMENTS_PICK_INPUT).select(document.id).run()
    library(studio_env).delete(document.id)  # in another tab
    chat.button(key="documents_attach").click().run()
    assert not chat.exception
    assert (
        chat.warning[0].value
        == "That document is no longer in your library (deleted meanwhile, perhaps in another tab)."
    )


def test_the_first_question_of_a_chat_started_by_a_document_names_it(chat, fake):
    add_file(chat, "notes.md", NOTES, model=EMBEDDING_MODEL)
    assert [b.label for b in chat.sidebar.button if b.key and b.key.startswith("chat_open_")] == ["New chat"]
    fake.script_reply("They purr [1].")
    send(chat, CAT_QUESTION)
    assert chat.title[0].value == CAT_QUESTION
    assert [b.label for b in chat.sidebar.button if b.key and b.key.startswith("chat_open_")] == [CAT_QUESTION]


def test_with_the_server_down_the_panel_and_the_answer_say_so(open_app, studio_env, monkeypatch):
    with FakeOllama() as own:
        monkeypatch.setenv("OLLAMA_HOST", own.url)
        chat = open_app(navigation.CHAT)
        chat.selectbox(key=state.CHAT_MODEL_INPUT).select(ref(CHAT_MODEL)).run()
        add_file(chat, "notes.md", NOTES, model=EMBEDDING_MODEL)
    st.cache_data.clear()  # the model list the page read a moment ago
    conversation_id = chat.query_params["chat"][0]
    down = open_app(navigation.CHAT, {"chat": conversation_id})
    assert not down.exception
    panel = documents_popover(down)
    assert panel.warning[0].value.startswith("Nothing is answering")
    assert panel.warning[0].value.endswith("Documents cannot be added until the server answers.")
    assert in_use(down) == ["Answers come from notes.md."]  # the chat's documents are still listed
    send(down, CAT_QUESTION)
    answer = down.chat_message[-1]
    assert answer.error[0].value.startswith("Nothing is answering")
    assert any("could not be searched in this chat's documents" in c.value for c in answer.caption)
    assert down.chat_message[0].markdown[0].value == CAT_QUESTION  # the question is kept


def test_documents_of_a_server_no_longer_in_the_session_are_not_searched_elsewhere(chat, fake, open_app, monkeypatch):
    """Another address replaced the server the documents were indexed on: their question is not embedded on the
    new one (its model may differ), and the answer says why and what to do."""
    add_file(chat, "notes.md", NOTES, model=EMBEDDING_MODEL)
    conversation_id = chat.query_params["chat"][0]
    with FakeOllama() as elsewhere:
        monkeypatch.setenv("OLLAMA_HOST", elsewhere.url)
        moved = open_app(navigation.CHAT, {"chat": conversation_id})
        moved.selectbox(key=state.CHAT_MODEL_INPUT).select(ref(CHAT_MODEL)).run()
        send(moved, CAT_QUESTION)
        assert not moved.exception
        assert elsewhere.requests_to("/api/embed") == [] and elsewhere.requests_to("/api/chat") == []
    error = moved.chat_message[-1].error[0].value
    assert error.startswith("The documents were indexed on http")
    assert error.endswith(
        "no longer one of this session's servers. Index them again on a server of this session, on the Documents page."
    )


def test_of_two_documents_that_share_a_name_the_one_picked_is_the_one_attached(chat, studio_env):
    add_file(chat, "notes.md", b"Cats purr when content.", model=EMBEDDING_MODEL)
    chat.button(key="chat_new").click().run()
    add_file(chat, "notes.md", b"Bread bakes in a hot oven.", model=EMBEDDING_MODEL)
    chat.button(key="chat_new").click().run()
    _first, second = sorted(library(studio_env).documents(), key=lambda document: document.id or 0)
    picker = chat.multiselect(key=state.DOCUMENTS_PICK_INPUT)
    assert picker.options == [f"notes.md ({EMBEDDING_MODEL}) (2)", f"notes.md ({EMBEDDING_MODEL}) (1)"]
    picker.select(second.id).run()
    chat.button(key="documents_attach").click().run()
    assert [d.id for d in library(studio_env).attached(int(chat.query_params["chat"][0]))] == [second.id]


def test_a_file_added_right_after_a_new_chats_first_answer_goes_to_that_chat(chat, fake, studio_env):
    """The first answer is finished in place: the panel drawn above it was drawn for a new chat, not yet saved."""
    fake.script_reply("Hello there.")
    send(chat, "Hello")
    conversation_id = int(chat.query_params["chat"][0])
    assert chat.selectbox(key=state.DOCUMENTS_MODEL_INPUT).value == ref(EMBEDDING_MODEL)
    add_file(chat, "notes.md", NOTES)  # straight after the answer: no run in between
    assert int(chat.query_params["chat"][0]) == conversation_id
    assert [d.name for d in library(studio_env).attached(conversation_id)] == ["notes.md"]
    assert [m.name for m in chat.chat_message] == ["user", "assistant"]


def test_a_questions_image_goes_with_its_passages_to_a_vision_model(chat, fake):
    chat.selectbox(key=state.CHAT_MODEL_INPUT).select(ref("llava:7b")).run()
    add_file(chat, "notes.md", NOTES, model=EMBEDDING_MODEL)
    fake.script_reply("A purring cat [1].")
    chat.chat_input(key=state.CHAT_PROMPT_INPUT).upload("cat.png", picture("PNG"), "image/png").set_value(
        CAT_QUESTION
    ).run()
    assert not chat.exception
    question = sent_messages(fake)[-1]
    assert question["images"] == [PNG_BASE64]
    assert CAT_PASSAGE in question["content"]
