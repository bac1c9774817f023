"""Self-checks for tests/reference_rnn.py against hand-computable cases.

Expected values are written as closed-form expressions (math module only), so
these tests do not rely on the reference's own code paths.
"""

import ast
import math
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_rnn as ref  # noqa: E402

TANH1 = math.tanh(1.0)


def sig(v):
    return 1.0 / (1.0 + math.exp(-v))


def col(*vals):
    return np.array(vals, dtype=np.float64)


# --------------------------------------------------------------------------
# module hygiene
# --------------------------------------------------------------------------
def test_reference_imports_only_numpy():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference_rnn.py")
    with open(path, encoding="utf-8") as fh:
        tree = ast.parse(fh.read())
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            roots.add(node.module.split(".")[0])
    assert roots <= {"numpy", "__future__"}, roots


# --------------------------------------------------------------------------
# activations
# --------------------------------------------------------------------------
def test_hard_sigmoid_breakpoints():
    xs = [-10.0, -2.6, -2.5, -1.0, 0.0, 1.0, 2.5, 2.6, 10.0]
    expected = [0.0, 0.0, 0.0, 0.3, 0.5, 0.7, 1.0, 1.0, 1.0]
    np.testing.assert_allclose(ref.hard_sigmoid(xs), expected, rtol=0, atol=1e-15)
    # continuous at the breakpoints, linear slope 0.2 inside
    eps = 1e-9
    assert abs(ref.hard_sigmoid(-2.5 + eps) - 0.0) < 1e-9
    assert abs(ref.hard_sigmoid(2.5 - eps) - 1.0) < 1e-9
    assert ref.hard_sigmoid(1.5) - ref.hard_sigmoid(0.5) == pytest.approx(0.2)


def test_softsign_and_sigmoid_values():
    np.testing.assert_allclose(ref.softsign([-3.0, -1.0, 0.0, 1.0, 3.0]),
                               [-0.75, -0.5, 0.0, 0.5, 0.75])
    np.testing.assert_allclose(ref.sigmoid([-2.0, 0.0, 3.0]),
                               [sig(-2.0), 0.5, sig(3.0)], rtol=1e-15)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # no overflow at the extremes
        out = ref.sigmoid([-1000.0, 1000.0])
    np.testing.assert_array_equal(out, [0.0, 1.0])


def test_unknown_activation_rejected():
    x = np.zeros((1, 1))
    W, R, b = np.zeros((4, 1)), np.zeros((4, 1)), np.zeros(4)
    with pytest.raises(ValueError):
        ref.lstm_forward(x, W, R, b, state_act="relu")
    with pytest.raises(ValueError):
        ref.lstm_forward(x, W, R, b, gate_act="hard_sigmoid")


# --------------------------------------------------------------------------
# LSTM
# --------------------------------------------------------------------------
def test_lstm_zero_weights_two_steps_by_hand():
    # W = R = 0, only the cell-candidate bias is 1: i = f = o = 0.5, g = tanh(1).
    H, C = 1, 3
    W, R = np.zeros((4 * H, C)), np.zeros((4 * H, H))
    b = col(0.0, 0.0, 1.0, 0.0)
    x = np.random.default_rng(0).normal(size=(2, C))  # irrelevant: W = 0
    Y, hT, cT = ref.lstm_forward(x, W, R, b)
    c1 = 0.5 * 0.0 + 0.5 * TANH1
    c2 = 0.5 * c1 + 0.5 * TANH1  # = 0.75 tanh(1)
    h1, h2 = 0.5 * math.tanh(c1), 0.5 * math.tanh(c2)
    np.testing.assert_allclose(Y[:, 0], [h1, h2], rtol=1e-14)
    assert hT[0] == pytest.approx(h2, rel=1e-14)
    assert cT[0] == pytest.approx(0.75 * TANH1, rel=1e-14)
    assert Y.shape == (2, 1) and Y.dtype == np.float64


def test_lstm_all_zero_gives_zero():
    Y, hT, cT = ref.lstm_forward(np.ones((3, 2)), np.zeros((8, 2)),
                                 np.zeros((8, 2)), np.zeros(8))
    np.testing.assert_array_equal(Y, 0.0)
    np.testing.assert_array_equal(hT, 0.0)
    np.testing.assert_array_equal(cT, 0.0)


