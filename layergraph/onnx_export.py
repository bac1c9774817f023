"""exportONNXNetwork: a network as an ONNX model, on PyTorch's own exporter.

    exportONNXNetwork(net, "net.onnx")            # or: layergraph export net.pt -o net.onnx

The model takes ``x``, a right-padded batch ((batch, time, channels), or (batch, time, h, w, c)
for image sequences, as ``predict`` takes one sequence), and ``lengths`` (int64, one per
sequence); batch and time are dynamic axes. It returns ``y``: (batch, K) for networks that
output one vector per sequence, or (batch, time, K) plus ``y_lengths`` for sequence outputs,
where the steps past a sequence's ``y_lengths`` are padding. A classification network's class
names are in the model's metadata (``Classes``, a JSON list, in the order of the scores).
Recurrent layers become ONNX's LSTM and GRU operators with ``sequence_lens``, so a sequence's
result does not depend on what it is batched with, as in layergraph. The exported model is
stateless (each call starts from the layers' initial states).

The export runs ``torch.export`` (non-strict) on a wrapper that walks the network's layers, each
module in its ONNX form (a module's ``onnx_forward`` where it has one, else its ``forward``),
then ``torch.onnx.export`` (the dynamo exporter, which needs ``onnxscript``). A layer that
cannot be exported is named in the error: when the whole network fails, each layer's module is
exported alone, on the inputs it gets, and the first that fails is the one named. Before the
file is written the model is run with onnxruntime on a batch of sequences of different lengths
and compared with the network, so a file that disagrees with ``predict`` is never written.
"""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import os
import warnings

import numpy as np
import torch
from torch import nn

from .atomic import atomic_path
from .errors import ExportError, LayerGraphError
from .options import Number, Option, Text, check_value, parse_name_value
from .sequences import Signal
from .services import provide

INSTALL_HINT = "install the ONNX extra: pip install 'layergraph[onnx]'"

EXPORT_OPTIONS = {
    "NetworkName": Option(Text(), "Network", "name of the ONNX graph"),
    "OpsetVersion": Option(Number(integer=True, low=18, high=23), 18,
                           "ONNX operator set (18 to 23; MATLAB's default 8 predates the "
                           "exporter)"),
    "BatchSize": Option(Number(integer=True, low=1), None,
                        "fixed batch size; [] (default) keeps the batch axis dynamic"),
}

TOLERANCE = 1e-4
"""Largest difference, relative to the outputs' size, between onnxruntime and the network on
the check batch before an export is refused."""


def exportONNXNetwork(net, filename, *args, **kwargs) -> None:
    """Export ``net`` (a Network) to the ONNX file ``filename`` (MATLAB's exportONNXNetwork).

    Name-value options: NetworkName ('Network'), OpsetVersion (18), BatchSize ([]: dynamic).
    Raises ExportError naming the layer that ONNX cannot express, or saying which optional
    package is missing.
    """
    opts = _options(args, kwargs)
    _require("onnx", "onnxscript", "onnxruntime")
    _folder_of(filename)  # before the work, not after
    wrapper = ExportWrapper(net)
    batch = opts["BatchSize"] or 3
    x, lengths = probe_batch(wrapper, batch)
    program = _export(wrapper, x, lengths, opts)
    program.model.graph.name = opts["NetworkName"]
    proto = program.model_proto
    _name_axes(proto)
    classes = getattr(net, "Classes", None)
    if isinstance(classes, (tuple, list)):  # what each score is, for whoever runs the model
        proto.metadata_props.add(key="Classes", value=json.dumps([str(c) for c in classes]))
    _check(proto.SerializeToString(), wrapper, x, lengths)
    _write(proto, filename)


def _options(args, kwargs) -> dict:
    given = parse_name_value("exportONNXNetwork", args, kwargs, list(EXPORT_OPTIONS))
    opts = {name: opt.default for name, opt in EXPORT_OPTIONS.items()}
    for name, value in given.items():
        if name == "BatchSize" and _is_empty(value):
            continue
        opts[name] = check_value("exportONNXNetwork", name, EXPORT_OPTIONS[name], value)
    return opts


def _is_empty(value) -> bool:
    return value is None or (isinstance(value, (list, tuple, np.ndarray)) and np.size(value) == 0)


def _require(*packages):
    import importlib.util

    missing = [p for p in packages if importlib.util.find_spec(p) is None]
    if missing:
        raise ExportError(f"ONNX export needs the package{'s' if len(missing) > 1 else ''} "
                          f"{', '.join(missing)}, which {'are' if len(missing) > 1 else 'is'} "
                          "not installed", owner="exportONNXNetwork", hint=f"; {INSTALL_HINT}")


