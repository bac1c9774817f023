"""analyzeNetwork: every problem is caught, named and explained; all problems come together.

Each test builds a network with one fault and asserts the exact problems found: their kind, the
layers involved, and that the message names those layers.
"""

from __future__ import annotations

import numpy as np
import pytest

from layergraph import (
    NetworkError,
    analyze,
    analyzeNetwork,
    assembleNetwork,
    bilstmLayer,
    classificationLayer,
    connectLayers,
    convolution1dLayer,
    convolution2dLayer,
    disconnectLayers,
    flattenLayer,
    fullyConnectedLayer,
    globalAveragePooling1dLayer,
    gruLayer,
    layerGraph,
    lstmLayer,
    regressionLayer,
    reluLayer,
    sequenceFoldingLayer,
    sequenceInputLayer,
    sequenceUnfoldingLayer,
    softmaxLayer,
)


def classifier(hidden=4, mode="last"):
    return [sequenceInputLayer(3, Name="in"), lstmLayer(hidden, OutputMode=mode, Name="lstm"),
            fullyConnectedLayer(2, Name="fc"), softmaxLayer(Name="sm"),
            classificationLayer(Name="out")]


def found(x):
    """{(kind, layers)} of the analysis, and the analysis."""
    result = analyze(x)
    return {(p.kind, tuple(p.layers)) for p in result.problems}, result


def assert_named(result, kind, *names):
    (p,) = result.problems_of(kind)
    assert tuple(p.layers) == names
    for n in names:
        assert f"'{n}'" in p.message, (n, p.message)
    assert p.message in str(result)  # the printed report lists it
    return p


def test_clean_network_has_no_problems():
    result = analyze(classifier())
    assert result.ok and result.problems == []
    assert str(result.report("lstm").activations["out"]) == "4(C) x 1(B)"
    assert str(result.report("in").activations["out"]) == "3(C) x 1(B) x T(T)"


def test_unconnected_input():
    """A gru with HasStateInputs whose 'hidden' port is left open."""
    g = layerGraph([sequenceInputLayer(3, Name="in"),
                    gruLayer(4, HasStateInputs=True, OutputMode="last", Name="gru"),
                    fullyConnectedLayer(2, Name="fc"), softmaxLayer(Name="sm"),
                    classificationLayer(Name="out")])
    problems, result = found(g)
    assert problems == {("unconnected-input", ("gru",))}
    p = assert_named(result, "unconnected-input", "gru")
    assert "'hidden'" in p.message  # names the port


def test_unconnected_output():
    g = layerGraph(classifier())
    g.addLayers(fullyConnectedLayer(2, Name="side"), connect=False)
    g.connectLayers("lstm", "side")
    problems, result = found(g)
    assert problems == {("unconnected-output", ("side",))}
    assert_named(result, "unconnected-output", "side")


def test_disconnected_layer_gives_input_and_output_problems():
    problems, result = found(disconnectLayers(layerGraph(classifier()), "lstm", "fc"))
    assert problems == {("unconnected-output", ("lstm",)), ("unconnected-input", ("fc",))}
    assert_named(result, "unconnected-input", "fc")
    assert_named(result, "unconnected-output", "lstm")


def test_size_mismatch_from_weights():
    layers = classifier()
    layers[2].Weights = np.ones((2, 5))  # the lstm gives 4 features
    problems, result = found(layers)
    assert problems == {("size-mismatch", ("fc", "lstm"))}
    p = assert_named(result, "size-mismatch", "fc", "lstm")
    assert "Weights" in p.message and "2x4" in p.message and "2x5" in p.message


def test_size_mismatch_from_input_size():
    layers = classifier()
    layers[1].InputSize = 5
    problems, result = found(layers)
    assert problems == {("size-mismatch", ("lstm", "in"))}
    p = assert_named(result, "size-mismatch", "lstm", "in")
    assert "InputSize" in p.message and "5" in p.message and "3" in p.message


def test_size_mismatch_from_recurrent_weights():
    layers = classifier()
    layers[1].InputWeights = np.zeros((16, 2))  # 4H x C with C = 3 expected
    problems, result = found(layers)
    assert problems == {("size-mismatch", ("lstm", "in"))}
    assert "16x3" in result.problems[0].message


def test_missing_output_layer():
    problems, result = found(classifier()[:3])
    assert problems == {("missing-output-layer", ()), ("unconnected-output", ("fc",))}
    p = result.problems_of("missing-output-layer")[0]
    assert "classificationLayer" in p.message and "regressionLayer" in p.message


def test_extra_output_layer():
    g = layerGraph(classifier())
    g.addLayers([fullyConnectedLayer(1, Name="fc2"), regressionLayer(Name="reg")])
    g.connectLayers("lstm", "fc2")
    problems, result = found(g)
    assert problems == {("extra-output-layer", ("out", "reg"))}
    assert_named(result, "extra-output-layer", "out", "reg")


