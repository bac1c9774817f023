"""lstmProjectedLayer and gruProjectedLayer: options, the NumPy reference of MATLAB's projected
equations (tests/reference_rnn.py), padding, states, gradients, learnable counts and training.

Learnables are set through the MATLAB-named properties in MATLAB's layout; the gradient
reference is a torch step loop written here, not the layer's module.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest
import reference_rnn as ref
import torch
from conftest import assemble_initialized, initialize_learnables

from layergraph import (
    LayerGraph,
    OptionError,
    analyze,
    assembleNetwork,
    connectLayers,
    fullyConnectedLayer,
    gruProjectedLayer,
    layerGraph,
    load_network,
    lstmProjectedLayer,
    predict,
    predictAndUpdateState,
    regressionLayer,
    resetState,
    save_network,
    sequenceInputLayer,
    trainingOptions,
    trainNetwork,
)
from layergraph.formats import vector_sequence
from layergraph.matlab import from_matlab
from layergraph.recurrence import ProjectedRecurrent
from layergraph.sequences import Signal, pad_sequences

C, H, PO, PI = 3, 4, 3, 2
LENGTHS = [7, 2, 5, 1, 6]
TOL = 1e-5
GATES = {"lstm": 4, "gru": 3}
CONSTRUCTORS = {"lstm": lstmProjectedLayer, "gru": gruProjectedLayer}
RBIAS = "recurrent-bias-after-multiplication"

# (kind, StateActivationFunction, GateActivationFunction, ResetGateMode)
CELLS = [
    ("lstm", "tanh", "sigmoid", None),
    ("lstm", "softsign", "hard-sigmoid", None),
    ("gru", "tanh", "sigmoid", "after-multiplication"),
    ("gru", "tanh", "sigmoid", "before-multiplication"),
    ("gru", "tanh", "sigmoid", RBIAS),
    ("gru", "softsign", "hard-sigmoid", "after-multiplication"),
]


def cell_id(cell):
    return "-".join(c for c in cell if c)


def seeded(*parts):
    return np.random.default_rng(zlib.crc32("-".join(map(str, parts)).encode()))


def projected_weights(kind, rng, rgm=None, channels=C, scale=0.6):
    """(InputWeights, RecurrentWeights, Bias, InputProjector, OutputProjector), MATLAB layout."""
    g = GATES[kind] * H
    nb = g * (2 if rgm == RBIAS else 1)
    return tuple(scale * rng.standard_normal(s) for s in
                 ((g, PI), (g, PO), (nb, 1), (channels, PI), (H, PO)))


def projected_layer(kind, weights, sa="tanh", ga="sigmoid", rgm=None, mode="sequence",
                    name="proj", **opts):
    extra = {"ResetGateMode": rgm} if rgm else {}
    lay = CONSTRUCTORS[kind](H, PO, PI, "OutputMode", mode, "Name", name,
                             "StateActivationFunction", sa, "GateActivationFunction", ga,
                             **extra, **opts)
    for prop, value in zip(("InputWeights", "RecurrentWeights", "Bias", "InputProjector",
                            "OutputProjector"), weights):
        setattr(lay, prop, value)
    return lay


def reference(kind, x, weights, sa="tanh", ga="sigmoid", rgm=None, h0=None, c0=None):
    W, R, b, Qi, Qo = weights
    if kind == "lstm":
        return ref.lstm_projected_forward(x, W, R, b, Qi, Qo, h0, c0, sa, ga)
    return ref.gru_projected_forward(x, W, R, b, Qi, Qo, h0, rgm or "after-multiplication",
                                     sa, ga)


def sequences(rng, lengths=LENGTHS, channels=C):
    return [rng.standard_normal((T, channels)) for T in lengths]


# --- options --------------------------------------------------------------------------------


def test_defaults_are_matlabs():
    lay = lstmProjectedLayer(100, 30, 10)
    assert (lay.NumHiddenUnits, lay.OutputProjectorSize, lay.InputProjectorSize) == (100, 30, 10)
    assert lay.OutputMode == "sequence" and lay.InputSize == "auto"
    assert not lay.HasStateInputs and not lay.HasStateOutputs
    assert (lay.StateActivationFunction, lay.GateActivationFunction) == ("tanh", "sigmoid")
    assert (lay.InputWeightsInitializer, lay.RecurrentWeightsInitializer, lay.BiasInitializer,
            lay.InputProjectorInitializer, lay.OutputProjectorInitializer) == (
        "glorot", "orthogonal", "unit-forget-gate", "orthogonal", "orthogonal")
    for name in lay.learnables:
        assert lay.props[f"{name}LearnRateFactor"] == 1.0
        assert lay.props[f"{name}L2Factor"] == (0.0 if name == "Bias" else 1.0)
    assert lay.learnables == ("InputWeights", "RecurrentWeights", "Bias", "InputProjector",
                              "OutputProjector")
    assert lay.HiddenState is None and lay.CellState is None
    gru = gruProjectedLayer(100, 30, 10)
    assert gru.ResetGateMode == "after-multiplication" and gru.BiasInitializer == "zeros"
    assert gru.inputs == ("in",) and gru.outputs == ("out",)
    assert "CellState" not in gru.options


def test_positional_name_value_and_matlab_pairs_agree():
    a = lstmProjectedLayer(8, 3, 2, OutputMode="last", Name="p", InputProjectorL2Factor=0.5)
    b = lstmProjectedLayer(8, 3, 2, "outputmode", "last", "Name", "p",
                           "InputProjectorL2Factor", 0.5)
    c = lstmProjectedLayer(NumHiddenUnits=8, OutputProjectorSize=3, InputProjectorSize=2,
                           OutputMode="last", Name="p", InputProjectorL2Factor=0.5)
    assert a == b == c
    assert a.copy() == a and a.copy(OutputMode="sequence") != a
    assert gruProjectedLayer(8, 3, 2, HasStateOutputs=True).outputs == ("out", "hidden")
    assert lstmProjectedLayer(8, 3, 2, HasStateInputs=True).inputs == ("in", "hidden", "cell")


@pytest.mark.parametrize("ctor", [lstmProjectedLayer, gruProjectedLayer])
@pytest.mark.parametrize("option", ["NumHiddenUnits", "OutputProjectorSize",
                                    "InputProjectorSize"])
@pytest.mark.parametrize("value", [0, -3, 2.5, "ten", "3", True, None, float("nan"),
                                   float("inf"), [3, 4], 1j])
def test_hostile_sizes_name_the_option(ctor, option, value):
    sizes = {"NumHiddenUnits": 8, "OutputProjectorSize": 3, "InputProjectorSize": 2}
    sizes[option] = value
    with pytest.raises(OptionError) as info:
        ctor(Name="bad", **sizes)
    assert info.value.option == option and option in str(info.value)
    assert "layer 'bad'" in str(info.value)


@pytest.mark.parametrize("args, missing", [((8,), "OutputProjectorSize"),
                                           ((8, 3), "InputProjectorSize"),
                                           ((), "NumHiddenUnits")])
def test_missing_sizes_are_named_with_an_example(args, missing):
    with pytest.raises(OptionError, match=rf"missing required argument {missing}.*"
                                          r"lstmProjectedLayer\(100, 30, 10\)") as info:
        lstmProjectedLayer(*args)
    assert info.value.option == missing


@pytest.mark.parametrize("ctor, option, value", [
    (lstmProjectedLayer, "InputProjectorInitializer", "orthonormal"),
    (lstmProjectedLayer, "OutputProjectorInitializer", "unit-forget-gate"),
    (lstmProjectedLayer, "BiasInitializer", "orthogonal"),
    (gruProjectedLayer, "BiasInitializer", "unit-forget-gate"),
    (lstmProjectedLayer, "InputProjectorLearnRateFactor", -1),
    (gruProjectedLayer, "OutputProjectorL2Factor", "big"),
    (lstmProjectedLayer, "OutputMode", "first"),
    (gruProjectedLayer, "ResetGateMode", "after"),
    (lstmProjectedLayer, "StateActivationFunction", "relu"),
    (lstmProjectedLayer, "InputProjector", "not an array"),
    (gruProjectedLayer, "OutputProjector", [[1, 2], [3]]),
    (lstmProjectedLayer, "InputProjectorSzie", 2),
])
def test_hostile_options_name_layer_and_option(ctor, option, value):
    with pytest.raises(OptionError) as info:
        ctor(8, 3, 2, Name="bad", **{option: value})
    assert info.value.option == option and "layer 'bad'" in str(info.value)


def problems_of(layer, channels=C):
    result = analyze(layerGraph([sequenceInputLayer(channels), layer, regressionLayer()]))
    return [(p.kind, p.message) for p in result.problems]


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_wrong_learnable_shapes_are_analysis_problems(kind):
    g = GATES[kind] * H
    ctor = CONSTRUCTORS[kind]
    cases = {"InputProjector": (np.ones((C + 1, PI)), f"{C}x{PI}"),
             "OutputProjector": (np.ones((PO, H)), f"{H}x{PO}"),
             "InputWeights": (np.ones((g, C)), f"{g}x{PI}"),
             "RecurrentWeights": (np.ones((g, H)), f"{g}x{PO}")}
    for prop, (value, shape) in cases.items():
        [(what, message)] = problems_of(ctor(H, PO, PI, **{prop: value}))
        assert what == "size-mismatch" and prop in message and shape in message, message
    [(what, message)] = problems_of(gruProjectedLayer(H, PO, PI, ResetGateMode=RBIAS,
                                                      Bias=np.ones(3 * H)))
    assert "Bias must be 24x1" in message
    [(what, message)] = problems_of(ctor(H, PO, PI, HiddenState=np.ones(PO)))
    assert f"HiddenState must have {H} elements" in message
    [(what, message)] = problems_of(ctor(H, PO, PI, InputSize=C + 2))
    assert f"InputSize is {C + 2}" in message


def test_absurd_sizes_are_refused_before_allocation():
    [(what, message)] = problems_of(lstmProjectedLayer(10 ** 6, 10 ** 6, 10 ** 6))
    assert what == "too-large" and "max_learnables" in message
    # a small layer with absurd projectors is refused just the same
    [(what, _)] = problems_of(gruProjectedLayer(4, 10 ** 9, 1))
    assert what == "too-large"


# --- learnables -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind, rgm", [("lstm", None), ("gru", "after-multiplication"),
                                       ("gru", RBIAS)])
@pytest.mark.parametrize("c, h, po, pi", [(3, 4, 3, 2), (12, 100, 30, 10), (1, 1, 1, 1),
                                          (5, 2, 7, 9)])
def test_learnable_count_is_matlabs_formula(kind, rgm, c, h, po, pi):
    extra = {"ResetGateMode": rgm} if rgm else {}
    result = analyze([sequenceInputLayer(c), CONSTRUCTORS[kind](h, po, pi, **extra),
                      regressionLayer()])
    assert result.ok
    g = GATES[kind] * h
    bias = g * (2 if rgm == RBIAS else 1)
    report = result.layers[1]
    assert report.learnables == {"InputWeights": (g, pi), "RecurrentWeights": (g, po),
                                 "Bias": (bias, 1), "InputProjector": (c, pi),
                                 "OutputProjector": (h, po)}
    assert result.total_learnables == g * pi + g * po + bias + c * pi + h * po
    assert result.layers[1].activations["out"].channels == h  # the output stays H wide


def test_default_initializers():
    def initialized(layer, channels, seed=0):
        g = initialize_learnables([sequenceInputLayer(channels), layer, regressionLayer()], seed)
        return g.Layers[1]

    lay = initialized(lstmProjectedLayer(5, 3, 2), 4, seed=3)
    W, R, b, Qi, Qo = (lay.props[n] for n in lay.learnables)
    assert W.shape == (20, 2) and np.abs(W).max() <= np.sqrt(6 / (2 + 20))  # glorot
    np.testing.assert_allclose(R.T @ R, np.eye(3), atol=1e-12)  # orthogonal columns
    np.testing.assert_allclose(Qi.T @ Qi, np.eye(2), atol=1e-12)  # 4x2
    np.testing.assert_allclose(Qo.T @ Qo, np.eye(3), atol=1e-12)  # 5x3
    np.testing.assert_array_equal(b.reshape(-1), np.r_[np.zeros(5), np.ones(5), np.zeros(10)])
    wide = initialized(gruProjectedLayer(2, 3, 6, InputProjectorInitializer="orthogonal",
                                         OutputProjectorInitializer="glorot"), 4, seed=1)
    np.testing.assert_allclose(wide.InputProjector @ wide.InputProjector.T, np.eye(4),
                               atol=1e-12)  # 4x6: orthogonal rows
    assert np.abs(wide.OutputProjector).max() <= np.sqrt(6 / (2 + 3))
    np.testing.assert_array_equal(wide.Bias, np.zeros((6, 1)))
    ones = initialized(lstmProjectedLayer(2, 1, 1, InputProjectorInitializer="ones",
                                          OutputProjectorInitializer="zeros"), 3)
    np.testing.assert_array_equal(ones.InputProjector, np.ones((3, 1)))
    np.testing.assert_array_equal(ones.OutputProjector, np.zeros((2, 1)))


# --- forward against the NumPy reference ----------------------------------------------------


@pytest.mark.parametrize("cell", CELLS, ids=cell_id)
@pytest.mark.parametrize("mode", ["sequence", "last"])
def test_matches_reference_in_one_padded_batch(cell, mode):
    kind, sa, ga, rgm = cell
    rng = seeded(cell_id(cell), mode)
    weights = projected_weights(kind, rng, rgm)
    net = assembleNetwork([sequenceInputLayer(C),
                           projected_layer(kind, weights, sa, ga, rgm, mode),
                           regressionLayer()])
    X = sequences(rng)
    Y = predict(net, X, MiniBatchSize=len(X))  # one padded mini-batch
    refs = [reference(kind, x, weights, sa, ga, rgm)[0] for x in X]
    if mode == "sequence":
        for y, r in zip(Y, refs):
            assert y.shape == r.shape == (len(r), H)
            np.testing.assert_allclose(y, r, atol=TOL, rtol=0)
    else:
        np.testing.assert_allclose(Y, np.stack([r[-1] for r in refs]), atol=TOL, rtol=0)


@pytest.mark.parametrize("cell", CELLS, ids=cell_id)
@pytest.mark.parametrize("mode", ["sequence", "last"])
def test_a_sequence_alone_equals_it_batched_with_longer_ones(cell, mode):
    kind, sa, ga, rgm = cell
    rng = seeded("alone", cell_id(cell), mode)
    net = assemble_initialized([sequenceInputLayer(C),
                                projected_layer(kind, [None] * 5, sa, ga, rgm, mode),
                                regressionLayer()], seed=2)
    X = sequences(rng, [2, 9, 4, 12])
    batched = predict(net, X, MiniBatchSize=4, SequencePaddingValue=1e3)
    for i, x in enumerate(X):
        alone = predict(net, [x], MiniBatchSize=1)
        np.testing.assert_allclose(batched[i], alone[0], atol=1e-6, rtol=0)


@pytest.mark.parametrize("cell", [c for c in CELLS if c[1] == "tanh"], ids=cell_id)
def test_both_engines_give_reference_outputs_and_final_states(cell):
    """The fused kernel (where the cell allows) and the step loop, final states included."""
    kind, sa, ga, rgm = cell
    rng = seeded("engines", cell_id(cell))
    weights = projected_weights(kind, rng, rgm)
    rnn = projected_layer(kind, weights, sa, ga, rgm).build([vector_sequence(C)]).rnn
    assert isinstance(rnn, ProjectedRecurrent)
    assert rnn.fused == (rgm != "before-multiplication")
    X = sequences(rng)
    data, lengths = pad_sequences(X, value=-50.0)
    refs = [reference(kind, x, weights, sa, ga, rgm) for x in X]
    for fused in {rnn.fused, False}:
        rnn.fused = fused
        with torch.no_grad():
            y, final = rnn(torch.as_tensor(data), torch.as_tensor(lengths), need_state=True)
        for i, r in enumerate(refs):
            np.testing.assert_allclose(y[i, :lengths[i]].numpy(), r[0], atol=TOL, rtol=0)
            for got, want in zip(final, r[1:]):
                np.testing.assert_allclose(got[i].numpy(), want, atol=TOL, rtol=0)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_initial_state_properties(kind):
    rng = seeded("initial", kind)
    weights = projected_weights(kind, rng)
    h0 = rng.uniform(-0.8, 0.8, (H, 1))
    c0 = rng.uniform(-0.8, 0.8, (H, 1)) if kind == "lstm" else None
    states = {"HiddenState": h0} if c0 is None else {"HiddenState": h0, "CellState": c0}
    net = assembleNetwork([sequenceInputLayer(C), projected_layer(kind, weights, **states),
                           regressionLayer()])
    X = sequences(rng)
    for x, y in zip(X, predict(net, X, MiniBatchSize=8)):
        np.testing.assert_allclose(y, reference(kind, x, weights, h0=h0, c0=c0)[0], atol=TOL)
    assert np.abs(predict(net, X[0]) - reference(kind, X[0], weights)[0]).max() > 1e-3


@pytest.mark.parametrize("kind, rgm", [("lstm", None), ("gru", "before-multiplication"),
                                       ("gru", RBIAS)])
@pytest.mark.parametrize("mode2", ["sequence", "last"])
def test_state_outputs_feed_state_inputs(kind, rgm, mode2):
    """HasStateOutputs gives each sequence's exact final states in a padded batch."""
    rng = seeded("ports", kind, rgm, mode2)
    w1 = projected_weights(kind, rng, rgm)
    w2 = projected_weights(kind, rng, rgm, channels=H)
    enc = projected_layer(kind, w1, rgm=rgm, name="enc", HasStateOutputs=True)
    dec = projected_layer(kind, w2, rgm=rgm, mode=mode2, name="dec", HasStateInputs=True)
    lg = layerGraph([sequenceInputLayer(C, Name="in"), enc, dec, regressionLayer(Name="out")])
    for port in enc.outputs[1:]:
        lg = connectLayers(lg, f"enc/{port}", f"dec/{port}")
    net = assembleNetwork(lg)
    X = sequences(rng)
    Y = predict(net, X, MiniBatchSize=len(X))
    for i, x in enumerate(X):
        y1, *final = reference(kind, x, w1, rgm=rgm)
        y2 = reference(kind, y1, w2, rgm=rgm, h0=final[0],
                       c0=final[1] if kind == "lstm" else None)[0]
        np.testing.assert_allclose(Y[i], y2 if mode2 == "sequence" else y2[-1], atol=TOL)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_predict_and_update_state_carries_exact_states_and_reset_state_forgets(kind):
    rng = seeded("stateful", kind)
    weights = projected_weights(kind, rng)
    fc_w, fc_b = rng.standard_normal((2, H)), rng.standard_normal((2, 1))
    net = assembleNetwork([sequenceInputLayer(C), projected_layer(kind, weights),
                           fullyConnectedLayer(2, Weights=fc_w, Bias=fc_b), regressionLayer()])

    def want(x):
        return reference(kind, x, weights)[0] @ fc_w.T + fc_b.reshape(-1)

    # one sequence, in pieces (the streaming path)
    x = rng.standard_normal((11, C))
    resetState(net)
    parts = []
    for a, b in [(0, 1), (1, 5), (5, 11)]:
        net, y = predictAndUpdateState(net, x[a:b])
        parts.append(y)
    np.testing.assert_allclose(np.concatenate(parts), want(x), atol=TOL)
    resetState(net)
    np.testing.assert_allclose(predictAndUpdateState(net, x[:1])[1], want(x[:1]), atol=TOL)
    # two sequences of unequal lengths: the shorter one carries its own final state
    resetState(net)
    a1, b1 = rng.standard_normal((6, C)), rng.standard_normal((2, C))
    a2, b2 = rng.standard_normal((3, C)), rng.standard_normal((4, C))
    predictAndUpdateState(net, [a1, b1], MiniBatchSize=2)
    _, (ya, yb) = predictAndUpdateState(net, [a2, b2], MiniBatchSize=2)
    np.testing.assert_allclose(ya, want(np.vstack([a1, a2]))[-3:], atol=TOL)
    np.testing.assert_allclose(yb, want(np.vstack([b1, b2]))[-4:], atol=TOL)
    resetState(net)


