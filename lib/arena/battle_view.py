"""The Arena's Battle tab: the set-up, then the battle streaming as A, B, …, the vote and the reveal.

A battle lives in session state (:data:`state.ARENA_BATTLE`, a :class:`~lib.arena.battle.Run`),
so every rerun draws it again, and its saved id goes in the address (``?battle=12``), so a
reload opens it again. It streams through the one streaming engine (:class:`Streams`), each
column with its own :class:`~lib.ui.live_markdown.LiveMarkdown`, as Generate's compare mode
does; Stop, or any other click, stops every column and keeps what arrived. Once every answer has
ended the battle is saved, votes open (unless a column failed: then it takes no vote and is
revealed at once), and a vote reveals the models with their figures.

Blindness: what this module sends the browser before the reveal never names a model. Widget
keys name columns and choices; headings are letters; a failing column's sentence has the
models masked (:func:`lib.arena.battle.masked_values`); figures, settings and a thinking model's
thoughts (which often say who is thinking: "As Qwen, I…") wait for the reveal.

Each column streams from its own server's client (:func:`lib.fleet.session.client_for`), fixed
when the battle starts; after the reveal a column is named ``model · server`` when the session
has several servers (:func:`lib.arena.servers.names`). Before the reveal a failing column's
sentence has the servers masked too: which server failed can tell which model it was.

``on_change`` (for a room's voters) gets a :class:`~lib.arena.battle.Snapshot` whenever what
a voter would see changes: at most :data:`PUBLISH_EVERY` apart while streaming, and at every
phase change (started, a column ended, saved, revealed).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import streamlit as st

from lib import server_data, state
from lib.arena import servers, setup
from lib.arena.battle import Run, Snapshot, masked_values
from lib.arena.records import BOTH_BAD, TIE, Contestant
from lib.arena.store import ArenaStore, NotFound, NotVotable, StoreFailed, StoreUnavailable
from lib.chat.session import parse_id
from lib.fleet import session
from lib.formatting import human_seconds, human_size
from lib.generate.compare.form import settings_summary
from lib.i18n import Markdown, escape, markdown, t, t_plain
from lib.ollama.errors import OllamaError, ResponseError
from lib.ollama.stats import LOAD_TIME, OUTPUT_TOKENS, TIME_TO_FIRST_TOKEN, TOKENS_PER_SECOND
from lib.ollama.stream import ALL_COLUMNS, CONTENT, CUT_OFF, ENDED, FAILED, STOPPED, Streams
from lib.ui import widgets
from lib.ui.errors import error_plain, error_text
from lib.ui.live_markdown import LiveMarkdown, render_markdown
from lib.ui.markdown_safety import escape_markdown
from lib.ui.stats import stat_rows

QUERY_KEY = "battle"
PUBLISH_EVERY = 0.2  # seconds: voters' screens follow the stream at up to five updates a second
FIGURES = (TIME_TO_FIRST_TOKEN, TOKENS_PER_SECOND, OUTPUT_TOKENS, LOAD_TIME)

OnChange = Callable[[Snapshot], None]


def current() -> Run | None:
    """The battle on screen, if any."""
    return state.get(state.ARENA_BATTLE)


def snapshot() -> Snapshot | None:
    """What a voter may see of the battle on screen now (None: no battle), for a room opened mid-battle."""
    run = current()
    return run.snapshot(names(run) if run.revealed else None) if run is not None else None


def names(run: Run) -> tuple[str, ...]:
    """Each column's model as revealed: ``model · server`` when the session or the battle has several servers."""
    return servers.names(list(zip(run.models, run.servers, strict=True)), session.servers(), session.current().url)


def blind() -> bool:
    """A battle is on screen and its models are not revealed yet."""
    run = current()
    return run is not None and not run.revealed


def settle_interrupted() -> None:
    """Stop the battle an earlier script run left streaming (Stop, or any other click during it)."""
    job: Streams | None = state.get(state.ARENA_JOB)
    if job is not None:
        job.stop()
        state.put(state.ARENA_JOB, None)
    run = current()
    if run is not None and run.started and not run.ended:  # its run ended before the job was kept
        for answer in run.answers:
            if answer.final is None and answer.error is None:
                answer.stopped = True