class ExportWrapper(nn.Module):
    """The network as ``forward(x, lengths)`` on plain tensors: its layers in topological order,
    each module in its ONNX form. Holds a CPU copy of the network's modules."""

    def __init__(self, net):
        super().__init__()
        analysis = net.analysis
        g = analysis.graph
        compiled = net.module
        self.layer_modules = nn.ModuleDict()
        self.steps = []  # (layer, module key, input value keys, output value keys)
        self.where = {}
        consumed = set()
        outputs = []
        for name in analysis.order:
            lay = g.layer(name)
            srcs = g.sources(name)
            ins = [srcs[p] for p in lay.inputs]
            consumed.update(ins)
            if lay.is_output_layer:
                outputs.extend(ins)
                continue
            key = compiled.names[name]
            self.layer_modules[key] = copy.deepcopy(compiled.layer_modules[key]).cpu()
            self.where[key] = lay.where
            self.steps.append((name, key, ins, [(name, p) for p in lay.outputs]))
        if not outputs:  # a network without output layers: the outputs nothing reads
            outputs = [k for *_, outs in self.steps for k in outs if k not in consumed]
        if len(outputs) != 1:
            raise ExportError(f"ONNX export handles networks with one output; this one has "
                              f"{len(outputs)}", owner="exportONNXNetwork")
        self.output = outputs[0]
        self.input_activation = analysis.activation(net.input_layer.Name, "out")
        out_layer, port = self.output
        self.output_activation = analysis.activation(out_layer, port)
        if not self.input_activation.is_sequence:
            raise ExportError(f"ONNX export takes networks with sequence input; "
                              f"{net.input_layer.where} gives {self.input_activation.fmt} data",
                              owner="exportONNXNetwork", layer=net.input_layer.where)
        self.min_length = int(getattr(net.input_layer, "MinLength", 1))
        self.image = len(self.input_activation.spatial) > 0
        self.sequence_output = self.output_activation.is_sequence
        self.onnx = True  # False: every module's plain forward (the reference the check uses)
        self.eval()

    def forward(self, x, lengths):
        if self.image:  # (B, T, h, w, c) as predict takes it -> (B, T, c, h, w) as modules do
            x = x.permute(0, 1, 4, 2, 3)
        values = {}
        signal = Signal(x, lengths)
        for _, key, ins, outs in self.steps:
            module = self.layer_modules[key]
            run = getattr(module, "onnx_forward", None) if self.onnx else None
            args = [values[k] for k in ins] if ins else [signal]
            out = (run or module.forward)(*args)
            if isinstance(out, Signal):
                values[outs[0]] = out
            else:
                values.update(zip(outs, out))
        y = values[self.output]
        if self.sequence_output:
            lengths_out = lengths if y.lengths is None else y.lengths
            return y.data, lengths_out.to(torch.int64)
        return y.data

    @property
    def output_names(self):
        return ["y", "y_lengths"] if self.sequence_output else ["y"]


def probe_batch(wrapper: ExportWrapper, batch: int, seed: int = 0):
    """A batch of sequences of different lengths (longest first) for tracing and checking."""
    act = wrapper.input_activation
    min_len = wrapper.min_length
    T = min_len + 5
    rng = np.random.default_rng(seed)
    tail = (*act.spatial, act.channels)
    x = rng.uniform(0.5, 1.5, size=(batch, T, *tail)).astype(np.float32)
    lengths = np.array([T - (2 * i) % (T - min_len + 1) for i in range(batch)], dtype=np.int64)
    for i, n in enumerate(lengths):
        x[i, n:] = 0.0
    return torch.from_numpy(x), torch.from_numpy(lengths)


@contextlib.contextmanager
def _quiet():
    """The exporter's notices (missing torchvision, deprecations) are not the user's concern."""
    logger = logging.getLogger("torch.onnx")
    old = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(old)


def _export(wrapper, x, lengths, opts):
    # DYNAMIC, not named dims: the exporter finds the least length the layers allow itself
    # (a valid convolution needs its filter's span); the axes are named batch and time after.
    dyn = torch.export.Dim.DYNAMIC
    dims = {0: dyn} if opts["BatchSize"] is None else {}
    dynamic = {"x": {**dims, 1: dyn}, "lengths": dims}
    with _quiet(), torch.no_grad():
        try:
            exported = torch.export.export(wrapper, (x, lengths), dynamic_shapes=dynamic,
                                           strict=False)
        except LayerGraphError:
            raise
        except Exception as exc:
            raise _layer_error(wrapper, _culprit(wrapper, x, lengths), exc) from None
        try:
            return torch.onnx.export(exported, (x, lengths), input_names=["x", "lengths"],
                                     output_names=wrapper.output_names,
                                     opset_version=opts["OpsetVersion"], dynamo=True,
                                     verbose=False)
        except Exception as exc:
            culprit = _culprit(wrapper, x, lengths)
            raise _layer_error(wrapper, culprit, exc) from None


def _layer_error(wrapper, key, exc) -> ExportError:
    summary = _first_line(exc)
    if key is None:
        return ExportError(f"ONNX export failed: {summary}", owner="exportONNXNetwork")
    where = wrapper.where[key]
    return ExportError(f"{where} cannot be exported to ONNX ({type(exc).__name__}: {summary})",
                       owner="exportONNXNetwork", layer=where)


