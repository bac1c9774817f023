"""lstmProjectedLayer and gruProjectedLayer: MATLAB's LSTM and GRU with projected learnables.

A projected layer stores, instead of a G*H x C input matrix W, an InputProjector Q_i (C x P_i)
and InputWeights W' = W Q_i (G*H x P_i), and likewise an OutputProjector Q_o (H x P_o) and
RecurrentWeights R' = R Q_o (G*H x P_o). Every product of the cell's equations (lstm.py,
gru.py) then reads ``W' (Q_i' x_t)`` and ``R' (Q_o' h_{t-1})``:

    LSTM    i, f, g, o from  W' Q_i' x_t + R' Q_o' h_{t-1} + b     (gate order i, f, g, o)
    GRU     r, z, h~   from  W' Q_i' x_t + b_W  and  R' Q_o' h_{t-1} [+ b_R]  (per ResetGateMode)

The hidden state, the cell state and the output stay NumHiddenUnits wide, so a projected layer
fits where the unprojected one did (MATLAB: projecting "maintains the output size of the
layer"). Learnables: InputWeights G*H x P_i, RecurrentWeights G*H x P_o, Bias (as the
unprojected layer), InputProjector InputSize x P_i, OutputProjector NumHiddenUnits x P_o.

Choices where MATLAB's documentation leaves room: the projector sizes may be any positive
integers (no check against InputSize or NumHiddenUnits; the learnable limit bounds them);
'glorot' and 'he' on a projector take numIn = its rows (InputSize, NumHiddenUnits) and
numOut = its columns; the automatic names are 'lstmp' and 'grup'.
"""

from __future__ import annotations

import dataclasses

from ..initializers import initialize_weights, weights_kind
from ..options import Option, PositiveInt
from .base import learnable_block, register
from .gru import GRUCell, GRULayer
from .lstm import LSTM_OPTIONS, LSTMCell
from .recurrent import RecurrentLayer

PROJECTORS = ("InputProjector", "OutputProjector")


def projected_options(base: dict) -> dict:
    """A recurrent layer's options with the projector sizes after NumHiddenUnits and the two
    projector learnables after the others (the engine's parameter order)."""
    out = {
        "NumHiddenUnits": base["NumHiddenUnits"],
        "OutputProjectorSize": Option(PositiveInt(), None,
                                      "columns P_o of OutputProjector (H x P_o)"),
        "InputProjectorSize": Option(PositiveInt(), None,
                                     "columns P_i of InputProjector (C x P_i)"),
        **base,
    }
    out["InputWeights"] = dataclasses.replace(
        base["InputWeights"], doc="projected input weights, MATLAB layout (G*H x P_i)")
    out["RecurrentWeights"] = dataclasses.replace(
        base["RecurrentWeights"], doc="projected recurrent weights (G*H x P_o)")
    out.update(learnable_block("InputProjector", "input projector Q_i (C x P_i)",
                               initializers=weights_kind(), initializer="orthogonal"))
    out.update(learnable_block("OutputProjector", "output projector Q_o (H x P_o)",
                               initializers=weights_kind(), initializer="orthogonal"))
    return out


class ProjectedRecurrentLayer(RecurrentLayer):
    """What the projected layers add to their recurrent base: sizes, projector learnables."""

    positional = ("NumHiddenUnits", "OutputProjectorSize", "InputProjectorSize")
    required = positional
    example_args = "100, 30, 10"

    def describe(self):
        return (f"{self.type_description} with {self.NumHiddenUnits} hidden units, output "
                f"projector size {self.OutputProjectorSize} and input projector size "
                f"{self.InputProjectorSize}")

    def projectors(self):
        return self.InputProjectorSize, self.OutputProjectorSize

    def learnable_shapes(self, inputs):
        c, h = inputs[0].channels, self.NumHiddenUnits
        gh = self.gates * h
        return {"InputWeights": (gh, self.InputProjectorSize),
                "RecurrentWeights": (gh, self.OutputProjectorSize),
                "Bias": (self.bias_length(), 1),
                "InputProjector": (c, self.InputProjectorSize),
                "OutputProjector": (h, self.OutputProjectorSize)}

    def initialize(self, inputs, rng):
        super().initialize(inputs, rng)
        shapes = self.learnable_shapes(inputs)
        for name in PROJECTORS:
            if self.props[name] is None:
                rows, cols = shapes[name]
                self.props[name] = initialize_weights(self.props[f"{name}Initializer"],
                                                      (rows, cols), rows, cols, rng)


@register
class LSTMProjectedLayer(ProjectedRecurrentLayer):
    """LSTM projected layer:
    lstmProjectedLayer(numHiddenUnits, outputProjectorSize, inputProjectorSize, Name=Value, ...)."""

    matlab_name, type_description, default_name = "lstmProjectedLayer", "Projected LSTM", "lstmp"
    cell_class, directions = LSTMCell, 1
    options = projected_options(LSTM_OPTIONS)


@register
class GRUProjectedLayer(ProjectedRecurrentLayer):
    """GRU projected layer:
    gruProjectedLayer(numHiddenUnits, outputProjectorSize, inputProjectorSize, Name=Value, ...)."""

    matlab_name, type_description, default_name = "gruProjectedLayer", "Projected GRU", "grup"
    cell_class, directions = GRUCell, 1
    key_options = GRULayer.key_options
    options = projected_options(GRULayer.options)
    make_cell = GRULayer.make_cell
