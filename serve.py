"""What ``streamlit run`` serves: the app (Home.py) with its Content-Security-Policy on every response.

``bash scripts/start.sh`` runs ``streamlit run serve.py``; Streamlit finds ``app`` below and serves
it, with the same command-line options and ``.streamlit/config.toml`` as for ``Home.py``.
"""

import streamlit as st
from starlette.middleware import Middleware

from lib.content_policy import ContentSecurityPolicy

app = st.App("Home.py", middleware=[Middleware(ContentSecurityPolicy)])
