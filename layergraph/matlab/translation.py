"""from_matlab: MATLAB network code -> a LayerGraph, trainingOptions, a Python script or YAML."""

from __future__ import annotations

import copy
import math
import os
import re
import time
from dataclasses import dataclass, field

import numpy as np

from ..errors import LayerGraphError
from ..graph import LayerGraph, layerGraph
from ..layers import Layer
from ..spec import save_spec
from ..training import TrainingOptions
from .errors import (
    LIMITS,
    MatlabLimits,
    MatlabProblem,
    MatlabSyntaxError,
    MatlabTranslationError,
    Source,
)
from .interpreter import Evaluator
from .parser import Node, parse
from .values import Unknown, is_network, to_py


@dataclass
class MatlabTranslation:
    """What :func:`from_matlab` found.

    graph:     the network (the one passed to trainNetwork, else the last layer array or layer
               graph assigned), as a LayerGraph
    options:   the trainingOptions (passed to trainNetwork, else the last assigned), or None
    variables: the MATLAB variables that were evaluated (numbers, strings, layers, graphs)
    notes:     statements that were skipped (data, training, plots ...), each with file:line:col
    """

    graph: LayerGraph
    options: TrainingOptions | None
    variables: dict
    notes: list[MatlabProblem]
    filename: str
    network_variable: str | None = None
    options_variable: str | None = None
    source: str = field(default="", repr=False)
    explicit_names: set = field(default_factory=set, repr=False)  # names the MATLAB code gave
    encoding: str = "utf-8"  # how the bytes were read, when bytes or a path were given

    @property
    def layers(self) -> list[Layer]:
        return self.graph.Layers

    def to_python(self) -> str:
        """A runnable Python script (``from layergraph import *``) that builds the same network,
        as ``layers`` (a plain chain) or ``lgraph``, and the same ``options``."""
        return python_script(self)

    def to_yaml(self) -> str:
        """The YAML spec of the network and its training options (layergraph.spec)."""
        name = os.path.splitext(os.path.basename(self.filename))[0] if self.filename != \
            "<matlab>" else None
        return save_spec(self.graph, options=self.options, name=name,
                         description=f"Translated from {self.filename} by layergraph.from_matlab")


ENCODINGS = ("utf-8", "gb18030", "latin-1")
"""How MATLAB files are read, in this order: UTF-8 (with or without a byte-order mark), else
GB18030 (GBK's superset: much MATLAB code comes from Chinese tutorials), else Latin-1 (which
reads any bytes). A file with a UTF-16 byte-order mark is read as UTF-16."""


