"""sequenceInputLayer: where sequences enter, with MATLAB's input normalizations.

InputSize is an integer (vector sequences, format CBT) or [h w c] (image sequences, SSCBT).
Normalization statistics (Mean, StandardDeviation, Min, Max) are per channel; trainNetwork
computes the missing ones from the training data, as MATLAB does, before training starts.
"""

from __future__ import annotations

import numpy as np

from ..formats import image_sequence, vector_sequence
from ..options import Array, Choice, IntVector, Number, Option
from .base import Layer, LayerProblem, register

NORMALIZATIONS = ("none", "zerocenter", "zscore", "rescale-symmetric", "rescale-zero-one")
NEEDS = {"zerocenter": ("Mean",), "zscore": ("Mean", "StandardDeviation"),
         "rescale-symmetric": ("Min", "Max"), "rescale-zero-one": ("Min", "Max"), "none": ()}


@register
class SequenceInputLayer(Layer):
    """Sequence input layer: sequenceInputLayer(inputSize, Normalization=..., MinLength=...)."""

    matlab_name = "sequenceInputLayer"
    yaml_key = "sequenceInput"
    type_description = "Sequence Input"
    default_name = "sequenceinput"
    positional = ("InputSize",)
    required = ("InputSize",)
    inputs = ()
    category = "input"
    key_options = ("Normalization",)
    data_statistics = ("Mean", "StandardDeviation", "Min", "Max")
    options = {
        "InputSize": Option(IntVector(lengths=(1, 3), expand=False), None,
                            "channels C, or [h w c] for image sequences"),
        "Normalization": Option(Choice(*NORMALIZATIONS), "none", "input normalization"),
        "Mean": Option(Array(), None, "per-channel mean for 'zerocenter'/'zscore'"),
        "StandardDeviation": Option(Array(), None, "per-channel standard deviation ('zscore')"),
        "Min": Option(Array(), None, "per-channel minimum for the rescale modes"),
        "Max": Option(Array(), None, "per-channel maximum for the rescale modes"),
        "MinLength": Option(Number(integer=True, low=1), 1, "minimum sequence length"),
    }

    def output_activation(self):
        s = self.InputSize
        return image_sequence(*s) if isinstance(s, tuple) else vector_sequence(s)

    @property
    def channels(self):
        s = self.InputSize
        return s[-1] if isinstance(s, tuple) else s

    def describe(self):
        s = self.InputSize
        return f"Sequence input with {'x'.join(map(str, s)) if isinstance(s, tuple) else s} " \
               "dimensions"

    def infer(self, inputs):
        for name in self.data_statistics:
            v = self.props[name]
            if v is not None and v.size not in (1, self.channels):
                raise LayerProblem(f"{name} must have 1 or {self.channels} elements, got {v.size}")
        return [self.output_activation()]

    def missing_statistics(self):
        return [n for n in NEEDS[self.Normalization] if self.props[n] is None]

    def fit_statistics(self, sequences, reset):
        """Normalization statistics from the training sequences, per channel (MATLAB computes
        them before training; with ResetInputNormalization false, only the missing ones)."""
        if reset:
            for name in self.data_statistics:
                self.props[name] = None
        missing = self.missing_statistics()
        if not missing:
            return
        data = np.concatenate([np.asarray(s, dtype=np.float64).reshape(len(s), -1, self.channels)
                               .reshape(-1, self.channels) for s in sequences])
        stats = {"Mean": data.mean(0), "StandardDeviation": data.std(0),
                 "Min": data.min(0), "Max": data.max(0)}
        for name in missing:
            self.props[name] = stats[name]

    def build(self, inputs):
        missing = self.missing_statistics()
        if missing:
            raise LayerProblem(
                f"Normalization '{self.Normalization}' needs {', '.join(missing)}; set them or let "
                "trainNetwork compute them from the training data"
            )
        from ..modules.input import InputNormalization

        return InputNormalization(self.Normalization, {n: self.props[n] for n in NEEDS[
            self.Normalization]}, isinstance(self.InputSize, tuple))
