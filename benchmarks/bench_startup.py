"""Start-up time of the command line and of ``import layergraph``, each in a fresh process.

Not a test; a smoke mode (``--smoke``) runs in CI through tests/test_benchmarks.py. Every row is
one command run as a new Python process (``python -m layergraph ...`` is the ``layergraph``
command), timed from start to exit; the table gives the median [min-max] of the runs, and
whether the process imported torch (read from one more run under ``python -X importtime``).
``python -c "import torch"`` is the reference: what every command paid before torch was imported
lazily. ``--compare PATH`` times the same commands on another checkout of layergraph (e.g. an
older commit, exported with ``git archive``), its runs interleaved with this one's so drifts of
the machine hit both alike.

Usage:
  python benchmarks/bench_startup.py                      # ~30 s on a 2-core CPU
  python benchmarks/bench_startup.py --compare /tmp/old   # side by side with another checkout
  python benchmarks/bench_startup.py --smoke              # one run of each: checks and a table
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = "specs/bilstm-sequence-to-label-classification.yaml"
MATLAB = "tests/fixtures/matlab/japanese_vowels_bilstm.m"


def commands(out_dir: Path) -> dict[str, list[str]]:
    """Row label -> the arguments after ``python``."""
    cli = ["-m", "layergraph"]
    return {
        "layergraph --help": [*cli, "--help"],
        "layergraph validate SPEC": [*cli, "validate", SPEC],
        "layergraph analyze SPEC": [*cli, "analyze", SPEC],
        "layergraph render SPEC (.dot)": [*cli, "render", SPEC, "-o", str(out_dir / "net.dot")],
        "layergraph schema": [*cli, "schema"],
        "layergraph from-matlab FILE": [*cli, "from-matlab", MATLAB],
        'python -c "import layergraph"': ["-c", "import layergraph"],
        'python -c "import torch" (reference)': ["-c", "import torch"],
    }


def run(args, root: Path, importtime=False) -> tuple[float, bool]:
    """(wall seconds, whether torch was imported) of one fresh process in ``root``."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(root), *filter(None, [os.environ.get("PYTHONPATH")])]))
    cmd = [sys.executable, *(["-X", "importtime"] if importtime else []), *args]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} in {root} exited {proc.returncode}:\n{proc.stderr}")
    torch = importtime and any(line.rsplit("|", 1)[-1].strip() == "torch"
                               for line in proc.stderr.splitlines())
    return wall, torch


def measure(roots, repetitions, smoke):
    """{label: (torch imported, [per-root times])}; runs interleave over rows and roots."""
    with tempfile.TemporaryDirectory() as tmp:
        cmds = commands(Path(tmp))
        times = {label: [[] for _ in roots] for label in cmds}
        torch = {}
        for label, args in cmds.items():  # the check (and, in smoke mode, the only timing)
            wall, torch[label] = run(args, roots[0], importtime=True)
            if smoke:
                times[label][0].append(wall)
        for rep in range(0 if smoke else repetitions):
            for label, args in cmds.items():
                order = range(len(roots)) if rep % 2 == 0 else reversed(range(len(roots)))
                for i in order:
                    times[label][i].append(run(args, roots[i])[0])
        if smoke:
            for label, args in cmds.items():
                for i in range(1, len(roots)):
                    times[label][i].append(run(args, roots[i])[0])
    return {label: (torch[label], times[label]) for label in cmds}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repetitions", type=int, default=5, help="timed runs of each command")
    p.add_argument("--compare", metavar="PATH", type=Path,
                   help="another layergraph checkout to time side by side")
    p.add_argument("--smoke", action="store_true", help="one run of each: checks and a table")
    a = p.parse_args(argv)
    roots = [ROOT, *([a.compare.resolve()] if a.compare else [])]
    rows = measure(roots, a.repetitions, a.smoke)
    runs = 1 if a.smoke else a.repetitions
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; median [min-max] wall seconds "
          f"of {runs} fresh process{'es' if runs > 1 else ''} each")
    heads = ["this checkout", *(["--compare"] if a.compare else [])]
    print(f"{'command':<38} {'torch':>6}" + "".join(f" {h:>21}" for h in heads))
    for label, (torch, per_root) in rows.items():
        cells = "".join(f" {statistics.median(t):>8.3f} [{min(t):.2f}-{max(t):.2f}]"
                        for t in per_root)
        print(f"{label:<38} {'yes' if torch else 'no':>6}{cells}")
    return rows


if __name__ == "__main__":
    main()
