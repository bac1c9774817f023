"""Run one ported example over several seeds and print its metric's median, min and max.

    python tools/seed_table.py examples/japanese_vowels_modern.py --seeds 20
    python tools/seed_table.py examples/digit_video_classification.py --seeds 5 -- --modern
    python tools/seed_table.py examples/elnino_forecasting.py --key open.RMSE -- --modern

One training varies with its seed (initial weights, shuffling, dropout), so a single run says
little about an example's accuracy; the README quotes these rows instead. Each run is the
example's own ``main(["--seed", s, ...])`` (the command a user types), on the CPU unless told;
the metric is the ``key`` of the dict it returns (dotted for a nested one: ``open.RMSE``), or
the number it returns. Times are wall
clock of the whole run and depend on the machine and its load; the metric does not (seeded).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import statistics
import time
from pathlib import Path


def load_example(path):
    """The example script at ``path`` as a module (not run)."""
    path = Path(path)
    spec = importlib.util.spec_from_file_location(f"seed_table_{path.stem}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run(mod, seed, key="accuracy", extra=()):
    """(metric, seconds) of one run of the example with ``--seed seed``."""
    t = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        res = mod.main(["--seed", str(seed), *extra])
    value = res
    for part in key.split(".") if isinstance(res, dict) else ():
        value = value[part]
    return float(value), time.perf_counter() - t


def summary(values):
    """Median, min, max and mean of the values."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "mean": statistics.mean(values), "n": len(values)}


def table(name, results, key="accuracy"):
    """A markdown table: one row per seed, then the summary row."""
    vals = [v for v, _ in results]
    s = summary(vals)
    lines = [f"| {name} seed | test {key} | time of the run |", "|---|---|---|"]
    lines += [f"| {i} | {v:.4f} | {t:.1f} s |" for i, (v, t) in enumerate(results)]
    lines.append(f"| seeds 0–{len(vals) - 1} | median {s['median']:.4f}, min {s['min']:.4f}, "
                 f"max {s['max']:.4f} (mean {s['mean']:.4f}) | "
                 f"{min(t for _, t in results):.1f}–{max(t for _, t in results):.1f} s each |")
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("example", help="path of the example script (examples/NAME.py)")
    p.add_argument("--seeds", type=int, default=20, help="run seeds 0..N-1 (default 20)")
    p.add_argument("--key", default="accuracy",
                   help="the metric: key of main()'s result dict (dotted: open.RMSE)")
    p.add_argument("--device", default="cpu", choices=["auto", "cpu", "gpu"])
    a, more = p.parse_known_args(argv)  # the rest (after --) goes to the example
    mod = load_example(a.example)
    extra = ["--device", a.device, *(m for m in more if m != "--")]
    results = []
    for s in range(a.seeds):
        results.append(run(mod, s, a.key, extra))
        print(f"seed {s}: {a.key} {results[-1][0]:.4f}  ({results[-1][1]:.1f} s)", flush=True)
    print(table(Path(a.example).stem, results, a.key))
    return results


if __name__ == "__main__":
    main()
