"""How a model on a server is named on screen (lib/fleet/models.py)."""

from __future__ import annotations

from lib.fleet.models import ModelRef, label, server_name
from lib.fleet.servers import Server


def test_models_are_named_with_their_server_only_in_a_fleet():
    one = [Server("http://a:11434", "a")]
    two = [*one, Server("http://b:11434", "gpu")]
    assert label(ModelRef("qwen3:0.6b", "http://b:11434"), one) == "qwen3:0.6b"
    assert label(ModelRef("qwen3:0.6b", "http://b:11434"), two) == "qwen3:0.6b · gpu"


def test_a_server_not_in_the_list_is_named_after_its_host():
    assert server_name("http://127.0.0.1:11434", []) == "localhost"
    assert server_name("http://10.0.0.7:11434", [Server("http://10.0.0.7:11434", "gpu")]) == "gpu"
