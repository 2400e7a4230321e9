"""The Search tab against the fake server: the query goes through the texts' model with its own prefix.

lib/embeddings/search_tab.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from lib import state
from lib.embeddings import analysis as ea
from lib.embeddings import search_tab
from lib.embeddings.cache import EmbedSettings, VectorCache, embed_all
from lib.embeddings.texts import TextItem
from lib.ollama.client import OllamaClient
from tests.embeddings.sections import model_result

TEXTS = ["cats purr softly", "a kitten purrs", "dogs bark loudly", "git commit and push", "git push to remote"]
MODEL = "nomic-embed-text:latest"


@pytest.fixture
def client(fake):
    opened = OllamaClient(fake.url)
    yield opened
    opened.close()


@pytest.fixture
def searched(section, client, studio_env):
    """The tab for TEXTS embedded by the fake with a document prefix; queries get "search_query: "."""
    cache = VectorCache()
    embedded = embed_all(client, EmbedSettings(MODEL, prefix="search_document: "), TEXTS, cache)
    analysis = ea.Analysis([TextItem(text) for text in TEXTS], ea.ModelResult(embedded))
    return section(search_tab.search, analysis, "search_query: ", cache)


def query_bodies(fake) -> list[dict]:
    return [r.body for r in fake.requests_to("/api/embed")][1:]  # after the texts' own request


def test_nothing_is_sent_before_a_query_is_typed(searched, fake):
    assert searched.text_input(key=state.EMBED_QUERY_INPUT).value == ""
    assert not searched.dataframe
    searched.text_input(key=state.EMBED_QUERY_INPUT).input("   ").run()
    assert not searched.dataframe and query_bodies(fake) == []


def test_texts_are_ranked_against_the_query_with_its_prefix(searched, fake):
    searched.text_input(key=state.EMBED_QUERY_INPUT).input("  git push ").run()
    assert [(body["model"], body["input"]) for body in query_bodies(fake)] == [(MODEL, ["search_query: git push"])]
    ranked = searched.dataframe[0].value
    assert list(ranked.columns) == ["Rank", "Similarity", "#", "Text"]  # no text has a label
    assert list(ranked["Rank"]) == [1, 2, 3, 4, 5]
    assert set(ranked["Text"][:2]) == {"git commit and push", "git push to remote"}
    assert list(ranked["Similarity"]) == sorted(ranked["Similarity"], reverse=True)


def test_a_repeated_query_comes_from_the_cache(searched, fake):
    searched.text_input(key=state.EMBED_QUERY_INPUT).input("git push").run()
    searched.text_input(key=state.EMBED_QUERY_INPUT).input("git push").run()
    searched.run()
    assert len(query_bodies(fake)) == 1
    assert searched.dataframe


def test_a_failed_query_is_shown_without_a_table(searched, fake):
    fake.add_fault("/api/embed", "http", status=500, message="model runner has unexpectedly stopped")
    searched.text_input(key=state.EMBED_QUERY_INPUT).input("git").run()
    assert not searched.exception
    assert "unexpectedly stopped" in searched.error[0].value
    assert not searched.dataframe


def test_a_query_of_another_length_than_the_texts_is_explained(section, client, studio_env):
    analysis = ea.Analysis([TextItem("east"), TextItem("north")], model_result(MODEL, np.eye(2)))  # 2-D, by hand
    at = section(search_tab.search, analysis, "", VectorCache())
    at.text_input(key=state.EMBED_QUERY_INPUT).input("west").run()
    assert at.error[0].value == (
        "The query has 768 dimensions but the texts have 2: they were embedded with different models or settings."
    )
    assert not at.dataframe


def test_a_query_for_texts_from_a_server_no_longer_listed_is_not_sent_elsewhere(section, client, fake, studio_env):
    from dataclasses import replace

    texts = model_result(MODEL, np.eye(2))
    texts.embedded = replace(texts.embedded, settings=replace(texts.embedded.settings, server="http://gone:11434"))
    at = section(search_tab.search, ea.Analysis([TextItem("east"), TextItem("north")], texts), "", VectorCache())
    at.text_input(key=state.EMBED_QUERY_INPUT).input("west").run()
    assert not at.exception
    assert "is no longer one of this session's servers" in at.info[0].value
    assert fake.requests_to("/api/embed") == [] and not at.dataframe
