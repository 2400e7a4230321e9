"""The Documents page: every document of the visitor, with its size, passages, model and date.

Files can be uploaded straight into the library (then attached to any chat from its Documents
panel), re-indexed with another embedding model (the old vectors are replaced, never mixed with
the new ones), and deleted after a confirmation: its passages and vectors go with it, and every
chat that used it stops using it. Each visitor sees only their own documents (the store is
scoped to the visitor, as saved chats are: :mod:`lib.access.visitor`).
"""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from lib import server_data, state
from lib.access import visitor
from lib.chat import validation
from lib.documents import attach_view, jobs_view, records
from lib.documents.extract import UPLOAD_TYPES
from lib.documents.records import Document
from lib.documents.store import DocumentStore
from lib.formatting import date_time, human_size, whole_number
from lib.i18n import escape, t
from lib.ollama.client import OllamaClient
from lib.ollama.errors import OllamaError


def visitor_store() -> DocumentStore:
    """The documents of this session's visitor, beside their saved chats; a visitor who signed in takes along
    those of their browser, as their chats (:func:`lib.access.visitor.carry_over_quietly`)."""
    person = visitor.current()
    store = DocumentStore(owner=person.owner)
    visitor.carry_over_quietly(person, store, "documents")
    return store


def draw() -> None:
    """The whole page below its title."""
    client = server_data.client()
    store = visitor_store()
    notice()
    with st.container(border=True):
        st.markdown(f"**{t('documents.add_to_library')}**")
        model = attach_view.embedding_model(client, [])
        round_number = int(state.get(state.DOCUMENTS_UPLOAD_ROUND) or 0)
        key = f"{state.DOCUMENTS_LIBRARY_UPLOAD_INPUT}_{round_number}"
        st.file_uploader(
            t("documents.upload"),
            type=UPLOAD_TYPES,
            accept_multiple_files=True,
            key=key,
            help=t("documents.upload_help"),
            disabled=model is None,
            on_change=upload,
            args=(client, store, key),
        )
    jobs_view.settle(store)
    jobs_view.announce()
    jobs_view.show(store)
    listed = store.documents()
    if not listed:
        st.info(t("documents.library_empty"), icon=":material/folder_open:")
        return
    st.caption(t("documents.library_count", n=len(listed)))
    for document in listed:
        _document(client, store, document)


def _document(client: OllamaClient, store: DocumentStore, document: Document) -> None:
    with st.container(border=True):
        st.markdown(f"**{escape(document.name)}**")
        st.caption(facts(document))
        confirm = state.get(state.DOCUMENTS_CONFIRM)
        if confirm == document.id:
            st.warning(t("documents.confirm_delete", name=document.name), icon=":material/warning:")
            row = st.container(horizontal=True)
            row.button(
                t("documents.yes_delete"),
                type="primary",
                key=f"documents_delete_yes_{document.id}",
                on_click=delete,
                args=(store, document),
            )
            row.button(t("documents.cancel"), key=f"documents_delete_no_{document.id}", on_click=cancel_delete)
            return
        row = st.container(horizontal=True, vertical_alignment="bottom")
        with row.popover(t("documents.reindex"), icon=":material/sync:", key=f"documents_reindex_{document.id}"):
            _reindex(client, store, document)
        row.button(
            t("documents.delete"),
            icon=":material/delete:",
            key=f"documents_delete_{document.id}",
            on_click=ask_to_delete,
            args=(document.id,),
        )


def facts(document: Document) -> str:
    """A document's line: kind, size, passages, embedding model and when it was added."""
    added = validation.sane_time(document.added_at)
    when = t("chat.unknown_time") if added is None else date_time(datetime.fromtimestamp(added, UTC))
    return t(
        "documents.facts",
        kind=t(KINDS[document.kind]) if document.kind in KINDS else document.kind,
        size=human_size(document.size),
        n=1 if document.passages == 1 else whole_number(document.passages),
        model=document.model,
        when=when,
    )


KINDS = {
    records.PDF: "documents.kind_pdf",
    records.DOCX: "documents.kind_docx",
    records.MARKDOWN: "documents.kind_markdown",
    records.TEXT: "documents.kind_text",
    records.HTML: "documents.kind_html",
    records.CSV: "documents.kind_csv",
}


def _reindex(client: OllamaClient, store: DocumentStore, document: Document) -> None:
    st.caption(t("documents.reindex_help", model=document.model))
    try:
        names = [name for name in server_data.models_with(client, "embedding") if name != document.model]
    except OllamaError:
        names = []
    if not names:
        st.caption(t("documents.no_other_model"))
        return
    key = f"{state.DOCUMENTS_REINDEX_MODEL_INPUT}_{document.id}"
    st.selectbox(t("documents.embedding_model"), names, key=key)
    st.button(
        t("documents.reindex_start"),
        type="primary",
        key=f"documents_reindex_start_{document.id}",
        on_click=reindex,
        args=(client, store, document, key),
    )


def notice() -> None:
    shown = state.get(state.DOCUMENTS_NOTICE)
    if not shown:
        return
    state.put(state.DOCUMENTS_NOTICE, None)
    kind, text = shown
    {"success": st.success, "warning": st.warning, "error": st.error}[kind](text)


# Callbacks


@attach_view.reports_failures(state.DOCUMENTS_NOTICE)
def upload(client: OllamaClient, store: DocumentStore, key: str) -> None:
    files = st.session_state.get(key) or []
    model = st.session_state.get(state.DOCUMENTS_MODEL_INPUT)
    if not files or not model:
        return
    for file in files:
        jobs_view.start(client, store, file.name, file.getvalue(), model, None)
    state.put(state.DOCUMENTS_UPLOAD_ROUND, int(state.get(state.DOCUMENTS_UPLOAD_ROUND) or 0) + 1)


def ask_to_delete(document_id: int | None) -> None:
    state.put(state.DOCUMENTS_CONFIRM, document_id)


def cancel_delete() -> None:
    state.put(state.DOCUMENTS_CONFIRM, None)


@attach_view.reports_failures(state.DOCUMENTS_NOTICE)
def delete(store: DocumentStore, document: Document) -> None:
    state.put(state.DOCUMENTS_CONFIRM, None)
    if document.id is not None:
        store.delete(document.id)
    state.put(state.DOCUMENTS_NOTICE, ("success", t("documents.deleted", name=document.name)))


@attach_view.reports_failures(state.DOCUMENTS_NOTICE)
def reindex(client: OllamaClient, store: DocumentStore, document: Document, key: str) -> None:
    model = st.session_state.get(key)
    if model and document.id is not None:
        jobs_view.reindex(client, store, document, model)
