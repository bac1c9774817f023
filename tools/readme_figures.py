"""Print the README's measured rows of the main job, from the code as it is.

    python tools/readme_figures.py             # the row for the README's main command (seed 0)
    python tools/readme_figures.py --seeds 20  # and the row over seeds 0..19

The README's "main job's result" table quotes these rows; tests/test_readme.py checks that its
accuracy for the default seed is what ``examples/japanese_vowels.py`` prints. Times depend on the
machine, accuracy does not (the run is seeded).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples"))

import japanese_vowels  # noqa: E402  (the example itself, run as the README's command runs it)


def run(seed: int) -> tuple[float, float]:
    """(test accuracy, seconds) of the example with ``--seed seed``."""
    out = io.StringIO()
    t = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        acc = japanese_vowels.main(["--seed", str(seed)])
    return acc, time.perf_counter() - t


def main_row(acc: float, seconds: float) -> str:
    return f"| layergraph, `--seed 0` (the command above), CPU | {acc:.4f} | {seconds:.1f} s |"


def seeds_row(results) -> str:
    accs = [a for a, _ in results]
    times = [t for _, t in results]
    return (f"| layergraph, seeds 0–{len(results) - 1} | mean {statistics.mean(accs):.3f}, median "
            f"{statistics.median(accs):.3f}, range {min(accs):.3f}–{max(accs):.3f} | "
            f"{min(times):.1f}–{max(times):.1f} s each |")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=0, help="also run seeds 0..N-1")
    args = p.parse_args(argv)
    first = run(0)
    print(main_row(*first))
    if args.seeds:
        print(seeds_row([first] + [run(s) for s in range(1, args.seeds)]))


if __name__ == "__main__":
    main()
