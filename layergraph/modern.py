"""MATLAB's dlnetwork workflow (R2024a's recommended one): dlnetwork, initialize, minibatchpredict,
scores2label, testnet, and predict with state.

    net = dlnetwork(layers)                       # no output layer: the loss goes to trainnet
    net, info = trainnet(XTrain, TTrain, net, "crossentropy", options)
    scores = minibatchpredict(net, XTest)
    YTest = scores2label(scores, classNames)
    acc = testnet(net, XTest, TTest, "accuracy")
    Y, state = predict(net, X, return_state=True)  # MATLAB's [Y, state] = predict(net, X)
    net.State = state

A dlnetwork runs on the same graph, analysis and engine as the legacy networks; only its outputs
differ: they are the layer outputs connected to nothing, and the loss is trainnet's argument.
"""

from __future__ import annotations

import numpy as np
import torch

from .analysis import analyze, as_graph
from .errors import DataError, NetworkError, OptionError
from .graph import LayerGraph
from .layouts import formatted, single_format, targets_formatted
from .multiio import as_predictors, one_per, predict_several, split_predictors
from .network import PREDICT_OPTIONS, Network, prediction_options
from .options import Bool, Choice, Number, Option, check_value, parse_name_value
from .services import provide
from .training.options import DataFormats


class Table:
    """A small stand-in for MATLAB's table: named columns, one row per entry.

    ``net.Learnables`` and ``net.State`` are tables with columns Layer, Parameter and Value;
    ``table.Value`` is a column (a list), ``table[i]`` a row (a dict), ``len(table)`` the rows.
    """

    columns = ("Layer", "Parameter", "Value")

    def __init__(self, rows):
        self.rows = [dict(zip(self.columns, r)) for r in rows]

    def __len__(self):
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)

    def __getitem__(self, i):
        return self.rows[i]

    def __getattr__(self, name):
        if name in self.columns:
            return [r[name] for r in self.rows]
        raise AttributeError(f"the table has no column '{name}' (columns: "
                             f"{', '.join(self.columns)})")

    def __repr__(self):
        lines = [f"{len(self)}x3 table", "  Layer            Parameter           Value"]
        for r in self.rows:
            v = r["Value"]
            shape = "x".join(map(str, np.shape(v))) or "1x1"
            lines.append(f"  {r['Layer']:<16} {r['Parameter']:<19} {{{shape} {type(v).__name__}}}")
        return "\n".join(lines)


