import pytest

from lib.ollama.host import InvalidHost, display_host, join_url, normalize_host


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, "http://127.0.0.1:11434"),
        ("", "http://127.0.0.1:11434"),
        ("   ", "http://127.0.0.1:11434"),
        ("0.0.0.0", "http://127.0.0.1:11434"),
        ("0.0.0.0:8080", "http://127.0.0.1:8080"),
        ("localhost", "http://localhost:11434"),
        ("MyHost", "http://myhost:11434"),
        ("myhost:11434", "http://myhost:11434"),
        (":56789", "http://127.0.0.1:56789"),
        ("10.0.0.5", "http://10.0.0.5:11434"),
        ("http://10.0.0.5:11434/", "http://10.0.0.5:11434"),
        ("http://10.0.0.5:11434", "http://10.0.0.5:11434"),
        ("https://ollama.example.com", "https://ollama.example.com:443"),
        ("HTTPS://ollama.example.com/", "https://ollama.example.com:443"),
        ("http://ollama.example.com", "http://ollama.example.com:80"),
        ("https://ollama.example.com:8443", "https://ollama.example.com:8443"),
        ("https://example.com/ollama", "https://example.com:443/ollama"),
        ("https://example.com/ollama/", "https://example.com:443/ollama"),
        ("https://example.com//proxy//ollama//", "https://example.com:443/proxy/ollama"),
        ("http://myhost:11434/api", "http://myhost:11434"),
        ("http://myhost:11434/api/", "http://myhost:11434"),
        ("https://example.com/ollama/api", "https://example.com:443/ollama"),
        ("[::1]", "http://[::1]:11434"),
        ("[::1]:9000", "http://[::1]:9000"),
        ("::1", "http://[::1]:11434"),
        ("[::]", "http://[::1]:11434"),
        ("http://[0001:002:003:0004::1]:56789", "http://[1:2:3:4::1]:56789"),
        ("host.docker.internal", "http://host.docker.internal:11434"),
    ],
)
def test_normalize_host(raw, expected):
    assert normalize_host(raw) == expected


@pytest.mark.parametrize("raw", ["ftp://myhost", "myhost:port", "myhost:70000", "[::1", "[::1]x"])
def test_normalize_host_rejects_unreadable_values(raw):
    with pytest.raises(InvalidHost):
        normalize_host(raw)


@pytest.mark.parametrize("raw", ["http://user:secret@example.com:11434", "user:secret@myhost", "https://secret@h/x"])
def test_an_address_with_a_password_is_refused_without_repeating_it(raw):
    with pytest.raises(InvalidHost) as refused:
        normalize_host(raw)
    assert refused.value.key == "host.credentials"
    assert "secret" not in repr(refused.value.values)


def test_an_at_sign_in_the_path_is_not_a_password():
    assert normalize_host("https://example.com/ollama@v1") == "https://example.com:443/ollama@v1"


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("http://127.0.0.1:11434", "http://127.0.0.1:11434"),
        ("https://ollama.example.com:443", "https://ollama.example.com"),
        ("http://ollama.example.com:80/x", "http://ollama.example.com/x"),
        ("https://example.com:8443/ollama", "https://example.com:8443/ollama"),
    ],
)
def test_display_host_hides_default_ports(base, expected):
    assert display_host(base) == expected


@pytest.mark.parametrize(
    "raw",
    ["myhost", "http://myhost:11434/", "http://myhost:11434/api", "http://myhost:11434/api/", "https://h/prefix/api/"],
)
@pytest.mark.parametrize("path", ["/api/pull", "api/pull"])
def test_paths_never_double_api(raw, path):
    url = join_url(normalize_host(raw), path)
    assert url.endswith("/api/pull")
    assert "/api/api" not in url
    assert "//api" not in url.split("://", 1)[1]
