"""YAML specs: every spec in specs/ loads, analyses and round-trips; broken specs give errors with
the right line, column and message; graphs built in Python save and load back equal."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import layergraph as lg
from layergraph import (
    LayerGraph,
    SpecError,
    analyze,
    classificationLayer,
    dropoutLayer,
    fullyConnectedLayer,
    layerGraph,
    load_spec,
    lstmLayer,
    regressionLayer,
    save_spec,
    sequenceInputLayer,
    softmaxLayer,
    tanhLayer,
    trainingOptions,
)
from layergraph.spec import validate_spec

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "specs").glob("*.yaml"))
BROKEN = Path(__file__).resolve().parent / "fixtures" / "specs"


# --- the specs of MATLAB's LSTM documentation ---------------------------------------------------

def test_specs_folder_has_every_documented_network():
    names = {p.stem for p in SPECS}
    assert names >= {
        "lstm-sequence-to-label-classification", "lstm-sequence-to-sequence-classification",
        "lstm-sequence-to-one-regression", "lstm-sequence-to-sequence-regression",
        "deep-lstm-sequence-to-label-classification",
        "deep-lstm-sequence-to-sequence-classification", "deep-lstm-sequence-to-one-regression",
        "deep-lstm-sequence-to-sequence-regression", "video-classification-fold-unfold",
        "gru-sequence-to-label-classification", "bilstm-sequence-to-label-classification",
        "conv1d-sequence-classification",
    }


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_every_spec_loads_and_analyses_clean(path):
    spec = load_spec(path)
    result = spec.analyze()  # a dlnetwork spec (loss:) analyses as a dlnetwork
    assert result.ok, [p.message for p in result.problems]
    assert spec.name == path.stem
    assert "MATLAB" in path.read_text().split("name:")[0], "each spec cites its MATLAB example"


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_every_spec_round_trips(path):
    spec = load_spec(path)
    text = save_spec(spec)
    again = load_spec(text)
    assert again == spec
    assert again.graph == spec.graph
    assert [lay.Name for lay in again.graph.Layers] == [lay.Name for lay in spec.graph.Layers]
    assert sorted(again.graph.edges()) == sorted(spec.graph.edges())
    assert again.options == spec.options
    assert save_spec(again) == text  # the saved form is stable


def test_spec_equals_the_matlab_layer_array():
    """The BiLSTM spec is the layer array of 'Sequence Classification Using Deep Learning'."""
    spec = load_spec(ROOT / "specs" / "bilstm-sequence-to-label-classification.yaml")
    matlab = layerGraph([sequenceInputLayer(12, "Name", "input"),
                         lg.bilstmLayer(100, "OutputMode", "last"),
                         fullyConnectedLayer(9), softmaxLayer(), classificationLayer()])
    assert spec.graph == matlab
    assert spec.options == trainingOptions("adam", MaxEpochs=50, MiniBatchSize=27,
                                           GradientThreshold=1, SequenceLength="longest",
                                           Shuffle="never", Verbose=False)
    assert spec.data == {"dataset": "japanese_vowels", "order": "sorted-by-length"}


def test_video_spec_has_the_fold_unfold_connection():
    spec = load_spec(ROOT / "specs" / "video-classification-fold-unfold.yaml")
    assert ("fold", "miniBatchSize", "unfold", "miniBatchSize") in spec.graph.edges()
    assert ("relu", "out", "unfold", "in") in spec.graph.edges()
    a = analyze(spec.graph)
    assert str(a.report("flatten").activations["out"]) == "11520(C) x 1(B) x T(T)"


# --- round trips of graphs built in Python ------------------------------------------------------

def test_python_graph_saves_and_loads_back_equal():
    g = layerGraph([sequenceInputLayer(3, Normalization="zscore"),
                    lstmLayer(20, OutputMode="last", StateActivationFunction="softsign"),
                    dropoutLayer(0.25), fullyConnectedLayer(1), regressionLayer()])
    text = g.save_spec()
    assert LayerGraph.from_spec(text) == g


def test_non_chain_dag_round_trips(tmp_path):
    """A graph whose connections are not the layer order's chain: disconnected and rewired."""
    g = layerGraph([sequenceInputLayer(3), lstmLayer(5, Name="l1"),
                    fullyConnectedLayer(2, Name="fc"), softmaxLayer(), classificationLayer()])
    g.disconnectLayers("l1", "fc")
    g.addLayers([dropoutLayer(0.3), tanhLayer()])  # a branch added after the output layer
    g.connectLayers("l1", "dropout")
    g.connectLayers("tanh", "fc")
    assert analyze(g).ok
    path = tmp_path / "dag.yaml"
    text = save_spec(g, path)
    assert "inputs: tanh" in text  # fc says where its input comes from
    assert "l1 -> dropout" in text
    back = load_spec(path).graph
    assert back == g
    assert [lay.Name for lay in back.Layers] == [lay.Name for lay in g.Layers]