# --- gradients ------------------------------------------------------------------------------


def torch_reference(kind, x, lengths, params, rgm=None):
    """Projected LSTM/GRU as a plain autograd step loop over each sequence's own steps."""
    W, R, b, Qi, Qo = params
    outs = []
    for i, T in enumerate(lengths):
        h = x.new_zeros(H)
        c = x.new_zeros(H)
        ys = []
        for t in range(T):
            wx = W @ (Qi.T @ x[i, t])
            rh = R @ (Qo.T @ h)
            if kind == "lstm":
                a = wx + rh + b
                ig, fg, og = a[:H].sigmoid(), a[H:2 * H].sigmoid(), a[3 * H:].sigmoid()
                c = fg * c + ig * a[2 * H:3 * H].tanh()
                h = og * c.tanh()
            else:
                bw = b[:3 * H]
                br = b[3 * H:] if rgm == RBIAS else torch.zeros_like(bw)
                r = (wx[:H] + bw[:H] + rh[:H] + br[:H]).sigmoid()
                z = (wx[H:2 * H] + bw[H:2 * H] + rh[H:2 * H] + br[H:2 * H]).sigmoid()
                if rgm == "before-multiplication":
                    n = (wx[2 * H:] + bw[2 * H:] + R[2 * H:] @ (Qo.T @ (r * h))).tanh()
                else:
                    n = (wx[2 * H:] + bw[2 * H:] + r * (rh[2 * H:] + br[2 * H:])).tanh()
                h = (1 - z) * n + z * h
            ys.append(h)
        outs.append(torch.stack(ys))
    return outs


