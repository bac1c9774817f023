"""Activation layers, 2-D pooling and instance / group normalization, on images and image
sequences.

Every forward result is checked against NumPy written here (MATLAB's formulas and layouts:
h x w x C frames, flattened column-major), never against the layer's own module. 2-D layers on
image sequences (SSCBT) must act on every frame alone: equal to folding the frames by hand and to
a sequenceFoldingLayer network. Padded batches equal each sequence alone, also with a large
padding value. Options are checked for MATLAB's defaults and for hostile values.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import reference_rnn as ref
import torch
from conftest import initialize_learnables

from layergraph import (
    LayerGraph,
    OptionError,
    analyzeNetwork,
    assembleNetwork,
    averagePooling2dLayer,
    batchNormalizationLayer,
    clippedReluLayer,
    connectLayers,
    convolution2dLayer,
    dropoutLayer,
    eluLayer,
    flattenLayer,
    fullyConnectedLayer,
    geluLayer,
    globalAveragePooling1dLayer,
    globalAveragePooling2dLayer,
    globalMaxPooling2dLayer,
    groupNormalizationLayer,
    instanceNormalizationLayer,
    layerGraph,
    load_network,
    lstmLayer,
    maxPooling2dLayer,
    predict,
    regressionLayer,
    reluLayer,
    save_network,
    sequenceFoldingLayer,
    sequenceInputLayer,
    sequenceUnfoldingLayer,
    sigmoidLayer,
    softplusLayer,
    swishLayer,
    trainingOptions,
    trainNetwork,
)
from layergraph.formats import Activation
from layergraph.sequences import Signal

PAD = 1e3  # a padding value no real result could hide
RNG = np.random.default_rng
LENGTHS = [3, 1, 4, 2]


def flat(frame):
    """One h x w x C frame as MATLAB's x(:): h fastest, then w, then C."""
    return np.asarray(frame).reshape(-1, order="F")


def image_seqs(seed, hwc, lengths=LENGTHS, scale=1.0):
    rng = RNG(seed)
    return [scale * rng.standard_normal((T, *hwc)) for T in lengths]


def image_net(layers, hwc):
    """sequenceInputLayer([h w c]) -> layers -> flatten -> regression: outputs every frame."""
    return assembleNetwork([sequenceInputLayer(list(hwc), Name="in"), *layers,
                            flattenLayer(Name="flat"), regressionLayer(Name="out")])


def per_frame(fn, X):
    """NumPy: ``fn`` on every frame of every sequence, flattened column-major."""
    return [np.stack([flat(fn(f)) for f in x]) for x in X]


def close(got, want, atol=1e-5):
    assert len(got) == len(want)
    for i, (g, w) in enumerate(zip(got, want)):
        assert g.shape == w.shape, (i, g.shape, w.shape)
        np.testing.assert_allclose(g, w, atol=atol, rtol=1e-5, err_msg=f"sequence {i}")


def batched_and_alone(net, X):
    """Predictions of one padded mini-batch (padding value PAD) and of each sequence alone."""
    batched = predict(net, X, MiniBatchSize=len(X), SequencePaddingValue=PAD)
    alone = predict(net, X, MiniBatchSize=1)
    return batched, alone


# --- activations -------------------------------------------------------------------------------

ERF = np.vectorize(math.erf)


def np_elu(x, a):
    return np.where(x >= 0, x, a * (np.exp(np.minimum(x, 0)) - 1))


ACTIVATIONS = {
    "sigmoid": (sigmoidLayer(), lambda x: 1 / (1 + np.exp(-x))),
    "elu": (eluLayer(), lambda x: np_elu(x, 1.0)),
    "elu 0.3": (eluLayer(0.3), lambda x: np_elu(x, 0.3)),
    "elu -0.5": (eluLayer("Alpha", -0.5), lambda x: np_elu(x, -0.5)),
    "gelu": (geluLayer(), lambda x: x / 2 * (1 + ERF(x / np.sqrt(2)))),
    "gelu tanh": (geluLayer(Approximation="tanh"),
                  lambda x: x / 2 * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))),
    "swish": (swishLayer(), lambda x: x / (1 + np.exp(-x))),
    "clippedRelu": (clippedReluLayer(1.5), lambda x: np.minimum(np.maximum(x, 0), 1.5)),
    "softplus": (softplusLayer(), lambda x: np.log1p(np.exp(x))),
}


