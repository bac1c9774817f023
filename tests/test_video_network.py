"""The video classification network from MATLAB's sequenceFoldingLayer documentation.

    sequenceInputLayer([28 28 1]) -> sequenceFoldingLayer -> convolution2dLayer(5,20)
    -> batchNormalizationLayer -> reluLayer -> sequenceUnfoldingLayer -> flattenLayer
    -> lstmLayer(200,'OutputMode','last') -> fullyConnectedLayer(10) -> softmaxLayer
    -> classificationLayer,   connectLayers(lgraph,'fold/miniBatchSize','unfold/miniBatchSize')

The analysis must give MATLAB's sizes at every layer; the compiled network must equal a NumPy
computation (conv2d in MATLAB's h x w x C x F layout, flatten in column-major order, the
reference LSTM) on a batch of image sequences of different lengths.
"""

from __future__ import annotations

import numpy as np
import pytest
import reference_rnn as ref
from conftest import initialize_learnables

from layergraph import (
    analyzeNetwork,
    assembleNetwork,
    batchNormalizationLayer,
    classificationLayer,
    classify,
    connectLayers,
    convolution2dLayer,
    flattenLayer,
    fullyConnectedLayer,
    layerGraph,
    lstmLayer,
    predict,
    regressionLayer,
    reluLayer,
    sequenceFoldingLayer,
    sequenceInputLayer,
    sequenceUnfoldingLayer,
    softmaxLayer,
)


def video_graph(size=28, filt=5, filters=20, hidden=200, classes=10, connect=True):
    layers = [
        sequenceInputLayer([size, size, 1], "Name", "input"),
        sequenceFoldingLayer("Name", "fold"),
        convolution2dLayer(filt, filters, "Name", "conv"),
        batchNormalizationLayer("Name", "bn"),
        reluLayer("Name", "relu"),
        sequenceUnfoldingLayer("Name", "unfold"),
        flattenLayer("Name", "flatten"),
        lstmLayer(hidden, "OutputMode", "last", "Name", "lstm"),
        fullyConnectedLayer(classes, "Name", "fc"),
        softmaxLayer("Name", "softmax"),
        classificationLayer("Name", "classification"),
    ]
    lgraph = layerGraph(layers)
    if connect:
        lgraph = connectLayers(lgraph, "fold/miniBatchSize", "unfold/miniBatchSize")
    return lgraph


# --- NumPy reference ------------------------------------------------------------------------------

def conv2d_valid(frame, W, B):
    """frame (h, w, C); W (fh, fw, C, F) MATLAB layout; cross-correlation, no padding, stride 1."""
    fh, fw, _, F = W.shape
    oh, ow = frame.shape[0] - fh + 1, frame.shape[1] - fw + 1
    out = np.zeros((oh, ow, F))
    for a in range(fh):
        for b in range(fw):
            out += np.einsum("ijc,cf->ijf", frame[a:a + oh, b:b + ow], W[a, b])
    return out + np.asarray(B).reshape(-1)


def matlab_flatten(a):
    """Column-major: h fastest, then w, then c."""
    return np.asarray(a).reshape(-1, order="F")


def layer(lgraph, name):
    return next(lay for lay in lgraph.Layers if lay.Name == name)


def reference_scores(lgraph, seq):
    """The whole network in NumPy, for one (T, h, w, 1) sequence: class scores (K,)."""
    conv, bn, lstm, fc = (layer(lgraph, n) for n in ("conv", "bn", "lstm", "fc"))
    feats = []
    for frame in seq:
        z = conv2d_valid(frame, conv.Weights, conv.Bias)
        z = (z - bn.TrainedMean.reshape(-1)) / np.sqrt(bn.TrainedVariance.reshape(-1) + bn.Epsilon)
        z = z * bn.Scale.reshape(-1) + bn.Offset.reshape(-1)
        feats.append(matlab_flatten(np.maximum(z, 0)))
    Y, _, _ = ref.lstm_forward(np.stack(feats), lstm.InputWeights, lstm.RecurrentWeights, lstm.Bias)
    logits = fc.Weights @ Y[-1] + fc.Bias.reshape(-1)
    e = np.exp(logits - logits.max())
    return e / e.sum()


