"""lstmLayer, bilstmLayer and gruLayer against the NumPy reference of MATLAB's equations.

Weights are set through the MATLAB-named properties (InputWeights, RecurrentWeights, Bias) in
MATLAB's layout; several sequences of different lengths go through one predict call (one padded
mini-batch), and each sequence's output must equal the reference run on that sequence alone.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest
import reference_rnn as ref
import torch

from layergraph import (
    assembleNetwork,
    bilstmLayer,
    connectLayers,
    gruLayer,
    layerGraph,
    lstmLayer,
    predict,
    regressionLayer,
    sequenceInputLayer,
)
from layergraph.recurrence import Recurrent

C, H = 3, 4
LENGTHS = [7, 2, 5, 1, 6]
TOL = 1e-5

GATES = {"lstm": 4, "bilstm": 8, "gru": 3}
CONSTRUCTORS = {"lstm": lstmLayer, "bilstm": bilstmLayer, "gru": gruLayer}

# (kind, StateActivationFunction, GateActivationFunction, ResetGateMode)
CELLS = [
    ("lstm", "tanh", "sigmoid", None),
    ("lstm", "softsign", "sigmoid", None),
    ("lstm", "tanh", "hard-sigmoid", None),
    ("lstm", "softsign", "hard-sigmoid", None),
    ("bilstm", "tanh", "sigmoid", None),
    ("bilstm", "softsign", "hard-sigmoid", None),
    ("bilstm", "tanh", "hard-sigmoid", None),
    ("gru", "tanh", "sigmoid", "after-multiplication"),
    ("gru", "tanh", "sigmoid", "before-multiplication"),
    ("gru", "tanh", "sigmoid", "recurrent-bias-after-multiplication"),
    ("gru", "softsign", "hard-sigmoid", "after-multiplication"),
    ("gru", "softsign", "sigmoid", "before-multiplication"),
    ("gru", "tanh", "hard-sigmoid", "recurrent-bias-after-multiplication"),
]


def cell_id(cell):
    return "-".join(str(c) for c in cell if c)


def matlab_weights(kind, rng, channels=C, hidden=H, reset_gate_mode=None, scale=0.6):
    g = GATES[kind]
    W = scale * rng.standard_normal((g * hidden, channels))
    R = scale * rng.standard_normal((g * hidden, hidden))
    nb = g * hidden * (2 if reset_gate_mode == "recurrent-bias-after-multiplication" else 1)
    b = scale * rng.standard_normal((nb, 1))
    return W, R, b


def recurrent_layer(kind, state_act="tanh", gate_act="sigmoid", rgm=None, mode="sequence",
                    hidden=H, name="rnn", weights=None, **opts):
    extra = {"ResetGateMode": rgm} if rgm else {}
    lay = CONSTRUCTORS[kind](hidden, "OutputMode", mode, "Name", name,
                             "StateActivationFunction", state_act,
                             "GateActivationFunction", gate_act, **extra, **opts)
    W, R, b = weights
    lay.InputWeights = W  # set through the MATLAB-named properties, MATLAB layout
    lay.RecurrentWeights = R
    lay.Bias = b
    return lay


def reference(kind, x, weights, state_act="tanh", gate_act="sigmoid", rgm=None, h0=None, c0=None):
    W, R, b = weights
    if kind == "lstm":
        return ref.lstm_forward(x, W, R, b, h0, c0, state_act, gate_act)
    if kind == "bilstm":
        return ref.bilstm_forward(x, W, R, b, h0, c0, state_act, gate_act)
    return ref.gru_forward(x, W, R, b, h0, rgm or "after-multiplication", state_act, gate_act)


def sequences(rng, lengths=LENGTHS, channels=C):
    return [rng.standard_normal((T, channels)) for T in lengths]


@pytest.mark.parametrize("cell", CELLS, ids=cell_id)
@pytest.mark.parametrize("mode", ["sequence", "last"])
def test_matches_reference(cell, mode):
    kind, sa, ga, rgm = cell
    rng = np.random.default_rng(zlib.crc32(f"{cell_id(cell)}-{mode}".encode()))
    weights = matlab_weights(kind, rng, reset_gate_mode=rgm)
    lay = recurrent_layer(kind, sa, ga, rgm, mode, weights=weights)
    net = assembleNetwork([sequenceInputLayer(C), lay, regressionLayer()])
    X = sequences(rng)
    Y = predict(net, X, "MiniBatchSize", len(X))  # one padded mini-batch
    refs = [reference(kind, x, weights, sa, ga, rgm)[0] for x in X]
    if mode == "sequence":
        assert isinstance(Y, list) and len(Y) == len(X)
        for y, r in zip(Y, refs):
            assert y.shape == r.shape
            np.testing.assert_allclose(y, r, atol=TOL, rtol=0)
    else:
        # 'last' is the last time step of the output sequence (for bilstm: [fwd_T; bwd_T])
        assert Y.shape == (len(X), refs[0].shape[1])
        np.testing.assert_allclose(Y, np.stack([r[-1] for r in refs]), atol=TOL, rtol=0)


@pytest.mark.parametrize("cell", [c for c in CELLS if c[1:3] == ("tanh", "sigmoid")],
                         ids=cell_id)
def test_fused_and_loop_engines_both_match_reference(cell):
    """The fast kernels and the time-step loop give the reference's outputs and final states."""
    kind, sa, ga, rgm = cell
    rng = np.random.default_rng(7)
    weights = matlab_weights(kind, rng, reset_gate_mode=rgm)
    layer = recurrent_layer(kind, sa, ga, rgm, weights=weights)
    X = sequences(rng)
    from layergraph.formats import vector_sequence
    from layergraph.sequences import pad_sequences

    mod = layer.build([vector_sequence(C)])
    rnn = mod.rnn
    assert isinstance(rnn, Recurrent)
    expected_fused = rgm != "before-multiplication"
    assert rnn.fused == expected_fused
    data, lengths = pad_sequences(X)
    x, lens = torch.as_tensor(data), torch.as_tensor(lengths)
    refs = [reference(kind, s, weights, sa, ga, rgm) for s in X]
    for fused in {expected_fused, False}:
        rnn.fused = fused
        with torch.no_grad():
            y, final = rnn(x, lens, None, need_state=True)
        for i, r in enumerate(refs):
            L = lengths[i]
            np.testing.assert_allclose(y[i, :L].numpy(), r[0], atol=TOL, rtol=0,
                                       err_msg=f"fused={fused}, sequence {i}")
            for got, want in zip(final, r[1:]):
                np.testing.assert_allclose(got[i].numpy(), want, atol=TOL, rtol=0,
                                           err_msg=f"final state, fused={fused}, sequence {i}")


