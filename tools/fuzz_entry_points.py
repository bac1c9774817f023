"""Fuzz option values, prediction data and saved files for longer than CI does.

    python tools/fuzz_entry_points.py --scale 50     # 50x the CI budget, fresh random seeds

Runs tests/test_fuzz_entry_points.py (the same strategies CI runs with a fixed seed and a small
budget) with ``LAYERGRAPH_FUZZ_SCALE`` set, and prints hypothesis' statistics: per entry point, how
many cases ran and whether any raised something other than layergraph's own error naming the
place. A failure is printed with the input that caused it (hypothesis shrinks it first).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=int, default=20, help="times the CI budget (default 20)")
    args = ap.parse_args(argv)
    env = dict(os.environ, LAYERGRAPH_FUZZ_SCALE=str(max(args.scale, 2)))
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
           "--hypothesis-show-statistics", str(ROOT / "tests" / "test_fuzz_entry_points.py")]
    res = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    for line in res.stdout.splitlines():
        keep = (line.endswith(":") and "::" in line) or " passing, " in line \
            or "Warning" in line or " passed" in line or " failed" in line \
            or line.startswith(("E ", "Falsifying"))
        if keep:
            print(line)
    return res.returncode


if __name__ == "__main__":
    raise SystemExit(main())