def test_lstm_gate_order_i_f_g_o():
    # Distinct bias per gate block, W = R = 0, c0 != 0: swapping any two
    # blocks changes the result.
    bi, bf, bg, bo = 0.3, -1.2, 0.7, 2.0
    c0 = 0.9
    Y, hT, cT = ref.lstm_forward(np.zeros((1, 1)), np.zeros((4, 1)),
                                 np.zeros((4, 1)), col(bi, bf, bg, bo),
                                 h0=[0.0], c0=[c0])
    c1 = sig(bf) * c0 + sig(bi) * math.tanh(bg)
    h1 = sig(bo) * math.tanh(c1)
    assert cT[0] == pytest.approx(c1, rel=1e-14)
    assert Y[0, 0] == pytest.approx(h1, rel=1e-14)


def test_lstm_bias_column_accepted():
    b = col(0.3, -1.2, 0.7, 2.0)
    a = ref.lstm_forward(np.ones((2, 1)), np.ones((4, 1)), np.ones((4, 1)), b)[0]
    c = ref.lstm_forward(np.ones((2, 1)), np.ones((4, 1)), np.ones((4, 1)),
                         b.reshape(4, 1))[0]
    np.testing.assert_array_equal(a, c)


def test_lstm_input_and_recurrent_weights_by_hand():
    # H = 1, C = 2.  W rows (i, f, g, o) pick different channels; R only feeds
    # the cell candidate, so step 2 depends on h1 through R_g.
    W = np.array([[1.0, 0.0],    # i
                  [0.0, 1.0],    # f
                  [1.0, 1.0],    # g
                  [0.0, 0.0]])   # o
    R = np.array([[0.0], [0.0], [2.0], [0.0]])
    b = np.zeros(4)
    x = np.array([[0.5, -0.5], [1.0, 2.0]])
    Y, hT, cT = ref.lstm_forward(x, W, R, b)
    # step 1 from h0 = c0 = 0
    i1, f1, g1, o1 = sig(0.5), sig(-0.5), math.tanh(0.0), 0.5
    c1 = f1 * 0.0 + i1 * g1
    h1 = o1 * math.tanh(c1)
    # step 2
    i2, f2, g2, o2 = sig(1.0), sig(2.0), math.tanh(3.0 + 2.0 * h1), 0.5
    c2 = f2 * c1 + i2 * g2
    h2 = o2 * math.tanh(c2)
    np.testing.assert_allclose(Y[:, 0], [h1, h2], rtol=1e-14)
    assert cT[0] == pytest.approx(c2, rel=1e-14)


def test_lstm_softsign_hard_sigmoid_by_hand():
    # hard-sigmoid gates: i = hs(1) = 0.7, f = hs(-1) = 0.3, o = hs(2) = 0.9;
    # softsign state: g = ss(1) = 0.5.
    b = col(1.0, -1.0, 1.0, 2.0)
    Y, hT, cT = ref.lstm_forward(np.zeros((2, 1)), np.zeros((4, 1)),
                                 np.zeros((4, 1)), b,
                                 state_act="softsign", gate_act="hard-sigmoid")
    c1 = 0.3 * 0.0 + 0.7 * 0.5          # 0.35
    h1 = 0.9 * c1 / (1.0 + c1)          # 7/30
    c2 = 0.3 * c1 + 0.7 * 0.5           # 0.455
    h2 = 0.9 * c2 / (1.0 + c2)
    assert h1 == pytest.approx(7.0 / 30.0)
    np.testing.assert_allclose(Y[:, 0], [h1, h2], rtol=1e-14)
    assert cT[0] == pytest.approx(0.455, rel=1e-14)


