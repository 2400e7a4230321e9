"""Creating FROM a model the server must pull first: the pull's own "success" comes mid-stream."""

from __future__ import annotations

import requests

from lib.ollama.client import OllamaClient


def test_create_reads_past_the_pulls_success_to_the_end(fake):
    fake.token_delay = 0.01
    statuses = [chunk["status"] for chunk in OllamaClient(fake.url).create("helper", from_="gemma3:270m", system="Hi.")]
    assert statuses.count("success") == 2
    assert statuses[-1] == "success"
    assert "writing manifest" in statuses[statuses.index("success") :]
    assert not fake.requests_to("/api/create")[-1].client_disconnected
    names = {m["name"] for m in requests.get(f"{fake.url}/api/tags", timeout=5).json()["models"]}
    assert {"helper:latest", "gemma3:270m"} <= names
