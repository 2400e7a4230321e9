"""The Evals page's Prompt sets tab: open, create, edit, import, export and delete sets; add the examples.

A set is edited as a table (:mod:`lib.evals.editor`): a row per prompt, a column per common
check. The prompt picked under the table gets its JSON schema, images and the checks the columns
cannot show. What the table holds is checked as it is typed, and every problem is a sentence
with its row number; Save is refused while there is one. The draft (the set being edited) lives
in session state, so it survives other tabs and pages; the table's own edits live in its widget
key, on top of :data:`state.EVALS_TABLE_BASE`, as on the Embeddings page.

Imports are read by :mod:`lib.evals.sets` (JSONL or CSV, any encoding) and saved at once as a
new set; a file that cannot be read says where and why, by line.
"""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from lib import state
from lib.chat import validation
from lib.evals import editor, labels, progress_view, sets
from lib.evals.checks import check_text
from lib.evals.editor import Draft, Extras
from lib.evals.records import PromptSet
from lib.evals.store import EvalStore, NotFound, StoreFailed
from lib.formatting import date_time
from lib.i18n import message_of, t, t_plain

NEW = "new"
IMAGE_TYPES = ["png", "jpg", "jpeg", "webp"]
IMPORT_TYPES = ["jsonl", "csv"]
# The checks beside the prompt, the system prompt (long, often the same in every row) last.
COLUMN_ORDER = (
    editor.PROMPT,
    editor.TAGS,
    editor.EXPECTED,
    editor.CONTAINS_COLUMN,
    editor.NOT_CONTAINS_COLUMN,
    editor.REGEX_COLUMN,
    editor.JSON_COLUMN,
    editor.MAX_TOKENS_COLUMN,
    editor.MAX_SECONDS_COLUMN,
    editor.EXTRAS,
    editor.SYSTEM,
)


def draw(store: EvalStore) -> None:
    try:
        saved = store.sets()
    except StoreFailed as error:
        st.error(message_of(error), icon=":material/database:")
        return
    by_id = {prompt_set.id: prompt_set for prompt_set in saved if prompt_set.id is not None}
    chosen = choose(by_id)
    draft = open_draft(chosen, by_id)
    edit(store, draft, by_id.get(draft.set_id) if draft.set_id is not None else None)
    st.divider()
    listing(saved)
    import_section(store)
    examples_section(store, saved)


def choose(by_id: dict[int, PromptSet]) -> int | str:
    """The set open in the editor, or :data:`NEW`: asked for by an action, kept from the draft, or the latest."""
    options: list[int | str] = [NEW, *by_id]
    wanted = state.get(state.EVALS_OPEN_SET)
    state.put(state.EVALS_OPEN_SET, None)
    if wanted in options:
        st.session_state[state.EVALS_SET_INPUT] = wanted
    if st.session_state.get(state.EVALS_SET_INPUT) not in options:
        draft: Draft | None = state.get(state.EVALS_DRAFT)
        if draft is not None and (draft.set_id in by_id or draft.set_id is None):
            st.session_state[state.EVALS_SET_INPUT] = NEW if draft.set_id is None else draft.set_id
        else:
            st.session_state[state.EVALS_SET_INPUT] = next(iter(by_id), NEW)
    # Worded now, in the script run: AppTest calls format_func outside it too.
    names: dict[int | str, str] = {NEW: t_plain("evals.new_set")}
    names.update(
        {set_id: name for set_id, name in labels.set_names(list(by_id.values())).items() if set_id is not None}
    )
    chosen = st.selectbox(t("evals.set_pick"), options, format_func=names.__getitem__, key=state.EVALS_SET_INPUT)
    return NEW if chosen is None else chosen


