"""LayerGraph: the topology of a network, on networkx. Nodes are layers, edges ``src/port -> dst/port``.

MATLAB's functions have value semantics (``lgraph = connectLayers(lgraph, ...)`` returns a new
graph); the methods of the same names edit the graph in place and return it, the Python way.
Both are provided and share one implementation.

Value semantics without a copy per call: ``addLayers`` and ``connectLayers`` (the calls MATLAB
code makes in loops) hand the networkx graph to the new graph and leave the old one an *undo
log* against it (Baker's trick for persistent structures). The old graph is rebuilt, from a copy,
only when it is used again; the new one first settles an old one that is still alive before it
lends its layers out or is edited in place, so the old graph never sees a later change. A graph
that has lent its layers or its networkx graph (``layer()``, ``Layers``, ``nx_graph``: the caller
may still hold them) is copied as before. A loop of ``lgraph = addLayers(lgraph, layer)`` is
linear; each call used to copy the whole graph.
"""

from __future__ import annotations

import copy
import weakref
from collections import Counter

import networkx as nx
import numpy as np

from .errors import GraphError
from .layers.base import Layer
from .services import available, service


class LayerGraph:
    """A directed graph of layers with named ports. Build one with :func:`layerGraph`."""

    def __init__(self):
        self._own_g = nx.MultiDiGraph()
        self._past = None  # (newer graph, undo log): this graph's nx graph was handed on
        self._newer_past = None  # weakref to the older graph whose undo log reads our nx graph
        self._forking = False  # inside a value-semantics edit: the log is being written
        self._name_hints = {}  # stem -> n: 'stem_1' .. 'stem_n' are all taken (see _assign_names)
        self._lent = False  # a layer or the nx graph was handed out: edits as new ones copy

    # --- versions: who holds the networkx graph -----------------------------------------------
    @property
    def _g(self) -> nx.MultiDiGraph:
        """The networkx graph, this graph's own: rebuilt if it was handed to a newer graph, and
        any older graph that still reads it settled first (unless this is that edit itself)."""
        if self._past is not None:
            self._rebuild()
        if self._newer_past is not None and not self._forking:
            older = self._newer_past()
            self._newer_past = None
            if older is not None and older._past is not None:
                older._rebuild()
        return self._own_g

    @_g.setter
    def _g(self, g):
        self._g  # noqa: B018  (settle an older graph before the change)
        self._own_g = g

    def _rebuild(self):
        """Become a graph of its own again: copy the newest graph along the chain and undo,
        nearest first, every edit made since this one."""
        chain = [self]
        while chain[-1]._past is not None:
            chain.append(chain[-1]._past[0])
        g = _copy_nx(chain[-1]._own_g)
        for version in reversed(chain[:-1]):
            for entry in reversed(version._past[1]):
                if entry[0] == "edge":
                    g.remove_edge(*entry[1:])
                else:
                    g.remove_node(entry[1])
        self._own_g, self._past, self._name_hints = g, None, {}  # names were removed: no hints

    def _edit_as_new(self, op, *args) -> LayerGraph:
        """``op`` on a new graph that takes over this one's networkx graph; this one keeps the
        undo log (the edits ``op`` made) and is rebuilt only when used again."""
        if self._lent:  # someone may hold our layers or nx graph: theirs must not change
            return getattr(self.copy(), op)(*args)
        if self._past is not None:
            self._rebuild()
        g = self._own_g  # an older graph reading it stays valid: it reads it through `new`
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new._own_g, new._past, new._forking = g, None, True
        new._name_hints, new._lent = dict(self._name_hints), False
        new._log = []
        try:
            getattr(new, op)(*args)
        except BaseException:
            for entry in reversed(new._log):  # the graph as it was: an error changes nothing
                g.remove_edge(*entry[1:]) if entry[0] == "edge" else g.remove_node(entry[1])
            raise
        finally:
            new._forking = False
        self._past, self._own_g = (new, new.__dict__.pop("_log")), None
        new._newer_past = weakref.ref(self)
        return new

    def _logged(self, entry):
        log = self.__dict__.get("_log")
        if log is not None:
            log.append(entry)

    def __deepcopy__(self, memo):
        return self.copy()

    def __getstate__(self):
        return {"_own_g": self._g, "_past": None, "_newer_past": None, "_forking": False,
                "_name_hints": {}, "_lent": False}

    # --- read-only views ------------------------------------------------------------------------
    @property
    def Layers(self) -> list[Layer]:
        """The layers, in the order they were added (as MATLAB lists them)."""
        self._lent = True
        return self._layers()

    def _layers(self) -> list[Layer]:
        return [d["layer"] for _, d in self._g.nodes(data=True)]

    @property
    def Connections(self) -> list[tuple[str, str]]:
        """(Source, Destination) pairs like MATLAB's table: 'name' or 'name/port'."""
        out = []
        for s, d, e in self._g.edges(data=True):
            out.append((_endpoint(self._layer(s), s, e["src_port"], "out"),
                        _endpoint(self._layer(d), d, e["dst_port"], "in")))
        return out

    @property
    def InputNames(self) -> list[str]:
        return [lay.Name for lay in self._layers() if not lay.inputs]

    @property
    def OutputNames(self) -> list[str]:
        return [lay.Name for lay in self._layers() if lay.is_output_layer]

    @property
    def nx_graph(self) -> nx.MultiDiGraph:
        """The underlying networkx graph (nodes: layer names; edge data: src_port, dst_port)."""
        self._lent = True
        return self._g

    def layer(self, name: str) -> Layer:
        self._lent = True
        return self._layer(name)

    def _layer(self, name: str) -> Layer:
        if name not in self._g:
            raise GraphError(f"no layer named '{name}' in the graph; layers: "
                             f"{', '.join(self._g.nodes) or '(none)'}")
        return self._g.nodes[name]["layer"]

    def edges(self):
        """(src, src_port, dst, dst_port) for every connection."""
        return [(s, e["src_port"], d, e["dst_port"]) for s, d, e in self._g.edges(data=True)]

    def sources(self, name: str) -> dict[str, tuple[str, str]]:
        """For each connected input port of ``name``: (source layer, source port)."""
        if name not in self._g:
            self._layer(name)  # the GraphError naming the layers there are
        return {e["dst_port"]: (s, e["src_port"])
                for s, keys in self._g.pred[name].items() for e in keys.values()}

    def __len__(self):
        return self._g.number_of_nodes()

    def __eq__(self, other):
        return (isinstance(other, LayerGraph) and self._layers() == other._layers()
                and sorted(self.edges()) == sorted(other.edges()))

    def __repr__(self):
        return (f"LayerGraph with {len(self)} layers and {self._g.number_of_edges()} connections:\n"
                + "\n".join(f"  {i + 1:>3} {lay!r}" for i, lay in enumerate(self._layers())))

    def copy(self) -> LayerGraph:
        """A deep copy (layers included), in one pass over the layers and connections."""
        new = LayerGraph.__new__(type(self))
        LayerGraph.__init__(new)
        new._own_g = _copy_nx(self._g)
        return new

    # --- in-place edits (methods return self) -------------------------------------------------
    def addLayers(self, layers, connect=True) -> LayerGraph:
        """Add a layer or layer array; an array's layers are connected in sequence."""
        layers = _as_layer_list(layers)
        new = [_copy_layer(lay) for lay in layers]
        hints = dict(self._name_hints)  # kept only if the layers are added
        _assign_names(new, self._g, hints)
        for lay in new:
            if lay.Name in self._g:
                raise GraphError(f"a layer named '{lay.Name}' is already in the graph; layer "
                                 "names must be unique")
        for lay in new:
            self._g.add_node(lay.Name, layer=lay)
            self._logged(("node", lay.Name))
        if connect:
            for a, b in zip(new, new[1:]):
                if not a.outputs:
                    raise GraphError(
                        f"cannot connect {a.where} to '{b.Name}': an output layer has no outputs; "
                        "it must be the last layer of the array")
                if not b.inputs:
                    raise GraphError(f"cannot connect '{a.Name}' to {b.where}: an input layer "
                                     "has no inputs; it must be the first layer of the array")
                self._connect(a.Name, a.outputs[0], b.Name, b.inputs[0])
        self._name_hints = hints
        return self

    def connectLayers(self, source: str, destination: str) -> LayerGraph:
        """Connect 'src' or 'src/port' to 'dst' or 'dst/port'."""
        s, sp = self._parse(source, "outputs")
        d, dp = self._parse(destination, "inputs")
        self._connect(s, sp, d, dp)
        return self

    def disconnectLayers(self, source: str, destination: str) -> LayerGraph:
        s, sp = self._parse(source, "outputs")
        d, dp = self._parse(destination, "inputs")
        key = (sp, dp)
        if not self._g.has_edge(s, d, key):
            raise GraphError(f"'{source}' is not connected to '{destination}'")
        self._g.remove_edge(s, d, key)
        return self

    def removeLayers(self, names) -> LayerGraph:
        names = [names] if isinstance(names, str) else list(names)
        for n in names:
            self._layer(n)
        self._g.remove_nodes_from(names)
        self._name_hints = {}  # a removed 'fc_3' is free again
        return self

    def replaceLayer(self, name: str, layers) -> LayerGraph:
        """Replace layer ``name`` by a layer or array; its connections move to the new ends."""
        old = self._layer(name)
        new = [_copy_layer(lay) for lay in _as_layer_list(layers)]
        self._name_hints = {}
        if len(new) == 1 and not new[0].Name:
            new[0].Name = old.Name
        others = set(self._g.nodes) - {name}
        _assign_names(new, others)
        for lay in new:
            if lay.Name in others:
                raise GraphError(f"a layer named '{lay.Name}' is already in the graph")
        ins = [(s, sp, dp) for s, _, (sp, dp) in self._g.in_edges(name, keys=True)]
        outs = [(d, sp, dp) for _, d, (sp, dp) in self._g.out_edges(name, keys=True)]
        order = list(self._g.nodes)
        pos = order.index(name)
        self._g.remove_node(name)
        # Rebuild so the new layers take the old one's place in MATLAB's layer order.
        nodes = [(n, self._g.nodes[n]) for n in order if n != name]
        edges = list(self._g.edges(keys=True, data=True))
        self._g = nx.MultiDiGraph()
        self._g.add_nodes_from(nodes[:pos])
        self._g.add_nodes_from((lay.Name, {"layer": lay}) for lay in new)
        self._g.add_nodes_from(nodes[pos:])
        self._g.add_edges_from(edges)
        for a, b in zip(new, new[1:]):
            self._connect(a.Name, a.outputs[0], b.Name, b.inputs[0])
        first, last = new[0], new[-1]
        for s, sp, dp in ins:
            port = dp if dp in first.inputs else first.inputs[0]
            self._connect(s, sp, first.Name, port)
        for d, sp, dp in outs:
            port = sp if sp in last.outputs else last.outputs[0]
            self._connect(last.Name, port, d, dp)
        return self

    # --- helpers --------------------------------------------------------------------------------
    def _parse(self, endpoint: str, side: str):
        if not isinstance(endpoint, str) or not endpoint:
            raise GraphError(f"expected a layer name or 'layer/port', got {endpoint!r}")
        name, _, port = endpoint.partition("/")
        lay = self._layer(name)
        ports = getattr(lay, side)
        if not port:
            if not ports:
                raise GraphError(f"{lay.where} has no {side}")
            return name, ports[0]
        if port not in ports:
            raise GraphError(f"{lay.where} has no {side[:-1]} port '{port}'; its {side}: "
                             f"{', '.join(ports) or '(none)'}")
        return name, port

    def _connect(self, s, sp, d, dp):
        for src, keys in self._g.pred[d].items():  # O(in-degree of d)
            if any(port == dp for _, port in keys):
                raise GraphError(f"input '{dp}' of layer '{d}' is already connected to "
                                 f"'{src}'; disconnect it first")
        self._g.add_edge(s, d, key=(sp, dp), src_port=sp, dst_port=dp)
        self._logged(("edge", s, d, (sp, dp)))

    # --- YAML and diagrams: thin calls of services the higher floors register ----------------
    def save_spec(self, path=None, **kwargs) -> str:
        """Write this graph as a YAML spec (see :mod:`layergraph.spec`); returns the YAML text."""
        return service("save_spec", "layergraph.spec")(self, path, **kwargs)

    @classmethod
    def from_spec(cls, source, strict=True, variables=None) -> LayerGraph:
        """The graph of a YAML spec (a path, YAML text or file), its parameters bound with
        ``variables``; see :func:`layergraph.load_spec`."""
        return service("load_spec", "layergraph.spec")(source, strict=strict,
                                                        variables=variables).graph

    def _repr_svg_(self):  # Jupyter shows graphs as diagrams when graphviz is available
        if not available("to_svg"):
            return None
        try:
            return service("to_svg", "layergraph.render")(self)
        except Exception:
            return None


