"""MATLAB's figures on matplotlib, headless (Agg unless MPLBACKEND says otherwise), saved
as PNG files when the program ends."""

from __future__ import annotations

import os

import numpy as np

from .values import Cell, _is_layers, categorical

# --- figures --------------------------------------------------------------------------------------

_STATE = {"hold": False, "figures_dir": None}


def start(params):
    """Set up a run: figures headless (Agg) unless MPLBACKEND says otherwise."""
    _STATE["figures_dir"] = params.get("FIGURES_DIR")
    _STATE["hold"] = False
    _plt()


def _plt():
    import matplotlib

    if not os.environ.get("MPLBACKEND"):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def finish(params, stem="figure"):
    """Save every open figure as PNG in FIGURES_DIR (``plt.show()`` when the backend is
    interactive); returns the paths written."""
    plt = _plt()
    written = []
    folder = params.get("FIGURES_DIR")
    numbers = plt.get_fignums()
    if folder and numbers:
        os.makedirs(folder, exist_ok=True)
        for n in numbers:
            path = os.path.join(folder, f"{stem}{n}.png")
            plt.figure(n).savefig(path, bbox_inches="tight")
            written.append(path)
        print(f"saved {len(written)} figure(s) in {folder}")
    if plt.get_backend().lower() != "agg":  # pragma: no cover (interactive)
        plt.show()
    plt.close("all")
    return written


def figure(*args):
    _STATE["hold"] = False
    _plt().figure()


def _axes():
    return _plt().gca()


def _style(args):
    """MATLAB plot arguments: data, an optional LineSpec, then name-value pairs."""
    data, spec, kw = [], None, {}
    names = {"linewidth": "linewidth", "color": "color", "markersize": "markersize",
             "displayname": "label", "linestyle": "linestyle", "marker": "marker"}
    k = 0
    while k < len(args):
        a = args[k]
        if isinstance(a, str) and a.lower() in names and k + 1 < len(args):
            v = args[k + 1]
            kw[names[a.lower()]] = v if not isinstance(v, np.ndarray) else v.ravel()
            k += 2
            continue
        if isinstance(a, str):
            spec = a
        else:
            data.append(a)
        k += 1
    return data, spec, kw


def _columns(y):
    a = np.asarray(y, dtype=float)
    a = a.reshape(-1, 1) if a.ndim < 2 else a
    return a.T if a.shape[0] == 1 else a  # a vector is one line


def plot(*args):
    """MATLAB's plot: ``plot(y)``, ``plot(x, y)``, LineSpec and name-values; a matrix gives a
    line per column. ``plot(lgraph)`` draws the network (layergraph's plot)."""
    if args and (_is_layers(args[0]) or hasattr(args[0], "Layers") and not isinstance(
            args[0], np.ndarray)):
        return plot_network(args[0])
    ax = _axes()
    if not _STATE["hold"]:
        ax.cla()
    data, spec, kw = _style(args)
    if len(data) == 1:
        y = _columns(data[0])
        x = np.arange(1, y.shape[0] + 1)
    else:
        xs = np.asarray(data[0], dtype=float).ravel()
        y = _columns(data[1])
        x = xs
    ax.plot(x, y, *([spec] if spec else []), **kw)


def plot_network(net):
    """``plot(lgraph)``: the network drawn (SVG; DOT source without Graphviz) in FIGURES_DIR."""
    from ...render import render

    folder = _STATE["figures_dir"] or "."
    os.makedirs(folder, exist_ok=True)
    graph = getattr(net, "graph", net)
    try:
        path = render(graph, os.path.join(folder, "network.svg"))
    except Exception:  # no Graphviz: the DOT source is what can be written
        path = render(graph, os.path.join(folder, "network.dot"))
    print(f"drew the network: {path}")


def bar(*args):
    ax = _axes()
    if not _STATE["hold"]:
        ax.cla()
    data, _, kw = _style(args)
    y = np.asarray(data[-1], dtype=float).ravel()
    x = np.asarray(data[0], dtype=float).ravel() if len(data) > 1 else np.arange(1, y.size + 1)
    ax.bar(x, y, **kw)


def stem(*args):
    ax = _axes()
    if not _STATE["hold"]:
        ax.cla()
    data, _, _ = _style(args)
    y = np.asarray(data[-1], dtype=float).ravel()
    x = np.asarray(data[0], dtype=float).ravel() if len(data) > 1 else np.arange(1, y.size + 1)
    ax.stem(x, y)


