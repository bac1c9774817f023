"""batchNormalizationLayer and layerNormalizationLayer.

Batch normalization normalizes each channel over the batch (and time, and space); on sequences the
statistics use real time steps only, so padding never changes them. Layer normalization normalizes
each observation and time step over its channels (and space). Offset and Scale are per channel.
"""

from __future__ import annotations

import numpy as np

from ..options import Array, Choice, Number, Option
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

    def read_back(self, module):
        for name, t in (("Offset", module.offset), ("Scale", module.scale)):
            self.props[name] = _like(self.props[name], t)


def _like(old, tensor):
    """A tensor's values as an array in the MATLAB shape of the property it replaces."""
    shape = (-1, 1) if old is None else old.shape
    return tensor.detach().cpu().double().numpy().reshape(shape).copy()


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
        from ..modules.normalization import BatchNorm

        return BatchNorm(inputs[0].fmt, self.Offset, self.Scale, self.Epsilon, self.MeanDecay,
                         self.VarianceDecay, self.TrainedMean, self.TrainedVariance)

    def read_back(self, module):
        super().read_back(module)
        self.props["TrainedMean"] = _like(self.props["TrainedMean"], module.running_mean)
        self.props["TrainedVariance"] = _like(self.props["TrainedVariance"], module.running_var)


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
        from ..modules.normalization import LayerNorm

        fmt = inputs[0].fmt
        spatial = "S" in fmt and self.OperationDimension != "channel-only"
        return LayerNorm(fmt, self.Offset, self.Scale, self.Epsilon, spatial)
