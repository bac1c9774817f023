"""selfAttentionLayer, positionEmbeddingLayer, sinusoidalPositionEncodingLayer, indexing1dLayer.

Numbers are checked against NumPy code written here from MATLAB's equations (MATLAB layout: a
sequence is C x T, weights are out x in); every network runs sequences of different lengths in
one padded mini-batch, so each check is also a padding check.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from layergraph import (
    DataError,
    NetworkError,
    OptionError,
    analyze,
    assembleNetwork,
    fullyConnectedLayer,
    indexing1dLayer,
    layerGraph,
    layerNormalizationLayer,
    positionEmbeddingLayer,
    predict,
    regressionLayer,
    selfAttentionLayer,
    sequenceInputLayer,
    sinusoidalPositionEncodingLayer,
    trainingOptions,
    trainNetwork,
)

C = 6
LENGTHS = [7, 2, 5, 1, 4]
RNG = np.random.default_rng


def seqs(seed=0, lengths=LENGTHS, channels=C):
    rng = RNG(seed)
    return [rng.standard_normal((T, channels)) for T in lengths]


def run(layers, X, channels=C, **opts):
    net = assembleNetwork([sequenceInputLayer(channels, Name="in"), *layers,
                           regressionLayer(Name="out")])
    return predict(net, X, MiniBatchSize=len(X), **opts)


def close(got, want, atol=1e-5):
    assert len(got) == len(want)
    for i, (g, w) in enumerate(zip(got, want)):
        assert g.shape == w.shape, (i, g.shape, w.shape)
        np.testing.assert_allclose(g, w, atol=atol, rtol=0, err_msg=f"sequence {i}")


# --- the NumPy reference: MATLAB's equations, one observation at a time ------------------------

def attention_weights(rng, c, k, v, o):
    return {"QueryWeights": rng.standard_normal((k, c)) / np.sqrt(c),
            "KeyWeights": rng.standard_normal((k, c)) / np.sqrt(c),
            "ValueWeights": rng.standard_normal((v, c)) / np.sqrt(c),
            "OutputWeights": rng.standard_normal((o, v)) / np.sqrt(v),
            "QueryBias": rng.standard_normal((k, 1)), "KeyBias": rng.standard_normal((k, 1)),
            "ValueBias": rng.standard_normal((v, 1)), "OutputBias": rng.standard_normal((o, 1))}


def np_attention(x, w, heads, mask="none"):
    """x: (T, C) -> (T, OutputSize). mask: 'none', 'causal' or a keys x queries array."""
    X = x.T  # C x T, MATLAB's layout
    T = X.shape[1]
    Q = w["QueryWeights"] @ X + w["QueryBias"]
    K = w["KeyWeights"] @ X + w["KeyBias"]
    V = w["ValueWeights"] @ X + w["ValueBias"]
    dk, dv = Q.shape[0] // heads, V.shape[0] // heads
    if isinstance(mask, str):
        allowed = np.tril(np.ones((T, T), bool)).T if mask == "causal" else np.ones((T, T), bool)
    else:
        allowed = np.asarray(mask, bool)[:T, :T]  # keys x queries
    out = []
    for h in range(heads):
        q, k, v = (M[h * d:(h + 1) * d] for M, d in ((Q, dk), (K, dk), (V, dv)))
        s = (k.T @ q) / np.sqrt(dk)  # keys x queries
        s = np.where(allowed, s, -np.inf)
        a = np.exp(s - s.max(0, keepdims=True))
        a = a / a.sum(0, keepdims=True)  # softmax over the keys
        out.append(v @ a)  # dv x T
    return (w["OutputWeights"] @ np.vstack(out) + w["OutputBias"]).T


def attention_layer(w, heads, keys, **kw):
    return selfAttentionLayer(heads, keys, **kw, **w)


# --- options --------------------------------------------------------------------------------------

def test_defaults_and_shapes_follow_matlab():
    lay = selfAttentionLayer(2, 8)
    assert (lay.NumValueChannels, lay.OutputSize, lay.AttentionMask) == ("auto", "auto", "none")
    assert (lay.HasPaddingMaskInput, lay.DropoutProbability) == (False, 0.0)
    assert lay.QueryWeightsInitializer == "glorot" and lay.OutputBiasInitializer == "zeros"
    assert lay.learnables == ("QueryWeights", "KeyWeights", "ValueWeights", "OutputWeights",
                              "QueryBias", "KeyBias", "ValueBias", "OutputBias")
    assert lay.inputs == ("in",)
    a = analyze([sequenceInputLayer(5, Name="in"),
                 selfAttentionLayer(2, 8, NumValueChannels=4, Name="att"), regressionLayer()])
    assert a.ok
    shapes = next(r.learnables for r in a.layers if r.name == "att")
    assert shapes["QueryWeights"] == (8, 5) and shapes["ValueWeights"] == (4, 5)
    assert shapes["OutputWeights"] == (5, 4) and shapes["OutputBias"] == (5, 1)
    assert selfAttentionLayer(1, 4, OutputSize=3).learnable_shapes(
        a.inputs["att"])["OutputWeights"] == (3, 4)
    assert selfAttentionLayer(2, 4, "HasPaddingMaskInput", True).inputs == ("in", "mask")
    assert selfAttentionLayer(2, 4, AttentionMask="Causal").AttentionMask == "causal"
    pe = positionEmbeddingLayer(4, 10)
    assert (pe.PositionDimension, pe.WeightsInitializer) == ("auto", "narrow-normal")
    assert sinusoidalPositionEncodingLayer(6).Positions == "auto"
    assert indexing1dLayer().Index == "first" and indexing1dLayer("last").Index == "last"


@pytest.mark.parametrize("make,option", [
    (lambda: selfAttentionLayer(3, 8), "NumKeyChannels"),  # not divisible by NumHeads
    (lambda: selfAttentionLayer(2, 8, NumValueChannels=5), "NumValueChannels"),
    (lambda: selfAttentionLayer(0, 8), "NumHeads"),
    (lambda: selfAttentionLayer(2, 8.5), "NumKeyChannels"),
    (lambda: selfAttentionLayer(2, 8, AttentionMask="future"), "AttentionMask"),
    (lambda: selfAttentionLayer(2, 8, AttentionMask=np.ones(3)), "AttentionMask"),  # 1-D
    (lambda: selfAttentionLayer(2, 8, AttentionMask=np.ones((2, 2, 2))), "AttentionMask"),
    (lambda: selfAttentionLayer(2, 8, AttentionMask=[[1, np.nan]]), "AttentionMask"),
    (lambda: selfAttentionLayer(2, 8, AttentionMask=[[1, 2], [3]]), "AttentionMask"),  # ragged
    (lambda: selfAttentionLayer(2, 8, AttentionMask=np.ones((2, 2), complex)), "AttentionMask"),
    (lambda: selfAttentionLayer(2, 8, AttentionMask={"a": 1}), "AttentionMask"),
    (lambda: selfAttentionLayer(2, 8, DropoutProbability=1), "DropoutProbability"),
    (lambda: selfAttentionLayer(2, 8, DropoutProbability=-0.1), "DropoutProbability"),
    (lambda: selfAttentionLayer(2, 8, WeightLearnRateFactor=[1, 2]), "WeightLearnRateFactor"),
    (lambda: selfAttentionLayer(2, 8, WeightLearnRateFactor=[1, 2, 3, -4]),
     "WeightLearnRateFactor"),
    (lambda: selfAttentionLayer(2, 8, BiasL2Factor=float("inf")), "BiasL2Factor"),
    (lambda: selfAttentionLayer(2, 8, HasScoresOutput=True), "HasScoresOutput"),
    (lambda: selfAttentionLayer(2, 8, QueryWeightsInitializer="normal"),
     "QueryWeightsInitializer"),
    (lambda: selfAttentionLayer(2, 8, OutputSize=0), "OutputSize"),
    (lambda: selfAttentionLayer(2), "NumKeyChannels"),
    (lambda: positionEmbeddingLayer(4), "MaxPosition"),
    (lambda: positionEmbeddingLayer(4, 0), "MaxPosition"),
    (lambda: positionEmbeddingLayer(4, 10, PositionDimension="depth"), "PositionDimension"),
    (lambda: positionEmbeddingLayer(4, 10, WeightsInitializer="orthogonal"),
     "WeightsInitializer"),
    (lambda: sinusoidalPositionEncodingLayer(5), "OutputSize"),  # odd
    (lambda: sinusoidalPositionEncodingLayer(6, Positions="space"), "Positions"),
    (lambda: indexing1dLayer("middle"), "Index"),
    (lambda: indexing1dLayer("last", HasPaddingMaskInput=2), "HasPaddingMaskInput"),
])
def test_bad_options_raise_option_errors_naming_the_option(make, option):
    with pytest.raises(OptionError) as info:
        make()
    assert info.value.option == option and option in str(info.value)


def test_factor_vectors_apply_to_query_key_value_output():
    lay = selfAttentionLayer(2, 8, WeightLearnRateFactor=[1, 2, 3, 4], BiasL2Factor=0.5)
    assert [lay.learnable_factors(n)[0] for n in ("QueryWeights", "KeyWeights", "ValueWeights",
                                                  "OutputWeights")] == [1, 2, 3, 4]
    assert lay.learnable_factors("ValueBias") == (1.0, 0.5)
    assert selfAttentionLayer(2, 8, WeightL2Factor=np.array([2, 2, 2, 2])).WeightL2Factor == 2


def test_custom_mask_round_trips_through_yaml(tmp_path):
    mask = np.tril(np.ones((4, 4))).T
    lg = layerGraph([sequenceInputLayer(C, Name="in"),
                     selfAttentionLayer(2, 4, AttentionMask=mask, Name="att",
                                        WeightLearnRateFactor=[1, 2, 3, 4]),
                     regressionLayer(Name="out")])
    path = tmp_path / "net.yaml"
    lg.save_spec(path)
    back = type(lg).from_spec(path)
    assert back.layer("att") == lg.layer("att")
    assert back.layer("att").AttentionMask.dtype == bool
    assert back.layer("att").WeightLearnRateFactor == (1, 2, 3, 4)


# --- numbers against NumPy -------------------------------------------------------------------------

@pytest.mark.parametrize("heads,keys,values,out,mask", [
    (1, 4, "auto", "auto", "none"),
    (2, 8, 6, 5, "none"),
    (3, 6, 9, "auto", "causal"),
])
def test_forward_matches_numpy_multi_head_attention(heads, keys, values, out, mask):
    rng = RNG(3)
    v = keys if values == "auto" else values
    o = C if out == "auto" else out
    w = attention_weights(rng, C, keys, v, o)
    lay = attention_layer(w, heads, keys, NumValueChannels=values, OutputSize=out,
                          AttentionMask=mask)
    X = seqs(1)
    close(run([lay], X), [np_attention(x, w, heads, mask) for x in X])


def test_custom_mask_keys_by_queries_as_matlab():
    rng = RNG(4)
    w = attention_weights(rng, C, 4, 4, C)
    mask = rng.random((8, 8)) < 0.6
    np.fill_diagonal(mask, True)  # every query keeps a key
    mask[:, 0] = True
    X = seqs(5)
    got = run([attention_layer(w, 2, 4, AttentionMask=mask.astype(float))], X)
    close(got, [np_attention(x, w, 2, mask) for x in X])
    with pytest.raises(DataError, match=r"layer 'att'.*AttentionMask is 3x3"):
        run([attention_layer(w, 2, 4, AttentionMask=np.ones((3, 3)), Name="att")], X)


def test_causal_mask_changing_a_future_step_leaves_earlier_outputs_unchanged():
    rng = RNG(6)
    w = attention_weights(rng, C, 4, 4, C)
    x = seqs(7, [9])[0]
    x2 = x.copy()
    x2[6] += 10.0
    causal, full = (attention_layer(w, 2, 4, AttentionMask=m) for m in ("causal", "none"))
    a, b = run([causal], [x, x2])
    np.testing.assert_allclose(a[:6], b[:6], atol=1e-6, rtol=0)
    assert np.abs(a[6:] - b[6:]).min() > 1e-4
    a, b = run([full], [x, x2])
    assert np.abs(a[:6] - b[:6]).min() > 1e-4  # without the mask the past sees the future


@pytest.mark.parametrize("mask", ["none", "causal"])
def test_padded_batch_equals_the_sequence_alone(mask):
    rng = RNG(8)
    w = attention_weights(rng, C, 6, 6, C)
    layers = [attention_layer(w, 3, 6, AttentionMask=mask)]
    X = seqs(9)
    batched = run(layers, X)
    for x, y in zip(X, batched):
        np.testing.assert_allclose(run(layers, [x])[0], y, atol=1e-5, rtol=0)
    # and the padding value never matters
    close(run(layers, X, SequencePaddingValue=1e3), batched)


def test_padding_mask_port_hides_marked_keys_too():
    """The 'mask' input (1 data, 0 padding) masks keys on top of the lengths. Here it comes from
    the input's first channel (the one read), 1 on data steps and 0 on steps to hide."""
    rng = RNG(10)
    w = attention_weights(rng, C, 4, 4, C)
    g = layerGraph([sequenceInputLayer(C, Name="in"),
                    attention_layer(w, 2, 4, HasPaddingMaskInput=True, Name="att"),
                    regressionLayer(Name="out")])
    g.connectLayers("in", "att/mask")
    net = assembleNetwork(g)
    X = seqs(11)
    for x in X:
        x[:, 0] = 1.0
        x[1::3, 0] = 0.0  # hide every third step, from the second on
    got = predict(net, X, MiniBatchSize=len(X))
    want = []
    for x in X:
        T = len(x)
        keep = x[:, 0] != 0
        allowed = np.repeat(keep[:, None], T, 1)  # keys x queries
        want.append(np_attention(x, w, 2, allowed))
    close(got, want)


