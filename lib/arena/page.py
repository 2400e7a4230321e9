"""The Arena page: blind battles between models, and the visitor's leaderboard of their votes.

Tabs are drawn all at once (switching tabs sends nothing to the server), so peeking at another
tab does not stop a battle that is streaming. While a battle is blind the Leaderboard tab shows
a note instead of the board: the board names models, and nothing sent to the browser between
Start and the reveal may.
"""

from __future__ import annotations

import streamlit as st

from lib import state
from lib.access import visitor
from lib.arena import battle_view, leaderboard_view, room_view
from lib.arena.battle_view import OnChange
from lib.arena.store import ArenaStore, StoreFailed, StoreUnavailable
from lib.i18n import t
from lib.ui import widgets

BATTLE, LEADERBOARD = "battle", "leaderboard"


def open_store() -> ArenaStore:
    """The battles and votes of this session's visitor (the same person as their saved chats)."""
    person = visitor.current()
    visitor.remember(person)
    store = ArenaStore(owner=person.owner)
    visitor.carry_over_quietly(person, store, "arena")
    return store


def tab_keys() -> dict[str, str]:
    """The page's tabs in order: id → catalog key of the label. A third tab gets its entry here and its
    branch in :func:`draw_tab`."""
    return {BATTLE: "arena.tab_battle", LEADERBOARD: "arena.tab_leaderboard"}


def draw(store: ArenaStore) -> None:
    """The page: the audience room panel, then the tabs; a battle started with a room open runs in that room."""
    st.title(t("arena.title"))
    st.caption(t("arena.intro"))
    room = audience_room(store)
    on_change = room_view.broadcast(store, room) if room is not None else None
    tabs = widgets.tabs(tab_keys(), state.ARENA_TAB)
    blind = battle_view.blind()
    # A blind battle's note goes first, as it costs nothing; otherwise the battle first, as it may stream.
    order = sorted(tabs, key=lambda tab: tab != LEADERBOARD) if blind else list(tabs)
    for tab in order:
        with tabs[tab]:
            draw_tab(tab, store, blind=blind, on_change=on_change, room=room)


def audience_room(store: ArenaStore) -> str | None:
    """The presenter's room panel (a line and its Open button until a room is open); the open room's code or None."""
    with st.container(border=True):
        st.markdown(f"**{t('arena_room.panel_title')}**")
        room_view.presenter(store, state.get(state.ARENA_ROOM))
    try:
        return room_view.presented_room(store)
    except (StoreUnavailable, StoreFailed):  # the panel has said why; the battles go on as the visitor's own
        return None


def draw_tab(
    tab: str,
    store: ArenaStore,
    *,
    blind: bool,
    on_change: OnChange | None = None,
    room: str | None = None,
) -> None:
    """One tab's content, by its id in :func:`tab_keys`."""
    if tab == BATTLE:
        battle_view.draw(store, on_change=on_change, room=room)
    elif tab == LEADERBOARD:
        leaderboard(store, blind=blind)


def leaderboard(store: ArenaStore, *, blind: bool) -> None:
    """The visitor's own leaderboard: their battles outside rooms and their votes."""
    if blind:
        st.info(t("arena.board_hidden"), icon=":material/visibility_off:")
        return
    leaderboard_view.draw(store.battles(room=None), store.votes(room=None), key="arena_board")
