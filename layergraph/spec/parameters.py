"""Parameters of a spec: values a network depends on that the spec itself does not fix (how many
classes the data have, how many features a time step has), declared once and referred to as
``$name``, bound when the spec is loaded.

::

    parameters:
      numClasses: {default: 9, from: "numel(categories(YTrain))"}
      numFeatures: {from: "size(XTrain{1},1)"}          # no default: it must be bound
    layers:
      - sequenceInput: {InputSize: $numFeatures}
      - fullyConnected: $numClasses

A declaration is a mapping with any of ``default`` (the value when none is given), ``from``
(the MATLAB expression the value stands for, as the translator found it), ``type``
(``integer``, ``number``, ``string``, ``boolean`` or ``list``; else the type of the default)
and ``description``. A reference is a whole string value ``$name`` of a layer option or a
training option, or an element of a list there (``[3, $numFilters]``); ``$$text`` is the
literal string ``$text``. Values are bound from the defaults, then from ``load_spec(...,
variables={...})`` (on the command line ``--var NAME=VALUE``). Saving writes the section and the
references back, never the values in their place: a spec is data and round-trips exactly.
"""

from __future__ import annotations

import copy
import numbers
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..schema import PARAMETER_TYPES as TYPES
from .entries import read_entry
from .issues import SpecIssue, closest
from .limits import LIMITS, SpecLimits

REFERENCE = re.compile(r"^\$([A-Za-z_][A-Za-z0-9_]*)$")
"""A reference to a parameter: the whole string ``$name``."""

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
DECLARATION_KEYS = ("default", "from", "type", "description")


def _fits(value, kind: str) -> bool:
    if kind == "boolean":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if kind == "integer":
        return isinstance(value, numbers.Integral) or (
            isinstance(value, float) and value.is_integer())
    if kind == "number":
        return isinstance(value, numbers.Real)
    if kind == "string":
        return isinstance(value, str)
    return isinstance(value, (list, tuple))


