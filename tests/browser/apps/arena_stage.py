"""The app as served (behind its Content-Security-Policy), with a stand-in for the presenter's battle.

Until the Arena page draws the presenter's panel beside a real battle, the browser test plays the
presenter's battle itself: ``POST /_stage/publish`` (``{"owner", "code", "snapshot"}``) hands a
Snapshot to :func:`lib.arena.room_view.broadcast`, exactly what the battle's ``on_change`` does,
in the server process whose sessions the voters are. The pages are ``arena_stage_page.py``.
"""

from __future__ import annotations

from typing import Any

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lib.arena import room_view
from lib.arena.battle import Snapshot
from lib.arena.store import ArenaStore
from lib.content_policy import ContentSecurityPolicy


def _broadcast(body: dict[str, Any]) -> None:
    fields = {name: tuple(value) if isinstance(value, list) else value for name, value in body["snapshot"].items()}
    room_view.broadcast(ArenaStore(owner=body["owner"]), body["code"])(Snapshot(**fields))


async def publish(request: Request) -> Response:
    await run_in_threadpool(_broadcast, await request.json())
    return Response(status_code=204)


app = st.App(
    "arena_stage_page.py",
    middleware=[Middleware(ContentSecurityPolicy)],
    routes=[Route("/_stage/publish", publish, methods=["POST"])],
)
