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
    """Weights (OutputSize x InputSize, MATLAB) times the flattened input, plus Bias. The
    parameters are made from the layer's arrays directly (no default initialization to discard:
    building a network of thousands of layers stays fast)."""

    def __init__(self, weights, bias, spatial_dims):
        super().__init__()
        self.weight = nn.Parameter(torch.tensor(np.asarray(weights), dtype=torch.float32))
        self.bias = nn.Parameter(torch.tensor(np.asarray(bias).reshape(-1), dtype=torch.float32))
        self.spatial_dims = spatial_dims

    def forward(self, x: Signal):
        d = matlab_flatten(x.data, self.spatial_dims)
        return Signal(torch.nn.functional.linear(d, self.weight, self.bias), x.lengths)