def test_queries_with_nothing_to_attend_output_the_output_bias():
    rng = RNG(12)
    w = attention_weights(rng, C, 4, 4, C)
    mask = np.ones((5, 5))
    mask[:, 2] = 0  # query 3 (MATLAB numbering) may attend to no key
    y = run([attention_layer(w, 2, 4, AttentionMask=mask)], seqs(13, [5]))[0]
    assert np.all(np.isfinite(y))
    np.testing.assert_allclose(y[2], w["OutputBias"][:, 0], atol=1e-6, rtol=0)


def test_dropout_drops_attention_weights_only_in_training():
    lay = selfAttentionLayer(2, 4, DropoutProbability=0.5)
    lay.initialize([sequenceInputLayer(C).output_activation()], RNG(0))
    mod = lay.build([sequenceInputLayer(C).output_activation()])
    from layergraph.sequences import Signal

    x = Signal(torch.randn(2, 6, C), torch.tensor([6, 4]))
    mod.eval()
    a, b = mod(x).data, mod(x).data
    assert torch.equal(a, b)
    mod.train()
    torch.manual_seed(0)
    assert not torch.allclose(mod(x).data, a)


# --- position layers ---------------------------------------------------------------------------------

def np_sinusoid(positions, d):
    """Vaswani et al.: channel 2i sin, 2i+1 cos of p / 10000^(2i/d) (0-based channels)."""
    p = np.asarray(positions, float)[:, None]
    i = np.arange(d // 2)[None, :]
    angle = p / 10000.0 ** (2 * i / d)
    out = np.empty((len(p), d))
    out[:, 0::2], out[:, 1::2] = np.sin(angle), np.cos(angle)
    return out


def test_sinusoidal_encoding_is_matlabs_formula_at_1_based_positions():
    X = seqs(14)
    got = run([sinusoidalPositionEncodingLayer(8)], X)
    close(got, [np_sinusoid(np.arange(1, len(x) + 1), 8) for x in X], atol=1e-6)


def test_sinusoidal_data_values_positions():
    X = [np.array([[0.0], [3.0], [250.5]]), np.array([[7.0]])]
    got = run([sinusoidalPositionEncodingLayer(6, Positions="data-values")], X, channels=1)
    close(got, [np_sinusoid(x[:, 0], 6) for x in X], atol=1e-6)
    bad = analyze([sequenceInputLayer(2), sinusoidalPositionEncodingLayer(6, Positions=
                                                                          "data-values"),
                   regressionLayer()])
    assert not bad.ok and "one channel" in str(bad)


def test_position_embedding_outputs_columns_of_weights_and_refuses_long_sequences():
    rng = RNG(15)
    W = rng.standard_normal((4, 7))
    lay = positionEmbeddingLayer(4, 7, Weights=W, Name="pos")
    X = seqs(16)  # longest is 7 = MaxPosition
    close(run([lay], X), [W[:, :len(x)].T for x in X])
    with pytest.raises(DataError, match=r"layer 'pos'.*8 time steps, more than MaxPosition 7"):
        run([lay], [*X, rng.standard_normal((8, C))])
    opts = trainingOptions("adam", MaxEpochs=1, Verbose=False, ProgressBar=False)
    long = [rng.standard_normal((9, C)), rng.standard_normal((3, C))]
    with pytest.raises(DataError, match=r"layer 'pos'.*9 time steps, more than MaxPosition 7"):
        trainNetwork(long, [x[:, :4] for x in long], [sequenceInputLayer(C),
                     positionEmbeddingLayer(4, 7, Name="pos"), regressionLayer()], opts)
    bad = analyze([sequenceInputLayer(C), positionEmbeddingLayer(4, 7, Weights=W[:, :6]),
                   regressionLayer()])
    assert not bad.ok and "Weights must be 4x7" in str(bad)


def test_position_layers_need_sequences():
    from layergraph import lstmLayer

    bad = analyze([sequenceInputLayer(C), lstmLayer(4, OutputMode="last"),
                   positionEmbeddingLayer(4, 7), regressionLayer()])
    assert not bad.ok and "set OutputMode 'sequence' on 'lstm'" in str(bad)


# --- indexing1dLayer ---------------------------------------------------------------------------------

def test_indexing_takes_each_sequences_own_first_and_last_real_step():
    X = seqs(17)
    first = run([indexing1dLayer("first")], X)
    last = run([indexing1dLayer("last")], X)
    np.testing.assert_allclose(first, np.stack([x[0] for x in X]), atol=1e-6)
    np.testing.assert_allclose(last, np.stack([x[-1] for x in X]), atol=1e-6)
    alone = [run([indexing1dLayer("last")], [x])[0] for x in X]
    np.testing.assert_allclose(last, np.stack(alone), atol=1e-6)


def test_indexing_with_a_padding_mask_skips_marked_steps():
    g = layerGraph([sequenceInputLayer(C, Name="in"),
                    indexing1dLayer("last", HasPaddingMaskInput=True, Name="idx"),
                    regressionLayer(Name="out")])
    g.connectLayers("in", "idx/mask")
    X = seqs(18)
    for x in X:
        x[:, 0] = 1.0
        x[-1, 0] = 0.0 if len(x) > 1 else 1.0  # the last step is marked padding when there are 2+
    got = predict(assembleNetwork(g), X, MiniBatchSize=len(X))
    want = np.stack([x[-2] if len(x) > 1 else x[-1] for x in X])
    np.testing.assert_allclose(got, want, atol=1e-6)


def test_indexing_then_a_sequence_layer_is_named_by_analysis():
    from layergraph import lstmLayer

    bad = analyze([sequenceInputLayer(C), indexing1dLayer("last", Name="idx"), lstmLayer(3),
                   regressionLayer()])
    assert not bad.ok and "idx" in str(bad)


# --- end to end: the legacy workflow -------------------------------------------------------------

def transformer(pos, heads=2, keys=8, out=2):
    return [sequenceInputLayer(C, Name="in"), pos,
            selfAttentionLayer(heads, keys, AttentionMask="causal", Name="att"),
            layerNormalizationLayer(Name="ln"), fullyConnectedLayer(out, Name="fc"),
            regressionLayer(Name="out")]


def test_assembled_chain_with_set_learnables_matches_numpy():
    rng = RNG(19)
    d = 8
    w = attention_weights(rng, d, 8, 8, d)
    fcW, fcb = rng.standard_normal((2, d)), rng.standard_normal((2, 1))
    layers = [sequenceInputLayer(C, Name="in"), sinusoidalPositionEncodingLayer(d, Name="pe"),
              attention_layer(w, 2, 8, AttentionMask="causal", Name="att"),
              layerNormalizationLayer(Name="ln", Offset=np.zeros((d, 1)), Scale=np.ones((d, 1))),
              fullyConnectedLayer(2, Name="fc", Weights=fcW, Bias=fcb), regressionLayer(Name="out")]
    net = assembleNetwork(layers)
    X = seqs(20)
    got = predict(net, X, MiniBatchSize=2)

    def ref(x):
        a = np_attention(np_sinusoid(np.arange(1, len(x) + 1), d), w, 2, "causal")
        a = (a - a.mean(1, keepdims=True)) / np.sqrt(a.var(1, keepdims=True) + 1e-5)
        return a @ fcW.T + fcb.T

    close(got, [ref(x) for x in X], atol=1e-4)


def test_short_training_lowers_the_loss():
    """Targets depend on the position (and, through a first fully connected layer, would depend
    on the data): the network learns them."""
    rng = RNG(21)
    lengths = rng.integers(3, 9, 24)
    X = [rng.standard_normal((T, C)) for T in lengths]
    Y = [np.stack([np.sin(np.arange(T) / 2), np.cumsum(x[:, 0]) / 3], 1) for T, x in
         zip(lengths, X)]
    layers = [sequenceInputLayer(C, Name="in"), fullyConnectedLayer(8, Name="embed"),
              selfAttentionLayer(2, 8, AttentionMask="causal", Name="att"),
              layerNormalizationLayer(Name="ln"), fullyConnectedLayer(2, Name="fc"),
              regressionLayer(Name="out")]
    opts = trainingOptions("adam", MaxEpochs=30, MiniBatchSize=8, InitialLearnRate=0.02,
                           Verbose=False, ProgressBar=False, Shuffle="every-epoch")
    torch.manual_seed(0)
    net, info = trainNetwork(X, Y, layers, opts)
    loss = np.asarray(info.TrainingLoss)
    assert loss[-3:].mean() < 0.5 * loss[:3].mean()
    pos_layers = transformer(positionEmbeddingLayer(C, 8, Name="pos"))
    net2, info2 = trainNetwork(X, [y[:, :1] * 0 + np.arange(len(y))[:, None] / 8 for y in Y],
                               [*pos_layers[:4], fullyConnectedLayer(1, Name="fc"),
                                regressionLayer(Name="out")], opts)
    loss2 = np.asarray(info2.TrainingLoss)
    assert loss2[-3:].mean() < 0.5 * loss2[:3].mean()
    # the trained network predicts each sequence as it does alone
    batched = predict(net, X[:6], MiniBatchSize=6)
    for x, y in zip(X[:6], batched):
        np.testing.assert_allclose(predict(net, x), y, atol=1e-5, rtol=0)
    # learnables read back in MATLAB's shapes
    att = net.graph.layer("att")
    assert att.QueryWeights.shape == (8, 8) and att.OutputBias.shape == (8, 1)
    assert net2.graph.layer("pos").Weights.shape == (C, 8)


def test_save_and_load_keep_attention_outputs(tmp_path):
    from layergraph import load_network, save_network

    rng = RNG(22)
    w = attention_weights(rng, C, 4, 4, C)
    mask = np.tril(np.ones((7, 7))).T
    net = assembleNetwork([sequenceInputLayer(C, Name="in"),
                           attention_layer(w, 2, 4, AttentionMask=mask, Name="att",
                                           BiasL2Factor=[0, 0, 1, 1]),
                           regressionLayer(Name="out")])
    X = seqs(23)
    save_network(net, tmp_path / "net.lgn")
    close(predict(load_network(tmp_path / "net.lgn"), X), predict(net, X))


def test_unset_learnables_are_named_by_assemble():
    with pytest.raises(NetworkError, match="att.QueryWeights"):
        assembleNetwork(transformer(sinusoidalPositionEncodingLayer(8)))


# --- the other front ends: MATLAB text and diagrams ---------------------------------------------

def test_matlab_text_translates_with_the_same_options():
    from layergraph import from_matlab

    t = from_matlab("""
        layers = [sequenceInputLayer(6, 'Name', 'in')
            positionEmbeddingLayer(6, 50, 'Name', 'pos')
            selfAttentionLayer(2, 8, 'AttentionMask', 'causal', 'NumValueChannels', 4, ...
                               'WeightLearnRateFactor', [1 1 1 0.5], 'Name', 'att')
            indexing1dLayer("last", Name="last")
            fullyConnectedLayer(3, 'Name', 'fc')
            regressionLayer('Name', 'out')];
    """)
    att = t.graph.layer("att")
    assert att == selfAttentionLayer(2, 8, AttentionMask="causal", NumValueChannels=4,
                                     WeightLearnRateFactor=[1, 1, 1, 0.5], Name="att")
    assert att.learnable_factors("OutputWeights") == (0.5, 1.0)
    assert t.graph.layer("pos").MaxPosition == 50 and t.graph.layer("last").Index == "last"
    assert analyze(t.graph).ok


def test_diagram_shows_the_mask_port(tmp_path):
    from layergraph import render

    g = layerGraph([sequenceInputLayer(C, Name="in"),
                    selfAttentionLayer(2, 4, HasPaddingMaskInput=True, Name="att"),
                    regressionLayer(Name="out")])
    g.connectLayers("in", "att/mask")
    dot = render(g, tmp_path / "net.dot").read_text()
    assert "selfAttentionLayer" in dot or "Self-Attention" in dot
    assert "mask" in dot
