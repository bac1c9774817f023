"""Output layers: classificationLayer (cross-entropy) and regressionLayer (half mean squared error).

They hold the loss definition; the trainer computes the loss from them. As in MATLAB:
  cross-entropy   loss = -1/N * sum_n sum_i w_i * t_ni * log(y_ni)      (N observations; on
                  sequences, summed over real time steps and divided by N)
  half-MSE        loss = 1/(2N) * sum_n sum_i (y_ni - t_ni)^2          (likewise on sequences)
"""

from __future__ import annotations

from ..options import Array, Choice, Kind, OneOf, Option
from .base import Layer, LayerProblem, register


class ClassNames(Kind):
    description = "'auto' or a list of class names"
    schema = {"oneOf": [{"const": "auto"}, {"type": "array"}]}

    def __call__(self, value):
        if isinstance(value, str):
            if value.lower() == "auto":
                return "auto"
            raise ValueError(f"expected 'auto' or a list of class names, got {value!r}")
        if isinstance(value, (bytes, dict)) or not hasattr(value, "__iter__"):
            raise ValueError(f"expected 'auto' or a list of class names, got {value!r}")
        names = [str(v) for v in value]
        if len(set(names)) != len(names) or not names:
            raise ValueError("class names must be a non-empty list without repeats")
        return tuple(names)


class OutputLayer(Layer):
    outputs = ()
    category = "output"

    def build(self, inputs):
        from ..modules.output import Identity

        return Identity()


@register
class ClassificationLayer(OutputLayer):
    """classificationLayer(Classes='auto', ClassWeights='none'): cross-entropy loss."""

    matlab_name, type_description, default_name = (
        "classificationLayer", "Classification Output", "classoutput")
    output_kind = "classification"
    key_options = ("Classes",)
    options = {
        "Classes": Option(ClassNames(), "auto", "class names; 'auto' takes them from the labels"),
        "ClassWeights": Option(OneOf(Choice("none"), Array()), "none",
                               "per-class weights of the loss"),
    }

    def infer(self, inputs):
        x = inputs[0]
        if x.fmt not in ("CB", "CBT"):
            raise LayerProblem(f"expects class scores (CB or CBT), got {x.fmt}")
        if self.Classes != "auto" and len(self.Classes) != x.channels:
            raise LayerProblem(f"{len(self.Classes)} Classes but the input has {x.channels} "
                               "channels; set the fullyConnectedLayer's OutputSize to the number "
                               "of classes")
        cw = self.ClassWeights
        if not isinstance(cw, str) and cw.size != x.channels:
            raise LayerProblem(f"ClassWeights has {cw.size} elements, expected {x.channels}")
        return []


@register
class RegressionLayer(OutputLayer):
    """regressionLayer(ResponseNames=...): half mean squared error loss."""

    matlab_name, type_description, default_name = (
        "regressionLayer", "Regression Output", "regressionoutput")
    output_kind = "regression"
    options = {"ResponseNames": Option(OneOf(Choice("auto"), ClassNames()), "auto",
                                       "names of the responses")}

    def infer(self, inputs):
        x = inputs[0]
        if x.fmt not in ("CB", "CBT", "SSCB"):
            raise LayerProblem(f"expects responses (CB or CBT), got {x.fmt}")
        return []
