"""gruLayer: MATLAB's GRU, gate order r (reset), z (update), candidate.

    r = sg(W_r x + b_Wr + R_r h [+ b_Rr])        z = sg(W_z x + b_Wz + R_z h [+ b_Rz])
    'after-multiplication'                  h~ = ss(W_h x + b_Wh + r * (R_h h))
    'before-multiplication'                 h~ = ss(W_h x + b_Wh + R_h (r * h))
    'recurrent-bias-after-multiplication'   h~ = ss(W_h x + b_Wh + r * (R_h h + b_Rh))
    h_t = (1 - z) * h~ + z * h_{t-1}

Bias is 3H x 1 ([b_W]) except in 'recurrent-bias-after-multiplication', where it is 6H x 1
([b_W; b_R]). The first and last modes run on torch's fused GRU kernel (its candidate equation is
the recurrent-bias one; with b_R = 0 it is 'after-multiplication').
"""

from __future__ import annotations

from ..options import Choice, Option
from .base import register
from .recurrent import RecurrentLayer, recurrent_options


@register
class GRULayer(RecurrentLayer):
    """Gated recurrent unit layer: gruLayer(numHiddenUnits, Name=Value, ...)."""

    matlab_name = "gruLayer"
    yaml_key = "gru"
    type_description = "GRU"
    default_name = "gru"
    cell, gates, directions = "gru", 3, 1
    options = {
        **recurrent_options(("zeros", "narrow-normal", "ones"), "zeros"),
        "ResetGateMode": Option(
            Choice("after-multiplication", "before-multiplication",
                   "recurrent-bias-after-multiplication"),
            "after-multiplication", "where the reset gate applies in the candidate state"),
    }

    def bias_length(self):
        rb = self.ResetGateMode == "recurrent-bias-after-multiplication"
        return (2 if rb else 1) * self.gates * self.state_size
