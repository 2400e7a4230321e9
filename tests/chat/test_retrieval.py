"""Finding the passages for a question (lib/chat/retrieval.py) against the fake server's embeddings and a
real document store: one search per embedding model, the best hits of all numbered 1..n."""

from __future__ import annotations

import dataclasses
import hashlib

import numpy as np
import pytest

from lib.chat import retrieval
from lib.chat.retrieval import Search
from lib.documents.records import Document, Passage
from lib.documents.store import DocumentStore
from lib.ollama.client import OllamaClient
from lib.ollama.errors import OllamaError
from tests.documents.in_chat import fresh_vectors  # noqa: F401 (an autouse fixture)

MINILM, NOMIC = "all-minilm:latest", "nomic-embed-text:latest"


@pytest.fixture
def client(fake):
    made = OllamaClient(fake.url)
    yield made
    made.close()


@pytest.fixture
def store(tmp_path) -> DocumentStore:
    return DocumentStore(tmp_path / "documents.sqlite3", owner="browser:a")


def add(store: DocumentStore, client: OllamaClient, name: str, model: str, texts: list[str]) -> Document:
    vectors = np.asarray(client.embed(model, texts)["embeddings"], dtype=np.float32)
    passages = [Passage(0, index, text, heading=name) for index, text in enumerate(texts)]
    document = Document(name, "text", 10, hashlib.sha256(name.encode()).hexdigest(), model)
    document_id = store.add(document, passages, vectors)
    found = store.get(document_id)
    assert found is not None
    return found.placed(client.base_url)


def clients(client: OllamaClient) -> dict[str, OllamaClient]:
    return {client.base_url: client}


def test_documents_of_two_models_are_each_searched_with_their_own_and_numbered_together(client, store, fake):
    cats = add(store, client, "cats.txt", MINILM, ["Cats purr when content.", "Bake the bread in the oven."])
    dogs = add(store, client, "dogs.txt", NOMIC, ["Dogs bark at the postman and cats purr back."])
    hits = retrieval.find(
        clients(client), store, [cats, dogs], "Why do cats purr?", Search(top_k=5, min_score=0.1)
    ).hits
    assert [hit.number for hit in hits] == list(range(1, len(hits) + 1))
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)
    assert {hit.document for hit in hits} == {"cats.txt", "dogs.txt"}
    assert "Bake the bread in the oven." not in [hit.passage.text for hit in hits]
    asked = [(r.body["model"], r.body["input"]) for r in fake.requests_to("/api/embed")[-2:]]
    assert sorted(model for model, _ in asked) == [MINILM, NOMIC]


def test_top_k_counts_across_models(client, store):
    one = add(store, client, "a.txt", MINILM, ["cats purr", "cats sleep", "cats play"])
    two = add(store, client, "b.txt", NOMIC, ["cats purr loudly", "cats purr softly"])
    hits = retrieval.find(clients(client), store, [one, two], "cats purr", Search(top_k=2, min_score=0.0)).hits
    assert [hit.number for hit in hits] == [1, 2]


def test_the_request_keeps_the_history_and_the_questions_images(client, store):
    cats = add(store, client, "cats.txt", MINILM, ["Cats purr when content."])
    history = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello."}]
    messages, grounding = retrieval.ground(
        clients(client), store, [cats], "Why do cats purr?", history, "en", Search(min_score=0.1), images=["aGk="]
    )
    assert messages[-1]["images"] == ["aGk="]
    assert {"role": "assistant", "content": "Hello."} in messages
    assert "Cats purr when content." in "\n".join(m["content"] for m in messages)
    assert grounding.models == (MINILM,) and grounding.sources[0].document == "cats.txt"
    assert grounding.sources[0].number == 1 and not grounding.nothing_found
    assert all("images" not in m for m in grounding.sent)


def test_nothing_close_enough_is_said_in_the_grounding(client, store):
    cats = add(store, client, "cats.txt", MINILM, ["Cats purr when content."])
    _, grounding = retrieval.ground(
        clients(client), store, [cats], "Capital of Peru?", [], "en", Search(min_score=0.99)
    )
    assert grounding.nothing_found and grounding.sources == ()


def test_a_missing_embedding_model_is_an_error_to_word(client, store, fake):
    cats = add(store, client, "cats.txt", MINILM, ["Cats purr when content."])
    fake.add_fault("/api/embed", "http", status=404, message=f'model "{MINILM}" not found, try pulling it first')
    with pytest.raises(OllamaError) as raised:
        retrieval.find(clients(client), store, [cats], "cats", Search())
    assert raised.value.status_code == 404
    assert retrieval.failed([cats]).search_failed


def test_each_documents_question_goes_to_its_own_server_and_a_failing_one_is_left_out_and_named(client, store, fake):
    cats = add(store, client, "cats.txt", MINILM, ["Cats purr when content."])
    away = "http://127.0.0.1:9"  # nothing listens there
    dogs = dataclasses.replace(add(store, client, "dogs.txt", MINILM, ["Dogs bark."]), server=away)
    clients = {client.base_url: client, away: OllamaClient(away)}
    found = retrieval.find(clients, store, [cats, dogs], "Why do cats purr?", Search(min_score=0.1))
    assert [hit.document for hit in found.hits] == ["cats.txt"]
    (skipped,) = found.unsearched
    assert (skipped.server, skipped.documents, skipped.error_key) == (away, ("dogs.txt",), "errors.nothing_answers")
    with pytest.raises(OllamaError):  # nothing could be searched: an error, as with one server
        retrieval.find(clients, store, [dogs], "Why do cats purr?", Search(min_score=0.1))
    unknown = dataclasses.replace(dogs, server="http://10.9.9.9:11434")
    assert retrieval.find(clients, store, [cats, unknown], "cats", Search()).unsearched[0].error_key == (
        "documents.server_unknown"
    )
