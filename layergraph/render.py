"""Network diagrams with graphviz, like MATLAB's ``plot(lgraph)`` and ``analyzeNetwork``'s graph.

One node per layer shows its name (bold), its type and its key options; edges carry the port
names where a layer has several ports (``fold/miniBatchSize -> unfold/miniBatchSize``) and,
optionally, the activation sizes the analysis infers (``12(C) x 1(B) x T(T)``). Layers that the
analysis finds problems with are drawn in red, with a note beside them (a folded-corner box
joined by a dashed red line) saying what is wrong, so the text is in PNG and PDF output too; in
SVG it is also the node's tooltip. Problems that concern no one layer (no output layer) are
written under the diagram.

Long networks wrap instead of growing one way without end (``wrap``, default ``'auto'``):

* ``rankdir='LR'``: a chain more than ``WRAP['LR']`` (12) layers long is cut into rows of
  equal length (give or take one), read like text: left to right, then the next row below, each
  row starting at the left edge.
* ``rankdir='TB'``: likewise into columns once longer than ``WRAP['TB']`` (30) layers, read top
  to bottom, then the next column to the right.
* ``wrap=N`` sets the length of a row (or column) to N layers; ``wrap=None`` never wraps.
* Only chains wrap: one layer at each depth (distance from the input), connections that skip
  ahead such as fold -> unfold's miniBatchSize allowed. Graphs with parallel branches (rows of
  one rank would scramble them), graphs with a cycle, and 'BT' / 'RL' are drawn unwrapped.

A wrapped 'LR' diagram is a DOT graph with ``rankdir=TB`` whose rows are ``rank=same``
subgraphs named ``line1``, ``line2``, ...; a wrapped 'TB' one has ``rankdir=LR`` and columns.

    from layergraph.render import render, to_dot, to_svg
    render(lgraph, "net.svg")                    # .dot, .svg, .png or .pdf, by the extension
    render(lgraph, "net.png", rankdir="LR", show_sizes=True)
    render(lgraph, "net.pdf", rankdir="LR", wrap=8)   # rows of at most 8 layers

Building the DOT source needs only the ``graphviz`` Python package; drawing SVG/PNG/PDF needs
Graphviz's ``dot`` program. Where it is missing, :func:`render` still writes the ``.dot`` file and
raises a :class:`~layergraph.LayerGraphError` saying how to install Graphviz. In Jupyter a
``LayerGraph`` displays itself as SVG (``LayerGraph._repr_svg_`` calls :func:`to_svg`).
"""

from __future__ import annotations

import html
import math
import textwrap
from pathlib import Path

import networkx as nx
import numpy as np

from .analysis import analyze, as_graph
from .errors import LayerGraphError
from .services import provide

FORMATS = ("dot", "svg", "png", "pdf")

INSTALL_HINT = ("Graphviz's 'dot' program is needed to draw {fmt}; install Graphviz "
                "(apt-get install graphviz / brew install graphviz / conda install graphviz) "
                "or write DOT source with format 'dot'")

FILL = {  # node colours by what a layer does (Layer.category)
    "input": "#d9ead3", "recurrent": "#cfe2f3", "conv": "#fce5cd", "output": "#f4cccc",
    "norm": "#eeeeee", "reshape": "#fff2cc", "activation": "#ffffff", "combine": "#ead1dc",
    "other": "#ffffff",
}


def _fmt_value(v) -> str:
    if isinstance(v, np.ndarray):
        return "x".join(map(str, v.shape)) + " array"
    if isinstance(v, (tuple, list)):
        if len(v) > 6:
            return f"[{len(v)} values]"
        return "[" + " ".join(map(str, v)) + "]"
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def key_options(layer, limit: int = 5) -> list[tuple[str, str]]:
    """(name, value text) of the options worth showing on the node (the layer says which)."""
    return [(name, _fmt_value(layer.props[name])) for name in layer.diagram_options()][:limit]


def _label(layer) -> str:
    rows = [f'<B>{html.escape(layer.Name)}</B>',
            f'<FONT POINT-SIZE="10">{html.escape(layer.type_description or layer.matlab_name)}'
            '</FONT>']
    for name, value in key_options(layer):
        rows.append(f'<FONT POINT-SIZE="9" COLOR="#444444">{html.escape(name)}: '
                    f'{html.escape(value)}</FONT>')
    return "<" + "<BR/>".join(rows) + ">"


def _as_graph(x):
    return as_graph(x, owner="render")[0]  # a LayerGraph, a layer array, or x.graph


WRAP = {"LR": 12, "TB": 30}
"""Most layers in a row ('LR') or a column ('TB') before a long network wraps (``wrap='auto'``)."""

NOTE_WIDTH = 48
"""Characters per line of the problem notes drawn next to layers."""


