"""Independent NumPy reference for MATLAB's recurrent layer equations.

This module is the ground truth the test-suite compares ``layergraph`` against,
so it deliberately depends on nothing but NumPy: it must not import torch or
layergraph, and it is written as a plain time-step loop that mirrors the
documented equations one line at a time (no fused kernels, no tricks).

Conventions
-----------
* All computation is float64.
* One sequence at a time: ``x`` has shape ``(T, C)`` (time by channels).
* Weights use MATLAB's layout exactly (the layer's ``InputWeights``,
  ``RecurrentWeights`` and ``Bias`` properties): gate blocks are stacked along
  the rows, ``W`` is ``(G*H, C)``, ``R`` is ``(G*H, H)``, and the gate
  pre-activation is ``W @ x_t + R @ h_{t-1} + b``.  The bias may be given as a
  vector ``(G*H,)`` or as MATLAB's column ``(G*H, 1)``.

lstmLayer (gate blocks in order i, f, g, o; one bias, no recurrent bias)::

    i_t = gate(W_i x_t + R_i h_{t-1} + b_i)        input gate
    f_t = gate(W_f x_t + R_f h_{t-1} + b_f)        forget gate
    g_t = state(W_g x_t + R_g h_{t-1} + b_g)       cell candidate (layer input)
    o_t = gate(W_o x_t + R_o h_{t-1} + b_o)        output gate
    c_t = f_t * c_{t-1} + i_t * g_t
    h_t = o_t * state(c_t)

bilstmLayer: 8H rows, forward direction's i,f,g,o block first (rows 0..4H-1),
then the backward direction's i,f,g,o block (rows 4H..8H-1).  The backward
direction runs over the time-reversed input; its outputs are put back in the
original time order, and the output at time t is [h_fwd_t ; h_bwd_t].  States
(initial and final) are 2H vectors laid out [forward ; backward].

gruLayer (gate blocks in order r, z, h~)::

    r_t  = gate(W_r x_t + b_Wr + R_r h_{t-1} [+ b_Rr])       reset gate
    z_t  = gate(W_z x_t + b_Wz + R_z h_{t-1} [+ b_Rz])       update gate
    candidate, by ResetGateMode:
      'after-multiplication'               h~ = state(W_h x + b_Wh + r * (R_h h_{t-1}))
      'before-multiplication'              h~ = state(W_h x + b_Wh + R_h (r * h_{t-1}))
      'recurrent-bias-after-multiplication' h~ = state(W_h x + b_Wh + r * (R_h h_{t-1} + b_Rh))
    h_t  = (1 - z_t) * h~_t + z_t * h_{t-1}

The bias is 3H ([b_Wr; b_Wz; b_Wh]) for the first two modes and 6H
([b_Wr; b_Wz; b_Wh; b_Rr; b_Rz; b_Rh]) for 'recurrent-bias-after-multiplication'.

lstmProjectedLayer / gruProjectedLayer (MATLAB's projected layers): the same
equations with every W x_t replaced by W (Qi' x_t) and every R h_{t-1} by
R (Qo' h_{t-1}), where InputWeights W is (G*H, Pi), InputProjector Qi is
(C, Pi), RecurrentWeights R is (G*H, Po) and OutputProjector Qo is (H, Po).
Hidden and cell states and the output stay H wide.

Activations (MATLAB names)::

    state: 'tanh', 'softsign' (x / (1 + |x|))
    gate:  'sigmoid' (1 / (1 + exp(-x))),
           'hard-sigmoid' (0 for x < -2.5; 0.2 x + 0.5 for -2.5 <= x <= 2.5; 1 for x > 2.5)
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "sigmoid",
    "hard_sigmoid",
    "softsign",
    "STATE_ACTIVATIONS",
    "GATE_ACTIVATIONS",
    "RESET_GATE_MODES",
    "lstm_forward",
    "bilstm_forward",
    "gru_forward",
    "lstm_projected_forward",
    "gru_projected_forward",
]


# --------------------------------------------------------------------------
# Activations
# --------------------------------------------------------------------------
def sigmoid(x):
    """Logistic sigmoid 1 / (1 + exp(-x)), evaluated without overflow."""
    x = np.asarray(x, dtype=np.float64)
    # Evaluate exp only of non-positive arguments: for x >= 0 use
    # 1 / (1 + e^-x), for x < 0 the algebraically equal e^x / (1 + e^x).
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def hard_sigmoid(x):
    """MATLAB 'hard-sigmoid': 0 (x < -2.5), 0.2x + 0.5 (|x| <= 2.5), 1 (x > 2.5)."""
    x = np.asarray(x, dtype=np.float64)
    return np.where(x < -2.5, 0.0, np.where(x > 2.5, 1.0, 0.2 * x + 0.5))


def softsign(x):
    """MATLAB 'softsign': x / (1 + |x|)."""
    x = np.asarray(x, dtype=np.float64)
    return x / (1.0 + np.abs(x))


def _tanh(x):
    return np.tanh(np.asarray(x, dtype=np.float64))


STATE_ACTIVATIONS = {"tanh": _tanh, "softsign": softsign}
GATE_ACTIVATIONS = {"sigmoid": sigmoid, "hard-sigmoid": hard_sigmoid}
RESET_GATE_MODES = (
    "after-multiplication",
    "before-multiplication",
    "recurrent-bias-after-multiplication",
)


def _lookup(table, name, what):
    try:
        return table[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown {what} {name!r}; expected one of {sorted(table)}"
        ) from None


# --------------------------------------------------------------------------
# Argument normalisation
# --------------------------------------------------------------------------
def _sequence(x):
    x = np.array(x, dtype=np.float64)  # copy: never alias the caller's data
    if x.ndim != 2:
        raise ValueError(f"x must be a (T, C) array, got shape {x.shape}")
    return x


def _weights(x, W, R, b, gates, name):
    """Validate MATLAB-layout weights for `gates` stacked gate blocks.

    Returns (W, R, b, H) as float64 with b flattened to a vector.
    """
    W = np.array(W, dtype=np.float64)
    R = np.array(R, dtype=np.float64)
    b = np.array(b, dtype=np.float64)
    if R.ndim != 2 or R.shape[0] != gates * R.shape[1]:
        raise ValueError(
            f"{name}: RecurrentWeights must be ({gates}*H, H), got {R.shape}"
        )
    H = R.shape[1]
    if W.ndim != 2 or W.shape != (gates * H, x.shape[1]):
        raise ValueError(
            f"{name}: InputWeights must be ({gates}*H, C) = "
            f"({gates * H}, {x.shape[1]}), got {W.shape}"
        )
    if b.ndim == 2 and b.shape[1] == 1:
        b = b[:, 0]
    if b.ndim != 1:
        raise ValueError(f"{name}: Bias must be a vector or column, got {b.shape}")
    return W, R, b, H


def _state(v, size, default, name):
    if v is None:
        return np.full(size, default, dtype=np.float64)
    v = np.array(v, dtype=np.float64).reshape(-1)
    if v.shape != (size,):
        raise ValueError(f"{name} must have {size} elements, got {v.size}")
    return v


# --------------------------------------------------------------------------
# LSTM
# --------------------------------------------------------------------------
def lstm_forward(x, W, R, b, h0=None, c0=None, state_act="tanh",
                 gate_act="sigmoid"):
    """MATLAB lstmLayer forward pass over one sequence.

    Parameters
    ----------
    x : (T, C) input sequence.
    W : (4H, C) InputWeights, gate blocks [i; f; g; o].
    R : (4H, H) RecurrentWeights, same block order.
    b : (4H,) or (4H, 1) Bias, same block order.
    h0, c0 : (H,) initial hidden / cell state (default zeros).
    state_act : 'tanh' | 'softsign'.
    gate_act : 'sigmoid' | 'hard-sigmoid'.

    Returns
    -------
    Y : (T, H) hidden state at every time step.
    hT : (H,) final hidden state.
    cT : (H,) final cell state.
    """
    x = _sequence(x)
    W, R, b, H = _weights(x, W, R, b, 4, "lstm")
    if b.shape != (4 * H,):
        raise ValueError(f"lstm: Bias must have 4*H = {4 * H} elements, got {b.size}")
    sig_s = _lookup(STATE_ACTIVATIONS, state_act, "state activation")
    sig_g = _lookup(GATE_ACTIVATIONS, gate_act, "gate activation")

    i_rows = slice(0 * H, 1 * H)
    f_rows = slice(1 * H, 2 * H)
    g_rows = slice(2 * H, 3 * H)
    o_rows = slice(3 * H, 4 * H)

    h = _state(h0, H, 0.0, "h0")
    c = _state(c0, H, 0.0, "c0")
    T = x.shape[0]
    Y = np.zeros((T, H), dtype=np.float64)
    for t in range(T):
        a = W @ x[t] + R @ h + b
        i = sig_g(a[i_rows])
        f = sig_g(a[f_rows])
        g = sig_s(a[g_rows])
        o = sig_g(a[o_rows])
        c = f * c + i * g
        h = o * sig_s(c)
        Y[t] = h
    return Y, h.copy(), c.copy()


def bilstm_forward(x, W, R, b, h0=None, c0=None, state_act="tanh",
                   gate_act="sigmoid"):
    """MATLAB bilstmLayer forward pass over one sequence.

    Parameters
    ----------
    x : (T, C) input sequence.
    W : (8H, C) InputWeights: rows 0..4H-1 are the forward direction's
        [i; f; g; o], rows 4H..8H-1 the backward direction's [i; f; g; o].
    R : (8H, H) RecurrentWeights, same layout.
    b : (8H,) or (8H, 1) Bias, same layout.
    h0, c0 : (2H,) initial states laid out [forward; backward] (default zeros).
        The backward direction's initial state applies at the last time step,
        where that direction starts.

    Returns
    -------
    Y : (T, 2H); Y[t] = [h_fwd_t ; h_bwd_t], both in the original time order.
    hT : (2H,) final hidden states [forward (after x[T-1]); backward (after x[0])].
    cT : (2H,) final cell states, same layout.
    """
    x = _sequence(x)
    W, R, b, H = _weights(x, W, R, b, 8, "bilstm")
    if b.shape != (8 * H,):
        raise ValueError(f"bilstm: Bias must have 8*H = {8 * H} elements, got {b.size}")
    h0 = _state(h0, 2 * H, 0.0, "h0")
    c0 = _state(c0, 2 * H, 0.0, "c0")

    fwd = slice(0, 4 * H)
    bwd = slice(4 * H, 8 * H)
    Yf, hf, cf = lstm_forward(x, W[fwd], R[fwd], b[fwd], h0[:H], c0[:H],
                              state_act, gate_act)
    Yb_rev, hb, cb = lstm_forward(x[::-1], W[bwd], R[bwd], b[bwd], h0[H:],
                                  c0[H:], state_act, gate_act)
    Yb = Yb_rev[::-1]
    Y = np.concatenate([Yf, Yb], axis=1)
    return Y, np.concatenate([hf, hb]), np.concatenate([cf, cb])


# --------------------------------------------------------------------------
# GRU
# --------------------------------------------------------------------------
def gru_forward(x, W, R, b, h0=None, reset_gate_mode="after-multiplication",
                state_act="tanh", gate_act="sigmoid"):
    """MATLAB gruLayer forward pass over one sequence.

    Parameters
    ----------
    x : (T, C) input sequence.
    W : (3H, C) InputWeights, gate blocks [r; z; h~].
    R : (3H, H) RecurrentWeights, same block order.
    b : Bias. (3H,) = [b_Wr; b_Wz; b_Wh] for 'after-multiplication' and
        'before-multiplication'; (6H,) = [b_Wr; b_Wz; b_Wh; b_Rr; b_Rz; b_Rh]
        for 'recurrent-bias-after-multiplication'.  A column is accepted too.
    h0 : (H,) initial hidden state (default zeros).
    reset_gate_mode : one of RESET_GATE_MODES.
    state_act : 'tanh' | 'softsign'.
    gate_act : 'sigmoid' | 'hard-sigmoid'.

    Returns
    -------
    Y : (T, H) hidden state at every time step.
    hT : (H,) final hidden state.
    """
    x = _sequence(x)
    W, R, b, H = _weights(x, W, R, b, 3, "gru")
    if reset_gate_mode not in RESET_GATE_MODES:
        raise ValueError(
            f"unknown reset_gate_mode {reset_gate_mode!r}; "
            f"expected one of {list(RESET_GATE_MODES)}"
        )
    has_recurrent_bias = reset_gate_mode == "recurrent-bias-after-multiplication"
    expected = 6 * H if has_recurrent_bias else 3 * H
    if b.shape != (expected,):
        raise ValueError(
            f"gru: Bias must have {expected} elements for ResetGateMode "
            f"{reset_gate_mode!r}, got {b.size}"
        )
    sig_s = _lookup(STATE_ACTIVATIONS, state_act, "state activation")
    sig_g = _lookup(GATE_ACTIVATIONS, gate_act, "gate activation")

    r_rows = slice(0 * H, 1 * H)
    z_rows = slice(1 * H, 2 * H)
    h_rows = slice(2 * H, 3 * H)

    bW = b[: 3 * H]
    bR = b[3 * H:] if has_recurrent_bias else np.zeros(3 * H, dtype=np.float64)

    W_r, W_z, W_h = W[r_rows], W[z_rows], W[h_rows]
    R_r, R_z, R_h = R[r_rows], R[z_rows], R[h_rows]

    h = _state(h0, H, 0.0, "h0")
    T = x.shape[0]
    Y = np.zeros((T, H), dtype=np.float64)
    for t in range(T):
        xt = x[t]
        r = sig_g(W_r @ xt + bW[r_rows] + R_r @ h + bR[r_rows])
        z = sig_g(W_z @ xt + bW[z_rows] + R_z @ h + bR[z_rows])
        if reset_gate_mode == "after-multiplication":
            cand = sig_s(W_h @ xt + bW[h_rows] + r * (R_h @ h))
        elif reset_gate_mode == "before-multiplication":
            cand = sig_s(W_h @ xt + bW[h_rows] + R_h @ (r * h))
        else:  # recurrent-bias-after-multiplication
            cand = sig_s(W_h @ xt + bW[h_rows] + r * (R_h @ h + bR[h_rows]))
        h = (1.0 - z) * cand + z * h
        Y[t] = h
    return Y, h.copy()


# --------------------------------------------------------------------------
# Projected LSTM / GRU
# --------------------------------------------------------------------------
def _projectors(x, W, R, Qi, Qo, gates, name):
    """Validate projected weights; returns float64 (W, R, Qi, Qo, H)."""
    W, R, Qi, Qo = (np.array(a, dtype=np.float64) for a in (W, R, Qi, Qo))
    if Qo.ndim != 2 or R.ndim != 2 or R.shape != (gates * Qo.shape[0], Qo.shape[1]):
        raise ValueError(f"{name}: RecurrentWeights {R.shape} and OutputProjector "
                         f"{Qo.shape} must be ({gates}*H, Po) and (H, Po)")
    H = Qo.shape[0]
    if Qi.ndim != 2 or Qi.shape[0] != x.shape[1] or W.shape != (gates * H, Qi.shape[1]):
        raise ValueError(f"{name}: InputWeights {W.shape} and InputProjector {Qi.shape} "
                         f"must be ({gates * H}, Pi) and ({x.shape[1]}, Pi)")
    return W, R, Qi, Qo, H


def lstm_projected_forward(x, W, R, b, Qi, Qo, h0=None, c0=None,
                           state_act="tanh", gate_act="sigmoid"):
    """MATLAB lstmProjectedLayer over one sequence: Y (T, H), hT (H,), cT (H,).

    W (4H, Pi), R (4H, Po), b (4H,), Qi (C, Pi), Qo (H, Po); gate order i, f, g, o.
    """
    x = _sequence(x)
    W, R, Qi, Qo, H = _projectors(x, W, R, Qi, Qo, 4, "lstm_projected")
    b = np.array(b, dtype=np.float64).reshape(-1)
    if b.shape != (4 * H,):
        raise ValueError(f"lstm_projected: Bias must have {4 * H} elements, got {b.size}")
    sig_s = _lookup(STATE_ACTIVATIONS, state_act, "state activation")
    sig_g = _lookup(GATE_ACTIVATIONS, gate_act, "gate activation")
    h = _state(h0, H, 0.0, "h0")
    c = _state(c0, H, 0.0, "c0")
    Y = np.zeros((x.shape[0], H), dtype=np.float64)
    for t in range(x.shape[0]):
        a = W @ (Qi.T @ x[t]) + R @ (Qo.T @ h) + b
        i, f = sig_g(a[:H]), sig_g(a[H:2 * H])
        g, o = sig_s(a[2 * H:3 * H]), sig_g(a[3 * H:])
        c = f * c + i * g
        h = o * sig_s(c)
        Y[t] = h
    return Y, h.copy(), c.copy()


def gru_projected_forward(x, W, R, b, Qi, Qo, h0=None,
                          reset_gate_mode="after-multiplication",
                          state_act="tanh", gate_act="sigmoid"):
    """MATLAB gruProjectedLayer over one sequence: Y (T, H), hT (H,).

    W (3H, Pi), R (3H, Po), Qi (C, Pi), Qo (H, Po); b as gru_forward's (3H or 6H).
    """
    x = _sequence(x)
    W, R, Qi, Qo, H = _projectors(x, W, R, Qi, Qo, 3, "gru_projected")
    if reset_gate_mode not in RESET_GATE_MODES:
        raise ValueError(f"unknown reset_gate_mode {reset_gate_mode!r}")
    b = np.array(b, dtype=np.float64).reshape(-1)
    recurrent_bias = reset_gate_mode == "recurrent-bias-after-multiplication"
    if b.shape != ((6 if recurrent_bias else 3) * H,):
        raise ValueError(f"gru_projected: Bias has {b.size} elements for {reset_gate_mode!r}")
    bW = b[:3 * H]
    bR = b[3 * H:] if recurrent_bias else np.zeros(3 * H)
    sig_s = _lookup(STATE_ACTIVATIONS, state_act, "state activation")
    sig_g = _lookup(GATE_ACTIVATIONS, gate_act, "gate activation")
    rows = [slice(k * H, (k + 1) * H) for k in range(3)]  # r, z, h~
    h = _state(h0, H, 0.0, "h0")
    Y = np.zeros((x.shape[0], H), dtype=np.float64)
    for t in range(x.shape[0]):
        wx = W @ (Qi.T @ x[t]) + bW
        rh = R @ (Qo.T @ h)
        r = sig_g(wx[rows[0]] + rh[rows[0]] + bR[rows[0]])
        z = sig_g(wx[rows[1]] + rh[rows[1]] + bR[rows[1]])
        if reset_gate_mode == "before-multiplication":
            cand = sig_s(wx[rows[2]] + R[rows[2]] @ (Qo.T @ (r * h)))
        else:
            cand = sig_s(wx[rows[2]] + r * (rh[rows[2]] + bR[rows[2]]))
        h = (1.0 - z) * cand + z * h
        Y[t] = h
    return Y, h.copy()
