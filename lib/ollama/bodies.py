"""JSON bodies for Ollama's endpoints, built in one place.

The client sends exactly these dicts, and pages that show "the request we send" call the same
functions, so what is shown is what is sent. Fields left as ``None`` are omitted so the server
applies its own defaults. Current field names only: ``model`` (never the old ``name``), model
parameters inside ``options`` (a top-level ``temperature`` is silently ignored by the server).
"""

from __future__ import annotations

from typing import Any

KeepAlive = str | int | float | None


def _without_none(**fields: Any) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value is not None}


def generate_body(
    model: str,
    prompt: str | None = None,
    *,
    stream: bool = True,
    system: str | None = None,
    suffix: str | None = None,
    template: str | None = None,
    images: list[str] | None = None,
    format: str | dict | None = None,
    options: dict[str, Any] | None = None,
    think: bool | str | None = None,
    raw: bool | None = None,
    logprobs: bool | None = None,
    top_logprobs: int | None = None,
    keep_alive: KeepAlive = None,
) -> dict[str, Any]:
    return _without_none(
        model=model,
        prompt=prompt,
        suffix=suffix,
        system=system,
        template=template,
        images=images or None,
        format=format,
        options=options or None,
        think=think,
        raw=raw,
        logprobs=logprobs,
        top_logprobs=top_logprobs,
        keep_alive=keep_alive,
        stream=stream,
    )


def chat_body(
    model: str,
    messages: list[dict[str, Any]],
    *,
    stream: bool = True,
    tools: list[dict] | None = None,
    format: str | dict | None = None,
    options: dict[str, Any] | None = None,
    think: bool | str | None = None,
    logprobs: bool | None = None,
    top_logprobs: int | None = None,
    keep_alive: KeepAlive = None,
) -> dict[str, Any]:
    return _without_none(
        model=model,
        messages=messages,
        tools=tools or None,
        format=format,
        options=options or None,
        think=think,
        logprobs=logprobs,
        top_logprobs=top_logprobs,
        keep_alive=keep_alive,
        stream=stream,
    )


def embed_body(
    model: str,
    texts: list[str],
    *,
    truncate: bool | None = None,
    dimensions: int | None = None,
    options: dict[str, Any] | None = None,
    keep_alive: KeepAlive = None,
) -> dict[str, Any]:
    return _without_none(
        model=model,
        input=texts,
        truncate=truncate,
        dimensions=dimensions,
        options=options or None,
        keep_alive=keep_alive,
    )


def create_body(
    model: str,
    *,
    stream: bool = True,
    from_: str | None = None,
    system: str | None = None,
    template: str | None = None,
    parameters: dict[str, Any] | None = None,
    messages: list[dict[str, str]] | None = None,
    license: str | list[str] | None = None,
    quantize: str | None = None,
) -> dict[str, Any]:
    body = _without_none(
        model=model,
        system=system,
        template=template,
        parameters=parameters or None,
        messages=messages or None,
        license=license or None,
        quantize=quantize,
        stream=stream,
    )
    if from_ is not None:
        body["from"] = from_
    return body


def load_body(model: str, keep_alive: KeepAlive = None) -> dict[str, Any]:
    """A generate request with no prompt: the server loads the model and answers at once."""
    return _without_none(model=model, keep_alive=keep_alive, stream=False)


def unload_body(model: str) -> dict[str, Any]:
    return {"model": model, "keep_alive": 0, "stream": False}
