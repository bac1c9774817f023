"""Module of fullyConnectedLayer (layers/fully_connected.py), and MATLAB's flattening order."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..sequences import Signal


def matlab_flatten(d: torch.Tensor, spatial_dims: int) -> torch.Tensor:
    """Flatten trailing (C, H, W) torch dims in MATLAB's column-major (h, w, c) order."""
    if spatial_dims == 0:
        return d
    lead = d.shape[: d.dim() - 1 - spatial_dims]
    perm = list(range(len(lead))) + [len(lead)] + list(range(d.dim() - 1, len(lead), -1))
    return d.permute(*perm).reshape(*lead, -1)


class FullyConnected(nn.Module):
    """Weights (OutputSize x InputSize, MATLAB) times the flattened input, plus Bias."""

    def __init__(self, weights, bias, spatial_dims):
        super().__init__()
        w = np.asarray(weights)
        self.linear, self.spatial_dims = nn.Linear(w.shape[1], w.shape[0]), spatial_dims
        with torch.no_grad():
            self.linear.weight.copy_(torch.as_tensor(w))
            self.linear.bias.copy_(torch.as_tensor(np.asarray(bias).reshape(-1)))

    def forward(self, x: Signal):
        return Signal(self.linear(matlab_flatten(x.data, self.spatial_dims)), x.lengths)
