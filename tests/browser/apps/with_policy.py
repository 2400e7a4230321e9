"""Serves the test page named by ``POLICY_PAGE`` (a file in this folder) behind the app's Content-Security-Policy."""

import os

import streamlit as st
from starlette.middleware import Middleware

from lib.content_policy import ContentSecurityPolicy

app = st.App(os.environ["POLICY_PAGE"], middleware=[Middleware(ContentSecurityPolicy)])