def test_lstm_state_continuation():
    rng = np.random.default_rng(1)
    H, C, T = 3, 2, 7
    W, R, b = rng.normal(size=(4 * H, C)), rng.normal(size=(4 * H, H)), rng.normal(size=4 * H)
    x = rng.normal(size=(T, C))
    h0, c0 = rng.normal(size=H), rng.normal(size=H)
    Y, hT, cT = ref.lstm_forward(x, W, R, b, h0, c0)
    Ya, ha, ca = ref.lstm_forward(x[:4], W, R, b, h0, c0)
    Yb, hb, cb = ref.lstm_forward(x[4:], W, R, b, ha, ca)
    np.testing.assert_allclose(Y, np.vstack([Ya, Yb]), rtol=0, atol=0)
    np.testing.assert_array_equal(hT, hb)
    np.testing.assert_array_equal(cT, cb)


def test_lstm_shape_validation():
    with pytest.raises(ValueError):  # W has wrong channel count
        ref.lstm_forward(np.zeros((2, 3)), np.zeros((4, 2)), np.zeros((4, 1)), np.zeros(4))
    with pytest.raises(ValueError):  # bias too short
        ref.lstm_forward(np.zeros((2, 1)), np.zeros((4, 1)), np.zeros((4, 1)), np.zeros(3))
    with pytest.raises(ValueError):  # x not (T, C)
        ref.lstm_forward(np.zeros(2), np.zeros((4, 1)), np.zeros((4, 1)), np.zeros(4))


def test_lstm_float32_input_promoted():
    Y, hT, cT = ref.lstm_forward(np.ones((2, 1), np.float32), np.ones((4, 1), np.float32),
                                 np.ones((4, 1), np.float32), np.ones(4, np.float32))
    assert Y.dtype == hT.dtype == cT.dtype == np.float64


# --------------------------------------------------------------------------
# BiLSTM
# --------------------------------------------------------------------------
def _bilstm_params(rng, H, C):
    return (rng.normal(size=(8 * H, C)), rng.normal(size=(8 * H, H)),
            rng.normal(size=8 * H))


def test_bilstm_length_one_backward_equals_lstm_with_backward_weights():
    rng = np.random.default_rng(2)
    H, C = 2, 3
    W, R, b = _bilstm_params(rng, H, C)
    x = rng.normal(size=(1, C))
    Y, hT, cT = ref.bilstm_forward(x, W, R, b)
    Yf, _, _ = ref.lstm_forward(x, W[:4 * H], R[:4 * H], b[:4 * H])
    Yb, _, _ = ref.lstm_forward(x, W[4 * H:], R[4 * H:], b[4 * H:])
    assert Y.shape == (1, 2 * H)
    np.testing.assert_array_equal(Y[:, :H], Yf)
    np.testing.assert_array_equal(Y[:, H:], Yb)


def test_bilstm_length_one_by_hand():
    # H = 1, W = R = 0.  Forward block: only b_g = 1; backward block: only b_g = -1.
    b = col(0, 0, 1, 0, 0, 0, -1, 0)
    Y, hT, cT = ref.bilstm_forward(np.zeros((1, 1)), np.zeros((8, 1)),
                                   np.zeros((8, 1)), b)
    hf = 0.5 * math.tanh(0.5 * TANH1)
    np.testing.assert_allclose(Y[0], [hf, -hf], rtol=1e-14)
    np.testing.assert_allclose(cT, [0.5 * TANH1, -0.5 * TANH1], rtol=1e-14)


def test_bilstm_time_alignment():
    # The backward direction sees x[T-1] first: its output at the last time
    # step is one LSTM step on x[T-1] from its initial state; the forward
    # direction's output at t = 0 is one step on x[0].
    rng = np.random.default_rng(3)
    H, C, T = 2, 2, 5
    W, R, b = _bilstm_params(rng, H, C)
    x = rng.normal(size=(T, C))
    Y, hT, cT = ref.bilstm_forward(x, W, R, b)
    f, k = slice(0, 4 * H), slice(4 * H, 8 * H)
    np.testing.assert_allclose(Y[0, :H], ref.lstm_forward(x[:1], W[f], R[f], b[f])[0][0])
    np.testing.assert_allclose(Y[T - 1, H:], ref.lstm_forward(x[T - 1:], W[k], R[k], b[k])[0][0])
    # full-sequence equivalence with the reversed-run definition
    np.testing.assert_allclose(Y[:, :H], ref.lstm_forward(x, W[f], R[f], b[f])[0])
    np.testing.assert_allclose(Y[:, H:], ref.lstm_forward(x[::-1], W[k], R[k], b[k])[0][::-1])
    # final states: forward after x[T-1], backward after x[0]
    np.testing.assert_array_equal(hT[:H], Y[T - 1, :H])
    np.testing.assert_array_equal(hT[H:], Y[0, H:])
    # backward outputs differ from a (wrong) un-reversed run
    assert not np.allclose(Y[:, H:], ref.lstm_forward(x, W[k], R[k], b[k])[0])


