"""The chat box docked at the bottom of the window, and the page following an answer as it grows.

Streamlit pins a chat box drawn at the top level of a page to the bottom of the window, but keeps
it there by checking the scroll position every 17 ms for as long as the page is open (a
``setInterval`` in its scroll-to-bottom container). While an answer streams at 50 tokens a second,
that costs the browser as much main-thread time as drawing the answer (BENCHMARKS.md).

Here the chat box sits in a container of ours, kept at the bottom of the window by a style rule
(``position: sticky``; on a page shorter than the window, at its bottom all the same). A small
constant script scrolls to the end when the page grows while the reader is at the end, once per
animation frame at most (reading the scroll position forces a layout, which a frame does once
anyway): nothing runs while nothing changes. A reader who scrolls up (wheel, touch, keys or the
scroll bar) is left where they are until they scroll back down or send a question; so is one who
clicks something above the end (a select box, an expander); a scroll that did not move up (ours,
catching up while the page kept growing) does not stop the following, and neither does a list or
popover opening in its own layer outside the page.
After the chat box's Stop, which only stops the script, the script clicks a hidden button, so that
the next run draws the stopped answer with its buttons at once.
Neither the style nor the script holds any text a user or a model wrote.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import streamlit as st

from lib import state
from lib.i18n import t
from lib.prompts import picker as prompts_picker

if TYPE_CHECKING:
    from streamlit.delta_generator import DeltaGenerator
    from streamlit.elements.widgets.chat import ChatInputValue

KEY = "chat_dock"
PROMPTS_KEY = "chat_box"  # names the widgets of the Prompts popover beside the chat box
COMPARE_PROMPTS_KEY = "compare_box"  # and beside the comparison's
REDRAW_KEY = "chat_redraw"  # a hidden button the script clicks after Stop, so the stopped answer is drawn at once
_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")
_LIGHT, _DARK = "#ffffff", "#0e1117"  # Streamlit's own page backgrounds

_SCRIPT = """<script>(() => {
  if (window.__ollamaStudioFollow) return;
  window.__ollamaStudioFollow = true;
  const scroller = () => document.querySelector('[data-testid="stMain"]');
  const docked = () => document.querySelector('.st-key-%(key)s') !== null;
  const atEnd = (el) => el.scrollHeight - el.scrollTop - el.clientHeight < 48;
  let follow = true;
  let lastTop = 0;
  document.addEventListener('scroll', (event) => {
    const el = scroller();
    if (!el || event.target !== el) return;
    follow = atEnd(el) || (follow && el.scrollTop >= lastTop);
    lastTop = el.scrollTop;
  }, {capture: true, passive: true});
  const up = () => { follow = false; };
  document.addEventListener('wheel', (event) => { if (event.deltaY < 0) up(); }, {capture: true, passive: true});
  document.addEventListener('touchmove', up, {capture: true, passive: true});
  const sent = () => { follow = true; };
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && event.target.closest('[data-testid="stChatInput"]')) sent();
    else if (['PageUp', 'ArrowUp', 'Home'].includes(event.key) && !event.target.closest('textarea, input')) up();
  }, {capture: true});
  const redraw = () => {
    const button = document.querySelector('.st-key-%(redraw)s button');
    if (button) button.click();
  };
  // A reader working with something on the page (opening an expander or a select box, or anything above the
  // end) is not taken down to the end by what that opens.
  const opener = '[data-testid="stExpander"] summary, [data-baseweb="select"], [data-testid="stPopover"]';
  document.addEventListener('pointerdown', (event) => {
    const el = scroller();
    if (!el || !el.contains(event.target) || event.target.closest('.st-key-%(key)s')) return;
    if (event.target.closest(opener) || !atEnd(el)) up();
  }, {capture: true, passive: true});
  document.addEventListener('click', (event) => {
    if (event.target.closest('[data-testid="stChatInputSubmitButton"]')) sent();
    else if (event.target.closest('[data-testid="stChatInputStopButton"]')) setTimeout(redraw, 300);
  }, {capture: true});
  let pending = false;
  const catchUp = () => {
    pending = false;
    const el = scroller();
    if (el && follow && docked() && !atEnd(el)) {
      el.scrollTop = el.scrollHeight;
      lastTop = el.scrollTop;
    }
  };
  // Only the page growing counts: a select box's list or a popover opens in a layer outside the page.
  const inPage = (record) => { const el = scroller(); return el !== null && el.contains(record.target); };
  new MutationObserver((records) => {
    if (follow && !pending && records.some(inPage)) { pending = true; requestAnimationFrame(catchUp); }
  }).observe(document.body, {childList: true, subtree: true, characterData: true});
})();</script>"""


def background(option: str | None, theme: str | None) -> str:
    """The page's background colour: the configured one when it is a plain hex colour, else Streamlit's."""
    if option and _COLOR.fullmatch(option):
        return option
    return _DARK if theme == "dark" else _LIGHT


def dock_html(color: str) -> str:
    """Our constant style rules and script; ``color`` must be a hex colour (see :func:`background`)."""
    if not _COLOR.fullmatch(color):
        raise ValueError("Not a hex colour.")
    # Streamlit wraps a container in a box of its own size, in which it could not move: that box sticks.
    # On a page shorter than the window, the page's blocks fill the window and the dock goes to its bottom.
    # No ":has(.st-key-...)" on the page's container: the browser would check it again on every change
    # inside the page (measured: about 0.05 s more main thread per 1,000 tokens at 50 tokens/s). These
    # rules hold while this style element is on the page, which is while the dock is.
    page = '[data-testid="stMainBlockContainer"]'
    return (
        f'<style>[data-testid="stLayoutWrapper"]:has(> .st-key-{KEY}), .st-key-{KEY} {{ position: sticky;'
        f" bottom: 0; z-index: 99; background-color: {color}; }}"
        f" .st-key-{KEY} {{ padding-bottom: 1.5rem; }}"
        f' [data-testid="stLayoutWrapper"]:has(> .st-key-{KEY}) {{ margin-top: auto; }}'
        f" {page} {{ padding-bottom: 0; flex: 1 0 auto; display: flex; flex-direction: column; }}"
        f' {page} > [data-testid="stVerticalBlock"] {{ flex: 1 0 auto; }}'
        f" .st-key-{REDRAW_KEY} {{ display: none; }}</style>" + _SCRIPT % {"key": KEY, "redraw": REDRAW_KEY}
    )


def dock() -> DeltaGenerator:
    """The container for the chat box, at the bottom of the window.

    Call it after making a container for the conversation, and draw the conversation into that:
    the dock must be the page's last element to stay at the bottom.
    """
    box = st.container(key=KEY)
    box.html(
        dock_html(background(st.get_option("theme.backgroundColor"), st.context.theme.type)),
        unsafe_allow_javascript=True,
    )
    # The chat box's Stop stops the script and nothing more: the answer, saved as stopped, would show
    # only after the next click. The script clicks this hidden button once the run has stopped.
    box.button(t("chat.redraw"), key=REDRAW_KEY)
    return box


def prompt_library(*, compare: bool = False) -> None:
    """The saved user prompts beside the chat box (the single chat's, or the comparison's with ``compare``):
    **Use** puts one in the box, **Send** asks it at once."""
    if compare:
        box, where, send_key = state.CHAT_COMPARE_PROMPT_INPUT, COMPARE_PROMPTS_KEY, state.CHAT_COMPARE_PROMPT_SENT
    else:
        box, where, send_key = state.CHAT_PROMPT_INPUT, PROMPTS_KEY, state.CHAT_PROMPT_SENT
    prompts_picker.popover(prompts_picker.USER, box, where, send_key=send_key)


def sent(*, compare: bool = False) -> ChatInputValue | None:
    """The saved prompt **Send** asked, in the chat box's own form, on the run after the click; else None."""
    return prompts_picker.take_sent(state.CHAT_COMPARE_PROMPT_SENT if compare else state.CHAT_PROMPT_SENT)
