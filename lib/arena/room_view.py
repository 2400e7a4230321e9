"""The Arena's audience rooms on screen: the presenter's panel beside the battle, and a voter's screen.

A presenter opens a room and shows its join link and QR code (:func:`presenter`); every battle
they run is published to the room by the battle's ``on_change`` (:func:`broadcast`), and the
panel shows the live tally. A voter opens ``/arena?room=CODE``: the entry script then serves
the voter's screen only (:func:`voter_pages`), which polls the room's live snapshot
(:mod:`lib.arena.rooms`) and votes through the database (:meth:`ArenaStore.room_vote`).

Blindness: a voter's screen draws a :class:`~lib.arena.battle.Snapshot`'s prompt, letters, texts
and statuses, and the models only once the snapshot carries them (the presenter revealed them);
of the battle's record it reads nothing on a voter's behalf but the id their vote goes to.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import streamlit as st

from lib import state
from lib.access import visitor
from lib.arena import battle_view, leaderboard_view, rooms
from lib.arena.battle import Snapshot
from lib.arena.records import TIE
from lib.arena.store import ArenaStore, NotFound, NotVotable, Room, StoreFailed, StoreUnavailable, normal_code
from lib.i18n import Markdown, t
from lib.ollama.stream import CUT_OFF, FAILED, STOPPED, UNFINISHED
from lib.ui.live_markdown import render_markdown

POLL_SECONDS = 1.0
"""How often a voter's screen asks for the room's news: the answers move on at this pace while they stream."""
TALLY_SECONDS = 1.0
"""How often the presenter's tally is read again."""
CODE_SHOWN = 16
"""Characters of a ``?room=`` value kept: enough for any code, not a paragraph repeated on screen."""
QR_WIDTH = 260
ANSWER_HEIGHT = 400
"""Pixels of an answer's box on a voter's screen, which scrolls inside: on a phone, where the
columns stack, long answers would otherwise push the vote buttons several screens down."""

_STATUSES = {
    UNFINISHED: "arena_room.writing",
    STOPPED: "arena_room.stopped",
    FAILED: "arena_room.failed",
    CUT_OFF: "arena_room.cut_off",
}
_REFUSALS = {
    NotVotable.CLOSED: "arena_room.refused_closed",
    NotVotable.NOT_CURRENT: "arena_room.refused_not_current",
    NotVotable.FAILED: "arena_room.refused_failed",
    NotVotable.UNKNOWN: "arena_room.refused_unknown",
    NotVotable.CHOICE: "arena_room.refused_choice",
}


# Voter mode: what a ?room= link reaches


def requested_room() -> str | None:
    """The room a voter's link names (``?room=``), upper-cased; None when the address names none."""
    value = st.query_params.get(rooms.ROOM_QUERY)
    code = rooms.canonical(value)[:CODE_SHOWN] if isinstance(value, str) else ""
    return code or None


def voter_pages() -> list[st.Page]:
    """The only pages a voter's session has: their room's screen, at the Arena's address and at the app's root.

    Streamlit serves the default page at the root only, so the screen is listed twice: at
    ``/arena`` (what join links open) and as the default, for any other address the voter types.
    """
    title = t("arena_room.page_title")
    return [
        st.Page(voter_page, title=title, icon=":material/how_to_vote:", url_path=rooms.ARENA_PATH),
        st.Page(voter_page, title=title, icon=":material/how_to_vote:", url_path="room", default=True),
    ]


def voter_page() -> None:
    """The voter's screen for the room the address names."""
    voter(requested_room() or "")


def voter(code: str) -> None:
    """A voter's screen: the room's current battle as it streams, a vote once it ended, the reveal."""
    normal = normal_code(code)
    st.title(t("arena_room.voter_title", code=normal or code))
    room: Room | None = None
    if normal is not None:
        try:
            room = ArenaStore().room(normal)
        except (StoreUnavailable, StoreFailed) as error:
            st.error(str(error), icon=":material/database:")
            return
    if room is None:
        st.error(t("arena_room.unknown", code=code), icon=":material/search_off:")
        return
    if room.closed:
        rooms.close(room.code)
        st.info(t("arena_room.closed"), icon=":material/door_front:")
        return
    me = visitor.current()
    visitor.remember(me, st.container())
    st.caption(t("arena_room.voter_intro"))
    _voter_screen(room.code, me.owner)


