"""Fixtures shared by every test: the fake Ollama server and clean Streamlit caches."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import streamlit as st

from tests.fake_ollama import FakeOllama


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
def clean_streamlit_caches() -> Iterator[None]:
    """AppTest reuses one session id, so cached data would leak from one test into the next."""
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()
