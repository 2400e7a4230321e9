"""The client against the fake server over real HTTP: every endpoint, every way to fail."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from lib.ollama.client import OllamaClient, Timeouts
from lib.ollama.errors import (
    ConnectionDropped,
    NotOllamaResponse,
    OllamaError,
    RequestTimedOut,
    ResponseError,
    ServerUnreachable,
    StreamError,
)
from lib.ui.errors import error_text


@pytest.fixture
def client(fake) -> Iterator[OllamaClient]:
    c = OllamaClient(fake.url, timeouts=Timeouts(connect=2, read=5, model_read=5))
    yield c
    c.close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Endpoints


def test_version(client, fake):
    fake.version = "0.13.5"
    assert client.version() == "0.13.5"


def test_list_show_and_running_models(client):
    names = {m["name"] for m in client.list_models()}
    assert {"llama3.2:latest", "nomic-embed-text:latest"} <= names
    assert "embedding" in client.show("nomic-embed-text")["capabilities"]
    assert client.running_models() == []


def test_every_request_sends_model_never_name(client, fake):
    client.show("llama3.2")
    client.copy("llama3.2", "llama-copy")
    client.delete("llama-copy")
    list(client.pull("tinyllama"))
    for recorded in fake.requests:
        if recorded.body and recorded.path in ("/api/show", "/api/delete", "/api/pull"):
            assert "model" in recorded.body and "name" not in recorded.body


def test_copy_and_delete_change_the_model_list(client):
    client.copy("llama3.2:latest", "my-llama:v1")
    assert "my-llama:v1" in {m["name"] for m in client.list_models()}
    client.delete("my-llama:v1")
    assert "my-llama:v1" not in {m["name"] for m in client.list_models()}


def test_delete_of_a_missing_model_is_a_404_response_error(client):
    with pytest.raises(ResponseError) as caught:
        client.delete("ghost:latest")
    assert caught.value.status_code == 404 and caught.value.model_missing
    assert "ghost" in error_text(caught.value)


def test_load_and_unload(client, fake):
    assert client.load("llama3.2", keep_alive="10m")["done_reason"] == "load"
    assert [m["name"] for m in client.running_models()] == ["llama3.2:latest"]
    assert fake.requests_to("/api/generate")[-1].body == {"model": "llama3.2", "keep_alive": "10m", "stream": False}
    assert client.unload("llama3.2")["done_reason"] == "unload"
    assert client.running_models() == []


def test_generate_stream_sends_options_and_yields_tokens_then_stats(client, fake):
    chunks = list(client.generate_stream("llama3.2", "Why is the sky blue?", options={"temperature": 0.1, "seed": 3}))
    assert len(chunks) > 3 and chunks[-1]["done"] is True
    assert (
        "".join(c["response"] for c in chunks)
        == client.generate("llama3.2", "Why is the sky blue?", options={"temperature": 0.1, "seed": 3})["response"]
    )
    assert chunks[-1]["eval_count"] > 0
    body = fake.requests_to("/api/generate")[0].body
    assert body == {
        "model": "llama3.2",
        "prompt": "Why is the sky blue?",
        "options": {"temperature": 0.1, "seed": 3},
        "stream": True,
    }


def test_chat_stream_with_thinking(client):
    chunks = list(client.chat_stream("qwen3:0.6b", [{"role": "user", "content": "Hi"}], think=True))
    thinking = "".join(c["message"].get("thinking") or "" for c in chunks)
    content = "".join(c["message"].get("content") or "" for c in chunks)
    assert thinking and content
    first_content = next(i for i, c in enumerate(chunks) if c["message"].get("content"))
    assert all(not c["message"].get("content") for c in chunks[:first_content])


def test_embed_one_request_for_many_texts(client, fake):
    result = client.embed("nomic-embed-text", ["a cat", "a dog", "stock prices"], truncate=True)
    assert len(result["embeddings"]) == 3 and len(result["embeddings"][0]) == 768
    assert len(fake.requests_to("/api/embed")) == 1
    assert "stream" not in fake.requests_to("/api/embed")[0].body


def test_embed_falls_back_to_the_legacy_endpoint_on_old_servers(client, fake):
    fake.legacy = True
    result = client.embed("nomic-embed-text", ["a cat", "a dog"])
    assert len(result["embeddings"]) == 2 and result["legacy_endpoint"] is True
    assert [r.body["prompt"] for r in fake.requests_to("/api/embeddings")] == ["a cat", "a dog"]


def test_embed_with_a_model_that_cannot_embed_is_not_a_fallback(client, fake):
    with pytest.raises(ResponseError):
        client.embed("llama3.2", ["hello"])
    assert fake.requests_to("/api/embeddings") == []


def test_pull_streams_progress_and_adds_the_model(client):
    events = list(client.pull("tinyllama"))
    assert events[0]["status"] == "pulling manifest" and events[-1]["status"] == "success"
    assert any("total" in e and "completed" not in e for e in events)
    assert "tinyllama:latest" in {m["name"] for m in client.list_models()}


def test_pull_of_an_unknown_model_fails_mid_stream(client):
    with pytest.raises(StreamError) as caught:
        list(client.pull("no-such-model-anywhere"))
    assert "file does not exist" in error_text(caught.value)


def test_create_streams_statuses_and_sends_structured_fields(client, fake):
    events = list(client.create("mario", from_="llama3.2", system="You are Mario.", parameters={"temperature": 0.9}))
    assert events[-1]["status"] == "success"
    assert fake.requests_to("/api/create")[0].body == {
        "model": "mario",
        "from": "llama3.2",
        "system": "You are Mario.",
        "parameters": {"temperature": 0.9},
        "stream": True,
    }
    assert client.show("mario")["system"] == "You are Mario."


def test_create_without_from_is_rejected_with_the_server_message(client):
    with pytest.raises(ResponseError) as caught:
        list(client.create("broken"))
    assert caught.value.status_code == 400
    assert "neither 'from' or 'files' was specified" in error_text(caught.value).lower()


# Headers


def test_a_cloud_model_on_a_server_not_signed_in_is_explained_as_such_not_as_a_missing_key(fake):
    fake.add_cloud_models()
    with pytest.raises(ResponseError) as caught:
        OllamaClient(fake.url).generate("gpt-oss:120b-cloud", "hi")
    assert (caught.value.key, caught.value.status_code) == ("errors.cloud_signin", 401)
    text = error_text(caught.value)
    assert "cloud model" in text and "ollama signin" in text and "API key" not in text
    assert "connect?" not in text  # the sign-in link carries the server's key: never shown to visitors


def test_api_key_is_sent_as_bearer_and_hidden_from_repr(fake):
    fake.api_key = "s3cret"
    with pytest.raises(ResponseError) as caught:
        OllamaClient(fake.url).version()
    assert caught.value.status_code == 401 and "API key" in error_text(caught.value)
    keyed = OllamaClient(fake.url, api_key="s3cret", headers={"X-Team": "demo"})
    assert keyed.version()
    headers = fake.requests[-1].headers
    assert headers["Authorization"] == "Bearer s3cret" and headers["X-Team"] == "demo"
    assert "s3cret" not in repr(keyed)


# Failures


def test_server_down_is_unreachable_with_advice():
    with pytest.raises(ServerUnreachable) as caught:
        OllamaClient(f"127.0.0.1:{closed_port()}").version()
    assert "Nothing is answering" in error_text(caught.value) and caught.value.status_code is None


def test_unknown_host_name_is_reported_as_such():
    with pytest.raises(ServerUnreachable) as caught:
        OllamaClient("http://no-such-host.invalid:11434", timeouts=Timeouts(connect=3)).version()
    assert "could not be found" in error_text(caught.value)


def test_connect_timeout_is_unreachable():
    """A listening socket whose backlog is full drops new SYNs, so connecting times out."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(0)
        port = server.getsockname()[1]
        fillers = []
        try:
            for _ in range(8):
                s = socket.socket()
                s.setblocking(False)
                s.connect_ex(("127.0.0.1", port))
                fillers.append(s)
            with pytest.raises(ServerUnreachable) as caught:
                OllamaClient(f"127.0.0.1:{port}", timeouts=Timeouts(connect=0.5)).version()
        finally:
            for s in fillers:
                s.close()
    assert "connect timeout" in error_text(caught.value)