@st.fragment(run_every=POLL_SECONDS)
def _voter_screen(code: str, voter_id: str) -> None:
    """Polled: draws the room's latest snapshot; the database is read only when a new battle becomes votable."""
    rooms.seen(code, voter_id)
    now = rooms.live(code)
    if now.closed:
        st.info(t("arena_room.closed"), icon=":material/door_front:")
        return
    snapshot = now.snapshot
    if snapshot is None:
        st.info(t("arena_room.waiting"), icon=":material/hourglass_empty:")
        return
    _answers(snapshot)
    _ballot(code, snapshot, voter_id)


def _answers(snapshot: Snapshot) -> None:
    st.caption(t("arena_room.prompt"))
    with st.container(border=True):
        render_markdown(snapshot.prompt)
    revealed = snapshot.models
    columns = st.columns(len(snapshot.letters))
    for index, (column, letter) in enumerate(zip(columns, snapshot.letters, strict=True)):
        with column:
            if revealed is None:
                st.subheader(t("arena_room.answer", letter=letter))
            else:
                st.subheader(t("arena_room.answer_revealed", letter=letter, model=revealed[index]))
            status = snapshot.statuses[index]
            if status in _STATUSES:
                st.caption(t(_STATUSES[status]))
            with st.container(border=True, height=ANSWER_HEIGHT):
                text = snapshot.texts[index]
                if text.strip():
                    render_markdown(text)
                else:
                    st.caption(t("arena_room.nothing_yet"))


def _ballot(code: str, snapshot: Snapshot, voter_id: str) -> None:
    battle_id = snapshot.battle_id
    if battle_id is None or not snapshot.votable:
        if FAILED in snapshot.statuses:
            st.warning(t("arena_room.vote_failed"), icon=":material/block:")
        else:
            st.caption(t("arena_room.vote_soon"))
        return
    refusal = state.get(state.ARENA_ROOM_REFUSAL)
    if refusal is not None and refusal[0] == battle_id:
        st.warning(refusal[1], icon=":material/block:")
    choice = _known_choice(battle_id, voter_id)
    if choice is not None:
        st.success(t("arena_room.you_voted", choice=choice_label(choice, snapshot.letters)), icon=":material/check:")
        return
    if snapshot.models is not None:
        st.caption(t("arena_room.vote_over"))
        return
    if refusal is not None and refusal[0] == battle_id:
        return
    two = len(snapshot.letters) == 2
    st.markdown(f"**{t('arena_room.question_two') if two else t('arena_room.question_many')}**")
    choices = rooms.choices(snapshot.letters)
    for column, choice in zip(st.columns(len(choices)), choices, strict=True):
        column.button(
            button_label(choice, snapshot.letters),
            key=f"{state.ARENA_ROOM_VOTE_BUTTON}_{choice}",
            on_click=_vote,
            args=(code, battle_id, voter_id, choice),
            type="primary" if choice in snapshot.letters else "secondary",
            width="stretch",
        )


def _known_choice(battle_id: int, voter_id: str) -> str | None:
    """The voter's choice on the battle, read from the database once per battle and session (it survives a reload)."""
    known: dict[int, str | None] = state.get(state.ARENA_ROOM_VOTES) or {}
    if battle_id not in known:
        try:
            known = {battle_id: ArenaStore().voter_choice(battle_id, voter_id)}
        except StoreFailed:
            return None
        state.put(state.ARENA_ROOM_VOTES, known)
    return known[battle_id]


def _vote(code: str, battle_id: int, voter_id: str, choice: str) -> None:
    store = ArenaStore()
    try:
        counted = store.room_vote(code, battle_id, voter_id, choice)
        stands = choice if counted else store.voter_choice(battle_id, voter_id)
    except NotVotable as refused:
        if refused.reason == NotVotable.CLOSED:
            rooms.close(code)
        state.put(state.ARENA_ROOM_REFUSAL, (battle_id, t(_REFUSALS[refused.reason])))
        return
    except StoreFailed as error:
        state.put(state.ARENA_ROOM_REFUSAL, (battle_id, str(error)))
        return
    state.put(state.ARENA_ROOM_REFUSAL, None)
    state.put(state.ARENA_ROOM_VOTES, {battle_id: stands})


