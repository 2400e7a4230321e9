from lib.ollama import bodies as api_bodies


def test_generate_body_puts_parameters_in_options_and_omits_unset_fields():
    body = api_bodies.generate_body("llama3.2", "Hi", options={"temperature": 0.2, "seed": 7})
    assert body == {"model": "llama3.2", "prompt": "Hi", "options": {"temperature": 0.2, "seed": 7}, "stream": True}
    assert "temperature" not in body and "name" not in body


def test_generate_body_carries_every_field():
    body = api_bodies.generate_body(
        "m",
        "p",
        stream=False,
        system="s",
        suffix="x",
        template="t",
        images=["aGk="],
        format={"type": "object"},
        options={"num_ctx": 4096},
        think=True,
        raw=True,
        keep_alive="5m",
    )
    assert body == {
        "model": "m",
        "prompt": "p",
        "suffix": "x",
        "system": "s",
        "template": "t",
        "images": ["aGk="],
        "format": {"type": "object"},
        "options": {"num_ctx": 4096},
        "think": True,
        "raw": True,
        "keep_alive": "5m",
        "stream": False,
    }


def test_false_and_zero_are_sent_not_dropped():
    assert api_bodies.generate_body("m", "p", think=False, keep_alive=0)["think"] is False
    assert api_bodies.generate_body("m", "p", keep_alive=0)["keep_alive"] == 0
    assert api_bodies.embed_body("m", ["a"], truncate=False)["truncate"] is False


def test_empty_collections_are_omitted():
    body = api_bodies.chat_body("m", [], tools=[], options={})
    assert body == {"model": "m", "messages": [], "stream": True}


def test_embed_body_never_streams():
    body = api_bodies.embed_body("nomic-embed-text", ["a", "b"], dimensions=256, keep_alive="1m")
    assert body == {"model": "nomic-embed-text", "input": ["a", "b"], "dimensions": 256, "keep_alive": "1m"}


def test_create_body_uses_from_not_modelfile():
    body = api_bodies.create_body("mario", from_="llama3.2", system="You are Mario.", parameters={"stop": ["a", "b"]})
    assert body == {
        "model": "mario",
        "from": "llama3.2",
        "system": "You are Mario.",
        "parameters": {"stop": ["a", "b"]},
        "stream": True,
    }
    assert "modelfile" not in body


def test_load_and_unload_bodies():
    assert api_bodies.load_body("m") == {"model": "m", "stream": False}
    assert api_bodies.load_body("m", "10m") == {"model": "m", "keep_alive": "10m", "stream": False}
    assert api_bodies.unload_body("m") == {"model": "m", "keep_alive": 0, "stream": False}