def _plain(value):
    """A value given from Python as a spec holds it (numpy numbers, tuples -> int, list)."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, numbers.Real) and not isinstance(value, (bool, float)):
        return float(value)
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def type_of(value) -> str | None:
    """The parameter type a default implies."""
    for kind in ("boolean", "integer", "number", "string", "list"):
        if _fits(value, kind) and not (kind == "integer" and isinstance(value, float)):
            return kind
    return None


def escape(value):
    """A literal option value as a spec writes it: a string starting with '$' gets one more."""
    if isinstance(value, str) and value.startswith("$"):
        return "$" + value
    if isinstance(value, list):
        return [escape(v) for v in value]
    return value


@dataclass
class Bound:
    """The parameters of a spec once bound: the section as written, the values bound, and the
    option values written with references (``{layer name: {option: template}}`` and
    ``{option: template}`` for training), so that saving writes the references back."""

    declared: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)
    layers: dict = field(default_factory=dict)
    training: dict = field(default_factory=dict)
    paths: dict = field(default_factory=dict)  # document path -> name, of each reference
    bad: set = field(default_factory=set)  # paths of references that could not be bound


def reference_paths(data) -> list[tuple]:
    """The document paths where references are read: layer option values and training option
    values (inside lists too)."""
    out = []

    def walk(value, path):
        if isinstance(value, str):
            out.append(path)
        elif isinstance(value, list):
            for k, v in enumerate(value):
                walk(v, path + (k,))

    layers = data.get("layers") if isinstance(data, dict) else None
    for i, item in enumerate(layers if isinstance(layers, list) else []):
        if isinstance(item, str) or not isinstance(item, dict):
            continue
        e = read_entry(i, item)
        value = item
        for p in e.opts_path[2:]:
            value = value[p]
        if isinstance(value, dict):
            for k, v in value.items():
                if k not in ("Name", "inputs", "type"):
                    walk(v, e.opts_path + (k,))
        else:
            walk(value, e.opts_path)
    training = data.get("training") if isinstance(data, dict) else None
    if isinstance(training, dict):
        for k, v in training.items():
            if k != "solver":
                walk(v, ("training", k))
    return out


def _set(data, path, value):
    for p in path[:-1]:
        data = data[p]
    data[path[-1]] = value


def _nodes(value) -> int:
    """How many values a reference to ``value`` copies into the document."""
    if isinstance(value, (list, tuple)):
        return 1 + sum(_nodes(v) for v in value)
    return 1


def bind(doc, variables, file, limits: SpecLimits | None = None
         ) -> tuple[object, Bound, list[SpecIssue]]:
    """The document's data with every reference replaced by its parameter's value, what was
    bound, and the problems: a badly named or typed parameter, an unknown name in
    ``variables``, a reference to a parameter not declared, one without a value. What the
    references copy in is counted against ``max_alias_nodes`` (the same expansion aliases
    make), before it is copied: a long list referred to many times is a located error."""
    lim = limits or LIMITS
    issues: list[SpecIssue] = []
    data = doc.data
    out = Bound()
    section = data.get("parameters") if isinstance(data, dict) else None
    section = section if isinstance(section, dict) else {}
    out.declared = copy.deepcopy(section)
    if variables is not None and not isinstance(variables, Mapping):
        raise TypeError(f"variables must be a mapping of parameter name to value, got "
                        f"{type(variables).__name__}")
    given = {k: _plain(v) for k, v in (variables or {}).items()}

    def issue(msg, path, expected, key=False):
        issues.append(SpecIssue(msg, *doc.at(path, key=key), None, expected, file, path=path))

    kinds, refused = {}, set()  # refused: a default of the wrong type (reported)
    for name, decl in section.items():
        path = ("parameters", name)
        if not isinstance(name, str) or not NAME.match(name):
            continue  # the schema reports it
        decl = decl if isinstance(decl, dict) else {}  # the schema reports other forms
        kind = decl.get("type")
        if kind not in TYPES:
            kind = type_of(decl["default"]) if "default" in decl else None
        kinds[name] = kind
        if "default" in decl:
            if kind and not _fits(decl["default"], kind):
                issue(f"parameter '{name}': its default {decl['default']!r} is not of type "
                      f"{kind}", path + ("default",), f"a default of type {kind}")
                refused.add(name)
            else:
                out.values[name] = decl["default"]
    for name, value in given.items():
        if name not in kinds:
            names = list(kinds)
            issue(f"'{name}' is given a value (--var / variables=) but is not a parameter of "
                  f"this spec{closest(name, names)}",
                  ("parameters",) if section else (), (
                      f"one of its parameters: {', '.join(names)}" if names else
                      f"a spec that declares it: parameters: {{{name}: {{default: ...}}}}"),
                  key=bool(section))
            continue
        kind = kinds[name]
        if kind and not _fits(value, kind):
            issue(f"parameter '{name}': the value given, {value!r}, is not of type {kind}",
                  ("parameters", name), f"--var {name}=<{kind}> (or variables={{'{name}': "
                  f"<{kind}>}})", key=True)
            out.values.pop(name, None)
            kinds[name] = "bad"
            continue
        out.values[name] = value

    if not isinstance(data, dict):
        return data, out, issues
    data = copy.deepcopy(data)
    unbound: dict = {}
    sizes: dict = {}
    copied = 0
    for path in reference_paths(data):
        text = doc.value(path)
        if text.startswith("$$"):
            _set(data, path, text[1:])
            continue
        m = REFERENCE.match(text)
        if not m:
            continue
        name = m.group(1)
        out.paths[path] = name
        if name not in kinds:
            out.bad.add(path)
            names = list(kinds)
            issue(f"'${name}' refers to a parameter that is not declared"
                  f"{closest(name, names)}", path,
                  (f"one of the parameters: {', '.join('$' + n for n in names)}" if names
                   else f"a declaration: parameters: {{{name}: {{default: ...}}}}")
                  + f"; or ${text} for the text '{text}'")
        elif name not in out.values:
            out.bad.add(path)
            if kinds[name] != "bad" and name not in refused:
                unbound.setdefault(name, path)
        else:
            if name not in sizes:
                sizes[name] = _nodes(out.values[name])
            copied += sizes[name]
            if copied > lim.max_alias_nodes:  # reported once; the rest is not copied either
                out.bad.add(path)
                if copied - sizes[name] <= lim.max_alias_nodes:
                    issues.append(SpecIssue(lim.exceeded(
                        "max_alias_nodes", f"{copied:,} values", "the parameter references "
                        f"expand to too many values (at '${name}')"), *doc.at(path), None,
                        "shorter parameter values, or fewer references to them", file,
                        path=path, limit="max_alias_nodes"))
                continue
            _set(data, path, copy.deepcopy(out.values[name]))
    for name, path in unbound.items():
        issue(f"parameter '{name}' has no value (it is used at line {doc.at(path)[0]})",
              ("parameters", name), f"a value: load_spec(..., variables={{'{name}': ...}}) "
              f"or --var {name}=..., or a default: {{default: ...}}", key=True)
    return data, out, issues


def templates(raw, bound: Bound, entries) -> None:
    """Record, for saving, the option values written with references: per layer (by the name
    it was given) and for training."""
    if not bound.paths:
        return
    layers = raw.get("layers") or []
    for e in entries:
        item = layers[e.index]
        if isinstance(item, str) or not isinstance(item, dict):
            continue
        written = read_entry(e.index, item)
        own = {k: v for k, v in written.options.items()
               if k != "Name" and _has_reference(v)}
        if own:
            bound.layers[e.label] = own
    training = raw.get("training")
    if isinstance(training, dict):
        bound.training = {k: v for k, v in training.items()
                          if k != "solver" and _has_reference(v)}


def _has_reference(value) -> bool:
    if isinstance(value, str):
        return bool(REFERENCE.match(value))
    return isinstance(value, list) and any(_has_reference(v) for v in value)


def substitute(template, values: dict):
    """The value a template stands for with ``values`` bound (literal '$$' strings unescaped)."""
    if isinstance(template, str):
        m = REFERENCE.match(template)
        if m:
            return values.get(m.group(1), template)
        return template[1:] if template.startswith("$$") else template
    if isinstance(template, list):
        return [substitute(v, values) for v in template]
    return template


def mention(issues, bound: Bound) -> None:
    """An option error whose value came from a parameter says which parameter gave it."""
    for i in issues:
        for path, name in bound.paths.items():
            if i.path and (tuple(i.path) == path or tuple(i.path) == path[:-1]
                           and isinstance(path[-1], int)) and name in bound.values:
                i.message += f" (the value of parameter '{name}': {bound.values[name]!r})"
                break
