"""The Model section, drawn alone for a given list of installed models (no server needed).

lib/embeddings/model_section.py.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from lib import state
from lib.embeddings import model_section
from lib.embeddings.model_section import Choice
from lib.embeddings.models import ModelChoice
from lib.embeddings.texts import TextItem
from tests.embeddings.sections import RETURNED

LOCAL = "http://127.0.0.1:11434"  # the session's one server (see the drawn fixture)
MINILM = ModelChoice("all-minilm:latest", True, "sha256:1", LOCAL)
NOMIC = ModelChoice("nomic-embed-text:latest", True, "sha256:2", LOCAL)
MXBAI = ModelChoice("mxbai-embed-large:latest", True, "sha256:3", LOCAL)
OLD = ModelChoice("old:latest", None, "sha256:4", LOCAL)
LLAMA = ModelChoice("llama3.2:latest", False, "sha256:5", LOCAL)
CHOICES = [MINILM, MXBAI, NOMIC, OLD, LLAMA]  # as models.installed() orders them
ENGLISH = [TextItem("cats purr")]
CHINESE = [TextItem("猫在窗台上打呼噜。")]


@pytest.fixture
def drawn(section, monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST", LOCAL)
    return lambda items=ENGLISH, **options: section(model_section.choose, CHOICES, items, **options)


def returned(at: AppTest) -> Choice:
    assert not at.exception, at.exception
    return at.session_state[RETURNED]


def test_the_first_embedding_model_and_the_forms_defaults(drawn):
    at = drawn()
    models = at.selectbox(key=state.EMBED_MODEL_INPUT)
    assert models.options == [
        "all-minilm:latest",
        "mxbai-embed-large:latest",
        "nomic-embed-text:latest",
        "old:latest",
        "llama3.2:latest (cannot embed)",
    ]
    assert returned(at) == Choice(MINILM, None, "", "", None, "", True)
    assert returned(at).models == [MINILM]


@pytest.mark.parametrize(("default", "picked"), [(NOMIC, NOMIC), (LLAMA, MINILM)])
def test_the_sidebars_default_model_is_taken_when_it_can_embed(drawn, default, picked):
    at = drawn(session={state.DEFAULT_MODEL: default.name})
    assert returned(at).model == picked


def test_a_second_model_to_compare_with(drawn):
    at = drawn()
    compare = at.selectbox(key=state.EMBED_COMPARE_INPUT)
    assert compare.options == ["no comparison", "mxbai-embed-large:latest", "nomic-embed-text:latest", "old:latest"]
    compare.select("nomic-embed-text:latest").run()
    assert returned(at).compare == NOMIC
    assert returned(at).models == [MINILM, NOMIC]
    at.selectbox(key=state.EMBED_MODEL_INPUT).select("nomic-embed-text:latest").run()
    assert returned(at).compare is None  # a model is not compared with itself
    assert at.selectbox(key=state.EMBED_COMPARE_INPUT).value == ""


def test_a_model_that_cannot_embed_is_returned_for_the_run_to_refuse(drawn):
    at = drawn()
    at.selectbox(key=state.EMBED_MODEL_INPUT).select("llama3.2:latest (cannot embed)").run()
    assert returned(at).model == LLAMA


def test_chinese_texts_and_a_mostly_english_model_get_a_hint(drawn):
    hint = "was trained mostly on English"
    assert any(hint in c.value and "`bge-m3`" in c.value for c in drawn(CHINESE).caption)
    assert not any(hint in c.value for c in drawn(ENGLISH).caption)
    at = drawn(CHINESE)
    at.selectbox(key=state.EMBED_MODEL_INPUT).select("old:latest").run()
    assert not any(hint in c.value for c in at.caption)


def test_trained_prefixes_are_offered_and_filled_in(drawn):
    at = drawn()
    assert not any(b.label == "Use these prefixes" for b in at.button)  # all-minilm has none
    at.selectbox(key=state.EMBED_MODEL_INPUT).select("nomic-embed-text:latest").run()
    assert any("`search_document: ` for texts and `search_query: ` for queries" in c.value for c in at.caption)
    assert at.text_input(key=state.EMBED_PREFIX_INPUT).placeholder == "search_document: "
    next(b for b in at.button if b.label == "Use these prefixes").click().run()
    assert (returned(at).prefix, returned(at).query_prefix) == ("search_document: ", "search_query: ")


def test_a_model_trained_with_a_query_prefix_only(drawn):
    at = drawn()
    at.selectbox(key=state.EMBED_MODEL_INPUT).select("mxbai-embed-large:latest").run()
    assert any("for queries (texts need none)" in c.value for c in at.caption)
    next(b for b in at.button if b.label == "Use these prefixes").click().run()
    assert returned(at).prefix == ""
    assert returned(at).query_prefix.startswith("Represent this sentence")


def test_the_options_as_typed(drawn):
    at = drawn()
    at.number_input(key=state.EMBED_DIMENSIONS_INPUT).set_value(64)
    at.text_input(key=state.EMBED_KEEP_ALIVE_INPUT).input("forever and a day")  # checked by the run, not here
    at.checkbox(key=state.EMBED_TRUNCATE_INPUT).uncheck()
    at.text_input(key=state.EMBED_PREFIX_INPUT).input("doc: ")
    at.text_input(key=state.EMBED_QUERY_PREFIX_INPUT).input("query: ").run()
    assert returned(at) == Choice(MINILM, None, "doc: ", "query: ", 64, "forever and a day", False)
