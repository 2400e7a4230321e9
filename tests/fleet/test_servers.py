"""The fleet's servers from OLLAMA_HOST: names, keys, and what is skipped (lib/fleet/servers.py)."""

from __future__ import annotations

from lib.fleet.servers import (
    DEFAULT_HOST,
    Server,
    by_name,
    env_key,
    env_servers,
    key_variable,
    named,
    parse_hosts,
    unreadable_hosts,
)


def test_a_list_with_names_and_without():
    servers = env_servers({"OLLAMA_HOST": "laptop=127.0.0.1:11434, gpu=http://10.0.0.7:11434 ,10.0.0.8"})
    assert [(s.name, s.url) for s in servers] == [
        ("laptop", "http://127.0.0.1:11434"),
        ("gpu", "http://10.0.0.7:11434"),
        ("10.0.0.8", "http://10.0.0.8:11434"),
    ]
    assert all(s.from_env for s in servers)


def test_unnamed_servers_on_one_host_are_told_apart_and_duplicates_dropped():
    servers = env_servers({"OLLAMA_HOST": "127.0.0.1:11434,127.0.0.1:11435,http://127.0.0.1:11434/"})
    assert [s.name for s in servers] == ["localhost", "127.0.0.1:11435"]


def test_nothing_readable_means_the_local_default():
    assert [s.url for s in env_servers({"OLLAMA_HOST": " , ftp://x, host:99999"})] == [DEFAULT_HOST]
    assert [s.url for s in env_servers({})] == [DEFAULT_HOST]


def test_a_name_is_what_comes_before_an_equals_sign_outside_the_address():
    assert parse_hosts("gpu=10.0.0.7") == [("http://10.0.0.7:11434", "gpu")]
    assert parse_hosts("http://10.0.0.7/a=b")[0][1] is None  # inside the address: no name


def test_each_server_has_its_own_key_else_the_shared_one_and_typed_servers_none():
    gpu = Server("http://10.0.0.7:11434", "gpu-box", from_env=True)
    laptop = Server("http://127.0.0.1:11434", "laptop", from_env=True)
    typed = Server("http://10.0.0.9:11434", "10.0.0.9")
    environ = {"OLLAMA_API_KEY_GPU_BOX": "gpu-key", "OLLAMA_API_KEY": "shared"}
    assert key_variable(gpu) == "OLLAMA_API_KEY_GPU_BOX"
    assert env_key(gpu, environ) == "gpu-key"
    assert env_key(laptop, environ) == "shared"
    assert env_key(typed, environ) is None


def test_an_unnamed_server_is_not_given_a_name_taken_elsewhere():
    servers = named([("http://127.0.0.1:9999", None)], taken=["localhost"])
    assert [s.name for s in servers] == ["127.0.0.1:9999"]


def test_a_name_is_found_whatever_the_case_of_its_letters():
    servers = [Server("http://10.0.0.7:11434", "gpu"), Server("http://10.0.0.8:11434", "lab")]
    assert by_name(servers, "GPU") == servers[0]
    assert by_name(servers, "nas") is None


def test_unreadable_entries_are_told_by_place_and_a_password_is_never_repeated():
    value = "laptop=10.0.0.5, gpu=ftp://10.0.0.7 ,,http://me:secret@10.0.0.8,10.0.0.9:99999"
    assert [url for url, _ in parse_hosts(value)] == ["http://10.0.0.5:11434"]
    problems = unreadable_hosts({"OLLAMA_HOST": value})
    assert [(place, problem.key) for place, problem in problems] == [
        (2, "host.unsupported_scheme"),
        (3, "host.credentials"),
        (4, "host.bad_port"),
    ]
    assert "secret" not in repr([problem.values for _, problem in problems])
    assert unreadable_hosts({"OLLAMA_HOST": "laptop=10.0.0.5"}) == []