def open_draft(chosen: int | str, by_id: dict[int, PromptSet]) -> Draft:
    """The draft of the chosen set: kept while it is that set's, else made from the set as saved."""
    draft: Draft | None = state.get(state.EVALS_DRAFT)
    set_id = None if chosen == NEW else int(chosen)
    if draft is not None and draft.set_id == set_id:
        return draft
    frame, draft = editor.table(by_id[set_id] if set_id is not None else PromptSet("", ()))
    load(frame, draft)
    return draft


def load(frame: pd.DataFrame, draft: Draft) -> None:
    """Put a set's table and draft into the editor, which starts over from them."""
    state.put(state.EVALS_DRAFT, draft)
    state.put(state.EVALS_EDITED, frame)
    state.put(state.EVALS_TABLE_BASE, frame)
    for key in (state.EVALS_TABLE_INPUT, state.EVALS_NAME_INPUT, state.EVALS_DESCRIPTION_INPUT, state.EVALS_ROW_INPUT):
        st.session_state.pop(key, None)


def refresh_table() -> None:
    """The table starts over from its last edits, its extras cell saying what the draft holds now (callbacks)."""
    draft: Draft | None = state.get(state.EVALS_DRAFT)
    edited: pd.DataFrame | None = state.get(state.EVALS_EDITED)
    if draft is None or edited is None:
        return
    shown = editor.refresh_extras(edited, draft)
    state.put(state.EVALS_EDITED, shown)
    state.put(state.EVALS_TABLE_BASE, shown)
    st.session_state.pop(state.EVALS_TABLE_INPUT, None)


def column_config() -> dict[str, Any]:
    return {
        editor.PROMPT: st.column_config.TextColumn(
            t("evals.col_prompt"), width="large", help=t("evals.col_prompt_help")
        ),
        editor.TAGS: st.column_config.TextColumn(t("evals.col_tags"), help=t("evals.col_tags_help")),
        editor.SYSTEM: st.column_config.TextColumn(t("evals.col_system"), help=t("evals.col_system_help")),
        editor.EXPECTED: st.column_config.TextColumn(t("evals.col_expected"), help=t("evals.col_expected_help")),
        editor.CONTAINS_COLUMN: st.column_config.TextColumn(t("evals.col_contains"), help=t("evals.col_contains_help")),
        editor.NOT_CONTAINS_COLUMN: st.column_config.TextColumn(
            t("evals.col_not_contains"), help=t("evals.col_not_contains_help")
        ),
        editor.REGEX_COLUMN: st.column_config.TextColumn(t("evals.col_regex"), help=t("evals.col_regex_help")),
        editor.JSON_COLUMN: st.column_config.CheckboxColumn(t("evals.col_json"), help=t("evals.col_json_help")),
        editor.MAX_TOKENS_COLUMN: st.column_config.NumberColumn(
            t("evals.col_max_tokens"), min_value=1, step=1, format="%d", help=t("evals.col_max_tokens_help")
        ),
        editor.MAX_SECONDS_COLUMN: st.column_config.NumberColumn(
            t("evals.col_max_seconds"), min_value=0.1, step=0.1, help=t("evals.col_max_seconds_help")
        ),
        editor.EXTRAS: st.column_config.TextColumn(t("evals.col_extras"), help=t("evals.col_extras_help")),
    }


