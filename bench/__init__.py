"""Ollama Studio's performance benchmark: `python -m bench` prints a table and writes BENCHMARKS.md.

Everything runs against the fake Ollama server (tests/fake_ollama) in a child process; the
browser measurements drive Debian's headless Chromium through the DevTools protocol.
"""
