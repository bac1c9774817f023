"""Input layers: sequenceInputLayer, featureInputLayer and imageInputLayer, with MATLAB's input
normalizations.

sequenceInputLayer's InputSize is an integer (vector sequences, format CBT) or [h w c] (image
sequences, SSCBT); featureInputLayer's an integer (one vector per observation, CB);
imageInputLayer's [h w c] or [h w] (images, SSCB).

Normalization statistics (Mean, StandardDeviation, Min, Max) have the size NormalizationDimension
says: 'channel' one value per channel (a vector of C, or 1x1xC for images), 'element' one per
element of an observation (C, or h x w x c for images; a flat vector is read in MATLAB's
column-major order), 'all' one scalar. With 'auto' any of these sizes is accepted, and the
statistics trainNetwork computes from the training data are per channel, as MATLAB documents.
trainNetwork computes the missing ones before training starts (all of them while
ResetInputNormalization is true).

SplitComplexInputs splits each channel into its real and imaginary parts, doubling the channels:
the output holds the C real parts, then the C imaginary parts (real data has imaginary parts 0).
The normalization applies after the split, so its statistics have 2C channels.
"""

from __future__ import annotations

import math

import numpy as np

from ..formats import Activation, TimeSteps, channel_dim, image_sequence, vector, vector_sequence
from ..options import Array, Bool, Choice, IntVector, Number, Option
from .base import Layer, LayerProblem, register

NORMALIZATIONS = ("none", "zerocenter", "zscore", "rescale-symmetric", "rescale-zero-one")
NEEDS = {"zerocenter": ("Mean",), "zscore": ("Mean", "StandardDeviation"),
         "rescale-symmetric": ("Min", "Max"), "rescale-zero-one": ("Min", "Max"), "none": ()}
DIMENSIONS = ("auto", "channel", "element", "all")


def input_options(size: Option, normalization: str) -> dict:
    """The options every input layer has; only InputSize and the Normalization default differ."""
    return {
        "InputSize": size,
        "Normalization": Option(Choice(*NORMALIZATIONS), normalization, "input normalization"),
        "NormalizationDimension": Option(Choice(*DIMENSIONS), "auto",
                                         "statistics per 'channel', per 'element' or over 'all' "
                                         "values; 'auto' accepts any and computes per channel"),
        "Mean": Option(Array(), None, "mean for 'zerocenter' and 'zscore'"),
        "StandardDeviation": Option(Array(), None, "standard deviation for 'zscore'"),
        "Min": Option(Array(), None, "minimum for the rescale modes"),
        "Max": Option(Array(), None, "maximum for the rescale modes"),
        "SplitComplexInputs": Option(Bool(), False,
                                     "split complex channels into real and imaginary parts "
                                     "(2C output channels)"),
    }


