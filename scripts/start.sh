#!/usr/bin/env bash
# Install what the app needs (first run only) and serve it on http://localhost:8501:
# serve.py is Home.py with the Content-Security-Policy on every response.
# Extra arguments go to `streamlit run`, e.g. --server.port 8502.
source "$(dirname "$0")/bootstrap.sh" requirements.txt
exec .venv/bin/python -m streamlit run serve.py "$@"
