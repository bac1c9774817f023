"""Module of the input layers (layers/input.py): MATLAB's input normalizations, after splitting
complex inputs when SplitComplexInputs is set."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..sequences import Signal


class InputNormalization(nn.Module):
    """``mode`` is the layer's Normalization; ``stats`` its statistics, already shaped to
    broadcast against one observation in torch layout; ``split`` the channel dimension to split
    complex data along (None: no split)."""

    def __init__(self, mode, stats, split=None):
        super().__init__()
        self.mode, self.split = mode, split
        for name, v in stats.items():
            self.register_buffer(name, torch.as_tensor(np.asarray(v, dtype=np.float32)))

    def forward(self, x: Signal):
        d, m = x.data, self.mode
        if self.split is not None:
            re, im = (d.real, d.imag) if d.is_complex() else (d, torch.zeros_like(d))
            d = torch.cat([re, im], dim=self.split)
        if m == "zerocenter":
            d = d - self.Mean
        elif m == "zscore":
            d = (d - self.Mean) / self.StandardDeviation
        elif m == "rescale-zero-one":
            d = (d - self.Min) / (self.Max - self.Min)
        elif m == "rescale-symmetric":
            d = 2 * (d - self.Min) / (self.Max - self.Min) - 1
        return x if d is x.data else x._replace(data=d)
