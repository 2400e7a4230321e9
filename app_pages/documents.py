"""Documents: the visitor's library of files to chat with."""

import streamlit as st

from lib.documents import library_view
from lib.i18n import t

st.title(t("documents.library_title"))
st.caption(t("documents.library_intro"))
library_view.draw()
