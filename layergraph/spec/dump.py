"""Writing a graph as YAML: the layers in order, chained as the loader chains them, with only the
edges, names and options that loading would not give back by itself.

The text is minimal and exact: loading it gives an equal graph (``connections`` for edges the
chain does not make, ``inputs`` for a layer not fed by the one before it, ``Name`` only where
MATLAB's automatic naming would not give the same name).
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import yaml

from ..errors import LayerGraphError
from ..graph import LayerGraph, _assign_names
from ..training.metrics import spec_form as metric_spec_form
from ..training.options import OPTIONS as TRAINING_OPTIONS
from ..training.options import TrainingOptions
from ..training.schedules import spec_form
from .parameters import Bound, escape, substitute
from .yaml_marks import MAP_TAG, SEQ_TAG, SpecLoader


class _Flow(dict):
    """A mapping written in flow style: {Name: lstm1, NumHiddenUnits: 100}."""


class _Dumper(yaml.SafeDumper):
    """SafeDumper with flow mappings for layer options and inline lists of numbers.

    It resolves plain scalars as the loader does, so a string the loader would read as a number
    (``'1e3'``: a float for :class:`SpecLoader`, a string for YAML 1.1) is written quoted and
    loads back as the same string."""


_Dumper.yaml_implicit_resolvers = {k: list(v) for k, v in
                                   SpecLoader.yaml_implicit_resolvers.items()}


def _represent_flow(dumper, data):
    return dumper.represent_mapping(MAP_TAG, data.items(), flow_style=True)


def _represent_list(dumper, data):
    # lists of numbers inline ([28, 28, 1]); anything else in block style (inside a flow
    # mapping the emitter writes everything inline anyway)
    flow = all(isinstance(x, (int, float)) for x in data)
    return dumper.represent_sequence(SEQ_TAG, data, flow_style=flow)


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

def dump_spec(graph: LayerGraph, name=None, description=None, options=None, data=None,
              learnables: bool = False, loss=None, parameters: Bound | None = None) -> str:
    """The YAML text of a graph with its name, description, parameters, training options and
    data section; an option written as a reference to a parameter (``parameters.layers``) is
    written so again while its value is still the parameter's."""
    parameters = parameters or Bound()
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
        body = {k: escape(_plain(v)) for k, v in cfg.items()}
        _references(body, parameters.layers.get(lay.Name, {}), lay.props, parameters.values)
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
    if parameters.declared:
        doc["parameters"] = {k: _Flow(v) if isinstance(v, dict) else v
                             for k, v in parameters.declared.items()}
    doc["layers"] = out_layers
    if connections:
        doc["connections"] = connections
    if loss is not None:
        doc["loss"] = loss
    if options is not None:
        doc["training"] = _training_section(options)
        _references(doc["training"], parameters.training, options.to_dict(), parameters.values)
    if data:
        doc["data"] = dict(data)
    return yaml.dump(doc, Dumper=_Dumper, sort_keys=False, default_flow_style=False,
                     allow_unicode=True, width=100)


def _references(body: dict, templates: dict, current: dict, values: dict):
    """Put back the references of ``templates`` ({option: '$name' or a list with some}) into
    ``body`` where the option still has the value the parameters give it."""
    for option, template in templates.items():
        if option in current and substitute(template, values) == _plain(current[option]):
            body[option] = template


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


def _takes_inf_text(option: str) -> bool:
    """Whether trainingOptions reads the text 'Inf' for ``option`` (else inf is written as YAML's
    ``.inf``, which loads back as the same number)."""
    opt = TRAINING_OPTIONS.get(option)
    if opt is None:
        return False
    try:
        return opt.kind("Inf") == math.inf
    except (LayerGraphError, ValueError, TypeError):
        return False


def _training_section(options: TrainingOptions) -> dict:
    given = options.to_dict(only_given=True)
    out = {"solver": given.pop("SolverName")}
    for k, v in given.items():
        if v is None:
            continue
        if isinstance(v, float) and math.isinf(v) and v > 0 and _takes_inf_text(k):
            v = "Inf"  # as MATLAB writes it, where the option reads 'Inf' back
        if k == "Metrics":
            v = _metric_names(v)
        if k == "LearnRateSchedule":
            v = spec_form(v)
        out[k] = escape(_plain(v))
    return out


def _metric_names(metrics):
    """Metrics as a spec writes them: by name, or ``{name: {changed properties}}``."""
    names = [metric_spec_form(m) for m in metrics]
    return names[0] if len(names) == 1 else names
