"""How analysis and compilation scale with the number of layers.

Not a test (CI runs only ``--smoke``, which checks that the table is produced and that the
analyses are right, never the times). Each size is timed in four steps, best of ``--repeat``:

  layerGraph  ``layerGraph(layers)``: copies every layer and connects the chain
  analyze     ``analyze(layers)``: the graph plus formats, sizes and problems (what
              ``analyzeNetwork`` does before it prints)
  compile     ``CompiledNetwork(analysis)``: one torch module per layer, in topological order
  assemble    ``assembleNetwork(layers)``: graph, copy, analysis and compilation together
  addLayers loop  ``lgraph = addLayers(lgraph, layer)`` once per layer, MATLAB's value
              semantics (each call returns a new graph; the old one must not change)

and ``ratio`` is assemble(10N) / assemble(N) (the analyze ratio is printed next to it): about 10
means linear, about 100 quadratic. Times include Python's garbage collector, whose full passes
cost in proportion to everything alive (torch included) and make single runs noisy; ``--no-gc``
pauses it while timing, as ``timeit`` does.

Networks (N = the number of layers in the array, input and output layers included):

  chain  sequenceInputLayer(4) -> fullyConnectedLayer(4) -> reluLayer -> fullyConnectedLayer(4)
         -> reluLayer -> ... -> regressionLayer, weights set, no problems.
  wide   one sequenceInputLayer fanning out to (N-2)/2 parallel branches: a main chain of
         gruLayer(4, HasStateInputs=true) layers, each taking its sequence from the previous
         one and its initial hidden state from its own side branch, a gruLayer(4, 'last') fed by
         the input layer directly; then a regressionLayer. There is no addition or
         concatenation layer yet, so the state inputs are the merge points: the input layer has
         (N-2)/2 + 1 outgoing connections and the graph has about 1.5 N connections. No problems.

    python benchmarks/bench_graph.py             # N = 10, 100, 1,000, 10,000
    python benchmarks/bench_graph.py --smoke     # N = 10, 100 (a few seconds)
    python benchmarks/bench_graph.py --sizes 100 1000 3000 --repeat 1
    python benchmarks/bench_graph.py --no-gc     # the algorithm alone
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from layergraph import (  # noqa: E402
    addLayers,
    analyze,
    assembleNetwork,
    fullyConnectedLayer,
    gruLayer,
    layerGraph,
    regressionLayer,
    reluLayer,
    sequenceInputLayer,
)
from layergraph.network import CompiledNetwork  # noqa: E402

WIDTH = 4


def chain(n: int) -> list:
    """An n-layer array: input, alternating fullyConnected / relu, regression output."""
    hidden = [fullyConnectedLayer(WIDTH) if i % 2 == 0 else reluLayer() for i in range(n - 2)]
    return [sequenceInputLayer(WIDTH), *hidden, regressionLayer()]


def wide(n: int):
    """A LayerGraph of about n layers: (n-2)/2 side branches off one input merging into a chain of
    state-input GRUs."""
    k = max((n - 2) // 2, 1)
    g = layerGraph([sequenceInputLayer(WIDTH, Name="in"),
                    *(gruLayer(WIDTH, HasStateInputs=True, Name=f"main{i}") for i in range(k)),
                    regressionLayer(Name="out")])
    for i in range(k):
        g.addLayers(gruLayer(WIDTH, OutputMode="last", Name=f"side{i}"), connect=False)
        g.connectLayers("in", f"side{i}")
        g.connectLayers(f"side{i}", f"main{i}/hidden")
    return g


def with_weights(layers_or_graph):
    """The layers (for a chain) or the graph (for wide) with every learnable initialized."""
    result = analyze(layers_or_graph)
    assert result.ok, result.problems
    rng = np.random.default_rng(0)
    for name in result.order:
        result.graph.layer(name).initialize(result.inputs[name], rng)
    return result.graph.Layers if isinstance(layers_or_graph, list) else result.graph


def add_loop(layers):
    """MATLAB's loop: ``lgraph = addLayers(lgraph, layer)`` for each layer (no connections)."""
    lgraph = layerGraph()
    for lay in layers:
        lgraph = addLayers(lgraph, lay)
    return lgraph


