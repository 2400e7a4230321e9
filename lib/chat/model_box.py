"""The chat's model box: every server's chat models as ``model · server``, and the chat's own server.

Built from the fleet's catalog and labels, like :func:`lib.fleet.picker.model_picker`, with what a chat needs
besides:

* a saved chat stays on its server: its ``model · server`` is in the box even when that server cannot answer
  now (so the chat never moves to another server by itself); a sentence says which server it is on and that it
  cannot answer, the history stays readable, and picking another ``model · server`` goes on there;
* a new chat may be on "``model`` · any server" when several servers have the model: the app then chooses the
  server when the chat is first saved (:func:`lib.chat.servers.route`) and says which and why.

With one server the box looks as it always did: model names alone, and a chat saved on another address goes
on on that server, as chats did before servers were kept.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import streamlit as st

from lib import server_data, state
from lib.chat import servers as chat_servers
from lib.chat.history import Conversation
from lib.chat.messages import models_link
from lib.fleet import catalog, picker, session
from lib.fleet.catalog import ServerState
from lib.fleet.models import ModelRef, label, server_name
from lib.fleet.routing import ANY, EQUAL, LEAST_BUSY, LOADED, ONLY, UNKNOWN, Route
from lib.fleet.servers import Server, by_url
from lib.i18n import t, t_plain
from lib.ollama.client import OllamaClient
from lib.ollama.errors import OllamaError
from lib.ui.errors import error_text

if TYPE_CHECKING:
    from streamlit.delta_generator import DeltaGenerator

CAPABILITY = chat_servers.CAPABILITY
_ROUTED = {
    LOADED: "chat_fleet.routed_loaded",
    LEAST_BUSY: "chat_fleet.routed_least_busy",
    EQUAL: "chat_fleet.routed_equal",
    ONLY: "chat_fleet.routed_only",
    UNKNOWN: "chat_fleet.routed_unknown",
}


@dataclass(frozen=True)
class Offer:
    """What the box offers in this run: each server as last asked, its chat models, and the box's options."""

    states: list[ServerState]
    refs: list[ModelRef]  # the chat models of the servers that answer
    options: list[ModelRef]  # the box's: "any server" entries, ``refs``, and the saved chat's own if not among them

    @property
    def servers(self) -> list[Server]:
        return [entry.server for entry in self.states]

    @property
    def several(self) -> bool:
        return len(self.states) > 1

    def up(self, url: str) -> bool:
        return any(entry.server.url == url and entry.up for entry in self.states)

    def down(self) -> list[ServerState]:
        return [entry for entry in self.states if not entry.up]

    def having(self, model: str) -> list[str]:
        """The servers that answer and have ``model``, in the servers' order."""
        return [ref.server for ref in self.refs if ref.model == model]


@dataclass(frozen=True)
class Choice:
    """The box's value and the server it is about."""

    ref: ModelRef  # its server may be routing.ANY
    server: str  # the server asked about the model: ``ref.server``, or for "any server" the one routing starts from
    client: OllamaClient | None  # that server's client when it answers, else None (nothing is asked of it)
    installed: set[str] | None  # its chat models; None when it cannot be asked
    away: str = ""  # the name of the chat's server, when that server cannot answer now (several servers)


def offer(conversation: Conversation | None) -> Offer | None:
    """Ask every server for its chat models; None, after saying why, when there is nothing to put in the box.

    With one server that does not answer, the sentence and Retry come first, as before there were several.
    """
    states = catalog.survey()
    refs = catalog.refs_with(CAPABILITY, states)
    saved = chat_servers.saved_ref(conversation) if conversation is not None else None
    options = ([] if conversation is not None else _any_server(refs)) + refs
    if saved is not None and saved not in options:
        options.append(saved)
    down = [entry for entry in states if not entry.up]
    if down and (len(states) == 1 or not options):
        assert down[0].error is not None
        st.warning(t("chat.offline", problem=error_text(down[0].error)), icon=":material/cloud_off:")
        retry_button()
    elif not options:
        st.info(t("chat.no_models"), icon=":material/info:")
    return Offer(states, refs, options) if options else None


def _any_server(refs: list[ModelRef]) -> list[ModelRef]:
    """An "any server" entry for each model that several servers have, in the order the models first come."""
    models = [ref.model for ref in refs]
    return [ModelRef(model, ANY) for model in dict.fromkeys(models) if models.count(model) > 1]