@pytest.mark.parametrize("kind, rgm", [("lstm", None), ("gru", "after-multiplication"),
                                       ("gru", "before-multiplication"), ("gru", RBIAS)])
@pytest.mark.parametrize("mode", ["sequence", "last"])
def test_gradients_are_finite_and_equal_an_autograd_reference(kind, rgm, mode):
    rng = seeded("grad", kind, rgm, mode)
    weights = [w.astype(np.float32).astype(np.float64) for w in projected_weights(kind, rng, rgm)]
    lay = projected_layer(kind, weights, rgm=rgm, mode=mode)
    net = assembleNetwork([sequenceInputLayer(C), lay, regressionLayer()],
                          ExecutionEnvironment="cpu")
    mod = net.module.double()
    lengths = [9, 4, 1, 7]
    data, lens = pad_sequences(sequences(rng, lengths), value=7.0, dtype=np.float64)
    coef = torch.as_tensor(rng.standard_normal((len(lengths), max(lengths), H)))
    x = torch.tensor(data, requires_grad=True)
    y = mod(Signal(x, torch.as_tensor(lens))).data
    if mode == "sequence":
        mask = torch.as_tensor(np.arange(max(lengths))[None, :] < lens[:, None])
        loss = (y * coef * mask[..., None]).sum()
    else:
        loss = (y * coef[:, 0]).sum()
    loss.backward()
    rnn = next(m for m in mod.modules() if isinstance(m, ProjectedRecurrent))
    ours = [x.grad] + [p.grad for p in rnn.parameters()]

    xr = torch.tensor(data, requires_grad=True)
    params = [torch.tensor(w.reshape(-1) if w.shape[1:] == (1,) else w, requires_grad=True)
              for w in weights]
    outs = torch_reference(kind, xr, lengths, params, rgm)
    if mode == "sequence":
        loss_r = sum((o * coef[i, :len(o)]).sum() for i, o in enumerate(outs))
    else:
        loss_r = sum((o[-1] * coef[i, 0]).sum() for i, o in enumerate(outs))
    loss_r.backward()
    theirs = [xr.grad] + [p.grad for p in params]
    for name, a, b in zip(("x", *lay.learnables), ours, theirs):
        assert torch.isfinite(a).all(), name
        np.testing.assert_allclose(a.numpy().reshape(b.shape), b.numpy(), atol=1e-9, rtol=1e-7,
                                   err_msg=name)
    assert float(x.grad[1, 4:].abs().max()) == 0.0  # padding gets no gradient