def edit(store: EvalStore, draft: Draft, stored: PromptSet | None) -> None:
    """The open set: its name and description, the table, the picked prompt's extras, and the set's actions."""
    st.session_state.setdefault(state.EVALS_NAME_INPUT, draft.name)
    st.session_state.setdefault(state.EVALS_DESCRIPTION_INPUT, draft.description)
    name_column, description_column = st.columns([2, 3])
    draft.name = name_column.text_input(
        t("evals.set_name"), key=state.EVALS_NAME_INPUT, placeholder=t("evals.set_name_placeholder")
    )
    draft.description = description_column.text_input(t("evals.set_description"), key=state.EVALS_DESCRIPTION_INPUT)
    if state.EVALS_TABLE_INPUT not in st.session_state:
        state.put(state.EVALS_TABLE_BASE, state.get(state.EVALS_EDITED))
    st.caption(t("evals.table_help"))
    edited: pd.DataFrame = st.data_editor(
        state.get(state.EVALS_TABLE_BASE),
        key=state.EVALS_TABLE_INPUT,
        num_rows="dynamic",
        hide_index=True,
        column_config=column_config(),
        column_order=COLUMN_ORDER,
        disabled=[editor.EXTRAS],
    )
    editor.prune(edited, draft)
    state.put(state.EVALS_EDITED, edited)
    prompt_details(edited, draft)
    built = editor.build(edited, draft)
    for problem in built.problems:
        st.error(problem, icon=":material/error:")
    problems = list(built.problems)
    if not draft.name.strip():
        problems.insert(0, t("evals.set_needs_name"))
    if not built.prompts:
        problems.insert(0, t("evals.set_needs_prompt"))
    current = PromptSet(draft.name.strip(), built.prompts, draft.description.strip(), id=draft.set_id)
    actions(store, draft, current, stored, problems)


def prompt_details(edited: pd.DataFrame, draft: Draft) -> None:
    """The picked prompt's JSON schema, images and other checks."""
    rows = [editor.row_number(row_id) for row_id in edited.index]
    if not rows:
        return
    positions = {row_id: position for position, row_id in enumerate(rows, start=1)}
    texts = {editor.row_number(row_id): editor.cell_text(text) for row_id, text in edited[editor.PROMPT].items()}
    # Worded now, in the script run: AppTest calls format_func outside it too.
    row_names = {row: f"{positions[row]}. {labels.short(texts[row]) or t_plain('evals.row_empty')}" for row in rows}
    if st.session_state.get(state.EVALS_ROW_INPUT) not in positions:
        st.session_state[state.EVALS_ROW_INPUT] = rows[0]
    with st.container(border=True):
        row_id: int = st.selectbox(
            t("evals.row_pick"),
            rows,
            format_func=row_names.__getitem__,
            key=state.EVALS_ROW_INPUT,
            help=t("evals.row_pick_help"),
        )
        extras = draft.extras.get(row_id, Extras())
        schema_column, images_column = st.columns(2, gap="large")
        with schema_column:
            schema_key = f"{state.EVALS_SCHEMA_INPUT}_{row_id}"
            st.session_state.setdefault(schema_key, extras.schema_text)
            st.text_area(
                t("evals.schema"),
                key=schema_key,
                height=200,
                help=t("evals.schema_help"),
                on_change=take_schema,
                args=(row_id, schema_key),
            )
        with images_column:
            images(row_id, extras)
        other_checks(row_id, extras)


def take_schema(row_id: int, key: str) -> None:
    draft: Draft | None = state.get(state.EVALS_DRAFT)
    if draft is None:
        return
    draft.extras[row_id] = replace(draft.extras.get(row_id, Extras()), schema_text=st.session_state.get(key) or "")
    refresh_table()


def images(row_id: int, extras: Extras) -> None:
    round_key = f"{state.EVALS_IMAGES_INPUT}_{state.get(state.EVALS_UPLOAD_ROUND)}"
    st.file_uploader(
        t("evals.images"),
        type=IMAGE_TYPES,
        accept_multiple_files=True,
        key=round_key,
        on_change=take_images,
        args=(row_id, round_key),
        help=t("evals.images_help"),
    )
    problem = state.get(state.EVALS_IMAGE_PROBLEM)
    if problem:
        st.error(problem, icon=":material/broken_image:")
    for number, image in enumerate(extras.images):
        picture, remove = st.columns([4, 1], vertical_alignment="center")
        try:
            picture.image(base64.b64decode(image), width=120)
        except (ValueError, TypeError):
            picture.caption(t("evals.image_unreadable", number=number + 1))
        remove.button(
            t("evals.remove"),
            icon=":material/delete:",
            key=f"evals_remove_image_{row_id}_{number}",
            on_click=drop_image,
            args=(row_id, number),
        )


