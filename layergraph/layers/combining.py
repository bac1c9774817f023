"""Layers that combine several inputs into one: additionLayer, multiplicationLayer,
concatenationLayer, depthConcatenationLayer.

Their input ports are ``in1`` ... ``inN`` (N = NumInputs), so the port list belongs to the
instance: ``additionLayer(3).inputs == ('in1', 'in2', 'in3')``. Connect them by name, as in
MATLAB: ``connectLayers(lgraph, 'skip', 'add/in2')``.

Inputs must have the same format and, but for the concatenated dimension, the same sizes.
Sequence inputs must have the same time steps. Branches from one input layer do unless a strided
or unpadded convolution or pooling changed one of them and not the other; the analysis follows
each sequence's :class:`~layergraph.formats.TimeSteps` and reports that as a
'time-length-mismatch' problem naming the layer and both inputs, before anything runs ('same' or
'causal' padding at stride 1 keeps the steps; the same change on both branches is fine).
Sequences from different input layers cannot be compared before the data is seen, so the torch
module also checks the time steps of every mini-batch and raises a NetworkError naming the ports
instead of combining misaligned steps.

MATLAB releases since R2024 also broadcast singleton dimensions in additionLayer and
multiplicationLayer; layergraph requires equal sizes (a size mismatch is nearly always a wiring
mistake, and the analysis names it).
"""

from __future__ import annotations

from ..formats import Activation
from ..limits import LIMITS
from ..options import Kind, Number, Option
from .base import Layer, LayerProblem, register

LETTERS = {"C": "channel", "S": "spatial", "B": "batch", "T": "time"}


class InputCount(Kind):
    """NumInputs: an integer >= 2, at most ``LIMITS.max_layer_inputs`` (read when checked, so a
    raised limit applies at once)."""

    description = "an integer >= 2"
    schema = {"type": "integer", "minimum": 2}

    def __call__(self, value):
        n = Number(integer=True, low=2)(value)
        if n > LIMITS.max_layer_inputs:
            raise ValueError(LIMITS.exceeded("max_layer_inputs", f"{n:,}", "NumInputs"))
        return n


def num_inputs_option():
    return Option(InputCount(), 2, "number of inputs; their ports are 'in1' ... 'inN'")


class CombiningLayer(Layer):
    """Base: NumInputs input ports named in1..inN, one output 'out'."""

    positional = ("NumInputs",)
    options = {"NumInputs": num_inputs_option()}
    category = "combine"

    @property
    def inputs(self):
        return tuple(f"in{i}" for i in range(1, self.NumInputs + 1))

    @property
    def InputNames(self):  # MATLAB's read-only property
        return list(self.inputs)

    def describe(self):
        return f"{self.type_description} of {self.NumInputs} inputs"

    def unconnected_problem(self, port, side):
        if side != "inputs":
            return None
        return ("unconnected-input",
                f"input '{port}' of {self.where} is not connected; connect a layer to it, e.g. "
                f"connectLayers(lgraph, 'skip', '{self.Name}/{port}')")

    def check_inputs(self, inputs, skip=None):
        """Every input has in1's format and sizes, except in dimension ``skip`` (an index into
        the format); a LayerProblem names the first input that differs."""
        first = inputs[0]
        for port, a in zip(self.inputs[1:], inputs[1:]):
            if a.fmt != first.fmt:
                raise LayerProblem(f"input '{port}' is {a.fmt} data ({a}), 'in1' is "
                                   f"{first.fmt} ({first}); inputs must have the same format")
            for i, (letter, n, m) in enumerate(zip(a.fmt, a.size, first.size)):
                if i == skip or n == m:
                    continue
                if letter == "C":
                    raise LayerProblem(f"input '{port}' has {n} channels, 'in1' has {m}")
                raise LayerProblem(f"input '{port}' is {a}, 'in1' is {first}; the "
                                   f"{LETTERS.get(letter, letter)} sizes must agree")
            s, t = a.steps, first.steps
            if s is not None and t is not None and s.origin == t.origin and s != t:
                raise LayerProblem(f"input '{port}' has {s}, 'in1' has {t}; combined "
                                   "sequences must have the same time steps (use 'same' or "
                                   "'causal' padding and the same Stride on both branches)",
                                   kind="time-length-mismatch")


