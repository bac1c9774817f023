"""Side-by-side speed of layergraph's recurrent execution against hand-written PyTorch.

Not a test (CI does not run it). Two networks are trained and run for prediction through

  layergraph   the compiled module of ``assembleNetwork(...)`` (``net.module``), fed
               ``Signal(x, lengths)``: padding-invariant. The backward direction of a
               'sequence' layer runs on each sequence reversed within its own length; a 'last'
               layer takes the forward direction at index length-1 and runs its backward
               direction for the one step it has seen there (x at length-1);
  layergraph*  the same network with that one-step shortcut undone (the 'last' layer's backward
               direction runs over all T, then index length-1): the cost of the
               reverse-within-length machinery alone, doing the same work as nn.LSTM;
  padded       hand-written ``nn.LSTM(bidirectional=True, batch_first=True)`` on the padded
               batch, 'last' = ``output[:, -1]`` as MATLAB does: fast, but the backward
               direction reads the padding first, so results depend on the batch;
  packed       hand-written ``pack_padded_sequence`` + the same ``nn.LSTM`` +
               ``pad_packed_sequence``, 'last' at index length-1: correct, usually slower;
  predict()    ``layergraph.predict(net, seqs, MiniBatchSize=...)`` on the same batches (a list
               of numpy sequences: padding on the host, numpy output; prediction only);

with the same initial weights, the same batches (in the same order), the same loss
(cross-entropy on the softmax of the 'last' output, ``nll_loss(log(p), y)``) and the same
optimizer (Adam, lr 1e-3, no clipping). A training step is forward + loss + backward +
optimizer step; a prediction step is a forward pass under ``torch.no_grad()`` in eval mode.
The hand-written models keep ``bias_hh`` at zero and frozen (MATLAB's LSTM has one bias), so all
optimise the same parameters. For the Japanese Vowels case on the CPU, a last line times
``trainNetwork`` per iteration on the same batches, if layergraph.training provides it.

Networks:
  jv     Japanese Vowels (the real data, ``japanese_vowels('train')``: 270 sequences, T 7-29,
         12 channels): sequenceInputLayer(12) -> bilstmLayer(100,'OutputMode','last') ->
         fullyConnectedLayer(9) -> softmaxLayer -> classificationLayer; mini-batches of 27.
  large  2,000 synthetic sequences (seed 0), T uniform in [50, 500], 64 channels, 10 classes:
         sequenceInputLayer(64) -> bilstmLayer(256) ('sequence') -> bilstmLayer(256,'last') ->
         fullyConnectedLayer(10) -> softmaxLayer -> classificationLayer; mini-batches of 64.
         The hand-written versions use one ``nn.LSTM(num_layers=2, bidirectional=True)``.
         Only some of its 32 batches are timed, spread evenly over the length range (3 with
         --quick, 6 with --full; --large-batches N). On the CPU, 'packed' training (tens of
         seconds per batch there) runs in 1 (--quick) or 2 (--full) repetitions only.

Batches are formed from the length-sorted data by default (``--batching sorted``, as MATLAB's
sequence-classification example does), or from a fixed random permutation
(``--batching random``); the same batches for every implementation.

Timing: implementations are interleaved within each repetition (their order rotates from one
repetition to the next), after one untimed warm-up repetition; a repetition runs every selected
batch once. Reported: the median over repetitions of ms per batch, and the median [min-max] over
repetitions of the per-repetition ratio to 'padded' (so drifts of the machine cancel). On CUDA
the device is synchronized before every clock reading.

Correctness columns (float32, all at the same initial weights, against 'packed'):
  max|d last|  max |difference| of the last recurrent layer's 'last' output (B x 2H), all
               selected batches;
  max|d prob|  the same for the network output (softmax probabilities);
  max|d grad|  the same for the gradients of the loss with respect to every parameter (in
               MATLAB layout), on every batch (jv) or the first batch (large).

Usage:
  python benchmarks/bench_recurrent.py --quick            # ~2.5 minutes on a 2-core CPU
  python benchmarks/bench_recurrent.py --full             # more repetitions and batches
  python benchmarks/bench_recurrent.py --device cuda --full
  python benchmarks/bench_recurrent.py --case jv --profile   # torch.profiler tables
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from layergraph import (
    analyze,
    assembleNetwork,
    bilstmLayer,
    classificationLayer,
    fullyConnectedLayer,
    layerGraph,
    predict,
    sequenceInputLayer,
    softmaxLayer,
)
from layergraph.datasets import japanese_vowels
from layergraph.modules.recurrent import RecurrentModule
from layergraph.sequences import Signal, last_step, pad_sequences

LR = 1e-3


# --- the networks and data ----------------------------------------------------------------------
def jv_case():
    X, Y = japanese_vowels("train")
    classes = sorted(set(Y))
    y = np.array([classes.index(v) for v in Y])
    layers = [sequenceInputLayer(12), bilstmLayer(100, "OutputMode", "last"),
              fullyConnectedLayer(len(classes)), softmaxLayer(), classificationLayer()]
    return dict(name="jv", title="Japanese Vowels: bilstm(100,'last'), 270 seqs T 7-29, C 12, "
                "batch 27", layers=layers, X=X, y=y, batch=27, channels=12, hidden=100,
                num_layers=1, classes=len(classes))


def large_case(seed=0):
    rng = np.random.default_rng(seed)
    n, C, H, K = 2000, 64, 256, 10
    lengths = rng.integers(50, 501, size=n)
    X = [rng.standard_normal((T, C)).astype(np.float32) for T in lengths]
    y = rng.integers(0, K, size=n)
    layers = [sequenceInputLayer(C), bilstmLayer(H), bilstmLayer(H, "OutputMode", "last"),
              fullyConnectedLayer(K), softmaxLayer(), classificationLayer()]
    return dict(name="large", title=f"large: bilstm({H},'sequence') -> bilstm({H},'last'), "
                f"{n} seqs T 50-500, C {C}, batch 64", layers=layers, X=X, y=y, batch=64,
                channels=C, hidden=H, num_layers=2, classes=K)


def initialized_network(layers, device, seed=0):
    """assembleNetwork after each layer's own initializer (as trainNetwork does)."""
    g = layerGraph(layers)
    result = analyze(g)
    assert result.ok, [p.message for p in result.problems]
    rng = np.random.default_rng(seed)
    for name in result.order:
        result.graph.layer(name).initialize(result.inputs[name], rng)
    return assembleNetwork(g, ExecutionEnvironment="gpu" if device.type == "cuda" else "cpu")