def test_missing_input_layer():
    problems, result = found(classifier()[1:])
    assert problems == {("missing-input-layer", ()), ("unconnected-input", ("lstm",))}
    assert "sequenceInputLayer" in result.problems_of("missing-input-layer")[0].message


def video_layers(fold=True, unfold=True):
    layers = [sequenceInputLayer([8, 8, 1], Name="in")]
    if fold:
        layers.append(sequenceFoldingLayer(Name="fold"))
    layers.append(convolution2dLayer(3, 2, Name="conv"))
    if unfold:
        layers.append(sequenceUnfoldingLayer(Name="unfold"))
    layers += [flattenLayer(Name="flat")]
    if unfold:
        layers.append(lstmLayer(3, OutputMode="last", Name="lstm"))
    layers += [fullyConnectedLayer(2, Name="fc"), softmaxLayer(Name="sm"),
               classificationLayer(Name="out")]
    return layers


def test_fold_without_unfold():
    problems, result = found(video_layers(unfold=False))
    assert problems == {("fold-without-unfold", ("fold",))}
    p = assert_named(result, "fold-without-unfold", "fold")
    assert "miniBatchSize" in p.message


def test_unfold_without_fold():
    problems, result = found(video_layers(fold=False))
    assert problems == {("unfold-without-fold", ("unfold",))}
    p = assert_named(result, "unfold-without-fold", "unfold")
    assert "miniBatchSize" in p.message


def test_fold_and_unfold_connected():
    g = connectLayers(layerGraph(video_layers()), "fold/miniBatchSize", "unfold/miniBatchSize")
    assert analyze(g).ok
    assert ("fold/miniBatchSize", "unfold/miniBatchSize") in g.Connections


@pytest.mark.parametrize("consumer", [
    lambda: lstmLayer(4, Name="next"),
    lambda: bilstmLayer(4, Name="next"),
    lambda: gruLayer(4, Name="next"),
    lambda: convolution1dLayer(3, 4, Name="next"),
    lambda: globalAveragePooling1dLayer(Name="next"),
])
def test_last_feeding_a_layer_that_needs_sequences(consumer):
    layers = [sequenceInputLayer(3, Name="in"), lstmLayer(4, OutputMode="last", Name="enc"),
              consumer(), fullyConnectedLayer(2, Name="fc"), softmaxLayer(Name="sm"),
              classificationLayer(Name="out")]
    problems, result = found(layers)
    assert problems == {("last-before-sequence", ("enc", "next"))}
    p = assert_named(result, "last-before-sequence", "enc", "next")
    assert "OutputMode" in p.message and "'sequence'" in p.message


def test_last_two_layers_upstream_is_still_named():
    layers = [sequenceInputLayer(3, Name="in"), gruLayer(4, OutputMode="last", Name="enc"),
              reluLayer(Name="relu"), lstmLayer(4, Name="next"), regressionLayer(Name="out")]
    problems, _ = found(layers)
    assert problems == {("last-before-sequence", ("enc", "next"))}


def test_duplicate_names():
    layers = [sequenceInputLayer(3, Name="in"), lstmLayer(4, OutputMode="last", Name="a"),
              fullyConnectedLayer(2, Name="a"), softmaxLayer(Name="sm"),
              classificationLayer(Name="out")]
    problems, result = found(layers)
    assert ("duplicate-name", ("a",)) in problems
    assert {k for k, _ in problems} == {"duplicate-name"}
    p = assert_named(result, "duplicate-name", "a")
    assert "unique" in p.message


def test_cycle():
    g = layerGraph([sequenceInputLayer(3, Name="in"),
                    gruLayer(4, HasStateInputs=True, OutputMode="last", Name="gru"),
                    fullyConnectedLayer(4, Name="fc"), softmaxLayer(Name="sm"),
                    classificationLayer(Name="out")])
    g = connectLayers(g, "fc", "gru/hidden")  # fc feeds the gru's state: a loop
    problems, result = found(g)
    assert problems == {("cycle", ("gru", "fc"))} or problems == {("cycle", ("fc", "gru"))}
    p = result.problems_of("cycle")[0]
    assert "'gru'" in p.message and "'fc'" in p.message and "acyclic" in p.message


def test_all_problems_are_reported_together():
    g = layerGraph([sequenceInputLayer(3, Name="in"), lstmLayer(4, OutputMode="last", Name="enc"),
                    lstmLayer(5, Name="dec"), fullyConnectedLayer(2, Name="fc")])
    side = fullyConnectedLayer(2, Name="side")
    side.Weights = np.ones((2, 7))
    g.addLayers(side, connect=False).connectLayers("in", "side")
    g.addLayers(reluLayer(Name="lonely"))
    g.addLayers(sequenceFoldingLayer(Name="fold"), connect=False).connectLayers("in", "fold")
    problems, result = found(g)
    assert problems == {
        ("last-before-sequence", ("enc", "dec")),
        ("size-mismatch", ("side", "in")),
        ("unconnected-output", ("fc",)),
        ("unconnected-output", ("side",)),
        ("unconnected-input", ("lonely",)),
        ("unconnected-output", ("lonely",)),
        ("size-mismatch", ("fold", "in")),
        ("fold-without-unfold", ("fold",)),
        ("unconnected-output", ("fold",)),
        ("missing-output-layer", ()),
    }
    text = str(result)
    for p in result.problems:
        assert p.message in text
    assert f"{len(result.problems)} problem(s)" in text
    # assembleNetwork refuses, listing every problem
    with pytest.raises(NetworkError) as exc:
        assembleNetwork(g)
    assert len(exc.value.problems) == len(result.problems)
    for p in result.problems:
        assert p.message in str(exc.value)


