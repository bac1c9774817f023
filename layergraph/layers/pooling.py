"""1-D pooling over time: maxPooling1dLayer, averagePooling1dLayer and their global forms.

Global pooling reduces each sequence over its own real time steps (CBT -> CB), so padding never
enters the maximum or the mean.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..formats import Activation
from ..options import Choice, IntVector, OneOf, Option
from ..sequences import Signal, time_mask
from .base import Layer, LayerProblem, register
from .convolution import conv_out, same_time_padding, zero_padded_steps


def _needs_sequence(x):
    if x.fmt != "CBT":
        raise LayerProblem(f"expects vector sequences (CBT), got {x.fmt}")


class Pooling1dLayer(Layer):
    category = "conv"
    key_options = ("Stride", "Padding")
    positional = ("PoolSize",)
    required = ("PoolSize",)
    options = {
        "PoolSize": Option(IntVector(), None, "width of the pooling window"),
        "Stride": Option(IntVector(), 1, "step size"),
        "Padding": Option(OneOf(Choice("same"), IntVector(lengths=(1, 2), low=0, expand=False)),
                          0, "'same' or sizes [left right]"),
    }
    mode = "max"

    def infer(self, inputs):
        _needs_sequence(inputs[0])
        return [inputs[0]]

    def build(self, inputs):
        return Pool1d(self.mode, self.PoolSize, self.Stride, self.Padding)


class Pool1d(nn.Module):
    def __init__(self, mode, k, s, padding):
        super().__init__()
        self.mode, self.k, self.s, self.padding = mode, k, s, padding

    def forward(self, x: Signal):
        # Padding never wins a maximum; in a mean it counts as zeros, as in MATLAB.
        fill = float("-inf") if self.mode == "max" else 0.0
        d = zero_padded_steps(x, fill).transpose(1, 2)
        p = self.padding
        if p == "same":
            d = same_time_padding(d, x.lengths, self.k, self.s, 1, fill)
        else:
            pad = (p, p) if isinstance(p, int) else tuple(p)
            d = F.pad(d, pad, value=fill)
        pool = F.max_pool1d if self.mode == "max" else F.avg_pool1d
        y = pool(d, self.k, self.s)
        y = y.transpose(1, 2)
        lengths = x.lengths
        if lengths is not None:
            if p == "same":
                lengths = torch.div(lengths + self.s - 1, self.s, rounding_mode="floor")
            else:
                lengths = conv_out(lengths, self.k, self.s, 1, pad)
            lengths = lengths.clamp(min=1, max=y.shape[1])
            y = y.masked_fill(~time_mask(lengths.to(y.device), y.shape[1])[..., None], 0.0)
        return Signal(y, lengths)


@register
class MaxPooling1dLayer(Pooling1dLayer):
    """maxPooling1dLayer(poolSize, Stride=1, Padding=0)."""

    matlab_name, type_description, default_name = (
        "maxPooling1dLayer", "1-D Max Pooling", "maxpool1d")
    mode = "max"


@register
class AveragePooling1dLayer(Pooling1dLayer):
    """averagePooling1dLayer(poolSize, Stride=1, Padding=0)."""

    matlab_name, type_description, default_name = (
        "averagePooling1dLayer", "1-D Average Pooling", "avgpool1d")
    mode = "average"


class GlobalPooling1dLayer(Layer):
    category = "conv"
    mode = "max"

    def infer(self, inputs):
        _needs_sequence(inputs[0])
        return [Activation("CB", (inputs[0].channels, None))]

    def build(self, inputs):
        return GlobalPool1d(self.mode)


class GlobalPool1d(nn.Module):
    def __init__(self, mode):
        super().__init__()
        self.mode = mode

    def forward(self, x: Signal):
        d = x.data
        mask = time_mask(x.lengths.to(d.device), d.shape[1])[..., None]
        if self.mode == "max":
            return Signal(d.masked_fill(~mask, float("-inf")).amax(dim=1))
        return Signal((d * mask).sum(1) / x.lengths.to(d)[:, None])


@register
class GlobalMaxPooling1dLayer(GlobalPooling1dLayer):
    """globalMaxPooling1dLayer(): maximum over each sequence's time steps (CBT -> CB)."""

    matlab_name, type_description, default_name = (
        "globalMaxPooling1dLayer", "1-D Global Max Pooling", "gmpool1d")
    mode = "max"


@register
class GlobalAveragePooling1dLayer(GlobalPooling1dLayer):
    """globalAveragePooling1dLayer(): mean over each sequence's time steps (CBT -> CB)."""

    matlab_name, type_description, default_name = (
        "globalAveragePooling1dLayer", "1-D Global Average Pooling", "gapool1d")
    mode = "average"
