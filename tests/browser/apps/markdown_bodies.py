"""A test page that draws, each as its own ``st.markdown`` element, the bodies listed in ``MARKDOWN_BODIES``.

The file (JSON: a list of batches, each a list of strings) holds what the app would send for
generated documents, already made safe; ``?batch=N`` draws batch N, then a closing marker. Served
without the Content-Security-Policy, so that what is checked is the sanitizer alone.
"""

import json
import os
from pathlib import Path

import streamlit as st

batches = json.loads(Path(os.environ["MARKDOWN_BODIES"]).read_text())
batch = int(st.query_params.get("batch", "0"))
for body in batches[batch]:
    st.markdown(body)
st.text(f"End of batch {batch}.")
