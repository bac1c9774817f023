"""wordEmbeddingLayer(dimension, numWords): maps word indices 1..NumWords to learned vectors.

The input is a sequence of word indices (one channel, MATLAB's 1-based indices); Weights is
Dimension x NumWords, one column per word, as in MATLAB.
"""

from __future__ import annotations

import torch
from torch import nn

from ..errors import DataError
from ..formats import Activation
from ..initializers import initialize_weights, weights_kind
from ..options import Option, PositiveInt
from ..sequences import Signal, time_mask
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
        emb = nn.Embedding(self.NumWords, self.Dimension)
        with torch.no_grad():
            emb.weight.copy_(torch.as_tensor(self.Weights.T))
        return Embedding(emb, self.where)

    def read_back(self, module):
        self.props["Weights"] = module.embedding.weight.detach().cpu().double().numpy().T.copy()


class Embedding(nn.Module):
    def __init__(self, embedding, where):
        super().__init__()
        self.embedding, self.where = embedding, where

    def forward(self, x: Signal):
        idx = x.data[..., 0].round().long() - 1
        if x.lengths is not None:
            idx = idx.masked_fill(~time_mask(x.lengths.to(idx.device), idx.shape[1]), 0)
        n = self.embedding.num_embeddings
        if idx.numel() and (idx.min() < 0 or idx.max() >= n):
            bad = idx[(idx < 0) | (idx >= n)][0].item() + 1
            raise DataError(f"{self.where}: word indices must be integers in 1..{n} (MATLAB's "
                            f"1-based indices), got {bad}")
        return Signal(self.embedding(idx), x.lengths)
