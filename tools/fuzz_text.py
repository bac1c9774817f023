"""Fuzz the text entry points for minutes: mutated specs (``load_spec``) and MATLAB files
(``from_matlab``), with the strategies of ``tests/text_mutations.py``.

    python tools/fuzz_text.py --minutes 5            # both entry points, time split evenly
    python tools/fuzz_text.py --minutes 1 --only matlab --seed 7

Every input must load (a spec must then save and load back equal) or raise layergraph's own
error with a line number. The run goes in rounds of a few hundred cases, each round a new seed,
and prints per entry point how many cases loaded, how many were refused with a located error,
and every failure (the first few inputs are written to ``--out``, default ``fuzz-failures/``).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402
from text_mutations import (  # noqa: E402
    Unexpected,
    check_matlab,
    check_spec,
    mutated_matlab,
    mutated_specs,
)

ENTRY_POINTS = {"spec": (mutated_specs, check_spec), "matlab": (mutated_matlab, check_matlab)}


def run_round(name, round_seed, examples, counts, failures, deadline):
    strategy, check = ENTRY_POINTS[name]

    @seed(round_seed)
    @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy())
    def case(source):
        if time.monotonic() > deadline:
            return
        try:
            counts[check(source)] += 1
        except Unexpected as e:
            counts["failure"] += 1
            failures.append((str(e), source))

    case()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=1.0, help="how long to run in all")
    ap.add_argument("--only", choices=sorted(ENTRY_POINTS), help="one entry point")
    ap.add_argument("--seed", type=int, default=0, help="seed of the first round")
    ap.add_argument("--round", type=int, default=200, help="cases per round")
    ap.add_argument("--out", type=Path, default=Path("fuzz-failures"),
                    help="folder for the inputs that failed (the first 20 of each)")
    args = ap.parse_args(argv)
    names = [args.only] if args.only else list(ENTRY_POINTS)
    share = args.minutes * 60 / len(names)
    total_failures = 0
    for name in names:
        counts, failures = Counter(), []
        start = time.monotonic()
        deadline = start + share
        k = 0
        while time.monotonic() < deadline:
            run_round(name, args.seed + k, args.round, counts, failures, deadline)
            k += 1
        took = time.monotonic() - start
        cases = counts["ok"] + counts["error"] + counts["failure"]
        print(f"{name}: {cases} cases in {took:.0f} s ({k} rounds): {counts['ok']} loaded, "
              f"{counts['error']} refused with a located error, {counts['failure']} failures")
        kinds = Counter(msg.split("\n")[0][:120] for msg, _ in failures)
        for msg, n in kinds.most_common(10):
            print(f"  {n:5d} x {msg}")
        if failures:
            args.out.mkdir(parents=True, exist_ok=True)
            for j, (_msg, source) in enumerate(failures[:20]):
                ext = ".yaml" if name == "spec" else ".m"
                data = source if isinstance(source, bytes) else source.encode("utf-8",
                                                                              "surrogatepass")
                (args.out / f"{name}-{j}{ext}").write_bytes(data)
            print(f"  inputs written to {args.out}/")
        total_failures += len(failures)
    return 1 if total_failures else 0


if __name__ == "__main__":
    sys.exit(main())
