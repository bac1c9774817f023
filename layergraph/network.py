"""The compiled network: one torch module running the layer graph, and the MATLAB-style object
(``assembleNetwork``, ``predict``, ``classify``, ``predictAndUpdateState``, ``resetState``).

Sequences enter as a right-padded batch plus lengths (see sequences.py); the graph runs once per
mini-batch (or once per chunk when SequenceLength is an integer, the recurrent state carried from
chunk to chunk), and each sequence's output is cut back to its own length.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .analysis import NetworkAnalysis, analyze, as_graph
from .bulk import collector_paused
from .data import as_sequences, minibatches
from .errors import DataError, NetworkError, OptionError
from .graph import LayerGraph
from .layers.base import LayerProblem
from .modules.recurrent import RecurrentModule
from .multiio import as_predictors, collect_outputs, predict_several, split_predictors
from .observations import Observations, as_observations, output_order, takes_observations
from .options import Choice, Number, Option, check_value, parse_name_value
from .persistence import FileError, graph_from_state, graph_state, read_state, write_state
from .sequences import SEQUENCE_OPTIONS, SequencePolicy, Signal, run_chunks
from .services import service


class CompiledNetwork(nn.Module):
    """Runs the layer modules in topological order; returns the network's output: what enters
    the output layer of a legacy network, or the unconnected output of a dlnetwork (a tuple of
    Signals when a dlnetwork has several).

    Each activation is dropped once its last consumer has run, so a long network holds only the
    activations still needed (autograd keeps what the backward pass needs on its own).

    It is called with one Signal, which every input layer reads, or with a list of Signals, one
    per input layer in the graph's InputNames order (a network with several inputs).
    """

    def __init__(self, analysis: NetworkAnalysis):
        super().__init__()
        with collector_paused():
            self._build(analysis)

    def _build(self, analysis: NetworkAnalysis):
        g = analysis.graph
        self.layer_modules = nn.ModuleDict()
        self.plan = []  # (module key, input value keys, output value keys, drop after)
        self.names = {}
        self.feeds = {}  # module key of each input layer -> its place in InputNames
        inputs = {n: k for k, n in enumerate(g.InputNames)}
        for i, name in enumerate(analysis.order):
            lay = g.layer(name)
            if lay.is_output_layer:  # the loss lives in the trainer; nothing to run
                continue
            key = f"l{i}"
            try:
                self.layer_modules[key] = lay.build(analysis.inputs[name])
            except LayerProblem as exc:
                if not (analysis.dlnetwork and lay.category == "input"
                        and lay.missing_statistics()):
                    raise NetworkError(f"{lay.where}: {exc}") from None
                self.layer_modules[key] = _PendingStatistics(
                    f"{lay.where}: Normalization '{lay.Normalization}' needs "
                    f"{', '.join(lay.missing_statistics())}")
            self.names[name] = key
            if name in inputs:
                self.feeds[key] = inputs[name]
            srcs = g.sources(name)
            ins = [srcs[p] for p in lay.inputs]
            outs = [(name, p) for p in lay.outputs]
            self.plan.append((key, ins, outs))
        if not analysis.outputs:
            raise NetworkError("the network has no output")
        self.outputs = tuple(analysis.outputs)
        last_use = {}
        for i, (_, ins, _) in enumerate(self.plan):
            for k in ins:
                last_use[k] = i
        for k in self.outputs:
            last_use.pop(k, None)  # returned: never dropped
        drop = [[] for _ in self.plan]
        for k, i in last_use.items():
            drop[i].append(k)
        self.plan = [(*step, tuple(d)) for step, d in zip(self.plan, drop)]

    def forward(self, x: Signal | list):
        values = {}
        several = isinstance(x, list)
        for key, ins, outs, done in self.plan:
            args = [values[k] for k in ins] if ins else [x[self.feeds[key]] if several else x]
            for k in done:
                del values[k]
            # The layer modules are layergraph's own: call forward directly, which skips
            # nn.Module.__call__'s hook handling (a large share of a streaming step's time).
            out = self.layer_modules[key].forward(*args)
            if isinstance(out, Signal):
                values[outs[0]] = out
            else:
                values.update(zip(outs, out))
        if len(self.outputs) == 1:
            return values[self.outputs[0]]
        return tuple(values[k] for k in self.outputs)

    def recurrent_modules(self):
        """The modules that hold recurrent state (found once: streaming asks every call)."""
        found = self.__dict__.get("_recurrent")
        if found is None:
            found = [m for m in self.modules() if isinstance(m, RecurrentModule)]
            self.__dict__["_recurrent"] = found
        return found


class _PendingStatistics(nn.Module):
    """An input layer of a dlnetwork whose normalization statistics trainnet has yet to compute
    (MATLAB's dlnetwork is made before the data is seen): running it first is an error."""

    def __init__(self, problem):
        super().__init__()
        self.problem = problem

    def forward(self, x):
        raise NetworkError(f"{self.problem}, which trainnet computes from the training data; "
                           "train the network first, or set them on the layer")


def resolve_device(env="auto") -> torch.device:
    """The device of an ExecutionEnvironment name, or the given torch.device (a distributed
    worker's own GPU)."""
    if isinstance(env, torch.device):
        return env
    env = str(env).lower()
    if env == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if env == "cpu":
        return torch.device("cpu")
    if env == "gpu":
        if not torch.cuda.is_available():
            raise OptionError("ExecutionEnvironment 'gpu' was requested but no CUDA GPU is "
                              "available; use 'auto' or 'cpu'")
        return torch.device("cuda")
    raise OptionError(f"ExecutionEnvironment must be 'auto', 'cpu' or 'gpu', got {env!r}")


PREDICT_OPTIONS = {
    "MiniBatchSize": Option(Number(integer=True, low=1), 128, "sequences per mini-batch"),
    **SEQUENCE_OPTIONS,
    "ExecutionEnvironment": Option(Choice("auto", "cpu", "gpu"), "auto", "hardware to run on"),
    "DataLayout": Option(Choice("TC", "CT"), "TC", "'TC' time by channels; 'CT' MATLAB's"),
}
_PREDICT_NAMES = list(PREDICT_OPTIONS)
_PREDICT_DEFAULTS = {name: opt.default for name, opt in PREDICT_OPTIONS.items()}


def prediction_options(net, args, kwargs):
    """Parse predict/classify name-value options (MATLAB style or keywords).

    An explicit ExecutionEnvironment moves the network to that hardware.
    """
    if not args and not kwargs:
        return dict(_PREDICT_DEFAULTS)
    given = parse_name_value("predict", args, kwargs, _PREDICT_NAMES)
    opts = dict(_PREDICT_DEFAULTS)
    for name, value in given.items():
        opts[name] = check_value("predict", name, PREDICT_OPTIONS[name], value)
    if "ExecutionEnvironment" in given:
        net.to(opts["ExecutionEnvironment"])
    return opts


class Network:
    """A network with learnables, ready to predict (MATLAB's SeriesNetwork / DAGNetwork).

    ``Layers`` and ``Connections`` mirror MATLAB; ``module`` is the torch module; ``Classes`` the
    class names of a classification network.
    """

    dlnetwork = False
    """True for MATLAB's dlnetwork (modern.py): no output layers, the loss given to trainnet."""

    def __init__(self, graph: LayerGraph, device="auto", analysis: NetworkAnalysis | None = None):
        """``analysis``: the graph's analysis when the caller has it (trainNetwork), so a
        network is analysed once."""
        self._compile(graph, device, analysis)
        self.training: dict = {}  # set by trainNetwork: epochs, iterations, solver, final loss

    def _compile(self, graph, device, analysis=None):
        """Analyse (unless given the analysis), check that every learnable is set, and build
        the torch module on ``device``."""
        self.analysis = analysis if analysis is not None and analysis.graph is graph \
            else analyze(graph, dlnetwork=self.dlnetwork)
        if not self.analysis.ok:
            raise NetworkError.from_problems(self.analysis.problems)
        self.graph = self.analysis.graph
        missing = []
        for lay in self.graph.Layers:
            for name in lay.learnables:
                if lay.props[name] is None:
                    missing.append(f"{lay.Name}.{name}")
        if missing:
            raise NetworkError("learnables are not set: " + ", ".join(missing) + "; set them "
                               + ("or call initialize(net)" if self.dlnetwork else
                                  "(assembleNetwork needs a fully specified network) or train "
                                  "the network with trainNetwork"))
        if len(self.analysis.outputs) != 1 and not self.dlnetwork:
            names = ", ".join(f"'{n}/{p}'" for n, p in self.analysis.outputs)
            raise NetworkError(f"the network has {len(self.analysis.outputs)} outputs ({names}); "
                               "layergraph runs networks with one output (connect the others "
                               "or remove them)")
        self.input_layers = [self.graph.layer(n) for n in self.graph.InputNames]
        self.input_layer = self.input_layers[0]
        self.observation_input = takes_observations(self.input_layer)
        outs = self.graph.OutputNames
        self.output_layer = self.graph.layer(outs[0]) if outs else None
        self.device = resolve_device(device)
        self.module = CompiledNetwork(self.analysis)  # built on the CPU
        if self.device.type != "cpu":
            self.module.to(self.device)
        self.module.eval()
        self.output_activations = [self.analysis.activation(*o) for o in self.analysis.outputs]
        self.output_activation = self.output_activations[0]
        self.sequence_output = self.output_activation.is_sequence
        self.several = len(self.input_layers) > 1 or len(self.output_activations) > 1
        """True for a dlnetwork with several inputs or outputs (multiio.py runs those)."""
        self._lengths = {}  # T -> lengths tensor [T] on the device, for stream_step

    # --- MATLAB properties ----------------------------------------------------------------------
    @property
    def Layers(self):
        return self.graph.Layers

    @property
    def Connections(self):
        return self.graph.Connections

    @property
    def Classes(self):
        lay = self.output_layer
        if lay is None or lay.output_kind != "classification":
            return None
        return lay.Classes

    def sync_layers(self):
        """Copy learnables and statistics from the torch module back into the layer objects."""
        for lay in self.graph.Layers:
            key = self.module.names.get(lay.Name)
            if key is not None:
                lay.read_back(self.module.layer_modules[key])

    def to(self, device):
        """Move to 'auto' / 'cpu' / 'gpu' (MATLAB's names) or a torch device."""
        self.device = resolve_device(device) if isinstance(device, str) and device.lower() in (
            "auto", "cpu", "gpu") else torch.device(device)
        self.module.to(self.device)
        self._lengths = {}
        return self

    # --- the MATLAB functions as methods, for Python habits (net.predict(X)) ----------------------
    def predict(self, X, *args, **kwargs):
        return predict(self, X, *args, **kwargs)

    def classify(self, X, *args, **kwargs):
        return classify(self, X, *args, **kwargs)

    def predictAndUpdateState(self, X, *args, **kwargs):
        return predictAndUpdateState(self, X, *args, **kwargs)

    def resetState(self):
        return resetState(self)

    def save(self, path):
        save_network(self, path)

    def export_onnx(self, path, *args, **kwargs):
        """exportONNXNetwork(net, path, ...) as a method (onnx_export.py, a floor above)."""
        return service("export_onnx", "layergraph.onnx_export")(self, path, *args, **kwargs)

    def __repr__(self):
        kind = "DAGNetwork" if any(len(lay.inputs) > 1 or len(lay.outputs) > 1
                                   for lay in self.Layers) else "SeriesNetwork"
        return (f"{kind} with {len(self.Layers)} layers on {self.device} "
                f"({self.analysis.total_learnables:,} learnables)"
                + (f", classes {list(self.Classes)}" if isinstance(self.Classes, tuple) else ""))

    def summary(self) -> str:
        """The analysis table plus what the network was trained for and how: what ``print(net)``
        shows."""
        lines = [repr(self), "", str(self.analysis).replace("No problems found.", "").rstrip()]
        inp = self.input_layer
        lines.append(f"Input: {inp.describe()}, normalization '{inp.Normalization}'")
        if isinstance(self.Classes, tuple):
            lines.append(f"Classes ({len(self.Classes)}): {', '.join(self.Classes)}")
        elif self.output_layer.output_kind == "regression":
            per = "time step" if self.sequence_output else \
                "observation" if self.observation_input else "sequence"
            lines.append(f"Responses: {self.analysis.inputs[self.output_layer.Name][0].channels}"
                         f" per {per}")
        t = self.training
        if t:
            metric = (f"accuracy {t['metric']:.2f}%" if t["metric_name"] == "Accuracy"
                      else f"RMSE {t['metric']:.4g}")
            lines.append(f"Trained: {t['epochs']} epochs, {t['iterations']} iterations, solver "
                         f"'{t['solver']}', final mini-batch loss {t['loss']:.4g}, {metric}")
        else:
            lines.append("Trained: no (assembled from given weights)")
        return "\n".join(lines)

    def __str__(self):
        return self.summary()

    # --- running --------------------------------------------------------------------------------
    def stream_step(self, X):
        """predictAndUpdateState's path for its common case: one (T, C) float array of a vector
        sequence, default options. It runs the compiled module once on the unpadded sequence,
        the recurrent state carried, with none of the batching that many sequences need.
        Returns None for anything else, which takes the general path (and its checks)."""
        inp = self.input_layer
        if (self.observation_input or type(X) is not np.ndarray or X.ndim != 2 or X.dtype.kind != "f"
                or X.shape[1] != inp.InputSize or X.shape[0] < inp.MinLength
                or not np.isfinite(X).all()):
            return None
        recurrent = self.module.recurrent_modules()
        for m in recurrent:
            if m.state is not None and m.state[0].shape[0] != 1:
                return None  # the general path says the state is for other sequences
            if not m.carry_state:
                m.carry_state = True
        T = X.shape[0]
        lengths = self._lengths.get(T)
        if lengths is None:
            lengths = self._lengths[T] = torch.tensor([T], device=self.device)
        x = torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32))[None]
        with torch.no_grad():
            if self.module.training:
                self.module.eval()
            y = self.module.forward(Signal(x.to(self.device), lengths, True))
        data = _numpy(y.data)
        if not self.sequence_output:
            return data
        return data[0] if y.lengths is None or y.lengths is lengths else data[0, :int(y.lengths[0])]

    def prepare(self, X, layout="TC", fmt="auto", name="X"):
        """``X`` checked against the input layer: (sequences, was_single) for sequence input
        (``layout`` 'TC' or 'CT'), (:class:`Observations`, was_single) for feature or image
        input (``fmt`` its InputDataFormats)."""
        if self.observation_input:
            return as_observations(X, self.input_layer, fmt, name)
        return as_sequences(X, self.input_layer, layout, name)

    def forward_sequences(self, X, opts, stateful=False):
        """Per-sequence outputs (numpy), in input order: list of (T_i, K) or an (N, K) array;
        one (T, K) array for a single sequence."""
        seqs, single = self.prepare(X, opts["DataLayout"])
        out = self.forward_prepared(seqs, opts, stateful)
        return out[0] if single and self.sequence_output else out

    def forward_prepared(self, seqs, opts, stateful=False):
        """:meth:`forward_sequences` for data already checked by :meth:`prepare`."""
        if isinstance(seqs, Observations):
            return self._forward_observations(seqs, opts["MiniBatchSize"])
        policy = SequencePolicy.of(opts)
        order = np.arange(len(seqs)) if stateful else policy.order([len(s) for s in seqs])
        results = [None] * len(seqs)
        if self.module.training:
            self.module.eval()
        with torch.no_grad():
            for idx in minibatches(len(seqs), opts["MiniBatchSize"], order):
                outs = self._run_batch([seqs[i] for i in idx], policy, stateful)
                for i, o in zip(idx, outs):
                    results[i] = o
        return results if self.sequence_output else np.stack(results)

    def _forward_observations(self, obs: Observations, size: int) -> np.ndarray:
        """Feature or image observations, one mini-batch after another: (N, K) outputs."""
        if self.module.training:
            self.module.eval()
        outs = []
        with torch.no_grad():
            for idx in minibatches(len(obs), size):
                outs.append(_numpy(self.module(Signal(obs.tensor(idx, self.device))).data))
        return output_order(np.concatenate(outs), self.output_activation.fmt)

    def _run_batch(self, batch, policy, stateful):
        batch, _ = policy.cut(batch)
        padded = policy.pad(batch, self.device)
        chunks = run_chunks(self.module, padded, policy, stateful)
        # each sequence's own output steps (a strided layer shortens them), or its last output
        return collect_outputs(chunks, padded, policy, [self.output_activation], len(batch),
                               reorder=False)[0]


