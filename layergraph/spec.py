"""YAML specs: a whole network as data, loaded and saved exactly, with errors that give file:line:col.

The format
----------
::

    # specs/japanese-vowels-bilstm.yaml
    name: japanese-vowels-bilstm
    description: Sequence Classification Using Deep Learning (MATLAB example)
    layers:                                    # in order; each feeds the next (layerGraph(layers))
      - sequenceInput: {InputSize: 12, Name: input}
      - bilstm: {NumHiddenUnits: 100, OutputMode: last}
      - fullyConnected: 9                      # short form: the positional argument(s)
      - softmax                                # bare type: a layer without required options
      - classification
    connections:                               # extra edges (connectLayers), 'src[/port] -> dst[/port]'
      - fold/miniBatchSize -> unfold/miniBatchSize
    training:                                  # optional: trainingOptions(solver, Name=Value, ...)
      solver: adam
      MaxEpochs: 50
      MiniBatchSize: 27
    data:                                      # optional: where the data come from
      dataset: japanese_vowels                 # or  train: train.npz / test: test.npz / validation: ...

Layers
    A layer is written in one of three ways: a bare type (``- softmax``); the type as the only key
    with its options as a mapping (``- lstm: {NumHiddenUnits: 100, OutputMode: last}``) or as the
    positional arguments (``- lstm: 100``, ``- convolution1d: [3, 32]``); or the type beside the
    options (``- {type: lstmLayer, NumHiddenUnits: 100}``). The type is the MATLAB constructor name
    (``lstmLayer``) or its YAML key (``lstm``); option names are MATLAB's property names. A layer
    without ``Name`` gets MATLAB's automatic name (``lstm``, or ``lstm_1``, ``lstm_2`` when
    several). Initial values (``Bias``, ``HiddenState``, ...) may be given as nested lists.

Connections
    Layers are chained in order like a MATLAB layer array: each layer's first output feeds the next
    layer's first input (no edge after an output layer or into an input layer). ``connections``
    adds edges, as ``connectLayers`` does. A layer that must *not* take the previous layer's output
    says where its inputs come from instead with the lower-case key ``inputs``: a source for its
    first input (``inputs: lstm_1``), a list for its input ports in order, a mapping
    ``{port: source}``, or ``inputs: []`` for none (a new branch). So any DAG can be written.

Training and data
    ``training`` holds trainingOptions: ``solver`` (sgdm, adam, rmsprop) and MATLAB option names.
    ``data`` names a shipped data set (``dataset: japanese_vowels``) or ``.npz`` files holding
    arrays ``X`` and ``Y`` (paths relative to the spec file). Learned weights are not part of a
    spec: they go in the saved network file; :func:`save_spec` leaves learnable parameters and
    trained statistics out unless asked (``learnables=True``).

Loading is safe (YAML tags that construct objects are refused) and validated against the JSON
Schema generated from the layer registry (:mod:`layergraph.schema`), then checked by building the
layers and the graph and by :func:`layergraph.analyze`. Every problem of a file is collected and
raised together as one :class:`SpecError`, each line as ``file:line:col: layer 'name': message
(expected ...)``.

``load_spec(path_or_text)`` returns a :class:`Spec` (``.graph``, ``.options``, ``.data``,
``.name``); ``LayerGraph.from_spec(...)`` returns just the graph. ``save_spec(graph_or_spec,
path)`` writes YAML that loads back to an equal graph; load -> save -> load is exact.
"""

from __future__ import annotations

import copy
import difflib
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from .errors import GraphError, LayerGraphError, OptionError
from .graph import LayerGraph, _assign_names, layerGraph
from .layers.base import _BY_KEY, Layer
from .services import provide
from .training.options import OPTIONS as TRAINING_OPTIONS
from .training.options import SOLVERS, TrainingOptions, trainingOptions

__all__ = ["Spec", "SpecError", "SpecIssue", "load_spec", "save_spec", "validate_spec"]


# =============================================================================================
# Errors


@dataclass
class SpecIssue:
    """One problem in a spec: where it is (file, 1-based line and column), which layer, what."""

    message: str
    line: int | None = None
    column: int | None = None
    layer: str | None = None
    expected: str | None = None
    file: str = "<string>"
    path: tuple = field(default=(), repr=False, compare=False)  # where in the YAML document

    def __str__(self):
        where = self.file
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        who = f"layer '{self.layer}': " if self.layer else ""
        exp = f" (expected {self.expected})" if self.expected else ""
        return f"{where}: {who}{self.message}{exp}"


class SpecError(LayerGraphError, ValueError):
    """A spec has errors; ``.errors`` lists every one (a :class:`SpecIssue` each)."""

    def __init__(self, errors, file="<string>"):
        self.errors = list(errors)
        self.file = file
        n = len(self.errors)
        head = f"{file}: {n} error{'s' if n != 1 else ''} in the network spec:"
        super().__init__("\n".join([head, *(f"  {e}" for e in self.errors)]))


# =============================================================================================
# Safe YAML with marks


