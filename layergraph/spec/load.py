"""Loading a spec: YAML text -> checked layers, graph, training options and data section, with
every problem of the file collected as a :class:`SpecIssue` at its line.

The checks run in order, each on what the one before left sound: the YAML itself, the JSON
Schema (layer types, option names and values, in MATLAB's terms), building each layer (cross-
option rules), names, connections, training options, the data section, and finally (``strict``)
the network analysis. Errors raised by the layers and trainingOptions are data
(:class:`~layergraph.OptionError` says which option and which half of the name-value pair is
wrong), so the issue is marked at that key or value without reading the message.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import os
from pathlib import Path

from ..analysis import analyze
from ..errors import GraphError, LayerGraphError, OptionError
from ..graph import LayerGraph
from ..services import provide
from ..training.options import trainingOptions
from .document import Spec
from .entries import Entry, label_entries, read_entry
from .issues import SpecError, SpecIssue, sorted_issues
from .limits import LIMITS, SpecLimits
from .messages import schema_issues
from .parameters import bind, mention, templates
from .sources import data_issues
from .yaml_marks import compose, decode


def _is_path(source) -> bool:
    """Whether ``source`` names a file (rather than being YAML text)."""
    if isinstance(source, os.PathLike):
        return True
    if not isinstance(source, str) or "\n" in source:
        return False
    if source.endswith((".yaml", ".yml")):
        return True
    try:
        return os.path.isfile(source) or os.path.isdir(source)
    except (OSError, ValueError):  # a NUL or a name the system refuses: not a path
        return False


def _short_name(path) -> str:
    text = str(path)
    return text if len(text) <= 80 else f"{text[:60]}...({len(text):,} characters)"


def _read_source(source, filename, limits):
    """(text or None, display name, path or None, issues) from a path, YAML text or a file
    object; a file that is not UTF-8 text gives None and an issue at the bad byte."""
    lim = limits or LIMITS
    issues = []
    if hasattr(source, "read"):
        text = source.read(lim.max_size + 1)
        own = getattr(source, "name", None)
        own = own if isinstance(own, str) else None
        name = filename or own or "<stream>"
        if isinstance(text, bytes):
            text = decode(text, name, issues, lim)
        return text, name, own, issues
    if _is_path(source):
        path = Path(source)
        try:
            if path.is_dir():
                raise LayerGraphError(f"spec file not found: {_short_name(path)} is a folder "
                                      "(expected a YAML spec file)")
            if not path.is_file():
                raise LayerGraphError(f"spec file not found: {_short_name(path)}")
            name = filename or str(path)
            size = path.stat().st_size
            if size > lim.max_size:
                issues.append(SpecIssue(lim.exceeded("max_size", f"{size:,} bytes",
                                                     "the spec file is too large"), 1, 1,
                                        file=name, limit="max_size"))
                return None, name, str(path), issues
            raw = path.read_bytes()
        except (OSError, ValueError) as exc:
            why = getattr(exc, "strerror", None) or str(exc)
            raise LayerGraphError(f"{_short_name(path)}: cannot read the spec file ({why})"
                                  ) from None
        return decode(raw, name, issues, lim), name, str(path), issues
    if isinstance(source, str):
        return source, filename or "<string>", None, issues
    raise TypeError(f"load_spec expects a path, YAML text or a file object, got "
                    f"{type(source).__name__}")


def load_spec(source, *, strict: bool = True, filename: str | None = None,
              check_files: bool = False, limits: SpecLimits | None = None,
              variables: dict | None = None) -> Spec:
    """Load a YAML spec from a path, YAML text or file object; returns a :class:`Spec`.

    Every problem is collected and raised at once as :class:`SpecError` (with ``.errors``). With
    ``strict`` (the default) the problems :func:`layergraph.analyze` finds (unconnected ports, a
    folding layer without its unfolding layer, size mismatches, no output layer, ...) are errors
    too; ``strict=False`` accepts a well-formed but incomplete network (e.g. to draw it).
    The data section is checked too: an unknown data set is an error, and with ``check_files``
    so is a ``train``/``test``/``validation`` file that does not exist (relative to the spec
    file); without it, :meth:`Spec.load_data` reports a missing file when the data are read.
    ``limits`` (default :data:`layergraph.spec.LIMITS`) bound the file's size, nesting depth
    and alias expansion before any of that work is done (see :mod:`layergraph.spec.limits`).
    ``variables`` binds the spec's parameters (``{'numClasses': 9}``; see
    :mod:`layergraph.spec.parameters`): a name the spec does not declare, a value of the wrong
    type and a parameter used without a value are errors at the spec's line.
    """
    text, name, path, issues = _read_source(source, filename, limits)
    spec, more = (None, issues) if text is None else _load(text, name, path, strict, check_files,
                                                           limits, variables)
    if more:
        raise SpecError(more, name)
    return spec


def validate_spec(source, *, strict: bool = True, filename: str | None = None,
                  check_files: bool = False, limits: SpecLimits | None = None,
                  variables: dict | None = None) -> list[SpecIssue]:
    """Every problem of a spec as a list (empty when it is valid); never raises SpecError."""
    text, name, path, issues = _read_source(source, filename, limits)
    return issues if text is None else _load(text, name, path, strict, check_files, limits,
                                             variables)[1]


def _load(text, file, path, strict, check_files=False, limits=None, variables=None):
    issues: list[SpecIssue] = []
    doc = compose(text, issues, file, limits)
    if doc is None:
        return None, issues
    raw = doc.data
    data, bound, unbound = bind(doc, variables, file, limits)  # $name -> its value
    doc = dataclasses.replace(doc, data=data, refused=doc.refused | bound.bad)
    spec, problems = _load_doc(doc, raw, bound, file, path, strict, check_files,
                               issues + unbound)
    mention(problems, bound)
    return spec, problems


def _load_doc(doc, raw, bound, file, path, strict, check_files, issues):
    data = doc.data
    found = [i for i in schema_issues(doc, file)
             if not any(i.path[:len(r)] == r for r in doc.refused)]
    issues += found
    if not isinstance(data, dict) or not isinstance(data.get("layers"), list):
        return None, sorted_issues(issues)
    bad_paths = {tuple(i.path) for i in found} | doc.refused

    entries = [read_entry(i, item) for i, item in enumerate(data["layers"])]
    label_entries(entries)
    templates(raw, bound, entries)
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

    if not any(p[:1] == ("data",) for p in bad_paths):
        base = Path(path).resolve().parent if path else None
        issues += data_issues(doc, file, base, check_files=check_files and base is not None)

    if issues:
        return None, sorted_issues(issues)
    loss = data.get("loss")
    if strict:
        by_name = {e.name: e for e in entries}
        for prob in analyze(graph, dlnetwork=loss is not None).problems:
            e = by_name.get(prob.layers[0]) if prob.layers else None
            line, col = doc.at(e.path) if e else doc.at(("layers",), key=True)
            issues.append(SpecIssue(prob.message, line, col, e.name if e else None, None, file))
        if issues:
            return None, sorted_issues(issues)
    section = data.get("data")
    marks = {k: doc.at(("data", k)) for k in section} if isinstance(section, dict) else {}
    spec = Spec(graph, data.get("name"), data.get("description"), options,
                copy.deepcopy(section), path, marks, loss, bound)
    return spec, []


def _problem(exc: OptionError) -> str:
    """The message of an option error without its owner (the issue names the layer itself)."""
    return exc.render(with_owner=False)


def _option_path(exc: OptionError, base: tuple, written: dict, positional=()) -> tuple:
    """Where in the document the option of ``exc`` is: its key (a wrong or unknown name) or its
    value (a wrong value), as the user wrote it; ``base`` when the error names no option."""
    if not exc.option:
        return base
    keys = [k for k in written if isinstance(k, str) and k.lower() == exc.option.lower()]
    if keys:
        return base + (keys[-1],)  # the last: for 'given twice', the repeat
    if exc.option in positional:  # the short form: '- lstm: 100' or '- conv1d: [3, 16]'
        return base + ((list(positional).index(exc.option),) if len(positional) > 1 else ())
    return base


def _build_layer(e: Entry, doc, file, issues):
    try:
        e.layer = e.cls(**e.options)
    except OptionError as exc:
        written = doc.value(e.opts_path)
        written = written if isinstance(written, dict) else {}
        where = _option_path(exc, e.opts_path, written, e.cls.positional)
        line, col = doc.at(where, key=exc.part == "name" and where != e.opts_path)
        issues.append(SpecIssue(_problem(exc), line, col, e.label, exc.expected, file,
                                path=where))


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
        where = ("solver",) if exc.option == "solverName" else ()
        where = ("training",) + where if where else _option_path(exc, ("training",), section)
        line, col = doc.at(where, key=exc.part == "name" and where != ("training",))
        issues.append(SpecIssue(f"training: {_problem(exc)}", line, col, None, None, file,
                                path=where))
        return None


provide("load_spec", load_spec, "layergraph.spec")