def decode_matlab(raw: bytes) -> tuple[str, str]:
    """(text, encoding) of the bytes of a MATLAB file, as :data:`ENCODINGS` says."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    for encoding in ENCODINGS:
        try:
            return raw.decode("utf-8-sig" if encoding == "utf-8" else encoding), encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover


def from_matlab(text, filename: str | None = None, variables: dict | None = None, *,
                limits: MatlabLimits | None = None) -> MatlabTranslation:
    """Translate MATLAB code that declares a network (and its training options).

    ``text`` is the MATLAB code: a string, the bytes of a file, or a path-like object to read
    it from. Bytes are read as UTF-8 (with or without a byte-order mark), else GB18030, else
    Latin-1; anything but UTF-8 adds a note saying which encoding was assumed. ``variables``
    gives values for variables the code computes from data, e.g. ``{'numClasses': 9}`` for
    ``numClasses = numel(categories(YTrain))``. ``limits`` (default
    :data:`layergraph.matlab.LIMITS`, a :class:`MatlabLimits`) bound the text's size and
    nesting and the evaluation's arrays, loops, calls, steps and time.

    Raises MatlabSyntaxError or MatlabTranslationError listing every problem with its file, line
    and column.
    """
    lim = limits or LIMITS
    deadline = time.monotonic() + lim.max_seconds
    encoding = "utf-8"
    if isinstance(text, os.PathLike):
        filename = filename or os.fspath(text)
        try:
            size = os.path.getsize(text)
            if size > lim.max_size * 4:  # 4 bytes a character at most
                _too_long(size, filename, lim, "bytes")
            with open(text, "rb") as f:
                text = f.read()
        except OSError as exc:
            raise MatlabTranslationError([MatlabProblem(
                filename, 1, 1, "", f"cannot read the MATLAB file ({exc.strerror or exc})")]
                ) from None
    if isinstance(text, (bytes, bytearray)):
        if len(text) > lim.max_size * 4:
            _too_long(len(text), filename, lim, "bytes")
        text, encoding = decode_matlab(bytes(text))
    if not isinstance(text, str):
        raise TypeError(f"from_matlab expects MATLAB text (str), bytes or a path, got "
                        f"{type(text).__name__}")
    if len(text) > lim.max_size:
        _too_long(len(text), filename, lim, "characters")
    src = Source(text, filename)
    try:
        body, syntax_errors = parse(src, lim, deadline)
        if syntax_errors:
            raise MatlabSyntaxError(sorted(syntax_errors, key=lambda p: (p.line, p.column)))
        ev = Evaluator(src, variables, lim, deadline)
        if encoding != "utf-8":
            ev.note(Node(0, 0), f"the file is not UTF-8 text; it was read as "
                    f"{encoding.upper()} (save it as UTF-8 to be sure of its strings)")
        ev.run(body)
    except RecursionError:  # only when max_depth was raised past what Python's stack allows
        raise MatlabSyntaxError([src.problem(0, 1, (
            f"the code nests too deep for Python's recursion limit (with max_depth="
            f"{lim.max_depth}); lower MatlabLimits.max_depth or raise sys.setrecursionlimit"),
            limit="max_depth")]) from None
    if ev.errors:
        raise MatlabTranslationError(ev.errors)

    network_var = options_var = None
    options = None
    if ev.trained is not None:
        network, opts, call = ev.trained
        if not is_network(network):
            raise MatlabTranslationError([src.problem(
                call.start, call.end, "the network given to trainNetwork is not a layer array "
                "or layer graph")])
        network_var = _variable_holding(ev, network)
        if isinstance(opts, TrainingOptions):
            options = opts
            options_var = _variable_holding(ev, opts)
    elif ev.last_network is not None:
        network_var, network, _ = ev.last_network
    else:
        raise MatlabTranslationError([src.problem(
            0, 1, "no network found: expected a layer array (layers = [sequenceInputLayer(...) "
            "...]) or a layer graph (lgraph = layerGraph(layers))")])
    if options is None and ev.last_options is not None:
        options_var, options, _ = ev.last_options
    try:
        graph = layerGraph(network)
    except LayerGraphError as e:
        stmt = ev.last_network[2] if ev.last_network else ev.trained[2]
        raise MatlabTranslationError([src.problem(stmt.start, stmt.end, str(e))]) from None
    variables_out = {k: to_py(v) for k, v in ev.env.items() if not isinstance(v, Unknown)}
    return MatlabTranslation(graph, options, variables_out, ev.notes, src.filename, network_var,
                             options_var, src.text, set(ev.explicit_names), encoding)


def _too_long(n, filename, lim, unit):
    raise MatlabSyntaxError([MatlabProblem(
        filename or "<matlab>", 1, 1, "", lim.exceeded("max_size", f"{n:,} {unit}",
                                                       "the MATLAB text is too long"),
        limit="max_size")])


def _variable_holding(ev, value):
    for name, v in reversed(list(ev.env.items())):
        if v is value:
            return name
    return None


# --- Python output ----------------------------------------------------------------------------


def python_literal(v) -> str:
    if isinstance(v, (bool, np.bool_)):
        return repr(bool(v))
    if isinstance(v, (int, np.integer)):
        return repr(int(v))
    if isinstance(v, (float, np.floating)):
        v = float(v)
        if math.isinf(v):
            return 'float("inf")' if v > 0 else '-float("inf")'
        if math.isnan(v):
            return 'float("nan")'
        return repr(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    if isinstance(v, str):
        return repr(v)
    if isinstance(v, np.ndarray):
        return python_literal(v.tolist())
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(python_literal(x) for x in v) + "]"
    if v is None:
        return "None"
    raise TypeError(f"cannot write {v!r} as Python")


def layer_call(layer: Layer, with_name=True) -> str:
    cfg = layer.config()
    name = cfg.pop("Name")
    args = []
    for p in layer.positional:
        if p not in cfg:
            break
        args.append(python_literal(cfg.pop(p)))
    args += [f"{k}={python_literal(v)}" for k, v in cfg.items()]
    if with_name and name:
        args.append(f"Name={python_literal(name)}")
    return f"{layer.matlab_name}({', '.join(args)})"


def _runs(graph: LayerGraph):
    """Split the layer list into runs that layerGraph/addLayers would chain, and the other edges."""
    layers = graph.Layers
    edges = graph.edges()
    edge_set = set(edges)
    runs = [[layers[0]]] if layers else []
    for a, b in zip(layers, layers[1:]):
        if a.outputs and b.inputs and (a.Name, a.outputs[0], b.Name, b.inputs[0]) in edge_set:
            runs[-1].append(b)
        else:
            runs.append([b])
    chain = {(a.Name, a.outputs[0], b.Name, b.inputs[0]) for r in runs for a, b in zip(r, r[1:])}
    extra = [e for e in edges if e not in chain]
    return runs, extra


def _endpoint(layer, port, side):
    ports = layer.outputs if side == "out" else layer.inputs
    return layer.Name if len(ports) == 1 and port == ports[0] else f"{layer.Name}/{port}"


def _auto_named(layer) -> bool:
    return bool(re.fullmatch(re.escape(layer.default_name) + r"(_\d+)?", layer.Name))


def _rebuild(graph, runs, extra, strip):
    """The graph the emitted code builds (names stripped where ``strip`` says)."""
    def prep(run):
        out = []
        for lay in run:
            c = copy.deepcopy(lay)
            if strip(lay):
                c.props["Name"] = ""
            out.append(c)
        return out

    g = layerGraph(prep(runs[0]))
    for r in runs[1:]:
        g.addLayers(prep(r))
    by_name = {lay.Name: lay for lay in graph.Layers}
    for s, sp, d, dp in extra:
        g.connectLayers(_endpoint(by_name[s], sp, "out"), _endpoint(by_name[d], dp, "in"))
    return g


def python_script(t: MatlabTranslation) -> str:
    graph = t.graph
    runs, extra = _runs(graph)

    def strip(lay):  # leave out names MATLAB code did not give and layerGraph gives back
        return lay.Name not in t.explicit_names and _auto_named(lay)

    try:
        if runs and _rebuild(graph, runs, extra, strip) != graph:
            strip = lambda lay: False  # noqa: E731
    except LayerGraphError:
        strip = lambda lay: False  # noqa: E731

    def array(run, indent="    "):
        return "[\n" + "".join(f"{indent}{layer_call(lay, not strip(lay))},\n"
                               for lay in run) + "]"

    lines = [f'"""Translated from {t.filename} by layergraph.from_matlab."""', "",
             "from layergraph import *  # noqa: F403", ""]
    by_name = {lay.Name: lay for lay in graph.Layers}
    if not runs:
        lines.append("lgraph = layerGraph()")
    elif len(runs) == 1 and not extra:
        lines.append(f"layers = {array(runs[0])}")
    else:
        lines.append(f"layers = {array(runs[0])}")
        lines.append("lgraph = layerGraph(layers)")
        for r in runs[1:]:
            lines.append(f"lgraph = addLayers(lgraph, {array(r)})")
        for s, sp, d, dp in extra:
            lines.append(f"lgraph = connectLayers(lgraph, "
                         f"{python_literal(_endpoint(by_name[s], sp, 'out'))}, "
                         f"{python_literal(_endpoint(by_name[d], dp, 'in'))})")
    if t.options is not None:
        given = t.options.to_dict(only_given=True)
        solver = given.pop("SolverName")
        args = [python_literal(solver)] + [f"{k}={python_literal(v)}" for k, v in given.items()]
        one = f"options = trainingOptions({', '.join(args)})"
        if len(one) <= 100:
            lines += ["", one]
        else:
            lines += ["", "options = trainingOptions(\n" +
                      "".join(f"    {a},\n" for a in args) + ")"]
    if t.notes:
        lines += ["", f"# Not translated from {t.filename} (see the notes):"]
        seen = set()
        for n in t.notes:
            if n.line not in seen:
                seen.add(n.line)
                lines.append(f"#   line {n.line}: {n.source_line.strip()}")
    return "\n".join(lines) + "\n"
