#!/usr/bin/env bash
# Install what the tests need (first run only; Chromium from Debian's packages), check lint, format
# and types, then run every test. Extra arguments go to pytest, e.g. -k chat or -m "not browser".
source "$(dirname "$0")/bootstrap.sh" requirements-test.txt

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq chromium
  else
    echo "Browser tests need Debian's Chromium: sudo apt-get install chromium" >&2
    exit 1
  fi
fi

echo "ruff check, ruff format --check, mypy lib"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
