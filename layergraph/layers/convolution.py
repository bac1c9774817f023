"""convolution1dLayer (over time) and convolution2dLayer (over image height and width).

MATLAB layouts: 1-D Weights are FilterSize x NumChannels x NumFilters, 2-D Weights are
h x w x NumChannels x NumFilters, Bias 1 x NumFilters (1 x 1 x NumFilters in 2-D).
Before a 1-D convolution, padded time steps are set to zero, so a sequence sees the same zeros
beyond its end whether it is alone or in a batch ('same' and 'causal' padding are zero padding).
The torch modules, and the time padding they share with pooling, are in modules/convolution.py.
"""

from __future__ import annotations

import numpy as np

from ..formats import Activation, conv_out, same_padding, spatial_paddings, window_steps
from ..initializers import initialize_weights, weights_kind
from ..options import Choice, IntVector, OneOf, Option, PositiveInt
from .base import Layer, LayerProblem, learnable_block, register


class ConvolutionLayer(Layer):
    positional = ("FilterSize", "NumFilters")
    required = ("FilterSize", "NumFilters")
    category = "conv"
    key_options = ("Padding", "Stride", "DilationFactor")
    dims = 1

    def _check_weights(self, channels):
        for name, shape in self.learnable_shapes_for(channels).items():
            v = self.props[name]
            if v is not None and v.size != np.prod(shape):
                raise LayerProblem(f"{name} must be {'x'.join(map(str, shape))}, got "
                                   f"{'x'.join(map(str, v.shape))}")

    def learnable_shapes(self, inputs):
        return self.learnable_shapes_for(inputs[0].channels)

    def initialize(self, inputs, rng):
        shapes = self.learnable_shapes(inputs)
        k = int(np.prod(shapes["Weights"][:-2]))
        c, f = shapes["Weights"][-2:]
        if self.Weights is None:
            self.props["Weights"] = initialize_weights(self.WeightsInitializer, shapes["Weights"],
                                                       k * c, k * f, rng)
        if self.Bias is None:
            self.props["Bias"] = initialize_weights(self.BiasInitializer, shapes["Bias"], 1, 1,
                                                    rng)

    def matlab_weights(self, channels):
        """Weights in their MATLAB shape (k..., C, F) for ``channels`` input channels."""
        return np.asarray(self.Weights).reshape(self.learnable_shapes_for(channels)["Weights"])

    def read_back(self, module):
        w = module.weight.detach().cpu().double().numpy()
        self.props["Weights"] = np.moveaxis(w, (0, 1), (-1, -2)).copy()
        self.props["Bias"] = module.bias.detach().cpu().double().numpy().reshape(
            self.learnable_shapes_for(w.shape[1])["Bias"])


def conv_options(dims):
    n = (dims,)
    pad_lengths = (1, 2) if dims == 1 else (1, 2, 4)
    padding_choices = ("same", "causal") if dims == 1 else ("same",)
    return {
        "FilterSize": Option(IntVector(lengths=n), None, "filter size"),
        "NumFilters": Option(PositiveInt(), None, "number of filters (output channels)"),
        "Stride": Option(IntVector(lengths=n), 1 if dims == 1 else (1, 1), "step size"),
        "DilationFactor": Option(IntVector(lengths=n), 1 if dims == 1 else (1, 1),
                                 "dilation of the filter"),
        "Padding": Option(OneOf(Choice(*padding_choices),
                                IntVector(lengths=pad_lengths, low=0, expand=False)),
                          0, "'same'" + (", 'causal'" if dims == 1 else "") + " or sizes"),
        "NumChannels": Option(OneOf(Choice("auto"), PositiveInt()), "auto", "input channels"),
        **learnable_block("Weights", "filter weights (MATLAB layout)",
                          initializers=weights_kind(), initializer="glorot",
                          factor_stem="Weight"),
        **learnable_block("Bias", "bias", initializers=("zeros", "narrow-normal", "ones"),
                          initializer="zeros", l2=0.0),
    }


def _pair(v, n):
    return tuple(v) if isinstance(v, tuple) else (v,) * n


