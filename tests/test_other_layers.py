"""The non-recurrent layers against NumPy, and predict / classify input and output forms.

Every layer is run inside a compiled network (sequenceInputLayer -> layer -> regressionLayer) on
sequences of different lengths in one padded mini-batch; weights are set through the MATLAB-named
properties in MATLAB's layout.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from layergraph import (
    DataError,
    NetworkError,
    assembleNetwork,
    averagePooling1dLayer,
    classificationLayer,
    classify,
    convolution1dLayer,
    dropoutLayer,
    fullyConnectedLayer,
    globalAveragePooling1dLayer,
    globalMaxPooling1dLayer,
    layerNormalizationLayer,
    leakyReluLayer,
    lstmLayer,
    maxPooling1dLayer,
    predict,
    regressionLayer,
    reluLayer,
    sequenceInputLayer,
    softmaxLayer,
    tanhLayer,
    wordEmbeddingLayer,
)

C = 3
LENGTHS = [7, 2, 5, 1]
RNG = np.random.default_rng


def run(layers, X, channels=C, **opts):
    net = assembleNetwork([sequenceInputLayer(channels, Name="in"), *layers,
                           regressionLayer(Name="out")])
    return predict(net, X, MiniBatchSize=len(X) if isinstance(X, list) else 1, **opts)


def seqs(seed=0, lengths=LENGTHS, channels=C):
    rng = RNG(seed)
    return [rng.standard_normal((T, channels)) for T in lengths]


def close(got, want, atol=1e-5):
    if isinstance(want, list):
        assert len(got) == len(want)
        for i, (g, w) in enumerate(zip(got, want)):
            assert g.shape == w.shape, (i, g.shape, w.shape)
            np.testing.assert_allclose(g, w, atol=atol, rtol=0, err_msg=f"sequence {i}")
    else:
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, atol=atol, rtol=0)


# --- dense and element-wise ---------------------------------------------------------------------

def test_fully_connected_per_time_step():
    rng = RNG(1)
    W, b = rng.standard_normal((4, C)), rng.standard_normal((4, 1))
    fc = fullyConnectedLayer(4, "Weights", W, "Bias", b)
    X = seqs()
    close(run([fc], X), [x @ W.T + b.T for x in X])


def test_softmax_over_channels():
    X = seqs(2)

    def softmax(x):
        e = np.exp(x - x.max(1, keepdims=True))
        return e / e.sum(1, keepdims=True)

    Y = run([softmaxLayer()], X)
    close(Y, [softmax(x) for x in X])
    for y in Y:
        np.testing.assert_allclose(y.sum(1), 1.0, atol=1e-6)


@pytest.mark.parametrize("layer, fn", [
    (lambda: leakyReluLayer(0.3), lambda x: np.where(x >= 0, x, 0.3 * x)),
    (lambda: leakyReluLayer(), lambda x: np.where(x >= 0, x, 0.01 * x)),
    (lambda: reluLayer(), lambda x: np.maximum(x, 0)),
    (lambda: tanhLayer(), np.tanh),
    (lambda: dropoutLayer(0.5), lambda x: x),  # identity at prediction
])
def test_elementwise(layer, fn):
    X = seqs(3)
    close(run([layer()], X), [fn(x) for x in X])


def test_dropout_drops_only_in_training_mode():
    lay = dropoutLayer(0.5)
    from layergraph.formats import vector_sequence
    from layergraph.sequences import Signal

    mod = lay.build([vector_sequence(C)])
    x = torch.ones(4, 50, C)
    mod.train()
    y = mod(Signal(x, torch.full((4,), 50))).data
    assert set(np.unique(y.numpy())) == {0.0, 2.0}  # kept values scaled by 1/(1-p)
    mod.eval()
    assert torch.equal(mod(Signal(x, None)).data, x)


# --- 1-D convolution and pooling ------------------------------------------------------------------

def conv1d_reference(x, W, b, padding, stride=1, dilation=1):
    """x (T, C); W (k, C, F) MATLAB layout; b (1, F)."""
    k = W.shape[0]
    T = len(x)
    span = dilation * (k - 1) + 1
    if padding == "causal":
        pad = (dilation * (k - 1), 0)
    elif padding == "same":
        out = -(-T // stride)
        total = max((out - 1) * stride + span - T, 0)
        pad = (total // 2, total - total // 2)
    else:
        pad = padding
    xp = np.concatenate([np.zeros((pad[0], x.shape[1])), x, np.zeros((pad[1], x.shape[1]))])
    n = (len(xp) - span) // stride + 1
    y = np.zeros((n, W.shape[2]))
    for t in range(n):
        for j in range(k):
            y[t] += xp[t * stride + j * dilation] @ W[j]
    return y + b.reshape(-1)


@pytest.mark.parametrize("padding, stride, dilation", [
    ("causal", 1, 1), ("causal", 1, 2), ("same", 1, 1), ("same", 1, 3), ("same", 2, 1),
    ((1, 2), 1, 1), ((0, 0), 2, 1),
])
def test_convolution1d(padding, stride, dilation):
    rng = RNG(4)
    W, b = rng.standard_normal((3, C, 4)), rng.standard_normal((1, 4))
    opts = {"Padding": list(padding) if isinstance(padding, tuple) else padding,
            "Stride": stride, "DilationFactor": dilation, "Weights": W, "Bias": b}
    X = seqs(5, lengths=[9, 4, 6, 3])
    Y = run([convolution1dLayer(3, 4, **opts)], X)
    close(Y, [conv1d_reference(x, W, b, padding, stride, dilation) for x in X])


def test_convolution1d_causal_uses_only_the_past():
    """Changing step t of the input changes no output before t."""
    rng = RNG(6)
    conv = convolution1dLayer(4, 2, Padding="causal", DilationFactor=2,
                              Weights=rng.standard_normal((4, C, 2)), Bias=np.zeros((1, 2)))
    x = rng.standard_normal((10, C))
    x2 = x.copy()
    x2[6] += 5.0
    y, y2 = run([conv], [x, x2])
    np.testing.assert_allclose(y[:6], y2[:6], atol=1e-6)
    assert np.abs(y[6] - y2[6]).max() > 1e-3


def pool_reference(x, k, stride, padding, mode):
    T = len(x)
    if padding == "same":
        out = -(-T // stride)
        total = max((out - 1) * stride + k - T, 0)
        pad = (total // 2, total - total // 2)
    else:
        pad = padding
    fill = -np.inf if mode == "max" else 0.0
    xp = np.concatenate([np.full((pad[0], x.shape[1]), fill), x,
                         np.full((pad[1], x.shape[1]), fill)])
    n = (len(xp) - k) // stride + 1
    f = np.max if mode == "max" else np.mean
    return np.stack([f(xp[t * stride:t * stride + k], axis=0) for t in range(n)])


@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize("k, stride, padding", [(2, 1, (0, 0)), (3, 1, "same"), (2, 2, (0, 0)),
                                                (3, 2, "same"), (2, 1, (1, 1))])
def test_pooling1d(mode, k, stride, padding):
    ctor = maxPooling1dLayer if mode == "max" else averagePooling1dLayer
    pad = padding if padding == "same" else list(padding)
    X = [x - 1.0 for x in seqs(7, lengths=[8, 3, 5, 2])]
    Y = run([ctor(k, "Stride", stride, "Padding", pad)], X)
    close(Y, [pool_reference(x, k, stride, padding, mode) for x in X])


def test_global_pooling():
    X = [x - 2.0 for x in seqs(8)]  # negative: a max over padding zeros would show
    close(run([globalMaxPooling1dLayer()], X), np.stack([x.max(0) for x in X]))
    close(run([globalAveragePooling1dLayer()], X), np.stack([x.mean(0) for x in X]))


# --- normalization, embedding, input normalization ------------------------------------------------

def test_layer_normalization_over_channels_per_time_step():
    rng = RNG(9)
    off, sc = rng.standard_normal((4, 1)), rng.uniform(0.5, 2, (4, 1))
    X = seqs(10, channels=4)
    Y = run([layerNormalizationLayer("Offset", off, "Scale", sc, "Epsilon", 1e-3)], X, channels=4)
    want = [(x - x.mean(1, keepdims=True)) / np.sqrt(x.var(1, keepdims=True) + 1e-3) * sc.T + off.T
            for x in X]
    close(Y, want)


def test_word_embedding_uses_matlab_1_based_indices():
    rng = RNG(11)
    W = rng.standard_normal((3, 5))  # Dimension x NumWords
    emb = wordEmbeddingLayer(3, 5, "Weights", W)
    X = [np.array([[1], [5], [2]]), np.array([[4]]), np.array([[3], [3]])]
    Y = run([emb], X, channels=1)
    close(Y, [W[:, x[:, 0] - 1].T for x in X])
    with pytest.raises(DataError, match="1..5"):
        run([emb], [np.array([[0], [1]])], channels=1)
    with pytest.raises(DataError, match="1..5"):
        run([emb], [np.array([[6]])], channels=1)


@pytest.mark.parametrize("mode, stats, fn", [
    ("zscore", {"Mean": [1.0, -2.0, 0.5], "StandardDeviation": [2.0, 0.5, 1.0]},
     lambda x, s: (x - s["Mean"]) / s["StandardDeviation"]),
    ("zerocenter", {"Mean": [1.0, -2.0, 0.5]}, lambda x, s: x - s["Mean"]),
    ("rescale-symmetric", {"Min": [-3.0, 0.0, -1.0], "Max": [3.0, 2.0, 4.0]},
     lambda x, s: 2 * (x - s["Min"]) / (np.array(s["Max"]) - s["Min"]) - 1),
    ("rescale-zero-one", {"Min": [-3.0, 0.0, -1.0], "Max": [3.0, 2.0, 4.0]},
     lambda x, s: (x - s["Min"]) / (np.array(s["Max"]) - s["Min"])),
])
def test_sequence_input_normalization(mode, stats, fn):
    X = seqs(12)
    net = assembleNetwork([sequenceInputLayer(C, Normalization=mode, **stats), regressionLayer()])
    close(predict(net, X), [fn(x, {k: np.array(v) for k, v in stats.items()}) for x in X])


def test_sequence_input_normalization_needs_its_statistics():
    with pytest.raises(NetworkError, match="sequenceinput.*zscore.*Mean, StandardDeviation"):
        assembleNetwork([sequenceInputLayer(C, Normalization="zscore"), regressionLayer()])


# --- predict / classify forms ---------------------------------------------------------------------

def fc_net(mode="sequence", K=2, classes=None):
    rng = RNG(13)
    lstm = lstmLayer(4, OutputMode=mode, Name="lstm")
    lstm.InputWeights = rng.standard_normal((16, C)) * 0.5
    lstm.RecurrentWeights = rng.standard_normal((16, 4)) * 0.5
    lstm.Bias = np.zeros((16, 1))
    fc = fullyConnectedLayer(K, Weights=rng.standard_normal((K, 4)), Bias=np.zeros((K, 1)),
                             Name="fc")
    out = classificationLayer(Classes=classes, Name="out") if classes else regressionLayer()
    tail = [softmaxLayer(Name="sm"), out] if classes else [out]
    return assembleNetwork([sequenceInputLayer(C, Name="in"), lstm, fc, *tail])


def test_predict_forms_for_sequence_output():
    net = fc_net()
    X = seqs(14)
    listed = predict(net, X)
    assert isinstance(listed, list) and [y.shape for y in listed] == [(T, 2) for T in LENGTHS]
    one = predict(net, X[0])
    assert isinstance(one, np.ndarray) and one.shape == (LENGTHS[0], 2)
    np.testing.assert_allclose(one, listed[0], atol=1e-6)
    arr = np.stack([x[:1] for x in X])  # (N, T, C)
    from_array = predict(net, arr)
    assert len(from_array) == len(X)
    for y, x in zip(from_array, arr):
        np.testing.assert_allclose(y, predict(net, x), atol=1e-6)
    # MATLAB's C-by-T layout when asked for
    ct = predict(net, [x.T for x in X], DataLayout="CT")
    for a, b in zip(ct, listed):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_predict_forms_for_last_output():
    net = fc_net("last")
    X = seqs(15)
    Y = predict(net, X)
    assert isinstance(Y, np.ndarray) and Y.shape == (len(X), 2)
    assert predict(net, X[2]).shape == (1, 2)
    np.testing.assert_allclose(predict(net, X[2])[0], Y[2], atol=1e-6)
    Y3 = predict(net, np.stack([x[:1] for x in X]))
    assert Y3.shape == (len(X), 2)


@pytest.mark.parametrize("X, match", [
    (lambda x: [x[0], x[1][:, :2], x[2]], r"X\[1\] has 2 channels, expected 3"),
    (lambda x: [x[0], np.zeros((0, 3))], r"X\[1\] is empty"),
    (lambda x: [x[0], x[1], np.where(np.arange(15).reshape(5, 3) == 7, np.nan, x[2])],
     r"X\[2\] contains NaN or Inf \(first at time step 2\)"),
    (lambda x: np.arange(5.0), r"X has shape \(5,\)"),
    (lambda x: [x[0], np.arange(5.0)], r"X\[1\] has shape \(5,\)"),
    (lambda x: [x[0], "abc"], r"X\[1\] is not numeric"),
    (lambda x: [], "empty list"),
    (lambda x: 42, "must be an array or a list"),
    (lambda x: x[0].T, "has 7 channels, expected 3.*DataLayout='CT'"),
])
def test_bad_data_names_the_sequence(X, match):
    net = fc_net()
    with pytest.raises(DataError, match=match):
        predict(net, X(seqs(16, lengths=[7, 4, 5])))


def test_single_channel_sequences_may_be_vectors():
    net = assembleNetwork([sequenceInputLayer(1), reluLayer(), regressionLayer()])
    y = predict(net, [np.array([-1.0, 2.0, -3.0])])
    np.testing.assert_array_equal(y[0][:, 0], [0.0, 2.0, 0.0])


def test_classify_returns_labels():
    net = fc_net("last", K=3, classes=["a", "b", "c"])
    X = seqs(17)
    labels, scores = classify(net, X)
    assert scores.shape == (len(X), 3)
    assert list(labels) == [["a", "b", "c"][i] for i in scores.argmax(1)]
    assert net.Classes == ("a", "b", "c")
    seq_net = fc_net("sequence", K=3, classes=["x", "y", "z"])
    labels, scores = classify(seq_net, X)
    assert [len(lab) for lab in labels] == LENGTHS  # one label per time step
    for lab, s in zip(labels, scores):
        assert list(lab) == [["x", "y", "z"][i] for i in s.argmax(1)]
    with pytest.raises(NetworkError, match="classificationLayer"):
        classify(fc_net("last"), X)