def _first_line(exc) -> str:
    inner = exc
    while inner.__cause__ is not None:  # the exporter's wrappers say which step; the cause what
        inner = inner.__cause__
    lines = [ln.strip() for ln in str(inner).splitlines() if ln.strip()]
    return lines[0][:300] if lines else type(inner).__name__


class _OneLayer(nn.Module):
    def __init__(self, module, n_inputs):
        super().__init__()
        self.module, self.n_inputs = module, n_inputs

    def forward(self, *flat):
        args = [Signal(flat[2 * i], flat[2 * i + 1]) for i in range(self.n_inputs)]
        run = getattr(self.module, "onnx_forward", None) or self.module.forward
        out = run(*args)
        outs = [out] if isinstance(out, Signal) else list(out)
        return tuple(o.data for o in outs)


def _culprit(wrapper, x, lengths):
    """The first layer whose module cannot be exported alone (on the inputs it gets from the
    probe batch); None when each can."""
    seen = {}
    original = {}
    for _, key, _, _ in wrapper.steps:
        module = wrapper.layer_modules[key]
        original[key] = module.forward

        def record(*args, _key=key, _run=module.forward):
            seen.setdefault(_key, args)
            return _run(*args)

        module.forward = record
    wrapper.onnx = False  # the plain forwards: each layer's real inputs
    try:
        with torch.no_grad():
            wrapper(x, lengths)
    except Exception:
        pass
    finally:
        wrapper.onnx = True
        for key in original:
            del wrapper.layer_modules[key].forward
    for _, key, _, _ in wrapper.steps:
        args = seen.get(key)
        if args is None:
            return key  # it failed to run at all
        flat, n = [], 0
        for a in args:
            lengths_in = a.lengths if a.lengths is not None else torch.zeros(a.data.shape[0])
            flat += [a.data, lengths_in]
            n += 1
        try:
            with _quiet(), torch.no_grad():
                torch.onnx.export(_OneLayer(wrapper.layer_modules[key], n).eval(), tuple(flat),
                                  dynamo=True, verbose=False)
        except Exception:
            return key
    return None


def _name_axes(proto):
    """Call the exporter's symbols for the batch and time axes 'batch' and 'time', everywhere."""
    x, lengths = (i.type.tensor_type.shape.dim for i in proto.graph.input)
    pairs = [*zip(x, ("batch", "time")), *zip(lengths, ("batch",))]
    names = {d.dim_param: new for d, new in pairs if d.dim_param}
    for info in (*proto.graph.input, *proto.graph.output, *proto.graph.value_info):
        for d in info.type.tensor_type.shape.dim:
            if d.dim_param in names:
                d.dim_param = names[d.dim_param]


def _check(model_bytes, wrapper, x, lengths):
    """Run the exported model with onnxruntime on the probe batch; refuse it when it differs from
    the network (each sequence compared on its own steps)."""
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.log_severity_level = 3
    try:
        session = ort.InferenceSession(model_bytes, so, providers=["CPUExecutionProvider"])
        got = session.run(None, {"x": x.numpy(), "lengths": lengths.numpy()})
    except Exception as exc:  # an operator set or operator this onnxruntime lacks
        raise ExportError(f"onnxruntime cannot run the exported model ({_first_line(exc)}); "
                          "the file was not written", owner="exportONNXNetwork") from None
    wrapper.onnx = False
    try:
        with torch.no_grad():
            want = wrapper(x, lengths)
    finally:
        wrapper.onnx = True
    if wrapper.sequence_output:
        want_y, want_len = (t.numpy() for t in want)
        if not np.array_equal(got[1], want_len):
            raise ExportError("the exported model's output lengths differ from the network's",
                              owner="exportONNXNetwork")
        diff = max(float(np.abs(got[0][i, :n] - want_y[i, :n]).max(initial=0.0))
                   for i, n in enumerate(want_len))
        scale = float(np.abs(want_y).max(initial=0.0))
    else:
        want_y = want.numpy()
        diff = float(np.abs(got[0] - want_y).max(initial=0.0))
        scale = float(np.abs(want_y).max(initial=0.0))
    if not diff <= TOLERANCE * max(1.0, scale):
        raise ExportError(f"the exported model differs from the network by {diff:.3g} on a "
                          "check batch; the file was not written", owner="exportONNXNetwork")


def _folder_of(filename) -> str:
    """The folder a file is to be written in; ExportError when there is none."""
    path = os.fspath(filename)
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise ExportError(f"{path}: is a folder; give a file name in it",
                          owner="exportONNXNetwork")
    if not os.path.isdir(folder):
        raise ExportError(f"{path}: the folder {folder} does not exist",
                          owner="exportONNXNetwork")
    return folder


def _write(proto, filename):
    """Write atomically: a temporary file in the same folder, renamed into place."""
    path = os.fspath(filename)
    _folder_of(path)  # a missing folder or a folder as the name: a layergraph error
    with atomic_path(path, prefix=".onnx-") as tmp, open(tmp, "wb") as f:
        f.write(proto.SerializeToString())


provide("export_onnx", exportONNXNetwork, "layergraph.onnx_export")