def make_batches(case, batching, device, select=None):
    """Padded batches: dict(x (B,T,C) on device, lengths on device and on CPU, y, seqs)."""
    X, y, B = case["X"], case["y"], case["batch"]
    if batching == "sorted":
        order = np.argsort([len(s) for s in X], kind="stable")
    else:
        order = np.random.default_rng(1).permutation(len(X))
    groups = [order[i:i + B] for i in range(0, len(X), B)]
    if select is not None and select < len(groups):  # spread over the whole length range
        groups = [groups[i] for i in np.linspace(0, len(groups) - 1, select).round().astype(int)]
    batches = []
    for idx in groups:
        seqs = [X[i] for i in idx]
        data, lengths = pad_sequences(seqs)
        lens_cpu = torch.as_tensor(lengths)
        batches.append(dict(x=torch.as_tensor(data, device=device), lengths=lens_cpu.to(device),
                            lengths_cpu=lens_cpu, y=torch.as_tensor(y[idx], device=device),
                            seqs=seqs))
    return batches


# --- hand-written PyTorch -----------------------------------------------------------------------
class HandWritten(nn.Module):
    """nn.LSTM (bidirectional, batch_first) -> Linear -> softmax; 'last' padded or packed."""

    def __init__(self, C, H, num_layers, K, packed):
        super().__init__()
        self.packed = packed
        self.lstm = nn.LSTM(C, H, num_layers=num_layers, bidirectional=True, batch_first=True)
        self.fc = nn.Linear(2 * H, K)

    def forward(self, x, lengths, lengths_cpu):
        if self.packed:
            p = pack_padded_sequence(x, lengths_cpu, batch_first=True, enforce_sorted=False)
            out, _ = self.lstm(p)
            out, _ = pad_packed_sequence(out, batch_first=True)
            last = out[torch.arange(out.shape[0], device=out.device), lengths - 1]
        else:
            out, _ = self.lstm(x)
            last = out[:, -1]
        return torch.softmax(self.fc(last), dim=1), last