def _numpy(t: torch.Tensor) -> np.ndarray:
    if t.dtype != torch.float32:
        t = t.float()
    return (t if t.device.type == "cpu" else t.cpu()).numpy()


def assembleNetwork(layers_or_graph, ExecutionEnvironment="auto") -> Network:
    """Build a Network from layers whose learnables are all set (MATLAB's assembleNetwork)."""
    graph, problems = as_graph(layers_or_graph)
    if problems:
        raise NetworkError.from_problems(problems)
    if graph is layers_or_graph:  # the caller's graph: the network keeps its own copy
        graph = graph.copy()
    return Network(graph, ExecutionEnvironment)


def _require_network(net, fn):
    """A Network, or the error that says what the function wants (not an AttributeError)."""
    if not isinstance(net, Network):
        what = type(net).__name__
        hint = ("; assemble the layers first: assembleNetwork(layers) (weights set), "
                "dlnetwork(layers), or train them with trainNetwork"
                if what in ("list", "tuple", "LayerGraph") or hasattr(net, "Name") else "")
        raise NetworkError(f"expects a network (from trainNetwork, trainnet, "
                           f"assembleNetwork, dlnetwork or load_network), got {what}{hint}",
                           owner=fn, expected="a network")


def predict(net: Network, X, *args, return_state=False, **kwargs):
    """Network outputs: one (T, K) array per sequence for sequence outputs, (N, K) for 'last'.
    A dlnetwork with several inputs takes one predictor per input, ``predict(net, X1, X2)``,
    and returns a tuple of its outputs (OutputNames order) when it has several.

    ``return_state=True`` (a dlnetwork) is MATLAB's ``[Y, state] = predict(net, X)``: it also
    returns the recurrent state after X, as a table for ``net.State = state``; the network's own
    state is left as it was. The sequences of X are run as one mini-batch, from the network's
    current State.
    """
    _require_network(net, "predict")
    if net.dlnetwork:
        net._require_initialized("predict")
    if net.several:  # a dlnetwork's [Y1,...,YN] = predict(net, X1,...,XM)
        Xs, args = split_predictors(net, X, args)
        opts = prediction_options(net, args, kwargs)
        data = as_predictors(net.input_layers, Xs)
        if not return_state:
            outs = predict_several(net, data, opts)
            return outs if len(outs) > 1 else outs[0]
        outs, state = _with_state_returned(  # [Y1,...,YN, state] = predict(...)
            net, lambda: predict_several(net, data, opts, stateful=True))
        return (*outs, state)
    opts = prediction_options(net, args, kwargs)
    if not return_state:
        return net.forward_sequences(X, opts)
    if not net.dlnetwork:
        raise OptionError("return_state needs a dlnetwork (MATLAB's [Y, state] = predict(net, "
                          "X)); with a trained network use predictAndUpdateState",
                          owner="predict", option="return_state", part="value")
    seqs, single = net.prepare(X, opts["DataLayout"])
    opts["MiniBatchSize"] = max(len(seqs), 1)

    def run():
        try:
            return net.forward_prepared(seqs, opts, stateful=True)
        except ValueError as exc:  # the carried state is for another number of sequences
            raise DataError(f"predict: {exc}") from None

    out, state = _with_state_returned(net, run)
    return (out[0] if single and net.sequence_output else out), state


