"""The "Prompts" popover beside each place a prompt is typed: pick a saved prompt, fill its variables, use it.

Each text field that takes prompts gets one (the Chat box, the system prompt fields of Chat and
Generate, Generate's prompt), offering the saved prompts of its role (system or user). Picking a
prompt with ``{{variables}}`` shows one field per variable, holding the values last used with that
prompt (kept with the prompt, so they are there next time too); **Use** puts the filled prompt into
the field, and beside the Chat box **Send** asks it at once. A variable left empty is named and
nothing is filled. Under **Library**: add or replace a prompt, delete one, export the library as a
JSON file and import one.

Every action runs as a button's ``on_click``, before the page is drawn again, so the field it
fills shows the text in the same run.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from streamlit.elements.widgets.chat import ChatInputValue

from lib.i18n import escape, t, t_plain
from lib.library import mine
from lib.library.store import Full, LibraryStore, NotFound, StoreFailed, StoreUnavailable, TooLarge
from lib.presets.presets import clean_name
from lib.prompts.library import (
    KIND,
    ROLES,
    SYSTEM,
    USER,
    ImportProblem,
    Prompt,
    clean_values,
    export_json,
    from_document,
    parse_import,
)
from lib.prompts.template import fill

EXPORT_FILE = "prompts.json"
# ImportProblem.key -> its sentence (each catalog key a literal, so the catalog check sees it)
_IMPORT_PROBLEMS: dict[str, Callable[..., str]] = {
    "import_not_json": lambda: t("prompts.import_not_json"),
    "import_not_library": lambda: t("prompts.import_not_library"),
    "import_too_many": lambda n, limit: t("prompts.import_too_many", n=n, limit=limit),
    "import_bad_entry": lambda number: t("prompts.import_bad_entry", number=number),
    "import_too_long": lambda number, limit: t("prompts.import_too_long", number=number, limit=limit),
    "import_bad_role": lambda number: t("prompts.import_bad_role", number=number),
}


def saved_prompts(store: LibraryStore) -> list[Prompt]:
    prompts = [from_document(item.id, item.name, item.body) for item in store.items(KIND)]
    return [prompt for prompt in prompts if prompt is not None]


def popover(role: str, target_key: str, where: str, *, send_key: str | None = None) -> None:
    """The popover for the field under ``target_key`` (prompts of ``role``); ``where`` names its widgets.

    ``send_key``: beside a chat box, where **Send** leaves the filled prompt for :func:`take_sent`.
    """
    label = t("prompts.system_prompts") if role == SYSTEM else t("prompts.prompts")
    with st.popover(label, icon=":material/library_books:", key=_key(where, "popover"), on_change="rerun"):
        _content(role, target_key, where, send_key)


def take_sent(send_key: str) -> ChatInputValue | None:
    """The prompt **Send** left for the chat box, as the chat box gives one (no files); once."""
    text = st.session_state.pop(send_key, None)
    return ChatInputValue(text=text, files=[], _include_files=True) if isinstance(text, str) and text else None


def _content(role: str, target_key: str, where: str, send_key: str | None) -> None:
    try:
        store = mine.visitor_store()
        prompts = saved_prompts(store)
    except (StoreUnavailable, StoreFailed) as error:
        st.caption(str(error))
        return
    offered = {prompt.id: prompt for prompt in prompts if prompt.role == role}
    key = _key(where, "choice")
    if st.session_state.get(key) not in offered:
        st.session_state.pop(key, None)
    chosen_id = st.selectbox(
        t("prompts.saved_prompt"),
        list(offered),
        index=None,
        placeholder=t_plain("prompts.choose" if offered else "prompts.none_yet"),
        format_func=lambda prompt_id: offered[prompt_id].name,
        key=key,
    )
    chosen = offered.get(chosen_id) if chosen_id is not None else None
    if chosen is not None:
        _fill_form(store, chosen, target_key, where, send_key)
    _notice_shown(where)
    with st.expander(t("prompts.library"), icon=":material/edit_note:"):
        _library(store, prompts, role, chosen, where)


def _fill_form(store: LibraryStore, prompt: Prompt, target_key: str, where: str, send_key: str | None) -> None:
    with st.container(height=120 if len(prompt.text) > 300 else "content", border=True):
        st.text(prompt.text)
    for name in prompt.variables:
        field_key = _variable_key(where, prompt, name)
        st.session_state.setdefault(field_key, prompt.values.get(name, ""))
        st.text_input(escape(name), key=field_key)  # a label is Markdown: "_x_" is a name, not emphasis
    buttons = st.container(horizontal=True)
    buttons.button(
        t("prompts.use"),
        icon=":material/input:",
        key=_key(where, "use"),
        on_click=_use,
        args=(store, prompt, where, target_key),
        help=t("prompts.use_help"),
    )
    if send_key is not None:
        buttons.button(
            t("prompts.send"),
            icon=":material/send:",
            type="primary",
            key=_key(where, "send"),
            on_click=_use,
            args=(store, prompt, where, send_key),
        )


def _use(store: LibraryStore, prompt: Prompt, where: str, target_key: str) -> None:
    values = {name: st.session_state.get(_variable_key(where, prompt, name)) or "" for name in prompt.variables}
    filled = fill(prompt.text, values)
    if not filled.complete:
        _notice(where, "warn", t("prompts.fill_in", names=", ".join(filled.missing)))
        return
    st.session_state[target_key] = filled.text
    st.session_state[_key(where, "popover")] = False  # closed: the filled prompt is in its field, or on its way
    remembered = clean_values(values)
    if prompt.id is not None and remembered != prompt.values:
        try:  # remembering the values is a convenience: a failure to save them must not lose the prompt
            store.update(
                KIND, prompt.id, Prompt(prompt.id, prompt.name, prompt.role, prompt.text, remembered).document()
            )
        except (NotFound, TooLarge, StoreUnavailable, StoreFailed):
            return


def _library(store: LibraryStore, prompts: list[Prompt], role: str, chosen: Prompt | None, where: str) -> None:
    st.text_input(t("prompts.name"), key=_key(where, "name"), max_chars=60)
    st.session_state.setdefault(_key(where, "role"), role)
    st.segmented_control(
        t("prompts.role"),
        list(ROLES),
        format_func=lambda value: t_plain("prompts.role_system" if value == SYSTEM else "prompts.role_user"),
        key=_key(where, "role"),
        required=True,
    )
    st.text_area(t("prompts.text"), key=_key(where, "text"), height=120, help=t("prompts.text_help"))
    row = st.container(horizontal=True)
    row.button(t("prompts.save"), icon=":material/save:", key=_key(where, "save"), on_click=_save, args=(store, where))
    if chosen is not None:
        row.button(
            t("prompts.edit", name=chosen.name),
            icon=":material/edit:",
            key=_key(where, "edit"),
            on_click=_edit,
            args=(chosen, where),
        )
        row.button(
            t("prompts.delete", name=chosen.name),
            icon=":material/delete:",
            key=_key(where, "delete"),
            on_click=_delete,
            args=(store, chosen, where),
        )
    # The file and its box only on request: a page has up to four of these popovers, drawn even while closed.
    if st.toggle(t("prompts.files"), key=_key(where, "importing")):
        st.download_button(
            t("prompts.export"),
            export_json(prompts),
            file_name=EXPORT_FILE,
            mime="application/json",
            icon=":material/download:",
            key=_key(where, "export"),
            disabled=not prompts,
            on_click="ignore",
        )
        st.file_uploader(
            t("prompts.import_file"), type=["json"], key=_key(where, "file"), help=t("prompts.import_help")
        )
        st.button(t("prompts.import_button"), key=_key(where, "import"), on_click=_import, args=(store, where))


def _edit(prompt: Prompt, where: str) -> None:
    st.session_state[_key(where, "name")] = prompt.name
    st.session_state[_key(where, "role")] = prompt.role
    st.session_state[_key(where, "text")] = prompt.text


def _save(store: LibraryStore, where: str) -> None:
    name = clean_name(st.session_state.get(_key(where, "name")))
    text = st.session_state.get(_key(where, "text")) or ""
    role = st.session_state.get(_key(where, "role")) or USER
    if not name or not text.strip():
        _notice(where, "warn", t("prompts.name_and_text"))
        return
    if _store_call(where, lambda: store.save(KIND, name, Prompt(None, name, role, text).document())):
        _notice(where, "ok", t("prompts.saved", name=name))
        st.session_state[_key(where, "text")] = ""
        st.session_state[_key(where, "name")] = ""


def _delete(store: LibraryStore, prompt: Prompt, where: str) -> None:
    prompt_id = prompt.id
    if prompt_id is not None and _store_call(where, lambda: store.delete(KIND, prompt_id)):
        st.session_state.pop(_key(where, "choice"), None)
        _notice(where, "ok", t("prompts.deleted", name=prompt.name))


def _import(store: LibraryStore, where: str) -> None:
    upload = st.session_state.get(_key(where, "file"))
    if upload is None:
        _notice(where, "warn", t("prompts.import_no_file"))
        return
    try:
        prompts = parse_import(upload.getvalue())
    except ImportProblem as problem:
        _notice(where, "warn", _IMPORT_PROBLEMS[problem.key](**problem.values))
        return
    if _store_call(where, lambda: [store.save(KIND, prompt.name, prompt.document()) for prompt in prompts]):
        _notice(where, "ok", t("prompts.imported", n=len(prompts)))


def _store_call(where: str, call: Callable[[], object]) -> bool:
    try:
        call()
        return True
    except Full:
        _notice(where, "warn", t("prompts.full"))
    except TooLarge:
        _notice(where, "warn", t("prompts.too_large"))
    except NotFound:
        _notice(where, "warn", t("prompts.gone"))
    except (StoreUnavailable, StoreFailed) as error:
        _notice(where, "warn", str(error))
    return False


def _notice(where: str, kind: str, text: str) -> None:
    st.session_state[_key(where, "notice")] = (kind, text)


def _notice_shown(where: str) -> None:
    notice = st.session_state.pop(_key(where, "notice"), None)
    if notice is not None:
        (st.success if notice[0] == "ok" else st.warning)(notice[1], icon=":material/library_books:")


def _variable_key(where: str, prompt: Prompt, name: str) -> str:
    return f"{where}_prompt_var_{prompt.id}_{name}"


def _key(where: str, what: str) -> str:
    return f"{where}_prompt_{what}"
