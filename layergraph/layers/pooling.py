"""1-D pooling over time: maxPooling1dLayer, averagePooling1dLayer and their global forms.

Global pooling reduces each sequence over its own real time steps (CBT -> CB), so padding never
enters the maximum or the mean.
"""

from __future__ import annotations

from ..formats import Activation, window_steps
from ..options import Choice, IntVector, OneOf, Option
from .base import Layer, LayerProblem, register


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

    def time_steps(self, inputs):
        """Kept by 'same' padding at stride 1 (or padding that fills the window); otherwise
        changed (formats.window_steps)."""
        steps = inputs[0].steps
        if steps is None:
            return None
        p = self.Padding
        total = p if isinstance(p, str) else (2 * p if isinstance(p, int) else sum(p))
        return steps.changed(window_steps(self.PoolSize, self.Stride, 1, total), self.Name)

    def build(self, inputs):
        from ..modules.pooling import Pool1d

        return Pool1d(self.mode, self.PoolSize, self.Stride, self.Padding)


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
        from ..modules.pooling import GlobalPool1d

        return GlobalPool1d(self.mode)


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