def test_bilstm_initial_states_split_forward_backward():
    rng = np.random.default_rng(4)
    H, C, T = 2, 1, 3
    W, R, b = _bilstm_params(rng, H, C)
    x = rng.normal(size=(T, C))
    h0, c0 = rng.normal(size=2 * H), rng.normal(size=2 * H)
    Y, hT, cT = ref.bilstm_forward(x, W, R, b, h0, c0)
    f, k = slice(0, 4 * H), slice(4 * H, 8 * H)
    Yf, hf, cf = ref.lstm_forward(x, W[f], R[f], b[f], h0[:H], c0[:H])
    Yb, hb, cb = ref.lstm_forward(x[::-1], W[k], R[k], b[k], h0[H:], c0[H:])
    np.testing.assert_array_equal(Y, np.hstack([Yf, Yb[::-1]]))
    np.testing.assert_array_equal(hT, np.concatenate([hf, hb]))
    np.testing.assert_array_equal(cT, np.concatenate([cf, cb]))


# --------------------------------------------------------------------------
# GRU
# --------------------------------------------------------------------------
MODES = ref.RESET_GATE_MODES


def test_gru_update_rule_by_hand():
    # W = R = 0: z = sig(b_z), h~ = tanh(b_h); h1 = (1 - z) h~ + z h0.
    b = col(0.4, 0.0, 1.0)
    Y, hT = ref.gru_forward(np.zeros((2, 1)), np.zeros((3, 1)), np.zeros((3, 1)), b,
                            h0=[0.5])
    h1 = 0.5 * TANH1 + 0.5 * 0.5
    h2 = 0.5 * TANH1 + 0.5 * h1
    np.testing.assert_allclose(Y[:, 0], [h1, h2], rtol=1e-14)
    assert hT[0] == pytest.approx(h2, rel=1e-14)


def test_gru_gate_order_r_z_h():
    # H = 1, R_h = 1, distinct biases: h~ = tanh(b_h + sig(b_r) h0).
    br, bz, bh, h0 = -0.8, 0.6, 0.25, 0.7
    R = col(0.0, 0.0, 1.0).reshape(3, 1)
    for mode in ("after-multiplication", "before-multiplication"):
        Y, _ = ref.gru_forward(np.zeros((1, 1)), np.zeros((3, 1)), R,
                               col(br, bz, bh), h0=[h0], reset_gate_mode=mode)
        z = sig(bz)
        expect = (1 - z) * math.tanh(bh + sig(br) * h0) + z * h0
        assert Y[0, 0] == pytest.approx(expect, rel=1e-14), mode


def _swap_case(mode):
    """H = 2 case that separates the three reset-gate modes.

    hard-sigmoid gates: r = [1, 0] (b_r = [3, -3]), z = [0, 0] (b_z = -3),
    R_h swaps the two units, h0 = [1, 0], b_Wh = 0, W = 0.
    """
    H = 2
    W = np.zeros((3 * H, 1))
    R = np.zeros((3 * H, H))
    R[2 * H:] = [[0.0, 1.0], [1.0, 0.0]]
    bW = np.array([3.0, -3.0, -3.0, -3.0, 0.0, 0.0])
    if mode == "recurrent-bias-after-multiplication":
        b = np.concatenate([bW, [0.0, 0.0, 0.0, 0.0, 0.5, 0.5]])
    else:
        b = bW
    Y, hT = ref.gru_forward(np.zeros((1, 1)), W, R, b, h0=[1.0, 0.0],
                            reset_gate_mode=mode, gate_act="hard-sigmoid")
    return Y[0]