def take_images(row_id: int, key: str) -> None:
    """The files just uploaded, checked as pictures, added to the row (the uploader's callback)."""
    draft: Draft | None = state.get(state.EVALS_DRAFT)
    uploads = st.session_state.get(key) or []
    state.put(state.EVALS_UPLOAD_ROUND, (state.get(state.EVALS_UPLOAD_ROUND) or 0) + 1)
    state.put(state.EVALS_IMAGE_PROBLEM, None)
    if draft is None:
        return
    extras = draft.extras.get(row_id, Extras())
    added = list(extras.images)
    for upload in uploads:
        encoded = base64.b64encode(upload.getvalue()).decode("ascii")
        try:
            validation.image_bytes(encoded)
        except validation.Invalid as error:
            state.put(
                state.EVALS_IMAGE_PROBLEM,
                t("evals.image_refused", name=upload.name, problem=validation.describe(error.problem)),
            )
            continue
        added.append(encoded)
    if len(added) > sets.MAX_IMAGES:
        state.put(state.EVALS_IMAGE_PROBLEM, t("evals.too_many_images", limit=sets.MAX_IMAGES))
        added = added[: sets.MAX_IMAGES]
    draft.extras[row_id] = replace(extras, images=tuple(added))
    refresh_table()


def drop_image(row_id: int, number: int) -> None:
    draft: Draft | None = state.get(state.EVALS_DRAFT)
    if draft is None:
        return
    extras = draft.extras.get(row_id, Extras())
    kept = tuple(image for index, image in enumerate(extras.images) if index != number)
    draft.extras[row_id] = replace(extras, images=kept)
    refresh_table()


def other_checks(row_id: int, extras: Extras) -> None:
    """The row's checks its cells cannot show (a second pattern, a text holding ``;``), each removable."""
    if not extras.other_checks:
        return
    st.caption(t("evals.other_checks"))
    for number, check in enumerate(extras.other_checks):
        text, remove = st.columns([4, 1], vertical_alignment="center")
        text.markdown(check_text(check))
        remove.button(
            t("evals.remove"),
            icon=":material/delete:",
            key=f"evals_remove_check_{row_id}_{number}",
            on_click=drop_check,
            args=(row_id, number),
        )


def drop_check(row_id: int, number: int) -> None:
    draft: Draft | None = state.get(state.EVALS_DRAFT)
    if draft is None:
        return
    extras = draft.extras.get(row_id, Extras())
    kept = tuple(check for index, check in enumerate(extras.other_checks) if index != number)
    draft.extras[row_id] = replace(extras, other_checks=kept)
    refresh_table()


def unchanged(current: PromptSet, stored: PromptSet | None) -> bool:
    if stored is None:
        return False
    same_text = (current.name, current.description) == (stored.name, stored.description)
    return same_text and editor.same_prompts(current.prompts, stored.prompts)


def actions(store: EvalStore, draft: Draft, current: PromptSet, stored: PromptSet | None, problems: list[str]) -> None:
    """Save, the exports of the set as it is now, and Delete."""
    if state.get(state.EVALS_CONFIRM) == ("set", draft.set_id) and stored is not None:
        confirm_delete(store, stored)
        return
    saved_now = unchanged(current, stored)
    save_column, csv_column, jsonl_column, delete_column = st.columns([2, 2, 2, 2], vertical_alignment="center")
    if save_column.button(
        t("evals.save"),
        type="primary",
        icon=":material/save:",
        key="evals_save",
        disabled=saved_now,
        width="stretch",
        help=t("evals.saved_already") if saved_now else None,
    ):
        save(store, draft, current, problems)
    exports(current, problems, csv_column, jsonl_column)
    busy = stored is not None and progress_view.running_set() == stored.id  # its run would lose where it saves
    if stored is not None and delete_column.button(
        t("evals.delete_set"),
        icon=":material/delete:",
        key="evals_delete_set",
        width="stretch",
        disabled=busy,
        help=t("evals.delete_set_busy") if busy else None,
    ):
        state.put(state.EVALS_CONFIRM, ("set", stored.id))
        st.rerun()
    if stored is not None and not saved_now:
        st.caption(t("evals.unsaved_changes"))


