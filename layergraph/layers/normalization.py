"""batchNormalizationLayer, layerNormalizationLayer, instanceNormalizationLayer and
groupNormalizationLayer.

Batch normalization normalizes each channel over the batch (and time, and space); on sequences the
statistics use real time steps only, so padding never changes them. Layer normalization normalizes
each observation and time step over its channels (and space). Instance and group normalization
normalize each observation alone: over space and time, per channel (instance) or per group of
channels (group), as MATLAB documents them; time means the sequence's real steps. On image
sequences that is over all the frames of a sequence together; to normalize every frame alone, fold
the frames first (sequenceFoldingLayer), as in MATLAB. Offset and Scale are per channel.
"""

from __future__ import annotations

import numpy as np

from ..initializers import initialize_weights
from ..options import Array, Choice, Number, OneOf, Option, PositiveInt
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


GROUPED_OPTIONS = {
    "Epsilon": Option(Number(low=0, low_open=True), 1e-5, "added to the variance"),
    "NumChannels": Option(OneOf(Choice("auto"), PositiveInt()), "auto", "input channels"),
    **learnable_block("Offset", "learnable offset (beta), 1 x 1 x C for images, C x 1 otherwise",
                      initializers=("zeros", "ones", "narrow-normal"), initializer="zeros"),
    **learnable_block("Scale", "learnable scale (gamma), 1 x 1 x C for images, C x 1 otherwise",
                      initializers=("ones", "zeros", "narrow-normal"), initializer="ones"),
}
"""The options instance and group normalization share: Epsilon, NumChannels, and Offset / Scale
with their initializers ('zeros' / 'ones' by default) and factors (all 1), as in MATLAB."""


class GroupedNormalizationLayer(NormalizationLayer):
    """Normalization of each observation over space, real time steps and groups of channels."""

    def groups(self, channels: int) -> int:
        raise NotImplementedError

    def infer(self, inputs):
        x = inputs[0]
        super().infer(inputs)  # format and learnable sizes
        if self.NumChannels != "auto" and self.NumChannels != x.channels:
            raise LayerProblem(f"NumChannels is {self.NumChannels}, input has {x.channels}")
        groups = self.groups(x.channels)
        if x.fmt == "CB" and x.channels == groups:
            raise LayerProblem("one value per channel and observation (CB) leaves nothing to "
                               "normalize over; it needs space, time or channels per group")
        return [x]

    def initialize(self, inputs, rng):
        shape = self.learnable_shapes(inputs)["Offset"]
        for name in ("Offset", "Scale"):
            if self.props[name] is None:
                method = self.props[f"{name}Initializer"]
                self.props[name] = initialize_weights(method, shape, 1, 1, rng)

    def build(self, inputs):
        from ..modules.normalization import GroupNorm

        x = inputs[0]
        return GroupNorm(x.fmt, self.Offset, self.Scale, self.Epsilon, self.groups(x.channels))


@register
class InstanceNormalizationLayer(GroupedNormalizationLayer):
    """instanceNormalizationLayer(Epsilon=1e-5, ...): each channel of each observation over
    space and its real time steps."""

    matlab_name, type_description, default_name = (
        "instanceNormalizationLayer", "Instance Normalization", "instancenorm")
    options = GROUPED_OPTIONS

    def groups(self, channels):
        return channels


@register
class GroupNormalizationLayer(GroupedNormalizationLayer):
    """groupNormalizationLayer(numGroups, Epsilon=1e-5, ...): numGroups consecutive groups of
    channels (a number dividing the channels, "all-channels" for one group, "channel-wise" for
    one group per channel), each normalized per observation over space and real time steps."""

    matlab_name, type_description, default_name = (
        "groupNormalizationLayer", "Group Normalization", "groupnorm")
    positional = ("NumGroups",)
    required = ("NumGroups",)
    options = {
        "NumGroups": Option(OneOf(Choice("all-channels", "channel-wise"), PositiveInt()), None,
                            "number of channel groups, 'all-channels' or 'channel-wise'"),
        **GROUPED_OPTIONS,
    }

    def describe(self):
        return f"Group normalization with {self.NumGroups} groups" if isinstance(
            self.NumGroups, int) else f"Group normalization ({self.NumGroups})"

    def groups(self, channels):
        g = self.NumGroups
        if g == "all-channels":
            return 1
        if g == "channel-wise":
            return channels
        if channels % g:
            raise LayerProblem(f"NumGroups {g} does not divide the {channels} input channels")
        return g