class _Loader(yaml.SafeLoader):
    """SafeLoader that also reads ``1e-3`` as a float (YAML 1.1 wants ``1.0e-3``)."""


_Loader.yaml_implicit_resolvers = {k: list(v) for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)

_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"


@dataclass
class _Doc:
    """Plain data of a YAML document plus the position of every value and mapping key."""

    data: Any
    marks: dict = field(default_factory=dict)  # path tuple -> (line, col) of the value
    key_marks: dict = field(default_factory=dict)  # path tuple -> (line, col) of the key
    refused: set = field(default_factory=set)  # paths of values refused (unsafe tags)

    def at(self, path, key=False):
        """(line, col) of ``path`` (of its key when ``key``), else of the nearest enclosing value."""
        path = tuple(path)
        if key and path in self.key_marks:
            return self.key_marks[path]
        while path not in self.marks and path:
            path = path[:-1]
        return self.marks.get(path, (1, 1))


def _mark(m):
    return (m.line + 1, m.column + 1)


def _compose(text: str, issues: list, file: str) -> _Doc | None:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        m = exc.problem_mark or exc.context_mark
        line, col = _mark(m) if m else (None, None)
        what = exc.problem or str(exc)
        ctx = f" {exc.context}" if exc.context else ""
        if exc.context_mark and exc.context_mark is not m:
            ctx += f" (from line {exc.context_mark.line + 1})"
        issues.append(SpecIssue(
            f"YAML syntax error: {what}{',' if ctx else ''}{ctx}", line, col, file=file,
            expected="consistent indentation: list items start with '- ' in one column and a "
                     "layer's options are indented under its type, or written {Name: value, ...}"))
        return None
    except yaml.YAMLError as exc:
        issues.append(SpecIssue(f"YAML error: {exc}", file=file))
        return None
    finally:
        loader.dispose()
    if node is None:
        issues.append(SpecIssue("the spec is empty", 1, 1, file=file,
                                expected="a mapping with a 'layers' list"))
        return None
    doc = _Doc(None)
    constructor = SafeConstructor()

    def build(n, path):
        doc.marks[path] = _mark(n.start_mark)
        if isinstance(n, ScalarNode):
            try:
                return constructor.construct_object(n, deep=True)
            except ConstructorError:
                _bad_tag(n, path)
                return None
        if isinstance(n, SequenceNode):
            if n.tag != _SEQ_TAG:
                _bad_tag(n, path)
                return None
            return [build(item, path + (i,)) for i, item in enumerate(n.value)]
        if isinstance(n, MappingNode):
            if n.tag != _MAP_TAG:
                _bad_tag(n, path)
                return None
            try:
                constructor.flatten_mapping(n)  # YAML merge keys '<<'
            except ConstructorError as exc:
                issues.append(SpecIssue(f"YAML error: {exc.problem}", *_mark(n.start_mark),
                                        file=file))
            out = {}
            for knode, vnode in n.value:
                if not isinstance(knode, ScalarNode):
                    issues.append(SpecIssue("a mapping key must be a plain name",
                                            *_mark(knode.start_mark), file=file))
                    continue
                key = build(knode, path + ("<key>",))
                if not isinstance(key, (str, int, float, bool)) or key is None:
                    key = str(key)
                if key in out:
                    first = doc.key_marks[path + (key,)]
                    issues.append(SpecIssue(
                        f"key '{key}' appears twice in one mapping (first on line {first[0]})",
                        *_mark(knode.start_mark), file=file, expected="each key once"))
                    continue
                doc.key_marks[path + (key,)] = _mark(knode.start_mark)
                out[key] = build(vnode, path + (key,))
            doc.marks.pop(path + ("<key>",), None)
            return out
        return None  # pragma: no cover

    def _bad_tag(n, path):
        doc.refused.add(path)
        issues.append(SpecIssue(
            f"YAML tag {n.tag!r} is not allowed (specs are loaded safely and never construct "
            "objects)", *_mark(n.start_mark), file=file,
            expected="plain values: numbers, strings, true/false, lists, mappings"))

    doc.data = build(node, ())
    return doc


# =============================================================================================
# The Spec object


@dataclass(eq=False)
class Spec:
    """A network spec: the graph plus its name, training options and data source.

    ``options`` is a :class:`~layergraph.TrainingOptions` (or None) and ``data`` a plain dict (or
    None). ``file`` is the path it was loaded from, used to resolve relative data paths.
    """

    graph: LayerGraph
    name: str | None = None
    description: str | None = None
    options: TrainingOptions | None = None
    data: dict | None = None
    file: str | None = None

    @property
    def Layers(self):
        return self.graph.Layers

    def analyze(self):
        from .analysis import analyze

        return analyze(self.graph)

    def data_path(self, key: str) -> Path | None:
        """The path of ``data[key]`` (e.g. 'train'), relative to the spec file's folder."""
        if not self.data or key not in self.data:
            return None
        p = Path(self.data[key]).expanduser()
        if not p.is_absolute() and self.file:
            p = Path(self.file).resolve().parent / p
        return p

    def to_yaml(self, learnables: bool = False) -> str:
        return save_spec(self, learnables=learnables)

    def save(self, path, learnables: bool = False) -> str:
        return save_spec(self, path, learnables=learnables)

    def __eq__(self, other):
        return (isinstance(other, Spec) and self.graph == other.graph and self.name == other.name
                and self.description == other.description and self.options == other.options
                and (self.data or None) == (other.data or None))

    def __repr__(self):
        return (f"Spec(name={self.name!r}, {len(self.graph)} layers, "
                f"{len(self.graph.edges())} connections, options={self.options!r}, "
                f"data={self.data!r})")


