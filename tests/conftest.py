"""Fixtures shared by every test: the fake Ollama server, clean Streamlit caches, the app under AppTest."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Selectbox

from lib import state
from lib.fleet.models import ModelRef
from lib.storage import database
from tests.fake_ollama import FakeOllama
from tests.storage import backends, postgres
from tests.storage.backends import Backend

# AppTest resolves a relative script path against the calling file, so pass an absolute one.
ENTRY_POINT = str(Path(__file__).resolve().parents[1] / "Home.py")
# AppTest cannot send cookies: sessions given this id are one browser's, as after a reload (lib/access/visitor.py).
SAME_BROWSER = "test-browser-000000000000000000000000000000"


@pytest.fixture(scope="session")
def fake_server() -> Iterator[FakeOllama]:
    server = FakeOllama()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fake(fake_server: FakeOllama) -> Iterator[FakeOllama]:
    """The fake server in its initial state, with an empty request log."""
    fake_server.reset()
    yield fake_server
    fake_server.reset()


@pytest.fixture(autouse=True)
def data_folder_of_the_test(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test writes into ``~/.ollama-studio``: the parameters panel, drawn by many tests of one page's part,
    reads the visitor's presets from there. A test that needs another folder sets its own. Nor does one write into
    a database the shell's OLLAMA_STUDIO_DATABASE_URL names (the ``backend`` fixture sets it to a test's own)."""
    monkeypatch.setenv("OLLAMA_STUDIO_DATA_DIR", str(tmp_path))
    monkeypatch.delenv(database.DATABASE_URL_ENV, raising=False)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[postgres.Cluster]:
    """A PostgreSQL server for the session (tests/storage/postgres.py); skips when no server binaries exist."""
    try:
        cluster = postgres.start()
    except FileNotFoundError as missing:
        pytest.skip(str(missing))
    yield cluster
    database.dispose_engines()
    cluster.stop()


@pytest.fixture
def postgres_url(postgres_cluster: postgres.Cluster) -> Iterator[str]:
    """The address (password included) of an empty PostgreSQL database of this test's own, dropped after it."""
    url = postgres_cluster.new_database()
    yield url
    database.dispose_engines()
    postgres_cluster.drop_database(url)


@pytest.fixture(params=backends.NAMES)
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Backend:
    """Each test that takes it runs twice, on SQLite and on PostgreSQL (tests/storage/backends.py): the app's
    stores built without a path use that database."""
    if request.param == backends.SQLITE:
        monkeypatch.delenv(database.DATABASE_URL_ENV, raising=False)
        return Backend(backends.SQLITE, None)
    url: str = request.getfixturevalue("postgres_url")
    monkeypatch.setenv(database.DATABASE_URL_ENV, url)
    return Backend(backends.POSTGRESQL, url)


@pytest.fixture(autouse=True)
def keep_main_module(monkeypatch: pytest.MonkeyPatch) -> None:
    """An AppTest run makes its script ``sys.modules["__main__"]``; put the real one back after every test.

    Otherwise a later test that starts a process with multiprocessing's "spawn" (the benchmark's fake server)
    has the child run the app's ``Home.py`` as its main module, and fail there.
    """
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])


@pytest.fixture(autouse=True)
def clean_streamlit_caches() -> Iterator[None]:
    """AppTest reuses one session id, so cached data would leak from one test into the next."""
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def gpu() -> Iterator[FakeOllama]:
    """A second fake server, on its own port: the other server of a fleet's tests."""
    with FakeOllama() as other:
        yield other


@pytest.fixture
def studio_env(fake: FakeOllama, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The environment the app starts in: pointed at the fake, no API key, a fresh data folder."""
    monkeypatch.setenv("OLLAMA_HOST", fake.url)
    monkeypatch.delenv("OLLAMA_API_KEY", raising=False)
    monkeypatch.setenv("OLLAMA_STUDIO_DATA_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def open_app(studio_env: Path) -> Callable[..., AppTest]:
    """Open the app in a new browser session, on one page (``app_pages/x.py``) or on Home.

    Every session is the same browser's unless given another ``browser`` id (None: a browser's
    first visit), or a signed-in ``user`` (``st.user``).
    """

    def open_page(
        page: str | None = None,
        query: dict[str, str] | None = None,
        *,
        browser: str | None = SAME_BROWSER,
        user: dict[str, Any] | None = None,
    ) -> AppTest:
        at = AppTest.from_file(ENTRY_POINT, default_timeout=30)
        if browser is not None:
            at.session_state[state.VISITOR_TOKEN] = browser
        if user is not None:
            at.user = user
        if query:
            at.query_params.update(query)  # in the first run, as when a link opens the app
        at.run()
        if page:
            at.switch_page(page)
            if query:
                at.query_params.update(query)
        return at.run() if page else at

    return open_page


def choose_models(at: AppTest, count_key: str, model_key: str, models: tuple[str, ...]) -> None:
    """Side by side views: set the number of columns, then each column's model (``model_key`` + "_<column>").

    A box of the fleet's model picker (its value a ModelRef) gets the model on the server it is on.
    """
    at.segmented_control(key=count_key).set_value(len(models)).run()
    for column, model in enumerate(models):
        pick_model(at.selectbox(key=f"{model_key}_{column}"), model)
    at.run()


def pick_model(box: Selectbox, model: str | ModelRef) -> None:
    """Select ``model`` in a model select box; in the fleet's picker (its value a ModelRef) a name is the model
    on the server the box is on."""
    if isinstance(model, str) and isinstance(box.value, ModelRef):
        model = ModelRef(model, box.value.server)
    box.select(model)


@pytest.fixture
def two_servers(studio_env: Path, fake: FakeOllama, gpu: FakeOllama, monkeypatch: pytest.MonkeyPatch) -> None:
    """The app's servers: ``laptop`` (the fake, the sidebar's) and ``gpu``, as OLLAMA_HOST lists them."""
    monkeypatch.setenv("OLLAMA_HOST", f"laptop={fake.url},gpu={gpu.url}")
