"""GET|HEAD / and GET|HEAD /api/version, plus HEAD|POST /api/blobs/:digest."""

from __future__ import annotations

import hashlib
import re

from ..apierror import ApiError
from ..call import Call

_DIGEST = re.compile(r"^sha256[:-][0-9a-fA-F]{64}$")


def root(call: Call) -> None:
    call.exchange.send_text(200, "Ollama is running")


def version(call: Call) -> None:
    call.exchange.send_json(200, {"version": call.app.version})


def _digest(call: Call) -> str:
    digest = call.path.rsplit("/", 1)[1]
    if not _DIGEST.match(digest):
        raise ApiError(400, "invalid digest format")
    return "sha256:" + digest[7:].lower()


def head_blob(call: Call) -> None:
    digest = _digest(call)
    if not call.app.store.has_blob(digest):
        raise ApiError(404, f'blob "{call.path.rsplit("/", 1)[1]}" not found')
    call.exchange.send_empty(200)


def create_blob(call: Call) -> None:
    digest = _digest(call)
    if call.app.store.has_blob(digest):
        call.exchange.send_empty(200)
        return
    actual = "sha256:" + hashlib.sha256(call.raw_body).hexdigest()
    if actual != digest:
        raise ApiError(400, f'digest mismatch, expected "{digest}", got "{actual}"')
    call.app.store.add_blob(digest, call.raw_body.startswith(b"GGUF"))
    call.exchange.send_empty(201)
