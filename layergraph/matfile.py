"""MATLAB .mat files of learnables: exportLearnables / importLearnables.

    exportLearnables(net, "weights.mat")                 # trained here, for MATLAB
    layers = importLearnables(layers, "weights.mat")     # trained in MATLAB, for here

A file holds one struct per layer, named by the layer's Name, whose fields are the layer's MATLAB
properties in MATLAB's layouts: ``InputWeights`` (G*H x C), ``RecurrentWeights`` (G*H x H),
``Bias`` (G*H x 1) of recurrent layers; ``Weights`` (OutputSize x InputSize) and ``Bias``
(OutputSize x 1) of fullyConnectedLayer; convolution ``Weights`` FilterSize x NumChannels x
NumFilters (h x w x C x F in 2-D) and ``Bias`` 1 x NumFilters; batch normalization ``Offset``,
``Scale``, ``TrainedMean``, ``TrainedVariance``; an input layer's normalization statistics
(``Mean``, ``StandardDeviation``, ``Min``, ``Max``). That is what MATLAB's
``save(file, '-struct', 's')`` writes for ``s.(layer.Name).(property) = layer.(property)``, and
what ``load`` gives back. Arrays are written as single, as MATLAB's trained networks hold them.

Files are read with scipy.io (MATLAB's v5/v6/v7 formats, the default of ``save``); a v7.3 file
(HDF5) is refused with the line to save it as v7. On import every entry is checked before any
layer changes: the layer must exist, the field must be one of its learnable properties, the array
real, finite and of the layer's MATLAB shape (MATLAB drops trailing singleton dimensions, so a
k x C x 1 filter bank may come as k x C); an error names the layer and the property.
"""

from __future__ import annotations

import os
import re

import numpy as np

from .analysis import analyze, as_graph
from .atomic import atomic_path
from .errors import ExportError, FileError, LearnablesFileError
from .graph import LayerGraph
from .layers.base import Layer

INSTALL_HINT = "install the MATLAB-file extra: pip install 'layergraph[mat]'"
MATLAB_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,62}\Z")
"""A MATLAB variable or struct field name (namelengthmax is 63)."""


def _scipy_io():
    try:
        import scipy.io
    except ImportError:
        raise ExportError("reading and writing .mat files needs scipy, which is not installed",
                          owner="learnables", hint=f"; {INSTALL_HINT}") from None
    return scipy.io


def properties(lay: Layer) -> tuple:
    """The properties a learnables file holds for ``lay``: its learnables, the statistics it
    learned from data or in training, and a recurrent layer's state (HiddenState, CellState:
    H x 1, as MATLAB's layer properties hold it after training or predictAndUpdateState)."""
    return (*lay.learnables, *lay.trained_statistics, *lay.data_statistics,
            *_state_properties(lay))


def _state_properties(lay: Layer) -> tuple:
    state_props = getattr(lay, "state_props", None)
    return tuple(state_props()) if callable(state_props) else ()


def exportLearnables(net_or_layers, filename) -> None:
    """Write the learnables (and statistics) of a Network, LayerGraph or layer array to a .mat
    file, one struct per layer (see the module docstring). Layers with nothing set are left out.
    """
    sio = _scipy_io()
    graph = _graph_of(net_or_layers, "exportLearnables")
    content = {}
    for lay in graph.Layers:
        fields = {p: np.asarray(lay.props[p], dtype=np.float32) for p in properties(lay)
                  if lay.props[p] is not None}
        if not fields:
            continue
        if not MATLAB_NAME.match(lay.Name):
            raise ExportError(f"the layer name '{lay.Name}' is not a MATLAB variable name, so "
                              "it cannot key the layer's struct; rename the layer (a letter, "
                              "then letters, digits or underscores, at most 63 characters)",
                              owner="exportLearnables", layer=lay.where)
        content[lay.Name] = fields
    _write(sio, content, filename)


def _graph_of(x, owner) -> LayerGraph:
    sync = getattr(x, "sync_layers", None)
    if callable(sync):  # a Network: its torch module holds the current values
        sync()
    return as_graph(x, owner)[0]


