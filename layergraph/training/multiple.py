"""trainnet for a dlnetwork with several inputs or outputs.

MATLAB trains those from a datastore whose reads hold the predictors and then the targets. In
Python they are given directly:

    trainnet((X1, X2), T, net, lossFcn, options)        # two inputs, one output
    trainnet(X, (T1, T2), net, lossFcn, options)        # one input, two outputs

The predictors follow the network's InputNames order and the targets its OutputNames order;
InputDataFormats / TargetDataFormats are one format for all or a list, one per input / output.
``lossFcn`` is

- a callable ``loss = f(Y1, ..., YN, T1, ..., TN)`` (MATLAB's custom loss of several outputs) on
  torch tensors (P, K) per output, the real positions only (P observations, or the real time
  steps of every sequence for a sequence output); targets that are class labels arrive one-hot
  encoded, numbers as they are;
- or a list of loss names, one per output ('crossentropy', 'mse', ... as for one output): the
  loss trained is their sum (layergraph's choice: MATLAB needs a function for several outputs);
- or one loss name when the network has one output.

A sequence output takes one target per time step of the first sequence input (so it must keep
that input's time steps). An integer SequenceLength splits the one sequence input into chunks
(with several sequence inputs it is refused). CheckpointPath writes checkpoints as for one
output; trainnet resumes from one given in place of the network. The options' Metrics are each
computed on one output: the one a metric object's ``NetworkOutput`` names, else the first
(``accuracyMetric(NetworkOutput="out2")``).
"""

from __future__ import annotations

import dataclasses
import os

import numpy as np
import torch

from ..analysis import analyze
from ..errors import DataError, NetworkError, OptionError
from ..modern import DLNetwork
from ..multiio import (
    as_outputs,
    as_predictors,
    check_policy,
    one_per,
    predict_several,
    run_several_chunks,
)
from ..network import resolve_device
from ..observations import Observations
from ..sequences import SequencePolicy, last_step
from ..services import provide
from .metrics import check_objective, flat_positions
from .objectives import LossFunctionObjective, as_batch
from .solvers import Solver
from .targets import encode_targets
from .trainer import Trainer, _targets_in, _writable_folder, graph_to_train


class SeveralOutputsLoss:
    """The loss of a network with several outputs (or inputs): a callable of every output and
    target, or one named loss per output, summed."""

    def __init__(self, loss_fcn, output_names, metrics):
        n_outputs = len(output_names)
        self.metrics = tuple(metrics or ())
        self.metric_outputs = [m.output_index(output_names) for m in self.metrics]
        self.fn, self.parts = None, None
        if callable(loss_fcn):
            self.fn, self.name = loss_fcn, getattr(loss_fcn, "__name__", "custom")
            return
        names = [loss_fcn] if isinstance(loss_fcn, (str, np.str_)) else loss_fcn
        if not isinstance(names, (list, tuple)) or len(names) != n_outputs:
            raise OptionError(
                f"the network has {n_outputs} outputs; give lossFcn as a function "
                f"f(Y1, ..., Y{n_outputs}, T1, ..., T{n_outputs}) or a list of {n_outputs} "
                "loss names (one per output, summed)", owner="trainnet", option="lossFcn",
                part="value", expected=f"a callable or {n_outputs} loss names")
        self.parts = [LossFunctionObjective(n, ()) for n in names]
        self.name = " + ".join(p.name for p in self.parts)

    def prepare(self, Ts, data, sequence, names):
        """Each output's targets, encoded as its loss wants them (``sequence``: per output,
        whether it wants one target per time step)."""
        if self.parts is not None:
            return [p.prepare(T, data, s, name)
                    for p, T, s, name in zip(self.parts, Ts, sequence, names)]
        return [encode_targets(T, data, "classification" if _labels(T) else "regression", s,
                               name) for T, s, name in zip(Ts, sequence, names)]

    @property
    def metric_names(self) -> list[str]:
        return [m.Name for m in self.metrics]

    def metric_values(self, ys, ts, masks, targets) -> list[float]:
        """Each metric on its output (``targets``: every output's Targets, for the encoding)."""
        with torch.no_grad():
            return [m.compute(ys[j].detach(), ts[j], masks[j], targets[j].encoding)
                    for m, j in zip(self.metrics, self.metric_outputs)]

    def check_width(self, targets, widths, sequence, where):
        for j, (t, width) in enumerate(zip(targets, widths)):
            if self.parts is not None:
                self.parts[j].check_width(t, width, sequence[j], where[j])
                continue
            index = t.encoding == "index"
            n = len(t.classes) if index else t.responses
            if n != width:
                raise DataError(f"T{j + 1} has {n} {'classes' if index else 'values'} per "
                                f"observation but the {where[j]} gives {width}")

    def loss(self, ys, ts, masks, n):
        """The loss of outputs ``ys`` against targets ``ts``; ``masks`` marks the real steps of
        sequence outputs (None for the others)."""
        if self.parts is not None:  # an output with no position in this chunk adds nothing
            return sum(p.loss(y, t, m, n) for p, y, t, m in zip(self.parts, ys, ts, masks)
                       if y.shape[0] > 0)
        real = [flat_positions(y, t, m) for y, t, m in zip(ys, ts, masks)]
        ys = [y for y, _ in real]
        ts = [torch.nn.functional.one_hot(t, y.shape[-1]).to(y.dtype) if t.dim() == 1 else t
              for y, t in real]
        value = self.fn(*ys, *ts)
        if not isinstance(value, torch.Tensor) or value.numel() != 1:
            raise OptionError(f"the loss function {self.name} must return a scalar torch tensor, "
                              f"got {type(value).__name__}", owner="trainnet", option="lossFcn",
                              part="value")
        return value.reshape(())


