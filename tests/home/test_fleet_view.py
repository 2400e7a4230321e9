"""Home with several servers (lib/home/fleet_view.py): one section per server, a down one named with its
reason, the connection doctor for the sidebar's server, against real fake servers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from streamlit.testing.v1 import AppTest

from tests.conftest import ENTRY_POINT
from tests.fake_ollama import FakeOllama
from tests.streamlit_process import free_port


@pytest.fixture
def gpu() -> Iterator[FakeOllama]:
    with FakeOllama() as other:
        other.version = "0.14.2"
        requests.post(f"{other.url}/api/generate", json={"model": "qwen3:0.6b", "keep_alive": "10m"}, timeout=5)
        yield other


def open_home(monkeypatch, hosts: str) -> AppTest:
    monkeypatch.setenv("OLLAMA_HOST", hosts)
    at = AppTest.from_file(ENTRY_POINT, default_timeout=30).run()
    assert not at.exception
    return at


def sections(at: AppTest) -> list[str]:
    return [heading.value for heading in at.subheader if heading.value != "Where next"]


def metrics(at: AppTest, label: str) -> list[str]:
    return [m.value for m in at.metric if m.label == label]


def test_each_server_has_its_section_in_the_lists_order_a_down_one_named_with_its_reason(
    monkeypatch, studio_env, fake, gpu
):
    dead = f"127.0.0.1:{free_port()}"
    at = open_home(monkeypatch, f"laptop={fake.url},nas={dead},gpu={gpu.url}")
    assert sections(at) == ["laptop", "nas", "gpu"]
    assert [s.value for s in at.success] == [
        f"Connected to Ollama 0.13.0 at {fake.url}.",
        f"Connected to Ollama 0.14.2 at {gpu.url}.",
    ]
    assert len(at.error) == 1
    assert at.error[0].value.startswith(f"**nas** is not answering. Nothing is answering at http://{dead}.")
    assert "What to try" not in [m.value for m in at.markdown]  # not the sidebar's server: no doctor
    assert metrics(at, "Installed models") == ["5", "5"]
    assert metrics(at, "Models in memory") == ["0", "1"]
    loaded = [frame.value for frame in at.dataframe if "Unloads" in frame.value.columns]
    assert [list(frame["Model"]) for frame in loaded] == [["qwen3:0.6b"]]
    assert "3 servers · 2 answering" in [c.value for c in at.caption]
    assert [expander.label for expander in at.expander if "installed on" in expander.label] == [
        "5 models installed on laptop",
        "5 models installed on gpu",
    ]
    assert len(at.get("page_link")) == 4


def test_the_sidebars_server_down_gets_the_doctor_and_the_others_are_drawn(monkeypatch, studio_env, fake, gpu):
    fake.add_fault("/api/tags", "html", times=0)
    at = open_home(monkeypatch, f"laptop={fake.url},gpu={gpu.url}")
    assert sections(at) == ["laptop", "gpu"]
    assert at.error[0].value.startswith("**laptop** is not answering.") and "HTTP 502" in at.error[0].value
    assert "**What to try**" in [m.value for m in at.markdown]
    assert [s.value for s in at.success] == [f"Connected to Ollama 0.14.2 at {gpu.url}."]
    fake.clear_faults()
    at.button(key="home_retry").click().run()
    assert not at.error
    assert len(at.success) == 2


def test_refresh_asks_a_server_that_failed_a_moment_ago_again(monkeypatch, studio_env, fake, gpu):
    gpu.add_fault("/api/tags", "http", times=0, status=500, message="busy")
    at = open_home(monkeypatch, f"laptop={fake.url},gpu={gpu.url}")
    assert "**gpu** is not answering." in at.error[0].value
    gpu.clear_faults()
    assert at.run().error  # remembered as down for a few seconds: not asked again at once
    at.button(key="home_refresh").click().run()
    assert not at.error
    assert sections(at) == ["laptop", "gpu"]


def test_a_hostile_server_name_is_shown_literally(monkeypatch, studio_env, fake, gpu):
    at = open_home(monkeypatch, f"laptop={fake.url},_x_={gpu.url}")
    assert sections(at) == ["laptop", "\\_x\\_"]


def test_an_ollama_host_entry_that_cannot_be_read_is_named_on_home(monkeypatch, studio_env, fake):
    at = open_home(monkeypatch, f"laptop={fake.url},gpu=http://me:secret@10.0.0.8")
    (warning,) = at.warning
    assert warning.value.startswith("`OLLAMA_HOST`'s entry 2 is left out: An address cannot hold a user name")
    assert "secret" not in warning.value
    assert not any(heading.value == "laptop" for heading in at.subheader)  # one server left: Home as with one
