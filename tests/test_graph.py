"""LayerGraph edits: MATLAB's functions (value semantics) and the in-place methods."""

from __future__ import annotations

import pytest

from layergraph import (
    GraphError,
    LayerGraph,
    addLayers,
    analyze,
    bilstmLayer,
    classificationLayer,
    connectLayers,
    disconnectLayers,
    dropoutLayer,
    fullyConnectedLayer,
    gruLayer,
    layerGraph,
    lstmLayer,
    reluLayer,
    removeLayers,
    replaceLayer,
    sequenceFoldingLayer,
    sequenceInputLayer,
    sequenceUnfoldingLayer,
    softmaxLayer,
)


def names(g):
    return [lay.Name for lay in g.Layers]


def chain():
    return layerGraph([sequenceInputLayer(3, Name="in"), lstmLayer(4, Name="lstm"),
                       fullyConnectedLayer(2, Name="fc"), softmaxLayer(Name="sm"),
                       classificationLayer(Name="out")])


# --- construction and MATLAB's automatic names -------------------------------------------------

def test_layer_array_becomes_a_chain_with_matlab_names():
    g = layerGraph([sequenceInputLayer(3), lstmLayer(4), fullyConnectedLayer(5),
                    fullyConnectedLayer(2), softmaxLayer(), classificationLayer()])
    assert names(g) == ["sequenceinput", "lstm", "fc_1", "fc_2", "softmax", "classoutput"]
    assert g.Connections == [("sequenceinput", "lstm"), ("lstm", "fc_1"), ("fc_1", "fc_2"),
                             ("fc_2", "softmax"), ("softmax", "classoutput")]
    assert g.InputNames == ["sequenceinput"] and g.OutputNames == ["classoutput"]


def test_given_names_are_kept_and_auto_names_avoid_them():
    g = layerGraph([sequenceInputLayer(3), fullyConnectedLayer(2, Name="fc_1"),
                    fullyConnectedLayer(2), fullyConnectedLayer(2)])
    assert names(g) == ["sequenceinput", "fc_1", "fc_2", "fc_3"]
    g = layerGraph([sequenceInputLayer(3), fullyConnectedLayer(2, Name="fc"),
                    fullyConnectedLayer(2)])
    assert names(g) == ["sequenceinput", "fc", "fc_1"]


def test_layers_are_copied_into_the_graph():
    lstm = lstmLayer(4)
    g = layerGraph([sequenceInputLayer(3), lstm])
    assert lstm.Name == ""  # the caller's layer is not renamed
    lstm.NumHiddenUnits = 9
    assert g.layer("lstm").NumHiddenUnits == 4


def test_duplicate_names_in_an_array_are_an_error():
    with pytest.raises(GraphError, match="'a'"):
        layerGraph([sequenceInputLayer(3, Name="a"), lstmLayer(4, Name="a")])


def test_empty_graph_and_copy_of_a_graph():
    assert len(layerGraph()) == 0
    g = chain()
    h = layerGraph(g)
    assert h == g and h is not g
    h.removeLayers("sm")
    assert "sm" in names(g)


def test_non_layer_in_an_array():
    with pytest.raises(GraphError, match="element 2"):
        layerGraph([sequenceInputLayer(3), "lstm"])


# --- addLayers ------------------------------------------------------------------------------------

def test_addLayers_value_semantics_and_chaining():
    g = layerGraph(sequenceInputLayer(3, Name="in"))
    g2 = addLayers(g, [lstmLayer(4), fullyConnectedLayer(2)])
    assert names(g) == ["in"]  # unchanged
    assert names(g2) == ["in", "lstm", "fc"]
    assert g2.Connections == [("lstm", "fc")]  # the array is chained, not attached
    g3 = connectLayers(g2, "in", "lstm")
    assert ("in", "lstm") in g3.Connections and ("in", "lstm") not in g2.Connections


def test_addLayers_name_clash():
    g = chain()
    with pytest.raises(GraphError, match="'fc'.*already"):
        g.addLayers(fullyConnectedLayer(2, Name="fc"))
    g.addLayers(fullyConnectedLayer(2))  # unnamed: gets a fresh name
    assert names(g)[-1] == "fc_1"


def test_method_edits_in_place_and_returns_the_graph():
    g = layerGraph(sequenceInputLayer(3, Name="in"))
    r = g.addLayers(lstmLayer(4, Name="lstm")).connectLayers("in", "lstm")
    assert r is g
    assert g.Connections == [("in", "lstm")]


# --- connectLayers --------------------------------------------------------------------------------

def folding_graph():
    return layerGraph([sequenceInputLayer([8, 8, 1], Name="in"), sequenceFoldingLayer(Name="fold"),
                       reluLayer(Name="relu"), sequenceUnfoldingLayer(Name="unfold")])


def test_connect_ports():
    g = folding_graph()
    assert ("fold/out", "relu") in g.Connections
    assert ("relu", "unfold/in") in g.Connections
    g2 = connectLayers(g, "fold/miniBatchSize", "unfold/miniBatchSize")
    assert ("fold/miniBatchSize", "unfold/miniBatchSize") in g2.Connections
    assert ("fold/miniBatchSize", "unfold/miniBatchSize") not in g.Connections
    assert ("fold", "miniBatchSize", "unfold", "miniBatchSize") in g2.edges()
    assert g2.sources("unfold") == {"in": ("relu", "out"), "miniBatchSize": ("fold", "miniBatchSize")}