def best(fn, repeat, collect=True):
    """(fastest time, result) of ``repeat`` calls; ``collect=False`` pauses Python's cyclic
    garbage collector during each call, as ``timeit`` does."""
    times, out = [], None
    for _ in range(repeat):
        out = None
        gc.collect()
        if not collect:
            gc.disable()
        try:
            t0 = time.perf_counter()
            out = fn()
            times.append(time.perf_counter() - t0)
        finally:
            gc.enable()
    return min(times), out


def measure(kind: str, n: int, repeat: int, collect: bool = True) -> dict:
    net = with_weights(chain(n) if kind == "chain" else wide(n))
    t_graph, g = best(lambda: layerGraph(net), repeat, collect)
    t_analyze, result = best(lambda: analyze(net), repeat, collect)
    t_compile, module = best(lambda: CompiledNetwork(result), repeat, collect)
    t_assemble, assembled = best(lambda: assembleNetwork(net, "cpu"), repeat, collect)
    layers_of = net if isinstance(net, list) else net.Layers
    t_loop, looped = best(lambda: add_loop(layers_of), repeat, collect)
    assert len(looped) == len(layers_of)
    # The analyses must be right, whatever the times.
    layers = len(g)
    assert result.ok, result.problems[:3]
    assert len(result.order) == layers == len(assembled.Layers)
    assert len(module.plan) == layers - 1  # all but the output layer
    first, last = result.order[0], result.order[-1]
    assert g.layer(first).category == "input" and g.layer(last).is_output_layer
    assert str(result.report(last).learnables) == "{}"
    return {"kind": kind, "layers": layers, "connections": g.nx_graph.number_of_edges(),
            "layerGraph": t_graph, "analyze": t_analyze, "compile": t_compile,
            "assemble": t_assemble, "addLayers loop": t_loop}


def table(rows) -> str:
    head = ("network", "layers", "connections", "layerGraph s", "analyze s", "compile s",
            "assemble s", "ratio (analyze)", "addLayers loop s")
    lines = [head]
    prev = {}
    for r in rows:
        p = prev.get(r["kind"])
        ratio = "-"
        if p is not None and r["layers"] >= 5 * p["layers"]:
            ratio = (f"{r['assemble'] / p['assemble']:.1f} "
                     f"({r['analyze'] / p['analyze']:.1f})")
        lines.append((r["kind"], f"{r['layers']:,}", f"{r['connections']:,}",
                      f"{r['layerGraph']:.4f}", f"{r['analyze']:.4f}", f"{r['compile']:.4f}",
                      f"{r['assemble']:.4f}", ratio, f"{r['addLayers loop']:.4f}"))
        prev[r["kind"]] = r
    widths = [max(len(line[c]) for line in lines) for c in range(len(head))]
    out = ["  ".join(cell.rjust(w) for cell, w in zip(line, widths)) for line in lines]
    out.insert(1, "-" * len(out[0]))
    return "\n".join(out)


def main(argv=None) -> str:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--smoke", action="store_true", help="N = 10, 100 only (a few seconds)")
    ap.add_argument("--sizes", type=int, nargs="+", default=None)
    ap.add_argument("--repeat", type=int, default=None, help="best of this many (default 3)")
    ap.add_argument("--kinds", nargs="+", default=["chain", "wide"], choices=["chain", "wide"])
    ap.add_argument("--no-gc", action="store_true",
                    help="pause the garbage collector while timing (as timeit does): separates "
                         "the algorithm's growth from the collector's full passes")
    args = ap.parse_args(argv)
    sizes = args.sizes or ([10, 100] if args.smoke else [10, 100, 1000, 10000])
    repeat = args.repeat or (1 if args.smoke else 3)
    rows = []
    for kind in args.kinds:
        for n in sizes:
            rows.append(measure(kind, n, repeat, collect=not args.no_gc))
    text = table(rows)
    print(text)
    return text


if __name__ == "__main__":
    main()