class DLNetwork(Network):
    """MATLAB's dlnetwork: a network without output layers, initialized or not.

    ``Initialized`` says whether every learnable is set and the network can run; an
    uninitialized network may also be incomplete (being built with addLayers/connectLayers) and
    is checked by :func:`initialize`.
    """

    dlnetwork = True

    def __init__(self, graph: LayerGraph, Initialize=True, device="auto", Seed=0):
        self.graph = graph
        self.training = {}
        self.module = None
        self._device_request = device
        self.analysis = analyze(graph, dlnetwork=True)
        if Initialize:
            self.initialize(Seed)

    @property
    def Initialized(self) -> bool:
        return self.module is not None

    def initialize(self, Seed=0):
        """Fill every unset learnable with its initializer and build the network (MATLAB's
        ``initialize(net)``). The draw is seeded by ``Seed`` (0 by default, so a script makes
        the same network every run; MATLAB draws from its global generator instead)."""
        analysis = analyze(self.graph, dlnetwork=True)
        if not analysis.ok:
            raise NetworkError.from_problems(analysis.problems)
        seed = check_value("dlnetwork", "Seed", _SEED, Seed)
        rng = np.random.default_rng(seed)
        for name in analysis.order:
            analysis.graph.layer(name).initialize(analysis.inputs[name], rng)
        self._compile(analysis.graph, self._device_request, analysis)
        return self

    def _require_initialized(self, what):
        if self.module is None:
            raise NetworkError(f"{what} needs an initialized dlnetwork; call "
                               "net = initialize(net) first (the network was made with "
                               "Initialize=False)")

    # --- MATLAB properties ----------------------------------------------------------------------
    @property
    def Classes(self):
        return None

    @property
    def InputNames(self):
        return self.graph.InputNames

    @property
    def OutputNames(self):
        return self.analysis.output_names

    @property
    def Learnables(self) -> Table:
        """Layer, Parameter, Value (MATLAB's layout) of every learnable."""
        if self.module is not None:
            self.sync_layers()
        rows = []
        for lay in self.graph.Layers:
            for name in lay.learnables:
                rows.append((lay.Name, name, lay.props[name]))
        return Table(rows)

    @property
    def State(self) -> Table:
        """Layer, Parameter, Value of the recurrent state: what the next call starts from
        (HiddenState / CellState, hidden units x observations as in MATLAB)."""
        rows = []
        for lay, module in self._recurrent_layers():
            size = self._state_size(lay)
            for i, name in enumerate(lay.state_props()):
                if module is not None and module.state is not None:  # carried, inside predict
                    v = module.state[i]
                elif module is not None:
                    v = module.initial[i]
                else:
                    v = lay.props.get(name)
                    v = None if v is None else torch.as_tensor(np.asarray(v, np.float32))
                if v is None:
                    value = np.zeros((size, 1), dtype=np.float32)
                else:
                    v = v.detach().cpu()
                    value = (v.T if v.dim() == 2 else v.reshape(-1, 1)).numpy().copy()
                rows.append((lay.Name, name, value))
        return Table(rows)

    @State.setter
    def State(self, table):
        self._require_initialized("setting State")
        if not isinstance(table, Table):
            raise OptionError("net.State must be a state table, as predict(net, X, "
                              "return_state=True) returns", owner="dlnetwork", option="State",
                              part="value", expected="a Table with Layer, Parameter, Value")
        given = {(r["Layer"], r["Parameter"]): r["Value"] for r in table}
        for lay, module in self._recurrent_layers():
            values = []
            for name in lay.state_props():
                if (lay.Name, name) not in given:
                    raise OptionError(f"the state table has no {name} for layer '{lay.Name}'",
                                      owner="dlnetwork", option="State", part="value")
                v = np.asarray(given[(lay.Name, name)], dtype=np.float32)
                size = self._state_size(lay)
                if v.ndim != 2 or v.shape[0] != size:
                    raise DataError(f"State of layer '{lay.Name}' ({name}) has shape {v.shape};"
                                    f" expected {size} x observations")
                values.append(torch.as_tensor(v.T.copy()))
            # The State is where every call starts from: the module's initial state.
            module.initial = [t[0] if t.shape[0] == 1 else t for t in values]
            module.state = None

    def resetState(self):
        """MATLAB's ``net = resetState(net)``: the State back to the layers' HiddenState /
        CellState (zeros where those are empty)."""
        self._require_initialized("resetState")
        for lay, module in self._recurrent_layers():
            module.initial = [None if lay.props.get(n) is None else torch.as_tensor(
                np.asarray(lay.props[n], np.float32).reshape(-1)) for n in lay.state_props()]
            module.state = None
        return self

    def _recurrent_layers(self):
        for lay in self.graph.Layers:
            if hasattr(lay, "state_props"):
                key = self.module.names.get(lay.Name) if self.module is not None else None
                yield lay, (self.module.layer_modules[key] if key is not None else None)

    @staticmethod
    def _state_size(lay):
        return lay.NumHiddenUnits * getattr(lay, "directions", 1)

    def __repr__(self):
        state = "initialized" if self.Initialized else "not initialized"
        n = self.analysis.total_learnables
        return (f"dlnetwork with {len(self.Layers)} layers, {state}"
                + (f", on {self.device}" if self.Initialized else "") + f" ({n:,} learnables)")

    def summary(self) -> str:
        lines = [repr(self), "", str(self.analysis).replace("No problems found.", "").rstrip()]
        t = self.training
        if t:
            lines.append(f"Trained: {t['epochs']} epochs, {t['iterations']} iterations, solver "
                         f"'{t['solver']}', loss '{t.get('loss_name', '?')}', final mini-batch "
                         f"loss {t['loss']:.4g}")
        return "\n".join(lines)

    def edited(self, op, *args) -> DLNetwork:
        """addLayers / connectLayers / disconnectLayers / removeLayers / replaceLayer on a
        dlnetwork (graph.py calls this): an uninitialized dlnetwork that keeps the learnables
        already set; initialize(net) checks and completes it, as in MATLAB."""
        graph = getattr(self.copy_graph(), op)(*args)
        return DLNetwork(graph, Initialize=False, device=self._device_request)

    def copy_graph(self) -> LayerGraph:
        if self.module is not None:
            self.sync_layers()
        return self.graph.copy()


def _saved_dlnetwork(graph, device):
    """A dlnetwork from a saved graph whose learnables are all set (load_network)."""
    net = DLNetwork(graph, Initialize=False, device=device)
    net._compile(graph, device)
    return net