def to_digraph(graph, rankdir: str = "TB", show_sizes: bool = False, analysis=None,
               highlight: bool = True, name: str | None = None, wrap="auto",
               notes: bool = True):
    """A ``graphviz.Digraph`` of the network (a LayerGraph, a layer array, a Spec, a Network).

    ``rankdir`` 'TB' draws top to bottom as MATLAB's plot(lgraph) does, 'LR' left to right
    ('BT' and 'RL' reverse them). ``show_sizes`` labels edges with the activation sizes from the
    analysis. ``highlight`` draws layers with problems in red, each with a note saying what is
    wrong (``notes=False`` leaves the text to the SVG tooltips); the analysis is run when
    ``analysis`` is not given. ``wrap`` folds long networks: see the module docstring.
    """
    import graphviz

    rankdir = str(rankdir).upper()
    if rankdir not in ("TB", "LR", "BT", "RL"):
        raise LayerGraphError(f"rankdir must be 'TB' (top to bottom) or 'LR' (left to right), "
                              f"got {rankdir!r}")
    per_line = _wrap_length(wrap, rankdir)
    g = _as_graph(graph)
    if analysis is None and (show_sizes or highlight):
        analysis = analyze(g)
    problems_of, notes_of = {}, {}  # layer -> messages: every layer named / the first one
    general = []
    if analysis is not None and highlight:
        for p in analysis.problems:
            if p.layers:
                for n in p.layers:
                    problems_of.setdefault(n, []).append(p.message)
                notes_of.setdefault(p.layers[0], []).append(p.message)
            else:
                general.append(p.message)

    ids = _node_ids(g)
    lines = _lines(g, per_line) if per_line else None
    dot = graphviz.Digraph(name=name or "layergraph")
    if lines is None:
        dot.attr(rankdir=rankdir, nodesep="0.3", ranksep="0.35")
    else:  # rows of an 'LR' diagram are ranks of a 'TB' one (and columns of 'TB' of 'LR')
        dot.attr(rankdir="TB" if rankdir == "LR" else "LR", nodesep="0.3", ranksep="0.5",
                 newrank="true")
    dot.attr("node", shape="box", style="rounded,filled", fontname="Helvetica", fontsize="11",
             margin="0.15,0.06")
    dot.attr("edge", fontname="Helvetica", fontsize="9", color="#555555", arrowsize="0.7")

    groups: dict = {}  # line number (or layer name) -> node ids drawn side by side
    taken = set(ids.values())
    note_edges = []
    for lay in g.Layers:
        node = ids[lay.Name]
        attrs = {"fillcolor": FILL.get(lay.category, FILL["other"]),
                 "tooltip": f"{lay.Name} ({lay.matlab_name})"}
        group = lines.get(lay.Name) if lines is not None else None
        if lay.Name in problems_of:
            attrs.update(color="red", penwidth="2.5", fontcolor="#990000",
                         tooltip="\n".join(problems_of[lay.Name]))
        dot.node(node, _label(lay), **attrs)
        if group is not None:
            groups.setdefault(group, []).append(node)
        if lay.Name in notes_of and notes:  # one note per problem, beside its first layer
            note = _unique(f"{node} problems", taken)
            dot.node(note, _note_label(notes_of[lay.Name]), shape="note", style="filled",
                     fillcolor="#fdecea", color="#cc0000", fontcolor="#990000", fontsize="9",
                     margin="0.1,0.05", tooltip="\n".join(notes_of[lay.Name]))
            note_edges.append((node, note))
            groups.setdefault(group if group is not None else ("note", node), []).extend(
                [node, note] if group is None else [note])
    for key, members in groups.items():
        with dot.subgraph(name=f"line{key + 1}" if isinstance(key, int) else None) as sub:
            sub.attr(rank="same")
            for node in members:
                sub.node(node)
    for s, sp, d, dp in g.edges():
        src, dst = g.layer(s), g.layer(d)
        parts = []
        many_out, many_in = len(src.outputs) > 1, len(dst.inputs) > 1
        if many_out and many_in:
            parts.append(sp if sp == dp else f"{sp} \u2192 {dp}")
        elif many_out or many_in:
            parts.append(sp if many_out else dp)
        if show_sizes and analysis is not None:
            act = analysis.activation(s, sp)
            if act is not None and act.fmt:
                parts.append(str(act))
        attrs = {"tooltip": f"{s}/{sp} \u2192 {d}/{dp}"}
        if parts:
            attrs["label"] = "\n".join(parts)
        if sp == "miniBatchSize":
            attrs.update(style="dashed")
        if lines is not None and lines[s] != lines[d]:
            attrs["weight"] = "0"  # a line's end does not pull the next line's start
        dot.edge(ids[s], ids[d], **attrs)
    if lines is not None:  # the lines' starts one under another (or side by side)
        firsts = {}
        for n in g.nx_graph:
            firsts.setdefault(lines[n], n)
        starts = sorted(firsts.values(), key=lines.get)
        for a, b in zip(starts, starts[1:]):
            dot.edge(ids[a], ids[b], style="invis", weight="100")
    for node, note in note_edges:
        dot.edge(node, note, style="dashed", color="#cc0000", arrowhead="none",
                 tooltip="problem")
    if general:
        dot.attr(label="Problems:\n" + "\n".join(general), labelloc="b", fontcolor="red",
                 fontname="Helvetica", fontsize="10")
    return dot


