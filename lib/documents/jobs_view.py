"""Files being indexed: started from a chat or the library, shown with their progress wherever the visitor is.

Each upload is an :class:`lib.documents.ingest.IngestJob` running in its own thread (it outlives
page switches and reruns), kept in session state with where it goes: the chat it was uploaded to,
or the library alone. :func:`show` draws them in a fragment that reruns itself every second while
one runs, as the Models page polls a pull. A job that ended is settled once, by whichever run
sees it first: a new document is attached to its chat, and the page is drawn again so the chat's
list shows it. A failure stays, as a sentence, until dismissed.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import streamlit as st

from lib import state
from lib.documents.ingest import IngestJob, IngestView, ReindexJob, Stage
from lib.documents.records import Document
from lib.documents.store import DocumentStore, NotFound
from lib.fleet import session as fleet
from lib.fleet.models import ModelRef
from lib.formatting import whole_number
from lib.i18n import Markdown, t

POLL_SECONDS = 1.0


@dataclass
class Upload:
    """A file being indexed for this session: ``conversation_id`` is the chat it goes to (None: the library),
    ``server`` the base URL of the server whose ``model`` embeds it.

    A re-index (a library document indexed again with another model) is one too, with ``reindex`` set.
    """

    name: str
    model: str
    job: IngestJob | ReindexJob
    conversation_id: int | None = None
    number: int = 0  # unique in the session, for widget keys
    settled: bool = False
    reindex: bool = False
    server: str = ""


def uploads() -> list[Upload]:
    return list(state.get(state.DOCUMENTS_JOBS) or [])


def running() -> bool:
    return any(not upload.job.view().finished for upload in uploads())


def start(ref: ModelRef, store: DocumentStore, name: str, data: bytes, conversation_id: int | None) -> Upload:
    """Index a file with ``ref``'s model on its server in the background (the job owns a clone of the session's
    client for that server); the document is saved with that server."""
    client = fleet.client_for(ref.server).clone()
    job = IngestJob(client, store, name, data, ref.model, legacy=ref.server == fleet.current().url)
    return _add(Upload(name, ref.model, job, conversation_id, server=ref.server))


def reindex(ref: ModelRef, store: DocumentStore, document: Document) -> Upload:
    """Index a library document again with ``ref``'s model on its server in the background; its vectors (and
    server) are replaced at the end."""
    job = ReindexJob(fleet.client_for(ref.server).clone(), store, document, ref.model)
    return _add(Upload(document.name, ref.model, job, reindex=True, server=ref.server))


def _add(upload: Upload) -> Upload:
    listed = uploads()
    upload.number = max((earlier.number for earlier in listed), default=0) + 1
    upload.job.start()
    state.put(state.DOCUMENTS_JOBS, [*listed, upload])
    return upload


def settle(store: DocumentStore) -> bool:
    """Attach each newly indexed document to its chat, once; True when an upload ended since the last call."""
    ended = False
    for upload in uploads():
        view = upload.job.view()
        if upload.settled or not view.finished:
            continue
        upload.settled = True
        ended = True
        if view.stage is Stage.DONE and view.document_id is not None and upload.conversation_id is not None:
            with contextlib.suppress(NotFound):  # deleted from the library meanwhile (another tab)
                store.attach(upload.conversation_id, view.document_id)
    return ended


def announce() -> None:
    """A toast for each upload that succeeded, which then leaves the list: its document is in the chat's
    list and the library. Failures stay until dismissed. For the page's full runs, not the fragment's."""
    kept = []
    for upload in uploads():
        view = upload.job.view()
        if upload.settled and view.stage is Stage.DONE:
            st.toast(indexed(upload, view), icon=":material/task_alt:")
        else:
            kept.append(upload)
    state.put(state.DOCUMENTS_JOBS, kept)


def dismiss(number: int) -> None:
    state.put(state.DOCUMENTS_JOBS, [upload for upload in uploads() if upload.number != number])


def retry(number: int) -> None:
    """Index a file that failed or was stopped again, from the bytes kept with its upload: nothing to upload twice.

    The new job takes the session's client for the upload's server as it is now (a key corrected meanwhile); an
    upload whose server has left the session's list stays as it ended.
    """
    kept = []
    for upload in uploads():
        if upload.number == number and upload.job.view().finished:
            with contextlib.suppress(fleet.UnknownServer):
                upload = Upload(
                    upload.name,
                    upload.model,
                    upload.job.again(fleet.client_for(upload.server).clone()).start(),
                    upload.conversation_id,
                    upload.number,
                    reindex=upload.reindex,
                    server=upload.server,
                )
        kept.append(upload)
    state.put(state.DOCUMENTS_JOBS, kept)


def stop(number: int) -> None:
    for upload in uploads():
        if upload.number == number:
            upload.job.stop()


def show(store: DocumentStore) -> None:
    """The uploads of this session, polling every :data:`POLL_SECONDS` while one is being indexed.

    Call :func:`settle` and :func:`announce` first, in the page's run.
    """
    st.fragment(draw, run_every=POLL_SECONDS if running() else None)(store)


def draw(store: DocumentStore) -> None:
    """Each upload's progress, or how it ended. When one ends during the fragment's own run, the whole
    page runs again, so the chat's list (and the library) shows its document."""
    if settle(store):
        st.rerun()
    for upload in uploads():
        _upload(upload)


def _upload(upload: Upload) -> None:
    view = upload.job.view()
    if not view.finished:
        row = st.container(horizontal=True, vertical_alignment="center")
        with row:
            st.progress(view.fraction, text=progress(upload, view))
            st.button(
                t("documents.stop"),
                icon=":material/stop:",
                key=f"documents_stop_{upload.number}",
                on_click=stop,
                args=(upload.number,),
            )
        return
    row = st.container(horizontal=True, vertical_alignment="center")
    with row:
        if view.stage is Stage.DONE:
            st.success(indexed(upload, view), icon=":material/task_alt:")
        elif view.stage is Stage.STOPPED:
            st.warning(t("documents.stopped", name=upload.name), icon=":material/stop_circle:")
        else:
            st.error(view.error or t("documents.failed", name=upload.name), icon=":material/error:")
        if view.stage is not Stage.DONE:
            st.button(
                t("documents.try_again"),
                icon=":material/refresh:",
                key=f"documents_retry_{upload.number}",
                on_click=retry,
                args=(upload.number,),
                help=t("documents.try_again_help"),
            )
        st.button(
            t("documents.dismiss"),
            key=f"documents_dismiss_{upload.number}",
            on_click=dismiss,
            args=(upload.number,),
        )


def progress(upload: Upload, view: IngestView) -> Markdown:
    """What the bar says: reading the file, passages embedded of all, saving."""
    if view.stage is Stage.EMBEDDING and view.total:
        key = "documents.reindex_progress" if upload.reindex else "documents.progress"
        return t(key, name=upload.name, done=whole_number(view.done), total=whole_number(view.total))
    if view.stage is Stage.SAVING:
        return t("documents.progress_saving", name=upload.name)
    return t("documents.progress_reading", name=upload.name)


def indexed(upload: Upload, view: IngestView) -> Markdown:
    """How a file that was indexed ended: ready, already in the library, or indexed again."""
    n = 1 if view.total == 1 else whole_number(view.total)
    if upload.reindex:
        return t("documents.reindexed", name=upload.name, model=upload.model)
    if view.reused:
        return t("documents.reused", name=upload.name, n=n)
    return t("documents.indexed", name=upload.name, n=n)
