"""lstmLayer and bilstmLayer: MATLAB's LSTM, gate order i, f, g, o.

    i = sg(W_i x + R_i h + b_i)   f = sg(W_f x + R_f h + b_f)
    g = ss(W_g x + R_g h + b_g)   o = sg(W_o x + R_o h + b_o)
    c_t = f * c_{t-1} + i * g     h_t = o * ss(c_t)

InputWeights W is 4H x C, RecurrentWeights R is 4H x H, Bias b is 4H x 1, blocks stacked in the
order i, f, g, o. bilstmLayer stacks the forward direction's 4H rows first, then the backward
direction's; its output is [forward; backward] along channels, and OutputMode 'last' is the last
time step of that output sequence, as in MATLAB.
"""

from __future__ import annotations

from ..cells import Cell
from ..options import Array, Option
from .base import register
from .recurrent import RecurrentLayer, recurrent_options


class LSTMCell(Cell):
    """The equations above; torch.lstm computes them for tanh / sigmoid."""

    gates = 4
    states = ("hidden", "cell")
    state_options = ("HiddenState", "CellState")
    kernel = "lstm"  # torch.lstm
    onnx_op = "LSTM"
    onnx_gates = (0, 3, 1, 2)  # ONNX's order i, o, f, c of MATLAB's i, f, g, o
    onnx_roles = ("gate", "state", "state")  # ONNX's f, g, h

    def step(self, gx, state, w_hh, b_hh, H):
        h, c = state
        z = gx + h @ w_hh.T
        sig, act = self.sig, self.act
        i, f = sig(z[:, :H]), sig(z[:, H:2 * H])
        g, o = act(z[:, 2 * H:3 * H]), sig(z[:, 3 * H:])
        c_new = f * c + i * g
        return o * act(c_new), c_new


LSTM_OPTIONS = {
    **recurrent_options(("unit-forget-gate", "narrow-normal", "ones", "zeros"),
                        "unit-forget-gate"),
    "CellState": Option(Array(), None, "initial cell state (H x 1); [] means zeros"),
}


@register
class LSTMLayer(RecurrentLayer):
    """Long short-term memory layer: lstmLayer(numHiddenUnits, Name=Value, ...)."""

    matlab_name, type_description, default_name = "lstmLayer", "LSTM", "lstm"
    cell_class, directions = LSTMCell, 1
    options = LSTM_OPTIONS


@register
class BiLSTMLayer(RecurrentLayer):
    """Bidirectional LSTM layer: bilstmLayer(numHiddenUnits, Name=Value, ...); output 2H channels."""

    matlab_name, type_description, default_name = "bilstmLayer", "BiLSTM", "bilstm"
    cell_class, directions = LSTMCell, 2
    options = LSTM_OPTIONS