def save(store: EvalStore, draft: Draft, current: PromptSet, problems: list[str]) -> None:
    if problems:
        st.error(t("evals.not_saved", problem=problems[0]), icon=":material/block:")
        return
    try:
        set_id = store.save_set(current)
    except NotFound:
        set_id = None
    except StoreFailed as error:
        st.error(message_of(error), icon=":material/database:")
        return
    if set_id is None:  # deleted meanwhile (another tab): saved again as a new set
        try:
            set_id = store.save_set(replace(current, id=None))
        except StoreFailed as error:
            st.error(message_of(error), icon=":material/database:")
            return
    draft.set_id = set_id
    state.put(state.EVALS_OPEN_SET, set_id)
    state.put(state.EVALS_NOTICE, ("success", t("evals.set_saved", name=current.name, n=len(current.prompts))))
    st.rerun()


def exports(current: PromptSet, problems: list[str], csv_column: Any, jsonl_column: Any) -> None:
    """The set as it is now, as CSV and JSONL (what :mod:`lib.evals.sets` reads back as the same prompts)."""
    stem = _file_stem(current.name)
    csv_text, csv_problem = "", problems[0] if problems else None
    if not problems:
        try:
            csv_text = sets.to_csv(current)
        except sets.SetProblem as problem:
            csv_problem = t("evals.csv_cannot_hold", problem=sets.describe(problem))
    csv_column.download_button(
        t("evals.export_csv"),
        csv_text,
        file_name=f"{stem}.csv",
        mime="text/csv",
        icon=":material/download:",
        key="evals_export_csv",
        disabled=csv_problem is not None,
        help=csv_problem,
        width="stretch",
    )
    jsonl_column.download_button(
        t("evals.export_jsonl"),
        sets.to_jsonl(current) if not problems else "",
        file_name=f"{stem}.jsonl",
        mime="application/jsonl",
        icon=":material/download:",
        key="evals_export_jsonl",
        disabled=bool(problems),
        help=problems[0] if problems else None,
        width="stretch",
    )


def _file_stem(name: str) -> str:
    """A file name from a set's name: letters, digits (any script), ``-`` and ``_``; "prompt-set" if none."""
    stem = "".join(character if character.isalnum() or character in "-_" else "-" for character in name.strip())
    return stem.strip("-")[:60] or "prompt-set"


def confirm_delete(store: EvalStore, stored: PromptSet) -> None:
    try:
        runs = len(store.runs(stored.id))
    except StoreFailed:
        runs = 0
    st.warning(t("evals.delete_set_confirm", name=stored.name, n=runs), icon=":material/delete:")
    yes, no, _rest = st.columns([2, 2, 6])
    if yes.button(t("evals.delete"), type="primary", key="evals_delete_set_yes", width="stretch"):
        state.put(state.EVALS_CONFIRM, None)
        try:
            store.delete_set(stored.id or 0)
        except StoreFailed as error:
            state.put(state.EVALS_NOTICE, ("error", message_of(error)))
        else:
            state.put(state.EVALS_NOTICE, ("success", t("evals.set_deleted", name=stored.name)))
            state.put(state.EVALS_DRAFT, None)
            state.put(state.EVALS_OPEN_SET, NEW)
        st.rerun()
    if no.button(t("evals.cancel"), key="evals_delete_set_no", width="stretch"):
        state.put(state.EVALS_CONFIRM, None)
        st.rerun()


