"""The Ollama HTTP API: client, errors as data, NDJSON, host parsing, request bodies. No Streamlit, no UI."""
