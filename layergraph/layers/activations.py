"""Element-wise and channel-wise activation layers: softmaxLayer, reluLayer, leakyReluLayer,
tanhLayer, sigmoidLayer, eluLayer, geluLayer, swishLayer, clippedReluLayer, softplusLayer, and
dropoutLayer.

They keep the format of their input (vectors, sequences, images, image sequences); softmax
normalizes over channels at every time step, the others act on every element alone, so padded
time steps never reach a real one.
A new activation layer is one class: its ``function()`` returns the torch function (importing
torch there, when a network is assembled), which modules/activations.py applies to the data.
"""

from __future__ import annotations

from ..formats import channel_dim
from ..options import Choice, Number, Option
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
class SigmoidLayer(ActivationLayer):
    """Logistic sigmoid: sigmoidLayer() computes 1 / (1 + exp(-x))."""

    matlab_name, type_description, default_name = "sigmoidLayer", "Sigmoid", "sigmoid"

    def function(self):
        import torch

        return torch.sigmoid


@register
class ELULayer(ActivationLayer):
    """Exponential linear unit: eluLayer(alpha=1) computes x for x >= 0 and alpha*(exp(x) - 1)
    otherwise. MATLAB takes any finite real Alpha (the output's lower bound is -Alpha)."""

    matlab_name, type_description, default_name = "eluLayer", "ELU", "elu"
    positional = ("Alpha",)
    options = {"Alpha": Option(Number(), 1.0, "nonlinearity parameter: scale of negative inputs")}

    def function(self):
        import torch.nn.functional as F

        alpha = self.Alpha
        return lambda d: F.elu(d, alpha)


@register
class GELULayer(ActivationLayer):
    """Gaussian error linear unit: geluLayer(Approximation="none") computes
    x/2 * (1 + erf(x/sqrt(2))); Approximation "tanh" replaces the erf by
    tanh(sqrt(2/pi) * (x + 0.044715 x^3)), to reproduce models trained with it (BERT, GPT-2)."""

    matlab_name, type_description, default_name = "geluLayer", "GELU", "gelu"
    key_options = ("Approximation",)
    options = {"Approximation": Option(Choice("none", "tanh"), "none",
                                       "approximation of the error function")}

    def function(self):
        import torch.nn.functional as F

        approximate = self.Approximation
        return lambda d: F.gelu(d, approximate=approximate)


@register
class SwishLayer(ActivationLayer):
    """Swish: swishLayer() computes x / (1 + exp(-x))."""

    matlab_name, type_description, default_name = "swishLayer", "Swish", "swish"

    def function(self):
        import torch.nn.functional as F

        return F.silu


@register
class ClippedReLULayer(ActivationLayer):
    """Clipped ReLU: clippedReluLayer(ceiling) computes min(max(x, 0), ceiling); the ceiling is
    required and positive, as in MATLAB."""

    matlab_name, type_description, default_name = "clippedReluLayer", "Clipped ReLU", "clippedrelu"
    positional = ("Ceiling",)
    required = ("Ceiling",)
    options = {"Ceiling": Option(Number(low=0, low_open=True), None, "clipping ceiling")}

    def describe(self):
        return f"Clipped ReLU with ceiling {self.Ceiling:g}"

    def function(self):
        import torch

        ceiling = self.Ceiling
        return lambda d: torch.clamp(d, 0.0, ceiling)


@register
class SoftplusLayer(ActivationLayer):
    """Softplus: softplusLayer() computes log(1 + exp(x)); MATLAB's Deep Learning Toolbox layer
    has no options besides Name. Above x = 20 the result is x itself (torch's threshold: the
    difference is below float32's resolution)."""

    matlab_name, type_description, default_name = "softplusLayer", "Softplus", "softplus"

    def function(self):
        import torch.nn.functional as F

        return F.softplus


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
