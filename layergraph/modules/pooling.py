"""Modules of the 1-D pooling layers (layers/pooling.py)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..sequences import Signal, time_mask
from .convolution import conv_out, same_time_padding, zero_padded_steps


class Pool1d(nn.Module):
    def __init__(self, mode, k, s, padding):
        super().__init__()
        self.mode, self.k, self.s, self.padding = mode, k, s, padding

    def forward(self, x: Signal):
        # Padding never wins a maximum; in a mean it counts as zeros, as in MATLAB.
        fill = float("-inf") if self.mode == "max" else 0.0
        d = zero_padded_steps(x, fill).transpose(1, 2)
        p = self.padding
        if p == "same":
            d = same_time_padding(d, x.lengths, self.k, self.s, 1, fill)
        else:
            pad = (p, p) if isinstance(p, int) else tuple(p)
            d = F.pad(d, pad, value=fill)
        pool = F.max_pool1d if self.mode == "max" else F.avg_pool1d
        y = pool(d, self.k, self.s)
        y = y.transpose(1, 2)
        lengths = x.lengths
        if lengths is not None:
            if p == "same":
                lengths = torch.div(lengths + self.s - 1, self.s, rounding_mode="floor")
            else:
                lengths = conv_out(lengths, self.k, self.s, 1, pad)
            lengths = lengths.clamp(min=1, max=y.shape[1])
            y = y.masked_fill(~time_mask(lengths.to(y.device), y.shape[1])[..., None], 0.0)
        return Signal(y, lengths)


class GlobalPool1d(nn.Module):
    def __init__(self, mode):
        super().__init__()
        self.mode = mode

    def forward(self, x: Signal):
        d = x.data
        mask = time_mask(x.lengths.to(d.device), d.shape[1])[..., None]
        if self.mode == "max":
            return Signal(d.masked_fill(~mask, float("-inf")).amax(dim=1))
        return Signal((d * mask).sum(1) / x.lengths.to(d)[:, None])
