"""2-D pooling over image height and width: maxPooling2dLayer, averagePooling2dLayer and their
global forms.

They take images (SSCB, e.g. folded frames) and image sequences (SSCBT), where they pool every
frame alone, as MATLAB does; no frame reaches another, so padded frames never reach a real one.
Padding is 'same', p, [a b] (top/bottom, left/right) or [t b l r], each side smaller than the pool
(MATLAB's rule); max pooling pads with -Inf (padding never wins), average pooling with
PaddingValue: 0 (padding counts as zeros) or "mean" (padding is left out of each average).
"""

from __future__ import annotations

from ..errors import OptionError
from ..formats import Activation, conv_out, spatial_paddings
from ..options import Choice, IntVector, Kind, Number, OneOf, Option
from .base import Layer, LayerProblem, register

IMAGES = ("SSCB", "SSCBT")


def _needs_images(x):
    if x.fmt not in IMAGES:
        raise LayerProblem(f"expects images (SSCB) or image sequences (SSCBT), got {x.fmt}")


def _sides(p):
    """A numeric Padding as [top bottom left right]."""
    if isinstance(p, int):
        return (p,) * 4
    return (p[0], p[0], p[1], p[1]) if len(p) == 2 else tuple(p)


def _pooling_options():
    return {
        "PoolSize": Option(IntVector(lengths=(2,)), None, "[h w] of the pooling regions"),
        "Stride": Option(IntVector(lengths=(2,)), (1, 1), "[vertical horizontal] step size"),
        "Padding": Option(OneOf(Choice("same"), IntVector(lengths=(1, 2, 4), low=0, expand=False)),
                          0, "'same', p, [a b] or [t b l r] padding of the edges"),
    }


class ZeroOrMean(Kind):
    """averagePooling2dLayer's PaddingValue: the number 0 or the text 'mean'."""

    description = "0 or 'mean'"
    schema = {"anyOf": [{"const": 0}, {"type": "string", "enum": ["mean"]}]}

    def __call__(self, value):
        if isinstance(value, str):
            return Choice("mean")(value)
        if Number()(value) != 0:
            raise ValueError(f"expected {self.description}, got {value!r}")
        return 0


class Pooling2dLayer(Layer):
    category = "conv"
    key_options = ("Stride", "Padding")
    positional = ("PoolSize",)
    required = ("PoolSize",)
    options = _pooling_options()
    mode = "max"

    def check(self):
        problem = self._padding_problem()
        if problem:
            raise OptionError(f"invalid value for 'Padding': {problem}.", owner=self.where,
                              option="Padding", part="value", layer_type=self.matlab_name,
                              expected="padding smaller than PoolSize on every side")

    def _padding_problem(self):
        p = self.Padding
        if p == "same":
            return None  # 'same' never pads a side by the pool size or more
        sides = _sides(p)
        h, w = self.PoolSize
        if max(sides[:2]) >= h or max(sides[2:]) >= w:
            return f"the padding {list(sides)} must be smaller than PoolSize {list(self.PoolSize)}"
        return None

    def paddings(self, h, w):
        return spatial_paddings(self.Padding, (h, w), self.PoolSize, self.Stride)

    def describe(self):
        h, w = self.PoolSize
        what = "max" if self.mode == "max" else "average"
        p = self.Padding
        pad = "'same'" if p == "same" else f"[{' '.join(map(str, _sides(p)))}]"
        return f"{h}x{w} {what} pooling with stride [{self.Stride[0]} {self.Stride[1]}] and " \
               f"padding {pad}"

    def infer(self, inputs):
        x = inputs[0]
        _needs_images(x)
        problem = self._padding_problem()
        if problem:
            raise LayerProblem(problem)
        h, w = x.spatial
        out = [conv_out(n, k, s, 1, p) for n, k, s, p in
               zip((h, w), self.PoolSize, self.Stride, self.paddings(h, w))]
        if min(out) < 1:
            raise LayerProblem(f"PoolSize {list(self.PoolSize)} is larger than the padded input "
                               f"{h}x{w}")
        return [Activation(x.fmt, (*out, *x.size[2:]))]

    def build(self, inputs):
        from ..modules.pooling2d import Pool2d

        h, w = inputs[0].spatial
        (pt, pb), (pl, pr) = self.paddings(h, w)
        exclude = self.props.get("PaddingValue") == "mean"
        return Pool2d(self.mode, self.PoolSize, self.Stride, (pl, pr, pt, pb), exclude)


@register
class MaxPooling2dLayer(Pooling2dLayer):
    """maxPooling2dLayer(poolSize, Stride=[1 1], Padding=0): the maximum of each region.

    MATLAB's HasUnpoolingOutputs (for maxUnpooling2dLayer) is not offered.
    """

    matlab_name, type_description, default_name = "maxPooling2dLayer", "2-D Max Pooling", "maxpool"
    mode = "max"


@register
class AveragePooling2dLayer(Pooling2dLayer):
    """averagePooling2dLayer(poolSize, Stride=[1 1], Padding=0, PaddingValue=0): the mean of each
    region; with PaddingValue "mean" the padded elements are left out of the mean (MATLAB pads
    with the mean of the region's real elements, which comes to the same)."""

    matlab_name, type_description, default_name = (
        "averagePooling2dLayer", "2-D Average Pooling", "avgpool")
    mode = "average"
    key_options = ("Stride", "Padding", "PaddingValue")
    options = {**_pooling_options(),
               "PaddingValue": Option(ZeroOrMean(), 0,
                                      "0 or 'mean': what padded elements count as")}


class GlobalPooling2dLayer(Layer):
    category = "conv"
    mode = "max"

    def infer(self, inputs):
        x = inputs[0]
        _needs_images(x)
        return [Activation(x.fmt, (1, 1, *x.size[2:]))]

    def build(self, inputs):
        from ..modules.pooling2d import GlobalPool2d

        return GlobalPool2d(self.mode)


@register
class GlobalMaxPooling2dLayer(GlobalPooling2dLayer):
    """globalMaxPooling2dLayer(): the maximum over height and width of every channel (of every
    frame): h x w x C -> 1 x 1 x C."""

    matlab_name, type_description, default_name = (
        "globalMaxPooling2dLayer", "2-D Global Max Pooling", "gmpool")
    mode = "max"


@register
class GlobalAveragePooling2dLayer(GlobalPooling2dLayer):
    """globalAveragePooling2dLayer(): the mean over height and width of every channel (of every
    frame): h x w x C -> 1 x 1 x C."""

    matlab_name, type_description, default_name = (
        "globalAveragePooling2dLayer", "2-D Global Average Pooling", "gapool")
    mode = "average"
