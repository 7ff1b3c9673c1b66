#!/usr/bin/env python
"""`make bench`: run every bench/bench_*.py module and print one table.

Each module defines ``rows(args) -> Iterable[BenchRow]``. Figures are medians of repeated runs
on this machine; the table says the target of each row and whether it was met.
"""

import argparse
import importlib
import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "expo.settings")

from bench.common import BenchRow, machine_description, python_speed_seconds  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", action="append", default=[], help="run only these modules")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    modules = sorted(p.stem for p in (ROOT / "bench").glob("bench_*.py"))
    if args.only:
        unknown = set(args.only) - set(modules)
        if unknown:
            parser.error(f"unknown bench modules: {', '.join(sorted(unknown))}")
        modules = [m for m in modules if m in args.only]
    rows: list[BenchRow] = []
    print(f"# Expo benchmarks — {machine_description()}")
    print(
        f"Python {platform.python_version()}; a 10-million-step Python loop takes "
        f"{python_speed_seconds():.2f} s here (median of 3), a yardstick between machines"
    )
    print()
    print("| bench | measure | value | target | met |")
    print("|---|---|---|---|---|")
    for name in modules:
        module = importlib.import_module(f"bench.{name}")
        for row in module.rows(args):
            rows.append(row)
            print(row.markdown(), flush=True)
    failed = [r for r in rows if r.met is False]
    print()
    print(f"{len(rows)} rows, {len(failed)} targets missed.")
    # This machine's speed drifts during a run (a shared VM): say how much.
    print(f"The Python-loop yardstick at the end of the run: {python_speed_seconds():.2f} s.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