def handwritten_from(net, case, packed, device):
    """A HandWritten model holding the same weights as the layergraph network."""
    H = case["hidden"]
    m = HandWritten(case["channels"], H, case["num_layers"], case["classes"], packed)
    recs = [mod.rnn for mod in net.module.modules() if isinstance(mod, RecurrentModule)]
    fc = [mod for mod in net.module.modules() if isinstance(mod, nn.Linear)][0]
    with torch.no_grad():
        for k, rec in enumerate(recs):
            for d, sfx in enumerate(("", "_reverse")):
                rows = slice(d * 4 * H, (d + 1) * 4 * H)
                getattr(m.lstm, f"weight_ih_l{k}{sfx}").copy_(rec.input_weights[rows])
                getattr(m.lstm, f"weight_hh_l{k}{sfx}").copy_(rec.recurrent_weights[rows])
                getattr(m.lstm, f"bias_ih_l{k}{sfx}").copy_(rec.bias[rows])
                b_hh = getattr(m.lstm, f"bias_hh_l{k}{sfx}")
                b_hh.zero_()
                b_hh.requires_grad_(False)  # MATLAB's LSTM has a single bias
        m.fc.weight.copy_(fc.weight)
        m.fc.bias.copy_(fc.bias)
    return m.to(device)


def handwritten_groups(m, H, num_layers):
    """The hand-written parameters grouped into layergraph's (MATLAB-layout) tensors."""
    out = []
    for k in range(num_layers):
        for name in ("weight_ih", "weight_hh", "bias_ih"):
            out.append([getattr(m.lstm, f"{name}_l{k}{s}") for s in ("", "_reverse")])
    return out + [[m.fc.weight], [m.fc.bias]]


def layergraph_groups(net):
    out = []
    for mod in net.module.modules():
        if isinstance(mod, RecurrentModule):
            out += [[mod.rnn.input_weights], [mod.rnn.recurrent_weights], [mod.rnn.bias]]
    fc = [mod for mod in net.module.modules() if isinstance(mod, nn.Linear)][0]
    return out + [[fc.weight], [fc.bias]]


# --- the implementations as step functions ------------------------------------------------------
def nll(p, y):
    return F.nll_loss(torch.log(p), y)


class Impl:
    """One implementation: train_step(batch), predict_step(batch), last_outputs(batch)."""

    def __init__(self, name, model, forward, groups, note=""):
        self.name, self.model, self.forward, self.note = name, model, forward, note
        self.groups = groups  # parameters grouped as layergraph's MATLAB-layout tensors
        self.opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=LR)

    def gradients(self, b):
        """Gradients of the loss on batch b at the current weights, in MATLAB layout."""
        self.model.train()
        self.opt.zero_grad(set_to_none=True)
        nll(self.forward(b)[0], b["y"]).backward()
        grads = [torch.cat([p.grad for p in g]) for g in self.groups]
        self.opt.zero_grad(set_to_none=True)
        return grads

    def train_step(self, b):
        self.model.train()
        p, _ = self.forward(b)
        loss = nll(p, b["y"])
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()

    def predict_step(self, b):
        self.model.eval()
        with torch.no_grad():
            return self.forward(b)