class InputLayer(Layer):
    """Base of the input layers: no inputs, one output, normalization by data statistics."""

    inputs = ()
    category = "input"
    key_options = ("Normalization", "SplitComplexInputs")
    data_statistics = ("Mean", "StandardDeviation", "Min", "Max")

    # --- what one observation (at one time step) is --------------------------------------------
    @property
    def raw_element(self) -> tuple:
        """The MATLAB shape of one observation's values as the data holds them: (C,) or
        (h, w, c)."""
        s = self.InputSize
        return s if isinstance(s, tuple) else (s,)

    @property
    def element(self) -> tuple:
        """The shape after SplitComplexInputs (channels doubled when set)."""
        e = self.raw_element
        return (*e[:-1], 2 * e[-1]) if self.SplitComplexInputs else e

    @property
    def channels(self) -> int:
        return self.element[-1]

    def output_activation(self) -> Activation:
        raise NotImplementedError

    def time_steps(self, inputs):
        """Sequences start here: their time steps are this layer's."""
        return TimeSteps(self.Name)

    def size_text(self) -> str:
        return "x".join(map(str, self.raw_element))

    # --- statistics ------------------------------------------------------------------------------
    def statistic_sizes(self) -> dict[str, int]:
        """NormalizationDimension -> number of values a statistic of that kind has."""
        return {"all": 1, "channel": self.channels, "element": math.prod(self.element)}

    def _check_statistic(self, name, v):
        sizes = self.statistic_sizes()
        dim = self.NormalizationDimension
        allowed = sorted(set(sizes.values())) if dim == "auto" else [sizes[dim]]
        if v.size not in allowed:
            raise LayerProblem(f"{name} must have {' or '.join(map(str, allowed))} elements "
                               f"(NormalizationDimension '{dim}'), got {v.size}")
        e = self.element
        if v.size == sizes["element"] and v.ndim > 1 and len(e) > 1 and v.shape != e \
                and v.size != sizes["channel"]:
            raise LayerProblem(f"{name} must be {'x'.join(map(str, e))} (h x w x c), got "
                               f"{'x'.join(map(str, v.shape))}")

    def infer(self, inputs):
        for name in self.data_statistics:
            v = self.props[name]
            if v is not None:
                self._check_statistic(name, v)
        return [self.output_activation()]

    def missing_statistics(self):
        return [n for n in NEEDS[self.Normalization] if self.props[n] is None]

    def fit_statistics(self, observations, reset):
        """Normalization statistics from the training data (sequences, or observations for
        feature and image input), over the dimensions NormalizationDimension names ('auto':
        per channel). With ``reset`` false only the missing ones are computed, as MATLAB does
        with ResetInputNormalization false."""
        if reset:
            for name in self.data_statistics:
                self.props[name] = None
        missing = self.missing_statistics()
        if not missing:
            return
        raw = self.raw_element
        if isinstance(observations, np.ndarray):
            data = observations.reshape(-1, *raw)
        else:
            data = np.concatenate([np.asarray(s).reshape(-1, *raw) for s in observations])
        if self.SplitComplexInputs:
            data = np.concatenate([data.real, data.imag], axis=-1)
        data = np.asarray(data, dtype=np.float64)
        dim = self.NormalizationDimension
        if dim == "all":
            axes, shape = None, ()
        elif dim == "element":
            axes, shape = 0, self.element
        else:  # 'channel' and 'auto'
            axes, shape = tuple(range(data.ndim - 1)), self.channel_shape()
        stats = {"Mean": data.mean(axes), "StandardDeviation": data.std(axes),
                 "Min": data.min(axes), "Max": data.max(axes)}
        for name in missing:
            self.props[name] = np.asarray(stats[name]).reshape(shape)

    def channel_shape(self) -> tuple:
        """How a per-channel statistic is stored: C values, or 1x1xC for images (MATLAB's)."""
        e = self.element
        return (e[-1],) if len(e) == 1 else (*([1] * (len(e) - 1)), e[-1])

    def torch_statistic(self, v) -> np.ndarray:
        """A statistic shaped to broadcast against the torch layout of one observation:
        () for a scalar, (C,) for vectors, (C, 1, 1) or (C, h, w) for images."""
        v = np.asarray(v, dtype=np.float64)
        e = self.element
        if v.size == 1:
            return v.reshape(())
        if len(e) == 1:
            return v.reshape(e)
        if v.size == e[-1]:
            return v.reshape(e[-1], *([1] * (len(e) - 1)))
        v = v.reshape(e) if v.ndim == len(e) else v.reshape(e, order="F")
        return np.moveaxis(v, -1, 0)

    def build(self, inputs):
        missing = self.missing_statistics()
        if missing:
            raise LayerProblem(
                f"Normalization '{self.Normalization}' needs {', '.join(missing)}; set them or let "
                "trainNetwork compute them from the training data"
            )
        from ..modules.input import InputNormalization

        act = self.output_activation()
        stats = {n: self.torch_statistic(self.props[n]) for n in NEEDS[self.Normalization]}
        split = channel_dim(act.fmt) if self.SplitComplexInputs else None
        return InputNormalization(self.Normalization, stats, split)


@register
class SequenceInputLayer(InputLayer):
    """Sequence input layer: sequenceInputLayer(inputSize, Normalization=..., MinLength=...)."""

    matlab_name = "sequenceInputLayer"
    yaml_key = "sequenceInput"
    type_description = "Sequence Input"
    default_name = "sequenceinput"
    positional = ("InputSize",)
    required = ("InputSize",)
    options = {
        **input_options(Option(IntVector(lengths=(1, 3), expand=False), None,
                               "channels C, or [h w c] for image sequences"), "none"),
        "MinLength": Option(Number(integer=True, low=1), 1, "minimum sequence length"),
    }

    def output_activation(self):
        e = self.element
        return image_sequence(*e) if len(e) == 3 else vector_sequence(e[0])

    def describe(self):
        return f"Sequence input with {self.size_text()} dimensions"


@register
class FeatureInputLayer(InputLayer):
    """Feature input layer: featureInputLayer(numFeatures, Normalization=...); one vector of
    features per observation (format CB), no time dimension."""

    matlab_name = "featureInputLayer"
    yaml_key = "featureInput"
    type_description = "Feature Input"
    default_name = "input"
    positional = ("InputSize",)
    required = ("InputSize",)
    options = input_options(Option(Number(integer=True, low=1), None, "number of features"),
                            "none")

    def output_activation(self):
        return vector(self.channels)

    def describe(self):
        return f"{self.InputSize} features"


@register
class ImageInputLayer(InputLayer):
    """Image input layer: imageInputLayer([h w c], Normalization='zerocenter', ...); images
    (format SSCB). [h w] means one channel (grayscale)."""

    matlab_name = "imageInputLayer"
    yaml_key = "imageInput"
    type_description = "Image Input"
    default_name = "imageinput"
    positional = ("InputSize",)
    required = ("InputSize",)
    options = input_options(Option(IntVector(lengths=(3, 2), expand=False), None,
                                   "[h w c] (height, width, channels), or [h w] for one channel"),
                            "zerocenter")

    @property
    def raw_element(self):
        s = self.InputSize
        return s if len(s) == 3 else (*s, 1)

    def output_activation(self):
        h, w, c = self.element
        return Activation("SSCB", (h, w, c, None))

    def describe(self):
        return f"{self.size_text()} images"
