"""batchNormalizationLayer and layerNormalizationLayer.

Batch normalization normalizes each channel over the batch (and time, and space); on sequences the
statistics use real time steps only, so padding never changes them. Layer normalization normalizes
each observation and time step over its channels (and space). Offset and Scale are per channel.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..options import Array, Choice, Number, Option
from ..sequences import Signal, time_mask
from .activations import channel_dim
from .base import Layer, LayerProblem, learnable_block, register

AFFINE = {
    **learnable_block("Offset", "learnable offset (beta), C x 1"),
    **learnable_block("Scale", "learnable scale (gamma), C x 1"),
}
"""Offset and Scale with MATLAB's OffsetLearnRateFactor, OffsetL2Factor, ScaleLearnRateFactor,
ScaleL2Factor (all 1 by default)."""


class NormalizationLayer(Layer):
    category = "norm"

    def infer(self, inputs):
        x = inputs[0]
        if x.fmt not in ("CB", "CBT", "SSCB", "SSCBT"):
            raise LayerProblem(f"cannot normalize {x.fmt} data")
        for name in self.learnables + self.trained_statistics:
            v = self.props[name]
            if v is not None and v.size != x.channels:
                raise LayerProblem(f"{name} must have {x.channels} elements, got {v.size}")
        return [x]

    def learnable_shapes(self, inputs):
        x = inputs[0]
        # MATLAB: 1 x 1 x C after 2-D images, C x 1 for vectors and vector sequences
        shape = (*(1,) * len(x.spatial), x.channels) if x.spatial else (x.channels, 1)
        return {"Offset": shape, "Scale": shape}

    def initialize(self, inputs, rng):
        shape = self.learnable_shapes(inputs)["Offset"]
        if self.Offset is None:
            self.props["Offset"] = np.zeros(shape)
        if self.Scale is None:
            self.props["Scale"] = np.ones(shape)

    def _affine(self, c):
        off = torch.nn.Parameter(torch.as_tensor(self.Offset.reshape(-1), dtype=torch.float32))
        sc = torch.nn.Parameter(torch.as_tensor(self.Scale.reshape(-1), dtype=torch.float32))
        return off, sc

    def read_back(self, module):
        for name, t in (("Offset", module.offset), ("Scale", module.scale)):
            self.props[name] = _like(self.props[name], t)


def _like(old, tensor):
    """A tensor's values as an array in the MATLAB shape of the property it replaces."""
    shape = (-1, 1) if old is None else old.shape
    return tensor.detach().cpu().double().numpy().reshape(shape).copy()


def _channel_last(d, fmt):
    """Move channels to the last dim: returns the view and a function that moves them back."""
    cd = channel_dim(fmt)
    moved = d.movedim(cd, -1)
    return moved, lambda y: y.movedim(-1, cd)


@register
class BatchNormalizationLayer(NormalizationLayer):
    """batchNormalizationLayer(Epsilon=1e-5, MeanDecay=0.1, VarianceDecay=0.1, ...)."""

    matlab_name, type_description, default_name = (
        "batchNormalizationLayer", "Batch Normalization", "batchnorm")
    trained_statistics = ("TrainedMean", "TrainedVariance")
    options = {
        "Epsilon": Option(Number(low=1e-5), 1e-5, "added to the variance"),
        "MeanDecay": Option(Number(low=0, high=1), 0.1, "decay of the running mean"),
        "VarianceDecay": Option(Number(low=0, high=1), 0.1, "decay of the running variance"),
        **AFFINE,
        "TrainedMean": Option(Array(), None, "running mean used at prediction"),
        "TrainedVariance": Option(Array(), None, "running variance used at prediction"),
    }

    def initialize(self, inputs, rng):
        super().initialize(inputs, rng)
        shape = self.learnable_shapes(inputs)["Offset"]
        if self.TrainedMean is None:
            self.props["TrainedMean"] = np.zeros(shape)
        if self.TrainedVariance is None:
            self.props["TrainedVariance"] = np.ones(shape)

    def build(self, inputs):
        mod = BatchNorm(inputs[0].fmt, *self._affine(inputs[0].channels), self.Epsilon,
                        self.MeanDecay, self.VarianceDecay)
        mod.running_mean.copy_(torch.as_tensor(self.TrainedMean.reshape(-1)))
        mod.running_var.copy_(torch.as_tensor(self.TrainedVariance.reshape(-1)))
        return mod

    def read_back(self, module):
        super().read_back(module)
        self.props["TrainedMean"] = _like(self.props["TrainedMean"], module.running_mean)
        self.props["TrainedVariance"] = _like(self.props["TrainedVariance"], module.running_var)


class BatchNorm(nn.Module):
    def __init__(self, fmt, offset, scale, eps, mean_decay, var_decay):
        super().__init__()
        self.fmt, self.eps, self.mean_decay, self.var_decay = fmt, eps, mean_decay, var_decay
        self.offset, self.scale = offset, scale
        self.register_buffer("running_mean", torch.zeros_like(offset.data))
        self.register_buffer("running_var", torch.ones_like(offset.data))

    def forward(self, x: Signal):
        d, back = _channel_last(x.data, self.fmt)
        if self.training:
            if x.lengths is not None and "T" in self.fmt:
                mask = time_mask(x.lengths.to(d.device), d.shape[1])
                vals = d[mask].reshape(-1, d.shape[-1])  # real steps only
            else:
                vals = d.reshape(-1, d.shape[-1])
            mean = vals.mean(0)
            var = vals.var(0, unbiased=False)
            with torch.no_grad():
                n = vals.shape[0]
                unbiased = var * n / max(n - 1, 1)
                self.running_mean.mul_(1 - self.mean_decay).add_(self.mean_decay * mean)
                self.running_var.mul_(1 - self.var_decay).add_(self.var_decay * unbiased)
        else:
            mean, var = self.running_mean, self.running_var
        y = (d - mean) / torch.sqrt(var + self.eps) * self.scale + self.offset
        return Signal(back(y), x.lengths)


@register
class LayerNormalizationLayer(NormalizationLayer):
    """layerNormalizationLayer(Epsilon=1e-5): per observation and time step, over channels."""

    matlab_name, type_description, default_name = (
        "layerNormalizationLayer", "Layer Normalization", "layernorm")
    options = {
        "Epsilon": Option(Number(low=0, low_open=True), 1e-5, "added to the variance"),
        "OperationDimension": Option(Choice("auto", "channel-only", "spatial-channel"), "auto",
                                     "dimensions normalized over"),
        **AFFINE,
    }

    def build(self, inputs):
        fmt = inputs[0].fmt
        spatial = "S" in fmt and self.OperationDimension != "channel-only"
        return LayerNorm(fmt, *self._affine(inputs[0].channels), self.Epsilon, spatial)


class LayerNorm(nn.Module):
    def __init__(self, fmt, offset, scale, eps, spatial):
        super().__init__()
        self.fmt, self.eps, self.spatial = fmt, eps, spatial
        self.offset, self.scale = offset, scale

    def forward(self, x: Signal):
        d, back = _channel_last(x.data, self.fmt)
        nsp = self.fmt.count("S") if self.spatial else 0
        dims = tuple(range(d.dim() - 1 - nsp, d.dim()))
        mean = d.mean(dims, keepdim=True)
        var = d.var(dims, unbiased=False, keepdim=True)
        y = (d - mean) / torch.sqrt(var + self.eps) * self.scale + self.offset
        return Signal(back(y), x.lengths)
