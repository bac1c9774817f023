"""trainNetwork: MATLAB's training loop with MATLAB's sequence handling.

Per mini-batch (MiniBatchSize sequences; a final incomplete mini-batch is dropped, as MATLAB does):
  SequenceLength 'longest'   pad to the longest sequence of the mini-batch;
                 'shortest'  truncate every sequence (and per-step targets) to the shortest;
                 integer S   pad to the longest, then split into chunks of S steps processed in
                             order, each chunk one iteration (one update), the recurrent state
                             carried from chunk to chunk (truncated backpropagation through time).
Padded steps never enter the loss or a 'last' output: a sequence-to-label sequence contributes its
loss in the chunk where it ends, read at its own last step.

ExecutionEnvironment 'multi-gpu' / 'parallel' train on several processes (distributed.py): each
worker takes its share of every mini-batch, padded as the whole mini-batch, and divides its loss
by the whole mini-batch's count; validation, checkpoints and progress output are worker 0's.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import os
import tempfile
import warnings

import numpy as np
import torch

from ..analysis import analyze, as_graph
from ..data import as_sequences
from ..errors import LayerGraphError, NetworkError, OptionError, TrainingDiverged
from ..layouts import formatted, single_format
from ..layouts import targets_formatted as _targets_in
from ..modern import DLNetwork
from ..network import Network, resolve_device
from ..observations import Observations, as_observations, takes_observations
from ..persistence import FileError, graph_from_state, graph_state, write_state
from ..sequences import SequencePolicy, Signal, last_step, run_chunks
from ..services import service
from . import distributed
from .checkpoints import CHECKPOINT_FORMAT, checkpoint_path, read_checkpoint
from .metrics import check_objective
from .monitor import Monitor, TrainingInfo, save_progress_plot
from .objectives import LossFunctionObjective, OutputLayerObjective, as_batch
from .options import FULL_BATCH_SOLVERS, TrainingOptions
from .schedules import learn_rate
from .solvers import Solver


def trainNetwork(X, Y, layers, options: TrainingOptions, *, resume_from=None, out=None,
                 workers=None):
    """Train a network: returns (net, info), as MATLAB's ``[net, info] = trainNetwork(...)``.

    ``layers`` is a layer array, a LayerGraph, a Network (training continues from its weights), or
    the path of a checkpoint written under CheckpointPath (training resumes exactly where it was).
    ``workers``: with ExecutionEnvironment 'parallel' or 'multi-gpu' outside a torchrun launch,
    the number of worker processes to start here (MATLAB's parallel pool size; see
    training/distributed.py). Every worker returns the same trained network.
    """
    if not isinstance(options, TrainingOptions):
        raise OptionError("trainNetwork: options must come from trainingOptions(...), got "
                          f"{type(options).__name__}")
    if isinstance(layers, (str, os.PathLike)):
        resume_from, layers = layers, None
    return _train(X, Y, layers, options, resume_from, out, None, workers, "trainNetwork")


def trainnet(X, T, net, lossFcn, options: TrainingOptions, *, resume_from=None, out=None,
             workers=None):
    """MATLAB's ``[net, info] = trainnet(X, T, net, lossFcn, options)``: train a dlnetwork (or a
    layer array without output layers) on a loss given by name or as a callable.

    ``lossFcn``: "crossentropy", "index-crossentropy", "binary-crossentropy", "mse" /
    "mean-squared-error" / "l2loss", "mae" / "mean-absolute-error" / "l1loss", "huber", or
    ``f(Y, T)`` returning a scalar tensor (see training/objectives.py for each formula). The
    options' Metrics are computed and reported per iteration and on the validation data.
    Returns (dlnetwork, info); ``net`` itself is not changed. ``net`` may also be the path of a
    checkpoint written under CheckpointPath (training resumes where it was). ``workers``: as for
    trainNetwork (a callable ``lossFcn`` must then be a module-level function, to reach them).
    """
    if not isinstance(options, TrainingOptions):
        raise OptionError("trainnet: options must come from trainingOptions(...), got "
                          f"{type(options).__name__}", owner="trainnet", option="options",
                          part="value", expected="trainingOptions(...)")
    if isinstance(net, (str, os.PathLike)):
        resume_from, net = net, None
    if resume_from is not None:  # read once: which trainer it needs, then where it resumes
        resume_from = read_checkpoint(resume_from)
    if _has_several(net if resume_from is None else graph_from_state(
            resume_from[0].get("graph"), resume_from[1])):  # training/multiple.py, a floor above
        if options.SolverName in FULL_BATCH_SOLVERS:
            raise OptionError(f"a network with several inputs or outputs trains with 'sgdm', "
                              f"'adam' or 'rmsprop' so far, not '{options.SolverName}'",
                              owner="trainnet", option="solverName", part="value",
                              expected="'sgdm', 'adam' or 'rmsprop'")
        if options.ExecutionEnvironment in distributed.DISTRIBUTED_ENVIRONMENTS:
            raise OptionError(
                "a network with several inputs or outputs trains in one process; "
                f"ExecutionEnvironment '{options.ExecutionEnvironment}' is not supported for it "
                "yet", owner="trainnet", option="ExecutionEnvironment", part="value",
                expected="'auto', 'cpu' or 'gpu'")
        return service("trainnet_several", "layergraph.training.multiple")(
            X, T, net, lossFcn, options, out=out, resume_from=resume_from)
    LossFunctionObjective(lossFcn, options.Metrics)  # checked before any worker starts
    return _train(X, T, net, options, resume_from, out, (lossFcn,), workers, "trainnet")


def _train(X, Y, layers, opts, resume_from, out, loss, workers, owner):
    """One process, or this process's part in a group of workers (distributed.py); ``loss`` is
    trainnet's (lossFcn,), None for trainNetwork."""
    if opts.ExecutionEnvironment in distributed.DISTRIBUTED_ENVIRONMENTS:
        # a compiled network does not travel to started workers; its graph (with weights) does
        layers = layers.copy_graph() if isinstance(layers, DLNetwork) else \
            layers.graph if isinstance(layers, Network) else layers
    # started workers read a checkpoint from its file: tensors handed to them would be shared
    # memory, and their solvers would update one another's state
    sent = resume_from[1] if isinstance(resume_from, tuple) else resume_from
    args = (X, Y, layers, opts, sent, loss)
    group = distributed.start(opts.ExecutionEnvironment, workers, _train_worker, args, owner)
    return _train_in(group, X, Y, layers, opts, resume_from, loss, out)


