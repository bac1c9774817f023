"""Streaming speed: one-step predictAndUpdateState and a closed-loop forecast, against hand-written
PyTorch with the same weights.

Not a test; a smoke mode (``--smoke``) runs in CI through tests/test_benchmarks.py. The network is
MATLAB's forecasting shape: sequenceInputLayer(C) -> lstmLayer(H) -> fullyConnectedLayer(C) ->
regressionLayer, with random weights. Two workloads:

  one step     ``net, y = predictAndUpdateState(net, x)`` for one time step x (1 x C numpy array),
               the state carried from call to call; against ``nn.LSTM`` + ``nn.Linear`` carrying
               (h, c) by hand (numpy in, numpy out, as a user of the MATLAB-style API has it).
  closed loop  a 200-step forecast, each prediction fed back as the next input (MATLAB's
               closed-loop forecasting), both ways.

Both sides produce the same numbers (asserted to 1e-5 before timing). Timing interleaves the two
implementations repetition by repetition (their order alternating) after a warm-up, and reports
the median time per step and the median [min-max] per-repetition ratio layergraph / torch, so
drifts of the machine cancel. ``--device cuda`` runs both on the GPU (synchronised by the
``.cpu()`` read of every step's output, which both sides do).

Usage:
  python benchmarks/bench_streaming.py            # ~30 s on a 2-core CPU
  python benchmarks/bench_streaming.py --smoke    # a few seconds: checks and a short table
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch
from torch import nn

from layergraph import (
    assembleNetwork,
    fullyConnectedLayer,
    lstmLayer,
    predictAndUpdateState,
    regressionLayer,
    resetState,
    sequenceInputLayer,
)


def build(C, H, device, seed=0):
    rng = np.random.default_rng(seed)
    s = 1 / np.sqrt(H)
    W, R, b = (rng.uniform(-s, s, size=shape) for shape in ((4 * H, C), (4 * H, H), (4 * H, 1)))
    Wf, bf = rng.uniform(-s, s, size=(C, H)), rng.uniform(-s, s, size=(C, 1))
    net = assembleNetwork([
        sequenceInputLayer(C), lstmLayer(H, InputWeights=W, RecurrentWeights=R, Bias=b),
        fullyConnectedLayer(C, Weights=Wf, Bias=bf), regressionLayer()], device)
    lstm = nn.LSTM(C, H, batch_first=True).to(device)
    fc = nn.Linear(H, C).to(device)
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(torch.as_tensor(W))
        lstm.weight_hh_l0.copy_(torch.as_tensor(R))
        lstm.bias_ih_l0.copy_(torch.as_tensor(b.reshape(-1)))
        lstm.bias_hh_l0.zero_()
        fc.weight.copy_(torch.as_tensor(Wf))
        fc.bias.copy_(torch.as_tensor(bf.reshape(-1)))
    lstm.eval()
    fc.eval()
    return net, (lstm, fc)


class TorchStream:
    """Hand-written streaming: nn.LSTM + nn.Linear, (h, c) carried by hand."""

    def __init__(self, model, device):
        self.lstm, self.fc = model
        self.device = device
        self.state = None

    def reset(self):
        self.state = None

    @torch.no_grad()
    def step(self, x):
        xt = torch.from_numpy(x).to(self.device)[None]  # (1, 1, C)
        y, self.state = self.lstm(xt, self.state)
        return self.fc(y[0]).cpu().numpy()  # (1, C)


def lg_step(net, x):
    return predictAndUpdateState(net, x)[1]


def closed_loop(step, x0, n):
    out, x = [], x0
    for _ in range(n):
        x = step(x)
        out.append(x)
    return np.concatenate(out)


def check(net, ref, C, steps=20):
    rng = np.random.default_rng(1)
    xs = rng.normal(size=(steps, 1, C)).astype(np.float32)
    resetState(net)
    ref.reset()
    a = np.concatenate([lg_step(net, x) for x in xs])
    b = np.concatenate([ref.step(x) for x in xs])
    np.testing.assert_allclose(a, b, atol=1e-5)
    resetState(net)
    ref.reset()
    a = closed_loop(lambda x: lg_step(net, x), xs[0], steps)
    b = closed_loop(ref.step, xs[0], steps)
    np.testing.assert_allclose(a, b, atol=1e-5)
    return float(np.abs(a - b).max())


def timed(fn, reps):
    t = time.perf_counter()
    for _ in range(reps):
        fn()
    return (time.perf_counter() - t) / reps


def measure(net, ref, C, repetitions, steps_per_rep, horizon):
    x = np.random.default_rng(2).normal(size=(1, C)).astype(np.float32)
    lg_one, th_one = lambda: lg_step(net, x), lambda: ref.step(x)
    lg_loop = lambda: (resetState(net), closed_loop(lambda v: lg_step(net, v), x, horizon))  # noqa: E731
    th_loop = lambda: (ref.reset(), closed_loop(ref.step, x, horizon))  # noqa: E731
    rows = {}
    for label, lg, th, reps, per in (("one step", lg_one, th_one, steps_per_rep, 1),
                                     (f"closed loop ({horizon} steps)", lg_loop, th_loop, 1,
                                      horizon)):
        timed(lg, reps), timed(th, reps)  # warm-up
        t_lg, t_th, ratios = [], [], []
        for r in range(repetitions):
            pair = (lg, th) if r % 2 == 0 else (th, lg)
            times = {id(f): timed(f, reps) for f in pair}
            t_lg.append(times[id(lg)] / per)
            t_th.append(times[id(th)] / per)
            ratios.append(t_lg[-1] / t_th[-1])
        rows[label] = (statistics.median(t_lg), statistics.median(t_th),
                       statistics.median(ratios), min(ratios), max(ratios))
    return rows


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--device", default="cpu")
    p.add_argument("--channels", type=int, default=3)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--repetitions", type=int, default=15)
    p.add_argument("--smoke", action="store_true", help="a few seconds: checks and a short table")
    a = p.parse_args(argv)
    device = torch.device(a.device)
    torch.set_grad_enabled(True)
    net, model = build(a.channels, a.hidden, device)
    ref = TorchStream(model, device)
    err = check(net, ref, a.channels)
    reps, per, horizon = (3, 20, 20) if a.smoke else (a.repetitions, 200, 200)
    rows = measure(net, ref, a.channels, reps, per, horizon)
    print(f"device {device}, lstm({a.hidden}), {a.channels} channels, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads; outputs equal to {err:.1e}")
    print(f"{'workload':<26} {'layergraph ms/step':>19} {'torch ms/step':>14} "
          f"{'ratio median [min-max]':>24}")
    for label, (lg, th, med, lo, hi) in rows.items():
        print(f"{label:<26} {lg * 1e3:>19.3f} {th * 1e3:>14.3f} "
              f"{med:>10.2f}x [{lo:.2f}-{hi:.2f}]")
    return rows


if __name__ == "__main__":
    main()