def test_connect_errors_name_the_layer_and_port():
    g = folding_graph()
    with pytest.raises(GraphError, match="'nope'") as exc:
        connectLayers(g, "nope", "relu")
    assert "fold" in str(exc.value)  # lists the layers there are
    with pytest.raises(GraphError, match="'nope'"):
        connectLayers(g, "fold/miniBatchSize", "nope/in")
    with pytest.raises(GraphError, match="fold.*no output port 'bogus'") as exc:
        connectLayers(g, "fold/bogus", "unfold/miniBatchSize")
    assert "miniBatchSize" in str(exc.value)  # lists the ports there are
    with pytest.raises(GraphError, match="no input port 'size'"):
        connectLayers(g, "fold/miniBatchSize", "unfold/size")
    with pytest.raises(GraphError, match="'unfold'.*already connected to 'relu'"):
        connectLayers(g, "fold/out", "unfold/in")
    with pytest.raises(GraphError, match="no inputs"):
        connectLayers(g, "relu", "in")
    with pytest.raises(GraphError):
        connectLayers(g, "", "relu")


def test_one_output_feeds_several_inputs():
    g = chain().addLayers(fullyConnectedLayer(1, Name="fc2"), connect=False)
    g.connectLayers("lstm", "fc2")
    assert ("lstm", "fc") in g.Connections and ("lstm", "fc2") in g.Connections


# --- disconnect, remove, replace -----------------------------------------------------------------

def test_disconnectLayers():
    g = chain()
    g2 = disconnectLayers(g, "lstm", "fc")
    assert ("lstm", "fc") in g.Connections
    assert ("lstm", "fc") not in g2.Connections
    assert len(g2.Connections) == len(g.Connections) - 1
    with pytest.raises(GraphError, match="'lstm' is not connected to 'sm'"):
        disconnectLayers(g, "lstm", "sm")


def test_removeLayers_removes_their_connections():
    g = chain()
    g2 = removeLayers(g, ["fc", "sm"])
    assert names(g2) == ["in", "lstm", "out"]
    assert g2.Connections == [("in", "lstm")]
    assert names(g) == ["in", "lstm", "fc", "sm", "out"]
    g3 = removeLayers(g, "sm")
    assert names(g3) == ["in", "lstm", "fc", "out"]
    with pytest.raises(GraphError, match="'nope'"):
        removeLayers(g, "nope")


def test_replaceLayer_moves_connections():
    g = chain()
    g2 = replaceLayer(g, "lstm", [bilstmLayer(5, Name="bi"), dropoutLayer(0.2, Name="drop")])
    assert names(g2) == ["in", "bi", "drop", "fc", "sm", "out"]  # in the old layer's place
    assert ("in", "bi") in g2.Connections and ("bi", "drop") in g2.Connections
    assert ("drop", "fc") in g2.Connections
    assert not any("lstm" in c for conn in g2.Connections for c in conn)
    assert names(g) == ["in", "lstm", "fc", "sm", "out"]  # value semantics
    assert analyze(g2).ok


def test_replaceLayer_single_unnamed_layer_takes_the_old_name():
    g = replaceLayer(chain(), "lstm", gruLayer(4))
    assert names(g) == ["in", "lstm", "fc", "sm", "out"]
    assert type(g.layer("lstm")).__name__ == "GRULayer"
    assert g.Connections == chain().Connections


def test_replaceLayer_keeps_port_connections():
    g = connectLayers(folding_graph(), "fold/miniBatchSize", "unfold/miniBatchSize")
    g2 = replaceLayer(g, "unfold", sequenceUnfoldingLayer(Name="unfold2"))
    assert ("fold/miniBatchSize", "unfold2/miniBatchSize") in g2.Connections
    assert ("relu", "unfold2/in") in g2.Connections
    g3 = replaceLayer(g, "fold", sequenceFoldingLayer(Name="fold2"))
    assert ("fold2/miniBatchSize", "unfold/miniBatchSize") in g3.Connections
    assert ("fold2/out", "relu") in g3.Connections
    with pytest.raises(GraphError, match="'relu'.*already"):
        replaceLayer(g, "fold", reluLayer(Name="relu"))


def test_replaceLayer_in_place_method():
    g = chain()
    assert g.replaceLayer("fc", fullyConnectedLayer(3, Name="fc3")) is g
    assert ("lstm", "fc3") in g.Connections and ("fc3", "sm") in g.Connections


def test_connections_view_and_repr():
    g = chain()
    assert g.Connections == [("in", "lstm"), ("lstm", "fc"), ("fc", "sm"), ("sm", "out")]
    assert g.edges()[0] == ("in", "out", "lstm", "in")
    assert "5 layers and 4 connections" in repr(g)
    assert isinstance(g, LayerGraph) and len(g) == 5
    with pytest.raises(GraphError, match="no layer named 'x'"):
        g.layer("x")


def test_graph_equality_compares_layers_and_edges():
    assert chain() == chain()
    g = chain()
    g.layer("fc").OutputSize = 3
    assert g != chain()
    assert disconnectLayers(chain(), "fc", "sm") != chain()