# =============================================================================================
# Loading


def _read_source(source, filename):
    """(text, display name, path or None) from a path, a YAML string or a file object."""
    if hasattr(source, "read"):
        text = source.read()
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        own = getattr(source, "name", None)
        own = own if isinstance(own, str) else None
        return text, filename or own or "<stream>", own
    if isinstance(source, os.PathLike) or (
            isinstance(source, str) and "\n" not in source and (
            source.endswith((".yaml", ".yml")) or os.path.isfile(source))):
        path = Path(source)
        if not path.is_file():
            raise LayerGraphError(f"spec file not found: {path}")
        return path.read_text(encoding="utf-8"), filename or str(path), str(path)
    if isinstance(source, str):
        return source, filename or "<string>", None
    raise TypeError(f"load_spec expects a path, YAML text or a file object, got "
                    f"{type(source).__name__}")


def load_spec(source, *, strict: bool = True, filename: str | None = None) -> Spec:
    """Load a YAML spec from a path, YAML text or file object; returns a :class:`Spec`.

    Every problem is collected and raised at once as :class:`SpecError` (with ``.errors``). With
    ``strict`` (the default) the problems :func:`layergraph.analyze` finds (unconnected ports, a
    folding layer without its unfolding layer, size mismatches, no output layer, ...) are errors
    too; ``strict=False`` accepts a well-formed but incomplete network (e.g. to draw it).
    """
    text, name, path = _read_source(source, filename)
    spec, issues = _load(text, name, path, strict)
    if issues:
        raise SpecError(issues, name)
    return spec


def validate_spec(source, *, strict: bool = True, filename: str | None = None) -> list[SpecIssue]:
    """Every problem of a spec as a list (empty when it is valid); never raises SpecError."""
    text, name, path = _read_source(source, filename)
    return _load(text, name, path, strict)[1]


@dataclass
class _Entry:
    index: int
    path: tuple  # path of the entry in the document
    key: str | None = None  # the layer type as written
    cls: type | None = None
    opts_path: tuple = ()  # path of the options mapping
    options: dict = field(default_factory=dict)
    inputs: Any = None
    has_inputs: bool = False
    label: str = ""
    layer: Layer | None = None
    name: str = ""


def _load(text, file, path, strict):
    issues: list[SpecIssue] = []
    doc = _compose(text, issues, file)
    if doc is None:
        return None, issues
    data = doc.data
    schema_issues = [i for i in _schema_issues(doc, file)
                     if not any(i.path[:len(r)] == r for r in doc.refused)]
    issues += schema_issues
    if not isinstance(data, dict) or not isinstance(data.get("layers"), list):
        return None, _sorted(issues)
    bad_paths = {tuple(i.path) for i in schema_issues} | doc.refused

    entries = [_entry(i, item) for i, item in enumerate(data["layers"])]
    _label_entries(entries)
    for e in entries:
        for ip in list(bad_paths):
            if ip[:len(e.path)] == e.path and e.cls is not None:
                e.cls = None  # already reported by the schema; do not build it
        if e.cls is not None:
            _build_layer(e, doc, file, issues)

    # duplicate names
    seen = {}
    for e in entries:
        if not e.name:
            continue
        if e.name in seen:
            first = seen[e.name]
            line, col = doc.at(e.opts_path + ("Name",))
            issues.append(SpecIssue(
                f"duplicate layer name '{e.name}' (also layer {first.index + 1}, line "
                f"{doc.at(first.path)[0]})", line, col, e.label, "unique layer names", file))
            e.layer = None
        else:
            seen[e.name] = e

    graph = _build_graph(entries, data, doc, file, issues)

    options = None
    if isinstance(data.get("training"), dict) and not any(
            p[:1] == ("training",) for p in bad_paths):
        options = _build_options(data["training"], doc, file, issues)

    if issues:
        return None, _sorted(issues)
    if strict:
        from .analysis import analyze

        by_name = {e.name: e for e in entries}
        for prob in analyze(graph).problems:
            e = by_name.get(prob.layers[0]) if prob.layers else None
            line, col = doc.at(e.path) if e else doc.at(("layers",), key=True)
            issues.append(SpecIssue(prob.message, line, col, e.name if e else None, None, file))
        if issues:
            return None, _sorted(issues)
    spec = Spec(graph, data.get("name"), data.get("description"), options,
                copy.deepcopy(data.get("data")), path)
    return spec, []


