"""Serve the fake by hand.

python -m tests.fake_ollama --port 11435 [--token-delay 0.02] [--legacy] [--install gpt-oss:20b ...]
"""

from __future__ import annotations

import argparse
import threading

from .server import FakeOllama


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.fake_ollama", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=11434)
    parser.add_argument("--token-delay", type=float, default=0.02, help="seconds between streamed tokens")
    parser.add_argument("--legacy", action="store_true", help="behave like a server without /api/embed")
    parser.add_argument("--version", default=None, help="what /api/version reports")
    parser.add_argument(
        "--install", action="append", default=[], metavar="MODEL", help="also install this registry model (repeatable)"
    )
    args = parser.parse_args()

    server = FakeOllama(token_delay=args.token_delay, host=args.host, port=args.port)
    server.start()
    server.legacy = args.legacy
    for name in args.install:
        try:
            server.install(name)
        except KeyError:
            server.stop()
            parser.error(f"--install {name}: not in the fake's registry")
    if args.version:
        server.version = args.version
    print(f"Fake Ollama listening on {server.url} (Ctrl-C to stop)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
