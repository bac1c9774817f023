"""analyzeNetwork: propagate formats and sizes through a graph and collect every problem.

The analysis never stops at the first problem: a layer whose inputs are unknown (unconnected, or
downstream of a problem) is skipped, everything else is still checked, so one run lists all that a
user has to fix.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import networkx as nx

from .bulk import collector_paused
from .errors import GraphError, LayerGraphError
from .formats import Activation
from .graph import LayerGraph, layerGraph
from .layers.base import Layer, LayerProblem, layer_class
from .limits import LIMITS


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
        return sum(math.prod(s) for s in self.learnables.values())  # exact: no int64 overflow


@dataclass
class NetworkAnalysis:
    """What analyzeNetwork found: per-layer rows, the problems, and the inferred activations."""

    graph: LayerGraph
    layers: list[LayerReport]
    problems: list[Problem]
    inputs: dict = field(default_factory=dict)  # layer name -> list of input Activations
    order: list = field(default_factory=list)  # topological order of layer names
    outputs: list = field(default_factory=list)
    """What the network returns, as (layer, port) pairs: what enters the output layer (legacy
    networks), or the outputs connected to nothing (a dlnetwork)."""
    dlnetwork: bool = False

    @property
    def ok(self):
        return not self.problems

    @property
    def output_names(self) -> list[str]:
        """The names of ``outputs`` as MATLAB's OutputNames gives them: the layer, or
        ``layer/port`` for a layer with several outputs."""
        return [f"{n}/{p}" if len(self.graph.layer(n).outputs) > 1 else n
                for n, p in self.outputs]

    @property
    def total_learnables(self):
        return sum(r.num_learnables for r in self.layers)

    def _by_name(self) -> dict:
        """{layer name: LayerReport}, built once (rebuilt if ``layers`` is replaced or grows)."""
        key = (id(self.layers), len(self.layers))
        cached = self.__dict__.get("_index")
        if cached is None or cached[0] != key:
            cached = self.__dict__["_index"] = (key, {r.name: r for r in self.layers})
        return cached[1]

    def report(self, name: str) -> LayerReport:
        """The row of layer ``name``: a dictionary look-up, so per-layer callers stay linear."""
        try:
            return self._by_name()[name]
        except KeyError:
            raise KeyError(f"no layer named '{name}' in the analysis") from None

    def activation(self, name: str, port: str) -> Activation | None:
        """What leaves output ``port`` of layer ``name``; None where it is not known."""
        r = self._by_name().get(name)
        return None if r is None else r.activations.get(port)

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


ACCEPTED = ("a layer, a layer array (a list of layers), a LayerGraph, or an object with a "
            "LayerGraph in its .graph (a trained Network, a Spec, a NetworkAnalysis)")
"""What :func:`as_graph` (and so analyzeNetwork, render and assembleNetwork) accepts."""

MAX_CYCLES_LISTED = 10
"""How many cycles the analysis lists one by one; the layers of further cycles are named together
(enumerating every cycle of a tangled graph can take exponential time)."""


def as_graph(layers_or_graph, owner: str | None = None) -> tuple[LayerGraph, list[Problem]]:
    """A LayerGraph from what a user hands to analyzeNetwork; duplicate names in an array become
    problems. Accepts :data:`ACCEPTED`; anything else is a GraphError naming what was given
    (``owner`` is the function the error names, e.g. 'analyzeNetwork')."""
    x = layers_or_graph
    if isinstance(x, LayerGraph):
        return x, []
    if not isinstance(x, Layer):
        inner = getattr(x, "graph", None)
        if isinstance(inner, LayerGraph):  # a Network, Spec or NetworkAnalysis
            return inner, []
    layers = _layer_array(x, owner)
    problems, seen, renamed = [], {}, []
    for i, lay in enumerate(layers):
        name = lay.Name
        if name and name in seen:
            problems.append(Problem("duplicate-name", (name,),
                                    f"duplicate layer name '{name}' (layers {seen[name]} "
                                    f"and {i + 1}); layer names must be unique"))
            lay = lay.copy(Name=f"{name}__{i + 1}")
        elif name:
            seen[name] = i + 1
        renamed.append(lay)
    return layerGraph(renamed), problems


def _layer_array(x, owner) -> list[Layer]:
    """``x`` as a list of layers, or a GraphError saying what was given and what is accepted."""
    if isinstance(x, Layer):
        return [x]
    what = f"{type(x).__name__} {_short_repr(x)}"
    if isinstance(x, (str, bytes)):
        raise GraphError(f"cannot analyse the text {_short_repr(x)}: expected {ACCEPTED}",
                         owner=owner, expected=ACCEPTED,
                         hint="; for a YAML spec file, load it first: "
                              "analyzeNetwork(load_spec(path))")
    if isinstance(x, dict) or not hasattr(x, "__iter__"):
        raise GraphError(f"cannot analyse {what}: expected {ACCEPTED}", owner=owner,
                         expected=ACCEPTED)
    layers = list(x)
    for i, lay in enumerate(layers):
        if not isinstance(lay, Layer):
            hint = ("; a layer array is flat: join arrays with [*a, *b]"
                    if isinstance(lay, (list, tuple)) else _constructor_hint(lay))
            raise GraphError(f"element {i + 1} of the layer array is not a layer but "
                             f"{type(lay).__name__} {_short_repr(lay)}; expected {ACCEPTED}",
                             owner=owner, expected=ACCEPTED, hint=hint or None)
    return layers


def _constructor_hint(x) -> str:
    """'; call reluLayer() to make the layer' when ``x`` is the text of a layer type."""
    if not isinstance(x, str):
        return ""
    try:
        cls = layer_class(x)
    except LayerGraphError:
        return ""
    return f"; call {cls.matlab_name}() to make the layer"


def _short_repr(x, limit: int = 60) -> str:
    text = repr(x)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def analyze(layers_or_graph, dlnetwork: bool = False) -> NetworkAnalysis:
    """Analyse without printing (see :func:`analyzeNetwork`).

    ``dlnetwork``: analyse as MATLAB's dlnetwork does. It has no output layers (the loss is
    trainnet's argument), and the outputs connected to nothing are the network's outputs rather
    than problems.

    Every step is linear in the number of layers and connections: one pass over the edges finds
    each layer's sources and used outputs, one topological sort orders the layers (cycles are
    looked for only when the sort finds one).
    """
    with collector_paused():
        return _analyze(layers_or_graph, dlnetwork)


def _analyze(layers_or_graph, dlnetwork=False) -> NetworkAnalysis:
    g, problems = as_graph(layers_or_graph, owner="analyzeNetwork")
    G = g.nx_graph
    layers = g.Layers
    names = [lay.Name for lay in layers]
    sources: dict[str, dict] = {n: {} for n in names}  # name -> {input port: (src, src port)}
    used: dict[str, set] = {n: set() for n in names}  # name -> connected output ports
    for s, d, e in G.edges(data=True):
        sources[d][e["dst_port"]] = (s, e["src_port"])
        used[s].add(e["src_port"])

    try:
        order = list(nx.topological_sort(G))
        in_cycle = set()
    except nx.NetworkXUnfeasible:
        in_cycle = _cycles(G, problems)
        order = list(nx.topological_sort(G.subgraph(n for n in G if n not in in_cycle)))

    open_outputs = []
    for lay, name in zip(layers, names):
        srcs = sources[name]
        for port in lay.inputs:
            if port not in srcs:
                kind, msg = lay.unconnected_problem(port, "inputs") or (
                    "unconnected-input", f"input '{port}' of {lay.where} is not connected")
                problems.append(Problem(kind, (name,), msg))
        for port in lay.outputs:
            if port not in used[name]:
                special = lay.unconnected_problem(port, "outputs")
                if dlnetwork and special is None and not lay.is_output_layer:
                    open_outputs.append((name, port))
                    continue
                kind, msg = special or (
                    "unconnected-output",
                    f"output '{port}' of {lay.where} is not connected to anything")
                problems.append(Problem(kind, (name,), msg))

    outs = [n for lay, n in zip(layers, names) if lay.is_output_layer]
    if dlnetwork:
        network_outputs = open_outputs
        for n in outs:
            lay = g.layer(n)
            problems.append(Problem(
                "output-layer-in-dlnetwork", (n,),
                f"{lay.where}: a dlnetwork has no output layers; remove it and give the loss "
                f"to trainnet instead (trainnet(X, T, net, "
                f"\"{'crossentropy' if lay.output_kind == 'classification' else 'mse'}\", "
                "options)), as MATLAB's dlnetwork requires"))
        if not network_outputs and layers and not outs:
            problems.append(Problem("no-network-output", (), "every output of the network is "
                                    "connected, so it returns nothing; leave the last layer's "
                                    "output unconnected"))
    else:
        network_outputs = [sources[n]["in"] for n in outs if "in" in sources[n]]
        if not outs:
            problems.append(Problem("missing-output-layer", (), "the network has no output "
                                    "layer; end it with a classificationLayer or a "
                                    "regressionLayer (or make it a dlnetwork and give trainnet "
                                    "the loss)"))
        elif len(outs) > 1:
            problems.append(Problem("extra-output-layer", tuple(outs),
                                    f"the network has {len(outs)} output layers "
                                    f"({', '.join(repr(n) for n in outs)}); it must have "
                                    "exactly one"))
    if not any(not lay.inputs for lay in layers):
        problems.append(Problem("missing-input-layer", (), "the network has no input layer; "
                                "start it with a sequenceInputLayer"))
    for lay, name in zip(layers, names):
        if lay.output_kind == "classification":
            p = _needs_softmax(g, lay, sources[name])
            if p is not None:
                problems.append(p)

    acts: dict[tuple, Activation] = {}
    reports, inputs_of = [], {}
    nodes = G.nodes
    for name in order:
        lay = nodes[name]["layer"]
        srcs = sources[name]
        ins = [acts.get(srcs[p]) if p in srcs else None for p in lay.inputs]
        if any(a is None for a in ins):
            continue
        inputs_of[name] = ins
        try:
            outs_ = lay.infer(ins)
        except LayerProblem as exc:
            problems.append(_explain(g, lay, ins, str(exc), exc.kind))
            continue
        steps = None
        for port, a in zip(lay.outputs, outs_):
            if a.is_sequence:
                steps = steps or lay.time_steps(ins)
                if a.steps is not steps:
                    a = replace(a, steps=steps)
            acts[(name, port)] = a
    for lay, name in zip(layers, names):
        r = LayerReport(name, lay.type_description, lay.describe())
        r.activations = {p: acts[(name, p)] for p in lay.outputs if (name, p) in acts}
        if name in inputs_of and (r.activations or lay.is_output_layer):
            r.learnables = lay.learnable_shapes(inputs_of[name])
        reports.append(r)
    _check_size(reports, problems)
    return NetworkAnalysis(g, reports, problems, inputs_of, order, network_outputs, dlnetwork)


def _check_size(reports, problems):
    """More learnables than LIMITS.max_learnables is a problem, found before any allocation."""
    total = sum(r.num_learnables for r in reports)
    limit = LIMITS.max_learnables
    if total > limit:
        big = max(reports, key=lambda r: r.num_learnables)
        problems.append(Problem("too-large", (big.name,), LIMITS.exceeded(
            "max_learnables", f"{total:,}",
            f"the network's learnables (layer '{big.name}' alone {big.num_learnables:,}; check "
            "the layers' sizes)")))


def _cycles(G, problems) -> set:
    """The layers on cycles (those in a strongly connected component of more than one layer, or
    connected to themselves); the first :data:`MAX_CYCLES_LISTED` cycles become problems."""
    in_cycle = set()
    for comp in nx.strongly_connected_components(G):
        if len(comp) > 1 or any(G.has_edge(n, n) for n in comp):
            in_cycle |= comp
    listed = 0
    for cyc in nx.simple_cycles(nx.DiGraph(G.subgraph(in_cycle))):
        if listed == MAX_CYCLES_LISTED:
            rest = ", ".join(f"'{n}'" for n in sorted(in_cycle))
            problems.append(Problem("cycle", tuple(sorted(in_cycle)),
                                    f"more than {MAX_CYCLES_LISTED} cycles (the first are listed "
                                    f"above) among layers {rest}; a network must be acyclic"))
            break
        listed += 1
        problems.append(Problem("cycle", tuple(cyc), "connections form a cycle: "
                                + " -> ".join(f"'{n}'" for n in cyc + [cyc[0]])
                                + "; a network must be acyclic"))
    return in_cycle


def _needs_softmax(g: LayerGraph, lay: Layer, srcs: dict) -> Problem | None:
    """MATLAB's rule: a classification output layer must be directly preceded by a softmax layer
    (trainNetwork stops with "Missing softmax layer" otherwise); its cross-entropy reads class
    probabilities, not raw scores."""
    port = lay.inputs[0] if lay.inputs else None
    if port not in srcs:
        return None  # reported as unconnected
    prev = g.layer(srcs[port][0])
    if prev.emits_probabilities:
        return None
    return Problem(
        "classification-without-softmax", (lay.Name, prev.Name),
        f"{lay.where} must be directly preceded by a softmaxLayer, but its input comes from "
        f"{prev.where}, whose outputs are not class probabilities; add softmaxLayer between "
        f"'{prev.Name}' and '{lay.Name}' (as MATLAB's trainNetwork requires: \"Missing softmax "
        "layer\")")


def _explain(g: LayerGraph, lay: Layer, ins, message, kind=None) -> Problem:
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
    return Problem(kind or "size-mismatch", (lay.Name, *(s for s, _ in srcs.values())),
                   f"{lay.where}: {message} (input from {frm}: {', '.join(map(str, ins))})")


def _upstream_last(g: LayerGraph, name: str):
    for anc in nx.bfs_tree(g.nx_graph.reverse(copy=False), name):
        lay = g.layer(anc)
        if anc != name and lay.emits_one_step:
            return anc
    return None


def analyzeNetwork(layers_or_graph, verbose=True) -> NetworkAnalysis:
    """MATLAB's analyzeNetwork: prints the layer table and every problem; returns the report.

    ``layers_or_graph`` is a layer, a layer array, a LayerGraph, or anything holding a LayerGraph
    in ``.graph``: a trained or assembled Network (``analyzeNetwork(net)``, as in MATLAB), a Spec,
    an earlier analysis. Anything else is a GraphError saying what was given.

    A dlnetwork (or a dlnetwork spec) is analysed as one, as MATLAB's analyzeNetwork does: its
    open outputs are its outputs, not missing output layers.
    """
    result = analyze(layers_or_graph, dlnetwork=getattr(layers_or_graph, "dlnetwork", False) is True)
    if verbose:
        print(result)
    return result