def test_gru_reset_gate_modes_by_hand():
    # after:  r * (R_h h0)          = [1,0]*[0,1]         = [0,0]   -> h = [0, 0]
    # before: R_h (r * h0)          = R_h [1,0]           = [0,1]   -> h = [0, tanh 1]
    # rbias:  r * (R_h h0 + b_Rh)   = [1,0]*[0.5,1.5]     = [0.5,0] -> h = [tanh .5, 0]
    np.testing.assert_allclose(_swap_case("after-multiplication"), [0.0, 0.0], atol=0)
    np.testing.assert_allclose(_swap_case("before-multiplication"), [0.0, TANH1], rtol=1e-14)
    np.testing.assert_allclose(_swap_case("recurrent-bias-after-multiplication"),
                               [math.tanh(0.5), 0.0], rtol=1e-14)


def test_gru_recurrent_gate_bias_enters_gates():
    # Moving the reset/update biases from b_W to b_R leaves the result unchanged.
    H = 2
    R = np.zeros((3 * H, H))
    R[2 * H:] = [[0.0, 1.0], [1.0, 0.0]]
    b = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 3.0, -3.0, -3.0, -3.0, 0.5, 0.5])
    Y, _ = ref.gru_forward(np.zeros((1, 1)), np.zeros((3 * H, 1)), R, b, h0=[1.0, 0.0],
                           reset_gate_mode="recurrent-bias-after-multiplication",
                           gate_act="hard-sigmoid")
    np.testing.assert_allclose(Y[0], [math.tanh(0.5), 0.0], rtol=1e-14)


def test_gru_modes_coincide_at_step_one_from_zero_state():
    rng = np.random.default_rng(5)
    H, C, T = 3, 2, 4
    W, R, bW = rng.normal(size=(3 * H, C)), rng.normal(size=(3 * H, H)), rng.normal(size=3 * H)
    x = rng.normal(size=(T, C))
    b6 = np.concatenate([bW, np.zeros(3 * H)])
    Ya, _ = ref.gru_forward(x, W, R, bW, reset_gate_mode="after-multiplication")
    Yb, _ = ref.gru_forward(x, W, R, bW, reset_gate_mode="before-multiplication")
    Yc, _ = ref.gru_forward(x, W, R, b6, reset_gate_mode="recurrent-bias-after-multiplication")
    np.testing.assert_allclose(Ya[0], Yb[0], rtol=1e-15)
    np.testing.assert_allclose(Ya[0], Yc[0], rtol=1e-15)
    # step-1 value by hand: h0 = 0 => h1 = (1 - z) tanh(W_h x + b_Wh)
    z = 1 / (1 + np.exp(-(W[H:2 * H] @ x[0] + bW[H:2 * H])))
    np.testing.assert_allclose(Ya[0], (1 - z) * np.tanh(W[2 * H:] @ x[0] + bW[2 * H:]),
                               rtol=1e-14)
    # zero recurrent bias: recurrent-bias mode == after-multiplication at all steps
    np.testing.assert_allclose(Ya, Yc, rtol=1e-14)
    # but once h != 0, before- and after-multiplication differ
    assert not np.allclose(Ya[1:], Yb[1:])


def test_gru_state_continuation():
    rng = np.random.default_rng(6)
    H, C, T = 2, 3, 6
    W, R = rng.normal(size=(3 * H, C)), rng.normal(size=(3 * H, H))
    x, h0 = rng.normal(size=(T, C)), rng.normal(size=H)
    for mode in MODES:
        b = rng.normal(size=6 * H if mode == MODES[2] else 3 * H)
        Y, hT = ref.gru_forward(x, W, R, b, h0, reset_gate_mode=mode)
        Ya, ha = ref.gru_forward(x[:2], W, R, b, h0, reset_gate_mode=mode)
        Yb, hb = ref.gru_forward(x[2:], W, R, b, ha, reset_gate_mode=mode)
        np.testing.assert_array_equal(Y, np.vstack([Ya, Yb]))
        np.testing.assert_array_equal(hT, hb)