def listing(saved: list[PromptSet]) -> None:
    """The visitor's sets, the latest changed first."""
    if not saved:
        st.info(t("evals.no_sets"), icon=":material/playlist_add:")
        return
    with st.expander(t("evals.my_sets", n=len(saved)), icon=":material/list:"):
        rows = [
            {
                "name": prompt_set.name,
                "prompts": len(prompt_set.prompts),
                "tags": ", ".join(sorted({tag for prompt in prompt_set.prompts for tag in prompt.tags})),
                "updated": date_time(datetime.fromtimestamp(prompt_set.updated_at)) if prompt_set.updated_at else "",
            }
            for prompt_set in saved
        ]
        st.dataframe(
            pd.DataFrame(rows),
            hide_index=True,
            column_config={
                "name": st.column_config.TextColumn(t("evals.set_name")),
                "prompts": st.column_config.NumberColumn(t("evals.col_prompts")),
                "tags": st.column_config.TextColumn(t("evals.col_tags")),
                "updated": st.column_config.TextColumn(t("evals.col_updated")),
            },
        )


def import_section(store: EvalStore) -> None:
    with st.expander(t("evals.import"), icon=":material/upload_file:"):
        st.markdown(t("evals.import_help"))
        key = f"{state.EVALS_IMPORT_INPUT}_{state.get(state.EVALS_UPLOAD_ROUND)}"
        st.file_uploader(t("evals.import_label"), type=IMPORT_TYPES, key=key, on_change=import_file, args=(store, key))
        problem = state.get(state.EVALS_IMPORT_PROBLEM)
        if problem:
            st.error(problem, icon=":material/error:")


def import_file(store: EvalStore, key: str) -> None:
    """Read the uploaded file as a set and save it as a new one, opened in the editor (the uploader's callback)."""
    upload = st.session_state.get(key)
    if upload is None:
        return
    state.put(state.EVALS_UPLOAD_ROUND, (state.get(state.EVALS_UPLOAD_ROUND) or 0) + 1)
    state.put(state.EVALS_IMPORT_PROBLEM, None)
    path = Path(upload.name)
    read = sets.from_csv if path.suffix.lower() == ".csv" else sets.from_jsonl
    try:
        imported = read(upload.getvalue(), path.stem)
    except sets.SetProblem as problem:
        state.put(
            state.EVALS_IMPORT_PROBLEM, t("evals.import_failed", name=upload.name, problem=sets.describe(problem))
        )
        return
    add(store, imported)


def add(store: EvalStore, prompt_set: PromptSet) -> None:
    """Save ``prompt_set`` as a new set of the visitor's and open it (an import, an example)."""
    try:
        set_id = store.save_set(replace(prompt_set, id=None))
    except StoreFailed as error:
        state.put(state.EVALS_NOTICE, ("error", message_of(error)))
        return
    state.put(state.EVALS_OPEN_SET, set_id)
    state.put(state.EVALS_DRAFT, None)
    state.put(state.EVALS_NOTICE, ("success", t("evals.set_added", name=prompt_set.name, n=len(prompt_set.prompts))))


def examples_section(store: EvalStore, saved: list[PromptSet]) -> None:
    """The three example sets, each offered to add to the visitor's sets."""
    st.subheader(t("evals.examples"), anchor=False)
    names = {prompt_set.name for prompt_set in saved}
    for index, example in enumerate(sets.examples()):
        with st.container(border=True):
            text, button = st.columns([5, 2], vertical_alignment="center")
            text.markdown(t("evals.example_heading", name=example.name, n=len(example.prompts)))
            text.caption(t("evals.example_about", about=example.description))
            button.button(
                t("evals.example_added") if example.name in names else t("evals.example_add"),
                icon=":material/add:",
                key=f"evals_example_{index}",
                on_click=add,
                args=(store, example),
                disabled=example.name in names,
                width="stretch",
            )
