"""Networks with several inputs or outputs (a dlnetwork): one data set per input layer, one
result per output, as MATLAB's ``[Y1,...,YN] = minibatchpredict(net, X1,...,XM)``.

The predictors are given in the network's InputNames order, each in the form of its input layer
(sequences, feature observations or images) and its own InputDataFormats; all hold the same N
observations. Results come back in OutputNames order. Each sequence input is padded on its own;
an integer SequenceLength (chunks with the state carried) needs a single input and output.
"""

from __future__ import annotations

import numpy as np
import torch

from .data import as_sequences, minibatches
from .errors import DataError, OptionError
from .layouts import formatted
from .observations import Observations, as_observations, output_order, takes_observations
from .sequences import SequencePolicy, Signal, run_chunks


class Predictors:
    """The data of every input layer, in InputNames order: lists of sequences or Observations.

    Iterating goes over the observations of the first sequence input (or the first input), so
    per-step targets are checked against those sequences."""

    def __init__(self, parts: list, names: list[str]):
        self.parts, self.names = parts, names
        counts = {len(p) for p in parts}
        if len(counts) != 1:
            shown = ", ".join(f"'{n}' {len(p)}" for n, p in zip(names, parts))
            raise DataError(f"the predictors hold different numbers of observations ({shown}); "
                            "every input needs one entry per observation",
                            expected="the same N for every input")
        seq = [p for p in parts if not isinstance(p, Observations)]
        self.primary = seq[0] if seq else parts[0]

    def __len__(self):
        return len(self.parts[0])

    def __iter__(self):
        return iter(self.primary)

    def sequence_index(self) -> int | None:
        """The position of the sequence input when exactly one input is a sequence input."""
        seq = [j for j, p in enumerate(self.parts) if not isinstance(p, Observations)]
        return seq[0] if len(seq) == 1 else None

    def lengths(self):
        """Lengths of the first sequence input, or None when no input is a sequence."""
        return None if isinstance(self.primary, Observations) else [len(s) for s in self.primary]

    def batch(self, idx, policy: SequencePolicy, device=None):
        """(one Signal per input, padded batch of the first sequence input or None)."""
        signals, first = [], None
        for part in self.parts:
            if isinstance(part, Observations):
                signals.append(Signal(part.tensor(idx, device)))
                continue
            seqs, _ = policy.cut([part[i] for i in idx])
            padded = policy.pad(seqs, device)
            signals.append(Signal(padded.x, padded.lengths))
            if first is None and part is self.primary:
                first = padded
        return signals, first


def as_predictors(layers, Xs, fmts="auto", name="X") -> Predictors:
    """One predictor per input layer (``layers``, in InputNames order), each checked against its
    layer; ``fmts`` is one InputDataFormats for all or one per input."""
    names = [lay.Name for lay in layers]
    if not isinstance(Xs, (list, tuple)) or len(Xs) != len(layers):
        got = len(Xs) if isinstance(Xs, (list, tuple)) else 1
        raise DataError(f"the network has {len(layers)} inputs ({', '.join(map(repr, names))}) "
                        f"but {got} predictor{'s were' if got != 1 else ' was'} given; give one "
                        "per input, in InputNames order",
                        expected=f"{len(layers)} predictors")
    fmts = list(fmts) if isinstance(fmts, (list, tuple)) else [fmts] * len(layers)
    if len(fmts) != len(layers):
        raise OptionError(f"InputDataFormats has {len(fmts)} formats but the network has "
                          f"{len(layers)} inputs", option="InputDataFormats", part="value",
                          expected="one format, or one per input")
    parts = []
    for k, (lay, X, fmt) in enumerate(zip(layers, Xs, fmts)):
        where = f"{name}{k + 1}" if len(layers) > 1 else name
        if takes_observations(lay):
            parts.append(as_observations(X, lay, fmt, where)[0])
        else:
            X, layout = formatted(X, fmt, where)
            parts.append(as_sequences(X, lay, layout, where)[0])
    return Predictors(parts, names)


def one_per(X, count, what, name) -> list:
    """``X`` as one item per input or output (``what``): itself when there is one, else the
    tuple of ``count`` given (trainnet's and testnet's predictors and targets)."""
    if count == 1:
        return [X]
    if not isinstance(X, (list, tuple)) or len(X) != count:
        raise DataError(f"the network has {count} {what}s; give {name} as a tuple of {count} "
                        f"arrays, one per {what} in {'Input' if what == 'input' else 'Output'}"
                        "Names order", expected=f"a tuple of {count}")
    return list(X)


def split_predictors(net, X, args) -> tuple[list, tuple]:
    """``f(net, X1, ..., XM, name, value, ...)``: the M predictors of a network with M inputs
    and the name-value arguments after them."""
    m = len(net.input_layers)
    if m == 1:
        return [X], args
    extra = list(args[:m - 1])
    if len(extra) < m - 1 or any(isinstance(a, str) for a in extra):
        given = 1 + next((i for i, a in enumerate(extra) if isinstance(a, str)), len(extra))
        raise DataError(f"the network has {m} inputs "
                        f"({', '.join(repr(lay.Name) for lay in net.input_layers)}) but {given} "
                        f"predictor{'s were' if given != 1 else ' was'} given; give one per "
                        "input, in InputNames order", expected=f"{m} predictors")
    return [X, *extra], tuple(args[m - 1:])