def _with_state_returned(net, run):
    """(``run()``, the recurrent state after it as net.State gives it), every recurrent layer
    carrying its state during ``run`` and left afterwards as it was: MATLAB's ``[Y, state] =
    predict(net, X)``, which does not change ``net``."""
    modules = net.module.recurrent_modules()
    saved = [(m.state, m.carry_state) for m in modules]
    try:
        for m in modules:
            m.carry_state = True
        out = run()
        return out, net.State
    finally:
        for m, (st, carry) in zip(modules, saved):
            m.state, m.carry_state = st, carry


def classify(net: Network, X, *args, **kwargs):
    """Class labels and scores: (labels, scores). Labels are per sequence, or per time step for
    sequence-to-sequence networks."""
    _require_network(net, "classify")
    classes = net.Classes
    if classes is None:
        raise NetworkError("classify needs a network ending in a classificationLayer; use predict")
    if classes == "auto":
        raise NetworkError(f"the classificationLayer '{net.output_layer.Name}' has Classes "
                           "'auto'; set Classes (trainNetwork sets them from the labels)")
    scores = predict(net, X, *args, **kwargs)
    names = np.array(classes)
    if isinstance(scores, list):
        return [names[s.argmax(-1)] for s in scores], scores
    return names[scores.argmax(-1)], scores


