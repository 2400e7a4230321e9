"""What an endpoint gets: the request, the response writer, and the server it runs in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import decoding
from .apierror import ApiError
from .catalog import ModelSpec
from .exchange import Exchange
from .names import parse_name, written_name
from .recording import Headers, LiveRecord

if TYPE_CHECKING:
    from .server import FakeOllama


@dataclass
class Call:
    app: FakeOllama
    method: str
    path: str
    headers: Headers
    raw_body: bytes
    exchange: Exchange
    started_ns: int  # time.monotonic_ns() at arrival
    record: LiveRecord

    def body(self, struct: str, fields: dict[str, decoding.Field]) -> dict[str, Any]:
        return decoding.decode(self.raw_body, struct, decoding.for_version(fields, self.app.version))

    def model(self, raw: str, *, empty: ApiError, missing: ApiError, invalid: ApiError | None = None) -> ModelSpec:
        """The installed model `raw` names, or the endpoint's own error for each way it is not."""
        if not raw.strip():
            raise empty
        name = parse_name(raw)
        spec = self.app.store.find(name) if name is not None else None
        spec = spec or self.app.store.find(written_name(raw))
        if spec is not None:
            return spec
        if name is None:
            raise invalid or ApiError(400, "invalid model name")
        raise missing

    def record_prompt(self, messages: list[dict[str, Any]]) -> None:
        """Note the messages the model saw (after history truncation) in the request log."""
        self.record.set_prompt_messages(messages)

    def stream_requested(self, request: dict[str, Any]) -> bool:
        """`stream` defaults to true on every streaming endpoint."""
        return request.get("stream", True) is not False