def _labels(T) -> bool:
    """True when targets are class labels (text) rather than numbers."""
    items = T if isinstance(T, (list, tuple)) else [T]
    return any(np.asarray(v).dtype.kind in "USO" for v in items)


class _OutputTargets(list):
    """The targets of every output (what Trainer.run reads of one output's: no classes)."""

    classes = None


class SeveralTrainer(Trainer):
    """Trainer's loop (epochs, shuffling, validation, patience, solver) over predictors of
    several inputs and targets of several outputs."""

    def __init__(self, X, T, net, opts, out, loss_fcn, resume_from=None):
        self.opts, self.out = opts, out
        self.modern, self.owner = True, "trainnet"
        self._join(None)  # one process (trainnet refuses several workers for these networks)
        resolve_device(opts.ExecutionEnvironment)
        if opts.CheckpointPath:
            _writable_folder(opts.CheckpointPath, "CheckpointPath", self.owner)
        if opts.Plots == "training-progress":
            _writable_folder(os.path.dirname(os.path.abspath(opts.PlotPath)), "PlotPath",
                             self.owner)
        graph, ckpt, self.resumed_from = graph_to_train(net, resume_from, self.owner)
        analysis = analyze(graph, dlnetwork=True)
        if not analysis.ok:
            raise NetworkError.from_problems(analysis.problems)
        self.graph = analysis.graph
        self.policy = SequencePolicy.of(opts)
        acts = [analysis.activation(*o) for o in analysis.outputs]
        where = [f"output of layer '{n}'" for n, _ in analysis.outputs]
        for w, a in zip(where, acts):
            if a.is_sequence and a.steps is not None and a.steps.changes:
                raise NetworkError(f"trainnet: the {w} has {a.steps}; per-step targets of a "
                                   "network with several inputs or outputs follow the steps "
                                   "of its input", owner="trainnet")
        self.sequence = [a.is_sequence for a in acts]
        inputs = [self.graph.layer(n) for n in self.graph.InputNames]
        self.objective = SeveralOutputsLoss(loss_fcn, analysis.output_names, opts.Metrics)
        self.metric_names = self.objective.metric_names
        self.objective_metric = check_objective(opts.ObjectiveMetricName,
                                                self.objective.metrics)
        self.seqs, self.targets = self._data(X, T, inputs, acts, where, "")
        check_policy(self.policy, self.owner, self.seqs)
        if self.policy.chunk_length is not None and self.objective.fn is not None and not all(
                self.sequence):
            raise OptionError(
                f"SequenceLength {self.policy.chunk_length} reads an output of one value per "
                "sequence only in the chunk where each sequence ends, so a loss function would "
                "be given empty outputs in the other chunks: give lossFcn as loss names",
                owner="trainnet", option="lossFcn", part="value",
                expected="a list of loss names, one per output")
        self.validation = None
        if opts.ValidationData is not None:
            Xv, Tv = opts.ValidationData
            self.validation = self._data(Xv, Tv, inputs, acts, where, "ValidationData ")

        self.rng = np.random.default_rng(opts.Seed)
        if ckpt is None:  # a checkpoint's graph holds its statistics and weights
            torch.manual_seed(opts.Seed if opts.Seed is not None else
                              int(self.rng.integers(2 ** 31)))
            for lay, part in zip(inputs, self.seqs.parts):
                lay.fit_statistics(part.raw() if isinstance(part, Observations) else part,
                                   reset=opts.ResetInputNormalization)
            for name in analysis.order:
                self.graph.layer(name).initialize(analysis.inputs[name], self.rng)
        self.net = DLNetwork(self.graph, Initialize=False, device=opts.ExecutionEnvironment)
        self.net._compile(self.graph, opts.ExecutionEnvironment, analysis)
        self.device, self.module = self.net.device, self.net.module
        self.solver = Solver(opts, self._parameter_entries())
        self._start(ckpt)

    def _data(self, X, T, inputs, acts, where, prefix):
        Xs = one_per(X, len(inputs), "input", f"{prefix}X")
        data = as_predictors(inputs, Xs, self.opts.InputDataFormats, f"{prefix}X")
        Ts = one_per(T, len(acts), "output", f"{prefix}T")
        fmts = self.opts.TargetDataFormats
        fmts = list(fmts) if isinstance(fmts, (list, tuple)) else [fmts] * len(Ts)
        if len(fmts) != len(Ts):
            raise OptionError(f"TargetDataFormats has {len(fmts)} formats but the network has "
                              f"{len(Ts)} outputs", owner="trainnet",
                              option="TargetDataFormats", part="value")
        names = [f"{prefix}T{j + 1}" if len(Ts) > 1 else f"{prefix}T" for j in range(len(Ts))]
        Ts = [_targets_in(t, f, n) for t, f, n in zip(Ts, fmts, names)]
        if any(self.sequence) and data.lengths() is None:
            raise NetworkError("trainnet: a sequence output needs a sequence input",
                               owner="trainnet")
        targets = _OutputTargets(self.objective.prepare(Ts, data, self.sequence, names))
        self.objective.check_width(targets, [a.channels for a in acts], self.sequence, where)
        return data, targets

    def _chunks_per_batch(self):
        lengths = self.seqs.lengths()
        return 1 if lengths is None else self.policy.num_chunks(max(lengths))

    def _train_batch(self, idx, lr):
        """One iteration, or one per chunk of an integer SequenceLength (the recurrent state
        carried between the chunks, as for one input): sequence outputs learn the chunk's
        steps, an output of one value per sequence the sequences that end in the chunk."""
        signals, first = self.seqs.batch(idx, self.policy, self.device)
        ts, masks = [], []
        for t, seq in zip(self.targets, self.sequence):
            values = [t.values[i] for i in idx]
            if seq:  # per step, padded like the first sequence input; the mask drops padding
                values, _ = self.policy.cut(values)
                ts.append(self.policy.pad_targets(values, t.dtype, self.device))
                masks.append(first.mask())
            else:
                ts.append(torch.as_tensor(np.stack(values).astype(t.dtype), device=self.device))
                masks.append(None)
        self.module.train()
        if self.policy.chunk_length is None:
            ys = [y.data for y in as_outputs(self.module(signals))]
            loss = self.objective.loss(ys, ts, masks, len(idx))
            yield self._step(loss, lr), self.objective.metric_values(ys, ts, masks, self.targets)
            return
        for start, stop, lengths, y in run_several_chunks(
                self.module, signals, first, self.seqs.sequence_index(), self.policy):
            ends = self.policy.ends_in(first, start, stop)
            if not any(self.sequence) and not bool(ends.any()):
                continue
            cy, ct, cm = [], [], []
            for o, t, m, seq in zip(as_outputs(y), ts, masks, self.sequence):
                if seq:
                    cy.append(o.data)
                    ct.append(t[:, start:stop])
                    cm.append(m[:, start:stop])
                else:
                    out = o.data if o.data.dim() == 2 else last_step(o.data, lengths)
                    cy.append(out[ends])
                    ct.append(t[ends])
                    cm.append(None)
            loss = self.objective.loss(cy, ct, cm, len(idx))
            yield self._step(loss, lr), self.objective.metric_values(cy, ct, cm, self.targets)

    def _validate(self):
        data, targets = self.validation
        popts = {"MiniBatchSize": self.opts.MiniBatchSize, **dataclasses.asdict(self.policy)}
        outs = predict_several(self.net, data, popts)
        self.module.train()
        pairs = [as_batch(o, t) for o, t in zip(outs, targets)]  # every real position
        ys = [y.to(self.device) for y, _ in pairs]
        ts = [t.to(self.device) for _, t in pairs]
        with torch.no_grad():
            loss = float(self.objective.loss(ys, ts, [None] * len(pairs), len(data)))
        return loss, self.objective.metric_values(ys, ts, [None] * len(pairs), targets)


def trainnet_several(X, T, net, lossFcn, options, out=None, resume_from=None):
    """trainnet for a network with several inputs or outputs (this module's docstring);
    ``resume_from``: a checkpoint it wrote under CheckpointPath (training goes on from there)."""
    trainer = SeveralTrainer(X, T, net, options, out, lossFcn, resume_from)
    net, info = trainer.run()
    # each output's classes, in the order of its scores: what testnet encodes labels with
    net.training["output_classes"] = [list(t.classes) if t.classes else None
                                      for t in trainer.targets]
    return net, info


provide("trainnet_several", trainnet_several, "layergraph.training.multiple")
