"""convolution1dLayer (over time) and convolution2dLayer (over image height and width).

MATLAB layouts: 1-D Weights are FilterSize x NumChannels x NumFilters, 2-D Weights are
h x w x NumChannels x NumFilters, Bias 1 x NumFilters (1 x 1 x NumFilters in 2-D).
Before a 1-D convolution, padded time steps are set to zero, so a sequence sees the same zeros
beyond its end whether it is alone or in a batch ('same' and 'causal' padding are zero padding).
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..formats import Activation
from ..initializers import initialize_weights, weights_kind
from ..options import Choice, IntVector, OneOf, Option, PositiveInt
from ..sequences import Signal, time_mask
from .base import Layer, LayerProblem, learnable_block, register


def same_padding(size, kernel, stride, dilation):
    """MATLAB's 'same': output ceil(size/stride); odd total padding puts the extra at the end."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + dilation * (kernel - 1) + 1 - size, 0)
    return total // 2, total - total // 2


def conv_out(size, kernel, stride, dilation, pad):
    return (size + pad[0] + pad[1] - dilation * (kernel - 1) - 1) // stride + 1


def zero_padded_steps(x: Signal, value=0.0):
    """Set the padded time steps of a (B, T, ...) signal to ``value`` (zero; -inf before a max)
    before a layer that mixes time steps."""
    if x.lengths is None:
        return x.data
    m = time_mask(x.lengths.to(x.data.device), x.data.shape[1])
    return x.data.masked_fill(~m.reshape(*m.shape, *([1] * (x.data.dim() - 2))), value)


def same_time_padding(d, lengths, k, s, dilation, value=0.0):
    """MATLAB's 'same' padding of (B, C, T) data over time, each sequence for its own length.

    A sequence of L steps gets ceil(L/s) outputs, the odd padding step at the end. With a stride
    above 1 the left padding depends on L, so each sequence is shifted right by its own left
    padding (one gather); the result needs no further padding before a k-step window.
    """
    T = d.shape[2]
    if lengths is None or s == 1:
        return F.pad(d, same_padding(T, k, s, dilation), value=value)
    lengths = lengths.to(d.device)
    out = torch.div(lengths + s - 1, s, rounding_mode="floor")
    left = torch.div((out - 1) * s + dilation * (k - 1) + 1 - lengths, 2, rounding_mode="floor")
    left = left.clamp(min=0)
    n = max((math.ceil(T / s) - 1) * s + dilation * (k - 1) + 1, T)
    m = int(left.max()) if left.numel() else 0
    padded = F.pad(d, (m, n - T), value=value)
    idx = torch.arange(n, device=d.device)[None, :] + (m - left)[:, None]
    return torch.gather(padded, 2, idx[:, None, :].expand(-1, d.shape[1], -1))


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

    def torch_weights(self):
        w = np.asarray(self.Weights, dtype=np.float32)
        w = w.reshape(self.learnable_shapes_for(w.shape[-2])["Weights"])
        # MATLAB (k..., C, F) -> torch (F, C, k...)
        return torch.as_tensor(np.ascontiguousarray(np.moveaxis(w, (-1, -2), (0, 1))))

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

    def infer(self, inputs):
        x = inputs[0]
        if x.fmt not in ("CBT",):
            raise LayerProblem(f"expects vector sequences (CBT), got {x.fmt}")
        if self.NumChannels != "auto" and self.NumChannels != x.channels:
            raise LayerProblem(f"NumChannels is {self.NumChannels}, input has {x.channels}")
        self._check_weights(x.channels)
        return [Activation("CBT", (self.NumFilters, None, None))]

    def build(self, inputs):
        conv = nn.Conv1d(inputs[0].channels, self.NumFilters, self.FilterSize, self.Stride,
                         dilation=self.DilationFactor)
        with torch.no_grad():
            conv.weight.copy_(self.torch_weights())
            conv.bias.copy_(torch.as_tensor(self.Bias.reshape(-1)))
        return Conv1d(conv, self)

    def read_back(self, module):
        super().read_back(module.conv)


class Conv1d(nn.Module):
    def __init__(self, conv, layer):
        super().__init__()
        self.conv = conv
        self.padding_for, self.same = layer.padding, layer.Padding == "same"
        self.k, self.s, self.d = layer.FilterSize, layer.Stride, layer.DilationFactor

    def forward(self, x: Signal):
        d = zero_padded_steps(x).transpose(1, 2)  # (B, C, T)
        if self.same:
            d = same_time_padding(d, x.lengths, self.k, self.s, self.d)
        else:
            pad = self.padding_for(d.shape[2])
            d = F.pad(d, pad)
        y = self.conv(d).transpose(1, 2)
        lengths = x.lengths
        if lengths is not None:
            if self.same:
                lengths = torch.div(lengths + self.s - 1, self.s, rounding_mode="floor")
            else:
                lengths = conv_out(lengths, self.k, self.s, self.d, pad)
            lengths = lengths.clamp(min=1, max=y.shape[1])
        return Signal(y, lengths)


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
        if self.Padding == "same":
            return [same_padding(n, k, s, d) for n, k, s, d in
                    zip((h, w), self.FilterSize, self.Stride, self.DilationFactor)]
        p = self.Padding
        if isinstance(p, int):
            return [(p, p), (p, p)]
        if len(p) == 2:
            return [(p[0], p[0]), (p[1], p[1])]
        return [(p[0], p[1]), (p[2], p[3])]

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
        h, w = inputs[0].spatial
        (pt, pb), (pl, pr) = self.paddings(h, w)
        conv = nn.Conv2d(inputs[0].channels, self.NumFilters, self.FilterSize, self.Stride,
                         dilation=self.DilationFactor)
        with torch.no_grad():
            conv.weight.copy_(self.torch_weights())
            conv.bias.copy_(torch.as_tensor(self.Bias.reshape(-1)))
        return Conv2d(conv, (pl, pr, pt, pb))

    def read_back(self, module):
        super().read_back(module.conv)


class Conv2d(nn.Module):
    def __init__(self, conv, pad):
        super().__init__()
        self.conv, self.pad = conv, pad

    def forward(self, x: Signal):
        d = x.data
        lead = d.shape[:-3]
        y = self.conv(F.pad(d.reshape(-1, *d.shape[-3:]), self.pad))
        return Signal(y.reshape(*lead, *y.shape[1:]), x.lengths)
