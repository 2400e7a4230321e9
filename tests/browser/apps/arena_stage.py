"""The app as served (behind its Content-Security-Policy), with a presenter's Arena at ``?stage=<owner>``.

The pages are ``arena_stage_page.py``: the app itself (Home.py) for voters, and the presenter's
Arena wired to an audience room as the Arena page is to be wired.
"""

import streamlit as st
from starlette.middleware import Middleware

from lib.content_policy import ContentSecurityPolicy

app = st.App("arena_stage_page.py", middleware=[Middleware(ContentSecurityPolicy)])