def test_duplicate_names_reported_with_other_problems():
    layers = [sequenceInputLayer(3, Name="in"), lstmLayer(4, OutputMode="last", Name="x"),
              lstmLayer(4, Name="x"), fullyConnectedLayer(2, Name="fc")]
    problems, _ = found(layers)
    kinds = {k for k, _ in problems}
    assert {"duplicate-name", "last-before-sequence", "missing-output-layer"} <= kinds


def test_report_table_and_learnables(capsys):
    layers = [sequenceInputLayer(12, Name="in"), bilstmLayer(100, OutputMode="last", Name="bilstm"),
              fullyConnectedLayer(9, Name="fc"), softmaxLayer(Name="sm"),
              classificationLayer(Name="out")]
    result = analyzeNetwork(layers)
    text = capsys.readouterr().out
    assert result.report("bilstm").learnables == {
        "InputWeights": (800, 12), "RecurrentWeights": (800, 100), "Bias": (800, 1)}
    assert result.report("fc").learnables == {"Weights": (9, 200), "Bias": (9, 1)}
    assert str(result.report("bilstm").activations["out"]) == "200(C) x 1(B)"
    total = 800 * 12 + 800 * 100 + 800 + 9 * 200 + 9
    assert result.total_learnables == total
    assert f"{total:,}" in text
    assert "InputWeights 800x12" in text and "BiLSTM" in text
    assert result.report("bilstm").description == "BiLSTM with 100 hidden units"


@pytest.mark.parametrize("layer, shapes, act", [
    (lambda: lstmLayer(5), {"InputWeights": (20, 3), "RecurrentWeights": (20, 5), "Bias": (20, 1)},
     "5(C) x 1(B) x T(T)"),
    (lambda: gruLayer(5), {"InputWeights": (15, 3), "RecurrentWeights": (15, 5), "Bias": (15, 1)},
     "5(C) x 1(B) x T(T)"),
    (lambda: gruLayer(5, ResetGateMode="recurrent-bias-after-multiplication"),
     {"InputWeights": (15, 3), "RecurrentWeights": (15, 5), "Bias": (30, 1)},
     "5(C) x 1(B) x T(T)"),
    (lambda: convolution1dLayer(4, 6), {"Weights": (4, 3, 6), "Bias": (1, 6)},
     "6(C) x 1(B) x T(T)"),
])
def test_learnable_shapes_in_matlab_layout(layer, shapes, act):
    lay = layer()
    result = analyze([sequenceInputLayer(3), lay, regressionLayer()])
    name = result.layers[1].name
    assert result.report(name).learnables == shapes
    assert str(result.report(name).activations["out"]) == act


def test_state_output_ports_in_the_analysis():
    g = layerGraph([sequenceInputLayer(3, Name="in"),
                    lstmLayer(4, HasStateOutputs=True, Name="enc"),
                    lstmLayer(4, HasStateInputs=True, OutputMode="last", Name="dec"),
                    regressionLayer(Name="out")])
    g = connectLayers(connectLayers(g, "enc/hidden", "dec/hidden"), "enc/cell", "dec/cell")
    result = analyze(g)
    assert result.ok, [p.message for p in result.problems]
    acts = {k: str(v) for k, v in result.report("enc").activations.items()}
    assert acts == {"out": "4(C) x 1(B) x T(T)", "hidden": "4(C) x 1(B)", "cell": "4(C) x 1(B)"}
    # a wrong state size is a size mismatch naming the state port
    g2 = layerGraph([sequenceInputLayer(3, Name="in"),
                     lstmLayer(4, HasStateOutputs=True, Name="enc"),
                     lstmLayer(6, HasStateInputs=True, Name="dec"), regressionLayer(Name="out")])
    g2 = connectLayers(connectLayers(g2, "enc/hidden", "dec/hidden"), "enc/cell", "dec/cell")
    problems, result = found(g2)
    assert {k for k, _ in problems} == {"size-mismatch"}
    assert "'hidden'" in result.problems[0].message


def test_initial_state_of_the_wrong_size():
    layers = classifier()
    layers[1].HiddenState = np.zeros((3, 1))  # NumHiddenUnits is 4
    problems, result = found(layers)
    assert problems == {("size-mismatch", ("lstm", "in"))}
    assert "HiddenState must have 4 elements, got 3" in result.problems[0].message
    with pytest.raises(NetworkError, match="HiddenState"):
        assembleNetwork(layers)