@pytest.mark.parametrize("kind", ["lstm", "bilstm", "gru"])
@pytest.mark.parametrize("act", [("tanh", "sigmoid"), ("softsign", "hard-sigmoid")])
def test_initial_state_properties(kind, act):
    """HiddenState / CellState set the initial state of every sequence (backward direction of a
    bilstm: the state it starts from at the last time step)."""
    rng = np.random.default_rng(3)
    weights = matlab_weights(kind, rng)
    n = 2 * H if kind == "bilstm" else H
    h0 = rng.uniform(-0.8, 0.8, (n, 1))
    c0 = rng.uniform(-0.8, 0.8, (n, 1)) if kind != "gru" else None
    states = {"HiddenState": h0} if c0 is None else {"HiddenState": h0, "CellState": c0}
    lay = recurrent_layer(kind, *act, weights=weights, **states)
    net = assembleNetwork([sequenceInputLayer(C), lay, regressionLayer()])
    X = sequences(rng)
    Y = predict(net, X, MiniBatchSize=8)
    for x, y in zip(X, Y):
        r = reference(kind, x, weights, *act, h0=h0, c0=c0)[0]
        np.testing.assert_allclose(y, r, atol=TOL, rtol=0)
    # and the state really matters: zeros give a different answer
    zero = reference(kind, X[0], weights, *act)[0]
    assert np.abs(Y[0] - zero).max() > 1e-3


def state_passing_graph(kind, act, rgm, w1, w2, mode2):
    """rnn1 (HasStateOutputs) hands its final hidden (and cell) state to rnn2 (HasStateInputs)."""
    r1 = recurrent_layer(kind, *act, rgm, "sequence", name="enc", weights=w1,
                         HasStateOutputs=True)
    r2 = recurrent_layer(kind, *act, rgm, mode2, name="dec", weights=w2, HasStateInputs=True)
    assert r1.outputs == (("out", "hidden") if kind == "gru" else ("out", "hidden", "cell"))
    assert r2.inputs == (("in", "hidden") if kind == "gru" else ("in", "hidden", "cell"))
    lg = layerGraph([sequenceInputLayer(C, Name="in"), r1, r2, regressionLayer(Name="out")])
    for port in r1.outputs[1:]:
        lg = connectLayers(lg, f"enc/{port}", f"dec/{port}")
    return lg