# --- training, saving, YAML, MATLAB text ----------------------------------------------------


def quiet(**kw):
    return trainingOptions("adam", Verbose=False, ProgressBar=False, ExecutionEnvironment="cpu",
                           **kw)


@pytest.mark.parametrize("ctor, extra", [(lstmProjectedLayer, {}),
                                         (gruProjectedLayer, {"ResetGateMode": RBIAS})])
def test_training_lowers_the_loss(ctor, extra):
    rng = np.random.default_rng(5)
    X = [rng.standard_normal((int(T), C)) for T in rng.integers(3, 9, 24)]
    Y = np.array([[x[:, 0].sum() / 4, x[:, 1].mean()] for x in X])  # 'last' regression
    layers = [sequenceInputLayer(C), ctor(8, 3, 2, OutputMode="last", **extra),
              fullyConnectedLayer(2), regressionLayer()]
    net, info = trainNetwork(X, Y, layers, quiet(MaxEpochs=30, MiniBatchSize=8,
                                                 InitialLearnRate=0.02, Seed=0))
    loss = np.asarray(info.TrainingLoss)
    assert np.isfinite(loss).all()
    assert loss[-3:].mean() < 0.5 * loss[:3].mean(), (loss[:3], loss[-3:])
    assert net.Layers[1].InputProjector.shape == (C, 2)


