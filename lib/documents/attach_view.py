"""The chat's Documents control, above the chat box: which files the answers come from, and adding more.

A button names the documents in the chat; it opens a panel that lists them (each can be taken
out of the chat), uploads files (indexed with the chosen embedding model on its server, every answering
server's offered as ``model · server`` when there are several; their progress shown under the button),
attaches documents from the visitor's library, and sets how many passages a question retrieves.
Attachments are saved with the conversation (:meth:`DocumentStore.attach`), so a reload or another
day finds them again; a new chat is saved when its first document is added. Everything here acts
through ``on_click``/``on_change`` callbacks, before the page runs.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec

import streamlit as st

from lib import i18n, state
from lib.chat import retrieval
from lib.chat import session as chat_session
from lib.chat.history import Conversation
from lib.chat.session import Settings
from lib.chat.store import ChatStore, StoreFailed
from lib.documents import jobs_view
from lib.documents.extract import UPLOAD_TYPES
from lib.documents.records import Document
from lib.documents.store import DocumentStore, NotFound
from lib.embeddings import models as embedding_models
from lib.fleet import catalog, picker
from lib.fleet import session as fleet
from lib.fleet.models import SEPARATOR, ModelRef, label, server_name
from lib.fleet.servers import Server
from lib.formatting import whole_number
from lib.i18n import t, t_plain
from lib.ollama.client import OllamaClient
from lib.ui import navigation
from lib.ui.errors import error_text

NAMES_SHOWN = 3  # documents named next to the button; the rest are counted


def draw(
    chats: ChatStore,
    documents: DocumentStore,
    conversation: Conversation | None,
    settings: Settings | None,
) -> list[Document]:
    """The button, its panel and the uploads in progress; returns the documents the chat uses.

    Nothing while no chat can be had (no conversation, and no model to start one with).
    """
    if conversation is None and settings is None:
        return []
    jobs_view.settle(documents)
    jobs_view.announce()
    conversation_id = conversation.id if conversation is not None else None
    attached = documents.attached(conversation_id) if conversation_id is not None else []
    row = st.container(horizontal=True, vertical_alignment="center", gap="small")
    with row.popover(
        t("documents.button", n=len(attached)) if attached else t("documents.button_none"),
        icon=":material/description:",
        key="documents_popover",
        help=t("documents.button_help"),
    ):
        _panel(chats, documents, conversation, settings, attached)
    if attached:
        row.caption(in_use(attached))
    jobs_view.show(documents)
    return attached


def in_use(attached: Sequence[Document]) -> str:
    """The line next to the button: the documents the answers come from."""
    names = t_plain("embeddings.list_separator").join(document.name for document in attached[:NAMES_SHOWN])
    more = len(attached) - NAMES_SHOWN
    if more > 0:
        return t("documents.in_use_more", names=names, n=more)
    return t("documents.in_use", names=names)


def _panel(
    chats: ChatStore,
    documents: DocumentStore,
    conversation: Conversation | None,
    settings: Settings | None,
    attached: list[Document],
) -> None:
    st.markdown(f"**{t('documents.in_this_chat')}**")
    if not attached:
        st.caption(t("documents.none_yet"))
    servers = fleet.servers()
    for document in attached:
        line = st.container(horizontal=True, vertical_alignment="center")
        line.markdown(attached_line(document, servers))
        line.button(
            t("documents.detach"),
            icon=":material/link_off:",
            key=f"documents_detach_{document.id}",
            type="tertiary",
            help=t("documents.detach_help"),
            on_click=detach,
            args=(documents, conversation.id if conversation else None, document.id),
        )
    st.divider()
    model = embedding_model(attached)
    round_number = int(state.get(state.DOCUMENTS_UPLOAD_ROUND) or 0)
    st.file_uploader(
        t("documents.upload"),
        type=UPLOAD_TYPES,
        accept_multiple_files=True,
        key=f"{state.DOCUMENTS_UPLOAD_INPUT}_{round_number}",
        help=t("documents.upload_help"),
        disabled=model is None,
        on_change=upload,
        args=(chats, documents, settings, f"{state.DOCUMENTS_UPLOAD_INPUT}_{round_number}"),
    )
    _from_library(chats, documents, settings, attached, servers)
    st.divider()
    search_widgets()
    st.page_link(navigation.DOCUMENTS, label=t("documents.open_library"), icon=":material/folder_open:")


def attached_line(document: Document, servers: Sequence[Server]) -> str:
    """A document of the chat in its panel: name, passages and model, and its server when there are several."""
    n = 1 if document.passages == 1 else whole_number(document.passages)
    if len(servers) <= 1:
        return t("documents.attached_line", name=document.name, n=n, model=document.model)
    where = server_name(document.placed(fleet.current().url).server, servers)
    return t("documents.attached_line_server", name=document.name, n=n, model=document.model, server=where)


def placed(attached: Sequence[Document]) -> list[Document]:
    """The chat's documents, each with its server: those saved before servers were kept are on the sidebar's."""
    current = fleet.current().url
    return [document.placed(current) for document in attached]


def clients_of(attached: Sequence[Document]) -> dict[str, OllamaClient]:
    """The session's client of each server the (placed) documents are on; a server no longer among the session's
    has none, and its documents are not searched (:func:`lib.chat.retrieval.find` says so)."""
    clients: dict[str, OllamaClient] = {}
    for url in dict.fromkeys(document.server for document in attached):
        with contextlib.suppress(fleet.UnknownServer):
            clients[url] = fleet.client_for(url)
    return clients


def embedding_model(attached: Sequence[Document]) -> ModelRef | None:
    """The embedding model, on its server, new files are indexed with; None (after saying why) when none can be.

    Every answering server's embedding models are offered, as ``model · server`` when there are several (the
    model alone with one server). A chat's documents usually share one model: the chat's first one (on its
    server) is chosen at first. A pick on a server that stopped answering is kept and said, never moved to
    another server: its files would be indexed, and their questions embedded, where nobody chose.
    """
    states = catalog.survey()
    servers = [entry.server for entry in states]
    refs = catalog.refs_with("embedding", states)
    down = [entry for entry in states if not entry.up]
    if not refs:
        if down and len(down) == len(states) and down[0].error is not None:
            problem = error_text(down[0].error)
            st.warning(t("documents.models_unreadable", problem=problem), icon=":material/cloud_off:")
        else:
            st.info(t("documents.no_embedding_model"), icon=":material/info:")
            st.page_link(navigation.MODELS, label=t("documents.models_link"), icon=":material/download:")
        return None
    key = state.DOCUMENTS_MODEL_INPUT
    picker.restore(key, servers)
    picked = st.session_state.get(key)
    stranded = picked if isinstance(picked, ModelRef) and any(e.server.url == picked.server for e in down) else None
    options = refs if stranded is None else [*refs, stranded]
    if picked not in options:
        st.session_state[key] = first_ref(refs, attached, fleet.current().url, i18n.language())

    def wording(ref: ModelRef) -> str:
        named = label(ref, servers)
        return f"{named}{SEPARATOR}{t_plain('fleet.option_down')}" if ref == stranded else named

    chosen: ModelRef = st.selectbox(
        t("documents.embedding_model"),
        options,
        key=key,
        help=t("documents.embedding_model_help"),
        format_func=wording,
    )
    for entry in down:
        if stranded is None or entry.server.url != stranded.server:
            st.caption(t("fleet.server_down", server=entry.server.name))
    if chosen == stranded:
        where = server_name(chosen.server, servers)
        st.warning(t("documents.picked_down", model=chosen.model, server=where), icon=":material/cloud_off:")
        return None
    return chosen


def first_ref(refs: Sequence[ModelRef], attached: Sequence[Document], current: str, language: str) -> ModelRef:
    """The embedding model (on its server) offered first: the chat's first document's, where it is offered; else
    :func:`first_choice` among the sidebar's server's models (``current``), else among all."""
    for document in attached:
        used = ModelRef(document.model, document.placed(current).server)
        if used in refs:
            return used
    candidates = [ref for ref in refs if ref.server == current] or list(refs)
    name = first_choice([ref.model for ref in candidates], language)
    return next(ref for ref in candidates if ref.model == name)


def first_choice(names: Sequence[str], language: str) -> str:
    """The embedding model offered first: a well-known one (one made for many languages first, for a Chinese
    interface), else the first listed."""
    preferred = list(embedding_models.SUGGESTED_MODELS)
    if language == "zh":
        preferred = [*embedding_models.MULTILINGUAL_MODELS, *preferred]
    for wanted in preferred:
        for name in names:
            if embedding_models.base_name(name) == wanted:
                return name
    return names[0]


def _from_library(
    chats: ChatStore,
    documents: DocumentStore,
    settings: Settings | None,
    attached: list[Document],
    servers: Sequence[Server],
) -> None:
    taken = {document.id for document in attached}
    others = [document for document in documents.documents() if document.id not in taken]
    if not others:
        return
    names = pick_labels(others, servers)
    st.multiselect(
        t("documents.from_library"),
        list(names),
        format_func=names.__getitem__,
        key=state.DOCUMENTS_PICK_INPUT,
        placeholder=t_plain("documents.from_library_placeholder"),
    )
    st.button(
        t("documents.attach"),
        icon=":material/attach_file:",
        key="documents_attach",
        disabled=not st.session_state.get(state.DOCUMENTS_PICK_INPUT),
        on_click=attach_picked,
        args=(chats, documents, settings),
    )


def pick_labels(documents: Sequence[Document], servers: Sequence[Server] = ()) -> dict[int | None, str]:
    """Each document as the library picker offers it, its model as ``model · server`` when there are several
    servers, no two alike: a select box tells its options apart by their text, so documents that share a name and
    model are numbered, oldest first."""
    current = fleet.current().url if len(servers) > 1 else ""
    labels = {
        document.id: t_plain(
            "documents.pick_label",
            name=document.name,
            model=label(ModelRef(document.model, document.placed(current).server), servers),
        )
        for document in documents
    }
    counts: dict[str, int] = {}
    for text in labels.values():
        counts[text] = counts.get(text, 0) + 1
    seen: dict[str, int] = {}
    for document in sorted(documents, key=lambda one: one.id or 0):
        text = labels[document.id]
        if counts[text] > 1:
            seen[text] = seen.get(text, 0) + 1
            labels[document.id] = t_plain("documents.pick_label_numbered", label=text, number=seen[text])
    return labels


def search_widgets() -> None:
    """How many passages a question brings, how close they must be, and whether words count too."""
    st.slider(
        t("documents.top_k"),
        min_value=1,
        max_value=10,
        value=retrieval.TOP_K,
        key=state.DOCUMENTS_TOP_K_INPUT,
        help=t("documents.top_k_help"),
        persist_state="session",
    )
    st.slider(
        t("documents.min_score"),
        min_value=0.0,
        max_value=1.0,
        value=retrieval.MIN_SCORE,
        step=0.05,
        key=state.DOCUMENTS_MIN_SCORE_INPUT,
        help=t("documents.min_score_help"),
        persist_state="session",
    )
    st.toggle(
        t("documents.hybrid"),
        key=state.DOCUMENTS_HYBRID_INPUT,
        help=t("documents.hybrid_help"),
        persist_state="session",
    )


def search_settings() -> retrieval.Search:
    """The search the chat's questions get, as set in the panel (its defaults before it was opened)."""
    top_k = st.session_state.get(state.DOCUMENTS_TOP_K_INPUT, retrieval.TOP_K)
    min_score = st.session_state.get(state.DOCUMENTS_MIN_SCORE_INPUT, retrieval.MIN_SCORE)
    hybrid = retrieval.HYBRID if st.session_state.get(state.DOCUMENTS_HYBRID_INPUT) else 0.0
    return retrieval.Search(top_k=int(top_k), min_score=float(min_score), hybrid=hybrid)


