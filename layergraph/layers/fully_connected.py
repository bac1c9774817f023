"""fullyConnectedLayer: Weights (OutputSize x InputSize) times the input, plus Bias (OutputSize x 1).

On sequences it applies at every time step (CBT -> CBT). On images it flattens the spatial and
channel dimensions in MATLAB's column-major order (h fastest, then w, then c), so MATLAB weights
apply unchanged (modules/fully_connected.py: ``matlab_flatten``).
"""

from __future__ import annotations

import numpy as np

from ..formats import Activation
from ..initializers import initialize_weights, weights_kind
from ..options import Choice, OneOf, Option, PositiveInt
from .base import Layer, LayerProblem, learnable_block, register


@register
class FullyConnectedLayer(Layer):
    """Fully connected layer: fullyConnectedLayer(outputSize, Name=Value, ...)."""

    matlab_name, type_description, default_name = (
        "fullyConnectedLayer", "Fully Connected", "fc")
    positional = ("OutputSize",)
    required = ("OutputSize",)
    options = {
        "OutputSize": Option(PositiveInt(), None, "number of outputs K"),
        "InputSize": Option(OneOf(Choice("auto"), PositiveInt()), "auto", "input features"),
        **learnable_block("Weights", "weights, OutputSize x InputSize",
                          initializers=weights_kind(), initializer="glorot",
                          factor_stem="Weight"),
        **learnable_block("Bias", "bias, OutputSize x 1",
                          initializers=("zeros", "narrow-normal", "ones"), initializer="zeros",
                          l2=0.0),
    }

    def describe(self):
        return f"{self.OutputSize} fully connected layer"

    def infer(self, inputs):
        x = inputs[0]
        n = x.features
        if self.InputSize != "auto" and self.InputSize != n:
            raise LayerProblem(f"InputSize is {self.InputSize} but the input has {n} features")
        for name, shape in self.learnable_shapes(inputs).items():
            v = self.props[name]
            if v is not None and (v.size != np.prod(shape) or (name == "Weights" and
                                                                v.shape != shape)):
                raise LayerProblem(f"{name} must be {shape[0]}x{shape[1]} for {n} input "
                                   f"features, got {'x'.join(map(str, v.shape))}")
        k = self.OutputSize
        return [Activation("CBT", (k, None, None)) if x.is_sequence else
                Activation("CB", (k, None))]

    def learnable_shapes(self, inputs):
        return {"Weights": (self.OutputSize, inputs[0].features), "Bias": (self.OutputSize, 1)}

    def initialize(self, inputs, rng):
        (k, n), _ = self.learnable_shapes(inputs).values()
        if self.Weights is None:
            self.props["Weights"] = initialize_weights(self.WeightsInitializer, (k, n), n, k, rng)
        if self.Bias is None:
            self.props["Bias"] = initialize_weights(self.BiasInitializer, (k, 1), 1, 1, rng)

    def build(self, inputs):
        from ..modules.fully_connected import FullyConnected

        return FullyConnected(self.Weights, self.Bias, len(inputs[0].spatial))

    def read_back(self, module):
        self.props["Weights"] = module.weight.detach().cpu().double().numpy().copy()
        self.props["Bias"] = module.bias.detach().cpu().double().numpy().reshape(-1, 1)