@register
class Convolution1dLayer(ConvolutionLayer):
    """1-D convolution over time: convolution1dLayer(filterSize, numFilters, Padding='causal')."""

    matlab_name, type_description, default_name = (
        "convolution1dLayer", "1-D Convolution", "conv1d")
    options = conv_options(1)

    def learnable_shapes_for(self, c):
        return {"Weights": (self.FilterSize, c, self.NumFilters), "Bias": (1, self.NumFilters)}

    def padding(self, T):
        k, s, d = self.FilterSize, self.Stride, self.DilationFactor
        if self.Padding == "same":
            return same_padding(T, k, s, d)
        if self.Padding == "causal":
            return (d * (k - 1), 0)
        return _pair(self.Padding, 2)

    def time_steps(self, inputs):
        """Kept by 'same' and 'causal' padding at stride 1; changed by a stride or by padding
        short of the filter's reach (formats.window_steps)."""
        steps = inputs[0].steps
        if steps is None:
            return None
        p = self.Padding if isinstance(self.Padding, str) else sum(self.padding(0))
        return steps.changed(window_steps(self.FilterSize, self.Stride, self.DilationFactor, p),
                             self.Name)

    def infer(self, inputs):
        x = inputs[0]
        if x.fmt not in ("CBT",):
            raise LayerProblem(f"expects vector sequences (CBT), got {x.fmt}")
        if self.NumChannels != "auto" and self.NumChannels != x.channels:
            raise LayerProblem(f"NumChannels is {self.NumChannels}, input has {x.channels}")
        self._check_weights(x.channels)
        return [Activation("CBT", (self.NumFilters, None, None))]

    def build(self, inputs):
        from ..modules.convolution import Conv1d

        padding = "same" if self.Padding == "same" else self.padding(0)  # fixed unless 'same'
        return Conv1d(self.matlab_weights(inputs[0].channels), self.Bias, self.Stride,
                      self.DilationFactor, padding)

    def read_back(self, module):
        super().read_back(module.conv)


@register
class Convolution2dLayer(ConvolutionLayer):
    """2-D convolution over height and width: convolution2dLayer(filterSize, numFilters, ...).

    On image sequences (SSCBT) it applies to every frame, as MATLAB does.
    """

    matlab_name, type_description, default_name = (
        "convolution2dLayer", "2-D Convolution", "conv")
    options = conv_options(2)
    dims = 2

    def learnable_shapes_for(self, c):
        return {"Weights": (*self.FilterSize, c, self.NumFilters), "Bias": (1, 1, self.NumFilters)}

    def paddings(self, h, w):
        return spatial_paddings(self.Padding, (h, w), self.FilterSize, self.Stride,
                                self.DilationFactor)

    def infer(self, inputs):
        x = inputs[0]
        if x.fmt not in ("SSCB", "SSCBT"):
            raise LayerProblem(
                f"expects images (SSCB) or image sequences (SSCBT), got {x.fmt}")
        if self.NumChannels != "auto" and self.NumChannels != x.channels:
            raise LayerProblem(f"NumChannels is {self.NumChannels}, input has {x.channels}")
        self._check_weights(x.channels)
        h, w = x.spatial
        pads = self.paddings(h, w)
        out = [conv_out(n, k, s, d, p) for n, k, s, d, p in
               zip((h, w), self.FilterSize, self.Stride, self.DilationFactor, pads)]
        if min(out) < 1:
            raise LayerProblem(f"filter {self.FilterSize} is larger than the padded input "
                               f"{h}x{w}")
        return [Activation(x.fmt, (*out, self.NumFilters, *x.size[3:]))]

    def build(self, inputs):
        from ..modules.convolution import Conv2d

        h, w = inputs[0].spatial
        (pt, pb), (pl, pr) = self.paddings(h, w)
        return Conv2d(self.matlab_weights(inputs[0].channels), self.Bias, self.Stride,
                      self.DilationFactor, (pl, pr, pt, pb))

    def read_back(self, module):
        super().read_back(module.conv)
