"""A sequence's result must not depend on what it was batched with.

Each network predicts every sequence alone (MiniBatchSize 1, no padding) and all of them in one
padded mini-batch; the results must agree.  The padding value is large (SequencePaddingValue
50), so any layer that reads the padding gives a visibly different answer; the MATLAB-parity mode
(PaddingInvariant false) is run too, to show that the padding really would change the results.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import assemble_initialized, random_sequences

from layergraph import (
    averagePooling1dLayer,
    batchNormalizationLayer,
    bilstmLayer,
    convolution1dLayer,
    fullyConnectedLayer,
    globalAveragePooling1dLayer,
    globalMaxPooling1dLayer,
    gruLayer,
    layerNormalizationLayer,
    lstmLayer,
    maxPooling1dLayer,
    predict,
    regressionLayer,
    reluLayer,
    sequenceInputLayer,
)
from layergraph.formats import vector_sequence
from layergraph.sequences import Signal, pad_sequences

C = 3
LENGTHS = [9, 3, 6, 1, 8, 4]
PAD = 50.0


def alone_and_batched(net, X):
    alone = predict(net, X, "MiniBatchSize", 1)
    batched = predict(net, X, "MiniBatchSize", len(X), "SequencePaddingValue", PAD)
    return alone, batched


def assert_same(alone, batched, atol=1e-5):
    if isinstance(alone, list):
        assert len(alone) == len(batched)
        for i, (a, b) in enumerate(zip(alone, batched)):
            assert a.shape == b.shape, f"sequence {i}"
            np.testing.assert_allclose(b, a, atol=atol, rtol=0, err_msg=f"sequence {i}")
    else:
        np.testing.assert_allclose(batched, alone, atol=atol, rtol=0)


def max_difference(a, b):
    if isinstance(a, list):
        return max(np.abs(x - y).max() for x, y in zip(a, b))
    return np.abs(a - b).max()


RECURRENT = [
    # (constructor, options, engine the layer must run on)
    (lstmLayer, {}, "fused"),
    (lstmLayer, {"StateActivationFunction": "softsign"}, "loop"),
    (bilstmLayer, {}, "fused"),
    (bilstmLayer, {"GateActivationFunction": "hard-sigmoid"}, "loop"),
    (gruLayer, {}, "fused"),
    (gruLayer, {"ResetGateMode": "recurrent-bias-after-multiplication"}, "fused"),
    (gruLayer, {"ResetGateMode": "before-multiplication"}, "loop"),
    (gruLayer, {"StateActivationFunction": "softsign"}, "loop"),
]


@pytest.mark.parametrize("ctor, opts, engine", RECURRENT,
                         ids=[f"{c.__name__}-{'-'.join(o.values()) or 'default'}"
                              for c, o, _ in RECURRENT])
@pytest.mark.parametrize("mode", ["sequence", "last"])
def test_recurrent_padding_invariance(ctor, opts, engine, mode):
    rnn = ctor(5, "OutputMode", mode, "Name", "rnn", "BiasInitializer", "narrow-normal", **opts)
    net = assemble_initialized([sequenceInputLayer(C), rnn, fullyConnectedLayer(2),
                                regressionLayer()], seed=1)
    assert net.module.recurrent_modules()[0].rnn.fused == (engine == "fused")
    X = random_sequences(np.random.default_rng(0), LENGTHS, C)
    alone, batched = alone_and_batched(net, X)
    assert_same(alone, batched)
    if ctor is bilstmLayer or mode == "last":  # forward-only sequence outputs never see padding
        matlab = predict(net, X, "MiniBatchSize", len(X), "SequencePaddingValue", PAD,
                         "PaddingInvariant", False)
        assert max_difference(alone, matlab) > 1e-3


def test_recurrent_padding_invariance_in_several_minibatches():
    """Sorting by length and splitting into mini-batches returns results in input order."""
    net = assemble_initialized([sequenceInputLayer(C), bilstmLayer(4, OutputMode="last"),
                                regressionLayer()], seed=2)
    X = random_sequences(np.random.default_rng(4), [5, 1, 9, 2, 7, 3, 8], C)
    alone = predict(net, X, MiniBatchSize=1)
    for mbs in (2, 3, 7):
        assert_same(alone, predict(net, X, MiniBatchSize=mbs, SequencePaddingValue=PAD))


@pytest.mark.parametrize("ctor, opts", [(lstmLayer, {}), (gruLayer, {}),
                                         (lstmLayer, {"StateActivationFunction": "softsign"}),
                                         (gruLayer, {"ResetGateMode": "before-multiplication"})],
                         ids=["lstm", "gru", "lstm-loop", "gru-loop"])
@pytest.mark.parametrize("mode", ["sequence", "last"])
def test_split_sequences_carry_the_state(ctor, opts, mode):
    """SequenceLength 3: each batch runs in chunks of 3 steps, the state carried across chunks;
    a one-directional layer gives the same results as in one piece."""
    rnn = ctor(5, OutputMode=mode, BiasInitializer="narrow-normal", **opts)
    net = assemble_initialized([sequenceInputLayer(C), rnn, regressionLayer()], seed=4)
    X = random_sequences(np.random.default_rng(10), LENGTHS, C)
    whole = predict(net, X, MiniBatchSize=1)
    assert_same(whole, predict(net, X, MiniBatchSize=len(X), SequenceLength=3,
                               SequencePaddingValue=PAD))


CONV_NETS = {
    "causal+same+gap": lambda: [
        convolution1dLayer(3, 4, "Padding", "causal", "DilationFactor", 2), reluLayer(),
        convolution1dLayer(3, 4, "Padding", "same"), globalAveragePooling1dLayer(),
        fullyConnectedLayer(2)],
    "same-sequence-output": lambda: [
        convolution1dLayer(4, 3, "Padding", "same"), convolution1dLayer(3, 2, Padding="causal")],
    "explicit-padding+gmp": lambda: [
        convolution1dLayer(2, 4, "Padding", [1, 2]), globalMaxPooling1dLayer()],
    "maxpool-same": lambda: [
        convolution1dLayer(1, 3), maxPooling1dLayer(3, "Padding", "same")],
    "avgpool-same": lambda: [averagePooling1dLayer(3, "Padding", "same")],
    "strided-same": lambda: [
        convolution1dLayer(3, 4, "Padding", "same", "Stride", 2), globalAveragePooling1dLayer()],
    "strided-maxpool": lambda: [maxPooling1dLayer(2, "Stride", 2, "Padding", "same")],
    "layernorm": lambda: [layerNormalizationLayer(), convolution1dLayer(3, 2, Padding="same")],
}


@pytest.mark.parametrize("name", list(CONV_NETS))
def test_convolution_and_pooling_padding_invariance(name):
    net = assemble_initialized([sequenceInputLayer(C), *CONV_NETS[name](), regressionLayer()],
                               seed=3)
    # Negative data: a max over padding zeros instead of -inf would show up.
    X = [x - 3.0 for x in random_sequences(np.random.default_rng(5), LENGTHS, C)]
    alone, batched = alone_and_batched(net, X)
    assert_same(alone, batched)


def test_global_pooling_ignores_padding_in_matlab_mode_only_when_told():
    """Sanity check of the test above: with PaddingInvariant false the padding enters the mean."""
    net = assemble_initialized([sequenceInputLayer(C), globalAveragePooling1dLayer(),
                                regressionLayer()])
    X = random_sequences(np.random.default_rng(6), LENGTHS, C)
    alone = predict(net, X, MiniBatchSize=1)
    np.testing.assert_allclose(alone, np.stack([x.mean(0) for x in X]), atol=1e-6)
    matlab = predict(net, X, MiniBatchSize=len(X), SequencePaddingValue=PAD,
                     PaddingInvariant=False)
    assert max_difference(alone, matlab) > 1.0


def test_batchnorm_training_statistics_use_real_steps_only():
    bn = batchNormalizationLayer(Name="bn", MeanDecay=0.1, VarianceDecay=0.1)
    rng = np.random.default_rng(8)
    bn.initialize([vector_sequence(C)], rng)
    mod = bn.build([vector_sequence(C)])
    X = random_sequences(rng, LENGTHS, C, scale=2.0)
    X = [x + np.arange(C) for x in X]
    data, lengths = pad_sequences(X, value=PAD)
    mod.train()
    with torch.no_grad():
        y = mod(Signal(torch.as_tensor(data), torch.as_tensor(lengths))).data.numpy()
    real = np.concatenate(X)
    # TrainedMean starts at 0: after one step it is MeanDecay * (mean over real steps)
    np.testing.assert_allclose(mod.running_mean.numpy(), 0.1 * real.mean(0), atol=1e-5)
    # the running variance equals the one from the real steps alone, no padding
    alone = bn.build([vector_sequence(C)]).train()
    flat = torch.as_tensor(real[None].astype(np.float32))
    with torch.no_grad():
        alone(Signal(flat, torch.tensor([len(real)])))
    np.testing.assert_allclose(mod.running_var.numpy(), alone.running_var.numpy(), rtol=1e-5)
    # the batch is normalized with the statistics of the real steps
    mask = np.arange(data.shape[1])[None, :] < lengths[:, None]
    want = (real - real.mean(0)) / np.sqrt(real.var(0) + 1e-5)
    np.testing.assert_allclose(y[mask], want, atol=1e-4)


def test_batchnorm_inside_a_network_in_training_mode():
    """The same through a compiled network (train mode), with sequences of different lengths."""
    net = assemble_initialized([sequenceInputLayer(C), batchNormalizationLayer(Name="bn"),
                                regressionLayer()])
    X = random_sequences(np.random.default_rng(9), LENGTHS, C)
    data, lengths = pad_sequences(X, value=PAD)
    net.module.train()
    with torch.no_grad():
        net.module(Signal(torch.as_tensor(data), torch.as_tensor(lengths)))
    net.module.eval()
    net.sync_layers()
    bn = next(lay for lay in net.Layers if lay.Name == "bn")
    np.testing.assert_allclose(bn.TrainedMean.reshape(-1), 0.1 * np.concatenate(X).mean(0),
                               atol=1e-5)