def test_state_ports_round_trip():
    g = layerGraph([sequenceInputLayer(3), lstmLayer(5, HasStateOutputs=True, Name="a"),
                    lstmLayer(5, HasStateInputs=True, Name="b"), fullyConnectedLayer(2),
                    regressionLayer()])
    g.connectLayers("a/hidden", "b/hidden")
    g.connectLayers("a/cell", "b/cell")
    text = save_spec(g)
    assert "a/hidden -> b/hidden" in text and "a/cell -> b/cell" in text
    assert load_spec(text).graph == g


def test_unconnected_layer_needs_inputs_none_to_round_trip():
    g = layerGraph([sequenceInputLayer(3), lstmLayer(5, Name="l1"), fullyConnectedLayer(2)])
    g.disconnectLayers("l1", "fc")
    text = save_spec(g)
    assert "inputs: []" in text
    back = load_spec(text, strict=False).graph  # fc's input is unconnected: not a valid network
    assert back == g
    with pytest.raises(SpecError, match="is not connected"):
        load_spec(text)


def test_learnables_left_out_unless_asked():
    lay = lstmLayer(2, InputWeights=np.ones((8, 3)), HiddenState=[0.5, 0.25])
    g = layerGraph([sequenceInputLayer(3), lay, fullyConnectedLayer(1, Bias=[0.5]),
                    regressionLayer()])
    text = save_spec(g)
    assert "InputWeights" not in text and "Bias" not in text
    assert "HiddenState: [0.5, 0.25]" in text  # an initial state is not a learned weight
    back = load_spec(text).graph
    assert back.layer("lstm").InputWeights is None
    np.testing.assert_array_equal(back.layer("lstm").HiddenState, [0.5, 0.25])
    full = load_spec(save_spec(g, learnables=True)).graph
    assert full == g
    np.testing.assert_array_equal(full.layer("lstm").InputWeights, np.ones((8, 3)))


def test_trained_statistics_left_out_unless_asked():
    spec = load_spec(Path(__file__).resolve().parent.parent / "specs"
                     / "video-classification-fold-unfold.yaml")
    bn = spec.graph.layer("bn")
    bn.TrainedMean = np.full((1, 1, 20), 0.5)
    bn.Offset = np.zeros((1, 1, 20))
    text = save_spec(spec.graph)
    assert "TrainedMean" not in text and "Offset" not in text
    assert "TrainedMean" in save_spec(spec.graph, learnables=True)
    assert load_spec(save_spec(spec.graph, learnables=True)).graph == spec.graph


def test_automatic_names_are_left_out_but_referenced_names_kept():
    g = layerGraph([sequenceInputLayer(3), lstmLayer(4), lstmLayer(4), fullyConnectedLayer(2),
                    softmaxLayer(), classificationLayer()])
    text = save_spec(g)
    assert "Name" not in text  # lstm_1, lstm_2 come back by MATLAB's naming rule
    assert [lay.Name for lay in load_spec(text).graph.Layers] == \
        ["sequenceinput", "lstm_1", "lstm_2", "fc", "softmax", "classoutput"]