def _sorted(issues):
    out, seen = [], set()
    for i in sorted(issues, key=lambda i: (i.line or 0, i.column or 0)):
        k = (i.line, i.column, i.message)
        if k not in seen:
            seen.add(k)
            out.append(i)
    return out


def _entry(i, item) -> _Entry:
    """Find the type and the options of layer entry ``i`` (schema errors are reported apart)."""
    e = _Entry(i, ("layers", i))
    if isinstance(item, str):
        e.key, e.opts_path = item, e.path
    elif isinstance(item, dict) and "type" in item:
        e.key, e.opts_path = item.get("type"), e.path
        e.options = {k: v for k, v in item.items() if k != "type"}
    elif isinstance(item, dict) and item:
        typed = [k for k in item if isinstance(k, str) and k in _BY_KEY]
        e.key = typed[0] if typed else next(iter(item))
        value = item[e.key]
        e.opts_path = e.path + (e.key,)
        cls = _BY_KEY.get(e.key) if isinstance(e.key, str) else None
        if isinstance(value, dict):
            e.options = dict(value)
        elif value is not None and cls is not None:
            pos = list(cls.positional)
            if len(pos) == 1:
                e.options = {pos[0]: value}
            elif len(pos) > 1 and isinstance(value, list):
                e.options = dict(zip(pos, value))
    e.cls = _BY_KEY.get(e.key) if isinstance(e.key, str) else None
    if "inputs" in e.options:
        e.has_inputs, e.inputs = True, e.options.pop("inputs")
    name = e.options.get("Name")
    e.name = name if isinstance(name, str) else ""
    return e


def _label_entries(entries):
    """Each entry's name as the graph will have it (MATLAB's automatic names for unnamed ones)."""
    dummies = [SimpleNamespace(Name=e.name, default_name=e.cls.default_name if e.cls else
                               str(e.key or "layer")) for e in entries]
    _assign_names(dummies, set())
    for e, d in zip(entries, dummies):
        e.label = d.Name


def _build_layer(e: _Entry, doc, file, issues):
    try:
        e.layer = e.cls(**e.options)
    except OptionError as exc:
        msg = str(exc)
        prefix = f"{e.cls.matlab_name}: "
        msg = msg[len(prefix):] if msg.startswith(prefix) else msg
        where = e.opts_path
        for word in re.findall(r"'(\w+)'", msg):
            if word in e.options:
                where = e.opts_path + (word,)
                break
        issues.append(SpecIssue(msg, *doc.at(where), e.label, None, file))