def histogram(x, *args):
    ax = _axes()
    if not _STATE["hold"]:
        ax.cla()
    bins = int(args[0]) if args and not isinstance(args[0], str) else "auto"
    ax.hist(np.asarray(x, dtype=float).ravel(), bins=bins)


def confusionchart(trueLabels, predictedLabels, *options):
    """MATLAB's confusion chart: the counts of each true class (rows) predicted as each class
    (columns), drawn with the counts written in; returns the counts (MATLAB returns the
    chart). A 'Title' option is the chart's title."""
    t, p = categorical(trueLabels), categorical(predictedLabels)
    cats = list(dict.fromkeys(t.cats + p.cats))
    where = {c: k for k, c in enumerate(cats)}
    counts = np.zeros((len(cats), len(cats)))
    for a, b in zip(t.labels().ravel(order="F"), p.labels().ravel(order="F")):
        if a in where and b in where:
            counts[where[a], where[b]] += 1
    ax = _axes()
    ax.cla()
    ax.imshow(counts, cmap="Blues")
    for i in range(len(cats)):
        for j in range(len(cats)):
            if counts[i, j]:
                ax.text(j, i, int(counts[i, j]), ha="center", va="center")
    ax.set_xticks(range(len(cats)), cats)
    ax.set_yticks(range(len(cats)), cats)
    ax.set_xlabel("Predicted Class")
    ax.set_ylabel("True Class")
    for k in range(0, len(options) - 1, 2):
        if str(options[k]).lower() == "title":
            ax.set_title(str(options[k + 1]))
    return counts


def scatter(x, y, *args):
    ax = _axes()
    if not _STATE["hold"]:
        ax.cla()
    ax.scatter(np.asarray(x, dtype=float).ravel(), np.asarray(y, dtype=float).ravel())


def tiledlayout(m, n, *args):
    """``tiledlayout(m, n)``: the next ``nexttile`` calls fill an m-by-n grid, row by row."""
    _plt().figure()
    _STATE["tiles"] = [int(m), int(n), 0]


def nexttile(*args):
    tiles = _STATE.get("tiles") or [1, 1, 0]
    tiles[2] = tiles[2] % (tiles[0] * tiles[1]) + 1
    _STATE["tiles"] = tiles
    subplot(*tiles)


def hold(state="on"):
    _STATE["hold"] = str(state).lower() == "on"


def subplot(m, n, p):
    _STATE["hold"] = False
    _plt().subplot(int(m), int(n), int(p))


def xlabel(text, *args):
    _axes().set_xlabel(_text_arg(text))


def ylabel(text, *args):
    _axes().set_ylabel(_text_arg(text))


def title(text, *args):
    _axes().set_title(_text_arg(text))


def _text_arg(t):
    if isinstance(t, np.ndarray) or isinstance(t, Cell):
        return "\n".join(str(v) for v in (t if isinstance(t, Cell) else t.ravel()))
    return str(t)


_LOCATIONS = {"north": "upper center", "south": "lower center", "east": "center right",
              "west": "center left", "northeast": "upper right", "northwest": "upper left",
              "southeast": "lower right", "southwest": "lower left", "best": "best"}


def legend(*args):
    """``legend(names...)`` / ``legend(stringArray)``; 'Location' (an ...outside location is
    drawn just outside the axes)."""
    names, kw, k = [], {}, 0
    while k < len(args):
        a = args[k]
        if isinstance(a, str) and a.lower() == "location" and k + 1 < len(args):
            loc = str(args[k + 1]).lower()
            if loc.endswith("outside"):
                kw.update(loc="upper left", bbox_to_anchor=(1.02, 1))
            else:
                kw["loc"] = _LOCATIONS.get(loc, "best")
            k += 2
            continue
        if isinstance(a, (np.ndarray, Cell)):
            names.extend(str(v) for v in (a if isinstance(a, Cell) else a.ravel()))
        elif isinstance(a, str) and a.lower() not in ("off", "on", "show", "hide"):
            names.append(a)
        k += 1
    _axes().legend(names or None, **kw) if names else _axes().legend(**kw)


def grid(state="on"):
    _axes().grid(str(state).lower() != "off")


def xlim(lim):
    _axes().set_xlim(*np.ravel(lim)[:2])


def ylim(lim):
    _axes().set_ylim(*np.ravel(lim)[:2])


def axis(*args):
    if args and not isinstance(args[0], str):
        lim = np.ravel(args[0])
        _axes().set_xlim(*lim[:2])
        if lim.size >= 4:
            _axes().set_ylim(*lim[2:4])