def draw(store: ArenaStore, *, on_change: OnChange | None = None, room: str | None = None) -> None:
    """The Battle tab: the set-up, or the battle on screen.

    ``room``: the code of the presenter's open audience room, which a battle starting now runs in
    (it is saved there, for the room's votes); None for the visitor's own battles.
    """
    settle_interrupted()
    open_from_address(store)
    run = current()
    # The browser keeps a container's old children until the run ends, unless an element takes the
    # container's place: each root is an empty element while the other is drawn, so the set-up is
    # gone as soon as the battle starts streaming (and a battle as soon as a new set-up is drawn).
    battle_root, setup_root = st.empty(), st.empty()
    if run is None:
        with setup_root.container():
            setup.draw()
        return
    with battle_root.container():
        notice = state.get(state.ARENA_NOTICE)
        if notice:
            st.warning(notice, icon=":material/info:")
            state.put(state.ARENA_NOTICE, None)
        header(run)
        if not run.started:
            run.room = room
            stream(run, on_change)
        if run.ended:
            save(run, store)
            show(run, store)
    publish(run, on_change)


def open_from_address(store: ArenaStore) -> None:
    """On a session's first run, open the saved battle the address names (a reload); keep the address in step."""
    if not state.get(state.ARENA_ADDRESS_READ):
        state.put(state.ARENA_ADDRESS_READ, True)
        wanted = st.query_params.get(QUERY_KEY)
        if current() is None and wanted is not None:
            battle_id = parse_id(wanted)
            battle = store.battle(battle_id) if battle_id is not None else None
            if battle is None or battle.id is None:
                st.toast(t("arena.address_ignored"), icon=":material/link_off:", duration="long")
            else:
                state.put(state.ARENA_BATTLE, Run.restored(battle, store.voter_choice(battle.id, voter(store))))
    run = current()
    battle_id = run.battle_id if run is not None else None
    if battle_id is None:
        if QUERY_KEY in st.query_params:
            del st.query_params[QUERY_KEY]
    elif st.query_params.get(QUERY_KEY) != str(battle_id):
        st.query_params[QUERY_KEY] = str(battle_id)


def voter(store: ArenaStore) -> str:
    """Who votes on a battle outside rooms: its owner, the visitor."""
    return store.owner or ""


def header(run: Run) -> None:
    prompt_slot, new_slot = st.columns([8, 2], vertical_alignment="top")
    with prompt_slot.container(border=True):
        st.caption(t("arena.prompt_was"))
        st.markdown(escape(run.prompt))
        if run.tags:
            st.caption(escape(" · ".join(f"#{tag}" for tag in run.tags)))
    new_slot.button(
        t("arena.new_battle"),
        icon=":material/restart_alt:",
        key=state.ARENA_NEW_BUTTON,
        on_click=new_battle,
        width="stretch",
        help=t("arena.new_battle_help"),
    )


def new_battle() -> None:
    """Back to the set-up (on_click): a battle still streaming is stopped, a saved one stays saved."""
    settle_interrupted()
    state.put(state.ARENA_BATTLE, None)
    if QUERY_KEY in st.query_params:
        del st.query_params[QUERY_KEY]


def stream(run: Run, on_change: OnChange | None) -> None:
    """Send every column to its server and draw the answers as they arrive, until each has ended or Stop."""
    clients = [session.client_for(servers.place(url, session.current().url)) for url in run.servers]
    streams = Streams(clients, run.requests(), run.answers)
    run.started = True
    state.put(state.ARENA_JOB, streams)
    publish(run, on_change)
    with widgets.live_area(streams.stop):
        live_columns(run, streams, on_change)
    if state.get(state.ARENA_JOB) is streams:
        state.put(state.ARENA_JOB, None)


