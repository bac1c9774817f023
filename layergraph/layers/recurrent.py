"""What lstmLayer, bilstmLayer and gruLayer share: options, ports, learnables, state handling.

Each concrete layer (lstm.py, gru.py) only states its cell (gates, states, math), its number of
directions and its extra options, the way torch/nn/modules/rnn.py varies RNN, LSTM and GRU over
one base class. Like every layer module it imports no torch: ``build()`` imports the torch
module (modules/recurrent.py) when a network is assembled.
"""

from __future__ import annotations

import numpy as np

from ..cells import Cell
from ..formats import vector, vector_sequence
from ..initializers import initialize_bias, initialize_weights, weights_kind
from ..options import Array, Bool, Choice, OneOf, Option, PositiveInt
from .base import Layer, LayerProblem, learnable_block


def recurrent_options(bias_initializers, default_bias):
    return {
        "NumHiddenUnits": Option(PositiveInt(), None, "number of hidden units H"),
        "OutputMode": Option(Choice("sequence", "last"), "sequence",
                             "'sequence': output every time step; 'last': the last step only"),
        "InputSize": Option(OneOf(Choice("auto"), PositiveInt()), "auto",
                            "input channels; 'auto' takes them from the input"),
        "HasStateInputs": Option(Bool(), False, "add input ports 'hidden' (and 'cell')"),
        "HasStateOutputs": Option(Bool(), False, "add output ports 'hidden' (and 'cell')"),
        "StateActivationFunction": Option(Choice("tanh", "softsign"), "tanh",
                                          "activation of the state (sigma_s)"),
        "GateActivationFunction": Option(Choice("sigmoid", "hard-sigmoid"), "sigmoid",
                                         "activation of the gates (sigma_g)"),
        **learnable_block("InputWeights", "input weights, MATLAB layout (G*H x C)",
                          initializers=weights_kind(), initializer="glorot"),
        **learnable_block("RecurrentWeights", "recurrent weights (G*H x H)",
                          initializers=weights_kind(), initializer="orthogonal"),
        **learnable_block("Bias", "bias (G*H x 1)", initializers=bias_initializers,
                          initializer=default_bias, l2=0.0),
        "HiddenState": Option(Array(), None, "initial hidden state (H x 1); [] means zeros"),
    }