def test_spec_with_training_and_data_round_trips(tmp_path):
    text = """
name: t
layers:
  - sequenceInput: 12
  - gru: {NumHiddenUnits: 8, OutputMode: last, ResetGateMode: recurrent-bias-after-multiplication}
  - fullyConnected: 9
  - softmax
  - classification: {Classes: ['1', '2', '3', '4', '5', '6', '7', '8', '9']}
training:
  solver: sgdm
  InitialLearnRate: 1e-3
  GradientThreshold: Inf
  Seed: 7
data:
  train: train.npz
"""
    spec = load_spec(text)
    assert spec.options.InitialLearnRate == pytest.approx(1e-3)  # '1e-3' read as a number
    assert spec.options.GradientThreshold == float("inf")
    assert spec.options.Seed == 7
    assert spec.graph.layer("classoutput").Classes == tuple("123456789")
    path = tmp_path / "t.yaml"
    spec.save(path)
    again = load_spec(path)
    assert again == spec
    assert again.data_path("train") == tmp_path / "train.npz"


def test_three_ways_of_writing_a_layer_are_the_same():
    a = load_spec("layers:\n  - sequenceInput: 12\n  - lstm: {NumHiddenUnits: 7}\n"
                  "  - fullyConnected: 2\n  - regression\n")
    b = load_spec("layers:\n  - sequenceInputLayer: {InputSize: 12}\n  - lstm: 7\n"
                  "  - {type: fullyConnectedLayer, OutputSize: 2}\n  - regressionLayer\n")
    assert a.graph == b.graph
    c = load_spec("layers:\n  - sequenceInput: 12\n  - convolution1d: [3, 16]\n"
                  "  - globalAveragePooling1d\n  - fullyConnected: 2\n  - regression\n")
    assert c.graph.layer("conv1d").NumFilters == 16


def test_load_spec_accepts_path_text_and_stream(tmp_path):
    text = "layers:\n  - sequenceInput: 4\n  - fullyConnected: 1\n  - regression\n"
    p = tmp_path / "s.yaml"
    p.write_text(text)
    assert load_spec(p).graph == load_spec(str(p)).graph == load_spec(text).graph
    with open(p) as f:
        assert load_spec(f).graph == load_spec(text).graph
    with pytest.raises(lg.LayerGraphError, match="not found"):
        load_spec(tmp_path / "missing.yaml")


# --- broken specs: line numbers and messages ------------------------------------------------------

def _errors(name, **kw):
    path = BROKEN / name
    with pytest.raises(SpecError) as info:
        load_spec(path, **kw)
    err = info.value
    assert str(path) in str(err)
    for e in err.errors:
        assert e.file == str(path)
        assert str(e).startswith(f"{path}:{e.line}:{e.column}: ")
    return err.errors


def test_bad_indentation():
    (e,) = _errors("bad-indentation.yaml")
    assert (e.line, e.column) == (6, 4)
    assert "YAML syntax error" in e.message
    assert "indentation" in e.expected


def test_options_not_indented_under_the_layer():
    (e,) = _errors("misindented-options.yaml")
    assert e.line == 7 and e.layer == "lstm"
    assert "must be indented under it" in e.message
    assert "- lstm: {NumHiddenUnits: ...}" in e.expected


def test_unknown_layer_type():
    (e,) = _errors("unknown-layer.yaml")
    assert (e.line, e.column) == (5, 5)
    assert "unknown layer type 'lstmm'; did you mean 'lstm'?" in e.message
    assert "bilstm" in e.expected


def test_misspelled_option_suggests_the_closest_name():
    (e,) = _errors("misspelled-option.yaml")
    assert (e.line, e.column) == (6, 7)
    assert e.layer == "bilstm"
    assert "no option 'NumHiddenUnit'; did you mean 'NumHiddenUnits'?" in e.message


def test_wrong_value_type():
    (e,) = _errors("wrong-type.yaml")
    assert (e.line, e.column) == (6, 34)
    assert e.layer == "fc"
    assert "invalid value for 'OutputSize': got 'nine'" in e.message
    assert e.expected == "an integer >= 1"


def test_dangling_connection():
    (e,) = _errors("dangling-connection.yaml")
    assert e.line == 15
    assert "no layer named 'unfold'; did you mean 'unfold1'?" in e.message


def test_duplicate_name():
    (e,) = _errors("duplicate-name.yaml")
    assert e.line == 7 and e.layer == "lstm"
    assert "duplicate layer name 'lstm' (also layer 2, line 5)" in e.message


