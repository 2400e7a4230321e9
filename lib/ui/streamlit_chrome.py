"""Streamlit's own words inside its widgets, in the interface's language.

Streamlit 1.67 has no setting for the file uploader's "Upload" button and its "20MB per file"
hint (streamlit/streamlit#13500), so a Chinese screen would show them in English. A style sheet
of constant rules swaps them for catalog text; nothing a user or a model wrote goes into it.
"""

from __future__ import annotations

import streamlit as st

from lib import i18n
from lib.i18n import t, t_plain

_BUTTON = (
    '[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] '
    '[data-testid="stMarkdownContainer"] p'
)
_HINT = '[data-testid="stFileUploaderDropzoneInstructions"] span'


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string that cannot end the string, the rule or the style element."""
    escaped = "".join(f"\\{ord(char):x} " if char in '"\\<>\n' else char for char in text)
    return f'"{escaped}"'


def style_sheet(button: str, hint: str) -> str:
    return (
        f"<style>{_BUTTON}, {_HINT} {{ font-size: 0; }}"
        f" {_BUTTON}::after {{ content: {css_string(button)}; font-size: 0.875rem; }}"
        f" {_HINT}::after {{ content: {css_string(hint)}; font-size: 0.875rem; }}</style>"
    )


def render() -> None:
    """Put the uploader's words in the session's language (English needs nothing)."""
    if i18n.language() == i18n.DEFAULT:
        return
    size = st.get_option("server.maxUploadSize")
    st.html(style_sheet(t("app.upload_button"), t_plain("app.upload_limit", size=size)))
