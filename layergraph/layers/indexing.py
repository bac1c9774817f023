"""indexing1dLayer: one time step of each sequence, its first or its last (CBT -> CB).

'last' means each sequence's own last real step (index length-1), never the padded end of the
mini-batch: the MATLAB pitfall of reading padding when sequences of different lengths share a
mini-batch (right padding puts zeros where MATLAB's 'last' looks) does not occur. MATLAB avoids
it only with a padding-mask input; layergraph knows the lengths, so the mask port is optional.
"""

from __future__ import annotations

from ..formats import Activation
from ..options import Bool, Choice, Option
from .base import Layer, LayerProblem, register


@register
class Indexing1dLayer(Layer):
    """1-D indexing layer: indexing1dLayer(index), index 'first' (default) or 'last'.

    Removes the time dimension: CBT -> CB (SSCBT -> SSCB). With HasPaddingMaskInput=true the
    layer has MATLAB's second input port 'mask' (same time steps as 'in', 1 data, 0 padding;
    its first channel is read): steps whose mask is zero are skipped as well, so 'first' is the
    first and 'last' the last step that is data in both the lengths and the mask. A sequence
    without such a step gives zeros.
    """

    matlab_name, type_description, default_name = "indexing1dLayer", "1-D Indexing", "index1d"
    positional = ("Index",)
    category = "reshape"
    key_options = ("HasPaddingMaskInput",)
    options = {
        "Index": Option(Choice("first", "last"), "first", "which time step to take"),
        "HasPaddingMaskInput": Option(Bool(), False, "add input port 'mask' (1 data, 0 padding)"),
    }

    @property
    def inputs(self):
        return ("in", "mask") if self.HasPaddingMaskInput else ("in",)

    def describe(self):
        return f"1-D indexing of the {self.Index} time step"

    def infer(self, inputs):
        x = inputs[0]
        if not x.is_sequence or x.fmt[-1] != "T":
            raise LayerProblem(f"expects sequences (a T dimension) but receives {x.fmt} data, "
                               "one vector per observation")
        if self.HasPaddingMaskInput:
            m = inputs[1]
            if m.fmt != x.fmt or m.channels not in (1, x.channels):
                raise LayerProblem(f"input 'mask' must have the format of 'in' ({x.fmt}) with "
                                   f"1 or {x.channels} channels (1 data, 0 padding), got {m}")
        return [Activation(x.fmt[:-1], x.size[:-1])]

    def build(self, inputs):
        from ..modules.indexing import Indexing1d

        return Indexing1d(self.Index == "last")
