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

# The storage tests run on SQLite and on a real PostgreSQL server that tests/storage/postgres.py starts from
# Debian's postgresql package (initdb, pg_ctl); without it they run on SQLite only and say why the rest skipped.
if ! command -v initdb >/dev/null && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq postgresql
  else
    echo "The storage tests on PostgreSQL need Debian's postgresql package (sudo apt-get install postgresql): skipped" >&2
  fi
fi

echo "ruff check, ruff format --check, mypy lib"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
