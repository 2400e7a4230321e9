"""The Embed button against the fake server: settings, progress, the kept run, errors.

lib/embeddings/embed_run.py.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from lib import state
from lib.embeddings import analysis as ea
from lib.embeddings import embed_run
from lib.embeddings.cache import EmbedSettings, VectorCache
from lib.embeddings.model_section import Choice
from lib.embeddings.models import ModelChoice
from lib.embeddings.texts import TextItem
from tests.embeddings.sections import RETURNED

MINILM = ModelChoice("all-minilm:latest", True, "sha256:1")
NOMIC = ModelChoice("nomic-embed-text:latest", True, "sha256:2")
LLAMA = ModelChoice("llama3.2:latest", False, "sha256:3")
ITEMS = [TextItem("cats purr"), TextItem("dogs bark"), TextItem("git push")]


def choice(*models: ModelChoice, keep_alive: str = "10m") -> Choice:
    return Choice(models[0], models[1] if len(models) > 1 else None, "doc: ", "query: ", 64, keep_alive, False)


def test_settings_for_each_chosen_model(section):
    at = section(embed_run.settings, choice(MINILM, NOMIC))
    assert at.session_state[RETURNED] == [
        EmbedSettings("all-minilm:latest", "doc: ", False, 64, "10m", "sha256:1"),
        EmbedSettings("nomic-embed-text:latest", "doc: ", False, 64, "10m", "sha256:2"),
    ]
    assert section(embed_run.settings, choice(MINILM, keep_alive=" 300 ")).session_state[RETURNED][0].keep_alive == 300
    assert section(embed_run.settings, choice(MINILM, keep_alive="")).session_state[RETURNED][0].keep_alive is None


def test_a_keep_alive_that_is_not_a_duration_ends_the_run(section):
    at = section(embed_run.settings, choice(MINILM, keep_alive="forever"))
    assert at.error[0].value.startswith("'forever' is not a duration")
    assert RETURNED not in at.session_state


def test_a_model_that_cannot_embed_ends_the_run(section):
    at = section(embed_run.settings, choice(LLAMA))
    assert at.error[0].value.startswith("llama3.2:latest is not an embedding model")
    assert RETURNED not in at.session_state


@pytest.fixture
def drawn(section, studio_env):
    """The button, its settings on the session's one server (the fake)."""

    def draw(items=ITEMS, *models: str, truncate: bool = True) -> AppTest:
        chosen = [EmbedSettings(name, truncate=truncate) for name in models or ("all-minilm:latest",)]
        return section(embed_run.button, items, chosen)

    return draw


def embed_requests(fake) -> list[dict]:
    return [r.body for r in fake.requests_to("/api/embed")]


def click(at: AppTest) -> AppTest:
    at.button(key=state.EMBED_RUN_BUTTON).click().run()
    assert not at.exception, at.exception
    return at


def test_without_texts_the_button_waits_and_says_what_to_do(drawn, fake):
    at = drawn([])
    assert at.button(key=state.EMBED_RUN_BUTTON).disabled
    assert at.info[0].value.startswith("Type or paste some texts above")
    assert embed_requests(fake) == [] and at.session_state[state.EMBED_RESULT] is None


def test_nothing_is_sent_until_the_button_is_clicked(drawn, fake):
    at = drawn()
    assert at.button(key=state.EMBED_RUN_BUTTON).label == "Embed 3 texts"
    assert not at.info and embed_requests(fake) == []
    assert at.session_state[state.EMBED_RESULT] is None


def test_a_click_embeds_the_texts_and_keeps_the_run(drawn, fake):
    at = click(drawn())
    assert [body["input"] for body in embed_requests(fake)] == [["cats purr", "dogs bark", "git push"]]
    assert at.get("progress")[0].proto.text == "all-minilm:latest: 3 of 3 new texts embedded"
    run: ea.Analysis = at.session_state[state.EMBED_RESULT]
    assert run.items == ITEMS and run.second is None
    assert run.primary.model == "all-minilm:latest" and run.primary.embedded.vectors.shape == (3, 384)
    assert run.primary.context_limit == 512  # from the model's details
    assert embed_run.is_current(run, ITEMS, [EmbedSettings("all-minilm:latest")])


def test_a_second_click_takes_every_vector_from_the_cache(drawn, fake):
    at = click(click(drawn()))
    assert len(embed_requests(fake)) == 1
    assert at.get("progress")[0].proto.text == "all-minilm:latest: every text was already embedded"
    assert at.session_state[state.EMBED_RESULT].primary.embedded.report.from_cache == 3


def test_two_models_give_a_run_with_a_second_result(drawn, fake):
    at = click(drawn(ITEMS, "all-minilm:latest", "nomic-embed-text:latest"))
    assert [body["model"] for body in embed_requests(fake)] == ["all-minilm:latest", "nomic-embed-text:latest"]
    assert len(at.get("progress")) == 2
    run = at.session_state[state.EMBED_RESULT]
    assert run.second.model == "nomic-embed-text:latest" and run.second.embedded.dimension == 768


def test_a_server_refusal_is_shown_with_embedding_models_to_try(drawn, fake):
    fake.add_fault("/api/embed", "http", status=500, message="this model does not support embeddings")
    at = click(drawn())
    assert "does not support embeddings" in at.error[0].value
    assert any(c.value.startswith("Embedding models include `nomic-embed-text`") for c in at.caption)
    assert at.session_state[state.EMBED_RESULT] is None
    assert RETURNED not in at.session_state  # the run ended there


def test_a_text_longer_than_the_context_with_cutting_off_is_explained(drawn):
    at = click(drawn([TextItem("word " * 600)], truncate=False))
    assert "context length" in at.error[0].value
    assert any("turn on cutting long texts" in c.value for c in at.caption)
    assert at.session_state[state.EMBED_RESULT] is None


class Bar:
    """Stands in for a progress bar: remembers each update."""

    def __init__(self) -> None:
        self.updates: list[tuple[float, str]] = []

    def progress(self, value: float, text: str) -> None:
        self.updates.append((value, text))


def test_progress_counts_the_texts_sent():
    bar = Bar()
    report = embed_run.progress_reporter(bar, "m")
    report(0, 0)
    report(1, 4)
    report(1_000, 2_000)
    assert bar.updates == [
        (1.0, "m: every text was already embedded"),
        (0.25, "m: 1 of 4 new texts embedded"),
        (0.5, "m: 1,000 of 2,000 new texts embedded"),
    ]


def test_a_run_is_current_only_for_its_own_texts_and_settings(drawn):
    run = click(drawn()).session_state[state.EMBED_RESULT]
    settings = [EmbedSettings("all-minilm:latest")]
    assert embed_run.is_current(run, ITEMS, settings)
    assert not embed_run.is_current(run, ITEMS[:2], settings)
    assert not embed_run.is_current(run, [TextItem("cats purr", "pets"), *ITEMS[1:]], settings)
    assert not embed_run.is_current(run, ITEMS, [EmbedSettings("all-minilm:latest", dimensions=64)])


def test_the_vector_cache_lives_in_the_session(section):
    at = section(embed_run.vector_cache)
    cache = at.session_state[RETURNED]
    assert isinstance(cache, VectorCache) and at.session_state[state.EMBED_CACHE] is cache
    assert at.run().session_state[RETURNED] is cache