def searching(attached: Sequence[Document]) -> str:
    """The spinner's words while a question is searched in the chat's documents."""
    return t("documents.searching", n=len(attached))


# Callbacks: they run before the page, in the session's language.

P = ParamSpec("P")


def reports_failures(notice_key: str) -> Callable[[Callable[P, None]], Callable[P, None]]:
    """A callback whose database failure, a document gone meanwhile (deleted in another tab), or a model's server
    gone from the session's list becomes the next run's notice under ``notice_key``, a sentence, instead of an
    exception over the page."""

    def wrap(action: Callable[P, None]) -> Callable[P, None]:
        @functools.wraps(action)
        def run(*args: P.args, **kwargs: P.kwargs) -> None:
            try:
                action(*args, **kwargs)
            except StoreFailed as error:
                state.put(notice_key, ("error", str(error)))
            except NotFound:
                state.put(notice_key, ("warning", t("documents.gone")))
            except fleet.UnknownServer:  # the model's server left the session's list after the box was drawn
                state.put(notice_key, ("warning", t("documents.server_left")))

        return run

    return wrap


def _conversation_id(chats: ChatStore, settings: Settings | None) -> int | None:
    """The open chat's id, as the session holds it when the click comes (the page may have started the chat
    after drawing the panel: a first question's answer is finished in place); a new chat is saved first,
    with the page's settings (None when it has none yet)."""
    open_id = state.get(state.CHAT_CONVERSATION)
    if open_id is not None and chats.get(open_id) is not None:
        return int(open_id)
    if settings is None:
        return None
    return chat_session.start(chats, settings).id


