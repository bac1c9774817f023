"""Layer construction: MATLAB name-value options, validation errors, defaults and initializers."""

from __future__ import annotations

import numpy as np
import pytest

from layergraph import (
    OptionError,
    batchNormalizationLayer,
    bilstmLayer,
    convolution1dLayer,
    convolution2dLayer,
    dropoutLayer,
    fullyConnectedLayer,
    gruLayer,
    layer_class,
    layerNormalizationLayer,
    leakyReluLayer,
    lstmLayer,
    maxPooling1dLayer,
    sequenceInputLayer,
    wordEmbeddingLayer,
)
from layergraph.formats import vector_sequence
from layergraph.layers import BiLSTMLayer, LSTMLayer

# --- name-value forms ---------------------------------------------------------------------------


@pytest.mark.parametrize("matlab, python", [
    (lambda: lstmLayer(100, "OutputMode", "last", "Name", "a"),
     lambda: lstmLayer(100, OutputMode="last", Name="a")),
    (lambda: lstmLayer(100, "OutputMode", "last", "Name", "a"),
     lambda: lstmLayer(NumHiddenUnits=100, OutputMode="last", Name="a")),
    (lambda: lstmLayer(100, "OutputMode", "last", "Name", "a"),
     lambda: lstmLayer(100, "OutputMode", "last", Name="a")),
    (lambda: bilstmLayer(8, "StateActivationFunction", "softsign", "HasStateOutputs", 1),
     lambda: bilstmLayer(8, StateActivationFunction="softsign", HasStateOutputs=True)),
    (lambda: gruLayer(8, "ResetGateMode", "before-multiplication"),
     lambda: gruLayer(8, ResetGateMode="before-multiplication")),
    (lambda: fullyConnectedLayer(10, "Name", "fc", "WeightsInitializer", "he"),
     lambda: fullyConnectedLayer(10, Name="fc", WeightsInitializer="he")),
    (lambda: convolution1dLayer(3, 8, "Padding", "causal", "DilationFactor", 2),
     lambda: convolution1dLayer(3, 8, Padding="causal", DilationFactor=2)),
    (lambda: convolution2dLayer(5, 20, "Name", "conv"),
     lambda: convolution2dLayer([5, 5], 20, Name="conv")),
    (lambda: sequenceInputLayer(12, "Normalization", "zscore", "Mean", [1, 2]),
     lambda: sequenceInputLayer(12, Normalization="zscore", Mean=np.array([1.0, 2.0]))),
    (lambda: dropoutLayer(0.2), lambda: dropoutLayer(Probability=0.2)),
    (lambda: leakyReluLayer(0.3, "Name", "lr"), lambda: leakyReluLayer(Scale=0.3, Name="lr")),
])
def test_matlab_and_keyword_forms_are_equal(matlab, python):
    a, b = matlab(), python()
    assert a == b
    assert a.config() == b.config()


def test_properties_read_by_matlab_name():
    lay = lstmLayer(100, "OutputMode", "last", "Name", "lstm1")
    assert (lay.NumHiddenUnits, lay.OutputMode, lay.Name) == (100, "last", "lstm1")
    assert lay.config() == {"Name": "lstm1", "NumHiddenUnits": 100, "OutputMode": "last"}
    assert lay.copy() == lay and lay.copy(OutputMode="sequence") != lay
    with pytest.raises(AttributeError):
        lay.NoSuchProperty  # noqa: B018


def test_option_names_are_case_insensitive():
    a = lstmLayer(10, "outputmode", "last", "NAME", "x", "bIaSiNiTiAlIzEr", "zeros")
    assert a.OutputMode == "last" and a.Name == "x" and a.BiasInitializer == "zeros"
    assert lstmLayer(10, outputMode="LAST").OutputMode == "last"  # values too, canonical case
    assert a == lstmLayer(10, OutputMode="last", Name="x", BiasInitializer="zeros")


def test_unknown_option_names_the_layer_and_suggests():
    with pytest.raises(OptionError) as exc:
        lstmLayer(10, "OutputMdoe", "last")
    msg = str(exc.value)
    assert "lstmLayer" in msg and "'OutputMdoe'" in msg and "Did you mean 'OutputMode'?" in msg
    with pytest.raises(OptionError) as exc:
        gruLayer(10, Name="enc", ResetGaetMode="before-multiplication")
    msg = str(exc.value)
    assert "'enc'" in msg and "gruLayer" in msg and "Did you mean 'ResetGateMode'?" in msg
    with pytest.raises(OptionError, match="Did you mean 'NumFilters'"):
        convolution1dLayer(3, NumFitlers=4)
    lay = fullyConnectedLayer(3, Name="fc")
    with pytest.raises(OptionError, match="'fc'.*unknown property 'OutputSiz'"):
        lay.OutputSiz = 4