@pytest.mark.parametrize("name", ACTIVATIONS, ids=list(ACTIVATIONS))
def test_activation_on_vector_sequences_matches_numpy(name):
    layer, ref = ACTIVATIONS[name]
    rng = RNG(1)
    X = [3 * rng.standard_normal((T, 4)) for T in (6, 2, 5)]
    net = assembleNetwork([sequenceInputLayer(4), layer.copy(), regressionLayer()])
    batched = predict(net, X, MiniBatchSize=3, SequencePaddingValue=PAD)
    close(batched, [ref(x) for x in X])


@pytest.mark.parametrize("name", ACTIVATIONS, ids=list(ACTIVATIONS))
def test_activation_on_image_sequences_keeps_the_format_and_matches_numpy(name):
    layer, ref = ACTIVATIONS[name]
    hwc = (3, 2, 2)
    result = analyzeNetwork([sequenceInputLayer(list(hwc)), layer.copy(Name="act")],
                            verbose=False)
    assert str(result.report("act").activations["out"]) == "3(S) x 2(S) x 2(C) x 1(B) x T(T)"
    X = image_seqs(2, hwc, scale=3.0)
    batched, alone = batched_and_alone(image_net([layer.copy()], hwc), X)
    close(batched, per_frame(ref, X))
    close(alone, batched)


def test_activation_defaults_and_matlab_forms():
    assert eluLayer().Alpha == 1.0 and eluLayer(2).Alpha == 2.0
    assert eluLayer("Alpha", 0.5) == eluLayer(Alpha=0.5) == eluLayer(0.5)
    assert geluLayer().Approximation == "none"
    assert geluLayer("Approximation", "TANH").Approximation == "tanh"
    assert clippedReluLayer(10, "Name", "clip1") == clippedReluLayer(10, Name="clip1")
    assert clippedReluLayer(10).Ceiling == 10.0
    assert softplusLayer().config() == {"Name": ""}
    names = [lay.Name for lay in layerGraph([
        sequenceInputLayer(2), sigmoidLayer(), eluLayer(), geluLayer(), swishLayer(),
        clippedReluLayer(1), softplusLayer(), regressionLayer()]).Layers]
    assert names[1:-1] == ["sigmoid", "elu", "gelu", "swish", "clippedrelu", "softplus"]


ODD = [1 + 2j, float("inf"), float("nan"), np.array([1, 2]), None, "10", (), object(),
       {"a": 1}, b"xy"]
ODD_VECTOR = [v for v in ODD if not isinstance(v, np.ndarray)]  # [1 2] is a valid size


@pytest.mark.parametrize("make, option, bad", [
    (lambda v: clippedReluLayer(v), "Ceiling", [0, -1, *ODD]),
    (lambda v: eluLayer(v), "Alpha", ODD),
    (lambda v: geluLayer(Approximation=v), "Approximation", ["erf", "", 1, *ODD]),
    (lambda v: maxPooling2dLayer(v), "PoolSize", [0, -2, 2.5, [2, 2, 2], [], *ODD_VECTOR]),
    (lambda v: averagePooling2dLayer(2, Stride=v), "Stride", [0, [1, 0], 1.5, *ODD_VECTOR]),
    (lambda v: maxPooling2dLayer(3, Padding=v), "Padding",
     [-1, [1, 2, 3], "valid", 3, [0, 3], [0, 0, 0, 5], *ODD_VECTOR]),
    (lambda v: averagePooling2dLayer(2, PaddingValue=v), "PaddingValue",
     [1, -0.5, "median", *ODD]),
    (lambda v: groupNormalizationLayer(v), "NumGroups",
     [0, 2.5, -1, "some", "all", [2, 2], *ODD]),
    (lambda v: groupNormalizationLayer(2, Epsilon=v), "Epsilon", [0, -1e-5, *ODD]),
    (lambda v: instanceNormalizationLayer(NumChannels=v), "NumChannels", [0, 1.5, "all", *ODD]),
    (lambda v: instanceNormalizationLayer(OffsetInitializer=v), "OffsetInitializer",
     ["glorot", "he", *ODD]),
    (lambda v: groupNormalizationLayer(1, ScaleInitializer=v), "ScaleInitializer",
     ["orthogonal", *ODD]),
    (lambda v: instanceNormalizationLayer(ScaleLearnRateFactor=v), "ScaleLearnRateFactor",
     [-1, *ODD]),
    (lambda v: groupNormalizationLayer(2, Offset=v), "Offset", ["abc", 1 + 2j, [np.nan]]),
])
def test_hostile_option_values_raise_option_errors_naming_the_option(make, option, bad):
    for v in bad:
        try:
            make(v)
        except OptionError as exc:
            assert exc.option == option and exc.part == "value", (v, exc)
            assert option in str(exc) and exc.expected, (v, exc)
        except Exception as exc:  # noqa: BLE001  (the point: nothing else escapes)
            pytest.fail(f"{option} = {v!r} raised {type(exc).__name__}: {exc}")
        else:
            pytest.fail(f"{option} = {v!r} was accepted")


