"""The benchmarks' smoke modes: they run, their correctness checks pass, they print their table.

Timing is never asserted (the figures live in the benchmarks' own output and the README)."""

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"


def load(name):
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_streaming_benchmark_smoke(capsys):
    rows = load("bench_streaming").main(["--smoke"])
    out = capsys.readouterr().out
    assert "outputs equal" in out and "closed loop (20 steps)" in out
    assert set(rows) == {"one step", "closed loop (20 steps)"}
    assert all(r[0] > 0 and r[1] > 0 for r in rows.values())