def draw(offered: Offer, conversation: Conversation | None, where: Any) -> Choice:
    """The box, in ``where``; the sentences about its server come later, from :func:`notes`."""
    key = state.CHAT_MODEL_INPUT
    picked = st.session_state.get(key)
    if conversation is not None and isinstance(picked, ModelRef) and picked.server == ANY:
        # The chat was routed when it was saved: the box now shows where it went.
        st.session_state[key] = chat_servers.saved_ref(conversation)
    elif conversation is not None and isinstance(picked, str):
        # The box gives back its old label as text when the label changed since the last run (its server went
        # away or came back): the chat stays on its own model · server, never the first option's.
        st.session_state[key] = chat_servers.saved_ref(conversation)
    elif isinstance(picked, str):
        picker.restore(key, offered.servers)
    stranded = _stranded(st.session_state.get(key), offered) if conversation is None else None
    if stranded is not None:
        offered = replace(offered, options=[*offered.options, stranded])
    picker.ensure_choice(key, offered.options)
    remote = {url: server_data.remote_models(session.client_for(url)) for url in {ref.server for ref in offered.refs}}

    def wording(ref: ModelRef) -> str:
        if ref.server == ANY:
            return t_plain("chat_fleet.any_server", model=ref.model)
        named = label(ref, offered.servers)
        host = remote.get(ref.server, {}).get(ref.model)
        if host is not None:
            named = f"{named} · {t_plain('widgets.runs_elsewhere', host=host)}"
        if offered.several and not offered.up(ref.server):
            named = t_plain("chat_fleet.unavailable", model=named)
        return named

    chosen: ModelRef = where.selectbox(
        t("chat.model"),
        offered.options,
        key=key,
        help=t("chat_fleet.model_help" if offered.several else "chat.model_help"),
        format_func=wording,
    )
    return _choice(chosen, offered)


def _stranded(picked: object, offered: Offer) -> ModelRef | None:
    """A new chat's pick whose server stopped answering: kept, and said, rather than moved to the same model on
    another server. A question sent just as the server went away would otherwise go to the other server."""
    if not isinstance(picked, ModelRef) or picked in offered.options or picked.server == ANY:
        return None
    return picked if any(entry.server.url == picked.server for entry in offered.down()) else None


def _choice(ref: ModelRef, offered: Offer) -> Choice:
    server = ref.server
    if ref.server == ANY:
        having, current = offered.having(ref.model), session.current().url
        server = current if current in having else having[0]
    answering = offered.up(server) or not offered.several  # one server: asked anyway, as before
    client: OllamaClient | None = None
    installed: set[str] | None = None
    if offered.up(server):
        client = session.client_for(server)
        try:
            installed = set(server_data.models_with(client, CAPABILITY))
        except OllamaError:
            installed = None
    away = "" if answering else server_name(server, offered.servers)
    return Choice(ref, server, client, installed, away)


def notes(choice: Choice, offered: Offer, conversation: Conversation | None) -> None:
    """Under the model's row: the servers that do not answer, the chat's own server when it cannot answer, a model
    its server does not have, and where a routed chat was sent."""
    if offered.several:
        for entry in offered.down():
            st.caption(t("fleet.server_down", server=entry.server.name))
    if choice.away:
        gone = by_url(offered.servers, choice.server) is None
        wording = "chat_fleet.server_gone" if gone else "chat_fleet.server_away"
        if conversation is None:
            wording = "chat_fleet.picked_away"
        st.warning(t(wording, server=choice.away), icon=":material/cloud_off:")
        if not gone:
            retry_button()
    elif choice.installed is not None and choice.ref.server != ANY and choice.ref.model not in choice.installed:
        if offered.several:
            name = server_name(choice.server, offered.servers)
            wording = t("chat_fleet.not_installed_on", model=choice.ref.model, server=name)
        else:
            wording = t("chat.not_installed", model=choice.ref.model)
        st.warning(wording, icon=":material/warning:")
        models_link(choice.ref.model)
    routed = state.get(state.CHAT_ROUTE)
    if conversation is not None and routed is not None and routed[0] == conversation.id:
        show_route(st, routed[1], offered.servers)


def show_route(where: DeltaGenerator | Any, chosen: Route, servers: list[Server]) -> None:
    """Where a chat on "any server" was sent, and why, as a caption."""
    values: dict[str, Any] = {"server": server_name(chosen.server, servers)}
    if chosen.busy is not None:
        values["n"] = chosen.busy.models
    where.caption(f":material/alt_route: {t(_ROUTED[chosen.reason], **values)}")


def retry_button() -> None:
    """Retry: ask every server again now (a server that failed is otherwise left alone for a few seconds)."""
    st.button(t("widgets.retry"), type="primary", icon=":material/refresh:", key="connection_retry", on_click=_retry)


def _retry() -> None:
    catalog.forget_down()
    server_data.forget_models()
