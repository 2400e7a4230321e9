"""The page's Model section: the model, a second model to compare with, and the embedding options.

Both models may be on any of the session's servers: the boxes offer ``model · server`` when there
are several, and name the servers that are not answering.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

from lib import state
from lib.embeddings import models as em
from lib.embeddings import texts as parsing
from lib.embeddings.models import ModelChoice
from lib.embeddings.texts import TextItem
from lib.fleet import picker
from lib.fleet.models import ModelRef
from lib.fleet.servers import Server
from lib.i18n import t
from lib.parameters.catalog import keep_alive_help


@dataclass(frozen=True)
class Choice:
    """What the section's widgets hold, as typed: the keep-alive is checked when the run is set up."""

    model: ModelChoice
    compare: ModelChoice | None
    prefix: str
    query_prefix: str
    dimensions: int | None
    keep_alive: str
    truncate: bool

    @property
    def models(self) -> list[ModelChoice]:
        """The model, then the one to compare with, if any."""
        return [self.model] + ([self.compare] if self.compare else [])


def choose(
    choices: list[ModelChoice],
    items: list[TextItem],
    servers: Sequence[Server] = (),
    down: Sequence[str] = (),
) -> Choice:
    """Draw the section for the installed ``choices`` (see :func:`lib.embeddings.models.available`).

    ``items`` are the texts to embed: Chinese texts and a model trained mostly on English get a hint.
    ``servers`` are the session's (models are named with theirs when there are several); ``down``
    names those not answering, said under the boxes.
    """
    st.subheader(t("embeddings.model_heading"))
    by_ref = {choice.ref: choice for choice in choices}
    refs = list(by_ref)
    labels = {ref: em.choice_label(choice, servers) for ref, choice in by_ref.items()}
    if st.session_state.get(state.EMBED_MODEL_INPUT) not in refs:
        picker.ensure_choice(state.EMBED_MODEL_INPUT, [ref for ref in refs if by_ref[ref].can_embed] or refs)
    left, right = st.columns(2)
    picked: ModelRef = left.selectbox(
        t("embeddings.model_label"),
        refs,
        key=state.EMBED_MODEL_INPUT,
        format_func=labels.__getitem__,
        help=t("embeddings.model_help"),
    )
    others = [ref for ref in refs if ref != picked and by_ref[ref].can_embed is not False]
    if st.session_state.get(state.EMBED_COMPARE_INPUT) not in others:
        st.session_state[state.EMBED_COMPARE_INPUT] = ""
    compare_labels: dict[ModelRef | str, str] = {"": t("embeddings.no_comparison")}
    compare_labels.update({ref: labels[ref] for ref in others})
    compare = right.selectbox(
        t("embeddings.compare_label"),
        list(compare_labels),
        key=state.EMBED_COMPARE_INPUT,
        format_func=compare_labels.__getitem__,
        help=t("embeddings.compare_help"),
    )
    for name in down:
        st.caption(t("fleet.server_down", server=name))
    model = picked.model
    if em.mostly_english(model) and parsing.has_chinese(items):
        st.caption(t("embeddings.multilingual_hint", model=model, models=em.model_list(em.MULTILINGUAL_MODELS)))
    with st.expander(t("embeddings.options"), icon=":material/tune:"):
        prefix, query_prefix = _prefixes(model)
        left, middle, right = st.columns(3)
        dimensions = left.number_input(
            t("embeddings.dimensions_label"),
            min_value=1,
            max_value=65_536,
            step=1,
            value=None,
            key=state.EMBED_DIMENSIONS_INPUT,
            placeholder=t("embeddings.dimensions_placeholder"),
            help=t("embeddings.dimensions_help"),
        )
        keep_alive = middle.text_input(
            t("embeddings.keep_alive_label"),
            key=state.EMBED_KEEP_ALIVE_INPUT,
            help=keep_alive_help(),
            placeholder=t("embeddings.keep_alive_placeholder"),
        )
        truncate = right.checkbox(
            t("embeddings.truncate_label"), key=state.EMBED_TRUNCATE_INPUT, help=t("embeddings.truncate_help")
        )
    return Choice(
        by_ref[picked],
        by_ref[compare] if isinstance(compare, ModelRef) else None,
        prefix,
        query_prefix,
        int(dimensions) if dimensions else None,
        keep_alive,
        truncate,
    )


def _prefixes(model: str) -> tuple[str, str]:
    """The prefix boxes for texts and for search queries, with the model's trained prefixes offered."""
    document_prefix, query_prefix_hint = em.suggested_prefixes(model)
    left, right = st.columns(2)
    prefix = left.text_input(
        t("embeddings.prefix_label"),
        key=state.EMBED_PREFIX_INPUT,
        placeholder=document_prefix or t("embeddings.none"),
        help=t("embeddings.prefix_help"),
    )
    query_prefix = right.text_input(
        t("embeddings.query_prefix_label"),
        key=state.EMBED_QUERY_PREFIX_INPUT,
        placeholder=query_prefix_hint or t("embeddings.none"),
        help=t("embeddings.query_prefix_help"),
    )
    if document_prefix or query_prefix_hint:
        if document_prefix:
            st.caption(t("embeddings.trained_prefixes", model=model, document=document_prefix, query=query_prefix_hint))
        else:
            st.caption(t("embeddings.trained_query_prefix", model=model, query=query_prefix_hint))
        st.button(
            t("embeddings.use_prefixes"),
            icon=":material/input:",
            type="tertiary",
            on_click=use_prefixes,
            args=(document_prefix, query_prefix_hint),
        )
    return prefix, query_prefix


def use_prefixes(document_prefix: str, query_prefix: str) -> None:
    """Fill the prefix boxes with a model's trained prefixes (a button's callback)."""
    st.session_state[state.EMBED_PREFIX_INPUT] = document_prefix
    st.session_state[state.EMBED_QUERY_PREFIX_INPUT] = query_prefix