def live_columns(run: Run, streams: Streams, on_change: OnChange | None) -> None:
    panes = st.columns(len(run.picks), gap="medium")
    statuses, failures = [], []
    answers: list[LiveMarkdown] = []
    for letter, pane in zip(run.letters, panes, strict=True):
        with pane.container(border=True):
            st.subheader(letter, anchor=False)
            statuses.append(st.empty())
            statuses[-1].caption(t("arena.sending"))
            answers.append(LiveMarkdown(st.container(key=f"arena_answer_{letter}")))
            failures.append(st.empty())
    controls(run, live=True)
    shown: dict[int, Markdown] = {}

    def show_status(column: int, text: Markdown) -> None:
        if shown.get(column) != text:
            shown[column] = text
            statuses[column].caption(text)

    next_publish = time.monotonic() + PUBLISH_EVERY
    for event in streams.events():
        waited = t("units.seconds", value=int(streams.elapsed()))
        for silent, answer in enumerate(run.answers):  # a model thinking looks like one silent: thinking is a hint
            if not (answer.content or streams.column_finished(silent)):
                show_status(silent, t("arena.waiting", time=waited))
        column = event.column
        if event.kind == ENDED:
            answer = run.answers[column]
            answers[column].finish()
            if answer.error is not None:
                show_status(column, t("arena.failed"))
                failures[column].error(failure_text(run, column, answer.error), icon=":material/error:")
            else:
                show_status(column, t("arena.done_in", time=human_seconds(event.seconds)))
            publish(run, on_change)
            next_publish = time.monotonic() + PUBLISH_EVERY
            continue
        if column != ALL_COLUMNS and event.kind == CONTENT:  # thoughts wait for the reveal: they often name the model
            show_status(column, t("generate.writing_now"))
            answers[column].append(event.text)
        if time.monotonic() >= next_publish:
            publish(run, on_change)
            next_publish = time.monotonic() + PUBLISH_EVERY


def failure_text(run: Run, column: int, error: OllamaError) -> Markdown:
    """A failing column's sentence; before the reveal, with the battle's models masked."""
    if run.revealed:
        return error_text(error)
    letter = run.letters[column]
    fleet = session.servers()
    places = [mention for url in set(run.servers) for mention in servers.mentions(url, fleet)]
    hidden = masked_values(
        error.values,
        run.models,
        t_plain("arena.hidden_model", letter=letter),
        places=places,
        place_stand_in=t_plain("arena.hidden_server", letter=letter),
    )
    return t(error.key, **hidden)


def recorded_error(error: OllamaError) -> str:
    """A failure as the record keeps it: the sentence, and what to do about a model the server lacks."""
    sentence = error_plain(error)
    if isinstance(error, ResponseError) and error.model_missing:
        sentence += " " + t_plain("arena.model_missing")
    return sentence


def save(run: Run, store: ArenaStore) -> None:
    """Save a battle whose answers have all ended, once; a store that fails says so, and the next run tries again.

    Once even when two script runs get here together (a click as the battle ends starts the next
    run while this one still finishes): the second waits for the first, then finds the battle saved.
    """
    problem: str | None = None
    with run.lock:
        if run.battle_id is not None:
            return
        fresh = run.record is None
        record = run.settle(recorded_error)
        if fresh:
            for pick, answer in zip(run.picks, run.answers, strict=True):
                server_data.note_request(pick.model, answer.error)
        try:
            run.record = replace(record, id=store.save_battle(record))
        except (StoreUnavailable, StoreFailed) as error:
            problem = str(error)
        except NotFound:  # the room went away while the battle ran (forgotten, perhaps in another tab)
            problem = t("arena.room_gone")
    if problem is not None:
        st.error(t("arena.not_saved", problem=problem), icon=":material/database:")
    else:
        st.query_params[QUERY_KEY] = str(run.battle_id)


def show(run: Run, store: ArenaStore) -> None:
    """The battle once every answer has ended: the columns, then the vote or the verdict."""
    record = run.record
    if record is None:
        return
    if run.failed:
        st.warning(t("arena.failed_no_vote"), icon=":material/block:")
    elif run.revealed:
        verdict(run, store)
    panes = st.columns(len(record.contestants), gap="medium")
    for pane, contestant in zip(panes, record.contestants, strict=True):
        with pane.container(border=True, height="stretch"):
            show_column(run, contestant)
    if not run.revealed:
        controls(run, live=False, store=store)