def _write(sio, content, filename):
    """savemat to a temporary file in the same folder, renamed into place."""
    path = os.fspath(filename)
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise FileError(f"{path}: is a folder; give a file name in it")
    if not os.path.isdir(folder):
        raise FileError(f"{path}: the folder {folder} does not exist")
    with atomic_path(path, prefix=".mat-") as tmp:
        sio.savemat(tmp, content, format="5", do_compression=True, oned_as="column")


def importLearnables(net_or_layers, filename):
    """Set learnables (and statistics) from a .mat file; returns what was given, updated: a new
    Network (on the same device), a LayerGraph copy or a list of layer copies (MATLAB's value
    semantics: the argument is not changed). Layers the file does not name keep their values.
    """
    sio = _scipy_io()
    path = os.fspath(filename)
    entries = _read(sio, path)
    network = None
    if callable(getattr(net_or_layers, "sync_layers", None)):
        network = net_or_layers
        network.sync_layers()
    graph, problems = as_graph(net_or_layers, "importLearnables")
    if problems:
        from .errors import NetworkError

        raise NetworkError.from_problems(problems)
    copy = graph.copy()
    analysis = analyze(copy)
    values = _checked(entries, copy, analysis, path)
    for (name, prop), value in values.items():
        copy.layer(name).props[prop] = value
    after = analyze(copy)
    bad = [p for p in after.problems if p not in analysis.problems]
    if bad:
        raise LearnablesFileError(f"{path}: the learnables do not fit the network: "
                                  + "; ".join(str(p) for p in bad))
    if network is not None:
        return _network_like(network, copy)
    if isinstance(net_or_layers, LayerGraph):
        return copy
    return [copy.layer(lay.Name) for lay in graph.Layers]


def _network_like(net, graph):
    new = type(net)(graph, "cpu")
    new.to(net.device)
    new.training = dict(getattr(net, "training", {}))
    return new


def _read(sio, path) -> dict:
    """{variable: {field: array}} of a .mat file of structs; FileError for anything else."""
    from scipy.io.matlab import matfile_version

    if not os.path.isfile(path):
        raise FileError(f"{path}: no such file" if not os.path.isdir(path)
                        else f"{path}: is a folder, not a .mat file")
    try:
        with open(path, "rb") as f:
            major, _ = matfile_version(f)
    except Exception:
        raise FileError(f"{path}: not a MATLAB .mat file") from None
    if major == 2:
        raise FileError(f"{path}: a MATLAB v7.3 (HDF5) file, which scipy cannot read; save it "
                        "in MATLAB as v7: save(filename, '-struct', 's', '-v7')")
    _check_size(path)
    try:
        raw = sio.loadmat(path, squeeze_me=False, struct_as_record=False, mat_dtype=False)
    except Exception as exc:
        raise FileError(f"{path}: damaged or unreadable .mat file ({type(exc).__name__})") \
            from None
    entries = {}
    for name, value in raw.items():
        if name.startswith("__"):
            continue  # scipy's header, version and globals
        if not (isinstance(value, np.ndarray) and value.dtype == object and value.size == 1
                and hasattr(value.flat[0], "_fieldnames")):
            raise LearnablesFileError(f"{path}: entry '{name}' is not a struct of layer "
                                      "properties (expected s.(layerName).(property))",
                                      layer=name)
        s = value.flat[0]
        entries[name] = {f: getattr(s, f) for f in s._fieldnames}
    return entries


_COMPRESSED, _HEADER = 15, 128  # miCOMPRESSED; the v5 header's length