def test_first_byte_slower_than_the_read_timeout(fake):
    fake.add_fault("/api/chat", "slow_first", delay=1.5)
    slow = OllamaClient(fake.url, timeouts=Timeouts(model_read=0.5))
    with pytest.raises(RequestTimedOut) as caught:
        list(slow.chat_stream("llama3.2", [{"role": "user", "content": "Hi"}]))
    assert "0.5 seconds" in error_text(caught.value)


def test_error_line_mid_stream_keeps_the_partial_answer(client, fake):
    fake.add_fault("/api/generate", "error_line", after=4, message="model runner crashed")
    received = []
    with pytest.raises(StreamError) as caught:
        for chunk in client.generate_stream("llama3.2", "Tell me a story"):
            received.append(chunk["response"])
    assert len(received) == 4
    assert caught.value.partial.content == "".join(received)
    assert "model runner crashed" in error_text(caught.value)
    assert caught.value.server_message == "model runner crashed"


def test_dropped_connection_mid_stream_keeps_the_partial_answer(client, fake):
    fake.add_fault("/api/chat", "drop", after=3)
    received = []
    with pytest.raises(ConnectionDropped) as caught:
        for chunk in client.chat_stream("llama3.2", [{"role": "user", "content": "Hi"}]):
            received.append(chunk["message"]["content"])
    assert len(received) == 3 and caught.value.partial.content == "".join(received)
    assert "dropped" in error_text(caught.value) and "kept" in error_text(caught.value)