def check_policy(policy: SequencePolicy, owner: str, data: Predictors | None = None):
    """An integer SequenceLength splits the sequences of the one sequence input into chunks
    (the other inputs, features, are given whole to every chunk); with no sequence input or
    several, each mini-batch runs whole."""
    if policy.chunk_length is None or (data is not None and data.sequence_index() is not None):
        return
    raise OptionError(f"{owner}: SequenceLength {policy.chunk_length} splits sequences into "
                      "chunks, which layergraph does for networks with one sequence input; use "
                      "'longest' or 'shortest'", owner=owner, option="SequenceLength",
                      part="value", expected="'longest' or 'shortest'")


def run_several_chunks(module, signals, first, index, policy, stateful=False):
    """sequences.run_chunks over the sequence input at ``index`` of ``signals`` (one Signal per
    input), the other inputs given whole with every chunk."""
    def forward(chunk):
        return module([chunk if j == index else s for j, s in enumerate(signals)])

    return run_chunks(module, first, policy, stateful, forward=forward)


def as_outputs(y) -> tuple:
    """The module's result as a tuple of Signals, one per network output."""
    return y if isinstance(y, tuple) and not isinstance(y, Signal) else (y,)


def predict_several(net, data: Predictors, opts, stateful=False) -> tuple:
    """Every output of ``net`` on ``data``, in OutputNames order: (N, K) arrays, or lists of
    (T_i, K) arrays for sequence outputs (each cut to its own length). ``stateful``
    (predictAndUpdateState, predict with return_state): one mini-batch in the given order, each
    recurrent layer starting from its carried state and keeping its final one."""
    policy = SequencePolicy.of(opts)
    check_policy(policy, "minibatchpredict", data)
    n = len(data)
    lengths = data.lengths()
    order = np.arange(n) if lengths is None or stateful else policy.order(lengths)
    size = max(n, 1) if stateful else opts["MiniBatchSize"]
    acts = net.output_activations
    results = [[None] * n for _ in acts]
    module = net.module
    if module.training:
        module.eval()
    for m in module.recurrent_modules() if stateful else ():
        m.carry_state = True
    with torch.no_grad():
        for idx in minibatches(n, size, order):
            signals, first = data.batch(idx, policy, net.device)
            try:
                outs = _batch_outputs(module, signals, first, data, policy, acts, stateful)
            except ValueError as exc:  # a carried state for another number of sequences
                if not stateful:
                    raise
                raise DataError(str(exc)) from None
            for j, per_output in enumerate(outs):
                for i, o in zip(idx, per_output):
                    results[j][i] = o
    return tuple(r if act.is_sequence else np.stack(r) for r, act in zip(results, acts))


def _batch_outputs(module, signals, first, data, policy, acts, stateful) -> list:
    """Every output of one mini-batch (:func:`collect_outputs`): run whole, or chunk by chunk
    for an integer SequenceLength."""
    if policy.chunk_length is None:
        chunks = [(0, None, None, module(signals))]
    else:
        chunks = run_several_chunks(module, signals, first, data.sequence_index(), policy,
                                    stateful)
    return collect_outputs(chunks, first, policy, acts, len(signals[0].data))


def collect_outputs(chunks, first, policy, acts, n, reorder=True) -> list:
    """The outputs of a mini-batch of ``n`` observations from its ``chunks`` ((start, stop,
    lengths the network saw, outputs) each; stop None: the batch run whole), per output a list
    with one entry per observation: a sequence output's steps of every chunk joined (and
    unpadded), a sequence-to-one output read in the chunk where each sequence ends. Network
    (one input) and several inputs share it; ``reorder``: image outputs as (h, w, c)."""
    true = None if first is None else first.true_lengths.tolist()
    pieces = [[[] for _ in range(n)] for _ in acts]
    last = [[None] * n for _ in acts]
    for start, stop, lengths, y in chunks:
        ends = None
        for j, (o, act) in enumerate(zip(as_outputs(y), acts)):
            d = o.data.float().cpu().numpy()
            if act.is_sequence:
                seen = o.lengths if o.lengths is not None else lengths
                lens = seen.tolist() if seen is not None else [d.shape[1]] * len(d)
                live = lengths.tolist() if lengths is not None else [1] * len(lens)
                for i, (k, alive) in enumerate(zip(lens, live)):
                    if alive:  # a chunk past a sequence's end adds nothing to it
                        pieces[j][i].append(d[i, :k])
                continue
            rows = output_order(d, act.fmt) if reorder else d
            if stop is None:  # run whole
                last[j] = list(rows)
                continue
            if ends is None:
                ends = policy.ends_in(first, start, stop).nonzero().reshape(-1).tolist()
            for i in ends:
                last[j][i] = rows[i]
    outs = []
    for j, act in enumerate(acts):
        if act.is_sequence:
            ys = [p[0] if len(p) == 1 else np.concatenate(p) for p in pieces[j]]
            outs.append(policy.unpad(ys, true) if true is not None else ys)
        else:
            outs.append(last[j])
    return outs
