"""Network diagrams with graphviz, like MATLAB's ``plot(lgraph)`` and ``analyzeNetwork``'s graph.

One node per layer shows its name (bold), its type and its key options; edges carry the port
names where a layer has several ports (``fold/miniBatchSize -> unfold/miniBatchSize``) and,
optionally, the activation sizes the analysis infers (``12(C) x 1(B) x T(T)``). Layers that the
analysis finds problems with are drawn in red, with the problem as the node's tooltip.

    from layergraph.render import render, to_dot, to_svg
    render(lgraph, "net.svg")                    # .dot, .svg, .png or .pdf, by the extension
    render(lgraph, "net.png", rankdir="LR", show_sizes=True)

Building the DOT source needs only the ``graphviz`` Python package; drawing SVG/PNG/PDF needs
Graphviz's ``dot`` program. Where it is missing, :func:`render` still writes the ``.dot`` file and
raises a :class:`~layergraph.LayerGraphError` saying how to install Graphviz. In Jupyter a
``LayerGraph`` displays itself as SVG (``LayerGraph._repr_svg_`` calls :func:`to_svg`).
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np

from .analysis import analyze, as_graph
from .errors import LayerGraphError
from .graph import LayerGraph
from .services import provide

FORMATS = ("dot", "svg", "png", "pdf")

INSTALL_HINT = ("Graphviz's 'dot' program is needed to draw {fmt}; install Graphviz "
                "(apt-get install graphviz / brew install graphviz / conda install graphviz) "
                "or write DOT source with format 'dot'")

FILL = {  # node colours by what a layer does (Layer.category)
    "input": "#d9ead3", "recurrent": "#cfe2f3", "conv": "#fce5cd", "output": "#f4cccc",
    "norm": "#eeeeee", "reshape": "#fff2cc", "activation": "#ffffff", "other": "#ffffff",
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
    if hasattr(x, "graph") and isinstance(x.graph, LayerGraph):  # a Spec or analysis
        x = x.graph
    return as_graph(x)[0]


def to_digraph(graph, rankdir: str = "TB", show_sizes: bool = False, analysis=None,
               highlight: bool = True, name: str | None = None):
    """A ``graphviz.Digraph`` of the network (a LayerGraph, a layer array or a Spec).

    ``rankdir`` 'TB' draws top to bottom as MATLAB's plot(lgraph) does, 'LR' left to right.
    ``show_sizes`` labels edges with the activation sizes from the analysis. ``highlight`` draws
    layers with problems in red (the analysis is run when ``analysis`` is not given).
    """
    import graphviz

    rankdir = str(rankdir).upper()
    if rankdir not in ("TB", "LR", "BT", "RL"):
        raise LayerGraphError(f"rankdir must be 'TB' (top to bottom) or 'LR' (left to right), "
                              f"got {rankdir!r}")
    g = _as_graph(graph)
    if analysis is None and (show_sizes or highlight):
        analysis = analyze(g)
    problems_of = {}
    general = []
    if analysis is not None and highlight:
        for p in analysis.problems:
            if p.layers:
                for n in p.layers:
                    problems_of.setdefault(n, []).append(p.message)
            else:
                general.append(p.message)

    dot = graphviz.Digraph(name=name or "layergraph")
    dot.attr(rankdir=rankdir, nodesep="0.3", ranksep="0.35")
    dot.attr("node", shape="box", style="rounded,filled", fontname="Helvetica", fontsize="11",
             margin="0.15,0.06")
    dot.attr("edge", fontname="Helvetica", fontsize="9", color="#555555", arrowsize="0.7")
    ids = _node_ids(g)
    for lay in g.Layers:
        attrs = {"fillcolor": FILL.get(lay.category, FILL["other"]),
                 "tooltip": f"{lay.Name} ({lay.matlab_name})"}
        if lay.Name in problems_of:
            attrs.update(color="red", penwidth="2.5", fontcolor="#990000",
                         tooltip="\n".join(problems_of[lay.Name]))
        dot.node(ids[lay.Name], _label(lay), **attrs)
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
        dot.edge(ids[s], ids[d], **attrs)
    if general:
        dot.attr(label="Problems:\n" + "\n".join(general), labelloc="b", fontcolor="red",
                 fontname="Helvetica", fontsize="10")
    return dot


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
           show_sizes: bool = False, highlight: bool = True) -> Path:
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
    dot = to_digraph(graph, rankdir=rankdir, show_sizes=show_sizes, highlight=highlight)
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
