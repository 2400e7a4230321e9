"""The preset picker at the top of every parameters panel: pick a preset to fill the panel, save, rename, delete.

Picking fills the panel's widgets in the select box's ``on_change``, which runs before the page is
drawn again, so the number fields show the preset's values at once. The choice stays shown; once a
field is changed by hand the picker says so ("changed"), and "Save" under the same name updates the
preset. Built-in presets are offered to everyone and can be neither renamed nor deleted.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from lib.i18n import t, t_plain
from lib.library import mine
from lib.library.store import Full, LibraryStore, NameTaken, NotFound, StoreFailed, StoreUnavailable, TooLarge
from lib.presets.presets import Preset, built_in, clean_name, from_document, from_panel, matches

KIND = "preset"
WidgetKey = Callable[[str], str]  # a parameter's name -> its widget's key in this panel


def saved_presets(store: LibraryStore) -> list[Preset]:
    """The owner's presets, cleaned (see :mod:`lib.presets.presets`)."""
    return [from_document(str(item.id), item.name, item.body) for item in store.items(KIND)]


def draw(prefix: str, names: tuple[str, ...], widget_key: WidgetKey, *, keep_alive: bool) -> None:
    """The picker for the panel under ``prefix`` whose fields are ``names``; call before the fields are drawn."""
    problem: str | None = None
    store: LibraryStore | None = None
    saved: list[Preset] = []
    try:
        store = mine.visitor_store()
        saved = saved_presets(store)
    except (StoreUnavailable, StoreFailed) as error:
        problem = str(error)
    presets = {preset.id: preset for preset in (*built_in(), *saved)}
    key = _key(prefix, "choice")
    if st.session_state.get(key) not in presets:
        st.session_state.pop(key, None)
    left, right = st.columns([2, 1], vertical_alignment="bottom")
    chosen_id = left.selectbox(
        t("presets.preset"),
        list(presets),
        index=None,
        placeholder=t_plain("presets.none"),
        format_func=lambda preset_id: _label(presets[preset_id]),
        key=key,
        help=t("presets.preset_help"),
        on_change=_apply,
        args=(prefix, names, widget_key, presets),
    )
    chosen = presets.get(chosen_id) if chosen_id is not None else None
    with right.popover(t("presets.manage"), icon=":material/bookmarks:", width="stretch"):
        _manage(prefix, names, widget_key, store, chosen, keep_alive=keep_alive)
    values = {name: st.session_state.get(widget_key(name)) for name in names}
    if chosen is not None and not matches(chosen, values):
        st.caption(t("presets.changed", name=chosen.name))
    notice = st.session_state.pop(_key(prefix, "notice"), None)
    if notice is not None:
        (st.success if notice[0] == "ok" else st.warning)(notice[1], icon=":material/bookmarks:")
    if problem is not None:
        st.caption(problem)


def forget(prefix: str) -> None:
    """No preset chosen any more: the panel under ``prefix`` was filled otherwise (a saved chat's parameters)."""
    st.session_state.pop(_key(prefix, "choice"), None)


def _label(preset: Preset) -> str:
    return t_plain("presets.built_in_label", name=preset.name) if preset.built_in else preset.name


def _apply(prefix: str, names: tuple[str, ...], widget_key: WidgetKey, presets: dict[str, Preset]) -> None:
    preset = presets.get(st.session_state.get(_key(prefix, "choice")) or "")
    if preset is None:
        return
    for name, value in preset.panel_values().items():
        if name in names:
            st.session_state[widget_key(name)] = value
    st.session_state[_key(prefix, "name")] = "" if preset.built_in else preset.name


def _manage(
    prefix: str,
    names: tuple[str, ...],
    widget_key: WidgetKey,
    store: LibraryStore | None,
    chosen: Preset | None,
    *,
    keep_alive: bool,
) -> None:
    if store is None:
        st.caption(t("presets.cannot_save"))
        return
    st.text_input(
        t("presets.name"), key=_key(prefix, "name"), max_chars=60, placeholder=t_plain("presets.name_placeholder")
    )
    st.button(
        t("presets.save"),
        icon=":material/bookmark_add:",
        key=_key(prefix, "save"),
        on_click=_save,
        args=(prefix, names, widget_key, store, keep_alive),
        help=t("presets.save_help"),
    )
    if chosen is None:
        return
    if chosen.built_in:
        st.caption(t("presets.built_in_fixed"))
        return
    st.button(
        t("presets.rename", name=chosen.name),
        icon=":material/edit:",
        key=_key(prefix, "rename"),
        on_click=_rename,
        args=(prefix, store, chosen),
    )
    st.button(
        t("presets.delete", name=chosen.name),
        icon=":material/delete:",
        key=_key(prefix, "delete"),
        on_click=_delete,
        args=(prefix, store, chosen),
    )


def _built_in_name(name: str) -> bool:
    """A name a built-in preset has in the session's language (two presets called "Precise" could not be told apart)."""
    return name.casefold() in {preset.name.casefold() for preset in built_in()}


def _save(prefix: str, names: tuple[str, ...], widget_key: WidgetKey, store: LibraryStore, keep_alive: bool) -> None:
    name = clean_name(st.session_state.get(_key(prefix, "name")))
    if not name:
        _notice(prefix, "warn", t("presets.name_missing"))
        return
    if _built_in_name(name):
        _notice(prefix, "warn", t("presets.name_built_in", name=name))
        return
    values = {name: st.session_state.get(widget_key(name)) for name in names}
    preset = from_panel(name, values, with_keep_alive=keep_alive)
    saved_ids: list[int] = []
    if _store_call(prefix, lambda: saved_ids.append(store.save(KIND, name, preset.document()))):
        st.session_state[_key(prefix, "choice")] = str(saved_ids[0])
        _notice(prefix, "ok", t("presets.saved", name=name))


def _rename(prefix: str, store: LibraryStore, chosen: Preset) -> None:
    name = clean_name(st.session_state.get(_key(prefix, "name")))
    if not name:
        _notice(prefix, "warn", t("presets.name_missing"))
    elif _built_in_name(name):
        _notice(prefix, "warn", t("presets.name_built_in", name=name))
    elif _store_call(prefix, lambda: store.rename(KIND, int(chosen.id), name)):
        _notice(prefix, "ok", t("presets.renamed", old=chosen.name, name=name))


def _delete(prefix: str, store: LibraryStore, chosen: Preset) -> None:
    if _store_call(prefix, lambda: store.delete(KIND, int(chosen.id))):
        st.session_state.pop(_key(prefix, "choice"), None)
        st.session_state.pop(_key(prefix, "name"), None)
        _notice(prefix, "ok", t("presets.deleted", name=chosen.name))


def _store_call(prefix: str, call: Callable[[], object]) -> bool:
    """Whether ``call()`` went through; when not, its failure is put into a sentence for the next run."""
    try:
        call()
        return True
    except NameTaken as error:
        _notice(prefix, "warn", t("presets.name_taken", name=str(error)))
    except NotFound:
        _notice(prefix, "warn", t("presets.gone"))
    except Full:
        _notice(prefix, "warn", t("presets.full"))
    except TooLarge:
        _notice(prefix, "warn", t("presets.too_large"))
    except (StoreUnavailable, StoreFailed) as error:
        _notice(prefix, "warn", str(error))
    return False


def _notice(prefix: str, kind: str, text: str) -> None:
    st.session_state[_key(prefix, "notice")] = (kind, text)


def _key(prefix: str, what: str) -> str:
    return f"{prefix}_preset_{what}"