def _endpoint(text, side, names, layers, issues, doc, path, file, label=None):
    """Resolve 'layer' or 'layer/port' on ``side`` ('outputs' or 'inputs'); None if it is bad."""
    if not isinstance(text, str) or not text.strip():
        issues.append(SpecIssue(f"bad connection endpoint {text!r}", *doc.at(path), label,
                                "'layer' or 'layer/port'", file))
        return None
    name, _, port = text.strip().partition("/")
    name, port = name.strip(), port.strip()
    if name not in names:
        close = difflib.get_close_matches(name, list(names), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        issues.append(SpecIssue(f"connection refers to '{text}', but there is no layer named "
                                f"'{name}'{hint}", *doc.at(path), label,
                                f"one of the layer names: {', '.join(names)}", file))
        return None
    lay = layers.get(name)
    if lay is None:  # the layer itself has errors, already reported
        return False
    ports = list(getattr(lay, side))
    what = "output" if side == "outputs" else "input"
    if not ports:
        issues.append(SpecIssue(f"connection refers to '{text}', but {lay.where} has no {what}s",
                                *doc.at(path), label, f"a layer with {what}s", file))
        return None
    if not port:
        return name, ports[0]
    if port not in ports:
        close = difflib.get_close_matches(port, ports, n=1)
        hint = f"; did you mean '{name}/{close[0]}'?" if close else ""
        issues.append(SpecIssue(f"{lay.where} has no {what} port '{port}'{hint}", *doc.at(path),
                                label, f"its {what} ports: {', '.join(ports)}", file))
        return None
    return name, port


def _parse_connection(item):
    if isinstance(item, str) and "->" in item:
        a, _, b = item.partition("->")
        return a.strip(), b.strip()
    if isinstance(item, list) and len(item) == 2:
        return item[0], item[1]
    return None


def _build_graph(entries, data, doc, file, issues) -> LayerGraph | None:
    built = [e for e in entries if e.layer is not None]
    g = LayerGraph()
    try:
        g.addLayers([e.layer for e in built], connect=False)
    except GraphError as exc:  # names clash (duplicates are reported above)
        issues.append(SpecIssue(str(exc), *doc.at(("layers",)), None, None, file))
        return None
    for e, lay in zip(built, g.Layers):
        e.name, e.layer = lay.Name, lay
    names = list(dict.fromkeys(e.label for e in entries))
    layers = {e.name: e.layer for e in built}

    def connect(src, dst, path, label):
        try:
            g._connect(src[0], src[1], dst[0], dst[1])
        except GraphError as exc:
            issues.append(SpecIssue(str(exc), *doc.at(path), label,
                                    "each input port connected once", file))

    prev = None
    for e in entries:
        lay = e.layer
        if lay is None:
            prev = e  # a broken layer (already reported): do not chain past it
            continue
        if e.has_inputs:
            _connect_inputs(e, names, layers, doc, file, issues, connect)
        elif prev is not None and prev.layer is not None and prev.layer.outputs and lay.inputs:
            connect((prev.name, prev.layer.outputs[0]), (lay.Name, lay.inputs[0]), e.path,
                    e.label)
        prev = e
    for j, item in enumerate(data.get("connections") or []):
        path = ("connections", j)
        pair = _parse_connection(item)
        if pair is None:
            continue  # reported by the schema
        src = _endpoint(pair[0], "outputs", names, layers, issues, doc, path, file)
        dst = _endpoint(pair[1], "inputs", names, layers, issues, doc, path, file)
        if src and dst:
            connect(src, dst, path, None)
    return g


def _connect_inputs(e, names, layers, doc, file, issues, connect):
    lay, path = e.layer, e.opts_path + ("inputs",)
    spec = e.inputs
    if spec is None or spec == []:
        return
    if isinstance(spec, str):
        pairs = [(lay.inputs[0] if lay.inputs else None, spec, path)]
    elif isinstance(spec, list):
        if len(spec) > len(lay.inputs):
            issues.append(SpecIssue(f"'inputs' lists {len(spec)} sources but {lay.where} has "
                                    f"{len(lay.inputs)} input port(s)", *doc.at(path), e.label,
                                    f"at most {len(lay.inputs)}: {', '.join(lay.inputs)}", file))
            return
        pairs = [(p, s, path + (k,)) for k, (p, s) in enumerate(zip(lay.inputs, spec))]
    elif isinstance(spec, dict):
        pairs = []
        for port, src in spec.items():
            if port not in lay.inputs:
                close = difflib.get_close_matches(str(port), list(lay.inputs), n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                issues.append(SpecIssue(f"{lay.where} has no input port '{port}'{hint}",
                                        *doc.at(path + (port,), key=True), e.label,
                                        f"its input ports: {', '.join(lay.inputs)}", file))
                continue
            pairs.append((port, src, path + (port,)))
    else:
        return  # reported by the schema
    for port, src, p in pairs:
        if port is None:
            issues.append(SpecIssue(f"{lay.where} has no inputs", *doc.at(p), e.label,
                                    "no 'inputs' on an input layer", file))
            continue
        s = _endpoint(src, "outputs", names, layers, issues, doc, p, file, e.label)
        if s:
            connect(s, (lay.Name, port), p, e.label)


def _build_options(section, doc, file, issues):
    values = dict(section)
    solver = values.pop("solver", None)
    try:
        return trainingOptions(solver, **values)
    except OptionError as exc:
        msg = str(exc).removeprefix("trainingOptions: ")
        where = ("training",)
        for word in re.findall(r"'(\w+)'", msg):
            if word in section:
                where = ("training", word)
                break
        issues.append(SpecIssue(f"training: {msg}", *doc.at(where), None, None, file))
        return None


# =============================================================================================
# Schema errors -> messages in MATLAB's terms


def _schema_issues(doc: _Doc, file: str) -> list[SpecIssue]:
    from .schema import validator

    out = []
    for err in validator().iter_errors(doc.data):
        for issue in _translate(err, doc, file):
            issue.path = tuple(err.absolute_path)
            out.append(issue)
    return out


def _closest(word, names):
    close = difflib.get_close_matches(str(word), list(names), n=1, cutoff=0.5)
    if not close:
        low = {n.lower(): n for n in names}
        if str(word).lower() in low:
            close = [low[str(word).lower()]]
    return f"; did you mean '{close[0]}'?" if close else ""


def _layer_context(doc, path):
    """For a path inside layers: (entry, class, options path, option name or None)."""
    i = path[1]
    item = doc.data["layers"][i]
    e = _entry(i, item)
    rest = path[len(e.opts_path):] if path[:len(e.opts_path)] == e.opts_path else ()
    return e, e.cls, e.opts_path, (rest[0] if rest else None)


def _label(doc, i):
    entries = [_entry(k, it) for k, it in enumerate(doc.data["layers"])]
    _label_entries(entries)
    return entries[i].label


def _value(v):
    return "nothing" if v is None else repr(v)


def _translate(err, doc: _Doc, file: str):
    path = tuple(err.absolute_path)
    v = err.validator
    inst = err.instance

    def issue(msg, where=path, expected=None, layer=None, key=False):
        return SpecIssue(msg, *doc.at(where, key=key), layer, expected, file)

    if not path:
        if v == "type":
            yield issue("a spec must be a mapping", expected="keys: " + ", ".join(_top_keys()))
        elif v == "required":
            yield issue("the spec has no 'layers' list", expected="layers: [...]")
        elif v == "additionalProperties":
            for k in inst:
                if k not in _top_keys():
                    yield issue(f"unknown top-level key '{k}'{_closest(k, _top_keys())}",
                                (k,), "one of: " + ", ".join(_top_keys()), key=True)
        else:
            yield issue(err.message)
        return

    if path[0] == "layers" and len(path) >= 2:
        yield from _translate_layer(err, doc, file, path, issue)
        return
    if path[0] == "layers":
        yield issue("'layers' must be a list of layers",
                    expected="a list under 'layers:', one '- type: {options}' per line")
        return

    if path[0] == "connections":
        if len(path) == 1:
            yield issue("'connections' must be a list", expected="'src -> dst' strings")
        else:
            yield issue(f"bad connection {inst!r}",
                        expected="'source -> destination' with 'layer' or 'layer/port' on each "
                                 "side, e.g. 'fold/miniBatchSize -> unfold/miniBatchSize'")
        return

    if path[0] == "training":
        names = ["solver", *(n for n in TRAINING_OPTIONS if n != "ValidationData")]
        if len(path) == 1:
            if v == "additionalProperties":
                for k in inst:
                    if k not in names:
                        yield issue(f"training: unknown option '{k}'{_closest(k, names)}",
                                    ("training", k), "trainingOptions names: "
                                    + ", ".join(names), key=True)
            elif v == "required":
                yield issue("training: no 'solver'", expected="solver: " + " | ".join(SOLVERS))
            else:
                yield issue("'training' must be a mapping of trainingOptions",
                            expected="{solver: adam, MaxEpochs: 30, ...}")
            return
        name = path[1]
        if name == "solver":
            yield issue(f"training: invalid solver {_value(inst)}",
                        expected=" | ".join(repr(s) for s in SOLVERS))
        else:
            kind = TRAINING_OPTIONS[name].kind
            yield issue(f"training: invalid value for '{name}': got {_value(inst)}",
                        expected=kind.description)
        return

    if path[0] == "data":
        from .schema import DATA_KEYS

        if v == "additionalProperties":
            for k in inst:
                if k not in DATA_KEYS:
                    yield issue(f"data: unknown key '{k}'{_closest(k, DATA_KEYS)}", ("data", k),
                                "one of: " + ", ".join(DATA_KEYS), key=True)
        else:
            yield issue(f"data: invalid value {_value(inst)}",
                        expected="{dataset: japanese_vowels} or {train: file.npz, test: "
                                 "file.npz}")
        return

    yield issue(err.message)  # pragma: no cover  (top-level keys are all handled above)


def _top_keys():
    from .schema import TOP_LEVEL

    return list(TOP_LEVEL)


def _layer_forms(key="lstm"):
    return (f"'- {key}: {{Option: value, ...}}', '- {{type: {key}, Option: value}}' or "
            "'- softmax' for a layer without required options")


def _translate_layer(err, doc, file, path, issue):
    from .layers import REGISTRY

    v, inst = err.validator, err.instance
    i = path[1]
    label = _label(doc, i)
    keys = [cls.yaml_key for cls in REGISTRY.values()]
    item = doc.data["layers"][i]
    if len(path) > 2 and isinstance(item, dict) and "type" not in item and len(item) > 1:
        return  # reported once, at the entry: its options are not indented under the type

    if len(path) == 2:  # the entry itself
        if isinstance(item, str):
            cls = _BY_KEY.get(item)
            if cls is None:
                yield issue(f"unknown layer type '{item}'{_closest(item, keys)}", layer=label,
                            expected="a layer type (its YAML key or MATLAB name, e.g. lstm or "
                                     "lstmLayer): " + ", ".join(keys))
            else:
                req = ", ".join(cls.required)
                yield issue(f"{cls.matlab_name} needs {req}", layer=label,
                            expected=f"'- {item}: {{{cls.required[0]}: ...}}' or "
                                     f"'- {item}: VALUE'")
            return
        if not isinstance(item, dict):
            yield issue(f"a layer must be a type name or a mapping, got {_value(item)}",
                        layer=label, expected=_layer_forms())
            return
        if "type" in item:  # flat form
            e, cls, opts_path, _ = _layer_context(doc, path)
            if v == "required":
                for r in cls.required:
                    if r not in item and not _misspelled(r, item, cls):
                        yield issue(f"missing required option '{r}' of {cls.matlab_name}",
                                    layer=label, expected=cls.options[r].kind.description)
            elif v == "unevaluatedProperties":
                yield from _unknown_options(item, cls, path, label, issue, flat=True)
            else:
                yield issue(err.message, layer=label)
            return
        # keyed form: one key, the type
        type_keys = [k for k in item if k in _BY_KEY]
        others = [k for k in item if k not in _BY_KEY]
        if v == "maxProperties":
            if type_keys:
                t = type_keys[0]
                where = ("layers", i, others[0]) if others else ("layers", i)
                yield issue(f"layer entry has several keys ({', '.join(map(str, item))}); the "
                            f"options of '{t}' must be indented under it", where, layer=label,
                            key=bool(others),
                            expected=f"'- {t}:' with its options indented further, or '- {t}: "
                                     f"{{{', '.join(f'{o}: ...' for o in others)}}}'")
            return
        if v == "additionalProperties":
            if type_keys:
                return  # reported as maxProperties
            for k in others:
                yield issue(f"unknown layer type '{k}'{_closest(k, keys)}", path + (k,),
                            layer=label, key=True,
                            expected="a layer type (its YAML key or MATLAB name, e.g. lstm or "
                                     "lstmLayer): " + ", ".join(keys))
            return
        if v == "minProperties":
            yield issue("empty layer entry", layer=label, expected=_layer_forms())
            return
        yield issue(err.message, layer=label)
        return

    e, cls, opts_path, opt = _layer_context(doc, path)
    if cls is None:  # pragma: no cover  (an unknown type is reported at the entry)
        return
    if path == opts_path:  # the options mapping (keyed form) or the short form
        if v == "unevaluatedProperties":
            yield from _unknown_options(inst, cls, path, label, issue, flat=False)
        elif v == "required":
            for r in cls.required:
                if isinstance(inst, dict) and _misspelled(r, inst, cls):
                    continue  # reported as an unknown option with 'did you mean'
                if not isinstance(inst, dict) or r not in inst:
                    yield issue(f"missing required option '{r}' of {cls.matlab_name}",
                                layer=label, expected=f"{r}: {cls.options[r].kind.description}",
                                key=True)
        else:
            yield from _short_form_issue(inst, cls, e, path, label, issue)
        return
    # inside the options
    if opt == "Name":
        yield issue(f"invalid Name {_value(inst)}", layer=label, expected="a string")
    elif opt == "inputs":
        yield issue(f"invalid 'inputs' {_value(inst)}", layer=label,
                    expected="a source 'layer' or 'layer/port', a list of them, a mapping "
                             "{port: source}, or []")
    elif opt in cls.options:
        yield issue(f"invalid value for '{opt}': got {_value(_get(doc.data, path[:len(opts_path) + 1]))}",
                    path[:len(opts_path) + 1], layer=label,
                    expected=cls.options[opt].kind.description)
    else:  # a positional list item (short form)
        pos = list(cls.positional)
        k = path[len(opts_path)] if len(path) > len(opts_path) else None
        if isinstance(k, int) and k < len(pos):
            yield issue(f"invalid value for '{pos[k]}': got {_value(inst)}", layer=label,
                        expected=cls.options[pos[k]].kind.description)
        else:
            yield issue(err.message, layer=label)


def _get(data, path):
    for p in path:
        data = data[p]
    return data


def _misspelled(required, mapping, cls):
    """Whether some unknown key of ``mapping`` is a misspelling of option ``required``."""
    allowed = {"Name", "inputs", "type", *cls.options}
    for k in mapping:
        if k not in allowed and _closest(k, ["Name", *cls.options]) == f"; did you mean '{required}'?":
            return True
    return False


def _unknown_options(mapping, cls, path, label, issue, flat):
    allowed = ["Name", *cls.options, "inputs"] + (["type"] if flat else [])
    for k in mapping:
        if k in allowed:
            continue
        hint = _closest(k, allowed)
        yield issue(f"{cls.matlab_name} has no option '{k}'{hint}", path + (k,), layer=label,
                    key=True, expected="one of: " + ", ".join(allowed))


def _short_form_issue(inst, cls, e, path, label, issue):
    pos = list(cls.positional)
    key = e.key
    if not pos:
        yield issue(f"{cls.matlab_name} takes no positional arguments, got {_value(inst)}",
                    layer=label, expected=f"'- {key}' or '- {key}: {{Name: ...}}'")
    elif len(pos) == 1:
        if inst is None:
            yield issue(f"missing required option '{pos[0]}' of {cls.matlab_name}", layer=label,
                        expected=f"'- {key}: VALUE' or '- {key}: {{{pos[0]}: VALUE}}' with "
                                 f"{cls.options[pos[0]].kind.description}")
        else:
            yield issue(f"invalid value for '{pos[0]}': got {_value(inst)}", layer=label,
                        expected=cls.options[pos[0]].kind.description)
    else:
        yield issue(f"{cls.matlab_name} takes the positional arguments "
                    f"[{', '.join(pos)}], got {_value(inst)}", layer=label,
                    expected=f"'- {key}: [{', '.join('...' for _ in pos)}]' or "
                             f"'- {key}: {{{', '.join(p + ': ...' for p in pos)}}}'")


# =============================================================================================
# Saving


class _Flow(dict):
    """A mapping written in flow style: {Name: lstm1, NumHiddenUnits: 100}."""


class _Dumper(yaml.SafeDumper):
    pass


def _represent_flow(dumper, data):
    return dumper.represent_mapping(_MAP_TAG, data.items(), flow_style=True)


def _represent_list(dumper, data):
    # lists of numbers inline ([28, 28, 1]); anything else in block style (inside a flow
    # mapping the emitter writes everything inline anyway)
    flow = all(isinstance(x, (int, float)) for x in data)
    return dumper.represent_sequence(_SEQ_TAG, data, flow_style=flow)


_Dumper.add_representer(_Flow, _represent_flow)
_Dumper.add_representer(list, _represent_list)


def _plain(v):
    """Plain YAML-able values from layer properties (tuples, numpy arrays and scalars)."""
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, (tuple, list)):
        return [_plain(x) for x in v]
    if isinstance(v, np.generic):
        return v.item()
    return v


def save_spec(obj, path=None, *, name=None, description=None, options=None, data=None,
              learnables: bool = False) -> str:
    """Write a graph (or a :class:`Spec`, or a layer array) as a YAML spec; returns the text.

    Layers are written in the graph's order and chained; an edge that the chain does not make is
    written under ``connections`` and a layer whose input is not the previous layer says
    ``inputs``, so loading gives back an equal graph. Learned values -- learnable parameters
    (weights, biases, offsets, scales) and trained statistics (batch normalization's TrainedMean
    and TrainedVariance) -- are left out unless ``learnables=True``: they belong in the saved
    network file. Initial values that are not learned (HiddenState, CellState, input
    normalization statistics) are written. Names equal to MATLAB's automatic name are left out
    when that is unambiguous.
    """
    if isinstance(obj, Spec):
        graph = obj.graph
        name = obj.name if name is None else name
        description = obj.description if description is None else description
        options = obj.options if options is None else options
        data = obj.data if data is None else data
    elif isinstance(obj, LayerGraph):
        graph = obj
    else:
        graph = layerGraph(obj)
    text = _dump(graph, name, description, options, data, learnables)
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text


def _dump(graph: LayerGraph, name, description, options, data, learnables) -> str:
    layers = graph.Layers
    edges = list(graph.edges())
    pending = list(edges)
    referenced = set()
    inputs_of = {}
    for i, lay in enumerate(layers):
        prev = layers[i - 1] if i else None
        if prev is None or not prev.outputs or not lay.inputs:
            continue  # the loader makes no chain edge here
        chain = (prev.Name, prev.outputs[0], lay.Name, lay.inputs[0])
        if chain in pending:
            pending.remove(chain)
            continue
        first = [ed for ed in pending if ed[2] == lay.Name and ed[3] == lay.inputs[0]]
        if first:
            pending.remove(first[0])
            inputs_of[lay.Name] = _end(graph, first[0][0], first[0][1], "outputs")
            referenced.add(first[0][0])
        else:
            inputs_of[lay.Name] = []
    connections = []
    for s, sp, d, dp in pending:
        connections.append(f"{_end(graph, s, sp, 'outputs')} -> {_end(graph, d, dp, 'inputs')}")
        referenced |= {s, d}
    keep_name = _names_to_keep(layers, referenced)

    out_layers = []
    for lay in layers:
        cfg = lay.config()
        cfg.pop("Name", None)
        if not learnables:  # learned values belong in the saved network file
            for k in (*lay.learnables, *lay.trained_statistics):
                cfg.pop(k, None)
        body = {k: _plain(v) for k, v in cfg.items()}
        if keep_name[lay.Name]:
            body["Name"] = lay.Name
        if lay.Name in inputs_of:
            body["inputs"] = inputs_of[lay.Name]
        key = type(lay).yaml_key
        out_layers.append({key: _Flow(body)} if body else key)

    doc = {}
    if name is not None:
        doc["name"] = name
    if description is not None:
        doc["description"] = description
    doc["layers"] = out_layers
    if connections:
        doc["connections"] = connections
    if options is not None:
        doc["training"] = _training_section(options)
    if data:
        doc["data"] = dict(data)
    return yaml.dump(doc, Dumper=_Dumper, sort_keys=False, default_flow_style=False,
                     allow_unicode=True, width=100)


def _end(graph, name, port, side):
    ports = getattr(graph.layer(name), side)
    return name if port == ports[0] else f"{name}/{port}"


def _names_to_keep(layers, referenced) -> dict:
    """Which names must be written: all but those MATLAB's naming would give back anyway."""
    blank = [SimpleNamespace(Name="", default_name=lay.default_name) for lay in layers]
    _assign_names(blank, set())
    keep = {lay.Name: (b.Name != lay.Name or lay.Name in referenced)
            for lay, b in zip(layers, blank)}
    trial = [SimpleNamespace(Name=lay.Name if keep[lay.Name] else "",
                             default_name=lay.default_name) for lay in layers]
    _assign_names(trial, set())
    if [t.Name for t in trial] != [lay.Name for lay in layers]:
        return {lay.Name: True for lay in layers}
    return keep


def _training_section(options: TrainingOptions) -> dict:
    given = options.to_dict(only_given=True)
    out = {"solver": given.pop("SolverName")}
    for k, v in given.items():
        if v is None:
            continue
        if isinstance(v, float) and math.isinf(v):
            v = "Inf"
        out[k] = _plain(v)
    return out


provide("save_spec", save_spec, "layergraph.spec")
provide("load_spec", load_spec, "layergraph.spec")