def _train_worker(group, X, Y, layers, opts, resume_from, loss):
    """What a started worker runs (its results are worker 0's too, so it returns nothing)."""
    _train_in(group, X, Y, layers, opts, resume_from, loss, None)


def _train_in(group, X, Y, layers, opts, resume_from, loss, out):
    objective = None if loss is None else LossFunctionObjective(loss[0], opts.Metrics)

    full_batch = opts.SolverName in FULL_BATCH_SOLVERS  # lbfgs, lm: training/fullbatch.py
    make = service("full_batch_trainer", "layergraph.training.fullbatch") if full_batch \
        else Trainer

    def train():
        return make(X, Y, layers, opts, resume_from, out, objective=objective, group=group).run()

    if group is None:
        return train()
    return group.run(train, "trainNetwork" if loss is None else "trainnet")


class _NonFinite(Exception):
    """Raised inside a mini-batch when the loss or a gradient is NaN or Inf."""

    def __init__(self, what):
        self.what = what


class Trainer:
    def __init__(self, X, Y, layers, opts, resume_from, out, objective=None, group=None):
        self.opts, self.out = opts, out
        self._join(group)
        self.modern = objective is not None  # trainnet (dlnetwork) rather than trainNetwork
        self.owner = "trainnet" if self.modern else "trainNetwork"
        env = group.device if group is not None else opts.ExecutionEnvironment
        device = resolve_device(env)  # no GPU for 'gpu': say so first
        if opts.CheckpointPath:
            _writable_folder(opts.CheckpointPath, "CheckpointPath", self.owner)
        if opts.Plots == "training-progress":  # the plot is saved at the end: check the folder now
            _writable_folder(os.path.dirname(os.path.abspath(opts.PlotPath)), "PlotPath",
                             self.owner)
        graph, ckpt, self.resumed_from = graph_to_train(layers, resume_from, self.owner)
        analysis = analyze(graph, dlnetwork=self.modern)  # the one analysis of this training
        if not analysis.ok:
            raise NetworkError.from_problems(analysis.problems)
        self.graph = analysis.graph
        self.policy = SequencePolicy.of(opts)
        self.input_layer = self.graph.layer(self.graph.InputNames[0])
        if len(analysis.outputs) != 1 or len(self.graph.InputNames) > 1:
            raise NetworkError(f"{self.owner}: the network has {len(analysis.outputs)} outputs "
                               f"and {len(self.graph.InputNames)} inputs; {self.owner} trains "
                               "networks with one of each here (a dlnetwork with several "
                               "trains with trainnet((X1, X2), (T1, T2), ...))")
        out_act = analysis.activation(*analysis.outputs[0])
        self.sequence_output = out_act.is_sequence
        if self.modern:
            self.objective = objective
            self.metric_names = objective.metric_names
            for m in objective.metrics:  # a NetworkOutput must name the one output
                m.output_index(analysis.output_names, self.owner)
            X_fmt, T_fmt = opts.InputDataFormats, opts.TargetDataFormats
        else:
            self.output_layer = self.graph.layer(self.graph.OutputNames[0])
            self.objective = OutputLayerObjective(self.output_layer, device)
            self.metric_names = self.objective.metric_names
            X_fmt = T_fmt = "auto"
        self.objective_metric = check_objective(opts.ObjectiveMetricName, self.objective.metrics)
        self.seqs = _predictors(X, self.input_layer, X_fmt, "X")
        if group is not None and isinstance(self.seqs, Observations):
            raise OptionError("training on several workers takes sequence data so far; train "
                              "feature or image data with ExecutionEnvironment 'auto', 'cpu' "
                              "or 'gpu'", owner=self.owner,
                              option="ExecutionEnvironment", part="value",
                              expected="'auto', 'cpu' or 'gpu'")
        classes = tuple(ckpt.get("classes") or ()) or None if ckpt else None
        yname = "T" if self.modern else "Y"
        self.targets = self.objective.prepare(_targets_in(Y, T_fmt, yname), self.seqs,
                                              self.sequence_output, yname, classes)
        where = f"output of layer '{analysis.outputs[0][0]}'"
        self.objective.check_width(self.targets, out_act.channels, self.sequence_output, where)
        self.validation = None
        if opts.ValidationData is not None:
            Xv, Yv = opts.ValidationData
            vs = _predictors(Xv, self.input_layer, X_fmt, "ValidationData X")
            vt = self.objective.prepare(_targets_in(Yv, T_fmt, f"ValidationData {yname}"), vs,
                                        self.sequence_output,
                                        f"ValidationData {yname}", self.targets.classes)
            self.objective.check_width(vt, out_act.channels, self.sequence_output, where)
            self.validation = (vs, vt)

        seed = opts.Seed
        if seed is None and group is not None:  # 'shuffle': worker 0 draws it for all
            seed = group.broadcast(int(np.random.default_rng().integers(2 ** 63)))
        self.rng = np.random.default_rng(seed)
        if ckpt is None:
            torch.manual_seed(seed if seed is not None else int(self.rng.integers(2 ** 31)))
            self.input_layer.fit_statistics(
                self.seqs.raw() if isinstance(self.seqs, Observations) else self.seqs,
                reset=opts.ResetInputNormalization)
            for name in analysis.order:
                self.graph.layer(name).initialize(analysis.inputs[name], self.rng)
        if not self.modern and self.targets.kind == "classification":
            self.output_layer.props["Classes"] = self.targets.classes
        if self.modern:
            self.net = DLNetwork(self.graph, Initialize=False, device=env)
            self.net._compile(self.graph, env, analysis)
        else:
            self.net = Network(self.graph, env, analysis)
        self.device = self.net.device
        self.module = self.net.module
        self.solver = Solver(opts, self._parameter_entries())
        self._start(ckpt)

    def _start(self, ckpt):
        """Where training starts: the beginning, or where the checkpoint ``ckpt`` left it."""
        self.info = TrainingInfo(self.metric_names)
        self.epoch, self.iteration = 0, 0
        self.best = None  # (objective value, state_dict, iteration)
        self.bad_validations = 0
        self.order = None
        self.next_batch = 0  # the mini-batch of the current epoch to train next
        self.restored_extra = None  # a full-batch solver's own state, from the checkpoint
        if ckpt is None:
            return
        try:  # a checkpoint that does not fit is a FileError
            self._restore(ckpt)
        except (KeyError, TypeError, ValueError, AttributeError, RuntimeError) as exc:
            if isinstance(exc, LayerGraphError):
                raise
            raise FileError(f"{self.resumed_from}: damaged checkpoint ({type(exc).__name__}:"
                            f" {exc})") from None

    def _join(self, group):
        """Take part in ``group`` (distributed.Workers), or train alone (None)."""
        self.group = group
        self.main = group is None or group.main  # the worker that validates, saves and prints
        self.stand_in = False  # this worker's share of the mini-batch is a stand-in (weight 0)
        self.forward = None  # the module under DDP, made when training starts

    def _parameter_entries(self):
        """(parameter, learn-rate factor, L2 factor) from each layer's MATLAB factor options."""
        entries = []
        for lay in self.graph.Layers:
            key = self.module.names.get(lay.Name)
            if key is None or not lay.learnables:
                continue
            params = list(self.module.layer_modules[key].parameters())
            assert len(params) == len(lay.learnables), lay.Name
            for name, p in zip(lay.learnables, params):
                entries.append((p, *lay.learnable_factors(name)))
        return entries

    # --- loop -----------------------------------------------------------------------------------
    def run(self):
        o = self.opts
        per_epoch = self._batches_per_epoch()
        chunks = self._chunks_per_batch()
        monitor = Monitor(o if self.main else o.replace(Verbose=False, ProgressBar=False),
                          o.MaxEpochs * per_epoch * chunks, self.metric_names, self.out,
                          done=self.iteration)  # a resumed training counts on
        if self.group is not None:
            self.forward = self.group.wrap(self.module)
            self._batch_statistics(self.group.sum_with_gradient)
        try:
            return self._run(monitor, per_epoch)
        finally:
            self._batch_statistics(None)

    def _batch_statistics(self, sum_over_workers):
        """Modules that compute statistics of the mini-batch (batch normalization) see the
        whole mini-batch's through ``sum_over_workers`` (None: their own batch's)."""
        if self.group is not None:
            for m in self.module.modules():
                if hasattr(m, "sum_over_workers"):
                    m.sum_over_workers = sum_over_workers

    def _run(self, monitor, per_epoch):
        o, n = self.opts, len(self.seqs)
        reason = "max epochs completed"
        if self.order is None:
            self.order = self.rng.permutation(n) if o.Shuffle == "once" else np.arange(n)
        stop = False
        saving = bool(o.CheckpointPath) and self.main
        every, unit = o.CheckpointFrequency, o.CheckpointFrequencyUnit
        while not stop:
            if self.next_batch == 0:  # else: a checkpoint taken inside this epoch resumes it
                if self.epoch >= o.MaxEpochs:
                    break
                self.epoch += 1
                if o.Shuffle == "every-epoch":
                    self.order = self.rng.permutation(n)
            size = min(o.MiniBatchSize, n)
            for b in range(self.next_batch, per_epoch):
                # the chunks of one mini-batch (SequenceLength=k) share its rate
                lr = learn_rate(o, self.epoch, self.iteration + 1,
                                per_epoch * self._chunks_per_batch())
                before = self.iteration
                why = self._train_on(self.order[b * size:(b + 1) * size], lr, monitor)
                self.next_batch = b + 1
                if why:
                    reason, stop = why, True
                    break
                if saving and unit == "iteration" and self.iteration // every > before // every:
                    self._checkpoint()  # after the mini-batch that reached the iteration
            self.next_batch = 0
            if saving and unit == "epoch" and not stop and self.epoch % every == 0:
                self._checkpoint()
        val = None
        if self.validation is not None:
            val = self._validate()
            self._patience(val, final=True)
            self.info.record_final_validation(*val)
        monitor.close(reason, val)
        self.info["StopReason"] = reason
        self.info["OutputNetworkIteration"] = self.iteration
        best_wanted = o.OutputNetwork in ("best-validation-loss", "best-validation") or (
            o.OutputNetwork == "auto" and self.validation is not None)
        if best_wanted and self.best is not None:
            self.module.load_state_dict(self.best[1])
            self.info["OutputNetworkIteration"] = self.best[2]
        self.module.eval()
        self.net.sync_layers()
        if o.Plots == "training-progress" and self.main:
            save_progress_plot(self.info, o.PlotPath)
        losses = self.info["TrainingLoss"]
        first = self.metric_names[0] if self.metric_names else None
        metric = self.info[f"Training{first}"] if first else []
        self.net.training = {
            "epochs": self.epoch, "iterations": self.iteration, "solver": o.SolverName,
            "loss": float(losses[-1]) if losses else math.nan,
            "metric_name": first, "metric": float(metric[-1]) if metric else math.nan}
        if self.modern:
            self.net.training["loss_name"] = self.objective.name
            if self.targets.classes:
                self.net.training["classes"] = list(self.targets.classes)
        return self.net, self.info

    def _chunks_per_batch(self) -> int:
        """Iterations per mini-batch: one per chunk of the longest sequence."""
        if isinstance(self.seqs, Observations):
            return 1
        return self.policy.num_chunks(max(len(s) for s in self.seqs))

    def _train_on(self, idx, lr, monitor) -> str | None:
        """Train on one mini-batch (one iteration per chunk); the reason to stop, or None."""
        o = self.opts
        try:
            for loss, metric in self._train_batch(idx, lr):
                self.iteration += 1
                self.info.record(self.iteration, self.epoch, loss, metric, lr)
                val = None
                if self.validation is not None and (
                        self.iteration == 1 or self.iteration % o.ValidationFrequency == 0):
                    val = self._validate()
                    self.info.record_validation(*val)
                    stop = self._patience(val)
                    if stop:
                        monitor.iteration(self.epoch, self.iteration, loss, metric, lr, val)
                        return f"validation loss did not improve {o.ValidationPatience} times"
                monitor.iteration(self.epoch, self.iteration, loss, metric, lr, val)
        except _NonFinite as bad:
            return self._diverged(bad.what, monitor)
        return None

    def _non_finite(self, loss: float) -> str | None:
        """What is NaN or Inf in this iteration: the loss, a gradient, or nothing."""
        if not math.isfinite(loss):
            return f"the training loss is {loss}"
        grads = [p.grad for p in self.solver.parameters if p.grad is not None]
        if grads and not bool(torch.isfinite(torch.stack([g.abs().amax() for g in grads])).all()):
            return "a gradient is NaN or Inf"
        return None

    def _diverged(self, what, monitor) -> str:
        """NonFiniteLoss: raise TrainingDiverged with the last finite network, or stop there."""
        it, ep = self.iteration + 1, self.epoch
        reason = f"{what} at iteration {it} (epoch {ep})"
        if self.opts.NonFiniteLoss == "stop":
            warnings.warn(f"{self.owner}: training stopped: {reason}; the network of iteration "
                          f"{self.iteration} is returned. Lower InitialLearnRate or set "
                          "GradientThreshold.", RuntimeWarning, stacklevel=4)
            return f"{what} (iteration {it})"
        monitor.close(f"{what} (iteration {it})")
        self.module.eval()
        self.net.sync_layers()
        raise TrainingDiverged(
            f"{reason}; the weights before it are finite and kept (exc.network). Lower "
            "InitialLearnRate, set GradientThreshold, or pass NonFiniteLoss='stop' to end "
            "training there as MATLAB does", owner=self.owner, epoch=ep, iteration=it,
            network=self.net, info=self.info)

    def _patience(self, val, final=False):
        """Track the best validation (by ObjectiveMetricName) and count validations without
        improvement; True when ValidationPatience is used up."""
        loss, metrics = val
        if self.objective_metric == "loss":
            score = loss
        else:
            i = self.metric_names.index(self.objective_metric)
            m = self.objective.metrics[i]
            score = -metrics[i] if m.higher_is_better else metrics[i]
        if self.best is None or score < self.best[0]:
            self.best = (score, copy.deepcopy(self.module.state_dict()), self.iteration)
            self.bad_validations = 0
            return False
        if not final:
            self.bad_validations += 1
        return self.bad_validations >= self.opts.ValidationPatience

    # --- one mini-batch -------------------------------------------------------------------------
    def _train_batch(self, idx, lr):
        """Yields (loss, metric) per iteration: one, or one per chunk of an integer split."""
        t = self.targets
        if isinstance(self.seqs, Observations):  # feature or image data: one step, no time
            self.module.train()
            targets = torch.as_tensor(np.stack([t.values[i] for i in idx]).astype(t.dtype),
                                      device=self.device)
            y = self.module(Signal(self.seqs.tensor(idx, self.device)))
            loss, metric = self._loss(y.data, targets, None)
            yield self._step(loss, lr), metric
            return
        seqs = [self.seqs[i] for i in idx]
        tv = [t.values[i] for i in idx]
        seqs, cut = self.policy.cut(seqs, None if t.per_sequence else tv)
        tv = tv if t.per_sequence else cut
        length = None
        if self.group is not None:  # this worker's share, padded as the whole mini-batch
            length = max(len(s) for s in seqs)
            mine, self.stand_in = self.group.share([len(s) for s in seqs])
            self.group.contributes = not self.stand_in
            seqs, tv = [seqs[i] for i in mine], [tv[i] for i in mine]
        batch = self.policy.pad(seqs, self.device, length)
        dtype = t.dtype
        if t.per_sequence:
            targets = torch.as_tensor(np.stack(tv).astype(dtype), device=self.device)
        else:
            targets = self.policy.pad_targets(tv, dtype, self.device, length)
            mask = batch.mask()
        self.module.train()
        for start, stop, lengths, y in run_chunks(self.module, batch, self.policy,
                                                  forward=self.forward):
            if t.per_sequence:
                ends = self.policy.ends_in(batch, start, stop)
                if not self._anywhere(ends):
                    continue
                out = y.data if y.data.dim() == 2 else last_step(y.data, lengths)
                loss, metric = self._loss(out[ends], targets[ends], None)
            else:
                loss, metric = self._loss(y.data, targets[:, start:stop], mask[:, start:stop],
                                          n=len(seqs))
            yield self._step(loss, lr), metric

    def _step(self, loss, lr) -> float:
        """Backpropagate ``loss`` and update the weights (unless anything is NaN or Inf); the
        iteration's loss, summed over the workers under DDP."""
        self.solver.zero_grad()
        loss.backward()  # under DDP: the gradients come back summed over the workers
        value = float(loss.detach()) if self.group is None else self.group.sum(loss)
        what = self._non_finite(value)
        if what:  # before the update: the weights stay the last finite ones
            raise _NonFinite(what)
        self.solver.step(lr)
        return value

    def _anywhere(self, ends) -> bool:
        """Whether any sequence of the (global) mini-batch ends in this chunk."""
        if self.group is None:
            return bool(ends.any())
        return self.group.sum(0 if self.stand_in else int(ends.sum())) > 0

    def _loss(self, out, targets, mask, n=None):
        """The loss (with gradient) and the metrics of one iteration. A worker's loss divides
        by the global mini-batch's count, so the workers' losses add up to the one-process
        loss; its metrics are computed on every worker's outputs together."""
        n = n if n is not None else out.shape[0]
        g, encoding = self.group, self.targets.encoding
        if g is None:
            loss = self.objective.loss(out, targets, mask, n)
            return loss, self.objective.metric_values(out, targets, mask, encoding)
        total = g.sum(0 if self.stand_in else self.objective.count(out, targets, mask, n))
        loss = self.objective.loss(out, targets, mask, n, total=total)
        if self.stand_in:
            loss = loss * 0.0
        if not self.objective.metrics:
            return loss, []
        keep = 0 if self.stand_in else None
        mine = [None if x is None else x.detach()[:keep].cpu() for x in (out, targets, mask)]
        parts = g.gather(mine)
        every = [None if mine[i] is None else torch.cat([p[i] for p in parts])
                 for i in range(3)]
        return loss, self.objective.metric_values(*every, encoding)

    # --- validation -----------------------------------------------------------------------------
    def _validate(self):
        """(loss, [metric values]) on the validation data (worker 0's, given to all)."""
        if self.group is not None:
            return self.group.broadcast(self._validation_values() if self.main else None)
        return self._validation_values()

    def _validation_values(self):
        vs, vt = self.validation
        popts = {"MiniBatchSize": self.opts.MiniBatchSize, **dataclasses.asdict(self.policy)}
        outs = self.net.forward_prepared(vs, popts)
        self.module.train()
        out, t = as_batch(outs, vt)
        with torch.no_grad():
            loss = float(self.objective.loss(out.to(self.device), t.to(self.device), None,
                                             len(vt.values)))
            metrics = self.objective.metric_values(out, t, None, vt.encoding)
        return loss, metrics

    # --- checkpoints ----------------------------------------------------------------------------
    def _checkpoint(self):
        os.makedirs(self.opts.CheckpointPath, exist_ok=True)
        self.net.sync_layers()
        state = {
            "format": CHECKPOINT_FORMAT,
            "graph": graph_state(self.graph),
            "module": {k: v.detach().cpu() for k, v in self.module.state_dict().items()},
            "solver": self.solver.state_dict(),
            "numpy_rng": self.rng.bit_generator.state,
            "torch_rng": torch.get_rng_state(),
            "cuda_rng": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
            "epoch": self.epoch,
            "iteration": self.iteration,
            "info": self.info.to_state(),
            "best": None if self.best is None else {
                "loss": self.best[0], "iteration": self.best[2],
                "module": {k: v.detach().cpu() for k, v in self.best[1].items()}},
            "bad_validations": self.bad_validations,
            "order": torch.as_tensor(self.order),
            "classes": list(self.targets.classes or ()),
            "next_batch": self.next_batch if self.next_batch < self._batches_per_epoch() else 0,
            "solver_extra": self._solver_extra(),
        }
        path = checkpoint_path(self.opts.CheckpointPath, self.iteration, self.epoch)
        write_state(state, path)
        return path

    def _solver_extra(self):
        """State a solver keeps beyond Solver's (full-batch solvers: theirs), for checkpoints."""
        return None

    def _batches_per_epoch(self) -> int:
        return max(len(self.seqs) // self.opts.MiniBatchSize, 1)

    def _restore(self, ck):
        self.module.load_state_dict({k: v.to(self.device) for k, v in ck["module"].items()})
        self.solver.load_state_dict(ck["solver"])
        self.next_batch = int(ck.get("next_batch", 0))  # older checkpoints: at an epoch's end
        self.restored_extra = ck.get("solver_extra")
        self.rng.bit_generator.state = ck["numpy_rng"]
        torch.set_rng_state(ck["torch_rng"])
        if ck["cuda_rng"] and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(ck["cuda_rng"])
        self.epoch, self.iteration = ck["epoch"], ck["iteration"]
        self.info = TrainingInfo.from_state(ck["info"])
        b = ck["best"]
        self.best = None if b is None else (b["loss"], b["module"], b["iteration"])
        self.bad_validations = ck["bad_validations"]
        self.order = ck["order"].numpy()
        if len(self.order) != len(self.seqs):
            raise OptionError(f"the checkpoint was trained on {len(self.order)} sequences but "
                              f"{len(self.seqs)} were given; resume with the same data")


def _writable_folder(path, option, owner="trainNetwork"):
    """Create ``path`` if needed and check that files can be written there, before training."""
    try:
        os.makedirs(path, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=path, prefix=".layergraph-probe-")
        probe.close()
    except (OSError, ValueError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise OptionError(f"cannot write {'checkpoints' if option == 'CheckpointPath' else 'files'}"
                          f" to {path!r} ({option}): {why}", owner=owner,
                          option=option, part="value",
                          expected="a folder that can be created and written") from None


def _has_several(net) -> bool:
    """True for a network with several inputs or outputs (as a dlnetwork)."""
    try:
        graph = net.graph if isinstance(net, Network) else as_graph(net, owner="trainnet")[0]
        analysis = net.analysis if isinstance(net, DLNetwork) else analyze(graph, dlnetwork=True)
    except LayerGraphError:
        return False  # the usual path reports it
    return len(graph.InputNames) > 1 or len(analysis.outputs) > 1


def graph_to_train(layers, resume_from, owner):
    """(graph, checkpoint, its file) of a training: the checkpoint's graph when it resumes
    (``resume_from``: a path, or the (state, file) read_checkpoint gave), else a copy of the
    network given (the caller's is not changed), checked; checkpoint and file None then."""
    if resume_from is not None:
        ckpt, where = resume_from if isinstance(resume_from, tuple) else \
            read_checkpoint(resume_from)
        return graph_from_state(ckpt.get("graph"), where), ckpt, where
    source = layers.copy_graph() if isinstance(layers, DLNetwork) else \
        layers.graph if isinstance(layers, Network) else layers
    graph, problems = as_graph(source, owner=owner)
    if problems:
        raise NetworkError.from_problems(problems)
    if graph is source and not isinstance(layers, DLNetwork):
        graph = graph.copy()  # the caller's graph: train a copy
    return graph, None, None


def _predictors(X, input_layer, fmt, name):
    """The training predictors: sequences (a list) or feature / image Observations."""
    fmt = single_format(fmt)
    if takes_observations(input_layer):
        return as_observations(X, input_layer, fmt, name)[0]
    X, layout = formatted(X, fmt, name)
    return as_sequences(X, input_layer, layout, name=name)[0]