provide("saved_dlnetwork", _saved_dlnetwork, "layergraph.modern")

_SEED = Option(Number(integer=True, low=0, high=2 ** 63 - 1))
_DL_OPTIONS = {"Initialize": Option(Bool(), True, "initialize the learnables now"),
               "ExecutionEnvironment": Option(Choice("auto", "cpu", "gpu"), "auto",
                                              "hardware to run on"),
               "Seed": Option(_SEED.kind, 0, "layergraph: seed of the initialization")}


def dlnetwork(layers=None, *args, **kwargs) -> DLNetwork:
    """MATLAB's ``net = dlnetwork(layers)`` / ``dlnetwork(layers, Initialize=false)`` /
    ``dlnetwork`` (an empty network to build with addLayers).

    ``layers``: a layer array, a LayerGraph, or a dlnetwork (copied). Example inputs
    (MATLAB's ``dlnetwork(layers, X)``) are not needed: sizes come from the input layers.
    """
    if args and not isinstance(args[0], str):
        raise OptionError("dlnetwork: example inputs are not needed (layergraph infers sizes "
                          "from the input layers); give only name-value options",
                          owner="dlnetwork", part="value", expected="Initialize=true|false")
    given = parse_name_value("dlnetwork", args, kwargs, list(_DL_OPTIONS))
    opts = {k: check_value("dlnetwork", k, o, given[k]) if k in given else o.default
            for k, o in _DL_OPTIONS.items()}
    if layers is None:
        graph = LayerGraph()
        return DLNetwork(graph, Initialize=False, device=opts["ExecutionEnvironment"])
    if isinstance(layers, DLNetwork):
        graph = layers.copy_graph()
    else:
        graph, problems = as_graph(layers, owner="dlnetwork")
        if problems:
            raise NetworkError.from_problems(problems)
        if graph is layers:
            graph = graph.copy()
    return DLNetwork(graph, opts["Initialize"], opts["ExecutionEnvironment"], opts["Seed"])


def initialize(net: DLNetwork, Seed=0) -> DLNetwork:
    """MATLAB's ``net = initialize(net)``: a network with every learnable set."""
    if not isinstance(net, DLNetwork):
        raise OptionError(f"initialize expects a dlnetwork, got {type(net).__name__}",
                          owner="initialize", part="value", expected="a dlnetwork")
    return DLNetwork(net.copy_graph(), Initialize=False, device=net._device_request) \
        .initialize(Seed)


# --- prediction ---------------------------------------------------------------------------------

def predictors(net: Network, X, fmt="auto", name="X"):
    """``X`` given in InputDataFormats ``fmt``, checked against the network's input layer:
    (sequences or Observations, was_single), as :meth:`Network.prepare` returns them."""
    fmt = single_format(fmt)
    if net.observation_input:
        return net.prepare(X, fmt=fmt, name=name)
    X, layout = formatted(X, fmt, name)
    return net.prepare(X, layout, name=name)


_MBP_OPTIONS = {"InputDataFormats": Option(DataFormats(), "auto",
                                           "dimension order of the predictors: 'TC', 'CT', "
                                           "'BTC', ... for sequences, 'BC' / 'CB' for features, "
                                           "'SSCB' / 'BSSC' for images"),
                "UniformOutput": Option(Bool(), True, "sequence outputs of different lengths "
                                        "as one padded array (true) or a list (false)")}


def minibatchpredict(net: Network, X, *args, **kwargs):
    """MATLAB's ``scores = minibatchpredict(net, X, MiniBatchSize=128, ...)`` and, for a
    dlnetwork with several inputs or outputs, ``[Y1,...,YN] = minibatchpredict(net,
    X1,...,XM, ...)``: one predictor per input (InputNames order; InputDataFormats one format
    or a list, one per input) and a tuple of results in OutputNames order (one output: the
    result itself).

    Sequence-to-one networks return an (N, K) array. Sequence outputs come back as one
    (N, T, K) array when UniformOutput is true, padded (with SequencePaddingValue, in
    SequencePaddingDirection) to the longest where lengths differ, as MATLAB does; with
    UniformOutput false, a list of (T_i, K) arrays, each cut to its own length.
    """
    if isinstance(net, DLNetwork):
        net._require_initialized("minibatchpredict")
    Xs, args = split_predictors(net, X, args)
    names = [*PREDICT_OPTIONS, *_MBP_OPTIONS]  # one parse: prefixes are matched over both
    given = parse_name_value("minibatchpredict", args, kwargs, names)
    mine = {k: check_value("minibatchpredict", k, o, given.pop(k)) if k in given else o.default
            for k, o in _MBP_OPTIONS.items()}
    opts = prediction_options(net, (), given)
    if net.several:
        outs = predict_several(net, as_predictors(net.input_layers, Xs, mine["InputDataFormats"]), opts)
        outs = tuple(_pad_outputs(o, opts) if act.is_sequence and mine["UniformOutput"] else o
                     for o, act in zip(outs, net.output_activations))
        return outs if len(outs) > 1 else outs[0]
    seqs, _ = predictors(net, X, mine["InputDataFormats"])
    out = net.forward_prepared(seqs, opts)
    if not net.sequence_output:
        return out
    if not mine["UniformOutput"]:
        return out
    return _pad_outputs(out, opts)