@pytest.mark.parametrize("cell", [
    ("lstm", ("tanh", "sigmoid"), None),
    ("lstm", ("softsign", "hard-sigmoid"), None),
    ("bilstm", ("tanh", "sigmoid"), None),
    ("bilstm", ("softsign", "sigmoid"), None),
    ("gru", ("tanh", "sigmoid"), "after-multiplication"),
    ("gru", ("tanh", "sigmoid"), "before-multiplication"),
    ("gru", ("tanh", "sigmoid"), "recurrent-bias-after-multiplication"),
], ids=lambda c: "-".join(filter(None, (c[0], *c[1], c[2]))))
@pytest.mark.parametrize("mode2", ["sequence", "last"])
def test_state_outputs_feed_state_inputs(cell, mode2):
    """HasStateOutputs gives the exact final states (per sequence, padded batch); HasStateInputs
    starts the second layer from them."""
    kind, act, rgm = cell
    rng = np.random.default_rng(11)
    w1 = matlab_weights(kind, rng, reset_gate_mode=rgm)
    w2 = matlab_weights(kind, rng, channels=(2 if kind == "bilstm" else 1) * H,
                        reset_gate_mode=rgm)
    net = assembleNetwork(state_passing_graph(kind, act, rgm, w1, w2, mode2))
    X = sequences(rng)
    Y = predict(net, X, MiniBatchSize=len(X))
    for i, x in enumerate(X):
        y1, *final = reference(kind, x, w1, *act, rgm)
        if kind == "gru":
            y2 = reference(kind, y1, w2, *act, rgm, h0=final[0])[0]
        else:
            y2 = reference(kind, y1, w2, *act, h0=final[0], c0=final[1])[0]
        want = y2 if mode2 == "sequence" else y2[-1]
        np.testing.assert_allclose(Y[i], want, atol=TOL, rtol=0, err_msg=f"sequence {i}")


@pytest.mark.parametrize("kind", ["lstm", "bilstm", "gru"])
def test_state_output_ports_of_the_torch_module(kind):
    """The compiled layer module returns (out, hidden[, cell]) = the reference's final states."""
    rng = np.random.default_rng(5)
    w = matlab_weights(kind, rng)
    lay = recurrent_layer(kind, weights=w, HasStateOutputs=True)
    from layergraph.formats import vector_sequence
    from layergraph.sequences import Signal, pad_sequences

    mod = lay.build([vector_sequence(C)]).eval()
    X = sequences(rng)
    data, lengths = pad_sequences(X)
    with torch.no_grad():
        out, *states = mod(Signal(torch.as_tensor(data), torch.as_tensor(lengths)))
    assert len(states) == (1 if kind == "gru" else 2)
    for i, x in enumerate(X):
        r = reference(kind, x, w)
        np.testing.assert_allclose(out.data[i, :lengths[i]].numpy(), r[0], atol=TOL, rtol=0)
        for got, want in zip(states, r[1:]):
            np.testing.assert_allclose(got.data[i].numpy(), want, atol=TOL, rtol=0)


def test_gru_reset_gate_modes_differ():
    """The three ResetGateMode values are really different computations (guards the parametrised
    comparisons above against a mode being silently ignored)."""
    rng = np.random.default_rng(2)
    X = sequences(rng, [6])
    outs = []
    W, R, b = matlab_weights("gru", rng, scale=1.0)
    b6 = np.concatenate([b, rng.standard_normal((3 * H, 1))])
    for rgm, bias in [("after-multiplication", b), ("before-multiplication", b),
                      ("recurrent-bias-after-multiplication", b6)]:
        lay = recurrent_layer("gru", rgm=rgm, weights=(W, R, bias))
        net = assembleNetwork([sequenceInputLayer(C), lay, regressionLayer()])
        outs.append(predict(net, X[0]))
    assert np.abs(outs[0] - outs[1]).max() > 1e-3
    assert np.abs(outs[0] - outs[2]).max() > 1e-3