def _copy_nx(src: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of a layer graph's networkx graph with every layer deep-copied, in one pass."""
    g = nx.MultiDiGraph()
    g.graph.update(copy.deepcopy(src.graph))
    g.add_nodes_from((n, {k: _copy_layer(v) if k == "layer" else copy.deepcopy(v)
                          for k, v in d.items()}) for n, d in src.nodes(data=True))
    g.add_edges_from((s, d, key, dict(e)) for s, d, key, e in src.edges(keys=True, data=True))
    return g


def _endpoint(layer, name, port, side):
    ports = layer.outputs if side == "out" else layer.inputs
    return name if len(ports) == 1 else f"{name}/{port}"


def _as_layer_list(layers) -> list[Layer]:
    if isinstance(layers, Layer):
        return [layers]
    out = list(layers)
    for i, lay in enumerate(out):
        if not isinstance(lay, Layer):
            raise GraphError(f"element {i + 1} of the layer array is not a layer: {lay!r}")
    return out


def _assign_names(layers, taken, hints=None):
    """Fill empty names as MATLAB does: 'lstm' alone, 'lstm_1', 'lstm_2' when several.

    ``taken`` is anything that answers ``in`` (the graph itself): it is never copied. ``hints``
    (the graph's, kept until a layer is removed) remembers per stem how far 'stem_1', 'stem_2',
    ... are all taken, so adding unnamed layers one at a time stays linear overall.
    """
    stems = Counter(lay.default_name for lay in layers if not lay.Name)
    counters = Counter(hints or {})
    used = {lay.Name for lay in layers if lay.Name}
    for lay in layers:
        if lay.Name:
            continue
        stem = lay.default_name
        if stems[stem] == 1 and stem not in used and stem not in taken:
            name = stem
        else:
            while True:
                counters[stem] += 1
                name = f"{stem}_{counters[stem]}"
                if name not in used and name not in taken:
                    break
            if hints is not None:
                hints[stem] = counters[stem]  # 'stem_1' .. this one: all taken now
        lay.Name = name
        used.add(name)


_ATOMIC = frozenset({int, float, complex, str, bytes, bool, type(None)})


def _copy_value(v):
    """A deep copy of an option value, quick for what layers hold (numbers, text, tuples of
    them, numpy arrays); anything else goes through copy.deepcopy."""
    t = type(v)
    if t in _ATOMIC:
        return v
    if t is np.ndarray:
        return v.copy()
    if t is tuple and all(type(x) in _ATOMIC for x in v):
        return v
    return copy.deepcopy(v)


def _copy_layer(layer: Layer) -> Layer:
    """A deep copy of a layer, equal to ``copy.deepcopy(layer)`` and several times faster: the
    graph copies every layer it receives, so this is on the path of every layerGraph call."""
    new = object.__new__(type(layer))
    state = new.__dict__
    for k, v in layer.__dict__.items():
        state[k] = ({name: _copy_value(x) for name, x in v.items()} if type(v) is dict
                    else _copy_value(v))
    return new


# --- MATLAB-style functions (value semantics) ---------------------------------------------------

def layerGraph(layers=None) -> LayerGraph:
    """A new graph; a layer array becomes a chain, first output to first input."""
    g = LayerGraph()
    if layers is None:
        return g
    if isinstance(layers, LayerGraph):
        return layers.copy()
    layers = _as_layer_list(layers)
    names = Counter(lay.Name for lay in layers if lay.Name)
    dup = [n for n, c in names.items() if c > 1]
    if dup:
        raise GraphError(f"duplicate layer names: {', '.join(repr(n) for n in dup)}; layer names "
                         "must be unique")
    return g.addLayers(layers)


def _edited(lgraph, op, *args):
    """MATLAB's graph functions also edit a dlnetwork: an object other than a LayerGraph that
    knows how (``edited``) does the edit itself, so this module needs no import of it."""
    if not isinstance(lgraph, LayerGraph) and hasattr(lgraph, "edited"):
        return lgraph.edited(op, *args)
    if not isinstance(lgraph, LayerGraph):
        raise GraphError(f"{op} expects a LayerGraph or a dlnetwork, got "
                         f"{type(lgraph).__name__}")
    if op in ("addLayers", "connectLayers"):  # the edits loops make: no copy (see the top)
        return lgraph._edit_as_new(op, *args)
    return getattr(lgraph.copy(), op)(*args)


def addLayers(lgraph: LayerGraph, layers) -> LayerGraph:
    return _edited(lgraph, "addLayers", layers)


def connectLayers(lgraph: LayerGraph, source: str, destination: str) -> LayerGraph:
    return _edited(lgraph, "connectLayers", source, destination)


def disconnectLayers(lgraph: LayerGraph, source: str, destination: str) -> LayerGraph:
    return _edited(lgraph, "disconnectLayers", source, destination)


def removeLayers(lgraph: LayerGraph, names) -> LayerGraph:
    return _edited(lgraph, "removeLayers", names)


def replaceLayer(lgraph: LayerGraph, name: str, layers) -> LayerGraph:
    return _edited(lgraph, "replaceLayer", name, layers)