def layergraph_impl(net, name="layergraph", note="net.module(Signal(x, lengths))"):
    rec = [m for m in net.module.modules() if isinstance(m, RecurrentModule)][-1]
    captured = {}
    rec.register_forward_hook(lambda mod, args, out: captured.__setitem__("last", out.data))

    def forward(b):
        p = net.module(Signal(b["x"], b["lengths"])).data
        return p, captured["last"]

    return Impl(name, net.module, forward, layergraph_groups(net), note)


def whole_backward_direction(net):
    """Make net's 'last' recurrent layers run their backward direction over the whole sequence
    and then take index length-1 (layergraph's path before the one-step 'last' shortcut): the
    cost of the reverse-within-length machinery alone, for the same work as nn.LSTM does."""
    for rm in net.module.modules():
        if isinstance(rm, RecurrentModule) and rm.output_mode == "last":
            def forward(x, rm=rm):
                y, _ = rm.rnn(x.data, x.lengths, None)
                return Signal(last_step(y, x.lengths))

            rm.forward = forward
    return net


def hand_impl(m, case, name):
    def forward(b):
        return m(b["x"], b["lengths"], b["lengths_cpu"])

    return Impl(name, m, forward, handwritten_groups(m, case["hidden"], case["num_layers"]))


# --- timing -------------------------------------------------------------------------------------
def synchronizer(device):
    if device.type == "cuda":
        return torch.cuda.synchronize
    return lambda: None


def interleaved(jobs, batches, reps, sync, warmup=1, limit=None):
    """jobs: {name: fn(batch)}. Returns {name: [ms per batch, one per timed repetition]}.

    ``limit``: {name: n}: that job runs only in the first n timed repetitions, without warm-up
    (for steps that take many seconds each).
    """
    limit = limit or {}
    names = list(jobs)
    times = {n: [] for n in names}
    for r in range(warmup + reps):
        k = r % len(names)
        for n in names[k:] + names[:k]:
            timed = r >= warmup
            if n in limit and (not timed or len(times[n]) >= limit[n]):
                continue
            fn = jobs[n]
            sync()
            t0 = time.perf_counter()
            for b in batches:
                fn(b)
            sync()
            if timed:
                times[n].append(1e3 * (time.perf_counter() - t0) / len(batches))
    return times


def summarize(times, ref="padded"):
    """{name: (median ms, median ratio to ref, min ratio, max ratio)}; ratios pair repetitions."""
    out = {}
    for n, ts in times.items():
        ratios = [t / r for t, r in zip(ts, times[ref])]
        out[n] = (statistics.median(ts), statistics.median(ratios), min(ratios), max(ratios))
    return out


def max_diff(a, b):
    return max(float((x - y).abs().max()) for x, y in zip(a, b))


# --- one case -----------------------------------------------------------------------------------
def check_correctness(impls, batches, net, grad_batches):
    """Max |difference| against 'packed' at the initial weights: of the 'last' outputs and the
    probabilities over all batches, and of the loss gradients over the first grad_batches."""
    packed = impls["packed"]
    ref = [packed.predict_step(b) for b in batches]
    ref_g = [packed.gradients(b) for b in batches[:grad_batches]]
    diff = {}
    for n, impl in impls.items():
        outs = [impl.predict_step(b) for b in batches]
        grads = [impl.gradients(b) for b in batches[:grad_batches]]
        diff[n] = (max(float((o[1] - r[1]).abs().max()) for o, r in zip(outs, ref)),
                   max(float((o[0] - r[0]).abs().max()) for o, r in zip(outs, ref)),
                   max(max_diff(g, r) for g, r in zip(grads, ref_g)))
    probs = np.concatenate([predict(net, b["seqs"], MiniBatchSize=len(b["seqs"]))
                            for b in batches])
    seqs_ref = np.concatenate([r[0].cpu().numpy() for r in ref])
    diff["predict()"] = (float("nan"), float(np.abs(probs - seqs_ref).max()), float("nan"))
    gmax = max(float(g.abs().max()) for gs in ref_g for g in gs)
    return diff, gmax