def randomize_statistics(lgraph, rng):
    bn = layer(lgraph, "bn")
    c = bn.Offset.size
    bn.Offset = rng.normal(0, 0.3, (c, 1))
    bn.Scale = rng.uniform(0.5, 1.5, (c, 1))
    bn.TrainedMean = rng.normal(0, 0.3, (c, 1))
    bn.TrainedVariance = rng.uniform(0.5, 2.0, (c, 1))


# --- analysis -------------------------------------------------------------------------------------

EXPECTED = {
    "input": "28(S) x 28(S) x 1(C) x 1(B) x T(T)",
    "fold": "28(S) x 28(S) x 1(C) x 1(B)",
    "conv": "24(S) x 24(S) x 20(C) x 1(B)",
    "bn": "24(S) x 24(S) x 20(C) x 1(B)",
    "relu": "24(S) x 24(S) x 20(C) x 1(B)",
    "unfold": "24(S) x 24(S) x 20(C) x 1(B) x T(T)",
    "flatten": "11520(C) x 1(B) x T(T)",
    "lstm": "200(C) x 1(B)",
    "fc": "10(C) x 1(B)",
    "softmax": "10(C) x 1(B)",
}

LEARNABLES = {
    "conv": {"Weights": (5, 5, 1, 20), "Bias": (1, 1, 20)},
    "lstm": {"InputWeights": (800, 11520), "RecurrentWeights": (800, 200), "Bias": (800, 1)},
    "fc": {"Weights": (10, 200), "Bias": (10, 1)},
}


def test_analysis_sizes_of_the_documented_network(capsys):
    result = analyzeNetwork(video_graph())
    printed = capsys.readouterr().out
    assert result.ok, [p.message for p in result.problems]
    assert [r.name for r in result.layers] == [
        "input", "fold", "conv", "bn", "relu", "unfold", "flatten", "lstm", "fc", "softmax",
        "classification"]
    for name, act in EXPECTED.items():
        assert str(result.report(name).activations["out"]) == act, name
        assert act in printed
    for name, shapes in LEARNABLES.items():
        assert result.report(name).learnables == shapes, name
    assert result.report("bn").learnables == {"Offset": (1, 1, 20), "Scale": (1, 1, 20)}
    conv_n = 5 * 5 * 20 + 20
    lstm_n = 800 * 11520 + 800 * 200 + 800
    assert result.total_learnables == conv_n + 40 + lstm_n + 10 * 200 + 10
    assert "No problems found" in printed


def test_analysis_without_the_minibatchsize_connection():
    result = analyzeNetwork(video_graph(connect=False), verbose=False)
    assert {p.kind for p in result.problems} == {"fold-without-unfold", "unfold-without-fold"}
    assert result.problems_of("fold-without-unfold")[0].layers == ("fold",)
    assert result.problems_of("unfold-without-fold")[0].layers == ("unfold",)
    # layers before the break still get their sizes
    assert str(result.report("conv").activations["out"]) == EXPECTED["conv"]


# --- running --------------------------------------------------------------------------------------

def frames(rng, lengths, size):
    return [rng.uniform(0, 1, (T, size, size, 1)) for T in lengths]


def test_small_video_network_matches_numpy():
    rng = np.random.default_rng(0)
    lg = initialize_learnables(video_graph(size=8, filt=3, filters=4, hidden=5, classes=3), seed=1)
    randomize_statistics(lg, rng)
    lstm = layer(lg, "lstm")
    assert lstm.InputWeights.shape == (20, 6 * 6 * 4)
    net = assembleNetwork(lg)
    X = frames(rng, [3, 1, 5, 2], 8)
    scores = predict(net, X, "MiniBatchSize", 4)
    assert scores.shape == (4, 3)
    want = np.stack([reference_scores(lg, x) for x in X])
    np.testing.assert_allclose(scores, want, atol=1e-5)
    # each sequence alone gives the same scores (padding invariance through fold/unfold)
    np.testing.assert_allclose(predict(net, X, MiniBatchSize=1), scores, atol=1e-6)


def test_documented_video_network_runs_at_full_size():
    rng = np.random.default_rng(1)
    lg = initialize_learnables(video_graph(), seed=2)
    randomize_statistics(lg, rng)
    lay = layer(lg, "classification")
    lay.Classes = [str(i) for i in range(10)]
    net = assembleNetwork(lg)
    X = frames(rng, [2, 4, 3], 28)
    labels, scores = classify(net, X, MiniBatchSize=3)
    assert scores.shape == (3, 10)
    np.testing.assert_allclose(scores.sum(1), 1.0, atol=1e-5)
    want = np.stack([reference_scores(lg, x) for x in X])
    np.testing.assert_allclose(scores, want, atol=1e-5)
    assert list(labels) == [str(i) for i in want.argmax(1)]