@reports_failures(state.CHAT_NOTICE)
def upload(chats: ChatStore, documents: DocumentStore, settings: Settings | None, key: str) -> None:
    """Index each file dropped into the panel for this chat, with the chosen model on its server; the uploader is
    emptied for the next ones."""
    files: list[Any] = st.session_state.get(key) or []
    model = st.session_state.get(state.DOCUMENTS_MODEL_INPUT)
    if not files or not isinstance(model, ModelRef):
        return
    conversation_id = _conversation_id(chats, settings)
    for file in files:
        jobs_view.start(model, documents, file.name, file.getvalue(), conversation_id)
    state.put(state.DOCUMENTS_UPLOAD_ROUND, int(state.get(state.DOCUMENTS_UPLOAD_ROUND) or 0) + 1)


@reports_failures(state.CHAT_NOTICE)
def attach_picked(chats: ChatStore, documents: DocumentStore, settings: Settings | None) -> None:
    picked: list[int] = list(st.session_state.get(state.DOCUMENTS_PICK_INPUT) or [])
    conversation_id = _conversation_id(chats, settings)
    if conversation_id is None:
        return
    for document_id in picked:
        documents.attach(conversation_id, document_id)
    st.session_state[state.DOCUMENTS_PICK_INPUT] = []


@reports_failures(state.CHAT_NOTICE)
def detach(documents: DocumentStore, conversation_id: int | None, document_id: int | None) -> None:
    if conversation_id is not None and document_id is not None:
        documents.detach(conversation_id, document_id)