def run_case(case, args, device):
    sync = synchronizer(device)
    large = case["name"] == "large"
    select = (args.large_batches or (3 if args.quick else 6)) if large else None
    batches = make_batches(case, args.batching, device, select)
    T = [int(b["lengths_cpu"].max()) for b in batches]
    real = sum(int(b["lengths_cpu"].sum()) for b in batches)
    padded_steps = sum(b["x"].shape[0] * b["x"].shape[1] for b in batches)
    print(f"\n== {case['title']}")
    print(f"   {len(batches)} batches ({args.batching}), padded T per batch: "
          f"{T if len(T) <= 12 else str(T[:12])[:-1] + ', ...]'}; "
          f"real/padded steps {real / padded_steps:.2f}")

    net = initialized_network(case["layers"], device)
    padded = hand_impl(handwritten_from(net, case, False, device), case, "padded")
    packed = hand_impl(handwritten_from(net, case, True, device), case, "packed")
    lg = layergraph_impl(net)
    lg_whole = layergraph_impl(whole_backward_direction(initialized_network(case["layers"],
                                                                            device)),
                               "layergraph*", "the same, 'last' backward direction over all T")
    impls = {"layergraph": lg, "layergraph*": lg_whole, "padded": padded, "packed": packed}
    grad_batches = 1 if large else len(batches)
    diff, gmax = check_correctness(impls, batches, net, grad_batches)

    reps = args.reps or ((2 if args.quick else 4) if large else (20 if args.quick else 50))
    # packed training on the large case takes tens of seconds per batch on a CPU
    limit = {"packed": 1 if args.quick else 2} if large and device.type == "cpu" else {}
    mb = case["batch"]
    train = summarize(interleaved({n: i.train_step for n, i in impls.items()}, batches, reps,
                                  sync, limit=limit))
    pjobs = {n: i.predict_step for n, i in impls.items()}
    pjobs["predict()"] = lambda b: predict(net, b["seqs"], MiniBatchSize=mb)
    pred = summarize(interleaved(pjobs, batches, reps, sync))

    rows = [("layergraph", lg.note), ("layergraph*", lg_whole.note),
            ("padded", "nn.LSTM on padded, out[:, -1]"),
            ("packed", "pack_padded_sequence + nn.LSTM"),
            ("predict()", "layergraph predict(net, seqs): pads on host, numpy out")]
    print(f"   {reps} timed repetitions (+1 warm-up), interleaved"
          + (f"; packed training: {limit['packed']} repetition(s), no warm-up" if limit else ""))
    head = (f"   {'':<11} {'train':>8} {'x padded':>17} {'predict':>8} {'x padded':>17} "
            f"{'max|d last|':>11} {'max|d prob|':>11} {'max|d grad|':>11}")
    print(head)
    print(f"   {'':<11} {'ms/batch':>8} {'median [range]':>17} {'ms/batch':>8} "
          f"{'median [range]':>17} {'vs packed':>11} {'vs packed':>11} {'vs packed':>11}  note")
    print("   " + "-" * (len(head) - 3 + 40))

    def cell(d, n):
        if n not in d:
            return f"{'':8} {'':17}"
        ms, r, lo, hi = d[n]
        return f"{ms:8.2f} {r:6.3f} [{lo:.2f}-{hi:.2f}]"

    for n, note in rows:
        d = [f"{v:11.1e}" if v == v else f"{'':11}" for v in diff[n]]
        print(f"   {n:<11} {cell(train, n)} {cell(pred, n)} {' '.join(d)}  {note}")
    print("   ms/batch: median over repetitions; x padded: median [min-max] of the per-repetition "
          "ratios;\n   differences at the initial weights (same for all); gradients of the loss "
          f"on {grad_batches} batch(es), largest |gradient| {gmax:.1e}")
    if not large and args.device == "cpu":
        time_trainnetwork(case, args, train["padded"][0])
    return train, pred


