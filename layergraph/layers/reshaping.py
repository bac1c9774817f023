"""Layers that change the layout of data but compute nothing: flattenLayer, sequenceFoldingLayer,
sequenceUnfoldingLayer.

Folding turns a batch of image sequences (SSCBT) into a batch of images (SSCB), one per real
frame, so 2-D layers run on every frame; its 'miniBatchSize' output tells the unfolding layer how
to put the frames back into sequences. Padded frames are not folded, so batch normalization
statistics see real frames only.
"""

from __future__ import annotations

from ..formats import Activation
from .base import Layer, LayerProblem, register

MINI_BATCH_SIZE = Activation("", ())
"""The activation on a fold/miniBatchSize -> unfold/miniBatchSize edge: layout, not data."""


@register
class FlattenLayer(Layer):
    """flattenLayer(): collapses spatial dimensions into channels (SSCBT -> CBT, SSCB -> CB), in
    MATLAB's column-major order."""

    matlab_name, type_description, default_name = "flattenLayer", "Flatten", "flatten"
    category = "reshape"

    def infer(self, inputs):
        x = inputs[0]
        if x.fmt not in ("SSCBT", "SSCB", "CBT", "CB"):
            raise LayerProblem(f"cannot flatten {x.fmt} data")
        fmt = "CBT" if x.is_sequence else "CB"
        return [Activation(fmt, (x.features, *x.size[len(x.fmt) - len(fmt) + 1:]))]

    def build(self, inputs):
        from ..modules.reshaping import Flatten

        return Flatten(len(inputs[0].spatial))


@register
class SequenceFoldingLayer(Layer):
    """sequenceFoldingLayer(): outputs 'out' (frames as images) and 'miniBatchSize'."""

    matlab_name, type_description, default_name = (
        "sequenceFoldingLayer", "Sequence Folding", "seqfold")
    outputs = ("out", "miniBatchSize")
    category = "reshape"

    def unconnected_problem(self, port, side):
        if port != "miniBatchSize":
            return None
        return ("fold-without-unfold",
                f"{self.where} has no matching sequenceUnfoldingLayer: connect "
                f"'{self.Name}/miniBatchSize' to an unfolding layer's 'miniBatchSize' input, "
                f"e.g. connectLayers(lgraph, '{self.Name}/miniBatchSize', "
                "'unfold/miniBatchSize')")

    def infer(self, inputs):
        x = inputs[0]
        if x.fmt != "SSCBT":
            raise LayerProblem(f"expects image sequences (SSCBT), got {x.fmt}")
        return [Activation("SSCB", x.size[:3] + (None,)), MINI_BATCH_SIZE]

    def build(self, inputs):
        from ..modules.reshaping import Fold

        return Fold()


@register
class SequenceUnfoldingLayer(Layer):
    """sequenceUnfoldingLayer(): inputs 'in' and 'miniBatchSize' (from the folding layer)."""

    matlab_name, type_description, default_name = (
        "sequenceUnfoldingLayer", "Sequence Unfolding", "sequnfold")
    inputs = ("in", "miniBatchSize")
    category = "reshape"

    def unconnected_problem(self, port, side):
        if port != "miniBatchSize":
            return None
        return ("unfold-without-fold",
                f"input 'miniBatchSize' of {self.where} is not connected; connect it: "
                f"connectLayers(lgraph, 'fold/miniBatchSize', '{self.Name}/miniBatchSize')")

    def infer(self, inputs):
        x, mb = inputs
        if mb != MINI_BATCH_SIZE:
            raise LayerProblem("input 'miniBatchSize' must come from a sequenceFoldingLayer's "
                               "'miniBatchSize' output")
        if x.fmt not in ("SSCB", "CB"):
            raise LayerProblem(f"expects folded data (SSCB or CB), got {x.fmt}")
        return [Activation(x.fmt + "T", x.size + (None,))]

    def build(self, inputs):
        from ..modules.reshaping import Unfold

        return Unfold()