def test_projector_learn_rate_factor_zero_freezes_only_that_projector():
    rng = np.random.default_rng(6)
    X = [rng.standard_normal((5, C)) for _ in range(8)]
    Y = [rng.standard_normal((5, 1)) for _ in range(8)]
    qi = np.linalg.qr(rng.standard_normal((C, PI)))[0]
    qo = np.linalg.qr(rng.standard_normal((H, PO)))[0]
    lay = lstmProjectedLayer(H, PO, PI, InputProjector=qi, OutputProjector=qo,
                             InputProjectorLearnRateFactor=0)
    net, _ = trainNetwork(X, Y, [sequenceInputLayer(C), lay, fullyConnectedLayer(1),
                                 regressionLayer()], quiet(MaxEpochs=3, MiniBatchSize=4))
    trained = net.Layers[1]
    np.testing.assert_allclose(trained.InputProjector, qi, atol=1e-7)  # float32 round trip
    assert np.abs(trained.OutputProjector - qo).max() > 1e-4


def test_save_load_yaml_and_matlab_text_keep_the_layers(tmp_path):
    layers = [sequenceInputLayer(C, Name="in"),
              lstmProjectedLayer(H, PO, PI, Name="lp", OutputMode="sequence"),
              gruProjectedLayer(H, 2, 1, Name="gp", OutputMode="last",
                                ResetGateMode="before-multiplication",
                                OutputProjectorLearnRateFactor=2),
              fullyConnectedLayer(2, Name="fc"), regressionLayer(Name="out")]
    g = layerGraph(layers)
    assert LayerGraph.from_spec(g.save_spec()) == g
    text = ("layers = [sequenceInputLayer(3,'Name','in')\n"
            "    lstmProjectedLayer(4,3,2,'Name','lp')\n"
            "    gruProjectedLayer(4,2,1,'Name','gp','OutputMode','last', ...\n"
            "        'ResetGateMode','before-multiplication','OutputProjectorLearnRateFactor',2)\n"
            "    fullyConnectedLayer(2,'Name','fc')\n"
            "    regressionLayer('Name','out')];")
    assert from_matlab(text).graph == g

    net = assemble_initialized(g, seed=8)
    path = tmp_path / "projected.pt"
    save_network(net, path)
    back = load_network(path, "cpu")
    X = sequences(np.random.default_rng(0), [5, 3])
    np.testing.assert_allclose(predict(back, X), predict(net, X), atol=0)
    for a, b in zip(net.Layers, back.Layers):
        assert a == b
