"""Module of sequenceInputLayer (layers/input.py): MATLAB's input normalizations."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..sequences import Signal


class InputNormalization(nn.Module):
    """``mode`` is the layer's Normalization; ``stats`` the per-channel statistics it uses."""

    def __init__(self, mode, stats, image):
        super().__init__()
        self.mode, self.image = mode, image
        for name, v in stats.items():
            t = torch.as_tensor(np.asarray(v, dtype=np.float32).reshape(-1))
            self.register_buffer(name, t.reshape(-1, 1, 1) if image else t)

    def forward(self, x: Signal):
        d, m = x.data, self.mode
        if m == "none":
            return x
        if m == "zerocenter":
            d = d - self.Mean
        elif m == "zscore":
            d = (d - self.Mean) / self.StandardDeviation
        elif m == "rescale-zero-one":
            d = (d - self.Min) / (self.Max - self.Min)
        elif m == "rescale-symmetric":
            d = 2 * (d - self.Min) / (self.Max - self.Min) - 1
        return x._replace(data=d)