def button_label(choice: str, letters: Sequence[str]) -> Markdown:
    """A vote button's words: "A is better" (two columns), "A is best" (more), "Tie", "Both are bad"."""
    two = len(letters) == 2
    if choice in letters:
        if two:
            return t("arena_room.vote_letter_two", letter=choice)
        return t("arena_room.vote_letter_many", letter=choice)
    return choice_label(choice, letters)


def choice_label(choice: str, letters: Sequence[str]) -> Markdown:
    """A choice as the tally and "your vote" name it: the letter, "Tie", "Both are bad" / "All are bad"."""
    if choice in letters:
        return t("arena_room.answer", letter=choice)
    if choice == TIE:
        return t("arena_room.vote_tie")
    if len(letters) == 2:
        return t("arena_room.vote_bad_two")
    return t("arena_room.vote_bad_many")


# The presenter's side


def broadcast(store: ArenaStore, code: str) -> Callable[[Snapshot], None]:
    """What the presenter's battle calls whenever what voters would see changes (``battle_view.draw``'s ``on_change``).

    Makes the snapshot's saved battle the room's current one (the one votes go to), or none
    while a new battle streams, before its voters see it; then publishes it to the room. A battle
    the room cannot take votes on (one started before the room opened, saved outside it) or a
    database that fails: the voters still watch it, without vote buttons, and the battle goes on.
    """

    def publish(snapshot: Snapshot) -> None:
        shown = rooms.current(code)
        if shown is None or shown.battle_id != snapshot.battle_id:
            try:
                store.show_in_room(code, snapshot.battle_id)
            except (NotFound, StoreFailed):
                snapshot = replace(snapshot, battle_id=None, votable=False)
        rooms.publish(code, snapshot)

    return publish


def presenter(store: ArenaStore, code: str | None) -> None:
    """The presenter's room panel: open a room, its join link and QR code, the live tally, close it, its leaderboard.

    ``code`` is the room this session presents (``state.ARENA_ROOM``), None before it opens one.
    A database that fails is said in a sentence here, so the battle beside the panel goes on.
    """
    notice = state.get(state.ARENA_ROOM_NOTICE)
    if notice:
        st.error(notice, icon=":material/database:")
        state.put(state.ARENA_ROOM_NOTICE, None)
    try:
        _panel(store, code)
    except (StoreUnavailable, StoreFailed) as error:
        st.error(str(error), icon=":material/database:")


def presented_room(store: ArenaStore) -> str | None:
    """The open room this session presents, which its battles are saved in and broadcast to; None when there is none.

    For the Arena page: ``broadcast(store, code)`` as the battle's ``on_change`` and ``room=code``
    on the battle it saves, while this gives a code. Raises the store's errors.
    """
    room = _my_room(store, state.get(state.ARENA_ROOM))
    return room.code if room is not None and not room.closed else None


def _panel(store: ArenaStore, code: str | None) -> None:
    room = _my_room(store, code)
    if room is None:
        if code is not None:
            st.warning(t("arena_room.gone", code=code), icon=":material/search_off:")
        st.caption(t("arena_room.intro"))
        _open_button(store, "arena_room.open")
        return
    if room.closed:
        st.info(t("arena_room.closed_presenter", code=room.code), icon=":material/door_front:")
        _open_button(store, "arena_room.open_another")
    else:
        _join(room.code)
        _tally(store, room.code)
        st.button(
            t("arena_room.close"),
            key=state.ARENA_ROOM_CLOSE_BUTTON,
            icon=":material/door_front:",
            help=t("arena_room.close_help"),
            on_click=_close,
            args=(store, room.code),
        )
    with st.expander(t("arena_room.board"), icon=":material/leaderboard:"):
        if battle_view.blind():  # the board names models, and the battle beside it is blind
            st.info(t("arena_room.board_hidden"), icon=":material/visibility_off:")
        else:
            leaderboard_view.draw(
                store.battles(room=room.code), store.votes(room=room.code), key=state.ARENA_ROOM_BOARD
            )