def time_trainnetwork(case, args, padded_ms):
    """layergraph.training.trainNetwork on the same batches (length-sorted input, Shuffle
    'never', MiniBatchSize 27), per iteration: (time of E+2 epochs - time of E epochs) / 2 epochs,
    so set-up (analysis, initialisation, compilation) cancels; medians of interleaved runs."""
    try:
        from layergraph import trainingOptions
        from layergraph.training import trainNetwork
    except ImportError:
        return
    if args.batching != "sorted":
        return
    order = np.argsort([len(s) for s in case["X"]], kind="stable")
    X = [case["X"][i] for i in order]
    Y = np.array([str(v) for v in case["y"][order]])
    iters = len(X) // case["batch"]

    def run(epochs):
        opts = trainingOptions("adam", MaxEpochs=epochs, MiniBatchSize=case["batch"],
                               Shuffle="never", SequenceLength="longest", Verbose=False,
                               Plots="none", ExecutionEnvironment="cpu")
        t0 = time.perf_counter()
        trainNetwork(X, Y, case["layers"], opts)
        return time.perf_counter() - t0

    run(1)
    per = []
    for _ in range(5 if args.quick else 9):
        a, b = run(1), run(3)
        per.append(1e3 * (b - a) / (2 * iters))
    ms = statistics.median(per)
    print(f"   trainNetwork (default trainingOptions('adam'), sorted input, Shuffle 'never'): "
          f"{ms:.2f} ms/iteration = {ms / padded_ms:.2f} x the padded train step above "
          "(includes host-side padding, loss, L2, bookkeeping)")


def profile_layergraph(case, args, device):
    from torch.profiler import ProfilerActivity, profile

    batches = make_batches(case, args.batching, device, 3 if case["name"] == "large" else None)
    net = initialized_network(case["layers"], device)
    lg = layergraph_impl(net)
    padded = hand_impl(handwritten_from(net, case, False, device), case, "padded")
    acts = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if device.type == "cuda" else [])
    for impl in (lg, padded):
        for b in batches:
            impl.train_step(b)
        with profile(activities=acts) as prof:
            for b in batches:
                impl.train_step(b)
        print(f"\n== profile of {impl.name} training steps ({case['name']})")
        print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=25))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="few repetitions and batches (default)")
    mode.add_argument("--full", action="store_true", help="more repetitions and batches")
    ap.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    ap.add_argument("--case", choices=("jv", "large", "both"), default="both")
    ap.add_argument("--batching", choices=("sorted", "random"), default="sorted")
    ap.add_argument("--threads", type=int, default=None,
                    help="torch intra-op threads (default: number of CPU cores)")
    ap.add_argument("--reps", type=int, default=None, help="timed repetitions (default: jv 20 "
                    "quick, 50 full; large 2 quick, 4 full)")
    ap.add_argument("--large-batches", type=int, default=None,
                    help="batches of the large case timed (default 3 quick, 6 full; 32 = all)")
    ap.add_argument("--profile", action="store_true", help="profile training steps instead")
    args = ap.parse_args(argv)
    if not args.full:
        args.quick = True

    if args.device == "cuda" and not torch.cuda.is_available():
        ap.error("--device cuda: no CUDA device is available")
    device = torch.device(args.device)
    torch.set_num_threads(args.threads or os.cpu_count() or 1)
    torch.manual_seed(0)
    dev = torch.cuda.get_device_name(device) if device.type == "cuda" else platform.processor() \
        or platform.machine()
    print(f"torch {torch.__version__}, device {device} ({dev}), torch threads "
          f"{torch.get_num_threads()} (interop {torch.get_num_interop_threads()}), "
          f"CPU cores {os.cpu_count()}, mode {'full' if args.full else 'quick'}")
    if device.type == "cuda":
        print(f"cuDNN {torch.backends.cudnn.version()}, enabled {torch.backends.cudnn.enabled}")
    cases = {"jv": jv_case, "large": large_case}
    names = ["jv", "large"] if args.case == "both" else [args.case]
    t0 = time.perf_counter()
    for name in names:
        case = cases[name]()
        if args.profile:
            profile_layergraph(case, args, device)
        else:
            run_case(case, args, device)
    print(f"\ntotal {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
