"""analyzeNetwork: propagate formats and sizes through a graph and collect every problem.

The analysis never stops at the first problem: a layer whose inputs are unknown (unconnected, or
downstream of a problem) is skipped, everything else is still checked, so one run lists all that a
user has to fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from .formats import Activation
from .graph import LayerGraph, layerGraph
from .layers.base import Layer, LayerProblem


@dataclass
class Problem:
    """One thing wrong with a network. ``kind`` is a stable identifier for tests and tools."""

    kind: str
    layers: tuple
    message: str

    def __str__(self):
        return self.message


@dataclass
class LayerReport:
    name: str
    type: str
    description: str
    activations: dict = field(default_factory=dict)  # output port -> Activation
    learnables: dict = field(default_factory=dict)  # name -> shape
    states: dict = field(default_factory=dict)

    @property
    def num_learnables(self):
        return int(sum(np.prod(s) for s in self.learnables.values()))


@dataclass
class NetworkAnalysis:
    """What analyzeNetwork found: per-layer rows, the problems, and the inferred activations."""

    graph: LayerGraph
    layers: list[LayerReport]
    problems: list[Problem]
    inputs: dict = field(default_factory=dict)  # layer name -> list of input Activations
    order: list = field(default_factory=list)  # topological order of layer names

    @property
    def ok(self):
        return not self.problems

    @property
    def total_learnables(self):
        return sum(r.num_learnables for r in self.layers)

    def report(self, name: str) -> LayerReport:
        return next(r for r in self.layers if r.name == name)

    def problems_of(self, kind: str) -> list[Problem]:
        return [p for p in self.problems if p.kind == kind]

    def __str__(self):
        rows = [("", "Name", "Type", "Activations", "Learnable Sizes")]
        for i, r in enumerate(self.layers):
            act = str(r.activations.get(next(iter(r.activations), None), "")) if r.activations \
                else "-"
            learn = ", ".join(f"{k} {'x'.join(map(str, s))}" for k, s in r.learnables.items())
            rows.append((str(i + 1), r.name, r.type, act or "-", learn or "-"))
        widths = [max(len(row[c]) for row in rows) for c in range(5)]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
        lines.insert(1, "-" * len(lines[0]))
        lines.append(f"\nTotal learnables: {self.total_learnables:,}")
        if self.problems:
            lines.append(f"\n{len(self.problems)} problem(s):")
            lines += [f"  - {p.message}" for p in self.problems]
        else:
            lines.append("No problems found.")
        return "\n".join(lines)

    def _repr_html_(self):
        import html

        return f"<pre>{html.escape(str(self))}</pre>"


def as_graph(layers_or_graph) -> tuple[LayerGraph, list[Problem]]:
    """A LayerGraph from an array or graph; duplicate names in an array become problems."""
    if isinstance(layers_or_graph, LayerGraph):
        return layers_or_graph, []
    layers = [layers_or_graph] if isinstance(layers_or_graph, Layer) else list(layers_or_graph)
    problems, seen, renamed = [], {}, []
    for i, lay in enumerate(layers):
        if lay.Name and lay.Name in seen:
            problems.append(Problem("duplicate-name", (lay.Name,),
                                    f"duplicate layer name '{lay.Name}' (layers {seen[lay.Name]} "
                                    f"and {i + 1}); layer names must be unique"))
            lay = lay.copy(Name=f"{lay.Name}__{i + 1}")
        elif lay.Name:
            seen[lay.Name] = i + 1
        renamed.append(lay)
    return layerGraph(renamed), problems


def analyze(layers_or_graph) -> NetworkAnalysis:
    """Analyse without printing (see :func:`analyzeNetwork`)."""
    g, problems = as_graph(layers_or_graph)
    G = g.nx_graph
    in_cycle = set()
    for cyc in nx.simple_cycles(nx.DiGraph(G)):
        in_cycle |= set(cyc)
        problems.append(Problem("cycle", tuple(cyc), "connections form a cycle: "
                                + " -> ".join(f"'{n}'" for n in cyc + [cyc[0]])
                                + "; a network must be acyclic"))

    for lay in g.Layers:
        srcs = g.sources(lay.Name)
        for port in lay.inputs:
            if port not in srcs:
                kind, msg = lay.unconnected_problem(port, "inputs") or (
                    "unconnected-input", f"input '{port}' of {lay.where} is not connected")
                problems.append(Problem(kind, (lay.Name,), msg))
        used = {sp for s, sp, _, _ in g.edges() if s == lay.Name}
        for port in lay.outputs:
            if port not in used:
                kind, msg = lay.unconnected_problem(port, "outputs") or (
                    "unconnected-output",
                    f"output '{port}' of {lay.where} is not connected to anything")
                problems.append(Problem(kind, (lay.Name,), msg))

    outs = [lay.Name for lay in g.Layers if lay.is_output_layer]
    if not outs:
        problems.append(Problem("missing-output-layer", (), "the network has no output layer; "
                                "end it with a classificationLayer or a regressionLayer"))
    elif len(outs) > 1:
        problems.append(Problem("extra-output-layer", tuple(outs),
                                f"the network has {len(outs)} output layers "
                                f"({', '.join(repr(n) for n in outs)}); it must have exactly one"))
    if not g.InputNames:
        problems.append(Problem("missing-input-layer", (), "the network has no input layer; "
                                "start it with a sequenceInputLayer"))

    acts: dict[tuple, Activation] = {}
    reports, inputs_of = [], {}
    dag = G.subgraph([n for n in G if n not in in_cycle])
    order = list(nx.topological_sort(dag))
    for name in order:
        lay = g.layer(name)
        srcs = g.sources(name)
        ins = [acts.get(srcs[p]) if p in srcs else None for p in lay.inputs]
        if any(a is None for a in ins):
            continue
        inputs_of[name] = ins
        try:
            outs_ = lay.infer(ins)
        except LayerProblem as exc:
            problems.append(_explain(g, lay, ins, str(exc)))
            continue
        for port, a in zip(lay.outputs, outs_):
            acts[(name, port)] = a
    for lay in g.Layers:
        r = LayerReport(lay.Name, lay.type_description, lay.describe())
        r.activations = {p: acts[(lay.Name, p)] for p in lay.outputs if (lay.Name, p) in acts}
        if lay.Name in inputs_of and (r.activations or lay.is_output_layer):
            r.learnables = lay.learnable_shapes(inputs_of[lay.Name])
        reports.append(r)
    return NetworkAnalysis(g, reports, problems, inputs_of, order)


def _explain(g: LayerGraph, lay: Layer, ins, message) -> Problem:
    """Turn a LayerProblem into a Problem, naming an upstream 'last' layer where that is the cause."""
    x = ins[0]
    if x is not None and not x.is_sequence and "sequence" in message:
        culprit = _upstream_last(g, lay.Name)
        if culprit:
            return Problem(
                "last-before-sequence", (culprit, lay.Name),
                f"{lay.where} needs sequences, but layer '{culprit}' before it has OutputMode "
                f"'last' and outputs one vector per sequence; set OutputMode 'sequence' on "
                f"'{culprit}' (only the last recurrent layer of a sequence-to-label network "
                "uses 'last')")
    srcs = g.sources(lay.Name)
    frm = ", ".join(f"'{s}'" for s, _ in srcs.values())
    return Problem("size-mismatch", (lay.Name, *(s for s, _ in srcs.values())),
                   f"{lay.where}: {message} (input from {frm}: {', '.join(map(str, ins))})")


def _upstream_last(g: LayerGraph, name: str):
    for anc in nx.bfs_tree(g.nx_graph.reverse(copy=False), name):
        lay = g.layer(anc)
        if anc != name and lay.emits_one_step:
            return anc
    return None


def analyzeNetwork(layers_or_graph, verbose=True) -> NetworkAnalysis:
    """MATLAB's analyzeNetwork: prints the layer table and every problem; returns the report."""
    result = analyze(layers_or_graph)
    if verbose:
        print(result)
    return result