class ElementwiseLayer(CombiningLayer):
    operation = "add"

    def describe(self):  # MATLAB's analyzeNetwork: 'Element-wise addition of 2 inputs'
        what = "addition" if self.operation == "add" else "multiplication"
        return f"Element-wise {what} of {self.NumInputs} inputs"

    def infer(self, inputs):
        self.check_inputs(inputs)
        return [inputs[0]]

    def build(self, inputs):
        from ..modules.combining import Elementwise

        return Elementwise(self.operation, self.where)


@register
class AdditionLayer(ElementwiseLayer):
    """Element-wise sum of NumInputs inputs: additionLayer(numInputs) (a residual connection)."""

    matlab_name, type_description, default_name = "additionLayer", "Addition", "addition"
    operation = "add"


@register
class MultiplicationLayer(ElementwiseLayer):
    """Element-wise product of NumInputs inputs: multiplicationLayer(numInputs) (gating)."""

    matlab_name, type_description, default_name = (
        "multiplicationLayer", "Multiplication", "multiplication")
    operation = "multiply"


@register
class ConcatenationLayer(CombiningLayer):
    """Concatenation along dimension Dim: concatenationLayer(dim, numInputs).

    Dim counts the letters of the data's format, as MATLAB numbers the dimensions of a formatted
    dlarray (S, then C, B, T): the channels are Dim 1 of vector sequences (CBT) and of feature
    vectors (CB), Dim 3 of images (SSCB) and image sequences (SSCBT), whose height and width are
    Dims 1 and 2. As in MATLAB, only channel and spatial dimensions can be concatenated.
    """

    matlab_name, type_description, default_name = (
        "concatenationLayer", "Concatenation", "concat")
    positional = ("Dim", "NumInputs")
    required = ("Dim",)
    options = {"Dim": Option(Number(integer=True, low=1), None,
                             "dimension to concatenate along, counted in the data's format "
                             "(1 is the channels of CBT and CB data, 3 of SSCB)"),
               "NumInputs": num_inputs_option()}

    def describe(self):
        return f"Concatenation of {self.NumInputs} inputs along dimension {self.Dim}"

    def axis(self, fmt):
        """The 0-based index into ``fmt`` that Dim names, or a LayerProblem."""
        if self.Dim > len(fmt):
            raise LayerProblem(f"Dim {self.Dim} is beyond the {len(fmt)} dimensions of {fmt} "
                               f"data{_channels_hint(fmt)}")
        letter = fmt[self.Dim - 1]
        if letter not in "SC":
            raise LayerProblem(f"Dim {self.Dim} is the {LETTERS[letter]} ({letter}) dimension "
                               f"of {fmt} data; only channel and spatial dimensions can be "
                               f"concatenated{_channels_hint(fmt)}")
        return self.Dim - 1

    def infer(self, inputs):
        axis = self.axis(inputs[0].fmt)
        self.check_inputs(inputs, skip=axis)
        first = inputs[0]
        size = list(first.size)
        size[axis] = sum(a.size[axis] for a in inputs)
        return [Activation(first.fmt, tuple(size))]

    def build(self, inputs):
        from ..formats import torch_dim
        from ..modules.combining import Concatenate

        return Concatenate(torch_dim(inputs[0].fmt, self.axis(inputs[0].fmt)), self.where)


@register
class DepthConcatenationLayer(CombiningLayer):
    """Concatenation along the channels: depthConcatenationLayer(numInputs); the inputs agree in
    every other size (height and width of images)."""

    matlab_name, type_description, default_name = (
        "depthConcatenationLayer", "Depth concatenation", "depthcat")

    def infer(self, inputs):
        fmt = inputs[0].fmt
        if "C" not in fmt:
            raise LayerProblem(f"expects data with channels, got {fmt}")
        axis = fmt.index("C")
        self.check_inputs(inputs, skip=axis)
        size = list(inputs[0].size)
        size[axis] = sum(a.channels for a in inputs)
        return [Activation(fmt, tuple(size))]

    def build(self, inputs):
        from ..formats import torch_dim
        from ..modules.combining import Concatenate

        fmt = inputs[0].fmt
        return Concatenate(torch_dim(fmt, fmt.index("C")), self.where)


def _channels_hint(fmt):
    return f" (its channels are Dim {fmt.index('C') + 1})" if "C" in fmt else ""
