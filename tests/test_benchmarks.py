"""The benchmarks' smoke modes: they run, their correctness checks pass, they print their table.

Timing is never asserted (the figures live in the benchmarks' own output and the README)."""

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"


def load(name):
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod  # so that pickle (for started worker processes) finds its functions
    spec.loader.exec_module(mod)
    return mod


def test_streaming_benchmark_smoke(capsys):
    rows = load("bench_streaming").main(["--smoke"])
    out = capsys.readouterr().out
    assert "outputs equal" in out and "closed loop (20 steps)" in out
    assert set(rows) == {"one step", "closed loop (20 steps)"}
    assert all(r[0] > 0 and r[1] > 0 for r in rows.values())


def test_startup_benchmark_smoke(capsys):
    rows = load("bench_startup").main(["--smoke"])
    out = capsys.readouterr().out
    assert "layergraph --help" in out and 'python -c "import torch" (reference)' in out
    assert len(rows) == 8
    for label, (torch, times) in rows.items():
        assert len(times) == 1 and len(times[0]) == 1 and times[0][0] > 0
        # only the reference row imports torch: the commands that check, draw and translate don't
        assert torch is ("import torch" in label), label


@pytest.mark.distributed
def test_distributed_benchmark_smoke(capsys):
    rows = load("bench_distributed").main(["--smoke"])
    out = capsys.readouterr().out
    assert "samples/s" in out and ("CPU (" in out or "CUDA (" in out)
    if "only the 1-process figure" not in out:  # (a GPU machine with fewer GPUs than workers)
        assert set(rows) == {1, 2} and "weights equal to one process within" in out
    assert all(rate > 0 for rate in rows.values())