def predictAndUpdateState(net: Network, X, *args, **kwargs):
    """Predict and keep each recurrent layer's final state as the start of the next call."""
    _require_network(net, "predictAndUpdateState")
    if net.several:  # [net, Y1,...,YN] = predictAndUpdateState(net, X1,...,XM)
        Xs, args = split_predictors(net, X, args)
        opts = prediction_options(net, args, kwargs)
        outs = predict_several(net, as_predictors(net.input_layers, Xs), opts, stateful=True)
        return (net, *outs)
    if not args and not kwargs:
        y = net.stream_step(X)
        if y is not None:
            return net, y
    opts = prediction_options(net, args, kwargs)
    seqs, single = net.prepare(X, opts["DataLayout"])
    state = net.module.recurrent_modules()
    if state and state[0].state is not None and state[0].state[0].shape[0] != len(seqs):
        raise DataError(f"the network's state is for {state[0].state[0].shape[0]} sequences but "
                        f"{len(seqs)} were given; call resetState(net) first")
    opts["MiniBatchSize"] = max(len(seqs), 1)
    out = net.forward_prepared(seqs, opts, stateful=True)
    return net, (out[0] if single and net.sequence_output else out)


def resetState(net: Network) -> Network:
    """Return every recurrent layer to its initial state (HiddenState / CellState or zeros)."""
    if net.dlnetwork:
        return net.resetState()
    for m in net.module.recurrent_modules():
        m.reset_state()
    return net