def _my_room(store: ArenaStore, code: str | None) -> Room | None:
    if code is None:
        return None
    room = store.room(code)
    if room is None or (store.owner is not None and room.owner != store.owner):
        return None
    return room


def _open_button(store: ArenaStore, label: str) -> None:
    st.button(
        t(label),
        key=state.ARENA_ROOM_OPEN_BUTTON,
        icon=":material/groups:",
        help=t("arena_room.open_help"),
        on_click=_open,
        args=(store,),
    )


def _open(store: ArenaStore) -> None:
    try:
        room = store.open_room()
    except (StoreUnavailable, StoreFailed) as error:
        state.put(state.ARENA_ROOM_NOTICE, str(error))
        return
    state.put(state.ARENA_ROOM, room.code)


def _close(store: ArenaStore, code: str) -> None:
    try:
        store.close_room(code)
    except NotFound:
        state.put(state.ARENA_ROOM, None)
        return
    except StoreFailed as error:
        state.put(state.ARENA_ROOM_NOTICE, str(error))
        return
    rooms.close(code)


def _join(code: str) -> None:
    """The room's code, join link and QR code, and what keeps phones from reaching it, if anything does."""
    address = rooms.app_address(st.context.url, st.context.headers.get("Host"), st.get_option("server.baseUrlPath"))
    left, right = st.columns([1, 2], vertical_alignment="center")
    right.metric(t("arena_room.code_label"), code)
    if address is None:
        right.warning(t("arena_room.join_unknown"), icon=":material/link_off:")
        return
    server_address = st.get_option("server.address")
    link = rooms.join_link(address, code, server_address)
    left.image(
        rooms.qr_png(link.url), width=QR_WIDTH, caption=t("arena_room.qr_caption", code=code), output_format="PNG"
    )
    right.caption(t("arena_room.join"))
    right.code(link.url, language=None)
    if link.listening_here_only:
        right.warning(t("arena_room.join_here_only", address=server_address), icon=":material/wifi_off:")
    elif link.network_host is not None:
        right.info(t("arena_room.join_lan", host=link.network_host), icon=":material/wifi:")
    elif link.local:
        right.warning(t("arena_room.join_local"), icon=":material/wifi_off:")


@st.fragment(run_every=TALLY_SECONDS)
def _tally(store: ArenaStore, code: str) -> None:
    """The votes on the room's current battle, and how many screens follow the room, read again every second."""
    st.markdown(f"**{t('arena_room.tally_title')}**")
    try:
        _tally_figures(store, code)
    except (StoreUnavailable, StoreFailed) as error:
        st.error(str(error), icon=":material/database:")


def _tally_figures(store: ArenaStore, code: str) -> None:
    room = store.room(code)
    battle_id = room.current_battle if room is not None else None
    letters = _letters(store, code, battle_id)
    counts = store.tally(battle_id) if battle_id is not None else {}
    rows = rooms.tally_rows(counts, letters) if letters else []
    cells = st.columns(len(rows) + 2 if rows else 2)
    for cell, (choice, count) in zip(cells, rows, strict=False):
        cell.metric(choice_label(choice, letters), count)
    cells[-2].metric(t("arena_room.voted"), rooms.voters(counts))
    cells[-1].metric(
        t("arena_room.watching"),
        rooms.watching(code),
        help=t("arena_room.watching_help", seconds=int(rooms.WATCHING_SECONDS)),
    )
    if not rows:
        st.caption(t("arena_room.tally_none"))


def _letters(store: ArenaStore, code: str, battle_id: int | None) -> tuple[str, ...]:
    """The current battle's letters: from the live snapshot when it is that battle's, else from the database."""
    if battle_id is None:
        return ()
    shown = rooms.current(code)
    if shown is not None and shown.battle_id == battle_id:
        return shown.letters
    battle = store.battle(battle_id)
    return tuple(contestant.letter for contestant in battle.contestants) if battle is not None else ()
