"""positionEmbeddingLayer and sinusoidalPositionEncodingLayer: vectors that say where a time step
is in its sequence.

Both output the encoding itself (OutputSize channels per time step), not the input plus the
encoding: as in MATLAB, a network adds it to the data with an additionLayer. Positions are
MATLAB's 1-based time indices, counted from the first step the layer sees: a chunk of a sequence
split by an integer SequenceLength, and each predictAndUpdateState call, start again at 1
(MATLAB R2026a's PositionOffset state is not supported).
"""

from __future__ import annotations

from ..formats import Activation, vector_sequence
from ..initializers import initialize_weights
from ..options import Choice, Option, PositiveInt
from .base import Layer, LayerProblem, learnable_block, register


def _temporal(x, option):
    if x.fmt != "CBT":
        raise LayerProblem(f"{option} embeds time steps: expects vector sequences (CBT), got "
                           f"{x.fmt if x.is_sequence else 'one vector per observation'}")


@register
class PositionEmbeddingLayer(Layer):
    """Position embedding layer: positionEmbeddingLayer(outputSize, maxPosition).

    The output at time step t is column t of Weights (OutputSize x MaxPosition), learned in
    training; it does not depend on the input's values. PositionDimension 'auto' (or 'temporal')
    embeds the time steps; 'spatial' needs 1-D spatial data, which layergraph has not. A
    sequence longer than MaxPosition is an error naming the layer when the network runs.
    WeightsInitializer is 'narrow-normal' by default (normal, standard deviation 0.01), as MATLAB
    documents it.
    """

    matlab_name, type_description, default_name = (
        "positionEmbeddingLayer", "Position Embedding", "posembed")
    positional = ("OutputSize", "MaxPosition")
    required = ("OutputSize", "MaxPosition")
    options = {
        "OutputSize": Option(PositiveInt(), None, "channels of the embedding"),
        "MaxPosition": Option(PositiveInt(), None, "longest sequence the layer embeds"),
        "PositionDimension": Option(Choice("auto", "temporal", "spatial"), "auto",
                                    "which positions to embed"),
        **learnable_block("Weights", "embedding vectors, OutputSize x MaxPosition",
                          initializers=("narrow-normal", "glorot", "he", "zeros", "ones"),
                          initializer="narrow-normal", factor_stem="Weight"),
    }

    def describe(self):
        return f"Position embedding of {self.MaxPosition} positions into {self.OutputSize}"

    def infer(self, inputs):
        x = inputs[0]
        if self.PositionDimension == "spatial":
            raise LayerProblem("PositionDimension 'spatial' needs 1-D spatial data (SCB); "
                               "layergraph networks carry vector sequences: use 'auto'")
        _temporal(x, "positionEmbeddingLayer")
        w = self.Weights
        shape = (self.OutputSize, self.MaxPosition)
        if w is not None and w.shape != shape:
            raise LayerProblem(f"Weights must be {shape[0]}x{shape[1]}, got "
                               f"{'x'.join(map(str, w.shape))}")
        return [vector_sequence(self.OutputSize)]

    def learnable_shapes(self, inputs):
        return {"Weights": (self.OutputSize, self.MaxPosition)}

    def initialize(self, inputs, rng):
        if self.Weights is None:
            self.props["Weights"] = initialize_weights(
                self.WeightsInitializer, (self.OutputSize, self.MaxPosition), self.OutputSize,
                self.MaxPosition, rng)

    def build(self, inputs):
        from ..modules.position import PositionEmbedding

        return PositionEmbedding(self.Weights, self.where)

    def read_back(self, module):
        self.props["Weights"] = module.weights.detach().cpu().double().numpy().T.copy()


@register
class SinusoidalPositionEncodingLayer(Layer):
    """Sinusoidal position encoding layer: sinusoidalPositionEncodingLayer(outputSize).

    For position p and d = OutputSize (even), channel pair i = 0 .. d/2-1 holds (Vaswani et al.)

        channel 2i+1 (MATLAB's 1-based numbering):  sin(p / 10000^(2i/d))
        channel 2i+2:                                cos(p / 10000^(2i/d))

    Positions 'auto' / 'temporal-indices' are the time indices 1, 2, ..., T of each sequence;
    'data-values' uses the input's values (one channel) as positions; 'spatial-indices' needs
    spatial data, which layergraph has not. MATLAB's documentation that could be consulted does
    not spell out the first position or the channel order: layergraph chose MATLAB's 1-based
    indices and interleaved sin/cos starting with sin.
    """

    matlab_name, type_description, default_name = (
        "sinusoidalPositionEncodingLayer", "Sinusoidal Position Encoding", "posenc")
    positional = ("OutputSize",)
    required = ("OutputSize",)
    options = {
        "OutputSize": Option(PositiveInt(), None, "channels of the encoding (even)"),
        "Positions": Option(Choice("auto", "temporal-indices", "spatial-indices", "data-values"),
                            "auto", "what the positions are"),
    }

    def check(self):
        if self.OutputSize % 2:
            from ..errors import OptionError

            raise OptionError(f"OutputSize must be even (sin and cos pairs), got "
                              f"{self.OutputSize}.", owner=self.where, option="OutputSize",
                              part="value", layer_type=self.matlab_name,
                              expected="an even positive integer")

    def describe(self):
        return f"Sinusoidal position encoding into {self.OutputSize}"

    @property
    def from_values(self):
        return self.Positions == "data-values"

    def infer(self, inputs):
        x = inputs[0]
        if self.Positions == "spatial-indices":
            raise LayerProblem("Positions 'spatial-indices' needs spatial data; layergraph "
                               "networks carry vector sequences: use 'auto'")
        if self.Positions == "auto" and not x.is_sequence:
            if x.fmt != "CB":
                raise LayerProblem(f"cannot encode {x.fmt} data")
            return self._values(x)
        if self.from_values:
            return self._values(x)
        _temporal(x, "Positions 'temporal-indices'")
        return [vector_sequence(self.OutputSize)]

    def _values(self, x):
        if x.fmt not in ("CB", "CBT") or x.channels != 1:
            raise LayerProblem(f"data-values positions need one channel (CB or CBT), got {x}")
        return [Activation(x.fmt, (self.OutputSize, *x.size[1:]))]

    def build(self, inputs):
        from ..modules.position import SinusoidalEncoding

        values = self.from_values or not inputs[0].is_sequence
        return SinusoidalEncoding(self.OutputSize, values)

