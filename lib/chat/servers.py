"""The server a chat is on: a saved chat's, a new chat's on "any server" (routed), and the client it is answered with.

No drawing: :mod:`lib.chat.model_box` shows the choice, :mod:`lib.chat.session` routes a chat when it is saved.
"""

from __future__ import annotations

from typing import Any

from lib.chat.history import Conversation
from lib.fleet import catalog, routing, session
from lib.fleet.models import ModelRef
from lib.fleet.routing import Route
from lib.fleet.servers import by_url
from lib.ollama.client import OllamaClient
from lib.ollama.errors import OllamaError

CAPABILITY = "completion"


def saved_ref(conversation: Conversation) -> ModelRef | None:
    """The saved chat's ``model · server`` (None for a chat without a model).

    A chat saved before servers were kept ("" server) is on the sidebar's server, and so is, with one server in
    the session, a chat saved on another address: the one server goes on with it, as before the fleet.
    """
    if not conversation.model:
        return None
    servers = session.servers()
    known = conversation.server and (len(servers) > 1 or by_url(servers, conversation.server) is not None)
    return ModelRef(conversation.model, conversation.server if known else session.current().url)


def route(model: str) -> Route:
    """Where a new chat with ``model`` on "any server" goes: each server that has it is asked what it has loaded
    now (``/api/ps``, not the cached list: this decides where the chat lives)."""
    states = catalog.survey()
    having = [ref.server for ref in catalog.refs_with(CAPABILITY, states) if ref.model == model]
    current = session.current().url
    picked = current if current in having or not having else having[0]
    running: dict[str, list[dict[str, Any]] | None] = {}
    for url in having:
        try:
            running[url] = session.client_for(url).running_models()
        except OllamaError:
            running[url] = None
    return routing.route(model, picked, running)


def client_of(url: str) -> OllamaClient:
    """The client a chat on ``url`` is answered with ("" for a chat saved before servers were kept: the sidebar's)."""
    return session.client_for(url or session.current().url)
