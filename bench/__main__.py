"""python -m bench [--runs N] [--quick] [--output PATH]: measure, print the table, write BENCHMARKS.md."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from bench.apps import ROOT
from bench.run import QUICK, Config, measure, terminal_table, write


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=None, help="runs per timing (default 3)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes and one run: check that it works")
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="where to write the report (default BENCHMARKS.md at the repository root; "
        "--quick writes nothing unless this is given)",
    )
    args = parser.parse_args()
    config = QUICK if args.quick else Config()
    if args.runs is not None:
        config = dataclasses.replace(config, runs=max(1, args.runs))
    results = measure(config, say=lambda line: print(f"… {line}", flush=True))
    print()
    print(terminal_table(results))
    output = args.output or (None if args.quick else ROOT / "BENCHMARKS.md")
    if output is not None:
        write(results, output)
        print(f"\nwrote {output} ({results.seconds:.0f} s)")


if __name__ == "__main__":
    main()