@pytest.mark.parametrize("make, option, shown", [
    (lambda: lstmLayer(10, "OutputMode", "lats", "Name", "enc"), "OutputMode",
     ["'sequence'", "'last'", "'lats'"]),
    (lambda: lstmLayer(0, "Name", "enc"), "NumHiddenUnits", ["integer >= 1", "0"]),
    (lambda: lstmLayer(2.5, "Name", "enc"), "NumHiddenUnits", ["integer"]),
    (lambda: dropoutLayer(1.5, "Name", "enc"), "Probability", ["[0, 1)", "1.5"]),
    (lambda: gruLayer(4, "ResetGateMode", "after", "Name", "enc"), "ResetGateMode",
     ["'after-multiplication'", "'before-multiplication'",
      "'recurrent-bias-after-multiplication'"]),
    (lambda: lstmLayer(4, "GateActivationFunction", "relu", "Name", "enc"),
     "GateActivationFunction", ["'sigmoid'", "'hard-sigmoid'"]),
    (lambda: lstmLayer(4, "HasStateOutputs", "yes", "Name", "enc"), "HasStateOutputs", ["true"]),
    (lambda: fullyConnectedLayer(3, "Weights", [[np.nan]], "Name", "enc"), "Weights", ["NaN"]),
    (lambda: convolution1dLayer(3, 4, "Padding", "valid", "Name", "enc"), "Padding",
     ["'same'", "'causal'"]),
    (lambda: convolution2dLayer([0, 3], 4, "Name", "enc"), "FilterSize", ["integer >= 1"]),
    (lambda: batchNormalizationLayer("Epsilon", 1e-7, "Name", "enc"), "Epsilon", ["1e-05"]),
    (lambda: sequenceInputLayer(3, "Normalization", "minmax", "Name", "enc"), "Normalization",
     ["'zscore'", "'rescale-zero-one'"]),
])
def test_bad_values_name_layer_option_and_allowed_values(make, option, shown):
    with pytest.raises(OptionError) as exc:
        make()
    msg = str(exc.value)
    assert "'enc'" in msg, msg
    assert f"'{option}'" in msg, msg
    for s in shown:
        assert s in msg, (s, msg)


def test_bad_value_set_after_construction():
    lay = lstmLayer(4, Name="enc")
    with pytest.raises(OptionError, match="'enc'.*'OutputMode'.*'sequence' \\| 'last'"):
        lay.OutputMode = "lats"
    assert lay.OutputMode == "sequence"  # unchanged
    # attribute names are exact in Python; only name-value lists are case-insensitive
    with pytest.raises(OptionError):
        lay.outputmode = "last"


def test_missing_required_arguments():
    with pytest.raises(OptionError, match="lstmLayer: missing required argument NumHiddenUnits"):
        lstmLayer()
    with pytest.raises(OptionError, match="missing required argument NumFilters"):
        convolution1dLayer(3)
    with pytest.raises(OptionError, match="missing required argument NumWords"):
        wordEmbeddingLayer(5)
    with pytest.raises(OptionError, match="missing required argument InputSize"):
        sequenceInputLayer()
    with pytest.raises(OptionError, match="'e'.*missing required argument OutputSize"):
        fullyConnectedLayer(Name="e")


def test_malformed_name_value_lists():
    with pytest.raises(OptionError, match="pairs"):
        lstmLayer(4, "OutputMode")
    with pytest.raises(OptionError, match="given twice"):
        lstmLayer(4, "OutputMode", "last", "outputmode", "sequence")
    with pytest.raises(OptionError, match="both positionally and by name"):
        lstmLayer(4, NumHiddenUnits=5)
    with pytest.raises(OptionError, match="option name"):
        lstmLayer(4, 5, "last")


# --- MATLAB defaults -----------------------------------------------------------------------------