def test_fold_without_unfold():
    errors = _errors("fold-without-unfold.yaml")
    fold = [e for e in errors if e.layer == "fold"]
    assert fold and fold[0].line == 6
    assert "no matching sequenceUnfoldingLayer" in fold[0].message
    unfold = [e for e in errors if e.layer == "unfold"]
    assert unfold and unfold[0].line == 9 and "miniBatchSize" in unfold[0].message
    # it is well-formed, only incomplete: loadable without the analysis
    assert len(load_spec(BROKEN / "fold-without-unfold.yaml", strict=False).graph) == 10


def test_unsafe_tag_is_refused_without_running_anything(tmp_path, monkeypatch):
    import os

    monkeypatch.setattr(os, "system", lambda *a: pytest.fail("object constructed from a tag"))
    (e,) = _errors("unsafe-tag.yaml")
    assert e.line == 5 and "not allowed" in e.message and "python/object" in e.message


def test_all_errors_of_a_file_are_reported_together():
    errors = _errors("several-errors.yaml")
    got = [(e.line, e.layer, e.message) for e in errors]
    assert [g[0] for g in got] == [5, 6, 7, 12]
    assert "'OutputMode': got 'lst'" in got[0][2] and errors[0].expected == "'sequence' | 'last'"
    assert "no option 'Probabilty'; did you mean 'Probability'?" in got[1][2]
    assert "'OutputSize': got -3" in got[2][2]
    assert "unknown option 'MaxEpoch'; did you mean 'MaxEpochs'?" in got[3][2]


@pytest.mark.parametrize("text, line, fragment", [
    ("layers:\n  - sequenceInput: 3\n  - fullyConnected: 1\n  - regression\n"
     "connections:\n  - fc -> regressionoutput/inn\n", 6, "no input port 'inn'"),
    ("layers:\n  - sequenceInput: 3\n  - fullyConnected: 1\n  - regression\n"
     "connections:\n  - sequenceinput -> regressionoutput\n", 6, "already connected"),
    ("layers:\n  - sequenceInput: 3\n  - fullyConnected: 1\n  - regression\n"
     "connections:\n  - fc\n", 6, "bad connection"),
    ("layers:\n  - lstm\n", 2, "lstmLayer needs NumHiddenUnits"),
    ("layers:\n  - sequenceInput: 3\n  - lstm: {OutputMode: last}\n", 3,
     "missing required option 'NumHiddenUnits'"),
    ("layerz:\n  - relu\n", 1, "unknown top-level key 'layerz'; did you mean 'layers'?"),
    ("layers:\n  - relu: {Name: a}\n  - relu: {Name: a, Name: b}\n", 3, "appears twice"),
    ("layers:\n  - sequenceInput: 3\n  - dropout: 1.5\n", 3, "invalid value for 'Probability'"),
    ("layers:\n  - sequenceInput: 3\n  - fullyConnected: {OutputSize: 2, inputs: nowhere}\n",
     3, "no layer named 'nowhere'"),
    ("layers:\n  - sequenceInput: 3\ntraining: {solver: adamm}\n", 3, "invalid solver"),
    ("layers:\n  - sequenceInput: 3\ndata: {datset: x}\n", 3, "did you mean 'dataset'"),
])
def test_more_errors(text, line, fragment):
    issues = validate_spec(text, strict=False)
    assert issues, "expected an error"
    assert any(i.line == line and fragment in i.message for i in issues), \
        "\n".join(map(str, issues))


def test_analysis_problem_names_the_layer_line():
    text = ("layers:\n  - sequenceInput: 3\n  - lstm: {NumHiddenUnits: 4, OutputMode: last}\n"
            "  - lstm: 4\n  - fullyConnected: 2\n  - softmax\n  - classification\n")
    (e,) = validate_spec(text)
    assert e.line == 3 and e.layer == "lstm_1"
    assert "OutputMode 'last'" in e.message
    assert validate_spec(text, strict=False) == []


def test_spec_error_is_a_layergraph_error():
    with pytest.raises(lg.LayerGraphError):
        load_spec("layers: [nothing]\n")
    assert issubclass(SpecError, ValueError)