def show_column(run: Run, contestant: Contestant) -> None:
    if run.revealed:
        picked = run.choice == contestant.letter
        heading = "arena.revealed_heading_pick" if picked else "arena.revealed_heading"
        name = names(run)[run.letters.index(contestant.letter)]
        st.subheader(t(heading, letter=contestant.letter, model=name), anchor=False)
    else:
        st.subheader(contestant.letter, anchor=False)
    if contestant.status == FAILED:
        st.error(t("arena.column_failed", problem=contestant.error), icon=":material/error:")
    elif contestant.status == STOPPED:
        st.warning(t("generate.stopped"), icon=":material/stop_circle:")
    elif contestant.status == CUT_OFF:
        st.info(t("arena.cut_off"), icon=":material/content_cut:")
    if contestant.thinking and run.revealed:
        with st.expander(t("arena.thinking"), icon=":material/psychology:"):
            render_markdown(contestant.thinking)
    if contestant.content:
        render_markdown(contestant.content, st.container(key=f"arena_result_{contestant.letter}"))
    elif contestant.status not in (FAILED, STOPPED):
        st.info(t("arena.empty_answer"), icon=":material/info:")
    if run.revealed:
        figures(run, contestant)


def figures(run: Run, contestant: Contestant) -> None:
    """The revealed column's speed figures and size (as Generate's compare mode shows them), and its settings."""
    stats = stat_rows(contestant.stats) if contestant.stats is not None else []
    shown: list[tuple[str, str, str | None]] = [(r.label, r.value, r.help) for r in stats if r.figure in FIGURES]
    if contestant.size:
        shown.append((t("arena.size"), human_size(contestant.size), None))
    if len(run.picks) <= 2:
        row = st.container(horizontal=True, gap="small")
        for label, value, help_text in shown:
            row.metric(label, value, help=help_text, width="content")
    else:  # three or four columns are too narrow for metrics' large numbers
        for label, value, help_text in shown:
            st.markdown(t("arena.figure_line", label=label, value=value), help=help_text)
    settings = settings_text(contestant)
    if settings:
        st.caption(escape_markdown(settings))


def settings_text(contestant: Contestant) -> str:
    """``system prompt · temperature 0.2 · no thinking``, plain text, empty for a model's defaults."""
    fields = contestant.settings
    parts = [t_plain("arena.had_system")] if fields.get("system") else []
    if fields.get("options") or fields.get("keep_alive") is not None or fields.get("think") not in (None, True):
        parts.append(settings_summary(fields.get("options") or {}, fields.get("keep_alive"), fields.get("think")))
    return " · ".join(parts)


def choice_label(run: Run, choice: str) -> Markdown:
    if choice == TIE:
        return t("arena.vote_tie")
    if choice == BOTH_BAD:
        return t("arena.vote_both_bad") if len(run.picks) == 2 else t("arena.vote_all_bad")
    return t("arena.vote_better", letter=choice) if len(run.picks) == 2 else t("arena.vote_best", letter=choice)


def controls(run: Run, *, live: bool, store: ArenaStore | None = None) -> None:
    """Stop (while streaming) and the vote buttons, which open once every answer has ended or was stopped.

    While streaming they are drawn disabled under their own keys, since the finished battle
    draws the real ones later in the same run.
    """
    with st.container(border=True):
        if run.room is not None:
            room_controls(run, live=live)
            return
        st.markdown(t("arena.which_is_better") if len(run.picks) == 2 else t("arena.which_is_best"))
        row = st.container(horizontal=True, gap="small")
        for choice in run.choices:
            row.button(
                choice_label(run, choice),
                key=f"{state.ARENA_VOTE_BUTTON}_{'waiting_' if live else ''}{choice}",
                disabled=live or not run.votable,
                on_click=None if live else cast_vote,
                args=None if live else (store, choice),
                type="primary" if choice not in (TIE, BOTH_BAD) else "secondary",
            )
        if live:
            row.button(t("arena.stop"), icon=":material/stop:", key=state.ARENA_STOP_BUTTON, help=t("arena.stop_help"))
            st.caption(t("arena.vote_opens"))
        elif not run.votable:
            st.caption(t("arena.vote_needs_saving"))