class RecurrentLayer(Layer):
    """Base of the recurrent layers. Subclasses set ``cell_class`` (the :class:`Cell` with the
    math) and ``directions``."""

    cell_class: type[Cell] = Cell
    directions = 1
    positional = ("NumHiddenUnits",)
    required = ("NumHiddenUnits",)
    category = "recurrent"
    key_options = ("OutputMode", "HasStateInputs", "HasStateOutputs")

    def make_cell(self) -> Cell:
        return self.cell_class(self.StateActivationFunction, self.GateActivationFunction)

    @property
    def state_names(self):
        return self.cell_class.states

    def state_props(self):
        return self.cell_class.state_options

    @property
    def inputs(self):
        return ("in", *self.state_names) if self.HasStateInputs else ("in",)

    @property
    def outputs(self):
        return ("out", *self.state_names) if self.HasStateOutputs else ("out",)

    @property
    def state_size(self):
        return self.directions * self.NumHiddenUnits

    @property
    def gates(self):
        return self.cell_class.gates

    def bias_length(self):
        return self.make_cell().bias_blocks * self.gates * self.state_size

    def describe(self):
        return f"{self.type_description} with {self.NumHiddenUnits} hidden units"

    def diagram_options(self):
        return [*self.positional, "OutputMode",
                *(n for n in self.key_options[1:] if n in self.config())]

    @property
    def emits_one_step(self):
        return self.OutputMode == "last"

    # --- analysis -------------------------------------------------------------------------------
    def infer(self, inputs):
        x = inputs[0]
        if x.fmt != "CBT":
            if not x.is_sequence:
                raise LayerProblem(
                    f"expects sequence input (CBT) but receives {x.fmt} data, one vector per "
                    "observation; the layer before it must output sequences "
                    "(e.g. OutputMode 'sequence')"
                )
            raise LayerProblem(
                f"expects vector sequences (CBT) but receives {x.fmt}; add a flattenLayer "
                "before it"
            )
        if self.InputSize != "auto" and self.InputSize != x.channels:
            raise LayerProblem(
                f"InputSize is {self.InputSize} but the input has {x.channels} channels"
            )
        for port, a in zip(self.inputs[1:], inputs[1:]):
            if a.fmt != "CB" or a.channels != self.state_size:
                raise LayerProblem(
                    f"state input '{port}' must be {self.state_size}(C) x 1(B), got {a}"
                )
        self._check_learnables(x.channels)
        n = self.state_size
        out = vector_sequence(n) if self.OutputMode == "sequence" else vector(n)
        return [out] + [vector(n) for _ in self.state_names] * self.HasStateOutputs

    def learnable_shapes(self, inputs):
        c = inputs[0].channels
        gh = self.gates * self.state_size
        return {"InputWeights": (gh, c), "RecurrentWeights": (gh, self.NumHiddenUnits),
                "Bias": (self.bias_length(), 1)}

    def _check_learnables(self, channels):
        shapes = self.learnable_shapes([vector_sequence(channels)])
        for name, shape in shapes.items():
            v = self.props[name]
            if v is None:
                continue
            wrong_matrix = name != "Bias" and v.shape != shape
            if v.size != int(np.prod(shape)) or wrong_matrix:
                raise LayerProblem(
                    f"{name} must be {shape[0]}x{shape[1]} (MATLAB layout) for "
                    f"{channels} input channels, got {'x'.join(map(str, v.shape))}"
                )
        for name in self.state_props():
            v = self.props[name]
            if v is not None and v.size != self.state_size:
                raise LayerProblem(f"{name} must have {self.state_size} elements, got {v.size}")

    def initialize(self, inputs, rng):
        shapes = self.learnable_shapes(inputs)
        h = self.NumHiddenUnits
        # MATLAB draws each matrix whole: numOut = 4H for lstm, 8H for bilstm, 3H for gru, and
        # 'orthogonal' gives the whole G*H x H matrix orthonormal columns. numIn is the width
        # of each matrix: C (or InputProjectorSize) and H (or OutputProjectorSize).
        for name in ("InputWeights", "RecurrentWeights"):
            if self.props[name] is None:
                gh, num_in = shapes[name]
                self.props[name] = initialize_weights(self.props[f"{name}Initializer"],
                                                      (gh, num_in), num_in, gh, rng)
        if self.Bias is None:
            n = shapes["Bias"][0]
            per = n // self.directions if self.directions > 1 else n
            parts = [initialize_bias(self.BiasInitializer, (per,), rng, gates=per // h,
                                     forget_gate=1) for _ in range(self.directions)]
            self.props["Bias"] = np.concatenate(parts).reshape(-1, 1)

    # --- execution ------------------------------------------------------------------------------
    def build(self, inputs):
        from ..modules.recurrent import RecurrentModule

        return RecurrentModule.of(
            self.make_cell(), inputs[0].channels, self.NumHiddenUnits, self.directions,
            [self.props[n] for n in self.learnables],
            self.OutputMode, self.HasStateInputs, self.HasStateOutputs,
            [self.props[n] for n in self.state_props()], self.projectors())

    def projectors(self):
        """(InputProjectorSize, OutputProjectorSize) of a projected layer; None here."""
        return None

    def read_back(self, module):
        # The engine holds its parameters in the order of the layer's learnables.
        for name, p in zip(self.learnables, module.rnn.parameters()):
            value = p.detach().cpu().double().numpy().copy()
            self.props[name] = value.reshape(-1, 1) if value.ndim == 1 else value