def test_server_silent_mid_stream_is_a_dropped_connection(fake):
    fake.token_delay = 1.0
    slow = OllamaClient(fake.url, timeouts=Timeouts(model_read=0.3))
    with pytest.raises(ConnectionDropped) as caught:
        list(slow.generate_stream("llama3.2", "Hi"))
    assert "sent nothing for 0.3 seconds" in error_text(caught.value)


@pytest.mark.parametrize("path", ["/api/tags", "/api/chat"])
def test_http_500_with_json_is_a_response_error(client, fake, path):
    fake.add_fault(path, "http", status=500, message="llama runner process has terminated")
    with pytest.raises(ResponseError) as caught:
        if path == "/api/tags":
            client.list_models()
        else:
            list(client.chat_stream("llama3.2", [{"role": "user", "content": "Hi"}]))
    assert caught.value.status_code == 500
    assert error_text(caught.value) == "Llama runner process has terminated."


@pytest.mark.parametrize("call", ["list", "stream"])
def test_502_html_page_names_url_and_status(client, fake, call):
    fake.add_fault("/api/tags" if call == "list" else "/api/generate", "html")
    with pytest.raises(NotOllamaResponse) as caught:
        client.list_models() if call == "list" else list(client.generate_stream("llama3.2", "Hi"))
    assert "HTTP 502" in error_text(caught.value) and "HTML page" in error_text(caught.value)
    assert fake.url.split("//")[1] in error_text(caught.value)
    assert caught.value.status_code == 502


@pytest.mark.parametrize("call", ["list", "stream"])
def test_non_json_200_is_not_ollama(client, fake, call):
    fake.add_fault("/api/tags" if call == "list" else "/api/generate", "garbage")
    with pytest.raises(NotOllamaResponse) as caught:
        client.list_models() if call == "list" else list(client.generate_stream("llama3.2", "Hi"))
    assert "not Ollama's JSON" in error_text(caught.value) and "200" in error_text(caught.value)


def test_unauthorized_from_a_proxy(client, fake):
    fake.add_fault("/api/tags", "unauthorized")
    with pytest.raises(ResponseError) as caught:
        client.list_models()
    assert caught.value.status_code == 401 and "OLLAMA_API_KEY" in error_text(caught.value)


def test_missing_model_is_a_404(client):
    with pytest.raises(ResponseError) as caught:
        list(client.chat_stream("nope:1b", [{"role": "user", "content": "Hi"}]))
    assert caught.value.model_missing and "nope" in error_text(caught.value)


def test_capability_error_is_a_400(client):
    with pytest.raises(ResponseError) as caught:
        list(client.chat_stream("nomic-embed-text", [{"role": "user", "content": "Hi"}]))
    assert caught.value.status_code == 400 and "does not support chat" in error_text(caught.value)


