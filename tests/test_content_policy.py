"""The Content-Security-Policy middleware: every HTTP response gets the policy, once; websockets pass through."""

from __future__ import annotations

import asyncio
import concurrent.futures
from typing import Any

from lib.content_policy import HEADER, POLICY, ContentSecurityPolicy


def run(scope: dict[str, Any], headers: list[tuple[bytes, bytes]]) -> list[dict[str, Any]]:
    """Messages the middleware sends for an app that answers with ``headers``."""
    sent: list[dict[str, Any]] = []

    async def app(scope, receive, send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"<html></html>"})

    async def receive() -> dict[str, Any]:
        return {"type": "http.request"}

    async def send(message) -> None:
        sent.append(message)

    # On a thread of its own: Playwright's sync API keeps an event loop running on the main thread
    # for the whole session when the browser tests run first, and asyncio.run refuses to nest.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, ContentSecurityPolicy(app)(scope, receive, send)).result()
    return sent


def test_an_http_response_gets_the_policy():
    start, body = run({"type": "http"}, [(b"content-type", b"text/html")])
    assert (HEADER, POLICY.encode()) in start["headers"]
    assert (b"content-type", b"text/html") in start["headers"]
    assert body["body"] == b"<html></html>"


def test_a_response_with_a_policy_of_its_own_keeps_it():
    start, _ = run({"type": "http"}, [(b"Content-Security-Policy", b"default-src 'none'")])
    assert [value for name, value in start["headers"] if name.lower() == HEADER] == [b"default-src 'none'"]


def test_a_websocket_passes_through_untouched():
    start, _ = run({"type": "websocket"}, [])
    assert start["headers"] == []


def test_the_policy_allows_no_remote_media_frames_scripts_or_connections():
    directives = dict(part.split(" ", 1) for part in POLICY.split("; "))
    assert directives["img-src"] == "'self' data: blob:"
    assert directives["media-src"] == "'self' data: blob:"
    assert directives["frame-src"] == "'self'"
    assert directives["connect-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    for sources in directives.values():
        assert not [source for source in sources.split() if "://" in source or source in ("*", "http:", "https:")]