# --- saving and loading (the file format is persistence.py's) -----------------------------------

NETWORK_FORMAT = "layergraph.network"
NETWORK_VERSION = 1


def save_network(net: Network, path) -> None:
    """Save a trained or assembled network (layers, weights, normalization, class names)."""
    if net.dlnetwork:
        net._require_initialized("save_network")
    net.sync_layers()
    write_state({"format": NETWORK_FORMAT, "version": NETWORK_VERSION,
                 "graph": graph_state(net.graph), "training": dict(net.training),
                 "dlnetwork": bool(net.dlnetwork)}, path)


def load_network(path, ExecutionEnvironment="auto") -> Network:
    """Load a network saved by :func:`save_network`."""
    state = read_state(path)
    if state.get("format") != NETWORK_FORMAT:
        raise FileError(f"{path}: not a layergraph network file")
    version = state.get("version", 0)
    if not isinstance(version, int) or version > NETWORK_VERSION:
        raise FileError(f"{path}: written by a newer layergraph (format version {version!r}); "
                        "upgrade layergraph")
    graph = graph_from_state(state.get("graph"), path)
    try:
        if state.get("dlnetwork") is True:  # modern.py, a floor above, builds dlnetworks
            net = service("saved_dlnetwork", "layergraph.modern")(graph, ExecutionEnvironment)
        else:
            net = Network(graph, ExecutionEnvironment)
    except NetworkError as exc:
        raise FileError(f"{path}: damaged file: {exc}") from None
    training = state.get("training")
    if isinstance(training, dict):
        net.training = training
    return net