def test_gru_bias_length_checked_per_mode():
    x, W, R = np.zeros((1, 1)), np.zeros((3, 1)), np.zeros((3, 1))
    with pytest.raises(ValueError):
        ref.gru_forward(x, W, R, np.zeros(6), reset_gate_mode="after-multiplication")
    with pytest.raises(ValueError):
        ref.gru_forward(x, W, R, np.zeros(6), reset_gate_mode="before-multiplication")
    with pytest.raises(ValueError):
        ref.gru_forward(x, W, R, np.zeros(3),
                        reset_gate_mode="recurrent-bias-after-multiplication")
    with pytest.raises(ValueError):
        ref.gru_forward(x, W, R, np.zeros(3), reset_gate_mode="after")


def test_gru_softsign_hard_sigmoid_by_hand():
    # b_z = 0 -> z = hs(0) = 0.5; b_h = 1 -> h~ = ss(1) = 0.5 (W = R = 0).
    Y, _ = ref.gru_forward(np.zeros((2, 1)), np.zeros((3, 1)), np.zeros((3, 1)),
                           col(0.0, 0.0, 1.0), state_act="softsign",
                           gate_act="hard-sigmoid")
    np.testing.assert_allclose(Y[:, 0], [0.25, 0.375], rtol=1e-15)


# --------------------------------------------------------------------------
# projected LSTM / GRU
# --------------------------------------------------------------------------
def test_lstm_projected_one_step_by_hand():
    # H = 1, C = 2, Pi = Po = 1: the gates see W * (Qi' x) + R * (Qo' h0) + b.
    x = np.array([[1.0, -2.0]])
    Qi, Qo = np.array([[0.5], [0.25]]), np.array([[2.0]])  # Qi' x = 0, Qo' h0 = 2 * h0
    W, R = col(1.0, 1.0, 1.0, 1.0).reshape(4, 1), col(0.1, 0.2, 0.3, 0.4).reshape(4, 1)
    b = col(0.0, 0.5, -0.5, 1.0)
    h0, c0 = 0.5, -1.0
    Y, hT, cT = ref.lstm_projected_forward(x, W, R, b, Qi, Qo, h0=[h0], c0=[c0])
    a = [0.1 * 2 * h0, 0.2 * 2 * h0 + 0.5, 0.3 * 2 * h0 - 0.5, 0.4 * 2 * h0 + 1.0]
    c = sig(a[1]) * c0 + sig(a[0]) * math.tanh(a[2])
    assert cT[0] == pytest.approx(c, rel=1e-14)
    assert Y[0, 0] == pytest.approx(sig(a[3]) * math.tanh(c), rel=1e-14) == hT[0]


@pytest.mark.parametrize("mode", ref.RESET_GATE_MODES)
def test_projected_equals_unprojected_with_full_weights(mode):
    # MATLAB's identity: a projected layer is the unprojected one with W Qi' and R Qo'.
    rng = np.random.default_rng(4)
    C, H, Pi, Po = 3, 2, 2, 1
    x = rng.standard_normal((5, C))
    Qi, Qo = rng.standard_normal((C, Pi)), rng.standard_normal((H, Po))
    W4, R4, b4 = (rng.standard_normal(s) for s in ((4 * H, Pi), (4 * H, Po), (4 * H,)))
    want = ref.lstm_forward(x, W4 @ Qi.T, R4 @ Qo.T, b4)
    got = ref.lstm_projected_forward(x, W4, R4, b4, Qi, Qo)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-14)
    W3, R3 = rng.standard_normal((3 * H, Pi)), rng.standard_normal((3 * H, Po))
    b3 = rng.standard_normal((6 if "bias" in mode else 3) * H)
    want = ref.gru_forward(x, W3 @ Qi.T, R3 @ Qo.T, b3, reset_gate_mode=mode)
    got = ref.gru_projected_forward(x, W3, R3, b3, Qi, Qo, reset_gate_mode=mode)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-14)


def test_projected_shape_validation():
    x = np.zeros((2, 3))
    with pytest.raises(ValueError, match="InputProjector"):
        ref.lstm_projected_forward(x, np.zeros((8, 2)), np.zeros((8, 1)), np.zeros(8),
                                   np.zeros((4, 2)), np.zeros((2, 1)))
    with pytest.raises(ValueError, match="OutputProjector"):
        ref.gru_projected_forward(x, np.zeros((6, 2)), np.zeros((6, 2)), np.zeros(6),
                                  np.zeros((3, 2)), np.zeros((2, 1)))