def _wrap_length(wrap, rankdir: str) -> int | None:
    """Most layers per row/column, or None for no wrapping."""
    if isinstance(wrap, str):
        if wrap.lower() != "auto":
            raise LayerGraphError(f"wrap must be 'auto', a number of layers (2 or more) or "
                                  f"None, got {wrap!r}")
        return WRAP.get(rankdir)
    if wrap is None or wrap is False or wrap == 0:
        return None
    if isinstance(wrap, bool) or not isinstance(wrap, int) or wrap < 2:
        raise LayerGraphError(f"wrap must be 'auto', a number of layers (2 or more) or None, "
                              f"got {wrap!r}")
    if rankdir not in ("LR", "TB"):
        raise LayerGraphError(f"wrap works with rankdir 'LR' and 'TB', not {rankdir!r}; "
                              "use wrap=None")
    return wrap


def _lines(g, per_line: int) -> dict | None:
    """{layer name: row (or column) number} for a chain deeper than ``per_line`` layers; None
    when it fits, when some depth holds several layers (parallel branches: rows of equal rank
    would scramble them) or when the graph has a cycle.

    A layer's depth is its distance from the inputs (connections that skip ahead, like
    fold -> unfold's miniBatchSize, are allowed); the depths are cut into lines of equal length
    (give or take one), each at most ``per_line`` deep. Linear in the graph's size.
    """
    G = g.nx_graph
    try:
        order = list(nx.topological_sort(G))
    except nx.NetworkXUnfeasible:
        return None
    depth = {}
    for n in order:
        depth[n] = max((depth[p] + 1 for p in G.pred[n]), default=0)
    levels = max(depth.values(), default=-1) + 1
    if levels <= per_line or levels != len(depth):
        return None
    count = math.ceil(levels / per_line)  # lines of equal length, give or take one layer
    return {n: d * count // levels for n, d in depth.items()}


def _note_label(messages) -> str:
    """Problem messages as a left-aligned text block (graphviz's '\\l' line ends)."""
    lines = []
    for m in messages:
        lines += textwrap.wrap(m, NOTE_WIDTH) or [""]
    return "".join(line.replace("\\", "\\\\") + "\\l" for line in lines)


def _unique(name: str, taken: set) -> str:
    while name in taken:
        name += "_"
    taken.add(name)
    return name


def _node_ids(g) -> dict:
    """DOT node ids: the layer names (graphviz quotes them), except where a ':' would be read as
    a port."""
    return {lay.Name: lay.Name if ":" not in lay.Name else f"layer{i + 1}"
            for i, lay in enumerate(g.Layers)}


def to_dot(graph, **kwargs) -> str:
    """The DOT source of the diagram (needs no Graphviz binaries); see :func:`to_digraph`."""
    return to_digraph(graph, **kwargs).source


def _pipe(dot, fmt: str) -> bytes:
    import graphviz

    try:
        return dot.pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise LayerGraphError(INSTALL_HINT.format(fmt=fmt.upper())) from None


def to_svg(graph, **kwargs) -> str:
    """The diagram as SVG text (needs Graphviz's ``dot``)."""
    return _pipe(to_digraph(graph, **kwargs), "svg").decode("utf-8")


provide("to_svg", to_svg, "layergraph.render")


def render(graph, path, format: str | None = None, rankdir: str = "TB",
           show_sizes: bool = False, highlight: bool = True, wrap="auto",
           notes: bool = True) -> Path:
    """Draw the network to ``path``; the format is ``format`` or the file extension.

    Formats: dot (DOT source), svg, png, pdf. Returns the path written. Without Graphviz's
    ``dot`` program the DOT source is written next to ``path`` (``.dot``) and a LayerGraphError
    says how to install Graphviz.
    """
    path = Path(path)
    fmt = (format or path.suffix.lstrip(".") or "svg").lower()
    if fmt == "gv":
        fmt = "dot"
    if fmt not in FORMATS:
        raise LayerGraphError(f"cannot render to '{path}': unknown format '{fmt}'; use one of "
                              f"{', '.join('.' + f for f in FORMATS)}")
    dot = to_digraph(graph, rankdir=rankdir, show_sizes=show_sizes, highlight=highlight,
                     wrap=wrap, notes=notes)
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "dot":
        path.write_text(dot.source, encoding="utf-8")
        return path
    try:
        data = _pipe(dot, fmt)
    except LayerGraphError as exc:
        dot_path = path.with_suffix(".dot")
        dot_path.write_text(dot.source, encoding="utf-8")
        raise LayerGraphError(f"{exc}. The DOT source was written to {dot_path}.") from None
    path.write_bytes(data)
    return path


def plot(graph, path=None, **kwargs):
    """MATLAB's ``plot(lgraph)``: writes ``path`` when given, else returns an SVG-displaying
    object (shown inline in Jupyter)."""
    if path is not None:
        return render(graph, path, **kwargs)
    return to_digraph(graph, **kwargs)
