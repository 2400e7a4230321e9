"""Settings from the environment (lib/settings.py), read when asked, never at import.

The list forms of ``OLLAMA_HOST`` are also checked in tests/access/test_locked.py (locked mode's servers).
"""

from __future__ import annotations

import pytest

from lib import settings
from lib.ollama.host import normalize_host


def test_the_default_host_is_what_an_empty_ollama_host_means():
    assert settings.DEFAULT_HOST == normalize_host("") == "http://127.0.0.1:11434"


def test_ollama_host_is_read_at_each_call(monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST", "gpu-box")
    assert settings.env_host() == "http://gpu-box:11434"
    monkeypatch.setenv("OLLAMA_HOST", "https://ollama.example.com/")
    assert settings.env_host() == "https://ollama.example.com:443"
    monkeypatch.delenv("OLLAMA_HOST")
    assert settings.env_host() == settings.DEFAULT_HOST


@pytest.mark.parametrize(
    ("raw", "hosts"),
    [
        ("  gpu-box  ", ["http://gpu-box:11434"]),
        (" , gpu-box , ", ["http://gpu-box:11434"]),
        ("0.0.0.0", ["http://127.0.0.1:11434"]),  # what a server listens on, not an address to call
        (":8080", ["http://127.0.0.1:8080"]),
        ("GPU-Box,gpu-box:11434,http://gpu-box:11434/", ["http://gpu-box:11434"]),
        ("[::1]:8080,::1", ["http://[::1]:8080", "http://[::1]:11434"]),
        ("gpu-box:99999,other", ["http://other:11434"]),
        ("[::1,other", ["http://other:11434"]),
        ("gpu-box:port, localhost:port", [settings.DEFAULT_HOST]),
        ("b-box,a-box", ["http://b-box:11434", "http://a-box:11434"]),
    ],
)
def test_every_readable_server_once_in_the_order_given(raw, hosts, monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST", raw)
    assert settings.env_hosts() == hosts
    assert settings.env_host() == hosts[0]


def test_the_first_readable_server_is_the_host_even_after_unreadable_ones(monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST", "ftp://old,gpu-box:0,gpu-box:8080")
    assert settings.env_host() == "http://gpu-box:8080"


@pytest.mark.parametrize(("raw", "key"), [(None, None), ("", None), ("   ", None), (" sk-123 \n", "sk-123")])
def test_the_api_key_is_trimmed_and_blank_means_none(raw, key, monkeypatch):
    if raw is None:
        monkeypatch.delenv("OLLAMA_API_KEY", raising=False)
    else:
        monkeypatch.setenv("OLLAMA_API_KEY", raw)
    assert settings.env_api_key() == key


def test_the_api_key_is_read_at_each_call(monkeypatch):
    monkeypatch.setenv("OLLAMA_API_KEY", "first")
    assert settings.env_api_key() == "first"
    monkeypatch.setenv("OLLAMA_API_KEY", "second")
    assert settings.env_api_key() == "second"