def _check_size(path) -> None:
    """Refuse a v5 file whose entries would decompress to more than LIMITS.max_mat_bytes,
    before scipy reads any: each top-level element's tag gives its type and stored length, and
    a compressed one is inflated piecewise and counted, never held whole."""
    import struct
    import zlib

    from .limits import LIMITS

    limit, total = LIMITS.max_mat_bytes, 0
    with open(path, "rb") as f:
        header = f.read(_HEADER)
        order = "<" if header[126:128] == b"IM" else ">"
        while tag := f.read(8):
            if len(tag) < 8:
                raise FileError(f"{path}: damaged .mat file (an element is cut short)")
            kind, nbytes = struct.unpack(order + "II", tag)
            if kind >> 16:  # a small element packs its length into the tag
                continue
            if kind != _COMPRESSED:
                total += nbytes
                f.seek(nbytes + (-nbytes % 8), 1)
            else:
                inflate, left = zlib.decompressobj(), nbytes
                while left > 0 and total <= limit:
                    piece = f.read(min(left, 1 << 16))
                    if not piece:
                        raise FileError(f"{path}: damaged .mat file (a compressed entry is cut "
                                        "short)")
                    left -= len(piece)
                    try:
                        while piece and total <= limit:
                            total += len(inflate.decompress(piece, 1 << 20))
                            piece = inflate.unconsumed_tail
                    except zlib.error:
                        raise FileError(f"{path}: damaged .mat file (a compressed entry does "
                                        "not inflate)") from None
            if total > limit:
                raise FileError(
                    f"{path}: its entries decompress to more than {limit:,} bytes, the limit "
                    "max_mat_bytes; if the file is trusted, raise it with layergraph.limits."
                    "LIMITS.max_mat_bytes = ... or with layergraph.limits.raised("
                    "max_mat_bytes=...): ...")


def _checked(entries, graph, analysis, path) -> dict:
    """{(layer, property): array in the layer's MATLAB shape}, every entry checked."""
    out = {}
    names = {lay.Name for lay in graph.Layers}
    for name, fields in entries.items():
        if name not in names:
            raise LearnablesFileError(f"{path}: the file has learnables for layer '{name}' but "
                                      f"the network has no layer of that name (layers: "
                                      f"{', '.join(sorted(names))})", layer=name)
        lay = graph.layer(name)
        allowed = properties(lay)
        inputs = analysis.inputs.get(name)
        shapes = lay.learnable_shapes(inputs) if inputs is not None else {}
        shapes.update({p: (lay.state_size, 1) for p in _state_properties(lay)})
        for prop, value in fields.items():
            where = f"{path}: {lay.where}, property {prop}"
            if prop not in allowed:
                raise LearnablesFileError(
                    f"{where}: not a learnable property of the layer; expected one of "
                    f"{', '.join(allowed) or '(none: it has no learnables)'}",
                    layer=name, property=prop)
            arr = np.asarray(value)
            if arr.dtype.kind not in "fiu":
                raise LearnablesFileError(f"{where}: expected a real numeric array, got "
                                          f"{_matlab_class(arr)}", layer=name, property=prop)
            arr = arr.astype(np.float64)
            if not np.isfinite(arr).all():
                raise LearnablesFileError(f"{where}: holds NaN or Inf", layer=name,
                                          property=prop)
            shape = shapes.get(prop)
            if shape is not None:
                if _canonical(arr.shape) != _canonical(shape):
                    raise LearnablesFileError(
                        f"{where}: must be {_dims(shape)} (MATLAB layout), got "
                        f"{_dims(arr.shape)}", layer=name, property=prop,
                        expected=_dims(shape))
                arr = arr.reshape(shape)
            out[(name, prop)] = arr
    return out


def _canonical(shape) -> tuple:
    """MATLAB's size: at least two dimensions, trailing singleton ones dropped."""
    s = [int(n) for n in shape] + [1] * max(0, 2 - len(shape))
    while len(s) > 2 and s[-1] == 1:
        s.pop()
    return tuple(s)


def _dims(shape) -> str:
    return "x".join(str(n) for n in _canonical(shape))


def _matlab_class(arr) -> str:
    kinds = {"U": "char", "S": "char", "O": "a cell or struct", "c": "complex", "b": "logical"}
    return kinds.get(arr.dtype.kind, str(arr.dtype))