def test_every_failure_is_an_ollama_error_with_a_sentence(client, fake):
    for kind in ("http", "html", "unauthorized", "garbage"):
        fake.add_fault("/api/ps", kind)
        with pytest.raises(OllamaError) as caught:
            client.running_models()
        assert error_text(caught.value).endswith((".", "!")) and "Traceback" not in error_text(caught.value)


# Early close


def test_a_stream_sends_nothing_until_iterated(client, fake):
    stream = client.generate_stream("llama3.2", "Hi")
    assert fake.requests_to("/api/generate") == []
    next(stream)
    stream.close()


def test_closing_a_stream_early_disconnects_so_the_server_stops(client, fake):
    fake.token_delay = 0.02
    stream = client.chat_stream(
        "llama3.2", [{"role": "user", "content": "Write a long essay"}], options={"num_predict": 500}
    )
    for _, _chunk in zip(range(3), stream, strict=False):
        pass
    stream.close()
    assert fake.wait_for(lambda s: s.requests_to("/api/chat")[-1].client_disconnected, timeout=5)
    assert fake.requests_to("/api/chat")[-1].chunks_sent < 100


def test_breaking_out_of_a_pull_cancels_it(client, fake):
    fake.token_delay = 0.02
    for event in client.pull("gemma3:270m"):
        if "completed" in event:
            break
    assert fake.wait_for(lambda s: s.requests_to("/api/pull")[-1].client_disconnected, timeout=5)
    assert "gemma3:270m" not in {m["name"] for m in client.list_models()}


def test_abort_ends_a_request_still_waiting_for_its_first_byte(fake):
    """Stop during a model load: nothing has arrived, yet the connection must close now."""
    import threading
    import time

    fake.add_fault("/api/chat", "slow_first", delay=3)
    waiting = OllamaClient(fake.url)
    outcome: list[BaseException] = []

    def read() -> None:
        try:
            list(waiting.chat_stream("llama3.2", [{"role": "user", "content": "Hi"}]))
        except OllamaError as error:
            outcome.append(error)

    worker = threading.Thread(target=read)
    worker.start()
    assert fake.wait_for(lambda s: s.requests_to("/api/chat"), timeout=5)
    started = time.monotonic()
    waiting.abort()
    worker.join(timeout=5)
    assert not worker.is_alive() and time.monotonic() - started < 2
    assert len(outcome) == 1 and isinstance(outcome[0], OllamaError)
    assert fake.wait_for(lambda s: s.requests_to("/api/chat")[-1].client_disconnected, timeout=6)


def test_abort_mid_stream_and_the_client_still_works_afterwards(fake):
    fake.token_delay = 0.05
    streaming = OllamaClient(fake.url)
    stream = streaming.generate_stream("llama3.2", "Hi", options={"num_predict": 400})
    next(stream)
    streaming.abort()
    with pytest.raises(ConnectionDropped):
        list(stream)
    assert fake.wait_for(lambda s: s.requests_to("/api/generate")[-1].client_disconnected, timeout=5)
    fake.token_delay = 0
    assert streaming.version()


def test_a_model_that_crashes_with_a_plain_500_is_named_with_the_servers_words_not_blamed_on_the_address(fake):
    fake.break_model("llama3.2:latest")
    client = OllamaClient(fake.url)
    with pytest.raises(ResponseError) as caught:
        list(client.chat_stream("llama3.2:latest", [{"role": "user", "content": "hi"}]))
    assert (caught.value.key, caught.value.status_code) == ("errors.model_failed", 500)
    text = error_text(caught.value)
    assert "llama3.2:latest failed on" in text and "another model may work" in text
    assert "llama runner process has terminated: error loading model: unable to allocate CUDA0 buffer" in text
    assert "goroutine" not in text and "server.go" not in text and "proxy" not in text
    assert client.generate("qwen3:0.6b", "hi")["done"]  # the other models work


def test_a_failing_proxy_is_still_blamed_on_the_proxy(fake):
    fake.add_fault("/api/chat", "html")
    with pytest.raises(NotOllamaResponse) as caught:
        list(OllamaClient(fake.url).chat_stream("llama3.2:latest", [{"role": "user", "content": "hi"}]))
    assert "proxy" in error_text(caught.value)
