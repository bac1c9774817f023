"""Distributed training throughput: training samples per second on 1 and on N worker processes
(ExecutionEnvironment 'parallel': gloo on CPUs, NCCL with one GPU per worker), and their ratio.

Not a test; a smoke mode (``--smoke``) runs in CI through tests/test_benchmarks.py. The network is
the MATLAB example's sequence classifier (sequenceInputLayer(12) -> bilstmLayer(H, 'last') ->
fullyConnectedLayer(9) -> softmax -> classification) on random sequences of 20-60 steps, adam,
SequenceLength 'longest'. The same global MiniBatchSize is used on 1 and on N workers (MATLAB
divides it among the workers), so both runs do the same updates; the trained weights are
compared (max |difference|, printed) before any figure is trusted.

Only the training loop is timed (Trainer.run: DDP set-up, every iteration, the end; the best of
``--repeats`` runs, as other jobs share the machine), after every worker is ready: starting the
worker processes (several seconds: each imports torch) is not counted, nor the one-time import of
torch._dynamo that building the first DDP module does (~4 s per process here). On a CPU the
workers share the machine's cores (each gets cores / N threads), so the ratio says what splitting
one machine's CPUs buys; on GPUs each worker has its own.

Usage:
  python benchmarks/bench_distributed.py                # CPU, 1 vs 2 workers
  python benchmarks/bench_distributed.py --workers 4
  python benchmarks/bench_distributed.py --smoke        # a few seconds: checks and the table
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
for path in (HERE, HERE.parent):  # started workers import this file by name, and layergraph
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from layergraph import (  # noqa: E402
    bilstmLayer,
    classificationLayer,
    fullyConnectedLayer,
    sequenceInputLayer,
    softmaxLayer,
    trainingOptions,
)
from layergraph.training import distributed  # noqa: E402
from layergraph.training.trainer import Trainer  # noqa: E402


def workload(smoke, hidden, env):
    rng = np.random.default_rng(0)
    n, batch, epochs = (16, 8, 1) if smoke else (384, 64, 4)
    X = [rng.standard_normal((int(rng.integers(20, 61)), 12)).astype(np.float32)
         for _ in range(n)]
    Y = np.array([str(i % 9) for i in range(n)])
    layers = [sequenceInputLayer(12), bilstmLayer(hidden, OutputMode="last"),
              fullyConnectedLayer(9), softmaxLayer(), classificationLayer()]
    opts = trainingOptions("adam", MaxEpochs=epochs, MiniBatchSize=batch, Verbose=False,
                           ProgressBar=False, Shuffle="every-epoch", ExecutionEnvironment=env)
    return X, Y, layers, opts, epochs * (n // batch) * batch


def timed(group, X, Y, layers, opts, repeats):
    """(seconds of Trainer.run, best of ``repeats``; trained weights), the same on every
    worker."""
    if group is not None:
        import torch._dynamo  # noqa: F401  (DDP imports it when first built: seconds, once)
    best = float("inf")
    for _ in range(repeats):
        trainer = Trainer(X, Y, layers, opts, None, None, group=group)
        if group is not None:
            group.sum(0.0)  # every worker is ready: start the clock together
        start = time.perf_counter()
        net, _ = trainer.run()
        seconds = time.perf_counter() - start
        if group is not None:  # the slowest worker's time (the others wait for it anyway)
            seconds = max(group.gather(seconds))
        best = min(best, seconds)
    if group is not None:
        group.finish()
    return best, {k: v.detach().cpu() for k, v in net.module.state_dict().items()}


def _worker(group, X, Y, layers, opts, repeats):
    timed(group, X, Y, layers, opts, repeats)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--smoke", action="store_true", help="tiny sizes: checks and the table")
    p.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    p.add_argument("--hidden", type=int, default=None, help="bilstm hidden units")
    p.add_argument("--repeats", type=int, default=3, help="runs per figure; the best counts")
    args = p.parse_args(argv)
    hidden = args.hidden or (8 if args.smoke else 100)
    os.environ.setdefault(distributed.TIMEOUT_VARIABLE, "300")
    hardware = (f"CUDA ({torch.cuda.get_device_name(0)}, {torch.cuda.device_count()} GPUs)"
                if torch.cuda.is_available() else f"CPU ({os.cpu_count()} cores, "
                f"{torch.get_num_threads()} threads, gloo)")
    single = "gpu" if torch.cuda.is_available() else "cpu"
    X, Y, layers, opts, samples = workload(args.smoke, hidden, single)
    repeats = 1 if args.smoke else args.repeats
    t1, w1 = timed(None, X, Y, layers, opts, repeats)
    rows = {1: samples / t1}
    diff = None
    if torch.cuda.is_available() and torch.cuda.device_count() < args.workers:
        print(f"{args.workers} workers need {args.workers} GPUs; "
              f"{torch.cuda.device_count()} here: only the 1-process figure")
    else:
        X, Y, layers, opts, samples = workload(args.smoke, hidden, "parallel")
        group = distributed.start("parallel", args.workers, _worker,
                                  (X, Y, layers, opts, repeats), "bench_distributed")
        tn, wn = timed(group, X, Y, layers, opts, repeats)
        rows[args.workers] = samples / tn
        diff = max(float((w1[k] - wn[k].to(w1[k].device)).abs().max()) for k in w1)
        assert diff < 1e-4, f"{args.workers} workers trained other weights (max |dw| {diff})"
    print(f"distributed training, {hardware}; bilstm {hidden} hidden units, MiniBatchSize "
          f"{opts.MiniBatchSize} (global), {samples} samples per run, best of {repeats}")
    print(f"{'processes':>10} {'samples/s':>12} {'ratio':>8}")
    for n, rate in rows.items():
        print(f"{n:>10} {rate:>12.1f} {rate / rows[1]:>8.2f}")
    if diff is not None:
        print(f"weights equal to one process within {diff:.2g} (max |difference|)")
    return rows


if __name__ == "__main__":
    main()
    distributed.exit_process(0)  # this process was worker 0: past the teardown (see there)
