"""The Content-Security-Policy the app puts in force on every response it serves.

Defence in depth: model output is made safe before it is drawn (:mod:`lib.ui.markdown_safety`),
and should that ever miss a case, the browser itself still refuses to fetch an image, a sound,
a video, a frame, a font or a script from anywhere but the app, or to open a connection to
anywhere else. Streamlit has no setting for response headers; its ``st.App`` takes ASGI
middleware, and ``serve.py`` (what ``streamlit run`` serves) wraps the app in
:class:`ContentSecurityPolicy`.

What Streamlit's own frontend needs is allowed, and nothing more: its inline bootstrap script and
the constant scripts the app adds with ``st.html`` (``'unsafe-inline'``: an injected script
could run, but it could still fetch nothing from elsewhere), its WebAssembly
(``'wasm-unsafe-eval'``, not ``eval``), its runtime styles, images and media it makes from
``data:`` and ``blob:`` addresses (uploads, ``st.image``), and its websocket, which ``'self'``
covers. ``tests/browser/test_content_policy.py`` checks the app in Chromium reports no violation.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' data: blob:",
        "font-src 'self' data:",
        "style-src 'self' 'unsafe-inline'",
        "script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'",
        "connect-src 'self'",
        "frame-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)
"""Every fetch the page may make goes to the app's own origin (or stays in the page: data:, blob:)."""

HEADER = b"content-security-policy"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class ContentSecurityPolicy:
    """ASGI middleware: adds :data:`POLICY` to every HTTP response that does not carry a policy already."""

    def __init__(self, app: ASGIApp, policy: str = POLICY) -> None:
        self._app = app
        self._header = (HEADER, policy.encode("ascii"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(name.lower() == HEADER for name, _ in headers):
                    headers.append(self._header)
                message["headers"] = headers
            await send(message)

        await self._app(scope, receive, send_with_policy)
