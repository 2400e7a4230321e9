"""The one way an endpoint refuses a request: status code plus Ollama's message."""

from __future__ import annotations


class ApiError(Exception):
    """Answered as `{"error": message}` with `status`.

    `content_type` is plain "application/json" where Ollama's handler set that
    header itself (errors raised by the generation goroutine), and gin's default
    "application/json; charset=utf-8" elsewhere.
    """

    def __init__(
        self,
        status: int,
        message: str,
        content_type: str = "application/json; charset=utf-8",
        *,
        extra: dict[str, str] | None = None,
        plain: bool = False,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.content_type = content_type
        self.extra = extra or {}
        """Fields sent beside ``error``, such as the ``signin_url`` of a 401 for a cloud model."""
        self.plain = plain
        """Sent as the bare text, as some Ollama-compatible servers (and crashing runners behind them) do."""