def _pad_outputs(outs, opts):
    lengths = [len(o) for o in outs]
    longest = max(lengths, default=0)
    k = outs[0].shape[-1] if outs else 0
    value = opts["SequencePaddingValue"]
    arr = np.full((len(outs), longest, k), value, dtype=np.float32)
    for i, o in enumerate(outs):
        if opts["SequencePaddingDirection"] == "left":
            arr[i, longest - len(o):] = o
        else:
            arr[i, :len(o)] = o
    return arr


def categories(labels) -> list:
    """MATLAB's ``categories(T)`` for labels given as a list or array: the sorted unique class
    names, in the order trainnet's "crossentropy" encodes them (numbers in numeric order)."""
    from .training.targets import class_names

    return list(class_names(list(labels)))


def scores2label(scores, classNames, *args, **kwargs):
    """MATLAB's ``Y = scores2label(scores, classNames)``: the class of the highest score of each
    observation (or time step), as a NumPy array of the class names.

    ``ClassificationMode="multilabel"`` returns, per observation, a boolean array of the classes
    whose score reaches ``Threshold`` (0.5). A list of per-sequence score arrays gives a list.
    """
    opts = {"ClassificationMode": Option(Choice("single-label", "multilabel"), "single-label",
                                         "one class per observation, or several"),
            "Threshold": Option(Number(low=0, high=1), 0.5, "multilabel threshold")}
    given = parse_name_value("scores2label", args, kwargs, list(opts))
    mode = check_value("scores2label", "ClassificationMode", opts["ClassificationMode"],
                       given.get("ClassificationMode", "single-label"))
    threshold = check_value("scores2label", "Threshold", opts["Threshold"],
                            given.get("Threshold", 0.5))
    names = np.asarray(list(classNames) if not isinstance(classNames, str) else [classNames])
    if isinstance(scores, list):
        return [scores2label(s, classNames, ClassificationMode=mode, Threshold=threshold)
                for s in scores]
    try:
        s = np.asarray(scores, dtype=np.float64)
    except (ValueError, TypeError):
        raise DataError(f"scores must be numbers, (N, K) or (N, T, K), got "
                        f"{type(scores).__name__}", expected="scores (N, K) or (N, T, K)") from None
    if s.ndim == 0 or s.shape[-1] != len(names):
        raise DataError(f"scores have {s.shape[-1] if s.ndim else 0} classes per row but "
                        f"{len(names)} class names were given",
                        expected="scores (N, K) or (N, T, K) and K class names")
    if mode == "multilabel":
        return s >= threshold
    return names[s.argmax(-1)]


