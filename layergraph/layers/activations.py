"""Element-wise and channel-wise activation layers: softmaxLayer, reluLayer, leakyReluLayer, tanhLayer.

They keep the format of their input; softmax normalizes over channels at every time step.
A new activation layer is one class: its ``function()`` returns the torch function (importing
torch there, when a network is assembled), which modules/activations.py applies to the data.
"""

from __future__ import annotations

from ..formats import channel_dim
from ..options import Number, Option
from .base import Layer, LayerProblem, register


class ActivationLayer(Layer):
    """A layer that keeps its input's format and size."""

    category = "activation"

    def infer(self, inputs):
        return [inputs[0]]

    def function(self):
        raise NotImplementedError

    def build(self, inputs):
        from ..modules.activations import Pointwise

        return Pointwise(self.function())


@register
class SoftmaxLayer(ActivationLayer):
    """Softmax over channels: softmaxLayer()."""

    matlab_name, type_description, default_name = "softmaxLayer", "Softmax", "softmax"
    emits_probabilities = True

    def infer(self, inputs):
        if inputs[0].fmt not in ("CB", "CBT", "SSCB", "SSCBT"):
            raise LayerProblem(f"cannot apply softmax to {inputs[0].fmt} data")
        return [inputs[0]]

    def build(self, inputs):
        import torch

        from ..modules.activations import Pointwise

        dim = channel_dim(inputs[0].fmt)
        return Pointwise(lambda d: torch.softmax(d, dim=dim))


@register
class ReLULayer(ActivationLayer):
    """Rectified linear unit: reluLayer()."""

    matlab_name, type_description, default_name = "reluLayer", "ReLU", "relu"

    def function(self):
        import torch

        return torch.relu


@register
class LeakyReLULayer(ActivationLayer):
    """Leaky ReLU: leakyReluLayer(scale=0.01) computes x for x >= 0 and scale*x otherwise."""

    matlab_name, type_description, default_name = "leakyReluLayer", "Leaky ReLU", "leakyrelu"
    positional = ("Scale",)
    options = {"Scale": Option(Number(), 0.01, "slope for negative inputs")}

    def function(self):
        import torch

        scale = self.Scale
        return lambda d: torch.where(d >= 0, d, d * scale)


@register
class TanhLayer(ActivationLayer):
    """Hyperbolic tangent: tanhLayer()."""

    matlab_name, type_description, default_name = "tanhLayer", "Tanh", "tanh"

    def function(self):
        import torch

        return torch.tanh


@register
class DropoutLayer(ActivationLayer):
    """dropoutLayer(probability=0.5): zeroes inputs with that probability while training and scales
    the rest by 1/(1-p); the identity at prediction, as in MATLAB."""

    matlab_name, type_description, default_name = "dropoutLayer", "Dropout", "dropout"
    positional = ("Probability",)
    options = {"Probability": Option(Number(low=0, high=1, high_open=True), 0.5,
                                     "probability of dropping an input element")}

    def build(self, inputs):
        from ..modules.activations import Dropout

        return Dropout(self.Probability)
