"""The Documents page: every document of the visitor, with its size, passages, model (and its server, when the
session has several) and date.

Files can be uploaded straight into the library (then attached to any chat from its Documents
panel), indexed with an embedding model on any answering server, re-indexed with another model or on
another server (the old vectors are replaced, never mixed with the new ones), and deleted after a
confirmation: its passages and vectors go with it, and every chat that used it stops using it. Each
visitor sees only their own documents (the store is scoped to the visitor, as saved chats are:
:mod:`lib.access.visitor`).
"""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from lib import state
from lib.access import visitor
from lib.chat import validation
from lib.documents import attach_view, jobs_view, records
from lib.documents.extract import UPLOAD_TYPES
from lib.documents.records import Document
from lib.documents.store import DocumentStore
from lib.fleet import catalog
from lib.fleet import session as fleet
from lib.fleet.models import ModelRef, label, server_name
from lib.fleet.servers import Server
from lib.formatting import date_time, human_size, whole_number
from lib.i18n import escape, t


def visitor_store() -> DocumentStore:
    """The documents of this session's visitor, beside their saved chats; a visitor who signed in takes along
    those of their browser, as their chats (:func:`lib.access.visitor.carry_over_quietly`)."""
    person = visitor.current()
    store = DocumentStore(owner=person.owner)
    visitor.carry_over_quietly(person, store, "documents")
    return store


def draw() -> None:
    """The whole page below its title."""
    store = visitor_store()
    notice()
    with st.container(border=True):
        st.markdown(f"**{t('documents.add_to_library')}**")
        model = attach_view.embedding_model([])
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
            args=(store, key),
        )
    jobs_view.settle(store)
    jobs_view.announce()
    jobs_view.show(store)
    listed = store.documents()
    if not listed:
        st.info(t("documents.library_empty"), icon=":material/folder_open:")
        return
    st.caption(t("documents.library_count", n=len(listed)))
    servers = fleet.servers()
    for document in listed:
        _document(store, document.placed(fleet.current().url), servers)


def _document(store: DocumentStore, document: Document, servers: list[Server]) -> None:
    with st.container(border=True):
        st.markdown(f"**{escape(document.name)}**")
        st.caption(facts(document, servers))
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
            _reindex(store, document, servers)
        row.button(
            t("documents.delete"),
            icon=":material/delete:",
            key=f"documents_delete_{document.id}",
            on_click=ask_to_delete,
            args=(document.id,),
        )


def facts(document: Document, servers: list[Server] | None = None) -> str:
    """A document's line: kind, size, passages, embedding model (and the server it ran on, when the session has
    several ``servers``) and when it was added."""
    added = validation.sane_time(document.added_at)
    when = t("chat.unknown_time") if added is None else date_time(datetime.fromtimestamp(added, UTC))
    values = {
        "kind": t(KINDS[document.kind]) if document.kind in KINDS else document.kind,
        "size": human_size(document.size),
        "n": 1 if document.passages == 1 else whole_number(document.passages),
        "model": document.model,
        "when": when,
    }
    if servers is not None and len(servers) > 1:
        return t("documents.facts_server", server=server_name(document.server, servers), **values)
    return t("documents.facts", **values)


KINDS = {
    records.PDF: "documents.kind_pdf",
    records.DOCX: "documents.kind_docx",
    records.MARKDOWN: "documents.kind_markdown",
    records.TEXT: "documents.kind_text",
    records.HTML: "documents.kind_html",
    records.CSV: "documents.kind_csv",
}


def _reindex(store: DocumentStore, document: Document, servers: list[Server]) -> None:
    """Another embedding model, on any answering server (or the same model on another server), to index the
    document with instead (``document`` placed: its server known)."""
    st.caption(t("documents.reindex_help", model=label(ModelRef(document.model, document.server), servers)))
    refs = [ref for ref in catalog.refs_with("embedding") if ref != ModelRef(document.model, document.server)]
    if not refs:
        st.caption(t("documents.no_other_model"))
        return
    key = f"{state.DOCUMENTS_REINDEX_MODEL_INPUT}_{document.id}"
    if st.session_state.get(key) not in refs:
        st.session_state.pop(key, None)
    st.selectbox(t("documents.embedding_model"), refs, key=key, format_func=lambda ref: label(ref, servers))
    st.button(
        t("documents.reindex_start"),
        type="primary",
        key=f"documents_reindex_start_{document.id}",
        on_click=reindex,
        args=(store, document, key),
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
def upload(store: DocumentStore, key: str) -> None:
    files = st.session_state.get(key) or []
    model = st.session_state.get(state.DOCUMENTS_MODEL_INPUT)
    if not files or not isinstance(model, ModelRef):
        return
    for file in files:
        jobs_view.start(model, store, file.name, file.getvalue(), None)
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
def reindex(store: DocumentStore, document: Document, key: str) -> None:
    model = st.session_state.get(key)
    if isinstance(model, ModelRef) and document.id is not None:
        jobs_view.reindex(model, store, document)
