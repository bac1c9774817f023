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

from ..options import Array, Option
from .base import register
from .recurrent import RecurrentLayer, recurrent_options

LSTM_OPTIONS = {
    **recurrent_options(("unit-forget-gate", "narrow-normal", "ones", "zeros"),
                        "unit-forget-gate"),
    "CellState": Option(Array(), None, "initial cell state (H x 1); [] means zeros"),
}


@register
class LSTMLayer(RecurrentLayer):
    """Long short-term memory layer: lstmLayer(numHiddenUnits, Name=Value, ...)."""

    matlab_name = "lstmLayer"
    yaml_key = "lstm"
    type_description = "LSTM"
    default_name = "lstm"
    cell, gates, directions = "lstm", 4, 1
    options = LSTM_OPTIONS


@register
class BiLSTMLayer(RecurrentLayer):
    """Bidirectional LSTM layer: bilstmLayer(numHiddenUnits, Name=Value, ...); output 2H channels."""

    matlab_name = "bilstmLayer"
    yaml_key = "bilstm"
    type_description = "BiLSTM"
    default_name = "bilstm"
    cell, gates, directions = "lstm", 4, 2
    options = LSTM_OPTIONS