def test_per_frame_convolution_and_flatten_order():
    """input -> fold -> conv -> unfold -> flatten: every frame equals NumPy conv2d (MATLAB weight
    layout h x w x C x F) flattened column-major."""
    rng = np.random.default_rng(2)
    h, w, c = 6, 5, 2
    conv = convolution2dLayer([3, 2], 3, "Name", "conv")
    conv.Weights = rng.normal(size=(3, 2, c, 3))  # not symmetric in h and w: catches transposes
    conv.Bias = rng.normal(size=(1, 1, 3))
    lg = layerGraph([sequenceInputLayer([h, w, c], Name="in"), sequenceFoldingLayer(Name="fold"),
                     conv, sequenceUnfoldingLayer(Name="unfold"), flattenLayer(Name="flat"),
                     regressionLayer(Name="out")])
    lg = connectLayers(lg, "fold/miniBatchSize", "unfold/miniBatchSize")
    result = analyzeNetwork(lg, verbose=False)
    assert str(result.report("flat").activations["out"]) == "48(C) x 1(B) x T(T)"
    net = assembleNetwork(lg)
    X = [rng.normal(size=(T, h, w, c)) for T in (3, 1, 2)]
    Y = predict(net, X, MiniBatchSize=3)
    for x, y in zip(X, Y):
        assert y.shape == (len(x), 4 * 4 * 3)
        for t in range(len(x)):
            want = matlab_flatten(conv2d_valid(x[t], conv.Weights, conv.Bias))
            np.testing.assert_allclose(y[t], want, atol=1e-5)


@pytest.mark.parametrize("via", ["flatten", "fullyConnected"])
def test_flatten_order_is_column_major(via):
    """On a 2x3x2 image the k-th flattened value is element k of x(:) in MATLAB."""
    h, w, c = 2, 3, 2
    x = np.arange(h * w * c, dtype=float).reshape(h, w, c) + 1.0
    seq = x[None]  # one time step
    if via == "flatten":
        layers = [sequenceInputLayer([h, w, c]), flattenLayer(), regressionLayer()]
    else:
        fc = fullyConnectedLayer(h * w * c)
        fc.Weights = np.eye(h * w * c)  # output k = flattened input k
        fc.Bias = np.zeros((h * w * c, 1))
        layers = [sequenceInputLayer([h, w, c]), fc, regressionLayer()]
    y = predict(assembleNetwork(layers), seq)
    expected = x.reshape(-1, order="F")  # x(1,1,1), x(2,1,1), x(1,2,1), ...
    np.testing.assert_array_equal(y[0], expected)
    assert expected[:4].tolist() == [x[0, 0, 0], x[1, 0, 0], x[0, 1, 0], x[1, 1, 0]]


def test_batchnorm_statistics_of_folded_frames_use_real_frames_only():
    """Training-mode batch normalization inside fold/unfold sees only the real frames."""
    import torch

    from layergraph.sequences import Signal, pad_sequences

    rng = np.random.default_rng(3)
    lg = initialize_learnables(video_graph(size=6, filt=3, filters=2, hidden=3, classes=2))
    conv = layer(lg, "conv")
    conv.Weights = np.ones((3, 3, 1, 2)) * np.array([1.0, -1.0])
    conv.Bias = np.zeros((1, 1, 2))
    net = assembleNetwork(lg)
    X = [rng.uniform(0, 1, (T, 6, 6, 1)) for T in (4, 1, 2)]
    data, lengths = pad_sequences(X, value=100.0)
    x = torch.as_tensor(np.moveaxis(data, 4, 2))  # (B, T, C, H, W)
    net.module.train()
    with torch.no_grad():
        net.module(Signal(x, torch.as_tensor(lengths)))
    net.module.eval()
    net.sync_layers()
    real = np.concatenate(X)  # (frames, 6, 6, 1)
    sums = np.stack([conv2d_valid(f, conv.Weights, conv.Bias) for f in real])
    np.testing.assert_allclose(layer(net.graph, "bn").TrainedMean.reshape(-1),
                               0.1 * sums.reshape(-1, 2).mean(0), atol=1e-4)