def testnet(net: Network, X, T, metrics, *args, **kwargs):
    """MATLAB's ``metricValues = testnet(net, X, T, metrics)``: each metric of the network's
    predictions against targets ``T`` (one value for one metric, else a list in order).

    Metrics are trainingOptions' Metrics names or objects ('accuracy', 'rmse', 'fscore', ...),
    and 'crossentropy' / 'mse' etc. for the loss itself. Class labels are encoded with the
    classes the network was trained on (trainnet records them), else the sorted labels of T.
    Options: predict's, and InputDataFormats / TargetDataFormats as trainingOptions takes them.
    """
    from .training.metrics import as_metrics
    from .training.objectives import LOSS_NAMES, LossFunctionObjective

    if isinstance(net, DLNetwork):
        net._require_initialized("testnet")
    single = isinstance(metrics, (str, np.str_)) or not isinstance(metrics, (list, tuple))
    items = [metrics] if single else list(metrics)
    losses = [m for m in items if isinstance(m, (str, np.str_)) and str(m).lower() in LOSS_NAMES]
    if net.several:
        values = _testnet_several(net, X, T, items, losses, args, kwargs)
        return values[0] if single else values
    objective = LossFunctionObjective(losses[0] if losses else _default_loss(items),
                                      as_metrics([m for m in items if m not in losses]))
    given = parse_name_value("testnet", args, kwargs, [*PREDICT_OPTIONS, *_TEST_FORMATS])
    fmts = {k: check_value("testnet", k, o, given.pop(k)) if k in given else o.default
            for k, o in _TEST_FORMATS.items()}
    opts = prediction_options(net, (), given)
    if fmts["InputDataFormats"] == "auto":
        seqs, _ = net.prepare(X, opts["DataLayout"])
    else:
        seqs, _ = predictors(net, X, fmts["InputDataFormats"])
    classes = tuple(net.training.get("classes") or ()) or None
    T = targets_formatted(T, fmts["TargetDataFormats"])
    targets = objective.prepare(T, seqs, net.sequence_output, "T", classes)
    objective.check_width(targets, net.output_activation.channels, net.sequence_output,
                          "testnet")
    outs = net.forward_prepared(seqs, opts)
    from .training.objectives import as_batch

    out, t = as_batch(outs, targets)
    values = {}
    with torch.no_grad():
        for name in losses:
            lo = LossFunctionObjective(name, ())
            values[str(name)] = float(lo.loss(out, t, None, len(seqs)))
        for m, v in zip(objective.metrics, objective.metric_values(out, t, None,
                                                                    targets.encoding)):
            values[m.Name] = v
    ordered = [values[str(m)] if m in losses else values[_metric_name(m)] for m in items]
    return ordered[0] if single else ordered


def _testnet_several(net, X, T, items, losses, args, kwargs) -> list:
    """testnet of a network with several inputs or outputs: ``X`` one predictor per input and
    ``T`` one target per output (tuples, as trainnet takes them); each metric is computed on
    the output its ``NetworkOutput`` names, a metric name on the first output."""
    from .training.metrics import as_metrics
    from .training.objectives import as_batch
    from .training.targets import encode_targets

    if losses:
        raise OptionError(f"testnet of a network with several outputs takes metrics; a loss "
                          f"({', '.join(map(repr, losses))}) names no output: compute it from "
                          "minibatchpredict's outputs", owner="testnet", option="metrics",
                          part="value", expected="metric names or objects (NetworkOutput="
                          "names the output)")
    metrics = as_metrics(items)
    outputs = net.OutputNames
    index = [m.output_index(outputs, "testnet") for m in metrics]
    given = parse_name_value("testnet", args, kwargs, [*PREDICT_OPTIONS, *_TEST_FORMATS])
    fmts = {k: check_value("testnet", k, o, given.pop(k)) if k in given else o.default
            for k, o in _TEST_FORMATS.items()}
    opts = prediction_options(net, (), given)
    Xs = one_per(X, len(net.input_layers), "input", "X")
    Ts = one_per(T, len(outputs), "output", "T")
    data = as_predictors(net.input_layers, Xs, fmts["InputDataFormats"])
    tf = fmts["TargetDataFormats"]
    tf = list(tf) if isinstance(tf, (list, tuple)) else [tf] * len(Ts)
    outs = predict_several(net, data, opts)
    known = net.training.get("output_classes") or [None] * len(outputs)
    acts = net.output_activations
    values, encoded = [], {}
    with torch.no_grad():
        for m, j in zip(metrics, index):
            if j not in encoded:
                name = f"T{j + 1}"
                Tj = targets_formatted(Ts[j], tf[j], name)
                labels = any(np.asarray(v).dtype.kind in "USO" for v in (
                    Tj if isinstance(Tj, (list, tuple)) else [Tj]))
                targets = encode_targets(Tj, data, "classification" if labels else "regression",
                                         acts[j].is_sequence, name,
                                         tuple(known[j]) if known[j] else None)
                encoded[j] = (*as_batch(outs[j], targets), targets.encoding)
            out, t, encoding = encoded[j]
            values.append(m.compute(out, t, None, encoding))
    return values


_TEST_FORMATS = {"InputDataFormats": _MBP_OPTIONS["InputDataFormats"],
                 "TargetDataFormats": Option(DataFormats(), "auto",
                                             "dimension order of the targets")}


def _metric_name(m):
    from .training.metrics import as_metrics

    return as_metrics(m)[0].Name


def _default_loss(items):
    from .training.metrics import as_metrics

    tasks = {m.task for m in as_metrics(items)}
    return "mse" if tasks == {"regression"} else "crossentropy"
