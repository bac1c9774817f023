"""Fuzz option values, prediction data, saved files and training data for longer than CI does.

    python tools/fuzz_entry_points.py --scale 50     # 50x the CI budget, fresh random seeds
    python tools/fuzz_entry_points.py --suite training --scale 20 --events

Runs tests/test_fuzz_entry_points.py and tests/test_fuzz_training_data.py (the same strategies CI
runs with a fixed seed and a small budget: option values, predict's data, damaged files; and
trainNetwork / trainnet on mutated data, tests/data_mutations.py) with ``LAYERGRAPH_FUZZ_SCALE``
set, and prints hypothesis' statistics: per entry point, how many cases ran and whether any raised
something other than layergraph's own error naming the place (``--events``: how each mutation
ended, trained or which error). A failure is printed with the input that caused it (hypothesis
shrinks it first).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUITES = {"entry": "test_fuzz_entry_points.py", "training": "test_fuzz_training_data.py"}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=int, default=20, help="times the CI budget (default 20)")
    ap.add_argument("--suite", choices=sorted(SUITES) + ["all"], default="all",
                    help="which entry points (default all)")
    ap.add_argument("--events", action="store_true",
                    help="also print how the cases ended (trained, or which error)")
    args = ap.parse_args(argv)
    env = dict(os.environ, LAYERGRAPH_FUZZ_SCALE=str(max(args.scale, 2)))
    files = [str(ROOT / "tests" / f) for k, f in sorted(SUITES.items())
             if args.suite in (k, "all")]
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k",
           "not unmutated and not limit", "--hypothesis-show-statistics", *files]
    res = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    for line in res.stdout.splitlines():
        keep = (line.endswith(":") and "::" in line) or " passing, " in line \
            or "Warning" in line or " passed" in line or " failed" in line \
            or line.startswith(("E ", "Falsifying")) or "during generate" in line \
            or (args.events and line.startswith("      * "))
        if keep:
            print(line)
    return res.returncode


if __name__ == "__main__":
    raise SystemExit(main())
