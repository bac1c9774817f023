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

from ..cells import Cell
from ..options import Choice, Option
from .base import register
from .recurrent import RecurrentLayer, recurrent_options

RESET_GATE_MODES = ("after-multiplication", "before-multiplication",
                    "recurrent-bias-after-multiplication")


class GRUCell(Cell):
    """The equations above, for one ResetGateMode."""

    gates = 3
    states = ("hidden",)
    state_options = ("HiddenState",)
    kernel = "gru"  # torch.gru
    onnx_op = "GRU"
    onnx_gates = (1, 0, 2)  # ONNX's order z, r, h of MATLAB's r, z, candidate
    onnx_roles = ("gate", "state")  # ONNX's f, g

    def __init__(self, state_activation="tanh", gate_activation="sigmoid",
                 reset_gate_mode="after-multiplication"):
        super().__init__(state_activation, gate_activation)
        self.reset_gate_mode = reset_gate_mode

    @property
    def fused(self):
        return super().fused and self.reset_gate_mode != "before-multiplication"

    @property
    def bias_blocks(self):
        return 2 if self.reset_gate_mode == "recurrent-bias-after-multiplication" else 1

    def direction_bias(self, bias, d, gh, zero):
        if self.bias_blocks == 2:
            return bias[:gh], bias[gh:]
        return super().direction_bias(bias, d, gh, zero)

    def onnx_attributes(self, directions):
        # ONNX's linear_before_reset=1 is r * (R_h h + b_Rh); 0 is R_h (r * h) + b_Rh.
        return {**super().onnx_attributes(directions),
                "linear_before_reset": int(self.reset_gate_mode != "before-multiplication")}

    def step(self, gx, state, w_hh, b_hh, H):
        (h,) = state
        sig, act = self.sig, self.act
        if self.reset_gate_mode == "before-multiplication":
            rz = gx[:, :2 * H] + h @ w_hh[:2 * H].T + b_hh[:2 * H]
            r, u = sig(rz[:, :H]), sig(rz[:, H:])
            cand = act(gx[:, 2 * H:] + (r * h) @ w_hh[2 * H:].T)
        else:
            rh = h @ w_hh.T + b_hh
            r, u = sig(gx[:, :H] + rh[:, :H]), sig(gx[:, H:2 * H] + rh[:, H:2 * H])
            cand = act(gx[:, 2 * H:] + r * rh[:, 2 * H:])
        return ((1 - u) * cand + u * h,)


@register
class GRULayer(RecurrentLayer):
    """Gated recurrent unit layer: gruLayer(numHiddenUnits, Name=Value, ...)."""

    matlab_name, type_description, default_name = "gruLayer", "GRU", "gru"
    cell_class, directions = GRUCell, 1
    key_options = (*RecurrentLayer.key_options, "ResetGateMode")
    options = {
        **recurrent_options(("zeros", "narrow-normal", "ones"), "zeros"),
        "ResetGateMode": Option(Choice(*RESET_GATE_MODES), "after-multiplication",
                                "where the reset gate applies in the candidate state"),
    }

    def make_cell(self):
        return GRUCell(self.StateActivationFunction, self.GateActivationFunction,
                       self.ResetGateMode)
