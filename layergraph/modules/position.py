"""Modules of positionEmbeddingLayer and sinusoidalPositionEncodingLayer (layers/position.py)."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..errors import DataError
from ..sequences import Signal


class PositionEmbedding(nn.Module):
    """Row t-1 of ``weights`` (stored MaxPosition x OutputSize) for time step t; ``weights`` is
    given in MATLAB's OutputSize x MaxPosition layout."""

    def __init__(self, weights, where):
        super().__init__()
        w = np.asarray(weights, dtype=np.float32).T
        self.weights = nn.Parameter(torch.as_tensor(np.ascontiguousarray(w)))
        self.where = where

    def forward(self, x: Signal):
        B, T = x.data.shape[:2]
        m = self.weights.shape[0]
        if T > m:
            longest = T if x.lengths is None or x.full else int(x.lengths.max())
            if longest > m:
                raise DataError(f"{self.where}: a sequence has {longest} time steps, more than "
                                f"MaxPosition {m}; shorten the sequences (SequenceLength) or "
                                "make MaxPosition larger")
        steps = torch.arange(T, device=self.weights.device).clamp(max=m - 1)  # padding: clamped
        y = self.weights[steps].unsqueeze(0).expand(B, T, -1)
        return Signal(y, x.lengths, x.full)


class SinusoidalEncoding(nn.Module):
    """sin/cos pairs of each position (1-based time indices, or the input's values when
    ``values``), interleaved: channel 2i sin, 2i+1 cos (0-based)."""

    def __init__(self, size, values):
        super().__init__()
        i = torch.arange(0, size, 2, dtype=torch.float64)
        self.register_buffer("frequency", torch.pow(10000.0, -i / size), persistent=False)
        self.size, self.values = size, values

    def encode(self, p: torch.Tensor) -> torch.Tensor:
        """(...) positions -> (..., size), computed in float64 then cast (large positions)."""
        angle = p.to(torch.float64)[..., None] * self.frequency.to(p.device)
        return torch.stack((angle.sin(), angle.cos()), -1).flatten(-2).to(torch.float32)

    def forward(self, x: Signal):
        d = x.data
        if self.values:
            return Signal(self.encode(d[..., 0]), x.lengths, x.full)
        B, T = d.shape[:2]
        enc = self.encode(torch.arange(1, T + 1, device=d.device))
        return Signal(enc.unsqueeze(0).expand(B, T, -1), x.lengths, x.full)