def test_required_and_unknown_options():
    for make, option in ((clippedReluLayer, "Ceiling"), (maxPooling2dLayer, "PoolSize"),
                         (averagePooling2dLayer, "PoolSize"),
                         (groupNormalizationLayer, "NumGroups")):
        with pytest.raises(OptionError) as exc:
            make()
        assert exc.value.option == option and "missing required" in str(exc.value)
    with pytest.raises(OptionError, match="unknown option 'Alpha'"):
        softplusLayer("Alpha", 1)
    with pytest.raises(OptionError, match="unknown option 'PaddingValue'"):
        maxPooling2dLayer(2, PaddingValue=0)  # MATLAB's max pooling has none


# --- 2-D pooling against NumPy -----------------------------------------------------------------

def matlab_same(n, k, s):
    """MATLAB's 'same': ceil(n/s) outputs, the odd padding element at the bottom / right."""
    total = max((math.ceil(n / s) - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def np_pool(frame, pool, stride, padding, mode, mean_padding=False):
    """One h x w x C frame; padding 'same', p, [a b] or [t b l r] as MATLAB takes it."""
    h, w, c = frame.shape
    if padding == "same":
        (t, b), (left, r) = matlab_same(h, pool[0], stride[0]), matlab_same(w, pool[1], stride[1])
    elif np.ndim(padding) == 0:
        t = b = left = r = padding
    elif len(padding) == 2:
        t = b = padding[0]
        left = r = padding[1]
    else:
        t, b, left, r = padding
    fill = -np.inf if mode == "max" else 0.0
    P = np.full((h + t + b, w + left + r, c), fill)
    P[t:t + h, left:left + w] = frame
    real = np.zeros(P.shape[:2])
    real[t:t + h, left:left + w] = 1
    oh = (P.shape[0] - pool[0]) // stride[0] + 1
    ow = (P.shape[1] - pool[1]) // stride[1] + 1
    out = np.zeros((oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            rows = slice(i * stride[0], i * stride[0] + pool[0])
            cols = slice(j * stride[1], j * stride[1] + pool[1])
            region = P[rows, cols]
            if mode == "max":
                out[i, j] = region.max((0, 1))
            else:
                n = real[rows, cols].sum() if mean_padding else pool[0] * pool[1]
                out[i, j] = region.sum((0, 1)) / n
    return out


POOLS = [  # (PoolSize, Stride, Padding) on 7 x 6 frames
    ([2, 2], [2, 2], 0),
    ([3, 2], [1, 1], 0),
    ([3, 3], [2, 2], "same"),
    ([2, 3], [3, 2], "same"),
    ([3, 2], [2, 1], [1, 0, 0, 1]),
    ([3, 3], [1, 2], [2, 1]),
    ([2, 2], [1, 1], 1),
]


@pytest.mark.parametrize("mode, mean_padding", [("max", False), ("average", False),
                                                ("average", True)],
                         ids=["max", "average", "average-mean-padding"])
@pytest.mark.parametrize("pool, stride, padding", POOLS, ids=[str(p) for p in POOLS])
def test_pooling_on_image_sequences_matches_numpy_frame_by_frame(pool, stride, padding, mode,
                                                                  mean_padding):
    hwc = (7, 6, 3)
    if mode == "max":
        layer = maxPooling2dLayer(pool, "Stride", stride, "Padding", padding, "Name", "pool")
    else:
        layer = averagePooling2dLayer(pool, Stride=stride, Padding=padding, Name="pool",
                                      PaddingValue="mean" if mean_padding else 0)
    X = image_seqs(3, hwc)
    want = per_frame(lambda f: np_pool(f, pool, stride, padding, mode, mean_padding), X)
    oh, ow, _ = np_pool(X[0][0], pool, stride, padding, mode, mean_padding).shape
    result = analyzeNetwork([sequenceInputLayer(list(hwc)), layer.copy()], verbose=False)
    assert str(result.report("pool").activations["out"]) == \
        f"{oh}(S) x {ow}(S) x 3(C) x 1(B) x T(T)"
    batched, alone = batched_and_alone(image_net([layer], hwc), X)
    close(batched, want)
    close(alone, batched)


@pytest.mark.parametrize("layer, ref", [
    (globalAveragePooling2dLayer(Name="g"), lambda f: f.mean((0, 1), keepdims=True)),
    (globalMaxPooling2dLayer(Name="g"), lambda f: f.max((0, 1), keepdims=True)),
], ids=["average", "max"])
def test_global_pooling_per_frame(layer, ref):
    hwc = (5, 4, 3)
    result = analyzeNetwork([sequenceInputLayer(list(hwc)), layer.copy(), flattenLayer(Name="f")],
                            verbose=False)
    assert str(result.report("g").activations["out"]) == "1(S) x 1(S) x 3(C) x 1(B) x T(T)"
    assert str(result.report("f").activations["out"]) == "3(C) x 1(B) x T(T)"
    X = image_seqs(4, hwc)
    batched, alone = batched_and_alone(image_net([layer], hwc), X)
    close(batched, per_frame(ref, X))
    close(alone, batched)


def test_pooling_defaults_and_descriptions():
    mp = maxPooling2dLayer(2)
    assert (mp.PoolSize, mp.Stride, mp.Padding) == ((2, 2), (1, 1), 0)
    assert maxPooling2dLayer(2, "Stride", 2) == maxPooling2dLayer([2, 2], Stride=[2, 2])
    ap = averagePooling2dLayer([3, 1], Padding="SAME")
    assert ap.PoolSize == (3, 1) and ap.Padding == "same" and ap.PaddingValue == 0
    assert averagePooling2dLayer(2, PaddingValue="MEAN").PaddingValue == "mean"
    assert mp.describe() == "2x2 max pooling with stride [1 1] and padding [0 0 0 0]"
    assert averagePooling2dLayer(3, Stride=2, Padding="same").describe() == \
        "3x3 average pooling with stride [2 2] and padding 'same'"
    names = [lay.Name for lay in layerGraph([
        sequenceInputLayer([4, 4, 1]), maxPooling2dLayer(2), averagePooling2dLayer(2),
        globalAveragePooling2dLayer(), globalMaxPooling2dLayer(), flattenLayer(),
        regressionLayer()]).Layers]
    assert names[1:5] == ["maxpool", "avgpool", "gapool", "gmpool"]


def test_padding_as_large_as_the_pool_is_refused_also_when_set_later():
    with pytest.raises(OptionError, match="smaller than PoolSize") as exc:
        averagePooling2dLayer([2, 3], Padding=[1, 2, 0, 3])
    assert exc.value.option == "Padding"
    layer = maxPooling2dLayer(2, Name="mp")
    layer.Padding = 2  # each property alone is valid; together they are not
    result = analyzeNetwork([sequenceInputLayer([4, 4, 1]), layer], verbose=False)
    assert not result.ok
    assert any(p.layers[:1] == ("mp",) and "smaller than PoolSize" in p.message
               for p in result.problems)


@pytest.mark.parametrize("layers, culprit, words", [
    ([maxPooling2dLayer(2, Name="x")], "x", "SSCB"),  # on vector sequences
    ([globalAveragePooling2dLayer(Name="x")], "x", "SSCB"),
    ([flattenLayer(), maxPooling2dLayer(2, Name="x")], "x", "CBT"),
], ids=["pool on CBT", "global pool on CBT", "pool after flatten"])
def test_two_d_pooling_needs_images(layers, culprit, words):
    first = sequenceInputLayer(3) if layers[0].matlab_name != "flattenLayer" \
        else sequenceInputLayer([4, 4, 1])
    result = analyzeNetwork([first, *layers], verbose=False)
    assert any(p.layers[:1] == (culprit,) and words in p.message for p in result.problems)


def test_pool_larger_than_the_input_is_a_problem_before_any_allocation():
    result = analyzeNetwork([sequenceInputLayer([4, 4, 1]),
                             maxPooling2dLayer(10 ** 9, Name="mp")], verbose=False)
    assert any(p.layers[:1] == ("mp",) and "larger than" in p.message for p in result.problems)


# --- 2-D layers on image sequences: frame by frame ---------------------------------------------

def cnn_layers(c_out=3, seed=0):
    rng = RNG(seed)
    conv = convolution2dLayer(3, c_out, Padding="same", Name="conv")
    conv.Weights = rng.normal(0, 0.5, (3, 3, 2, c_out))
    conv.Bias = rng.normal(0, 0.1, (1, 1, c_out))
    bn = batchNormalizationLayer(Name="bn", Offset=rng.normal(0, 0.3, (1, 1, c_out)),
                                 Scale=rng.uniform(0.5, 1.5, (1, 1, c_out)),
                                 TrainedMean=rng.normal(0, 0.3, (1, 1, c_out)),
                                 TrainedVariance=rng.uniform(0.5, 2, (1, 1, c_out)))
    return [conv, bn, reluLayer(Name="relu"), dropoutLayer(0.3, Name="drop"),
            maxPooling2dLayer(2, Stride=2, Name="mp"),
            averagePooling2dLayer(2, Padding="same", PaddingValue="mean", Name="ap"),
            swishLayer(Name="swish")]


def np_cnn(frame, layers):
    """The chain of cnn_layers on one h x w x 2 frame, in NumPy."""
    conv, bn = layers[0], layers[1]
    h, w, _ = frame.shape
    P = np.pad(frame, ((1, 1), (1, 1), (0, 0)))
    z = np.zeros((h, w, conv.NumFilters))
    for a in range(3):
        for b in range(3):
            z += np.einsum("ijc,cf->ijf", P[a:a + h, b:b + w], conv.Weights[a, b])
    z += conv.Bias.reshape(-1)
    z = (z - bn.TrainedMean.reshape(-1)) / np.sqrt(bn.TrainedVariance.reshape(-1) + bn.Epsilon)
    z = np.maximum(z * bn.Scale.reshape(-1) + bn.Offset.reshape(-1), 0)  # dropout: identity
    z = np_pool(z, (2, 2), (2, 2), 0, "max")
    z = np_pool(z, (2, 2), (1, 1), "same", "average", mean_padding=True)
    return z / (1 + np.exp(-z))


def test_cnn_on_image_sequences_equals_numpy_folding_and_frames_alone():
    """sequenceInputLayer([6 5 2]) -> conv -> BN -> relu -> dropout -> maxpool -> avgpool
    -> swish, without folding: every frame equals NumPy, the sequenceFoldingLayer network, and the
    frame predicted as a one-frame sequence of its own."""
    hwc = (6, 5, 2)
    X = image_seqs(5, hwc)
    layers = cnn_layers()
    net = image_net(layers, hwc)
    batched, alone = batched_and_alone(net, X)
    close(batched, per_frame(lambda f: np_cnn(f, layers), X))
    close(alone, batched)
    frames = [f[None] for x in X for f in x]  # folding by hand: each frame its own sequence
    close(predict(net, frames, MiniBatchSize=4), [b[t:t + 1] for b in batched
                                                  for t in range(len(b))])
    folded = layerGraph([sequenceInputLayer(list(hwc), Name="in"),
                         sequenceFoldingLayer(Name="fold"), *cnn_layers(),
                         sequenceUnfoldingLayer(Name="unfold"), flattenLayer(Name="flat"),
                         regressionLayer(Name="out")])
    folded = connectLayers(folded, "fold/miniBatchSize", "unfold/miniBatchSize")
    result = analyzeNetwork(folded, verbose=False)
    assert result.ok, [p.message for p in result.problems]
    assert str(result.report("mp").activations["out"]) == "3(S) x 2(S) x 3(C) x 1(B)"
    close(predict(assembleNetwork(folded), X, MiniBatchSize=len(X), SequencePaddingValue=PAD),
          batched)


def test_cnn_lstm_chain_without_folding_analyses_and_runs():
    """MATLAB's dlnetwork form of a CNN-LSTM: no fold/unfold; a padded batch equals each
    sequence alone (the LSTM's last step is read at each sequence's own length)."""
    hwc = (8, 8, 2)
    lg = layerGraph([sequenceInputLayer(list(hwc), Name="in"), *cnn_layers(4),
                     globalAveragePooling2dLayer(Name="gap"), flattenLayer(Name="flat"),
                     lstmLayer(5, OutputMode="last", Name="lstm"),
                     fullyConnectedLayer(2, Name="fc"), regressionLayer(Name="out")])
    result = analyzeNetwork(lg, verbose=False)
    assert result.ok, [p.message for p in result.problems]
    assert str(result.report("mp").activations["out"]) == "4(S) x 4(S) x 4(C) x 1(B) x T(T)"
    assert str(result.report("gap").activations["out"]) == "1(S) x 1(S) x 4(C) x 1(B) x T(T)"
    assert str(result.report("flat").activations["out"]) == "4(C) x 1(B) x T(T)"
    assert result.report("lstm").learnables["InputWeights"] == (20, 4)
    lg = initialize_learnables(lg, seed=3)
    net = assembleNetwork(lg)
    X = image_seqs(6, hwc, lengths=[5, 1, 3])
    batched = predict(net, X, MiniBatchSize=3, SequencePaddingValue=PAD)
    alone = predict(net, X, MiniBatchSize=1)
    assert batched.shape == (3, 2)
    np.testing.assert_allclose(batched, alone, atol=1e-5)
    layers = {lay.Name: lay for lay in lg.Layers}
    lstm, fc = layers["lstm"], layers["fc"]
    want = []
    for x in X:  # NumPy: the CNN per frame, the mean over space, the LSTM, the last step
        feats = np.stack([np_cnn(f, [layers["conv"], layers["bn"]]).mean((0, 1)) for f in x])
        Y, _, _ = ref.lstm_forward(feats, lstm.InputWeights, lstm.RecurrentWeights, lstm.Bias)
        want.append(fc.Weights @ Y[-1] + fc.Bias.reshape(-1))
    np.testing.assert_allclose(batched, np.stack(want), atol=1e-5)


def test_dropout_on_images_and_image_sequences():
    for fmt, shape in (("SSCB", (64, 3, 8, 8)), ("SSCBT", (8, 8, 3, 8, 8))):
        act = Activation(fmt, (8, 8, 3, None, None)[:len(fmt)])
        layer = dropoutLayer(0.25)
        assert layer.infer([act]) == [act]
        module = layer.build([act])
        x = torch.ones(shape)
        module.eval()
        assert torch.equal(module(Signal(x)).data, x)
        module.train()
        torch.manual_seed(0)
        y = module(Signal(x)).data
        assert y.shape == x.shape
        kept = y != 0
        assert torch.allclose(y[kept], torch.tensor(1 / 0.75))
        assert abs(1 - kept.double().mean().item() - 0.25) < 0.02


# --- instance and group normalization ------------------------------------------------------------

def np_group_norm(x, groups, offset, scale, eps=1e-5):
    """One observation: x is (..., C) with time and space leading; statistics over everything
    but the channel groups (MATLAB: space, time and the group's channels)."""
    C = x.shape[-1]
    g = x.reshape(-1, groups, C // groups)
    mean = g.mean((0, 2), keepdims=True)
    var = g.var((0, 2), keepdims=True)
    y = ((g - mean) / np.sqrt(var + eps)).reshape(x.shape)
    return y * np.asarray(scale).reshape(-1) + np.asarray(offset).reshape(-1)


def affine(rng, shape):
    return rng.normal(0, 0.5, shape), rng.uniform(0.5, 1.5, shape)


@pytest.mark.parametrize("make, groups", [
    (lambda o, s: instanceNormalizationLayer(Offset=o, Scale=s, Name="n"), 4),
    (lambda o, s: groupNormalizationLayer(2, Offset=o, Scale=s, Name="n"), 2),
    (lambda o, s: groupNormalizationLayer("all-channels", Offset=o, Scale=s, Name="n"), 1),
    (lambda o, s: groupNormalizationLayer("channel-wise", Offset=o, Scale=s, Name="n"), 4),
], ids=["instance", "group 2", "all-channels", "channel-wise"])
def test_instance_and_group_norm_on_image_sequences_use_space_and_real_frames(make, groups):
    hwc = (3, 4, 4)
    offset, scale = affine(RNG(7), (1, 1, 4))
    layer = make(offset, scale)
    X = image_seqs(8, hwc, scale=2.0)
    X = [x + np.arange(4) for x in X]  # channels with different means
    want = [np.stack([flat(f) for f in np_group_norm(x, groups, offset, scale)]) for x in X]
    batched, alone = batched_and_alone(image_net([layer], hwc), X)
    close(batched, want, atol=1e-4)
    close(alone, batched, atol=1e-5)


@pytest.mark.parametrize("groups", [1, 2, 6])
def test_group_norm_on_vector_sequences_and_vectors(groups):
    rng = RNG(9)
    offset, scale = affine(rng, (6, 1))
    X = [rng.standard_normal((T, 6)) * np.arange(1, 7) for T in (4, 1, 6)]
    gn = groupNormalizationLayer(groups, Offset=offset, Scale=scale, Name="gn")
    result = analyzeNetwork([sequenceInputLayer(6), gn.copy()], verbose=False)
    assert result.report("gn").learnables == {"Offset": (6, 1), "Scale": (6, 1)}
    net = assembleNetwork([sequenceInputLayer(6), gn, regressionLayer()])
    seq_want = [np_group_norm(x, groups, offset, scale) for x in X]
    batched = predict(net, X, MiniBatchSize=3, SequencePaddingValue=PAD)
    if groups == 6:  # one group per channel: over time only; a one-step sequence is Offset
        np.testing.assert_allclose(batched[1], offset.T, atol=1e-4)
    close(batched, seq_want, atol=1e-4)
    close(predict(net, X, MiniBatchSize=1), batched, atol=1e-5)
    if groups == 6:
        return  # one value per channel and observation: refused (next test)
    vec = assembleNetwork([sequenceInputLayer(6), globalAveragePooling1dLayer(),
                           groupNormalizationLayer(groups, Offset=offset, Scale=scale),
                           regressionLayer()])
    got = predict(vec, X, MiniBatchSize=3, SequencePaddingValue=PAD)
    want = np.stack([np_group_norm(x.mean(0, keepdims=True), groups, offset, scale)[0]
                     for x in X])
    np.testing.assert_allclose(got, want, atol=1e-4)


@pytest.mark.parametrize("layers, words", [
    ([groupNormalizationLayer(3, Name="n")], "does not divide"),
    ([instanceNormalizationLayer(NumChannels=3, Name="n")], "NumChannels is 3"),
    ([groupNormalizationLayer(2, Offset=np.zeros(3), Name="n")], "Offset must have 4"),
    ([globalAveragePooling1dLayer(), instanceNormalizationLayer(Name="n")], "nothing to normalize"),
], ids=["groups", "channels", "offset size", "instance on CB"])
def test_normalization_problems_name_the_layer(layers, words):
    result = analyzeNetwork([sequenceInputLayer(4), *layers], verbose=False)
    assert any(p.layers[:1] == ("n",) and words in p.message for p in result.problems), \
        [p.message for p in result.problems]


def test_normalization_defaults_shapes_and_initializers():
    for layer in (instanceNormalizationLayer(), groupNormalizationLayer(4)):
        assert layer.Epsilon == 1e-5 and layer.NumChannels == "auto"
        assert layer.OffsetInitializer == "zeros" and layer.ScaleInitializer == "ones"
        assert [layer.learnable_factors(n) for n in layer.learnables] == [(1.0, 1.0)] * 2
        assert layer.learnables == ("Offset", "Scale")
    assert groupNormalizationLayer("ALL-CHANNELS").NumGroups == "all-channels"
    assert groupNormalizationLayer(2) == groupNormalizationLayer("NumGroups", 2)
    images = [Activation("SSCBT", (5, 5, 8, None, None))]
    layer = groupNormalizationLayer(4, OffsetInitializer="narrow-normal",
                                    ScaleInitializer="zeros")
    assert layer.learnable_shapes(images) == {"Offset": (1, 1, 8), "Scale": (1, 1, 8)}
    layer.initialize(images, RNG(0))
    assert layer.Offset.shape == (1, 1, 8) and 0 < np.std(layer.Offset) < 0.03
    assert np.all(layer.Scale == 0)
    plain = instanceNormalizationLayer()
    plain.initialize([Activation("CBT", (3, None, None))], RNG(0))
    assert np.all(plain.Offset == 0) and np.all(plain.Scale == 1) and plain.Scale.shape == (3, 1)
    kept = instanceNormalizationLayer(Scale=np.full((1, 1, 8), 2.0))
    kept.initialize(images, RNG(0))
    assert np.all(kept.Scale == 2.0)
    names = [lay.Name for lay in layerGraph([sequenceInputLayer([4, 4, 2]),
                                              instanceNormalizationLayer(),
                                              groupNormalizationLayer(2)]).Layers]
    assert names[1:] == ["instancenorm", "groupnorm"]


# --- training, saving, YAML and MATLAB text ------------------------------------------------------

def small_cnn_lstm():
    return [sequenceInputLayer([6, 6, 1], Name="in"),
            convolution2dLayer(3, 4, Padding="same", Name="conv"),
            groupNormalizationLayer(2, Name="gn"), eluLayer(Name="elu"),
            maxPooling2dLayer(2, Stride=2, Name="mp"),
            instanceNormalizationLayer(Name="inorm"), geluLayer(Name="gelu"),
            globalMaxPooling2dLayer(Name="gmp"), flattenLayer(Name="flat"),
            lstmLayer(3, OutputMode="last", Name="lstm"), fullyConnectedLayer(1, Name="fc"),
            regressionLayer(Name="out")]


def test_training_updates_offset_and_scale_in_matlab_shapes_and_saves(tmp_path):
    rng = RNG(10)
    X = [rng.standard_normal((T, 6, 6, 1)) for T in (3, 5, 2, 4)]
    Y = np.array([[x.mean()] for x in X])
    opts = trainingOptions("adam", MaxEpochs=3, MiniBatchSize=2, InitialLearnRate=0.05,
                           Verbose=False, ProgressBar=False)
    net, info = trainNetwork(X, Y, small_cnn_lstm(), opts)
    layers = {lay.Name: lay for lay in net.graph.Layers}
    for name in ("gn", "inorm"):
        assert layers[name].Offset.shape == (1, 1, 4) and layers[name].Scale.shape == (1, 1, 4)
        assert np.any(layers[name].Offset != 0) and np.any(layers[name].Scale != 1)
    path = tmp_path / "net.pt"
    save_network(net, path)
    again = load_network(path)
    np.testing.assert_allclose(predict(again, X), predict(net, X), atol=1e-6)


def test_yaml_round_trip_and_matlab_text():
    from layergraph import from_matlab

    g = layerGraph(small_cnn_lstm()[:-1] + [clippedReluLayer(6, Name="clip"),
                                            regressionLayer(Name="out")])
    g.replaceLayer("gn", groupNormalizationLayer("channel-wise", Epsilon=1e-4, Name="gn"))
    assert LayerGraph.from_spec(g.save_spec()) == g
    t = from_matlab("""
        layers = [sequenceInputLayer([8 8 1])
                  convolution2dLayer(3,4,'Padding','same')
                  groupNormalizationLayer('all-channels')
                  eluLayer(0.5)
                  maxPooling2dLayer(2,'Stride',2)
                  averagePooling2dLayer([2 1],'Padding',[1 0],'PaddingValue','mean')
                  globalAveragePooling2dLayer
                  flattenLayer
                  lstmLayer(5,'OutputMode','last')
                  fullyConnectedLayer(1)
                  regressionLayer];
        opts = trainingOptions('adam');
        net = trainNetwork(X, Y, layers, opts);
    """)
    assert t.graph == layerGraph([
        sequenceInputLayer([8, 8, 1]), convolution2dLayer(3, 4, Padding="same"),
        groupNormalizationLayer("all-channels"), eluLayer(0.5), maxPooling2dLayer(2, Stride=2),
        averagePooling2dLayer([2, 1], Padding=[1, 0], PaddingValue="mean"),
        globalAveragePooling2dLayer(), flattenLayer(), lstmLayer(5, OutputMode="last"),
        fullyConnectedLayer(1), regressionLayer()])
    assert analyzeNetwork(t.graph, verbose=False).ok


def test_instance_norm_inside_folding_normalizes_every_frame_alone():
    """Folded frames are observations of their own (SSCB), so statistics are per frame, as the
    layers' docstring says; padded frames are not folded at all."""
    hwc = (3, 4, 2)
    offset, scale = affine(RNG(11), (1, 1, 2))
    lg = layerGraph([sequenceInputLayer(list(hwc), Name="in"), sequenceFoldingLayer(Name="fold"),
                     instanceNormalizationLayer(Offset=offset, Scale=scale, Name="n"),
                     sequenceUnfoldingLayer(Name="unfold"), flattenLayer(Name="flat"),
                     regressionLayer(Name="out")])
    lg = connectLayers(lg, "fold/miniBatchSize", "unfold/miniBatchSize")
    X = image_seqs(12, hwc, scale=2.0)
    got = predict(assembleNetwork(lg), X, MiniBatchSize=len(X), SequencePaddingValue=PAD)
    close(got, per_frame(lambda f: np_group_norm(f, 2, offset, scale), X), atol=1e-4)