@pytest.mark.parametrize("make, defaults", [
    (lambda: lstmLayer(10), {
        "OutputMode": "sequence", "StateActivationFunction": "tanh",
        "GateActivationFunction": "sigmoid", "InputWeightsInitializer": "glorot",
        "RecurrentWeightsInitializer": "orthogonal", "BiasInitializer": "unit-forget-gate",
        "HasStateInputs": False, "HasStateOutputs": False, "InputSize": "auto",
        "InputWeightsLearnRateFactor": 1.0, "BiasL2Factor": 0.0, "InputWeightsL2Factor": 1.0,
        "InputWeights": None, "HiddenState": None, "CellState": None, "Name": ""}),
    (lambda: bilstmLayer(10), {"BiasInitializer": "unit-forget-gate", "OutputMode": "sequence"}),
    (lambda: gruLayer(10), {
        "ResetGateMode": "after-multiplication", "BiasInitializer": "zeros",
        "InputWeightsInitializer": "glorot", "RecurrentWeightsInitializer": "orthogonal",
        "StateActivationFunction": "tanh", "GateActivationFunction": "sigmoid"}),
    (lambda: fullyConnectedLayer(10), {
        "WeightsInitializer": "glorot", "BiasInitializer": "zeros", "InputSize": "auto",
        "WeightL2Factor": 1.0, "BiasL2Factor": 0.0}),
    (lambda: convolution1dLayer(3, 4), {
        "Stride": 1, "DilationFactor": 1, "Padding": 0, "WeightsInitializer": "glorot"}),
    (lambda: convolution2dLayer(3, 4), {"Stride": (1, 1), "DilationFactor": (1, 1),
                                        "FilterSize": (3, 3)}),
    (lambda: dropoutLayer(), {"Probability": 0.5}),
    (lambda: leakyReluLayer(), {"Scale": 0.01}),
    (lambda: batchNormalizationLayer(), {"Epsilon": 1e-5, "MeanDecay": 0.1,
                                         "VarianceDecay": 0.1}),
    (lambda: layerNormalizationLayer(), {"Epsilon": 1e-5}),
    (lambda: sequenceInputLayer(3), {"Normalization": "none", "MinLength": 1}),
    (lambda: maxPooling1dLayer(2), {"Stride": 1, "Padding": 0}),
    (lambda: wordEmbeddingLayer(4, 10), {"WeightsInitializer": "narrow-normal"}),
])
def test_matlab_defaults(make, defaults):
    lay = make()
    for name, value in defaults.items():
        assert getattr(lay, name) == value, name


def test_layer_registry_lookup():
    assert layer_class("lstmLayer") is LSTMLayer
    assert layer_class("lstm") is LSTMLayer
    assert layer_class("bilstm") is BiLSTMLayer
    with pytest.raises(OptionError, match="Did you mean 'lstmLayer'"):
        layer_class("lstmLayr")


# --- initializers ---------------------------------------------------------------------------------

def init(lay, channels, seed=0):
    lay.initialize([vector_sequence(channels)], np.random.default_rng(seed))
    return lay


def assert_glorot(W, num_in, num_out):
    a = np.sqrt(6.0 / (num_in + num_out))
    assert np.abs(W).max() <= a
    assert np.abs(W).max() > 0.97 * a  # uses the whole interval
    assert W.var() == pytest.approx(2.0 / (num_in + num_out), rel=0.08)
    assert abs(W.mean()) < 0.05 * a


@pytest.mark.parametrize("make, gates", [(lambda: lstmLayer(30), 4),
                                         (lambda: bilstmLayer(30), 8),
                                         (lambda: gruLayer(30), 3)])
def test_glorot_input_weights(make, gates):
    C, H = 40, 30
    lay = init(make(), C)
    W = lay.InputWeights
    assert W.shape == (gates * H, C)
    assert_glorot(W, C, gates * H)  # numOut = 4H (lstm), 8H (bilstm), 3H (gru)


def test_glorot_recurrent_weights_when_asked():
    H = 30
    lay = init(lstmLayer(H, RecurrentWeightsInitializer="glorot"), 5)
    assert_glorot(lay.RecurrentWeights, H, 4 * H)


@pytest.mark.parametrize("make, rows", [(lambda: lstmLayer(6), 24), (lambda: bilstmLayer(6), 48),
                                        (lambda: gruLayer(6), 18)])
def test_orthogonal_recurrent_weights(make, rows):
    lay = init(make(), 3)
    R = lay.RecurrentWeights
    assert R.shape == (rows, 6)
    np.testing.assert_allclose(R.T @ R, np.eye(6), atol=1e-10)  # orthonormal columns


def test_unit_forget_gate_bias():
    H = 5
    b = init(lstmLayer(H), 3).Bias
    assert b.shape == (4 * H, 1)
    expected = np.zeros(4 * H)
    expected[H:2 * H] = 1.0  # forget gate only
    np.testing.assert_array_equal(b.reshape(-1), expected)
    b2 = init(bilstmLayer(H), 3).Bias.reshape(-1)
    assert b2.shape == (8 * H,)
    np.testing.assert_array_equal(b2, np.concatenate([expected, expected]))


