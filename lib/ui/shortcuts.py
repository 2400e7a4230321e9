"""Keyboard shortcuts, and the sidebar's list of them.

Most are Streamlit's own button ``shortcut=`` (its frontend listens for the keys while the button is
on the page, even while the focus is in a text field, as long as a modifier is held): New chat and
Regenerate on their buttons, and a page switch on a hidden button per page in the sidebar, which
calls ``st.switch_page``. Every one uses Alt+Shift (Option+Shift on a Mac): browsers and operating
systems keep Ctrl/Cmd+T, W, N, L, Tab and the like for themselves, and Alt+digit switches tabs in
Chrome on Linux; Streamlit reserves C and R.

Two cannot be buttons: focusing the chat box, which no widget can do, and Stop, which is the chat
box's own stop button (no widget either) or, for answers started by a button, a Stop button that
exists only while that answer streams. A small constant script of ours does both: ``/`` (outside a
text field) focuses the chat box, Esc clicks whichever stop button is on the page, unless a popover,
dialog or menu is open (Escape closes that, and must not stop an answer or a file being indexed
behind it). It holds no text a user or a model wrote.
"""

from __future__ import annotations

import streamlit as st

from lib import state
from lib.i18n import Markdown, code, markdown, t
from lib.ui import navigation

NEW_CHAT = "Alt+Shift+N"
REGENERATE = "Alt+Shift+G"
FOCUS_CHAT = "/"
STOP = "Esc"
PAGES_KEY = "shortcut_pages"  # the container of the hidden page buttons

_SCRIPT = """<script>(() => {
  if (window.__ollamaStudioKeys) return;
  window.__ollamaStudioKeys = true;
  const STOPS = '[data-testid="stChatInputStopButton"], .st-key-%(stop)s button, .st-key-generate_stop_live button';
  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    const typing = event.target instanceof Element
      && event.target.closest('textarea, input, select, [contenteditable="true"]');
    if (event.key === '/' && !typing) {
      const box = document.querySelector('[data-testid="stChatInput"] textarea');
      if (box && !box.disabled) { event.preventDefault(); box.focus(); }
    } else if (event.key === 'Escape') {
      // An open popover, dialog or menu takes Escape to close itself: nothing is stopped then.
      if (document.querySelector('[data-testid="stPopoverBody"], [role="dialog"], [role="listbox"]')) return;
      const stop = document.querySelector(STOPS);
      if (stop && !stop.disabled) { event.preventDefault(); stop.click(); }
    }
  }, {capture: true});
})();</script>
<style>.st-key-%(pages)s, [data-testid="stLayoutWrapper"]:has(> .st-key-%(pages)s) { display: none; }</style>"""


def page_shortcut(position: int) -> str:
    """The keys of the menu's ``position``-th page (from 1)."""
    return f"Alt+Shift+{position}"


def script() -> str:
    return _SCRIPT % {"stop": state.CHAT_STOP_BUTTON, "pages": PAGES_KEY}


def render() -> None:
    """In the sidebar: the script, the hidden page buttons and the help popover. Call inside ``st.sidebar``."""
    st.html(script(), unsafe_allow_javascript=True)
    pages = navigation.pages()[:9]
    with st.container(key=PAGES_KEY):
        for position, page in enumerate(pages, start=1):
            if st.button(
                t("shortcuts.open_page", page=page.title),
                key=f"{PAGES_KEY}_{position}",
                shortcut=page_shortcut(position),
            ):
                st.switch_page(page)
    with st.popover(t("shortcuts.title"), icon=":material/keyboard:", width="stretch"):
        st.markdown(help_table([page.title for page in pages], on_mac()))


def on_mac() -> bool:
    """Whether the browser says it runs on a Mac (then Alt is Option), from the request's User-Agent."""
    agent = st.context.headers.get("User-Agent") or ""
    return "Macintosh" in agent or "Mac OS X" in agent


def keys_label(keys: str, mac: bool) -> str:
    """``Alt+Shift+N`` as people press it: ``⌥ Option + ⇧ Shift + N`` on a Mac."""
    if mac:
        keys = keys.replace("Alt", "⌥ Option").replace("Shift", "⇧ Shift")
    return keys


def help_table(page_titles: list[str], mac: bool) -> Markdown:
    """The shortcuts as a Markdown table: the keys in code spans, what they do worded in the session's language."""
    rows = [
        (NEW_CHAT, t("shortcuts.new_chat")),
        (REGENERATE, t("shortcuts.regenerate")),
        (STOP, t("shortcuts.stop")),
        (FOCUS_CHAT, t("shortcuts.focus_chat")),
        *(
            (page_shortcut(position), t("shortcuts.open_page", page=title))
            for position, title in enumerate(page_titles, 1)
        ),
    ]
    lines = [f"| {t('shortcuts.keys')} | {t('shortcuts.action')} |", "|---|---|"]
    lines += [f"| {code(keys_label(keys, mac))} | {what} |" for keys, what in rows]
    return markdown("\n".join(lines))
