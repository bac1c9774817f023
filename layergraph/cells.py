"""What a recurrent cell is: its gates, its states and its math, declared without importing torch.

A :class:`Cell` (subclassed next to its layer: layers/lstm.py, layers/gru.py) states its gate
count, its states, the name of torch's fused kernel for it and one time step of MATLAB's
equations. Analysis reads the facts (gates, states, bias blocks) with no torch in the process;
the engine (recurrence.py) runs the math. The math is written with tensor methods
(``x.tanh()``, ``h @ w.T``) and the fused kernel is named, not imported (``kernel = "lstm"`` is
``torch.lstm``), so this module and the layer modules never import torch themselves.
"""

from __future__ import annotations

from functools import cached_property


def hard_sigmoid(x):
    """MATLAB's hard-sigmoid: 0 below -2.5, 0.2x + 0.5 between, 1 above 2.5."""
    return (0.2 * x + 0.5).clamp(0.0, 1.0)


def softsign(x):
    return x / (1.0 + x.abs())


def tanh(x):
    return x.tanh()


def sigmoid(x):
    return x.sigmoid()


STATE_ACTIVATIONS = {"tanh": tanh, "softsign": softsign}
GATE_ACTIVATIONS = {"sigmoid": sigmoid, "hard-sigmoid": hard_sigmoid}
ONNX_ACTIVATIONS = {"tanh": "Tanh", "softsign": "Softsign", "sigmoid": "Sigmoid",
                    "hard-sigmoid": "HardSigmoid"}
"""The names of the activations in ONNX's recurrent operators. ONNX's HardSigmoid defaults
(alpha 0.2, beta 0.5) are MATLAB's hard-sigmoid, so no activation_alpha/beta is written."""


class Cell:
    """What the engine needs to know about a recurrent cell (one instance per layer).

    Subclasses set ``gates`` (blocks of H rows in the weights), ``states`` (state port names, the
    first being the hidden state, which is also the output), ``state_options`` (the layer's
    initial-state properties) and ``kernel`` (the name of torch's fused kernel, ``torch.<kernel>``,
    where torch has one), and implement :meth:`step`.
    """

    gates: int = 1
    states: tuple = ("hidden",)
    state_options: tuple = ("HiddenState",)
    kernel: str | None = None  # torch's fused kernel by name: 'lstm' (torch.lstm), 'gru', or None
    onnx_op: str | None = None  # the ONNX operator computing the cell ('LSTM', 'GRU'), or None
    onnx_gates: tuple = ()  # ONNX's gate blocks, as indices of this cell's gate blocks
    onnx_roles: tuple = ()  # ONNX's activations in order: 'gate' or 'state' activation

    def __init__(self, state_activation="tanh", gate_activation="sigmoid"):
        self.state_activation, self.gate_activation = state_activation, gate_activation
        self.act = STATE_ACTIVATIONS[state_activation]
        self.sig = GATE_ACTIVATIONS[gate_activation]

    @property
    def fused(self) -> bool:
        """Whether the fused kernel computes exactly this cell's equations."""
        return (self.kernel is not None and self.state_activation == "tanh"
                and self.gate_activation == "sigmoid")

    @property
    def bias_blocks(self) -> int:
        """How many G*H bias blocks the layer's Bias holds per direction (GRU's recurrent-bias
        mode has two: input and recurrent)."""
        return 1

    def direction_bias(self, bias, d, gh, zero):
        """(input bias, recurrent bias) of direction ``d`` from the layer's Bias vector."""
        return bias[d * gh:(d + 1) * gh], zero

    def onnx_attributes(self, directions) -> dict:
        """The attributes of :attr:`onnx_op` besides hidden_size and direction."""
        fns = {"gate": self.gate_activation, "state": self.state_activation}
        return {"activations": [ONNX_ACTIVATIONS[fns[r]] for r in self.onnx_roles] * directions}

    def step(self, gx, state, w_hh, b_hh, H):
        """One time step of MATLAB's equations: ``gx`` = W x + b_W (B, G*H); returns the new
        state tuple (hidden first)."""
        raise NotImplementedError

    @cached_property
    def kernel_function(self):
        """``torch.<kernel>``, looked up once, when the engine first runs the cell."""
        import torch

        return getattr(torch, self.kernel)

    def call_kernel(self, x, state, params, training):
        """Fused kernel on (B, T, C) data: (outputs (B, T, H), final state tuple)."""
        hx = [s.unsqueeze(0) if s.is_contiguous() else s[None].contiguous() for s in state]
        res = self.kernel_function(x, hx if len(hx) > 1 else hx[0], params, True, 1, 0.0,
                                   training, False, True)
        return res[0], tuple(s[0] for s in res[1:])

    def call_packed(self, packed, state, params, training):
        """Fused kernel on packed data: the final state tuple."""
        hx = [s[None].contiguous() for s in state]
        res = self.kernel_function(packed.data, packed.batch_sizes, hx if len(hx) > 1 else hx[0],
                                   params, True, 1, 0.0, training, False)
        return tuple(s[0] for s in res[1:])