def test_gru_bias_and_other_bias_initializers():
    H = 4
    assert not init(gruLayer(H), 3).Bias.any()
    assert init(gruLayer(H, ResetGateMode="recurrent-bias-after-multiplication"), 3).Bias.shape \
        == (6 * H, 1)
    assert (init(lstmLayer(H, BiasInitializer="ones"), 3).Bias == 1).all()
    nn = init(lstmLayer(200, BiasInitializer="narrow-normal"), 3).Bias
    assert nn.std() == pytest.approx(0.01, rel=0.15)


def test_he_initializer_variance():
    lay = init(fullyConnectedLayer(300, WeightsInitializer="he"), 50)
    assert lay.Weights.shape == (300, 50)
    assert lay.Weights.var() == pytest.approx(2.0 / 50, rel=0.08)
    conv = init(convolution1dLayer(3, 200, WeightsInitializer="he"), 20)
    assert conv.Weights.shape == (3, 20, 200)
    assert conv.Weights.var() == pytest.approx(2.0 / (3 * 20), rel=0.08)  # numIn = k * C
    lstm = init(lstmLayer(50, InputWeightsInitializer="he"), 40)
    assert lstm.InputWeights.var() == pytest.approx(2.0 / 40, rel=0.08)


def test_glorot_for_dense_and_convolution():
    fc = init(fullyConnectedLayer(100), 60)
    assert_glorot(fc.Weights, 60, 100)
    assert not fc.Bias.any() and fc.Bias.shape == (100, 1)
    conv = init(convolution1dLayer(4, 50), 30)
    assert_glorot(conv.Weights, 4 * 30, 4 * 50)
    assert conv.Bias.shape == (1, 50)


def test_other_initializers():
    emb = init(wordEmbeddingLayer(40, 300), 1)
    assert emb.Weights.shape == (40, 300)
    assert emb.Weights.std() == pytest.approx(0.01, rel=0.1)  # narrow-normal
    assert (init(fullyConnectedLayer(3, WeightsInitializer="ones"), 2).Weights == 1).all()
    assert not init(fullyConnectedLayer(3, WeightsInitializer="zeros"), 2).Weights.any()
    bn = init(batchNormalizationLayer(), 4)
    assert (bn.Offset == 0).all() and (bn.Scale == 1).all() and bn.Offset.shape == (4, 1)
    assert (bn.TrainedMean == 0).all() and (bn.TrainedVariance == 1).all()


def test_initialize_keeps_values_that_are_set():
    W = np.arange(12.0).reshape(4, 3)
    lay = lstmLayer(1, InputWeights=W)
    init(lay, 3)
    np.testing.assert_array_equal(lay.InputWeights, W)
    assert lay.RecurrentWeights.shape == (4, 1) and lay.Bias.shape == (4, 1)


def test_initializers_are_seeded():
    a = init(lstmLayer(4), 3, seed=5).InputWeights
    b = init(lstmLayer(4), 3, seed=5).InputWeights
    c = init(lstmLayer(4), 3, seed=6).InputWeights
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_option_names_may_be_unambiguous_prefixes_as_in_matlab():
    from layergraph import trainingOptions

    assert lstmLayer(10, "OutputM", "last").OutputMode == "last"
    assert lstmLayer(10, outputmode="last") == lstmLayer(10, OutputMode="last")
    o = trainingOptions("adam", "MaxEpoch", 3, "minibatch", 8, InitialLearn=0.01)
    assert (o.MaxEpochs, o.MiniBatchSize, o.InitialLearnRate) == (3, 8, 0.01)
    # An exact name wins over longer names it is a prefix of.
    assert lstmLayer(10, Name="x").Name == "x"


def test_an_ambiguous_prefix_lists_the_candidates():
    from layergraph import trainingOptions

    with pytest.raises(OptionError) as exc:
        trainingOptions("adam", "Validation", 3)
    e = exc.value
    assert e.option == "Validation" and e.part == "name"
    for name in ("ValidationData", "ValidationFrequency", "ValidationPatience"):
        assert name in str(e)
    assert "ambiguous" in str(e)
    with pytest.raises(OptionError, match="ambiguous option 'Input'") as exc:
        lstmLayer(10, Input=3)
    assert "InputWeights" in str(exc.value) and "InputSize" not in exc.value.expected.split()[0]
    with pytest.raises(OptionError, match="unknown option 'Zzz'"):
        lstmLayer(10, Zzz=1)
