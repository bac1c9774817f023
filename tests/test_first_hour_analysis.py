"""What a newcomer meets in the first hour with analyzeNetwork: analysing a trained network,
handing it the wrong thing, and forgetting the softmax before a classificationLayer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import initialize_learnables

from layergraph import (
    GraphError,
    NetworkError,
    analyze,
    analyzeNetwork,
    assembleNetwork,
    classificationLayer,
    fullyConnectedLayer,
    layerGraph,
    load_spec,
    lstmLayer,
    regressionLayer,
    reluLayer,
    sequenceInputLayer,
    softmaxLayer,
)
from layergraph.analysis import ACCEPTED

SPECS = Path(__file__).resolve().parent.parent / "specs"


def classifier(softmax=True):
    return [sequenceInputLayer(12, Name="in"), lstmLayer(10, OutputMode="last", Name="lstm"),
            fullyConnectedLayer(9, Name="fc"), *([softmaxLayer(Name="sm")] if softmax else []),
            classificationLayer(Name="out")]


# --- analyzeNetwork(net) on a network -------------------------------------------------------------

def test_analyze_network_of_an_assembled_network(capsys):
    net = assembleNetwork(initialize_learnables(classifier()).Layers, "cpu")
    result = analyzeNetwork(net)
    printed = capsys.readouterr().out
    assert result.ok and "No problems found." in printed
    assert [r.name for r in result.layers] == ["in", "lstm", "fc", "sm", "out"]
    assert result.graph is net.graph
    assert result.total_learnables == net.analysis.total_learnables > 0
    assert str(result.report("lstm").activations["out"]) == "10(C) x 1(B)"


def test_analyze_network_of_anything_with_a_graph():
    """A Spec, an analysis, a Network: whatever holds a LayerGraph in .graph."""
    spec = load_spec(SPECS / "lstm-sequence-to-label-classification.yaml")
    first = analyzeNetwork(spec, verbose=False)
    again = analyzeNetwork(first, verbose=False)
    assert first.ok and again.ok
    assert [r.name for r in again.layers] == [lay.Name for lay in spec.graph.Layers]


@pytest.mark.parametrize("bad, said", [
    (42, "int 42"),
    (None, "NoneType None"),
    ({"layers": []}, "dict"),
    (3.5, "float 3.5"),
])
def test_analyze_network_of_something_else_names_it(bad, said):
    with pytest.raises(GraphError) as info:
        analyzeNetwork(bad, verbose=False)
    msg = str(info.value)
    assert msg.startswith("analyzeNetwork: ")
    assert said in msg and "LayerGraph" in msg and "layer array" in msg
    assert info.value.expected == ACCEPTED


def test_layer_array_with_a_non_layer_names_the_element():
    with pytest.raises(GraphError, match=r"element 3 of the layer array is not a layer but "
                                         r"int 42") as info:
        analyzeNetwork([sequenceInputLayer(3), reluLayer(), 42, regressionLayer()],
                       verbose=False)
    assert "LayerGraph" in str(info.value)


def test_the_text_of_a_layer_type_gets_a_hint():
    with pytest.raises(GraphError, match=r"element 2 .* str 'relu'; .*call reluLayer\(\) to "
                                         r"make the layer"):
        analyzeNetwork([sequenceInputLayer(3), "relu", regressionLayer()], verbose=False)


def test_nested_layer_arrays_get_a_hint():
    with pytest.raises(GraphError, match=r"element 2 .* list .*join arrays with \[\*a, \*b\]"):
        analyzeNetwork([sequenceInputLayer(3), [reluLayer(), regressionLayer()]], verbose=False)


def test_a_file_name_is_not_a_network():
    with pytest.raises(GraphError, match=r"the text 'net.yaml'.*load_spec\(path\)"):
        analyzeNetwork("net.yaml", verbose=False)


# --- the softmax before a classificationLayer -----------------------------------------------------

def test_classification_without_softmax_is_a_problem(capsys):
    result = analyzeNetwork(classifier(softmax=False))
    printed = capsys.readouterr().out
    (p,) = result.problems
    assert p.kind == "classification-without-softmax"
    assert p.layers == ("out", "fc")
    assert "layer 'out' (classificationLayer)" in p.message
    assert "layer 'fc' (fullyConnectedLayer)" in p.message
    assert "add softmaxLayer between 'fc' and 'out'" in p.message
    assert p.message in printed and "No problems found" not in printed


def test_classification_without_softmax_cannot_be_assembled():
    g = layerGraph(classifier(softmax=False))
    result = analyze(g)  # the sizes are all known: set the weights as trainNetwork would
    rng = np.random.default_rng(0)
    for name in result.order:
        g.layer(name).initialize(result.inputs[name], rng)
    with pytest.raises(NetworkError) as info:
        assembleNetwork(g, "cpu")
    assert [p.kind for p in info.value.problems] == ["classification-without-softmax"]


def test_the_softmax_must_come_directly_before():
    """A layer after the softmax (here a relu) makes its outputs no longer probabilities."""
    layers = classifier()
    layers.insert(4, reluLayer(Name="after"))
    result = analyzeNetwork(layers, verbose=False)
    assert [(p.kind, p.layers) for p in result.problems] == [
        ("classification-without-softmax", ("out", "after"))]


def test_softmax_before_classification_and_regression_without_are_fine():
    assert analyzeNetwork(classifier(), verbose=False).ok
    reg = [sequenceInputLayer(3), lstmLayer(4, OutputMode="last"), fullyConnectedLayer(1),
           regressionLayer()]
    assert analyzeNetwork(reg, verbose=False).ok


def test_unconnected_classification_layer_is_reported_once():
    g = layerGraph(classifier()[:4])
    g.addLayers(classificationLayer(Name="out"), connect=False)
    result = analyzeNetwork(g, verbose=False)
    kinds = [p.kind for p in result.problems]
    assert "classification-without-softmax" not in kinds
    assert ("unconnected-input", ("out",)) in {(p.kind, p.layers) for p in result.problems}


def test_the_fact_is_on_the_layer_not_its_name():
    assert softmaxLayer().emits_probabilities
    assert not reluLayer().emits_probabilities
    assert not fullyConnectedLayer(3).emits_probabilities
