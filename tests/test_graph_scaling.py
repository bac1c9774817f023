"""Graph building, analysis and drawing grow linearly with the number of layers.

No test here measures time (CI machines are noisy). Growth is measured by counting the Python
and C function calls a step makes (``sys.setprofile``), which is deterministic: a step that
rescans all connections for every layer makes about 100 times the calls for 10 times the
layers; a linear one about 10 times. benchmarks/bench_graph.py times the same steps.
"""

from __future__ import annotations

import copy
import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from layergraph import (
    analyze,
    fullyConnectedLayer,
    gruLayer,
    layerGraph,
    regressionLayer,
    sequenceInputLayer,
)
from layergraph.analysis import MAX_CYCLES_LISTED
from layergraph.render import to_dot

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_graph.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_graph", BENCH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


bench = _bench()


def calls(fn) -> int:
    """How many function calls (Python and C) ``fn()`` makes."""
    count = 0

    def profile(frame, event, arg):
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    old = sys.getprofile()
    sys.setprofile(profile)
    try:
        fn()
    finally:
        sys.setprofile(old)
    return count


STEPS = {
    "layerGraph": lambda net: layerGraph(net),
    "copy": lambda net: layerGraph(net).copy(),
    "analyze": lambda net: analyze(net),
    "to_dot with sizes": lambda net: to_dot(net, show_sizes=True),
    "addLayers loop": lambda net: bench.add_loop(net if isinstance(net, list) else net.Layers),
}


@pytest.mark.parametrize("kind", ["chain", "wide"])
@pytest.mark.parametrize("step", list(STEPS))
def test_work_grows_linearly(kind, step):
    build = bench.chain if kind == "chain" else bench.wide
    small, large = build(100), build(1000)
    ratio = calls(lambda: STEPS[step](large)) / calls(lambda: STEPS[step](small))
    assert ratio <= 12, f"{step} on a {kind}: 10x the layers made {ratio:.1f}x the calls"


def test_smoke_benchmark_prints_the_table(capsys):
    text = bench.main(["--smoke"])
    assert capsys.readouterr().out.strip() == text.strip()
    lines = text.splitlines()
    assert lines[0].split()[:3] == ["network", "layers", "connections"]
    rows = [line.split() for line in lines[2:]]
    assert [(r[0], r[1]) for r in rows] == [("chain", "10"), ("chain", "100"),
                                             ("wide", "10"), ("wide", "100")]
    assert rows[1][-2] != "-" and rows[3][-2] != "-"  # a ratio for each 10x step
    for r in rows:
        float(r[3]), float(r[4]), float(r[5]), float(r[6])  # four times per row


def test_benchmark_networks_are_what_they_claim():
    chain = bench.chain(20)
    result = analyze(chain)
    assert result.ok and len(result.order) == 20
    assert [type(lay).__name__ for lay in chain[1:4]] == ["FullyConnectedLayer", "ReLULayer",
                                                          "FullyConnectedLayer"]
    wide = bench.wide(22)
    result = analyze(wide)
    assert result.ok and len(wide) == 22
    fan_out = wide.nx_graph.out_degree("in")
    assert fan_out == 11  # ten side branches and the main chain, all off the one input
    assert result.report("main9").activations["out"].fmt == "CBT"


def test_copied_layers_share_no_arrays():
    fc = fullyConnectedLayer(2, Name="fc", Weights=np.ones((2, 2)), Bias=np.zeros((2, 1)))
    g = layerGraph([sequenceInputLayer(2, Name="in"), fc, regressionLayer(Name="out")])
    copied = g.layer("fc")
    assert copied == fc and copied is not fc
    copied.Weights[0, 0] = 5.0
    assert fc.Weights[0, 0] == 1.0
    g2 = g.copy()
    assert g2 == g and g2.layer("fc") is not copied
    g2.layer("fc").Weights[1, 1] = 7.0
    assert copied.Weights[1, 1] == 1.0
    assert g2.Connections == g.Connections
    assert copy.deepcopy(g) == g


def test_report_is_a_lookup_and_names_unknown_layers():
    result = analyze(bench.chain(6))
    name = result.order[2]
    assert result.report(name).name == name
    assert result.activation(name, "out") is result.report(name).activations["out"]
    assert result.activation("nope", "out") is None
    with pytest.raises(KeyError, match="'nope'"):
        result.report("nope")


def test_many_cycles_are_listed_up_to_a_limit():
    """Listing every cycle of a tangled graph can take exponential time: the first ones are
    listed, then one problem names every layer on a cycle."""
    n = MAX_CYCLES_LISTED + 5
    g = layerGraph([sequenceInputLayer(4, Name="in"),
                    *(gruLayer(4, HasStateInputs=True, Name=f"g{i}") for i in range(n)),
                    regressionLayer(Name="out")])
    for i in range(n - 1):  # g(i+1) feeds g(i)'s state: n-1 two-layer loops
        g.connectLayers(f"g{i + 1}", f"g{i}/hidden")
    result = analyze(g)
    cycles = result.problems_of("cycle")
    assert len(cycles) == MAX_CYCLES_LISTED + 1
    assert all(len(p.layers) == 2 for p in cycles[:-1])
    last = cycles[-1]
    assert set(last.layers) == {f"g{i}" for i in range(n)}
    assert f"more than {MAX_CYCLES_LISTED} cycles" in last.message
    assert {p.layers for p in result.problems_of("unconnected-input")} == {(f"g{n - 1}",)}


def test_sources_of_an_unknown_layer_names_the_layers():
    from layergraph import GraphError

    g = layerGraph(bench.chain(4))
    name = g.Layers[1].Name
    assert g.sources(name) == {"in": (g.Layers[0].Name, "out")}
    with pytest.raises(GraphError, match="no layer named 'nope'"):
        g.sources("nope")
