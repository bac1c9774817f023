"""Module of wordEmbeddingLayer (layers/embedding.py)."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..errors import DataError
from ..sequences import Signal, time_mask


class Embedding(nn.Module):
    """Looks up MATLAB's 1-based word indices; ``weights`` is Dimension x NumWords (MATLAB)."""

    def __init__(self, weights, where):
        super().__init__()
        w = np.asarray(weights)
        self.embedding, self.where = nn.Embedding(w.shape[1], w.shape[0]), where
        with torch.no_grad():
            self.embedding.weight.copy_(torch.as_tensor(w.T))

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

    def onnx_forward(self, x: Signal):
        """For ONNX export: the look-up without the range check (a data-dependent branch ONNX
        cannot hold); an index out of range is an error of the ONNX runtime's Gather there."""
        idx = x.data[..., 0].round().long() - 1
        if x.lengths is not None:
            idx = idx.masked_fill(~time_mask(x.lengths.to(idx.device), idx.shape[1]), 0)
        return Signal(self.embedding(idx), x.lengths)
