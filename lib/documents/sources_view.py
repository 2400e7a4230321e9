"""Under an answer from the chat's documents: its citations, its numbered sources and what was sent.

Each citation the answer uses ([1], [2], …) is a button named like its source; clicking it opens
the passage. All the passages sent are listed, numbered, in a folded **Sources** section, and
**Show what was sent** shows the request's messages exactly. Passages and file names come from
the visitor's files, and an answer can quote anything: passages are drawn through
:func:`lib.ui.live_markdown.render_markdown` like model output, names through :func:`lib.i18n.t`,
and the messages sent as code, never as HTML.
"""

from __future__ import annotations

import json

import streamlit as st

from lib import i18n, state
from lib.chat import retrieval, validation
from lib.chat.history import Message
from lib.chat.sources import Grounding, Source, Unsearched
from lib.documents import grounding as document_grounding
from lib.documents.records import Hit, Passage
from lib.fleet import session as fleet
from lib.fleet.models import server_name
from lib.i18n import Markdown, escape, t, t_plain
from lib.ui import navigation
from lib.ui.live_markdown import render_markdown


def draw(message: Message) -> None:
    """What a grounded answer was built from; nothing for an answer that was not."""
    grounding = message.grounding
    if grounding is None:
        return
    if grounding.damaged:
        problem = validation.first_problem(list(grounding.damaged))
        st.caption(f":material/broken_image: {t('chat_import.stored_part', problem=problem)}")
    if grounding.search_failed:
        st.caption(":material/search_off: " + t("documents.search_failed", models=model_list(grounding.models)))
        st.page_link(navigation.MODELS, label=t("documents.models_link"), icon=":material/deployed_code:")
        return
    for skipped in grounding.unsearched:
        st.warning(not_searched(skipped), icon=":material/cloud_off:")
    if grounding.nothing_found:
        # The app's own answer, in place of the model's (lib/documents/grounding.py, NOTHING_FOUND).
        min_score = grounding.min_score if grounding.min_score is not None else retrieval.MIN_SCORE
        st.markdown(t("documents.nothing_found_shown", answer=document_grounding.nothing_found(min_score)))
    cited = cited_numbers(message.content, grounding)
    if cited:
        citations(grounding, cited)
    if grounding.sources:
        sources(grounding, cited, message.id)
    if grounding.sent:
        what_was_sent(grounding, message.id)


def not_searched(skipped: Unsearched) -> Markdown:
    """The documents a question was not searched in, their server (by its name in this session) and why."""
    names = t_plain("embeddings.list_separator").join(skipped.documents)
    known = skipped.error_key in i18n.catalog()
    reason = t(skipped.error_key, **skipped.values) if known else t("documents.not_searched_reason")
    server = server_name(skipped.server, fleet.servers())
    return t("documents.not_searched", documents=names, server=server, reason=reason)


def cited_numbers(answer: str, grounding: Grounding) -> list[int]:
    """The source numbers the answer cites ([n]) that exist, as :func:`lib.documents.grounding.citations` finds them."""
    hits = [as_hit(source) for source in grounding.sources]
    return document_grounding.citations(answer, hits)


def as_hit(source: Source) -> Hit:
    passage = Passage(source.document_id or 0, 0, source.text, page=source.page, heading=source.heading)
    return Hit(passage, source.document, source.score, number=source.number)


def where(source: Source) -> Markdown:
    """Where in its document a passage is: its page and heading, when known."""
    if source.page is not None and source.heading:
        return t("documents.page_and_heading", page=source.page, heading=source.heading)
    if source.page is not None:
        return t("documents.page", page=source.page)
    if source.heading:
        return escape(source.heading)
    return t("documents.whole_document")


def label(source: Source) -> Markdown:
    """A citation's button: "[2] handbook.pdf · p. 4"."""
    return t("documents.citation", number=source.number, document=source.document, where=where(source))


def citations(grounding: Grounding, cited: list[int]) -> None:
    """One button per cited source; clicking one opens its passage."""
    by_number = {source.number: source for source in grounding.sources}
    row = st.container(horizontal=True, gap="small")
    for number in cited:
        source = by_number[number]
        with row.popover(label(source), icon=":material/format_quote:", type="tertiary"):
            passage(source)


def passage(source: Source) -> None:
    """A source: where it is, its score, and its text drawn as safely as model output."""
    st.caption(t("documents.source_line", document=source.document, where=where(source), score=score(source)))
    with st.container(border=True):
        render_markdown(source.text)


def score(source: Source) -> str:
    return f"{source.score:.2f}"


def sources(grounding: Grounding, cited: list[int], message_id: int | None) -> None:
    """Every passage sent, numbered, folded away.

    The section keeps its state (a key, and a run when it opens or closes): the answer just streamed
    is drawn again differently by the next run, which would close a section that holds no state.
    Its passages are drawn only while it is open, so a long chat sends none it does not show.
    """
    section = st.expander(
        t("documents.sources", n=len(grounding.sources)),
        icon=":material/library_books:",
        key=f"{state.DOCUMENTS_SOURCES_INPUT}_{message_id}",
        on_change="rerun",
    )
    if not section.open:
        return
    with section:
        for source in grounding.sources:
            st.markdown(
                t(
                    "documents.source_heading_cited" if source.number in cited else "documents.source_heading",
                    number=source.number,
                    document=source.document,
                    where=where(source),
                    score=score(source),
                )
            )
            with st.container(border=True):
                render_markdown(source.text)


def what_was_sent(grounding: Grounding, message_id: int | None) -> None:
    """The toggle that shows the request's messages exactly, as JSON."""
    key = f"{state.DOCUMENTS_SENT_INPUT}_{message_id}"
    if st.toggle(t("documents.show_sent"), key=key, help=t("documents.show_sent_help")):
        st.code(json.dumps(list(grounding.sent), indent=2, ensure_ascii=False), language="json", wrap_lines=True)


def model_list(models: tuple[str, ...]) -> str:
    return ", ".join(models)
