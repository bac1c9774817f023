"""addLayers / connectLayers keep MATLAB's value semantics without copying the graph per call:
the old graph never changes, whatever is done to the new one (or to the old one) afterwards, and
a loop of ``lgraph = addLayers(lgraph, layer)`` copies each layer once (counted, not timed)."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import layergraph.graph as graph_module
from layergraph import (
    GraphError,
    addLayers,
    connectLayers,
    disconnectLayers,
    fullyConnectedLayer,
    layerGraph,
    regressionLayer,
    reluLayer,
    sequenceInputLayer,
)


def chain_of_versions(n):
    versions = [layerGraph(sequenceInputLayer(3, Name="in"))]
    for i in range(n):
        versions.append(addLayers(versions[-1], reluLayer(Name=f"r{i}")))
        prev = "in" if i == 0 else f"r{i - 1}"
        versions.append(connectLayers(versions[-1], prev, f"r{i}"))
    return versions


def expected(k):
    """Layer names and connections of version k of chain_of_versions."""
    added, connected = (k + 1) // 2, k // 2
    names = ["in", *(f"r{i}" for i in range(added))]
    conns = [("in" if i == 0 else f"r{i - 1}", f"r{i}") for i in range(connected)]
    return names, conns


@pytest.mark.parametrize("order", ["oldest first", "newest first", "shuffled"])
def test_every_version_keeps_its_own_layers_and_connections(order):
    versions = chain_of_versions(15)
    ks = list(range(len(versions)))
    if order == "newest first":
        ks.reverse()
    elif order == "shuffled":
        np.random.default_rng(0).shuffle(ks)
    for k in ks:
        names, conns = expected(k)
        assert [lay.Name for lay in versions[k].Layers] == names, k
        assert versions[k].Connections == conns, k


def test_a_loop_of_add_layers_copies_each_layer_once(monkeypatch):
    count = 0
    real = graph_module._copy_layer

    def counted(layer):
        nonlocal count
        count += 1
        return real(layer)

    monkeypatch.setattr(graph_module, "_copy_layer", counted)
    lgraph = layerGraph(sequenceInputLayer(3, Name="in"))
    n = 300
    for i in range(n):
        lgraph = addLayers(lgraph, reluLayer(Name=f"r{i}"))
        lgraph = connectLayers(lgraph, "in" if i == 0 else f"r{i - 1}", f"r{i}")
    assert len(lgraph) == n + 1 and len(lgraph.edges()) == n
    assert count <= 2 * n, f"{count} layer copies for {n} addLayers calls"  # was n*(n+1)/2


def test_keeping_the_first_graph_stays_linear_and_it_does_not_change(monkeypatch):
    count = 0
    real = graph_module._copy_layer

    def counted(layer):
        nonlocal count
        count += 1
        return real(layer)

    monkeypatch.setattr(graph_module, "_copy_layer", counted)
    base = layerGraph(sequenceInputLayer(3, Name="in"))
    lgraph = base
    for i in range(300):
        lgraph = addLayers(lgraph, reluLayer(Name=f"r{i}"))
    assert count <= 2 * 300
    assert [lay.Name for lay in base.Layers] == ["in"]  # rebuilt once, from the newest
    assert len(lgraph) == 301


def test_changing_a_layer_of_the_new_graph_in_place_leaves_the_old_one():
    old = layerGraph([sequenceInputLayer(3, Name="in"), fullyConnectedLayer(2, Name="fc")])
    new = addLayers(old, regressionLayer(Name="out"))
    new.layer("fc").Weights = np.ones((2, 3))
    new.connectLayers("fc", "out")
    assert old.layer("fc").Weights is None or not np.any(old.layer("fc").Weights)
    assert "out" not in [lay.Name for lay in old.Layers] and len(old.edges()) == 1
    assert np.all(new.layer("fc").Weights == 1)


def test_editing_the_old_graph_in_place_leaves_the_new_one():
    old = layerGraph(sequenceInputLayer(3, Name="in"))
    new = addLayers(old, reluLayer(Name="r"))
    old.addLayers(fullyConnectedLayer(2, Name="fc"), connect=False)
    old.connectLayers("in", "fc")
    assert [lay.Name for lay in new.Layers] == ["in", "r"] and new.edges() == []
    assert [lay.Name for lay in old.Layers] == ["in", "fc"]
    newer = connectLayers(new, "in", "r")
    assert new.edges() == [] and len(newer.edges()) == 1


@pytest.mark.parametrize("bad", [
    lambda g: addLayers(g, reluLayer(Name="in")),  # a name already there
    lambda g: addLayers(g, [reluLayer(Name="a"), regressionLayer(Name="o"), reluLayer()]),
    lambda g: connectLayers(g, "in", "nothere"),
    lambda g: connectLayers(g, "in", "r"),  # r's input is taken
])
def test_a_refused_edit_changes_neither_graph(bad):
    g = connectLayers(addLayers(layerGraph(sequenceInputLayer(3, Name="in")),
                                reluLayer(Name="r")), "in", "r")
    before = (list(map(repr, g.Layers)), g.Connections)
    with pytest.raises(GraphError):
        bad(g)
    assert (list(map(repr, g.Layers)), g.Connections) == before
    assert len(addLayers(g, reluLayer(Name="s"))) == 3  # and it is still usable


def test_old_versions_copy_pickle_and_compare():
    versions = chain_of_versions(4)
    old = versions[3]
    for clone in (copy.deepcopy(old), pickle.loads(pickle.dumps(old)), old.copy()):
        assert clone == old and clone is not old
        assert [lay.Name for lay in clone.Layers] == expected(3)[0]
    assert versions[-1] == versions[-1].copy()
    assert disconnectLayers(versions[-1], "in", "r0").Connections == expected(8)[1][1:]
    assert versions[-1].Connections == expected(8)[1]


def test_unnamed_layers_added_one_at_a_time_are_named_as_before():
    g = layerGraph(fullyConnectedLayer(2))
    for _ in range(4):
        g = addLayers(g, fullyConnectedLayer(2))
    assert [lay.Name for lay in g.Layers] == ["fc", "fc_1", "fc_2", "fc_3", "fc_4"]
    g.removeLayers("fc_2")  # free again: the next unnamed one takes it, as before
    g = addLayers(g, fullyConnectedLayer(2))
    assert [lay.Name for lay in g.Layers][-1] == "fc_2"
    g = addLayers(g, [fullyConnectedLayer(2, Name="fc_5"), fullyConnectedLayer(2)])
    assert [lay.Name for lay in g.Layers][-2:] == ["fc_5", "fc_6"]


def test_layers_and_the_nx_graph_handed_out_before_an_edit_stay_the_old_graphs():
    old = layerGraph([sequenceInputLayer(3, Name="in"), fullyConnectedLayer(2, Name="fc")])
    lay, G = old.layer("fc"), old.nx_graph
    new = addLayers(old, regressionLayer(Name="out"))
    new = connectLayers(new, "fc", "out")
    lay.Weights = np.ones((2, 3))  # the old graph's layer, changed in place
    assert len(G) == 2 and G.number_of_edges() == 1  # the old graph's nx graph is not the new one
    assert old.layer("fc") is lay and np.all(old.layer("fc").Weights == 1)
    w = new.layer("fc").Weights
    assert w is None or not np.any(w == 1)
