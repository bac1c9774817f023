"""wordEmbeddingLayer(dimension, numWords): maps word indices 1..NumWords to learned vectors.

The input is a sequence of word indices (one channel, MATLAB's 1-based indices); Weights is
Dimension x NumWords, one column per word, as in MATLAB.
"""

from __future__ import annotations

from ..formats import Activation
from ..initializers import initialize_weights, weights_kind
from ..options import Option, PositiveInt
from .base import Layer, LayerProblem, learnable_block, register


@register
class WordEmbeddingLayer(Layer):
    """Word embedding layer: wordEmbeddingLayer(dimension, numWords)."""

    matlab_name, type_description, default_name = (
        "wordEmbeddingLayer", "Word Embedding Layer", "word_embedding")
    positional = ("Dimension", "NumWords")
    required = ("Dimension", "NumWords")
    options = {
        "Dimension": Option(PositiveInt(), None, "embedding dimension"),
        "NumWords": Option(PositiveInt(), None, "vocabulary size"),
        **learnable_block("Weights", "embedding vectors, Dimension x NumWords",
                          initializers=weights_kind(), initializer="narrow-normal",
                          factor_stem="Weight"),
    }

    def infer(self, inputs):
        x = inputs[0]
        if x.fmt != "CBT" or x.channels != 1:
            raise LayerProblem(f"expects sequences of word indices, 1(C) x 1(B) x T(T); got {x}")
        w = self.Weights
        if w is not None and w.shape != (self.Dimension, self.NumWords):
            raise LayerProblem(f"Weights must be {self.Dimension}x{self.NumWords}")
        return [Activation("CBT", (self.Dimension, None, None))]

    def learnable_shapes(self, inputs):
        return {"Weights": (self.Dimension, self.NumWords)}

    def initialize(self, inputs, rng):
        if self.Weights is None:
            self.props["Weights"] = initialize_weights(
                self.WeightsInitializer, (self.Dimension, self.NumWords), self.Dimension,
                self.NumWords, rng)

    def build(self, inputs):
        from ..modules.embedding import Embedding

        return Embedding(self.Weights, self.where)

    def read_back(self, module):
        self.props["Weights"] = module.embedding.weight.detach().cpu().double().numpy().T.copy()