def room_controls(run: Run, *, live: bool) -> None:
    """A battle in an audience room: the room votes on its own screens; the presenter stops it and reveals it."""
    st.markdown(t("arena.room_votes"))
    row = st.container(horizontal=True, gap="small")
    if live:
        row.button(t("arena.stop"), icon=":material/stop:", key=state.ARENA_STOP_BUTTON, help=t("arena.stop_help"))
        st.caption(t("arena.room_vote_opens"))
        return
    row.button(
        t("arena.reveal"),
        icon=":material/visibility:",
        key=state.ARENA_REVEAL_BUTTON,
        type="primary",
        on_click=reveal_in_room,
        help=t("arena.reveal_help"),
    )


def reveal_in_room() -> None:
    """The Reveal button's on_click: the models are shown here and, through ``on_change``, on the voters' screens."""
    run = current()
    if run is not None and run.room is not None and run.ended and not run.revealed:
        run.reveal()


def cast_vote(store: ArenaStore, choice: str) -> None:
    """A vote button's on_click: the store takes the vote once, then the models are revealed."""
    run = current()
    if run is None or not run.votable or run.choice is not None or run.battle_id is None:
        return
    try:
        counted = store.vote(run.battle_id, voter(store), choice)
        taken = choice if counted else store.voter_choice(run.battle_id, voter(store)) or choice
    except NotVotable as refusal:
        state.put(state.ARENA_NOTICE, refusal_text(refusal.reason))
        return
    except (StoreUnavailable, StoreFailed) as error:
        state.put(state.ARENA_NOTICE, t("arena.vote_not_saved", problem=str(error)))
        return
    run.vote(taken)


def refusal_text(reason: str) -> Markdown:
    """Why the store refused a vote (:class:`NotVotable`'s reason), as a sentence."""
    sentences = {
        NotVotable.FAILED: t("arena.not_votable_failed"),
        NotVotable.CLOSED: t("arena.not_votable_closed"),
        NotVotable.NOT_CURRENT: t("arena.not_votable_not_current"),
        NotVotable.CHOICE: t("arena.not_votable_choice"),
    }
    return sentences.get(reason, t("arena.not_votable_unknown"))


def verdict(run: Run, store: ArenaStore | None = None) -> None:
    """After the vote: what was picked, now with the models' names (for a room's battle, what the room chose)."""
    if run.room is not None and store is not None:
        room_verdict(run, store)
        return
    if run.choice is None:
        return
    if run.choice in (TIE, BOTH_BAD):
        said = t("arena.you_said", choice=choice_label(run, run.choice))
    else:
        said = t("arena.you_picked", letter=run.choice, model=names(run)[run.letters.index(run.choice)])
    st.success(said, icon=":material/how_to_vote:")


def room_verdict(run: Run, store: ArenaStore) -> None:
    """The room's tally of the battle, each choice with the model it names, the most voted first."""
    if run.battle_id is None:
        return
    try:
        counts = store.tally(run.battle_id)
    except (StoreUnavailable, StoreFailed) as error:
        st.error(str(error), icon=":material/database:")
        return
    if not counts:
        st.info(t("arena.room_no_votes"), icon=":material/how_to_vote:")
        return
    lines = []
    for choice, count in sorted(counts.items(), key=lambda item: -item[1]):
        if choice in run.letters:
            label = t("arena.room_choice_model", letter=choice, model=names(run)[run.letters.index(choice)])
        else:
            label = choice_label(run, choice)
        lines.append(t("arena.room_choice_count", choice=label, n=count))
    listed = markdown("\n".join(f"- {line}" for line in lines))  # each line a t() sentence, its values escaped
    st.success(t("arena.room_result", votes=listed), icon=":material/groups:")


def publish(run: Run, on_change: OnChange | None) -> None:
    """Tell ``on_change`` what voters see now, when it changed since it was last told."""
    if on_change is None:
        return
    seen = run.snapshot(names(run) if run.revealed else None)
    if seen != run.published:
        run.published = seen
        on_change(seen)
