"""Generate: one prompt, one answer, every /api/generate option, and the exact request it sends."""

import streamlit as st

from lib import state
from lib.fleet import picker
from lib.generate import page as generate_page
from lib.generate.compare import view as compare_view
from lib.i18n import t

st.title(t("generate.title"))
generate_page.settle_interrupted()
if generate_page.mode_switch() == generate_page.COMPARE:
    compare_view.draw()
    st.stop()

form_column, output_column = generate_page.single_columns()
with form_column:
    model = picker.model_picker(
        t("generate.model"), "completion", state.GENERATE_MODEL_INPUT, help=t("generate.model_help")
    )
if model is None:
    st.stop()
generate_page.draw_single(model, form_column, output_column)
